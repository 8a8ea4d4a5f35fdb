"""The diary of a document: every time point with its real clock time or date.

Hours and minutes are elapsed time from the procedure's start, counted across daylight-saving
changes as everywhere else in procguide, so "2 hours after" is two real hours later; days
land on a date. Without an appointment each row reads "30 minutes after your procedure".
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from procguide.document.diary_types import (
    DiaryActivityData,
    DiaryData,
    DiaryPointData,
    DiaryReturnData,
)
from procguide.document.wording import first_upper
from procguide.errors import UsageError

if TYPE_CHECKING:
    from procguide.content.model import Diary, DiaryPoint, Procedure
    from procguide.document.patient import Personal
    from procguide.document.schedule import Appointment
    from procguide.document.wording import Wording


def diary_data(
    procedure: Procedure,
    personal: Personal,
    appointment: Appointment | None,
    wording: Wording,
) -> DiaryData:
    """The diary of ``procedure`` for this patient and appointment.

    Raises:
        UsageError: when the procedure has no diary, or ``--activity`` names an activity
            for a diary that asks for none (it would not be printed).
    """
    diary = procedure.diary
    if diary is None:
        raise UsageError(
            f"{procedure.id} has no diary",
            hint="use --kind pre or --kind discharge; only a procedure whose file has a "
            "`diary` section has one",
            field="kind",
        )
    all_columns = [column.id for column in diary.columns]
    return {
        "title": diary.title,
        "window": str(diary.window),
        "timezone": appointment.zone.key if appointment else None,
        "starts": _starts(diary, appointment, wording),
        "instructions": [{"text": i.text, "sources": list(i.sources)} for i in diary.instructions],
        "baseline": {
            "text": diary.baseline.text,
            "sources": list(diary.baseline.sources),
            "record": list(diary.baseline.record),
        },
        "activity": _activity(diary, personal, wording),
        "columns": [
            {"id": c.id, "text": c.text, "answer": c.answer, "sources": list(c.sources)}
            for c in diary.columns
        ],
        "points": [_point(p, all_columns, appointment, wording) for p in diary.points],
        "bring_back": _bring_back(diary, personal, appointment, wording),
    }


def _starts(diary: Diary, appointment: Appointment | None, wording: Wording) -> str | None:
    """How the clock times were worked out; None for a diary of whole days."""
    if appointment is None or all(point.after.is_calendar for point in diary.points):
        return None
    start = appointment.start
    # Translators: the number is the hour, as in "at %(time)s on %(date)s".
    return wording._n(
        "Times count from %(time)s on %(date)s. If your procedure starts late, ask your "
        "nurse for the new times.",
        "Times count from %(time)s on %(date)s. If your procedure starts late, ask your "
        "nurse for the new times.",
        start.hour,
    ) % {"time": wording.time(start), "date": wording.date(start.date())}


def _activity(diary: Diary, personal: Personal, wording: Wording) -> DiaryActivityData | None:
    named = personal.activity
    if diary.activity is None:
        if named is not None:
            raise UsageError(
                "this diary asks for no activity, so it would not be printed",
                hint="leave it out",
                field="activity",
            )
        return None
    if named is None:
        label = wording._("Your activity: ____________________ (your care team will write it here)")
    else:
        label = wording._("Your activity: %(activity)s") % {"activity": named}
    return {
        "text": diary.activity.text,
        "sources": list(diary.activity.sources),
        "named": named,
        "label": label,
    }


def _point(
    point: DiaryPoint,
    all_columns: list[str],
    appointment: Appointment | None,
    wording: Wording,
) -> DiaryPointData:
    relative = wording._("%(amount)s after your procedure") % {
        "amount": wording.amount(point.after)
    }
    at = appointment.later(point.after) if appointment is not None else None
    display: str | None = None
    day: str | None = None
    if isinstance(at, datetime):
        day = at.date().isoformat()
        same_day = appointment is not None and at.date() == appointment.start.date()
        display = wording.time(at) if same_day else _date_and_time(at, wording)
    elif at is not None:
        day = at.isoformat()
        display = wording.date(at)
    return {
        "offset": str(point.after),
        "relative": relative,
        "at": at.isoformat() if at is not None else None,
        "date": day,
        "display": display,
        "label": display if display is not None else first_upper(relative),
        "record": list(point.record) or all_columns,
        "sources": list(point.sources),
    }


def _date_and_time(at: datetime, wording: Wording) -> str:
    # Translators: a diary row on another day than the procedure: "Wed 2 Dec 2026, 01:30".
    return wording._("%(date)s, %(time)s") % {
        "date": wording.date(at.date()),
        "time": wording.time(at),
    }


def _bring_back(
    diary: Diary, personal: Personal, appointment: Appointment | None, wording: Wording
) -> DiaryReturnData:
    # The clinician's --bring-back knows this patient's visit; the content's is the default.
    offset = personal.bring_back or diary.bring_back.after
    day = appointment.after(offset) if appointment is not None and offset is not None else None
    if day is not None:
        label = wording._("Bring this back %(when)s.") % {"when": wording.moment(day)}
    elif offset is not None:
        label = wording._("Bring this back %(amount)s after your procedure.") % {
            "amount": wording.amount(offset)
        }
    else:
        label = wording._(
            "Bring this back on: ____________________ (your care team will write the date here)."
        )
    return {
        "text": diary.bring_back.text,
        "sources": list(diary.bring_back.sources),
        "offset": str(offset) if offset is not None else None,
        "date": day.isoformat() if day is not None else None,
        "label": label,
        "write_in": offset is None,
    }
