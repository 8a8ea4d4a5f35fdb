"""procguide record: what the nurse ticked becomes one whole JSON line, checked against the sheet,
valid against its published schema, and a FHIR R4 Procedure for the chart."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from procguide.errors import ExitCode, OutputError

SCHEMAS = Path(__file__).parent / "schemas"
PATIENT = ("--patient-id", "MRN-1001", "--patient-id-system", "urn:oid:1.2.840.114350")
SHEET = {
    "--learner": ["patient", "escort"],
    "--interpreter": ["no"],
    "--barrier": ["sedation"],
    "--method": ["teach-back", "written"],
    "--result": ["get-help=correct", "activity=retaught", "sedation=correct"],
    "--response": ["understood"],
    "--nurse": ["Sam Lee, RN"],
    "--time": ["2026-12-01T11:40"],
}
"""What a nurse ticked on the blood-patch sheet made with sedation."""


def ticked(**changes: list[str]) -> list[str]:
    """The options of ``SHEET``, with some replaced (``result=[...]``) or left out (``[]``)."""
    given = {**SHEET, **{f"--{k.replace('_', '-')}": v for k, v in changes.items()}}
    return [
        part for option, values in given.items() for value in values for part in (option, value)
    ]


TICKED = tuple(ticked())
HANDOUT = "urn:uuid:0b0f6a8e-5f59-5a4b-9a1c-3f2e1d0c9b8a"


@pytest.fixture
def clinic(tmp_path):
    path = tmp_path / "clinic.yaml"
    path.write_text("clinic:\n  timezone: America/New_York\n", encoding="utf-8")
    return path


def record(invoke, clinic, *args, to="teaching.jsonl"):
    return invoke("record", *args, "--config", str(clinic), "--to", str(to))


def lines(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def schema_errors(instance, schema) -> list[str]:
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def record_schema(invoke) -> dict:
    result = invoke("schema", "record")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- a record round-trips -----------------------------------------------------------------------


def test_a_record_is_written_read_back_valid_and_a_fhir_procedure(invoke, clinic, tmp_path):
    result = record(
        invoke, clinic, "ebp", *PATIENT, "--flag", "sedation", *TICKED,
        "--handout-id", HANDOUT, "--fhir", str(tmp_path / "procedure.json"),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (
        f"record: 1 teaching event added to teaching.jsonl; FHIR in {tmp_path / 'procedure.json'}"
    )
    [line] = lines("teaching.jsonl")
    assert schema_errors(line, record_schema(invoke)) == []
    from procguide.record.store import read_records

    [read] = read_records(Path("teaching.jsonl"))
    assert read.model_dump(mode="json") == line
    assert line["time"] == "2026-12-01T11:40:00-05:00"  # the clinic's zone, in December
    assert [(q["id"], q["result"]) for q in line["questions"]] == [
        ("get-help", "correct"), ("activity", "retaught"), ("sedation", "correct"),
    ]  # fmt: skip
    assert "leg-weakness" in line["questions"][0]["checks"]
    sheet = json.loads(invoke("handout", "ebp", "--kind", "teach-back", "--flag", "sedation",
                              "-f", "json").stdout)  # fmt: skip
    assert line["content_sha256"] == sheet["stamp"]["content_sha256"]

    bundle = json.loads((tmp_path / "procedure.json").read_text(encoding="utf-8"))
    [entry] = bundle["entry"]
    procedure = entry["resource"]
    fhir_schema = json.loads((SCHEMAS / "fhir-r4-procedure.schema.json").read_text("utf-8"))
    assert schema_errors(procedure, fhir_schema) == []
    assert procedure["status"] == "completed"
    assert procedure["category"]["coding"] == [
        {"system": "http://snomed.info/sct", "code": "311401005", "display": "Patient education"}
    ]
    assert procedure["subject"] == {
        "identifier": {"system": "urn:oid:1.2.840.114350", "value": "MRN-1001"}
    }
    assert procedure["performedDateTime"] == line["time"]
    assert procedure["performer"] == [{"actor": {"display": "Sam Lee, RN"}}]
    assert procedure["report"] == [
        {
            "type": "DocumentReference",
            "identifier": {"system": "urn:ietf:rfc:3986", "value": HANDOUT},
        }
    ]
    assert procedure["outcome"]["text"] == "Understood every key point"
    assert (
        "Question activity (checks no-driving, rest-first-day, no-lifting): taught again, "
        "then correct." in [n["text"] for n in procedure["note"]]
    )
    assert entry["fullUrl"] == f"urn:uuid:{procedure['id']}"


def test_the_same_record_gives_the_same_fhir_ids(invoke, clinic, tmp_path):
    args = ("ebp", *PATIENT, "--flag", "sedation", *TICKED, "--handout-id", HANDOUT)
    record(invoke, clinic, *args, "--fhir", str(tmp_path / "a.json"))
    record(invoke, clinic, *args, "--fhir", str(tmp_path / "b.json"))

    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_fhir_output_needs_the_identifier_system_and_the_handout(invoke, clinic, tmp_path):
    out = tmp_path / "procedure.json"
    no_handout = record(invoke, clinic, "ebp", *PATIENT, "--flag", "sedation", *TICKED,
                        "--fhir", str(out))  # fmt: skip
    no_system = record(invoke, clinic, "ebp", "--patient-id", "MRN-1001", "--flag", "sedation",
                       *TICKED, "--handout-id", HANDOUT, "--fhir", str(out))  # fmt: skip

    assert no_handout.exit_code == no_system.exit_code == ExitCode.USAGE
    assert no_handout.stderr.startswith("error: --handout-id: FHIR output needs the identifier")
    assert no_system.stderr.startswith("error: --patient-id-system: FHIR output needs the system")
    assert not out.exists() and not Path("teaching.jsonl").exists()  # nothing half done


def test_a_spanish_teaching_records_both_hashes(invoke, clinic):
    result = record(
        invoke, clinic, "ebp", "--lang", "es", *PATIENT, "--flag", "sedation",
        *ticked(interpreter=["es"]),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    [line] = lines("teaching.jsonl")
    assert line["language"] == "es" and len(line["translation_sha256"]) == 64
    assert line["interpreter"] == {"used": True, "language": "es"}


def test_records_from_a_json_file_and_a_csv_file_are_appended_in_order(invoke, clinic, tmp_path):
    event = {
        "procedure": "nerve-block", "patient_id": "MRN-2", "learners": ["patient"],
        "interpreter": "no", "barriers": ["none"], "methods": ["teach-back"],
        "results": {"get-help": "correct", "activity": "correct"},
        "response": "understood", "nurse": "Ana Ruiz, RN", "time": "2026-12-01T14:05-05:00",
    }  # fmt: skip
    (tmp_path / "one.json").write_text(json.dumps(event), encoding="utf-8")
    (tmp_path / "day.csv").write_text(
        "procedure,patient_id,flags,learners,interpreter,barriers,methods,results,response,nurse,time\n"
        "tpi,MRN-3,,patient,no,none,teach-back;written,get-help=correct;at-home=retaught,"
        "understood,Ana Ruiz,2026-12-01T15:00\n"
        "ebp,MRN-4,sedation,patient;escort,es,sedation;language,teach-back,"
        "get-help=not-achieved;activity=correct;sedation=correct,not-achieved,Ana Ruiz,"
        "2026-12-01T16:30\n",
        encoding="utf-8",
    )
    first = record(invoke, clinic, "--from", str(tmp_path / "one.json"))
    second = record(invoke, clinic, "--from", str(tmp_path / "day.csv"))

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert second.stderr.strip() == "record: 2 teaching events added to teaching.jsonl"
    found = lines("teaching.jsonl")
    assert [(r["patient"]["id"], r["procedure"]) for r in found] == [
        ("MRN-2", "nerve-block"), ("MRN-3", "trigger-point-injection"), ("MRN-4", "blood-patch"),
    ]  # fmt: skip
    assert found[0]["time"] == "2026-12-01T14:05:00-05:00"
    assert found[2]["flags"] == ["sedation"] and found[2]["barriers"] == ["sedation", "language"]


def test_to_standard_output(invoke, clinic):
    result = invoke(
        "record", "ebp", *PATIENT, *ticked(result=["get-help=correct", "activity=correct"]),
        "--config", str(clinic), "--to", "-",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["procedure"] == "blood-patch"


# --- bad input: one line naming the field, exit 2, no patient value, nothing written ------------

BASE = ("ebp", "--patient-id", "Jane Secret 1001", "--flag", "sedation")


RESULTS = ["get-help=correct", "activity=retaught", "sedation=correct"]


@pytest.mark.parametrize(
    ("option", "values", "message"),
    [
        ("result", [*RESULTS, "get-help=correct"], "--result: gives the question 'get-help' twice"),
        ("result", [*RESULTS, "get-hlep=correct"], "--result: 'get-hlep' is not a question of "
         "this sheet (its questions: get-help, activity, sedation)"),
        ("result", [*RESULTS, "maria=correct"], "--result: a question given is not a question "
         "of this sheet"),
        ("result", ["get-help=correct", "activity=corect", "sedation=correct"],
         "--result: 'corect' is not one of correct, retaught, not-achieved"),
        ("response", ["jane"], "--response: a value is not one of understood, needs-teaching, "
         "not-achieved"),
        ("learner", ["Jane Secret"], "--learner: a value is not one of patient, escort"),
        ("barrier", ["none", "pain"], "--barrier: gives 'none' and a barrier too (give none alone)"),
        ("interpreter", ["Jane"], "--interpreter: is not no or a language code"),
        ("content", ["0123456789ab"], "--content: is not the content of this procedure now"),
    ],
)  # fmt: skip
def test_a_wrong_value_is_one_line_naming_the_option(invoke, clinic, option, values, message):
    result = record(invoke, clinic, *BASE, *ticked(**{option: values}))

    assert result.exit_code == ExitCode.USAGE
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {message}"), line
    assert "Secret" not in result.stderr
    assert not Path("teaching.jsonl").exists()


def test_a_missing_result_and_an_understood_that_was_not_achieved(invoke, clinic):
    missing = record(
        invoke, clinic, *BASE, *ticked(result=["get-help=correct", "activity=correct"])
    )
    not_achieved = record(
        invoke, clinic, *BASE,
        *ticked(result=["get-help=correct", "activity=not-achieved", "sedation=correct"]),
    )  # fmt: skip

    assert missing.exit_code == not_achieved.exit_code == ExitCode.USAGE
    assert missing.stderr.startswith("error: --result: no result for the question 'sedation'")
    assert not_achieved.stderr.startswith(
        "error: --response: is understood, but the question 'activity' was not achieved"
    )


@pytest.mark.parametrize(
    ("drop", "option"),
    [("--nurse", "--nurse"), ("--time", "--time"), ("--method", "--method")],
)
def test_a_missing_field_names_its_option(invoke, clinic, drop, option):
    result = record(invoke, clinic, *BASE, *ticked(**{drop[2:]: []}))

    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [f"error: {option}: is required but missing"]


@pytest.mark.parametrize(
    ("time", "words"),
    [
        ("01/12/2026 11:40", "is not a date and time (write YYYY-MM-DDTHH:MM"),
        ("2026-02-30T11:40", "is not a real date"),
        ("2026-03-08T02:30", "does not exist: the clocks go forward then"),
    ],
)
def test_a_time_that_is_not_one_is_refused(invoke, clinic, time, words):
    result = record(invoke, clinic, *BASE, *ticked(time=[time]))

    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith("error: --time: ") and words in result.stderr


def test_a_file_names_the_key_or_column_and_where(invoke, clinic, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"procedure": "ebp"}]), encoding="utf-8")
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "procedure,patient_id,learners,interpreter,barriers,methods,results,response,nurse,time\n"
        "tpi,MRN-3,patient,no,none,teach-back,get-help=correct;at-home=correct,understood,A,"
        "2026-12-01T15:00\n"
        "tpi,Jane Secret,patient,no,none,teach-back,get-help=correct,understood,A,2026-12-01T15:00\n",
        encoding="utf-8",
    )
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("procedure,patinet_id\nebp,1\n", encoding="utf-8")
    json_result = record(invoke, clinic, "--from", str(bad))
    csv_result = record(invoke, clinic, "--from", str(csv_file))
    column = record(invoke, clinic, "--from", str(unknown))

    assert json_result.stderr.splitlines() == [
        f"error: {bad}: item 1: patient_id: is required but missing"
    ]
    assert csv_result.stderr.splitlines() == [
        f"error: {csv_file}: row 2 (line 3): the results column: no result for the question "
        "'at-home' (give every question on the sheet a result: get-help, at-home)"
    ]
    assert column.stderr.startswith(f"error: --from: {unknown}: a column is not a field")
    assert "Secret" not in csv_result.stderr
    assert not Path("teaching.jsonl").exists()  # row 1 was good, and is not written either


def test_options_and_a_file_are_not_both_taken(invoke, clinic, tmp_path):
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    result = record(invoke, clinic, "ebp", "--from", str(tmp_path / "x.json"))

    assert result.exit_code == ExitCode.USAGE
    assert "give the teaching in the file or as options, not both" in result.stderr


# --- the file: whole lines or none ----------------------------------------------------------------


def test_a_new_record_file_is_private_and_an_existing_one_keeps_its_mode(invoke, clinic):
    path = Path("teaching.jsonl")
    record(invoke, clinic, "ebp", *PATIENT, "--flag", "sedation", *TICKED)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o640)
    record(invoke, clinic, "ebp", *PATIENT, "--flag", "sedation", *TICKED)

    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert len(lines("teaching.jsonl")) == 2


def test_a_file_whose_last_line_was_cut_short_is_not_added_to(invoke, clinic):
    Path("teaching.jsonl").write_text('{"format": "procguide-teaching-rec', encoding="utf-8")
    result = record(invoke, clinic, "ebp", *PATIENT, "--flag", "sedation", *TICKED)

    assert result.exit_code == ExitCode.OUTPUT
    assert "its last line is not whole" in result.stderr
    assert (
        Path("teaching.jsonl").read_text(encoding="utf-8") == '{"format": "procguide-teaching-rec'
    )


def test_a_write_that_fails_part_way_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    from procguide.record import store

    path = tmp_path / "teaching.jsonl"
    path.write_text('{"a": 1}\n', encoding="utf-8")
    real_write = os.write
    calls = []

    def full_disk(fd, data):
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))  # part of it, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "write", full_disk)
    with pytest.raises(OutputError, match="the disk is full"):
        store.append_lines(path, ['{"b": 2}', '{"c": 3}'])

    assert path.read_text(encoding="utf-8") == '{"a": 1}\n'


def test_two_writers_at_once_never_interleave_their_lines(tmp_path):
    path = tmp_path / "teaching.jsonl"
    script = (
        "import sys; from pathlib import Path; from procguide.record.store import append_lines\n"
        "for n in range(200):\n"
        '    append_lines(Path(sys.argv[1]), [\'{"w": %s, "n": %d, "pad": "%s"}\' '
        "% (sys.argv[2], n, 'x' * 3000)])\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", script, str(path), str(w)]) for w in (1, 2)]
    assert all(w.wait(timeout=120) == 0 for w in writers)
    found = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    assert len(found) == 400
    assert sorted((r["w"], r["n"]) for r in found) == [(w, n) for w in (1, 2) for n in range(200)]


def test_reading_back_names_the_line_and_field_of_a_bad_record(tmp_path):
    from procguide.errors import ContentError
    from procguide.record.store import read_records

    path = tmp_path / "teaching.jsonl"
    path.write_text('{"format": "procguide-teaching-record/1"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_records(path)
    found = caught.value.lines()

    assert f"{path}:1: procguide: missing" in found
    assert f"{path}:2: is not JSON" in found


# --- the schema, as the README shows it --------------------------------------------------------


def test_the_schema_is_json_schema_and_the_readme_shows_it(invoke):
    schema = record_schema(invoke)
    jsonschema.Draft202012Validator.check_schema(schema)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- record-schema -->", 2)[1].split("```json\n", 1)[1].split("```")[0]

    assert json.loads(shown) == schema
    assert schema["title"] == "procguide teaching record"
    assert set(schema["required"]) >= {"patient", "procedure", "content_sha256", "questions"}
