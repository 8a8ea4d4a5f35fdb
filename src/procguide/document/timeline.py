"""The timed sections of a document: when each item is due, starts or ends.

Absolute dates and clock times when the appointment is known; words relative to the
procedure always.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from procguide.document.patient import Hold, Personal
from procguide.document.types import (
    Due,
    FollowUpData,
    ItemData,
    MedicineData,
    PrepData,
    RecoveryData,
    RestrictionData,
    UntilData,
    Window,
)
from procguide.errors import UsageError

if TYPE_CHECKING:
    from procguide.config import Clinic
    from procguide.content.model import Item, Procedure
    from procguide.content.offsets import Offset
    from procguide.document.schedule import Appointment
    from procguide.document.wording import Wording


def item_data(item: Item) -> ItemData:
    """An item as the document carries it: its text and the ids of its sources."""
    return {"text": item.text, "sources": list(item.sources)}


def recovery(
    procedure: Procedure, flags: frozenset[str], appointment: Appointment | None, wording: Wording
) -> list[RecoveryData]:
    """The recovery items that apply, each with its window of days."""
    return [
        {**item_data(item), "window": _window(item.start, item.end, appointment, wording)}
        for item in procedure.recovery
        if item.applies(flags)
    ]


def restrictions(
    procedure: Procedure, flags: frozenset[str], appointment: Appointment | None, wording: Wording
) -> list[RestrictionData]:
    """The activity limits that apply, each with how long it lasts."""
    return [
        {**item_data(item), "until": _until(item.until, appointment, wording)}
        for item in procedure.restrictions
        if item.applies(flags)
    ]


def follow_ups(
    procedure: Procedure, flags: frozenset[str], appointment: Appointment | None, wording: Wording
) -> list[FollowUpData]:
    """The follow-up items that apply, each with when it is due."""
    return [
        {**item_data(item), "due": _follow_up(item.after, appointment, wording)}
        for item in procedure.follow_up
        if item.applies(flags)
    ]


def medicines(
    personal: Personal,
    clinic: Clinic,
    appointment: Appointment | None,
    wording: Wording,
    warnings: list[str],
    today: date | None,
) -> list[MedicineData]:
    """Each held medicine on the way home, with when to restart it.

    A hold longer than the clinic's longest is refused as a likely typing mistake, and one
    whose last dose has already passed is a warning.
    """
    medicines: list[MedicineData] = []
    for hold in personal.holds:
        if hold.offset.minutes > clinic.max_hold.minutes:
            raise UsageError(
                f"is longer than the clinic's longest hold ({clinic.max_hold})",
                hint="check the number; a clinic can change max_hold in its config",
                field="hold",
            )
        if appointment is not None:
            _warn_if_past(hold, appointment, warnings, today)
        day = appointment.after(hold.restart) if appointment and hold.restart else None
        medicines.append(
            {
                "medicine": hold.medicine,
                "text": wording.restart(hold.medicine, hold.restart, day),
                "restart": {
                    "offset": str(hold.restart) if hold.restart else None,
                    "date": day.isoformat() if day else None,
                    "display": wording.date(day) if day else None,
                },
                "write_in": hold.restart is None,
            }
        )
    return medicines


def _warn_if_past(
    hold: Hold, appointment: Appointment, warnings: list[str], today: date | None
) -> None:
    last = appointment.last_dose(hold.offset)
    now = datetime.now(appointment.zone)
    if isinstance(last, datetime):
        passed = last < now if today is None else last.date() < today
    else:
        passed = last < (today or now.date())
    if passed:
        # A message for the clinician at the keyboard, in the command line's words.
        shown = f"{last:%Y-%m-%d %H:%M}" if isinstance(last, datetime) else last.isoformat()
        warnings.append(
            f"the last dose of {hold.medicine} for a {hold.offset} hold was due {shown}, "
            "which has passed: check the hold with the clinician"
        )


def _due(offset: Offset, appointment: Appointment | None, wording: Wording) -> Due:
    when = appointment.before(offset) if appointment is not None else None
    relative = wording.before(offset)
    display = wording.moment(when) if when is not None else None
    return {
        "offset": str(offset),
        "relative": relative,
        "at": when.isoformat() if when is not None else None,
        "display": display,
        "label": wording.due_label(relative, display),
    }


def preparation(
    procedure: Procedure,
    personal: Personal,
    flags: frozenset[str],
    clinic: Clinic,
    appointment: Appointment | None,
    wording: Wording,
) -> list[PrepData]:
    """The checklist: untimed items first, then timed ones and holds, earliest first."""
    untimed: list[PrepData] = []
    timed: list[tuple[int, int, PrepData]] = []
    for item in procedure.preparation:
        if not item.applies(flags):
            continue
        due = _due(item.before, appointment, wording) if item.before is not None else None
        step: PrepData = {
            "text": item.text,
            "sources": list(item.sources),
            "kind": "item",
            "due": due,
        }
        if item.before is None:
            untimed.append(step)
        else:
            timed.append((_earliness(item.before), len(timed), step))
    for hold in personal.holds:
        last = appointment.last_dose(hold.offset) if appointment else None
        relative = wording.without(hold.offset)
        display = wording.moment(last) if last is not None else None
        held: PrepData = {
            "text": wording.hold(hold.medicine, hold.offset, last),
            "sources": [],
            "kind": "hold",
            "medicine": hold.medicine,
            "due": {
                "offset": str(hold.offset),
                "relative": relative,
                "at": last.isoformat() if last is not None else None,
                "display": display,
                "label": wording.due_label(relative, display),
            },
        }
        timed.append((_earliness(hold.offset) + 1, len(timed), held))
    if clinic.arrive_before is not None:
        arrival: PrepData = {
            "text": wording.arrive(),
            "sources": [],
            "kind": "arrival",
            "due": _due(clinic.arrive_before, appointment, wording),
        }
        timed.append((_earliness(clinic.arrive_before), len(timed), arrival))
    timed.sort(key=lambda t: (-t[0], t[1]))
    return untimed + [entry for _, _, entry in timed]


def _earliness(offset: Offset) -> int:
    # Calendar offsets fall on a date: sort them as the start of that day, so "1d" (the day
    # before) comes ahead of "8h" (the small hours of the procedure day).
    return (offset.days * 24 * 60 + 24 * 60) if offset.is_calendar else offset.minutes


def _window(
    start: Offset, end: Offset | None, appointment: Appointment | None, wording: Wording
) -> Window:
    window: Window = {
        "from": str(start),
        "to": str(end) if end is not None else None,
        "relative": wording.window(start, end),
        "start_date": None,
        "end_date": None,
        "display": None,
    }
    if appointment is not None:
        first = appointment.after(start)
        last = appointment.after(end) if end is not None else None
        window["start_date"] = first.isoformat()
        window["end_date"] = last.isoformat() if last else None
        window["display"] = wording.date_range(first, last)
    return window


def _until(
    offset: Offset | None, appointment: Appointment | None, wording: Wording
) -> UntilData | None:
    if offset is None:
        return None
    end = appointment.after(offset) if appointment else None
    display = (wording._("until %(date)s") % {"date": wording.date(end)}) if end else None
    return {
        "offset": str(offset),
        "relative": wording.lasting(offset),
        "date": end.isoformat() if end else None,
        "display": display,
        "label": wording.span_label(wording.lasting(offset), display),
    }


def _follow_up(
    offset: Offset | None, appointment: Appointment | None, wording: Wording
) -> UntilData | None:
    if offset is None:
        return None
    day = appointment.after(offset) if appointment else None
    display = (wording._("around %(date)s") % {"date": wording.date(day)}) if day else None
    return {
        "offset": str(offset),
        "relative": wording.after(offset),
        "date": day.isoformat() if day else None,
        "display": display,
        "label": wording.span_label(wording.after(offset), display),
    }
