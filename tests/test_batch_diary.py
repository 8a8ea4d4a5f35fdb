"""Diaries from a roster: each row's activity and return day, as --activity and --bring-back.

A diary's activity and the day it comes back are the clinician's for that patient, so a
roster gives them per row. A value the sheet would not print fails its row, as the single
handout refuses it, and no message ever quotes it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procguide.content.offsets import HELP
from procguide.errors import ExitCode

ACTIVITY_WRITE_IN = "Your activity: ____________________"
RETURN_WRITE_IN = "Bring this back on: ____________________"


def run_batch(invoke, roster: Path, *extra: str):
    return invoke("batch", str(roster), "--out", "out", "-f", "text", "--jobs", "1", *extra)


def sheets(out: Path) -> dict[int, str]:
    """Each made row's text sheet, by row number, with its line breaks undone."""
    records = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    return {
        r["row"]: " ".join((out / r["files"][0]["path"]).read_text(encoding="utf-8").split())
        for r in records
        if r["status"] == "ok"
    }


def test_each_row_gets_its_own_activity_and_return_day(invoke, tmp_path):
    roster = tmp_path / "diaries.csv"
    roster.write_text(
        "procedure,patient,date,time,activity,bring_back\n"
        "mbb,Ann Lee,2027-03-01,09:30,stand for 10 minutes,\n"
        "mbb,Bo Kim,2027-03-01,10:30,,\n"
        "mbb,Cy Do,2027-03-01,11:00,walk to the end of the street,\n"
        "scs-trial,Di Wu,2027-03-01,11:30,,10d\n"
        "scs-trial,Ed Ng,2027-03-01,12:00,,\n",
        encoding="utf-8",
    )
    result = run_batch(invoke, roster, "--kind", "diary")

    assert result.exit_code == 0, result.output
    made = sheets(tmp_path / "out")
    assert "Your activity: stand for 10 minutes" in made[1]
    assert "walk to the end" not in made[1]
    assert ACTIVITY_WRITE_IN in made[2]
    assert "stand for 10 minutes" not in made[2] and "walk to the end" not in made[2]
    assert "Your activity: walk to the end of the street" in made[3]
    assert "stand for 10 minutes" not in made[3]
    # Ten days after Mon 1 Mar 2027; the other trial log has the line for the date.
    assert "Bring this back on Thu 11 Mar 2027." in made[4]
    assert RETURN_WRITE_IN in made[5] and "11 Mar 2027" not in made[5]


def test_a_roster_without_the_columns_leaves_the_lines_to_write_on(invoke, tmp_path):
    roster = tmp_path / "diaries.csv"
    roster.write_text(
        "procedure,patient,date,time\nmbb,Ann Lee,2027-03-01,09:30\n", encoding="utf-8"
    )
    result = run_batch(invoke, roster, "--kind", "diary")

    assert result.exit_code == 0, result.output
    (sheet,) = sheets(tmp_path / "out").values()
    assert ACTIVITY_WRITE_IN in sheet and RETURN_WRITE_IN in sheet


def test_a_json_lines_roster_gives_them_as_keys(invoke, tmp_path):
    rows = [
        {"procedure": "mbb", "patient": "Ann Lee", "date": "2027-03-01", "time": "09:30"},
        {
            "procedure": "mbb",
            "patient": "Bo Kim",
            "date": "2027-03-01",
            "time": "10:30",
            "Activity": "climb one flight of stairs",
            "bring_back": "2d",
        },
    ]
    roster = tmp_path / "diaries.jsonl"
    roster.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = run_batch(invoke, roster, "--kind", "diary")

    assert result.exit_code == 0, result.output
    made = sheets(tmp_path / "out")
    assert ACTIVITY_WRITE_IN in made[1] and "climb one flight" not in made[1]
    assert "Your activity: climb one flight of stairs" in made[2]
    assert "Bring this back on Wed 3 Mar 2027." in made[2]


@pytest.mark.parametrize("kind", ["pre", "discharge"])
def test_a_value_for_a_sheet_that_is_not_a_diary_fails_its_row_unquoted(invoke, tmp_path, kind):
    roster = tmp_path / "r.csv"
    roster.write_text(
        "procedure,patient,date,time,activity,bring_back\n"
        "mbb,Ann Lee,2027-03-01,09:30,stand for 10 minutes,\n"
        "mbb,Bo Kim,2027-03-01,10:30,,\n"
        "mbb,Cy Do,2027-03-01,11:00,,7d\n",
        encoding="utf-8",
    )
    result = run_batch(invoke, roster, "--kind", kind)

    assert result.exit_code == ExitCode.PARTIAL
    assert (
        "row 1 (line 2): the activity column: is printed only on the diary (add --kind diary)"
    ) in result.stderr
    assert (
        "row 3 (line 4): the bring_back column: is printed only on the diary (add --kind diary)"
    ) in result.stderr
    assert "1 made, 2 failed" in result.stderr
    assert list(sheets(tmp_path / "out")) == [2]
    seen = result.stderr + (tmp_path / "out" / "manifest.jsonl").read_text()
    assert "stand for" not in seen and "Ann" not in seen


def test_values_are_checked_as_the_options_check_them(invoke, tmp_path):
    roster = tmp_path / "r.jsonl"
    rows = [
        ("scs-trial", {"activity": "walk"}),  # this log asks for no activity
        ("mbb", {"activity": "stand\u202efor 10 minutes"}),  # hides text (right-to-left)
        ("mbb", {"activity": "stand " * 100}),
        ("mbb", {"bring_back": "a week"}),
        ("mbb", {"bring_back": "0d"}),
        ("mbb", {"activity": 10}),
        ("mbb", {"activity": "stand for 10 minutes", "bring_back": "7d"}),
    ]
    roster.write_text(
        "".join(
            json.dumps(
                {"procedure": p, "patient": "Ann Lee", "date": "2027-03-01", "time": "09:30", **v}
            )
            + "\n"
            for p, v in rows
        ),
        encoding="utf-8",
    )
    result = run_batch(invoke, roster, "--kind", "diary")

    assert result.exit_code == ExitCode.PARTIAL
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: row")]
    assert errors == [
        "error: row 1 (line 1): the activity column: this diary asks for no activity, so it "
        "would not be printed (leave it out)",
        "error: row 2 (line 2): the activity column: contains an invisible control character "
        "(U+202E)",
        "error: row 3 (line 3): the activity column: is longer than 500 characters",
        f"error: row 4 (line 4): the bring_back column: the time is not clear: {HELP}",
        "error: row 5 (line 5): the bring_back column: 0 is the procedure itself (for example 7d)",
        "error: row 6 (line 6): activity must be text, not a number",
    ]
    assert "walk" not in result.stderr and "a week" not in result.stderr
    assert list(sheets(tmp_path / "out")) == [7]
