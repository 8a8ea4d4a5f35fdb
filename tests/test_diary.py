"""Diaries: the pain diary of a test block and the log of a stimulator trial, with real times.

A diary row must show the clock time or date the patient writes at, worked out from the
appointment as every other time is (elapsed hours across daylight-saving changes, calendar
days), in every format, with the same times in every language.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pytest

from conftest import PROCEDURES, build_tree
from pdf_structure import read_structure
from procguide.document.relief import percent_relief, relief_by_point
from procguide.errors import ExitCode

NEW_YORK = (
    "clinic:\n  name: North Shore Pain Clinic\n  phone: 555-0100\n  timezone: America/New_York\n"
)
BLOCK_TIMES = ["10:00", "10:30", "11:30", "13:30", "15:30", "17:30"]


@pytest.fixture
def new_york(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.yaml"
    path.write_text(NEW_YORK, encoding="utf-8")
    return path


def diary(invoke, procedure, *args, config=None, lang="en"):
    extra = ["--config", str(config)] if config else []
    result = invoke("handout", procedure, "--kind", "diary", "--lang", lang, *extra, *args)
    assert result.exit_code == 0, result.output
    return result


def diary_json(invoke, procedure, *args, config=None, lang="en"):
    return json.loads(
        diary(invoke, procedure, "-f", "json", *args, config=config, lang=lang).stdout
    )


def test_a_block_at_0930_shows_the_clock_time_on_every_row(invoke, new_york):
    result = diary(
        invoke, "mbb", "--date", "2026-12-01", "--time", "09:30", "-f", "text", config=new_york
    )

    rows = [line.split()[2] for line in result.stdout.splitlines() if line.startswith("  [ ] ")]
    assert rows == BLOCK_TIMES
    assert "10:00 (30 minutes after your procedure):" in result.stdout
    assert "Times count from 09:30 on Tue 1 Dec 2026" in result.stdout


@pytest.mark.parametrize(("day", "offset"), [("2026-03-07", "-05:00"), ("2026-03-08", "-04:00")])
def test_the_day_before_and_the_day_the_clocks_go_forward_keep_their_clock_times(
    invoke, new_york, day, offset
):
    # New York's clocks go forward at 02:00 on Sunday 8 March 2026: the times of a 09:30
    # block are the same clock times either side, each with the zone's offset of that day.
    points = diary_json(invoke, "mbb", "--date", day, "--time", "09:30", config=new_york)["diary"][
        "points"
    ]

    assert [p["label"] for p in points] == BLOCK_TIMES
    assert [p["at"] for p in points] == [f"{day}T{t}:00{offset}" for t in BLOCK_TIMES]


def test_hours_across_the_clock_change_are_real_elapsed_hours(invoke, new_york):
    # A late evening start: the diary runs through the skipped hour, so 4 hours after 23:30
    # is 04:30 on the clock, not 03:30, and rows on the next day carry their date.
    document = diary_json(invoke, "mbb", "--date", "2026-03-07", "--time", "23:30", config=new_york)
    points = document["diary"]["points"]
    start = datetime.fromisoformat(document["appointment"]["start"])

    for point, hours in zip(points, (0.5, 1, 2, 4, 6, 8), strict=True):
        elapsed = datetime.fromisoformat(point["at"]).astimezone(UTC) - start.astimezone(UTC)
        assert elapsed == timedelta(hours=hours)
    assert [p["label"] for p in points] == [
        "Sun 8 Mar 2026, 00:00",
        "Sun 8 Mar 2026, 00:30",
        "Sun 8 Mar 2026, 01:30",
        "Sun 8 Mar 2026, 04:30",
        "Sun 8 Mar 2026, 06:30",
        "Sun 8 Mar 2026, 08:30",
    ]


def test_a_stimulator_trial_log_has_a_date_on_every_row(invoke, new_york):
    document = diary_json(
        invoke, "scs-trial", "--date", "2026-03-07", "--time", "09:30", "--bring-back", "7d",
        config=new_york,
    )  # fmt: skip
    points = document["diary"]["points"]

    assert [p["at"] for p in points] == [f"2026-03-{d:02d}" for d in range(8, 15)]
    assert points[0]["label"] == "Sun 8 Mar 2026"
    assert {c["id"] for c in document["diary"]["columns"]} >= {
        "pain",
        "setting",
        "sleep",
        "activity",
    }
    assert document["diary"]["starts"] is None  # no clock times to count from
    assert document["diary"]["bring_back"]["label"] == "Bring this back on Sat 14 Mar 2026."


def test_without_a_date_the_rows_say_how_long_after(invoke):
    result = diary(invoke, "mbb", "-f", "text")

    assert "[ ] 30 minutes after your procedure:" in result.stdout
    assert "[ ] 8 hours after your procedure:" in result.stdout
    assert "Bring this back on: ____________________" in result.stdout
    assert "Your activity: ____________________" in result.stdout


def test_the_activity_the_clinician_names_is_printed(invoke):
    result = diary(invoke, "mbb", "--activity", "stand for 10 minutes", "-f", "text")

    assert "Your activity: stand for 10 minutes" in result.stdout


def test_the_json_document_carries_what_an_app_needs_to_collect_the_scores(invoke, new_york):
    document = diary_json(invoke, "mbb", "--date", "2026-12-01", "--time", "09:30", config=new_york)
    block = document["diary"]

    assert document["kind"] == "diary"
    assert block["timezone"] == "America/New_York"
    assert block["baseline"]["record"] == ["pain-rest", "pain-activity"]
    assert [c["answer"] for c in block["columns"]] == ["score", "score", "words"]
    first = block["points"][0]
    assert first["offset"] == "30min" and first["at"] == "2026-12-01T10:00:00-05:00"
    assert first["record"] == ["pain-rest", "pain-activity", "medicines"]
    assert first["sources"]


def test_percent_relief_is_worked_out_from_the_scores():
    assert percent_relief(8, 2) == 75.0
    assert percent_relief(8, 8) == 0.0
    assert percent_relief(5, 6) == -20.0  # worse
    assert percent_relief(0, 0) is None  # no usual pain to relieve
    with pytest.raises(ValueError, match="0 to 10"):
        percent_relief(11, 2)


def test_relief_by_point_compares_each_time_with_the_usual_pain(invoke):
    block = diary_json(invoke, "mbb")["diary"]

    relief = relief_by_point(
        block,
        usual={"pain-rest": 4, "pain-activity": 8},
        scores={"30min": {"pain-activity": 1, "pain-rest": 0}, "8h": {"pain-activity": 8}},
    )
    assert relief == {
        "30min": {"pain-rest": 100.0, "pain-activity": 87.5},
        "8h": {"pain-activity": 0.0},
    }


def test_a_procedure_without_a_diary_is_one_line_and_exit_2(invoke):
    result = invoke("handout", "blood-patch", "--kind", "diary")

    assert result.exit_code == ExitCode.USAGE == 2
    assert result.stderr.strip().count("\n") == 0
    assert "blood-patch has no diary" in result.stderr


@pytest.mark.parametrize("option", [("--activity", "walk"), ("--bring-back", "7d")])
def test_diary_details_on_another_sheet_are_refused_not_dropped(invoke, option):
    result = invoke("handout", "mbb", "--kind", "discharge", *option)

    assert result.exit_code == 2
    assert f"{option[0]}: is printed only on the diary" in result.stderr


def test_an_activity_for_a_diary_that_asks_for_none_is_refused(invoke):
    result = invoke("handout", "scs-trial", "--kind", "diary", "--activity", "walk")

    assert result.exit_code == 2
    assert "--activity" in result.stderr


def test_the_spanish_diary_has_the_same_times_in_spanish_words(invoke, new_york):
    result = diary(
        invoke,
        "mbb",
        "--date",
        "2026-12-01",
        "--time",
        "09:30",
        "-f",
        "text",
        config=new_york,
        lang="es",
    )

    assert "[ ] 10:00 (30 minutos después de su procedimiento):" in result.stdout
    assert "Las horas se cuentan desde las 9:30 del martes, 1 de diciembre de 2026" in result.stdout


@pytest.mark.parametrize("fmt", ["html", "markdown", "terminal"])
def test_every_format_prints_every_row(invoke, new_york, fmt):
    result = diary(
        invoke, "mbb", "--date", "2026-12-01", "--time", "09:30", "-f", fmt, config=new_york
    )

    for time in BLOCK_TIMES:
        assert time in result.stdout
    assert "Pain at rest" in result.stdout


def test_the_calendar_has_an_alarm_at_each_time(invoke, new_york, tmp_path):
    from icalendar import Calendar

    out = tmp_path / "diary.ics"
    diary(invoke, "mbb", "--date", "2026-03-08", "--time", "09:30", "-o", str(out), config=new_york)
    events = [c for c in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]

    starts = [e.decoded("dtstart") for e in events]
    assert [f"{s:%H:%M}" for s in starts] == BLOCK_TIMES
    assert all(str(s.tzinfo) == "America/New_York" for s in starts)
    for event in events:
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("trigger") == timedelta(0)


def test_a_trial_log_calendar_reminds_each_evening_and_before_bringing_it_back(
    invoke, new_york, tmp_path
):
    from icalendar import Calendar

    out = tmp_path / "trial.ics"
    diary(
        invoke,
        "scs-trial",
        "--date",
        "2026-12-01",
        "--time",
        "09:30",
        "--bring-back",
        "7d",
        "-o",
        str(out),
        config=new_york,
    )
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))

    assert len(events) == 8  # 7 days and bringing it back
    first = events[0]
    assert f"{first.decoded('dtstart')}" == "2026-12-02"
    assert first.walk("VALARM")[0].decoded("trigger") == timedelta(hours=18)


PAGE_LIMITS = [("medial-branch-block", 1), ("spinal-cord-stimulator-trial", 2)]


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils (pdfinfo) is not installed")
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize(("procedure", "limit"), PAGE_LIMITS)
def test_the_pdf_diary_fits_its_pages_and_meets_the_pdf_standards(
    invoke, new_york, tmp_path, procedure, limit, lang
):
    out = tmp_path / "diary.pdf"
    extra = (
        ("--activity", "stand for 10 minutes")
        if procedure == "medial-branch-block"
        else ("--bring-back", "7d")
    )
    diary(
        invoke,
        procedure,
        "--patient",
        "Jane Doe",
        "--date",
        "2026-12-01",
        "--time",
        "09:30",
        *extra,
        "-o",
        str(out),
        lang=lang,
    )
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)

    pages = int(
        next(line.split()[1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )
    assert pages <= limit
    assert len(pikepdf.open(io.BytesIO(out.read_bytes())).pages) == pages
    found = read_structure(out.read_bytes())
    assert found.marked and found.lang == lang and found.display_title
    assert found.xmp_value("pdfuaid:part") == "1" and found.xmp_value("pdfaid:conformance") == "A"
    levels = found.heading_levels
    assert levels[:1] == [1] and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    assert found.tables and all("/TH" in roles for roles in found.tables)


@pytest.mark.parametrize("fmt", ["text", "html", "markdown", "terminal", "pdf"])
def test_the_clinicians_overview_shows_the_diary_too(invoke, tmp_path, fmt):
    out = tmp_path / "overview"
    result = (
        invoke("show", "mbb", "-f", fmt, "-o", str(out))
        if fmt != "terminal"
        else invoke("show", "mbb", "-f", fmt)
    )
    assert result.exit_code == 0, result.output

    if fmt == "pdf":
        found = read_structure(out.read_bytes())
        levels = found.heading_levels
        assert levels[:1] == [1] and all(
            b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)
        )
        return
    shown = result.stdout if fmt == "terminal" else out.read_text(encoding="utf-8")
    assert "Pain during your activity" in shown and "8 hours after your procedure" in shown


# ---- content checks -------------------------------------------------------------------


def _library_copy(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "procedures"
    shutil.copytree(PROCEDURES / "blocks", folder / "blocks")
    text = (PROCEDURES / "medial-branch-block.yaml").read_text(encoding="utf-8")
    build_tree(folder, {"medial-branch-block.yaml": edit(text)})
    return folder / "medial-branch-block.yaml"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    - after: 4h\n",
            "    - after: 90min\n",
            "90min does not come after the time before it (2h)",
        ),
        ("    - after: 8h\n", "    - after: 9h\n", "9h is after the diary's window (8h)"),
        ("    - after: 30min\n", "    - after: 0min\n", "is the procedure's start"),
        ("    - after: 30min\n", "    - after: 30 minutes\n", "is not a clear offset"),
        (
            "    record: [pain-rest, pain-activity]\n",
            "    record: [pain-rest, medicines]\n",
            "'medicines' is not a score column",
        ),
    ],
)
def test_validate_checks_the_diary_times_like_any_other_timed_content(
    invoke, tmp_path, old, new, message
):
    path = _library_copy(tmp_path, lambda text: text.replace(old, new, 1))
    result = invoke("validate", str(path))

    assert result.exit_code == ExitCode.INVALID_CONTENT
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if text == new.rstrip("\n")
    )
    assert f"{path.name}:{line}: diary." in result.stderr
    assert message in result.stderr


def test_a_translation_with_other_diary_times_is_an_error(invoke, tmp_path):
    path = _library_copy(tmp_path, lambda text: text)
    spanish = (PROCEDURES / "medial-branch-block.es.yaml").read_text(encoding="utf-8")
    (path.parent / "medial-branch-block.es.yaml").write_text(
        spanish.replace("    - after: 6h\n", "    - after: 5h\n", 1), encoding="utf-8"
    )
    result = invoke("validate", str(path.parent))

    assert result.exit_code == ExitCode.INVALID_CONTENT
    assert "diary.points.4.after: changed timing: 5h, the English file has 6h" in result.stderr
