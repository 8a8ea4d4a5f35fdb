"""Calendar export: every event's time and reminder, read back with icalendar."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from conftest import CLINIC_CONFIG
from procguide.render.ics import render_ics
from procguide.render.ics_text import title as _title

NY = ZoneInfo("America/New_York")
BASE = ("blood-patch", "--flag", "sedation")


@pytest.fixture
def ics(invoke: Any, clinic_config: Path, tmp_path: Path) -> Any:
    """Run a document command with ``--format ics`` into a file; return its bytes."""

    def run(*args: str, view: str = "handout", config: Path = clinic_config) -> bytes:
        out = tmp_path / "calendar.ics"
        out.unlink(missing_ok=True)
        result = invoke(view, *args, "--config", str(config), "-o", str(out))
        assert result.exit_code == 0, result.output
        return out.read_bytes()

    return run


def events(data: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(data)
    found = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT")), "two events share a title"
    return found


def utc(event: Any) -> datetime:
    start = event.decoded("dtstart")
    assert isinstance(start, datetime) and start.tzinfo is not None
    return start.astimezone(UTC)


def alarm_utc(event: Any) -> datetime | None:
    """When the event's one reminder fires, as an exact instant (clinic zone for dates)."""
    alarms = event.walk("VALARM")
    if not alarms:
        return None
    assert len(alarms) == 1
    start = event.decoded("dtstart")
    if not isinstance(start, datetime):
        start = datetime.combine(start, time(0), tzinfo=NY)
    # Exact arithmetic: aware datetimes in one zone would add wall-clock time instead.
    return start.astimezone(UTC) + alarms[0].decoded("trigger")


def unescape(text: str) -> str:
    """RFC 5545 TEXT unescaping, for properties icalendar reads without a type."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], text)


def ny(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=NY).astimezone(UTC)


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_handout_has_an_event_and_reminder_for_every_timed_item(ics: Any) -> None:
    data = ics(
        *BASE,
        "--date",
        "2026-12-01",
        "--time",
        "09:30",
        "--hold",
        "clopidogrel=7d",
        "--patient",
        "Jane Doe",
    )
    found = events(data)
    hold = found["Last dose of clopidogrel"]
    assert hold.decoded("dtstart") == date(2026, 11, 23)
    assert hold.decoded("dtend") == date(2026, 11, 24)
    assert alarm_utc(hold) == ny("2026-11-22", "18:00")
    eat = found["Stop eating food"]
    assert utc(eat) == ny("2026-12-01", "01:30")
    assert alarm_utc(eat) == ny("2026-11-30", "18:00")
    drink = found["Stop drinking all liquids"]
    assert utc(drink) == ny("2026-12-01", "07:30")
    assert alarm_utc(drink) == ny("2026-11-30", "18:00")
    arrive = found["Arrive at the clinic"]
    assert utc(arrive) == ny("2026-12-01", "09:00")
    assert alarm_utc(arrive) == ny("2026-12-01", "08:00")
    assert "1 Main Street" in str(arrive["location"])
    procedure = found["Epidural blood patch"]
    assert utc(procedure) == ny("2026-12-01", "09:30")
    assert alarm_utc(procedure) is None  # the arrival reminder covers it
    assert str(procedure.get("dtstart").params["TZID"]) == "America/New_York"

    recovery = [e for e in found.values() if "Call 911 now" in str(e["description"])]
    spans = sorted((e.decoded("dtstart"), e.decoded("dtend")) for e in recovery)
    # Recovery windows and limits as all-day events: the first hours and open-ended advice
    # on the day itself, the first 24 hours and the 24-hour driving limit into Wednesday.
    assert spans == [
        (date(2026, 12, 1), date(2026, 12, 2)),
        (date(2026, 12, 1), date(2026, 12, 2)),
        (date(2026, 12, 1), date(2026, 12, 2)),
        (date(2026, 12, 1), date(2026, 12, 2)),
        (date(2026, 12, 1), date(2026, 12, 3)),
        (date(2026, 12, 1), date(2026, 12, 3)),
        (date(2026, 12, 1), date(2026, 12, 3)),
    ]
    assert all(alarm_utc(e) is None for e in recovery)
    assert len(found) == 5 + len(recovery)

    for event in found.values():
        assert "555-0100" in str(event["description"])
        assert str(event["uid"]).endswith("@procguide")
        assert len(str(event["summary"])) <= 60
        assert "Jane Doe" not in event.to_ical().decode()
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Epidural blood patch: Jane Doe"
    assert calendar.get_missing_tzids() == set()
    assert len({str(e["uid"]) for e in found.values()}) == len(found)


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        # The clocks go back at 02:00 on Sun 1 Nov 2026: EDT (UTC-4) before, EST (UTC-5) after.
        (
            "09:30",
            {
                "Epidural blood patch": ("2026-11-02 14:30", None),
                "Arrive at the clinic": ("2026-11-02 14:00", "2026-11-02 13:00"),
                "Stop eating food": (
                    "2026-11-02 06:30",
                    "2026-11-01 23:00",
                ),
                "Stop drinking all liquids": ("2026-11-02 12:30", "2026-11-01 23:00"),
            },
        ),
        # 8 hours before 07:00 is 23:00 on Sunday; its reminder falls before the change.
        (
            "07:00",
            {
                "Epidural blood patch": ("2026-11-02 12:00", None),
                "Arrive at the clinic": ("2026-11-02 11:30", "2026-11-02 10:30"),
                "Stop eating food": (
                    "2026-11-02 04:00",
                    "2026-10-31 22:00",
                ),
                "Stop drinking all liquids": ("2026-11-02 10:00", "2026-11-01 23:00"),
            },
        ),
    ],
)
def test_monday_after_the_clocks_change_has_the_right_instants(
    ics: Any, clock: str, expected: dict[str, tuple[str, str | None]]
) -> None:
    data = ics(*BASE, "--date", "2026-11-02", "--time", clock, "--hold", "x=2d", view="prep")
    found = events(data)
    assert set(found) == {*expected, "Last dose of x"}
    for title, (start, alarm) in expected.items():
        assert utc(found[title]) == z(start), title
        assert alarm_utc(found[title]) == (z(alarm) if alarm else None), title
    hold = found["Last dose of x"]
    assert hold.decoded("dtstart") == date(2026, 10, 30)
    assert alarm_utc(hold) == z("2026-10-29 22:00")  # 18:00 EDT
    # Reminders are exact hours, never a nominal day that a client could stretch by an hour.
    assert b"TRIGGER:-P1D" not in data
    # The VTIMEZONE itself carries the change, for clients that read it rather than a name.
    text = data.decode()
    assert "DTSTART:20261101T020000\r\nTZNAME:EST\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500" in text


def test_same_inputs_give_the_same_bytes_and_updates_keep_uids(
    ics: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = (*BASE, "--date", "2026-12-01", "--time", "09:30", "--patient", "Jane Doe")
    first = ics(*args, "--hold", "clopidogrel=7d")
    assert ics(*args, "--hold", "clopidogrel=7d") == first
    # A later time and an extra hold update the same events rather than adding copies.
    moved = ics(
        *BASE,
        "--date",
        "2026-12-01",
        "--time",
        "11:00",
        "--patient",
        "Jane Doe",
        "--hold",
        "clopidogrel=7d",
        "--hold",
        "aspirin=3d",
    )
    before = {title: str(e["uid"]) for title, e in events(first).items()}
    after = {title: str(e["uid"]) for title, e in events(moved).items()}
    assert before.items() <= after.items()
    assert set(after) - set(before) == {"Last dose of aspirin"}
    # Another patient's calendar never shares an event with Jane's.
    other = ics(*BASE, "--date", "2026-12-01", "--time", "09:30", "--patient", "John Roe")
    assert not set(before.values()) & {str(e["uid"]) for e in events(other).values()}

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    stamped = events(ics(*args))
    assert {e.decoded("dtstamp") for e in stamped.values()} == {
        datetime.fromtimestamp(1790000000, UTC)
    }


def test_hostile_text_round_trips_literally(invoke: Any, clinic_config: Path) -> None:
    result = invoke(
        "handout",
        *BASE,
        "--date",
        "2026-12-01",
        "--time",
        "09:30",
        "--hold",
        "a;b,<script>x</script>\\=2d",
        "--config",
        str(clinic_config),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    hostile = "Stop; now,\nthen <script>alert(1)</script>\\n \\; done.\nEND:VEVENT\nBEGIN:VEVENT"
    document["preparation"][-2]["text"] = hostile
    document["patient"]["name"] = "Eve;\nX-EVIL:1, <b>"
    data = render_ics(document)
    calendar = Calendar.from_ical(data)
    found = events(data)
    assert len(calendar.walk("VEVENT")) == data.count(b"\r\nBEGIN:VEVENT\r\n")
    assert "Last dose of a;b,<script>x</script>\\" in found
    assert any(hostile in str(e["description"]) for e in found.values())
    # icalendar reads NAME (RFC 7986) without its type, so unescape it as the TEXT it is.
    for name in ("NAME", "X-WR-CALNAME"):
        assert unescape(str(calendar[name])) == "Epidural blood patch: Eve;\nX-EVIL:1, <b>"
    assert b"\r\nX-EVIL" not in data and b"\r\nEND:VEVENT\nBEGIN" not in data


def test_lines_are_folded_crlf_and_at_most_75_octets(ics: Any) -> None:
    data = ics(*BASE, "--date", "2026-12-01", "--time", "09:30", "--patient", "Zoë Ñúñez")
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75


def test_procedure_is_reminded_when_no_arrival_is_set(ics: Any, tmp_path: Path) -> None:
    config = tmp_path / "no-arrival.yaml"
    config.write_text(CLINIC_CONFIG.replace("  arrive_before: 30min\n", ""), encoding="utf-8")
    found = events(
        ics(*BASE, "--date", "2026-12-01", "--time", "09:30", view="prep", config=config)
    )
    assert "Arrive at the clinic" not in found
    assert alarm_utc(found["Epidural blood patch"]) == ny("2026-12-01", "08:30")


@pytest.mark.parametrize("view", [("aftercare",), ("handout", "--kind", "discharge")])
def test_aftercare_calendar_has_recovery_only(ics: Any, view: tuple[str, ...]) -> None:
    found = events(ics(*view[1:], *BASE, "--date", "2026-12-01", "--time", "09:30", view=view[0]))
    assert found and all("Call 911 now" in str(e["description"]) for e in found.values())
    assert "Epidural blood patch" not in found and "Stop drinking" not in found


def test_without_a_date_there_is_nothing_to_schedule(invoke: Any, tmp_path: Path) -> None:
    out = tmp_path / "x.ics"
    result = invoke("prep", "blood-patch", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --date: a calendar needs the procedure date and time")
    assert "the time, HH:MM" in result.stderr
    assert not out.exists()


def test_views_without_times_are_refused(invoke: Any) -> None:
    result = invoke(
        "steps", "blood-patch", "--date", "2026-12-01", "--time", "09:30", "--format", "ics"
    )
    assert result.exit_code == 2
    assert "prep, aftercare or handout" in result.stderr


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Stop drinking. Until then, water only.", "Stop drinking"),
        ("Call Dr. Lee today. Bring your list.", "Call Dr. Lee today"),
        ("Drink clear liquids, e.g. water. Nothing else.", "Drink clear liquids, e.g. water"),
        # Too long for a title: a label, never a cut sentence that could change the meaning.
        (
            "Do not take ibuprofen or any other pain reliever unless your care team says it is "
            "safe for you.",
            "LABEL",
        ),
    ],
)
def test_titles_are_whole_first_sentences_or_a_label(text: str, title: str) -> None:
    assert _title(text, "LABEL") == title


def test_reminders_fire_before_their_deadlines(ics: Any) -> None:
    data = ics(*BASE, "--date", "2026-03-09", "--time", "07:15", "--hold", "w=20h")
    for title, event in events(data).items():
        fires = alarm_utc(event)
        if fires is not None:
            start = event.decoded("dtstart")
            deadline = (
                utc(event)
                if isinstance(start, datetime)
                else (datetime.combine(start, time(0), tzinfo=NY).astimezone(UTC))
            )
            assert deadline - timedelta(hours=40) < fires < deadline, title
