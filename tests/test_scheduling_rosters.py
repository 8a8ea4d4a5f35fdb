"""Batches straight from the scheduling system: HL7 v2 SIU messages and FHIR Appointments.

Every message here is made up: no real patient's details.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import CLINIC_CONFIG
from fhirtools import by_type, check_bundle
from procguide.errors import ExitCode

CONFIG = (
    CLINIC_CONFIG
    + """  mrn_system: https://clinic.example/mrn
scheduling:
  codes:
    EBP-SED: {procedure: blood-patch, flags: [sedation]}
    62321: {procedure: epidural-steroid-injection}
"""
)
NAMES = ("Jane", "Doe", "Ali", "Khan", "Sam", "Lee", "Amy", "Wu", "Kim", "Ode")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def siu(
    number: int,
    event: str,
    mrn: str,
    family: str,
    given: str,
    code: str,
    start: str,
    *,
    lang: str = "",
    clinician: str = "",
    appointment: str | None = None,
) -> list[str]:
    """One SIU message's segments."""
    segments = [
        f"MSH|^~\\&|SCHED|NSPC|PROCGUIDE|NSPC|20270314120000-0500||SIU^{event}^SIU_S12|CTRL{number}|P|2.5.1",
        f"SCH|P{number}|{appointment or f'APPT{number}'}^SCHED||||||||||^^^{start}",
        f"PID|1||{mrn}^^^NSPC^MR||{family}^{given}||19800101|U|||||||{lang}",
        f"AIS|1||{code}^^L|{start}",
    ]
    if clinician:
        segments.append(f"AIP|1||1234^{clinician}")
    return segments


# The day: Jane at 09:30 EDT (sent in EDT), Ali at 15:00 UTC (11:00 EDT), Sam at 08:00 EST,
# which on the day after the clocks went forward is 09:00 EDT.
DAY = [
    siu(
        1,
        "S12",
        "MRN-0001",
        "Doe",
        "Jane",
        "EBP-SED",
        "20270315093000-0400",
        lang="spa^Spanish^ISO6392",
        clinician="Rivera^Ana^^^Dr",
    ),
    siu(2, "S12", "MRN-0002", "Khan", "Ali", "62321", "20270315150000+0000"),
    siu(3, "S12", "MRN-0003", "Lee", "Sam", "62273", "202703150800-0500"),
]
CSV = (
    "procedure,patient,date,time,clinician,flags,mrn,lang\n"
    "blood-patch,Jane Doe,2027-03-15,09:30,Dr Ana Rivera,sedation,MRN-0001,es\n"
    "epidural-steroid-injection,Ali Khan,2027-03-15,11:00,,,MRN-0002,\n"
    "blood-patch,Sam Lee,2027-03-15,09:00,,,MRN-0003,\n"
)


def feed(messages: list[list[str]], *, separator: str = "\r", mllp: bool = False) -> bytes:
    text = [separator.join(m) + separator for m in messages]
    if mllp:
        return b"".join(b"\x0b" + t.encode() + b"\x1c\r" for t in text)
    return "".join(text).encode()


def run(invoke: Any, roster: Path, config: Path, *extra: str) -> Any:
    return invoke(
        "batch",
        str(roster),
        "--out",
        str(roster.parent / "out"),
        "-f",
        "text,fhir",
        "--jobs",
        "1",
        "--config",
        str(config),
        *extra,
    )


def made(folder: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.suffix in (".txt", ".json") and p.name != "manifest.jsonl"
    }


def manifest(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()]


def assert_private(text: str) -> None:
    for name in NAMES + ("MRN-",):
        assert name not in text


def fhir_day() -> dict[str, Any]:
    """The same day as a FHIR searchset: Patients included for two, contained for one."""

    def patient(
        pid: str, mrn: str, given: str, family: str, lang: str | None = None
    ) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [
                {"system": "https://other.example/ids", "value": "X-1"},
                {
                    "type": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                "code": "MR",
                            }
                        ]
                    },
                    "system": "https://clinic.example/mrn",
                    "value": mrn,
                },
            ],
            "name": [{"family": family, "given": [given]}],
        }
        if lang:
            resource["communication"] = [
                {
                    "language": {"coding": [{"system": "urn:ietf:bcp:47", "code": lang}]},
                    "preferred": True,
                }
            ]
        return resource

    def appointment(
        aid: str, code: str, start: str, actor: str, *, status: str = "booked", **more: Any
    ) -> dict[str, Any]:
        return {
            "resourceType": "Appointment",
            "id": aid,
            "status": status,
            "serviceType": [{"coding": [{"system": "https://clinic.example/codes", "code": code}]}],
            "start": start,
            "participant": [
                {"actor": {"reference": actor}, "status": "accepted"},
                *more.pop("others", []),
            ],
            **more,
        }

    entries = [
        appointment(
            "a1",
            "EBP-SED",
            "2027-03-15T09:30:00-04:00",
            "Patient/p1",
            others=[
                {
                    "actor": {"reference": "Practitioner/d1", "display": "Dr Ana Rivera"},
                    "status": "accepted",
                }
            ],
        ),
        appointment(
            "a2",
            "62321",
            "2027-03-15T15:00:00Z",
            "#p2",
            contained=[patient("p2", "MRN-0002", "Ali", "Khan")],
        ),
        appointment("a4", "62273", "2027-03-15T12:00:00-04:00", "Patient/p4", status="cancelled"),
        appointment("a3", "62273", "2027-03-15T08:00:00-05:00", "Patient/p3"),
    ]
    included = [
        patient("p1", "MRN-0001", "Jane", "Doe", "es"),
        patient("p3", "MRN-0003", "Sam", "Lee"),
        patient("p4", "MRN-0004", "Amy", "Wu"),
    ]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "fullUrl": f"https://ehr.example/fhir/Appointment/{a['id']}",
                "resource": a,
                "search": {"mode": "match"},
            }
            for a in entries
        ]
        + [
            {
                "fullUrl": f"https://ehr.example/fhir/Patient/{p['id']}",
                "resource": p,
                "search": {"mode": "include"},
            }
            for p in included
        ],
    }


def test_a_day_of_siu_messages_and_of_fhir_appointments_give_the_csvs_handouts(
    invoke, config, tmp_path
):
    results = {}
    for name, data in (
        ("day.csv", CSV.encode()),
        (
            "day.hl7",
            feed([*DAY, siu(4, "S15", "MRN-0004", "Wu", "Amy", "62273", "20270315120000-0400")]),
        ),
        ("day.json", json.dumps(fhir_day()).encode()),
    ):
        folder = tmp_path / name.replace(".", "-")
        folder.mkdir()
        (folder / name).write_bytes(data)
        result = run(invoke, folder / name, config)
        assert result.exit_code == 0, result.stderr
        assert_private(result.stderr)
        results[name] = made(folder / "out")
    expected = results["day.csv"]
    assert len(expected) == 6
    assert results["day.hl7"] == expected
    assert results["day.json"] == expected
    bundles = {n: check_bundle(d) for n, d in expected.items() if n.endswith(".fhir.json")}
    jane = by_type(bundles["2027-03-15_blood-patch_Jane-Doe.fhir.json"])
    assert jane["DocumentReference"]["language"] == "es"
    assert jane["DocumentReference"]["context"]["period"]["start"] == "2027-03-15T09:30:00-04:00"
    sam = by_type(bundles["2027-03-15_blood-patch_Sam-Lee.fhir.json"])
    assert sam["DocumentReference"]["context"]["period"]["start"] == "2027-03-15T09:00:00-04:00"


@pytest.mark.parametrize("separator", ["\r", "\n", "\r\n"])
@pytest.mark.parametrize("mllp", [False, True])
def test_framing_and_segment_separators_read_the_same(invoke, config, tmp_path, separator, mllp):
    roster = tmp_path / "day.hl7"
    roster.write_bytes(feed(DAY, separator=separator, mllp=mllp))
    result = run(invoke, roster, config)
    assert result.exit_code == 0, result.stderr
    assert "3 made, 0 failed, 0 skipped of 3 rows" in result.stderr


def test_a_cancellation_is_skipped_and_a_later_message_replaces_an_earlier_one(
    invoke, config, tmp_path
):
    roster = tmp_path / "day.hl7"
    messages = [
        DAY[0],
        siu(
            2, "S12", "MRN-0005", "Ode", "Kim", "62273", "20270315100000-0400", appointment="A-KIM"
        ),
        siu(3, "S15", "MRN-0004", "Wu", "Amy", "62273", "20270315120000-0400"),
        siu(
            4, "S13", "MRN-0005", "Ode", "Kim", "62273", "20270316100000-0400", appointment="A-KIM"
        ),
    ]
    roster.write_bytes(feed(messages))
    result = run(invoke, roster, config)
    assert result.exit_code == 0, result.stderr
    assert (
        "row 2: message 2: replaced by message 4, about the same appointment (SCH-2)"
        in result.stderr
    )
    assert "row 3: message 3: the appointment is cancelled (SIU^S15)" in result.stderr
    assert "2 made, 0 failed, 2 skipped of 4 rows" in result.stderr
    assert_private(result.stderr)
    names = set(made(tmp_path / "out"))
    assert "2027-03-16_blood-patch_Kim-Ode.txt" in names  # the rescheduled day
    assert not any("Amy" in n or "2027-03-15_blood-patch_Kim" in n for n in names)
    records = manifest(tmp_path / "out")
    assert [r["status"] for r in records] == ["ok", "skipped", "skipped", "ok"]
    # Cancelled after an earlier run made the sheet: the old sheet leaves the print folder.
    roster.write_bytes(
        feed(
            [
                DAY[0],
                siu(
                    4,
                    "S15",
                    "MRN-0005",
                    "Ode",
                    "Kim",
                    "62273",
                    "20270316100000-0400",
                    appointment="A-KIM",
                ),
            ]
        )
    )
    again = run(invoke, roster, config, "--resume")
    assert again.exit_code == 0, again.stderr
    assert (tmp_path / "out" / "superseded" / "2027-03-16_blood-patch_Kim-Ode.txt").exists()
    assert "2027-03-16_blood-patch_Kim-Ode.txt" not in made(tmp_path / "out")


def test_unknown_codes_and_broken_messages_are_row_errors_and_the_batch_goes_on(
    invoke, config, tmp_path
):
    roster = tmp_path / "day.hl7"
    broken_segment = siu(3, "S12", "MRN-0003", "Lee", "Sam", "62273", "20270315110000-0400")
    broken_segment[2] = "P!D|1||MRN-0003^^^NSPC^MR||Lee^Sam"
    no_minutes = siu(4, "S12", "MRN-0004", "Wu", "Amy", "62273", "2027031511")
    admission = siu(5, "S12", "MRN-0005", "Ode", "Kim", "62273", "20270315110000-0400")
    admission[0] = admission[0].replace("SIU^S12^SIU_S12", "ADT^A01^ADT_A01")
    roster.write_bytes(
        feed(
            [
                DAY[0],
                siu(2, "S12", "MRN-0002", "Khan", "Ali", "NOT-A-CODE", "20270315110000-0400"),
                broken_segment,
                no_minutes,
                admission,
            ]
        )
    )
    result = run(invoke, roster, config)
    assert result.exit_code == ExitCode.PARTIAL
    lines = result.stderr.splitlines()
    assert (
        "error: row 2: AIS-3 (procedure code): the code is in neither scheduling.codes"
        in result.stderr
    )
    assert (
        "error: row 3: message 3: segment 3 is not an HL7 segment (three letters or digits, then |)"
        in lines
    )
    assert (
        "error: row 4: message 4: AIS-4 (start): not a date and time to the minute (YYYYMMDDHHMM[+-ZZZZ])"
        in lines
    )
    assert "error: row 5: message 5: MSH-9: not an appointment (SIU) message" in lines
    assert "1 made, 4 failed, 0 skipped of 5 rows" in result.stderr
    assert_private(result.stderr)
    # File names hold names (the --name pattern decides); errors never do.
    assert_private(json.dumps([r["error"] for r in manifest(tmp_path / "out")]))


def test_a_time_the_clocks_skip_is_refused_as_for_csv(invoke, config, tmp_path):
    roster = tmp_path / "day.hl7"
    # 02:30 on 14 Mar 2027 does not exist in New York; sent without an offset, it is refused.
    roster.write_bytes(feed([siu(1, "S12", "MRN-0001", "Doe", "Jane", "62273", "202703140230")]))
    result = run(invoke, roster, config)
    assert result.exit_code == ExitCode.PARTIAL
    assert "row 1: 02:30 on 2027-03-14 in America/New_York does not exist" in result.stderr


def test_a_file_that_is_not_hl7_stops_before_anything_is_written(invoke, config, tmp_path):
    roster = tmp_path / "day.hl7"
    roster.write_bytes(b"MSH|^~\\&|A\rPID|1\r\x1cgarbage\r")
    out = tmp_path / "out"
    result = run(invoke, roster, config)
    assert result.exit_code == ExitCode.USAGE
    assert (
        result.stderr
        == "error: the roster is not an HL7 v2 message file: text after an MLLP end-of-block (0x1C) on the same line\n"
    )
    assert not out.exists()


def test_without_python_hl7_the_batch_says_what_to_install(invoke, config, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "hl7", None)  # import hl7 now raises ImportError
    roster = tmp_path / "day.hl7"
    roster.write_bytes(feed(DAY))
    result = run(invoke, roster, config)
    assert result.exit_code == ExitCode.USAGE
    assert (
        result.stderr
        == 'error: reading HL7 messages needs python-hl7 (pip install "procguide[hl7]")\n'
    )


def test_a_resumed_feed_keeps_what_it_made(invoke, config, tmp_path):
    roster = tmp_path / "day.hl7"
    roster.write_bytes(feed(DAY, mllp=True))
    assert run(invoke, roster, config).exit_code == 0
    again = run(invoke, roster, config, "--resume")
    assert "0 made, 0 failed, 3 skipped of 3 rows" in again.stderr


def test_fhir_rosters_skip_what_is_not_booked_and_name_what_is_missing(invoke, config, tmp_path):
    day = fhir_day()
    day["entry"][0]["resource"]["participant"] = []
    roster = tmp_path / "day.json"
    roster.write_text(json.dumps(day))
    result = run(invoke, roster, config)
    assert result.exit_code == ExitCode.PARTIAL
    assert "row 1: Bundle entry 1: no participant is a Patient found in the Bundle" in result.stderr
    assert "row 3: Bundle entry 3: the appointment is cancelled, not booked" in result.stderr
    assert_private(result.stderr)


def test_a_bundle_that_is_not_a_day_of_appointments_stops_the_batch(invoke, config, tmp_path):
    roster = tmp_path / "day.json"
    roster.write_text(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": []}))
    result = run(invoke, roster, config)
    assert result.exit_code == ExitCode.USAGE
    assert (
        "Bundle.type: a roster is a searchset or collection Bundle of Appointments" in result.stderr
    )


def test_the_readmes_examples_work_as_written(invoke, tmp_path):
    from test_readme import _block_after, _commands

    # procguide.yaml in the current folder is the README's example config.
    (tmp_path / "procguide.yaml").write_text(_block_after("### Clinic settings", "yaml"))
    (tmp_path / "tomorrow.csv").write_text(CSV)
    (tmp_path / "schedule.hl7").write_bytes(feed(DAY, mllp=True))
    (tmp_path / "appointments.json").write_text(json.dumps(fhir_day()))
    commands = _commands(_block_after("### Sending the handout to the chart", "sh"))
    commands += _commands(_block_after("#### Straight from the scheduling system", "sh"))
    assert len(commands) == 4
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
    check_bundle((tmp_path / "jane.fhir.json").read_bytes())
    assert len(list((tmp_path / "handouts").glob("*.fhir.json"))) == 3


def test_a_fhir_patient_is_filed_only_under_the_clinics_own_record_number(invoke, config, tmp_path):
    day = fhir_day()
    jane = next(e["resource"] for e in day["entry"] if e["resource"].get("id") == "p1")
    jane["identifier"] = [
        {
            "system": "https://other.example/mrn",
            "value": "OTHER-7",
            "type": {"coding": [{"code": "MR"}]},
        }
    ]
    roster = tmp_path / "day.json"
    roster.write_text(json.dumps(day))
    result = run(invoke, roster, config)
    assert result.exit_code == ExitCode.PARTIAL
    assert (
        "row 1: Patient.identifier: none is in clinic.mrn_system, the clinic's record numbers"
        in result.stderr
    )
    assert_private(result.stderr)
    assert "OTHER-7" not in result.stderr
    # The rows whose patients have the clinic's number are made.
    assert "2 made, 1 failed, 1 skipped of 4 rows" in result.stderr
