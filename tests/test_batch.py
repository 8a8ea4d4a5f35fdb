"""procguide batch: rosters in, one file per row and format out, a manifest that matches."""

from __future__ import annotations

import hashlib
import json
import os
import signal
from pathlib import Path

import pytest

from procguide.batch import filenames, roster
from procguide.content.library import Library
from procguide.errors import ExitCode

HEADER = "procedure,patient,date,time,clinician,flags,holds,note\n"
GOOD = [
    "blood-patch,Jane Doe,2027-03-01,09:30,Dr Rivera,sedation,clopidogrel=7d,\n",
    "epidural-steroid-injection,Ali Khan,2027-03-01,10:00,,,,Bring your scans\n",
    "blood-patch,Sam Lee,2027-03-02,11:15,,,,\n",
]


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != "manifest.jsonl"}


def batch(invoke, roster_path, out="out", *extra, input=None):
    return invoke(
        "batch",
        str(roster_path),
        "--out",
        str(out),
        "-f",
        "text",
        "--jobs",
        "1",
        *extra,
        input=input,
    )


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Good rows and every kind of bad one, saved by a spreadsheet with a byte-order mark."""
    rows = [
        GOOD[0],  # 1 ok
        "blood-patch,../../evil,2027-03-01,09:45,,,,\n",  # 2 ok, name made safe
        "\n",  # blank: not a row
        "no-such-thing,Bob Stone,2027-03-01,10:00,,,,\n",  # 3 unknown procedure
        "blood-patch,Jane Doe,2027-03-01,13:00,,,,\n",  # 4 ok, same name as 1
        "blood-patch,Amy Wu,01/02/2027,11:00,,,,\n",  # 5 ambiguous date
        "blood-patch,Amy Wu,2027-03-01,,,,,\n",  # 6 missing time
        "blood-patch,Kim Ode,2027-03-01,12:00,,bogus,,\n",  # 7 unknown flag
        ",,,,,,,\n",  # empty cells: not a row
    ]
    return write(tmp_path / "roster.csv", HEADER + "".join(rows), bom=True)


def test_bad_rows_are_reported_and_every_good_row_is_made(invoke, mixed, tmp_path):
    result = batch(invoke, mixed)
    assert result.exit_code == ExitCode.PARTIAL
    out = tmp_path / "out"
    assert sorted(outputs(out)) == [
        "2027-03-01_blood-patch_Jane-Doe-2.txt",
        "2027-03-01_blood-patch_Jane-Doe.txt",
        "2027-03-01_blood-patch_evil.txt",
    ]
    assert not (tmp_path / "evil.txt").exists()
    # Each patient's own sheet: the duplicate name did not overwrite the first.
    assert "09:30" in (out / "2027-03-01_blood-patch_Jane-Doe.txt").read_text()
    assert "13:00" in (out / "2027-03-01_blood-patch_Jane-Doe-2.txt").read_text()
    assert "row 3 (line 5): the procedure is not in the library" in result.stderr
    assert "row 5 (line 7): the date column: is not a date in YYYY-MM-DD form" in result.stderr
    assert "row 6 (line 8): time is missing" in result.stderr
    assert "row 7 (line 9): the flags column: blood-patch has no flag 'bogus'" in result.stderr
    assert "3 made, 4 failed, 0 skipped of 7 rows" in result.stderr
    for name in ("Jane", "Amy", "Bob", "Kim", "evil", "no-such-thing"):
        assert name not in result.stderr
    assert result.stdout == ""


def test_manifest_lists_every_row_with_hashes_that_match_the_files(invoke, mixed, tmp_path):
    batch(invoke, mixed)
    out = tmp_path / "out"
    records = manifest(out)
    assert [(r["row"], r["line"], r["status"]) for r in records] == [
        (1, 2, "ok"),
        (2, 3, "ok"),
        (3, 5, "failed"),
        (4, 6, "ok"),
        (5, 7, "failed"),
        (6, 8, "failed"),
        (7, 9, "failed"),
    ]
    entry = Library(()).find("blood-patch")
    listed = set()
    for record in records:
        if record["status"] == "ok":
            assert record["procedure"] == "blood-patch"
            assert record["procedure_sha256"] == entry.sha256
            assert record["error"] is None
            for file in record["files"]:
                data = (out / file["path"]).read_bytes()
                assert hashlib.sha256(data).hexdigest() == file["sha256"]
                listed.add(file["path"])
        else:
            assert record["files"] == []
            assert record["error"]
    assert listed == set(outputs(out))


def test_all_rows_made_exits_0_and_twice_gives_the_same_files(invoke, tmp_path):
    path = write(tmp_path / "r.csv", HEADER + "".join(GOOD))
    assert batch(invoke, path, "a").exit_code == ExitCode.OK
    first, first_manifest = outputs(tmp_path / "a"), (tmp_path / "a/manifest.jsonl").read_bytes()
    assert batch(invoke, path, "a").exit_code == ExitCode.OK
    assert outputs(tmp_path / "a") == first
    assert (tmp_path / "a/manifest.jsonl").read_bytes() == first_manifest
    assert len(first) == 3


def test_two_jobs_give_the_same_files_as_one(invoke, tmp_path):
    path = write(tmp_path / "r.csv", HEADER + "".join(GOOD * 3))
    assert batch(invoke, path, "one").exit_code == ExitCode.OK
    two = invoke("batch", str(path), "--out", "two", "-f", "text,json", "--jobs", "2")
    assert two.exit_code == ExitCode.OK, two.stderr
    both = outputs(tmp_path / "two")
    assert {k: v for k, v in both.items() if k.endswith(".txt")} == outputs(tmp_path / "one")
    assert len(both) == 18
    assert [r["row"] for r in manifest(tmp_path / "two")] == list(range(1, 10))


def test_roster_from_standard_input(invoke, tmp_path):
    result = batch(invoke, "-", input=HEADER + GOOD[1])
    assert result.exit_code == ExitCode.OK, result.stderr
    assert list(outputs(tmp_path / "out")) == ["2027-03-01_epidural-steroid-injection_Ali-Khan.txt"]


def test_json_lines_roster(invoke, tmp_path):
    lines = [
        {
            "procedure": "blood-patch",
            "patient": "Jane Doe",
            "date": "2027-03-01",
            "time": "09:30",
            "flags": ["sedation"],
            "holds": ["clopidogrel=7d"],
        },
        {"Procedure": "blood-patch", "patient": "Sam Lee", "date": "2027-03-02", "time": "10:00"},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n\n{broken\n[1]\n"
    path = write(tmp_path / "r.jsonl", text)
    result = invoke("batch", str(path), "--out", "out", "-f", "json", "--jobs", "1")
    assert result.exit_code == ExitCode.PARTIAL
    assert "row 3 (line 4): the line is not valid JSON" in result.stderr
    assert "row 4 (line 5): the item is not an object" in result.stderr
    document = json.loads((tmp_path / "out/2027-03-01_blood-patch_Jane-Doe.json").read_text())
    assert [f["name"] for f in document["flags"]] == ["sedation"]
    assert any(p.get("medicine") == "clopidogrel" for p in document["preparation"])


def test_json_array_roster_read_in_pieces(invoke, tmp_path, monkeypatch):
    monkeypatch.setattr(roster, "_CHUNK", 7)  # items cut across many reads
    items = [
        {
            "procedure": "blood-patch",
            "patient": "Jane Doe",
            "date": "2027-03-01",
            "time": "09:30",
            "flags": "sedation",
            "output": "jane.pdf",
        },
        {"procedure": "blood-patch", "patient": "Sam Lee", "date": "2027-03-02", "time": 930},
    ]
    path = write(tmp_path / "r.json", json.dumps(items, indent=2))
    result = invoke("batch", str(path), "--out", "out", "-f", "json", "--jobs", "1")
    assert result.exit_code == ExitCode.PARTIAL
    assert "row 2 (line 10): time must be text, not a number" in result.stderr
    assert list(outputs(tmp_path / "out")) == ["jane.json"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEADER.replace("note", "diagnosis") + GOOD[0],
            "unknown column(s) in the roster: 'diagnosis'",
        ),
        (HEADER.replace("time,", "") + GOOD[0], "the roster has no 'time' column"),
        (GOOD[0] + GOOD[1], "first line is not a header row"),
        ('[{"procedure": "blood-patch"},', "the roster is not valid JSON"),
        ('{"procedure": "x", "ssn": "1"}\n', "unknown column 'ssn' in the roster (line 1)"),
    ],
)
def test_a_roster_that_cannot_be_read_stops_before_anything_is_written(
    invoke, tmp_path, text, message
):
    result = batch(invoke, write(tmp_path / "r.csv", text))
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr
    assert "Jane" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_column_error_lists_the_valid_ones(invoke, tmp_path):
    result = batch(invoke, write(tmp_path / "r.csv", "procedure,patient,date,time,room\n"))
    assert (
        "valid columns: procedure, patient, date, time, clinician, flags, no_flags, holds, restarts, "
        "note, output, lang, mrn, activity, bring_back" in result.stderr
    )


@pytest.mark.parametrize(
    "options",
    [
        ["-f", "terminal"],
        ["--kind", "later"],
        ["--lang", "fr"],
        ["--paper", "a3"],
        ["--name", "{date}/{patient}"],
        ["--name", "{mrn}"],
        ["--encoding", "klingon"],
    ],
)
def test_bad_options_exit_2(invoke, tmp_path, options):
    path = write(tmp_path / "r.csv", HEADER + GOOD[0])
    assert batch(invoke, path, "out", *options).exit_code == ExitCode.USAGE


def test_missing_roster_exits_2(invoke):
    result = batch(invoke, "nowhere.csv")
    assert result.exit_code == ExitCode.USAGE
    assert "roster not found" in result.stderr


def test_wrong_encoding_is_explained(invoke, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes((HEADER + "blood-patch,José Núñez,2027-03-01,09:30,,,,\n").encode("cp1252"))
    result = batch(invoke, path)
    assert result.exit_code == ExitCode.USAGE
    assert "--encoding" in result.stderr
    assert batch(invoke, path, "out", "--encoding", "cp1252").exit_code == ExitCode.OK
    assert "José Núñez" in (tmp_path / "out/2027-03-01_blood-patch_José-Núñez.txt").read_text()


def test_semicolon_separated_csv_as_some_spreadsheets_save_it(invoke, tmp_path):
    text = "procedure;patient;date;time;flags\nblood-patch;Jane Doe;2027-03-01;09:30;sedation\n"
    result = batch(invoke, write(tmp_path / "r.csv", text))
    assert result.exit_code == ExitCode.OK, result.stderr


def test_nul_bytes_and_overlong_fields_are_row_errors(invoke, tmp_path):
    rows = [
        "blood-patch,Jane\x00Doe,2027-03-01,09:30,,,,\n",
        f"blood-patch,Sam Lee,2027-03-01,09:30,,,,{'x' * 600}\n",
        f"blood-patch,Ann Bee,2027-03-01,09:30,,,,{'y' * 200_000}\n",
        GOOD[0],
    ]
    result = batch(invoke, write(tmp_path / "r.csv", HEADER + "".join(rows)))
    assert result.exit_code == ExitCode.PARTIAL
    assert (
        "row 1 (line 2): the patient column: contains an invisible control character (U+0000)"
        in result.stderr
    )
    assert "row 2 (line 3): the note column: is longer than 500 characters" in result.stderr
    assert "row 3 (line 4): the row cannot be read: field larger than field limit" in result.stderr
    assert [r["status"] for r in manifest(tmp_path / "out")] == ["failed"] * 3 + ["ok"]


def test_name_pattern_output_column_and_unsafe_names(invoke, tmp_path):
    text = (
        "procedure,patient,date,time,output\n"
        "blood-patch,CON,2027-03-01,09:30,\n"
        "blood-patch,=HYPERLINK(x),2027-03-01,09:30,\n"
        "blood-patch,jane,2027-03-01,09:30,\n"
        "blood-patch,JANE,2027-03-01,09:30,\n"
        "blood-patch,Ann,2027-03-01,09:30,../notes.txt\n"
    )
    result = batch(invoke, write(tmp_path / "r.csv", text), "out", "--name", "{patient}")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert list(outputs(tmp_path / "out")) == [
        "CON_.txt",
        "HYPERLINK(x).txt",
        "JANE-2.txt",
        "jane.txt",
        "notes.txt",
    ]


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        ("nul.txt", "nul.txt_"),
        ("COM1", "COM1_"),
        ("-rf", "rf"),
        ("@SUM(A1)", "SUM(A1)"),
        ("..", "row-9"),
        ("Tab\there\x07", "Tab-here"),
        ("é" * 100, "é" * 60),
    ],
)
def test_safe_name(value, name):
    assert filenames.safe_name(value, 9) == name


def test_failed_row_leaves_no_out_of_date_file(invoke, tmp_path):
    path = write(tmp_path / "r.csv", HEADER + GOOD[0])
    batch(invoke, path)
    sheet = tmp_path / "out/2027-03-01_blood-patch_Jane-Doe.txt"
    assert sheet.exists()
    write(path, HEADER + GOOD[0].replace("sedation", "bogus"))
    assert batch(invoke, path).exit_code == ExitCode.PARTIAL
    assert not sheet.exists()


def test_resume_after_a_batch_interrupted_part_way(invoke, tmp_path, monkeypatch):
    path = write(tmp_path / "r.csv", HEADER + "".join(GOOD) + GOOD[0].replace("09:30", "15:00"))
    assert batch(invoke, path, "clean").exit_code == ExitCode.OK

    from procguide.render import formats as produce

    real, calls = produce.encode, []

    def stop_at_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(produce, "encode", stop_at_third)
    result = batch(invoke, path)
    assert result.exit_code == ExitCode.INTERRUPTED
    assert "--resume" in result.stderr
    out = tmp_path / "out"
    records = manifest(out)
    assert [r["row"] for r in records] == [1, 2]
    assert {f["path"] for r in records for f in r["files"]} == set(outputs(out))
    assert not list(out.glob(".*.part"))

    monkeypatch.setattr(produce, "encode", real)
    result = batch(invoke, path, "out", "--resume")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert [r["status"] for r in manifest(out)] == ["skipped", "skipped", "ok", "ok"]
    assert outputs(out) == outputs(tmp_path / "clean")


def test_resume_redoes_rows_whose_files_or_inputs_changed(invoke, tmp_path):
    path = write(tmp_path / "r.csv", HEADER + "".join(GOOD))
    batch(invoke, path)
    out = tmp_path / "out"
    names = [r["files"][0]["path"] for r in manifest(out)]
    (out / names[0]).unlink()
    (out / names[1]).write_text("edited by hand")
    write(path, HEADER + GOOD[0] + GOOD[1] + GOOD[2].replace("11:15", "12:15"))
    result = batch(invoke, path, "out", "--resume")
    assert result.exit_code == ExitCode.OK
    assert [r["status"] for r in manifest(out)] == ["ok", "ok", "ok"]
    assert "12:15" in (out / names[2]).read_text()
    assert batch(invoke, path, "out", "--resume").exit_code == ExitCode.OK
    assert [r["status"] for r in manifest(out)] == ["skipped"] * 3


def test_resume_after_the_manifest_was_cut_short(invoke, tmp_path):
    path = write(tmp_path / "r.csv", HEADER + "".join(GOOD))
    batch(invoke, path)
    out = tmp_path / "out"
    text = (out / "manifest.jsonl").read_text()
    (out / "manifest.jsonl").write_text(text[: text.index("\n") + 40])  # a line cut mid-way
    result = batch(invoke, path, "out", "--resume")
    assert result.exit_code == ExitCode.OK
    assert [r["status"] for r in manifest(out)] == ["skipped", "ok", "ok"]


def test_first_ctrl_c_finishes_the_row_in_hand_then_stops(invoke, tmp_path, monkeypatch):
    path = write(tmp_path / "r.csv", HEADER + "".join(GOOD))
    from procguide.render import formats as produce

    real = produce.encode

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(produce, "encode", interrupted)
    result = batch(invoke, path)
    assert result.exit_code == ExitCode.INTERRUPTED
    records = manifest(tmp_path / "out")
    assert [(r["row"], r["status"]) for r in records] == [(1, "ok")]
    assert set(outputs(tmp_path / "out")) == {records[0]["files"][0]["path"]}
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_file_that_cannot_be_written_fails_its_row_without_naming_the_patient(invoke, tmp_path):
    path = write(tmp_path / "r.csv", HEADER + GOOD[0] + GOOD[2])
    (tmp_path / "out/2027-03-01_blood-patch_Jane-Doe.txt").mkdir(parents=True)
    result = batch(invoke, path)
    assert result.exit_code == ExitCode.PARTIAL
    assert "row 1 (line 2): cannot write the text file: it is a folder" in result.stderr
    assert "Jane" not in result.stderr
    assert [r["status"] for r in manifest(tmp_path / "out")] == ["failed", "ok"]


def test_a_roster_with_only_a_header_makes_nothing_and_succeeds(invoke, tmp_path):
    result = batch(invoke, write(tmp_path / "r.csv", HEADER))
    assert result.exit_code == ExitCode.OK
    assert "0 made, 0 failed, 0 skipped of 0 rows" in result.stderr
    assert manifest(tmp_path / "out") == []


def test_each_row_in_its_own_language(invoke, tmp_path):
    path = write(
        tmp_path / "langs.csv",
        "procedure,patient,date,time,lang\n"
        "blood-patch,María López,2027-03-01,09:30,es\n"
        "esi,Ann Lee,2027-03-01,10:30,\n"
        "nerve-block,Bo Li,2027-03-01,11:00,fr\n",
    )
    result = batch(invoke, path, tmp_path / "out")
    assert result.exit_code == ExitCode.PARTIAL, result.output
    rows = manifest(tmp_path / "out")
    assert [r["status"] for r in rows] == ["ok", "ok", "failed"]
    assert rows[2]["error"] == "nerve-block has no translation into 'fr' (available: en, es)"
    spanish = (tmp_path / "out" / rows[0]["files"][0]["path"]).read_text(encoding="utf-8")
    assert "PARCHE DE SANGRE EPIDURAL" in spanish and "1 de marzo de 2027" in spanish
    english = (tmp_path / "out" / rows[1]["files"][0]["path"]).read_text(encoding="utf-8")
    assert "EPIDURAL STEROID INJECTION" in english and "Mon 1 Mar 2027" in english


def test_a_roster_gives_holds_and_restarts_for_the_going_home_sheet(invoke, tmp_path):
    roster = write(
        tmp_path / "r.csv",
        "procedure,patient,date,time,holds,restarts\n"
        "ebp,Ann Lee,2027-03-01,09:30,clopidogrel=7d;warfarin=5d,clopidogrel=1d\n"
        "ebp,Bo Kim,2027-03-01,10:30,warfarin=5d,aspirin=1d\n",
    )
    result = batch(invoke, roster, "out", "--kind", "discharge")
    assert result.exit_code == ExitCode.PARTIAL
    text = " ".join((tmp_path / "out" / "2027-03-01_blood-patch_Ann-Lee.txt").read_text().split())
    assert "Start clopidogrel again on Tue 2 Mar 2027 (1 day after your procedure)." in text
    assert "Start warfarin again on: ____" in text
    assert (
        "row 2 (line 3): the restarts column: names a medicine that no hold pauses" in result.stderr
    )


def test_a_last_dose_already_past_is_a_warning_in_the_manifest(invoke, tmp_path):
    from datetime import date, timedelta

    day = (date.today() + timedelta(days=5)).isoformat()
    roster = write(
        tmp_path / "r.csv",
        f"procedure,patient,date,time,holds\nebp,Ann Lee,{day},09:30,clopidogrel=7d\n",
    )
    result = batch(invoke, roster)
    assert result.exit_code == 0, result.output
    (record,) = manifest(tmp_path / "out")
    last = (date.today() - timedelta(days=3)).isoformat()
    assert record["warnings"] == [
        f"the last dose of clopidogrel for a 7d hold was due {last}, which has passed: "
        "check the hold with the clinician"
    ]


def test_a_name_shifted_into_another_column_is_never_quoted(invoke, tmp_path):
    # An unquoted comma in "Doe, Janet" moves the first name into the date column, and the
    # date into the time column: the errors name the row and column, never the cell.
    roster = write(
        tmp_path / "r.csv",
        "procedure,patient,date,time,holds\nebp,Doe, Janet,2027-03-01,Jane=7d\n",
    )
    result = batch(invoke, roster)
    assert result.exit_code != 0
    out = tmp_path / "out" / "manifest.jsonl"
    seen = result.stderr + (out.read_text() if out.exists() else "")
    assert "Janet" not in seen and "Doe" not in seen, seen


ONE_ROW = "procedure,patient,date,time\nebp,Ann Lee,2027-03-01,09:30\n"


def test_a_second_batch_into_the_same_folder_fails_at_once(invoke, tmp_path):
    import fcntl
    import os

    out = tmp_path / "out"
    out.mkdir()
    held = os.open(out, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a batch still running would
    try:
        result = batch(invoke, write(tmp_path / "r.csv", ONE_ROW))
    finally:
        os.close(held)
    assert result.exit_code == ExitCode.OUTPUT
    assert result.stderr.startswith("error: --out: another batch is writing into out (wait for")
    assert list(out.iterdir()) == []  # nothing written, the other run's manifest untouched
    # Once the other run has ended (however it ended), the folder is free again.
    assert batch(invoke, write(tmp_path / "r.csv", ONE_ROW)).exit_code == 0


def test_the_next_run_removes_what_a_killed_run_left_half_written(invoke, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".2027-03-01_blood-patch_Ann-Lee.txt.x1y2z3.part"
    stale.write_text("half a handout")
    result = batch(invoke, write(tmp_path / "r.csv", ONE_ROW))
    assert result.exit_code == 0
    assert not stale.exists()
    assert "removed 1 unfinished files of an earlier run" in result.stderr + result.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "2027-03-01_blood-patch_Ann-Lee.txt",
        "manifest.jsonl",
    ]


def test_an_unclosed_quote_stops_the_batch_before_anything_is_written(invoke, tmp_path):
    roster = write(
        tmp_path / "r.csv",
        "procedure,patient,date,time\n"
        "ebp,Ann Lee,2027-03-01,09:30\n"
        'ebp,"Bo Kim,2027-03-01,10:00\n'
        "ebp,Cy Ray,2027-03-01,10:30\n"
        "ebp,Di Fox,2027-03-01,11:00\n"
        "ebp,Ed Roe,2027-03-01,11:30\n",
    )
    result = batch(invoke, roster)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith(
        'error: line 3: a quote (") is opened and never closed, so the rows after it'
    )
    assert "Bo Kim" not in result.stderr
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_quoted_value_may_hold_a_line_break(invoke, tmp_path):
    roster = write(
        tmp_path / "r.csv",
        'procedure,patient,date,time,note\nebp,Ann Lee,2027-03-01,09:30,"Bring your\nglasses"\n',
    )
    result = batch(invoke, roster)
    assert result.exit_code == 0, result.output


def test_a_batch_killed_part_way_keeps_every_earlier_rows_line(tmp_path):
    # What kill -9 leaves: the earlier run's lines, then this run's, and no tidy rewrite.
    from procguide.batch.manifest import Manifest, read_manifest

    path = tmp_path / "manifest.jsonl"
    earlier = [{"row": n, "status": "ok", "files": [{"path": f"{n}.txt"}]} for n in (1, 2, 3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in earlier) + '{"row": 4, "sta')
    manifest = Manifest(path).__enter__()
    manifest.write({"row": 1, "status": "ok", "files": [{"path": "1-new.txt"}]})
    manifest._stream.close()  # killed: __exit__ never runs
    kept = read_manifest(path)
    assert sorted(kept) == [1, 2, 3]
    assert kept[1]["files"] == [{"path": "1-new.txt"}]  # the newest line for a row counts
    assert kept[3] == earlier[2]


def test_a_finished_batch_leaves_one_line_per_row_in_order(tmp_path):
    from procguide.batch.manifest import Manifest

    path = tmp_path / "manifest.jsonl"
    path.write_text('{"row": 9, "status": "ok"}\n')
    with Manifest(path) as manifest:
        manifest.write({"row": 2, "status": "ok"})
        manifest.write({"row": 1, "status": "failed"})
    assert [json.loads(line)["row"] for line in path.read_text().splitlines()] == [1, 2]


def test_a_rescheduled_row_leaves_no_old_date_sheet_behind(invoke, tmp_path):
    out = tmp_path / "out"
    first = write(tmp_path / "a.csv", "procedure,patient,date,time\nebp,Ann Lee,2027-03-01,09:30\n")
    assert batch(invoke, first).exit_code == 0
    moved = write(tmp_path / "b.csv", "procedure,patient,date,time\nebp,Ann Lee,2027-03-08,09:30\n")
    result = batch(invoke, moved)
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "2027-03-08_blood-patch_Ann-Lee.txt",
        "manifest.jsonl",
        "superseded",
    ]
    assert [p.name for p in (out / "superseded").iterdir()] == [
        "2027-03-01_blood-patch_Ann-Lee.txt"
    ]
    assert "moved 1 handouts of an earlier run that this roster no longer has to superseded/" in (
        result.stdout + result.stderr
    )


def test_an_earlier_runs_files_outside_the_folder_are_never_touched(invoke, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "keep.txt"
    victim.write_text("not procguide's")
    (out / "manifest.jsonl").write_text(
        json.dumps({"row": 1, "status": "ok", "files": [{"path": "../keep.txt"}]}) + "\n"
    )
    assert batch(invoke, write(tmp_path / "r.csv", ONE_ROW)).exit_code == 0
    assert victim.read_text() == "not procguide's"


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("base64", "error: --encoding: 'base64' is not a text encoding"),
        ("rot13", "error: --encoding: 'rot13' is not a text encoding"),
        ("undefined", "error: --encoding: 'undefined' is not a text encoding"),
        ("utf-16", "error: --encoding: the roster is not utf-16 text"),
    ],
)
def test_an_encoding_that_cannot_read_the_roster_is_one_line_not_a_traceback(
    invoke, tmp_path, encoding, message
):
    result = batch(invoke, write(tmp_path / "r.csv", ONE_ROW), "out", "--encoding", encoding)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith(message), result.stderr
    assert "internal error" not in result.stderr


def test_a_utf16_roster_as_excel_saves_unicode_text_is_read_by_its_mark(invoke, tmp_path):
    roster = tmp_path / "r.txt"
    text = "procedure\tpatient\tdate\ttime\nebp\tZoë Ødegård\t2027-03-01\t09:30\n"
    roster.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    result = batch(invoke, roster)
    assert result.exit_code == 0, result.output
    (made,) = [p for p in (tmp_path / "out").iterdir() if p.suffix == ".txt"]
    assert "Zoë Ødegård" in made.read_text()


def test_a_full_disk_while_writing_the_manifest_names_the_manifest(invoke, tmp_path, monkeypatch):
    import errno

    from procguide.batch import manifest

    class Full:
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def tell(self):
            return 0

        def fileno(self):
            raise OSError(errno.EBADF, "closed")

        def close(self):
            pass

    real_open = Path.open

    def opening(self, mode="r", *args, **kwargs):
        if self.name == "manifest.jsonl" and mode == "ab":
            return Full()
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(manifest.Path, "open", opening)
    result = batch(invoke, write(tmp_path / "r.csv", ONE_ROW))
    assert result.exit_code == ExitCode.OUTPUT
    assert (
        "manifest.jsonl: the disk is full" in result.stderr or "manifest.jsonl: " in result.stderr
    )
    assert "internal error" not in result.stderr


def test_a_header_field_over_the_csv_limit_is_one_line_exit_2(invoke, tmp_path):
    path = write(tmp_path / "r.csv", "procedure,patient,date,time," + "x" * 140_000 + "\n")
    result = batch(invoke, path)
    assert result.exit_code == ExitCode.USAGE
    assert "header row cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_json_nested_too_deeply_is_a_row_error_or_stops_the_array(invoke, tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    row = '{"procedure": "blood-patch", "patient": "A", "date": "2027-03-01", "time": "09:00"'
    lines = write(tmp_path / "r.jsonl", row + ', "note": ' + deep + "}\n" + row + "}\n")
    result = batch(invoke, lines)
    assert result.exit_code == ExitCode.PARTIAL
    records = manifest(tmp_path / "out")
    assert [r["status"] for r in records] == ["failed", "ok"]
    assert "nested too deeply" in records[0]["error"]
    array = write(tmp_path / "r.json", "[" + row + ', "note": ' + deep + "}]")
    result = batch(invoke, array, "out2")
    assert result.exit_code == ExitCode.USAGE
    assert "nested too deeply" in result.stderr and "internal error" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_roster_read_from_a_pipe_as_bash_process_substitution_gives_it(tmp_path):
    import subprocess
    import sys

    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "procguide", "batch", str(fifo), "--out", "out", "-f", "text"]
    process = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE)
    with fifo.open("w") as writer:  # opens once the batch opens the pipe to read
        writer.write(HEADER + "".join(GOOD))
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == ExitCode.OK, stderr
    assert [r["status"] for r in manifest(tmp_path / "out")] == ["ok"] * 3


def test_utf8_read_as_cp1252_warns_that_names_would_be_garbled(invoke, tmp_path):
    row = "blood-patch,José Núñez,2027-03-01,09:30,,,,\n"
    utf8 = write(tmp_path / "u.csv", HEADER + row)
    result = batch(invoke, utf8, "out", "--encoding", "cp1252")
    assert "warning: --encoding: the roster is UTF-8 text" in result.stderr
    assert "José" not in result.stderr  # the example is fixed text, never a patient's name
    cp1252 = tmp_path / "c.csv"
    cp1252.write_bytes((HEADER + row).encode("cp1252"))
    result = batch(invoke, cp1252, "out2", "--encoding", "cp1252")
    assert result.exit_code == ExitCode.OK and "warning" not in result.stderr
    (sheet,) = (tmp_path / "out2").glob("*.txt")
    assert "José Núñez" in sheet.read_text()


@pytest.mark.parametrize("kind", ["pre", "discharge"])
def test_a_spanish_roster_makes_every_sheet_of_every_procedure(invoke, tmp_path, kind):
    # Spanish is the language of most US patients with limited English: a day's list in Spanish
    # must never fail a row for want of a translation, with any flag the procedure offers.
    ids = [row["id"] for row in json.loads(invoke("list", "--format", "json").stdout)]
    lines = ["procedure,patient,date,time,flags,holds,restarts,lang"]
    for index, procedure in enumerate(ids):
        shown = json.loads(invoke("show", procedure, "--format", "json").stdout)
        flags = ";".join(flag["name"] for flag in shown["procedure"]["flags"])
        time = f"{8 + index}:15".rjust(5, "0")
        lines.append(
            f"{procedure},María López,2027-03-01,{time},{flags},clopidogrel=7d,clopidogrel=1d,es"
        )
    roster = write(tmp_path / "es.csv", "\n".join(lines) + "\n")
    result = batch(invoke, roster, tmp_path / "out", "--kind", kind)
    assert result.exit_code == 0, result.output
    rows = manifest(tmp_path / "out")
    assert len(rows) == len(ids) == 9
    for row in rows:
        assert row["status"] == "ok", row
        sheet = (tmp_path / "out" / row["files"][0]["path"]).read_text(encoding="utf-8")
        assert "CUÁNDO PEDIR AYUDA" in sheet and "1 de marzo de 2027" in sheet
        assert "WHEN TO GET HELP" not in sheet and "Mon 1 Mar" not in sheet


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_pdf_that_fails_to_typeset_fails_its_row_alone_and_leaves_none_of_its_files(
    invoke, tmp_path, jobs
):
    # PDFs are typeset on a thread of their own while the next row is made: a failure there
    # must still fail only its row, with none of its files (not even the HTML made before).
    from conftest import build_tree

    path = write(tmp_path / "r.csv", HEADER + "".join(GOOD))
    made = invoke("batch", str(path), "--out", "out", "-f", "html,pdf", "--jobs", jobs)
    assert made.exit_code == 0, made.stderr
    before = outputs(tmp_path / "out")
    templates = build_tree(
        tmp_path / "clinic",
        {
            "typst/handout.typ": '{% extends "base.typ" %}{% block content %}\n'
            '{% if doc.patient.name == "Ali Khan" %}#panic("this sheet"){% endif %}\n'
            "Our sheet\n{% endblock %}\n"
        },
    )
    again = invoke(
        "batch", str(path), "--out", "out", "-f", "html,pdf", "--jobs", jobs,
        "--templates-dir", str(templates),
    )  # fmt: skip

    assert again.exit_code == ExitCode.PARTIAL
    assert "Khan" not in again.stderr
    records = manifest(tmp_path / "out")
    assert [r["status"] for r in records] == ["ok", "failed", "ok"]
    assert "PDF template" in records[1]["error"] and records[1]["files"] == []
    after = outputs(tmp_path / "out")
    assert not [name for name in after if "Khan" in name]
    kept = sorted(name for name in before if "Khan" not in name)
    assert sorted(after) == kept
    for record in (records[0], records[2]):
        for file in record["files"]:
            data = (tmp_path / "out" / file["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == file["sha256"]
