"""--format fhir: the handout for the chart, as a FHIR R4 Bundle an EHR can file."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conftest import CLINIC_CONFIG
from fhirtools import attachment, by_type, check_bundle, schema_errors
from procguide.errors import ExitCode

MRN_SYSTEM = "https://clinic.example/mrn"
SHEET = ["handout", "blood-patch", "--patient", "Jane Doe", "--mrn", "MRN-0001"]
WHEN = ["--date", "2027-03-15", "--time", "09:30"]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "fhir-clinic.yaml"
    path.write_text(CLINIC_CONFIG + f"  mrn_system: {MRN_SYSTEM}\n", encoding="utf-8")
    return path


def make(invoke: Any, config: Path, *extra: str, fmt: str = "fhir") -> bytes:
    result = invoke(*SHEET, *WHEN, "--config", str(config), "-f", fmt, "-o", "-", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def test_the_bundle_is_valid_r4_and_us_core(invoke, config):
    bundle = check_bundle(make(invoke, config, "--flag", "sedation", "--hold", "clopidogrel=7d"))
    assert bundle["type"] == "collection"
    document = by_type(bundle)["DocumentReference"]
    assert document["docStatus"] == "final"
    assert document["context"]["period"] == {"start": "2027-03-15T09:30:00-04:00"}
    assert document["description"].startswith("procguide ")
    assert "content " in document["description"]  # the stamp, with the content's hash


def test_the_schema_check_can_fail(invoke, config):
    good = make(invoke, config)
    assert schema_errors(json.loads(good)) == []
    wrong_code = json.loads(good)
    wrong_code["entry"][0]["resource"]["status"] = "draft-ish"
    unknown_element = json.loads(good)
    unknown_element["entry"][1]["resource"]["activity"][0]["detail"]["when"] = "soon"
    no_zone = json.loads(good)
    no_zone["entry"][0]["resource"]["date"] = "2027-03-15T09:30:00"
    for broken in (wrong_code, unknown_element, no_zone):
        assert schema_errors(broken)


def test_the_sheet_inside_is_the_same_pdf_and_text(invoke, config):
    document = by_type(json.loads(make(invoke, config)))["DocumentReference"]
    pdf = attachment(document, "application/pdf")
    text = attachment(document, "text/plain; charset=utf-8")
    assert pdf == make(invoke, config, fmt="pdf")
    assert text == make(invoke, config, fmt="text")
    for content in document["content"]:
        data = attachment(document, content["attachment"]["contentType"])
        sha1 = hashlib.sha1(data).digest()
        assert content["attachment"]["hash"] == base64.b64encode(sha1).decode()
        assert content["attachment"]["language"] == "en"


def test_the_same_inputs_give_the_same_bundle_and_a_resend_updates_it(invoke, config):
    first = make(invoke, config)
    assert make(invoke, config) == first
    changed = make(invoke, config, "--hold", "clopidogrel=5d", "--clinician", "Dr Rivera")
    assert changed != first
    ids = {t: r["id"] for t, r in by_type(json.loads(first)).items()}
    # A corrected sheet for the same appointment is the same document, not a second one.
    assert {t: r["id"] for t, r in by_type(json.loads(changed)).items()} == ids
    moved = invoke(
        *SHEET,
        "--date",
        "2027-03-16",
        "--time",
        "09:30",
        "--config",
        str(config),
        "-f",
        "fhir",
        "-o",
        "-",
    )
    moved_ids = {t: r["id"] for t, r in by_type(json.loads(moved.stdout_bytes)).items()}
    assert moved_ids["Patient"] == ids["Patient"]
    assert moved_ids["DocumentReference"] != ids["DocumentReference"]


def test_patient_has_the_record_number_and_the_name_only_when_given(invoke, config):
    patient = by_type(json.loads(make(invoke, config)))["Patient"]
    assert patient["identifier"][0]["system"] == MRN_SYSTEM
    assert patient["identifier"][0]["value"] == "MRN-0001"
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    assert patient["name"] == [{"text": "Jane Doe"}]
    nameless = invoke(
        "handout",
        "blood-patch",
        "--mrn",
        "MRN-0001",
        *WHEN,
        "--config",
        str(config),
        "-f",
        "fhir",
        "-o",
        "-",
    )
    assert "name" not in by_type(check_bundle(nameless.stdout_bytes))["Patient"]


def _activities(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["detail"] for a in by_type(bundle)["CarePlan"]["activity"]]


def test_every_timed_item_has_the_handouts_absolute_time(invoke, config):
    extra = ("--flag", "sedation", "--hold", "clopidogrel=7d")
    bundle = json.loads(make(invoke, config, *extra))
    document = json.loads(make(invoke, config, *extra, fmt="json"))
    details = {d["description"]: d for d in _activities(bundle)}
    for item in document["preparation"]:
        detail = details[item["text"]]
        if item["kind"] == "hold":
            continue
        if item["due"] and item["due"]["at"]:
            assert detail["status"] == "scheduled"
            assert detail["scheduledTiming"] == {"event": [item["due"]["at"]]}
        else:
            assert detail["status"] == "not-started" and "scheduledTiming" not in detail
    fasting = details[
        next(i["text"] for i in document["preparation"] if i["due"] and i["due"]["offset"] == "8h")
    ]
    assert fasting["scheduledTiming"]["event"] == ["2027-03-15T01:30:00-04:00"]
    for item in document["restrictions"]:
        if item["until"]:
            period = details[item["text"]]["scheduledPeriod"]
            assert period == {"start": "2027-03-15", "end": item["until"]["date"]}


def test_the_night_the_clocks_change_keeps_the_right_offsets(invoke, config):
    # Clocks go forward at 02:00 on Sun 14 Mar 2027 in New York: 8 hours before 09:30 EDT
    # is 00:30 EST, the day before's offset.
    result = invoke(
        *SHEET,
        "--date",
        "2027-03-14",
        "--time",
        "09:30",
        "--flag",
        "sedation",
        "--config",
        str(config),
        "-f",
        "fhir",
        "-o",
        "-",
    )
    bundle = check_bundle(result.stdout_bytes)
    events = [e for d in _activities(bundle) for e in d.get("scheduledTiming", {}).get("event", [])]
    assert "2027-03-14T00:30:00-05:00" in events
    assert by_type(bundle)["DocumentReference"]["context"]["period"]["start"] == (
        "2027-03-14T09:30:00-04:00"
    )


def test_a_hold_is_a_do_not_perform_medicine_from_the_first_day_without_it(invoke, config):
    bundle = check_bundle(make(invoke, config, "--hold", "clopidogrel=7d"))
    (hold,) = [d for d in _activities(bundle) if d.get("doNotPerform")]
    assert hold["kind"] == "MedicationRequest"
    assert hold["productCodeableConcept"] == {"text": "clopidogrel"}
    # Last dose on Sun 7 Mar: the first day without it is Mon 8 Mar; no restart, no end.
    assert hold["scheduledPeriod"] == {"start": "2027-03-08"}
    restarted = check_bundle(
        make(invoke, config, "--hold", "clopidogrel=7d", "--restart", "clopidogrel=2d")
    )
    (hold,) = [d for d in _activities(restarted) if d.get("doNotPerform")]
    assert hold["scheduledPeriod"] == {"start": "2027-03-08", "end": "2027-03-16"}


def test_the_going_home_plan_has_the_restart_and_no_preparation(invoke, config):
    extra = ("--kind", "discharge", "--hold", "clopidogrel=7d", "--restart", "clopidogrel=1d")
    bundle = check_bundle(make(invoke, config, *extra))
    details = _activities(bundle)
    assert not any(d.get("doNotPerform") for d in details)
    (restart,) = [d for d in details if d.get("kind") == "MedicationRequest"]
    assert restart["scheduledPeriod"] == {"start": "2027-03-16"}
    assert "Stop eating" not in by_type(bundle)["CarePlan"]["text"]["div"]


def test_the_narrative_is_well_formed_xhtml_and_text_stays_text(invoke, config):
    hostile = '<script>alert("x")</script> & Co'
    result = invoke(
        "handout",
        "blood-patch",
        "--patient",
        hostile,
        "--clinician",
        hostile,
        "--mrn",
        "MRN-1",
        *WHEN,
        "--config",
        str(config),
        "-f",
        "fhir",
        "-o",
        "-",
    )
    bundle = check_bundle(result.stdout_bytes)
    for resource in by_type(bundle).values():
        div = ET.fromstring(resource["text"]["div"])
        assert div.tag == "{http://www.w3.org/1999/xhtml}div"
        assert not div.findall(".//{http://www.w3.org/1999/xhtml}script")
    patient = ET.fromstring(by_type(bundle)["Patient"]["text"]["div"])
    assert hostile in "".join(patient.itertext())
    assert by_type(bundle)["CarePlan"]["author"] == {"type": "Practitioner", "display": hostile}


def test_spanish_sheet_is_spanish_throughout(invoke, config):
    bundle = check_bundle(make(invoke, config, "--lang", "es"))
    resources = by_type(bundle)
    assert resources["DocumentReference"]["language"] == "es"
    assert {c["attachment"]["language"] for c in resources["DocumentReference"]["content"]} == {
        "es"
    }
    assert "Antes de su procedimiento" in resources["CarePlan"]["text"]["div"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mrn", "M1"], "--date: FHIR output needs the procedure date and time"),
        (WHEN, "--mrn: FHIR output needs the patient's medical record number"),
    ],
)
def test_what_the_chart_cannot_file_is_refused(invoke, config, tmp_path, args, message):
    out = tmp_path / "x.fhir.json"
    result = invoke("handout", "blood-patch", *args, "--config", str(config), "-o", str(out))
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert not out.exists()


def test_without_the_clinics_record_system_fhir_is_refused(invoke, clinic_config):
    result = invoke(*SHEET, *WHEN, "--config", str(clinic_config), "-f", "fhir", "-o", "-")
    assert result.exit_code == ExitCode.USAGE
    assert "FHIR output needs clinic.mrn_system in the config" in result.stderr


def test_other_views_are_refused(invoke, config):
    result = invoke("prep", "blood-patch", *WHEN, "--config", str(config), "-f", "fhir")
    assert result.exit_code == ExitCode.USAGE
    assert "no FHIR export of the prep view" in result.stderr


def test_a_fhir_json_file_name_chooses_fhir(invoke, config, tmp_path):
    out = tmp_path / "jane.fhir.json"
    result = invoke(*SHEET, *WHEN, "--config", str(config), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    check_bundle(out.read_bytes())
    plain = tmp_path / "jane.json"
    invoke(*SHEET, *WHEN, "--config", str(config), "-o", str(plain))
    assert json.loads(plain.read_text())["format"] == "procguide-document/1"


def test_a_batch_writes_one_bundle_per_row_and_needs_each_rows_record_number(
    invoke, config, tmp_path
):
    roster = tmp_path / "day.csv"
    roster.write_text(
        "procedure,patient,date,time,mrn\n"
        "blood-patch,Jane Doe,2027-03-15,09:30,MRN-0001\n"
        "blood-patch,Ali Khan,2027-03-15,10:30,\n",
        encoding="utf-8",
    )
    result = invoke(
        "batch",
        str(roster),
        "--out",
        str(tmp_path / "out"),
        "-f",
        "fhir,pdf",
        "--jobs",
        "1",
        "--config",
        str(config),
    )
    assert result.exit_code == ExitCode.PARTIAL
    assert (
        "row 2 (line 3): the mrn column: FHIR output needs the patient's medical record number"
        in result.stderr
    )
    assert "Ali" not in result.stderr
    made = tmp_path / "out" / "2027-03-15_blood-patch_Jane-Doe.fhir.json"
    document = by_type(check_bundle(made.read_bytes()))["DocumentReference"]
    assert (
        attachment(document, "application/pdf")
        == made.with_name("2027-03-15_blood-patch_Jane-Doe.pdf").read_bytes()
    )


def test_a_batch_without_the_record_system_stops_before_it_starts(invoke, clinic_config, tmp_path):
    roster = tmp_path / "day.csv"
    roster.write_text("procedure,patient,date,time,mrn\nebp,J,2027-03-15,09:30,M1\n")
    out = tmp_path / "out"
    result = invoke(
        "batch", str(roster), "--out", str(out), "-f", "fhir", "--config", str(clinic_config)
    )
    assert result.exit_code == ExitCode.USAGE
    assert "--format: FHIR output needs clinic.mrn_system" in result.stderr
    assert not out.exists()


def test_other_formats_never_load_the_fhir_writer():
    code = (
        "import runpy, sys\n"
        "sys.argv = ['procguide', 'handout', 'blood-patch', '--format', 'text']\n"
        "try:\n    runpy.run_module('procguide', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print([m for m in ('procguide.render.fhir', 'jsonschema', 'hl7') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.rstrip().endswith("[]")
