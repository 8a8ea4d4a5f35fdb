"""Calendar events for a diary: one at each time point, with an alarm when it is due.

A time in hours or minutes is a timed event whose alarm goes off at that time; a day is an
all-day event whose alarm goes off at 18:00 that day, when there is a day to write down.
Bringing the diary back is an all-day event on its date, reminded the evening before. The
times are the document's, so the calendar never disagrees with the printed diary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from procguide.i18n.languages import gettext as _  # the document's language
from procguide.render import ics_text as text

if TYPE_CHECKING:
    from procguide.document.diary_types import DiaryData, DiaryPointData

DAY_ALARM = time(18, 0)
"""A diary day's reminder, in the clinic's zone: the evening of that day."""


@dataclass(frozen=True)
class DiaryEvent:
    """One diary event, before it becomes iCalendar."""

    key: tuple[str, ...]
    title: str
    description: str
    start: datetime | date
    alarm_at: datetime
    alarm_text: str


def diary_events(diary: DiaryData, zone: ZoneInfo, procedure_line: str) -> list[DiaryEvent]:
    """The events of ``diary``, whose points all have their times (an appointment is known)."""
    title = diary["title"]
    events = [_point(diary, point, zone, procedure_line) for point in diary["points"]]
    back = diary["bring_back"]
    if back["date"] is not None:
        day = date.fromisoformat(back["date"])
        summary = _("Bring back: %(title)s") % {"title": title}
        events.append(
            DiaryEvent(
                ("diary-return", back["offset"] or ""),
                summary,
                text.paragraphs(back["label"], back["text"], procedure_line),
                day,
                datetime.combine(day - timedelta(days=1), DAY_ALARM, tzinfo=zone),
                summary,
            )
        )
    return events


def _point(
    diary: DiaryData, point: DiaryPointData, zone: ZoneInfo, procedure_line: str
) -> DiaryEvent:
    if point["at"] is None:
        raise ValueError("a dated diary is missing a time")
    asked = [c["text"] for c in diary["columns"] if c["id"] in point["record"]]
    summary = _("%(title)s: %(when)s") % {"title": diary["title"], "when": point["relative"]}
    description = text.paragraphs(
        point["label"] + ".", "\n".join(f"- {a}" for a in asked), procedure_line
    )
    start: datetime | date
    if "T" in point["at"]:
        start = datetime.fromisoformat(point["at"]).astimezone(zone)
        alarm = start
    else:
        start = date.fromisoformat(point["at"])
        alarm = datetime.combine(start, DAY_ALARM, tzinfo=zone)
    return DiaryEvent(("diary", point["offset"]), summary, description, start, alarm, summary)
