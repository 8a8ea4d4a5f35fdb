"""The teaching sheets: teach-back questions for the nurse's record, and the escort's sheet.

``handout --kind teach-back`` is the nurse's copy for the chart: the questions that apply to
this patient's handout, with the key points of a correct answer. ``handout --kind escort`` is
for the adult who takes a sedated patient home: what to watch for and do, the limits with
their end times, and when to call, all said to that adult ("you") about the patient
("they"). Every line of it comes from the content's escort wording, never from rewording.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from procguide.document.types import (
    Document,
    EscortData,
    EscortLineData,
    ItemData,
    QuestionData,
    UntilData,
)
from procguide.document.wording import first_upper
from procguide.errors import UsageError

if TYPE_CHECKING:
    from datetime import date

    from procguide.config import Clinic
    from procguide.content.model import Item, Procedure
    from procguide.content.offsets import Offset
    from procguide.document.schedule import Appointment
    from procguide.document.wording import Wording

TEACH_BACK = "teach-back"
ESCORT = "escort"
KINDS = (TEACH_BACK, ESCORT)
"""The handout kinds this module makes, beside ``pre`` and ``discharge``."""


def add(
    data: Document,
    procedure: Procedure,
    flags: frozenset[str],
    clinic: Clinic,
    appointment: Appointment | None,
    wording: Wording,
) -> None:
    """Add the teach-back questions or the escort's sections to a handout of those kinds."""
    if data["view"] != "handout":
        return
    if data["kind"] == TEACH_BACK:
        data["teach_back"] = questions(procedure, flags)
    elif data["kind"] == ESCORT:
        data["escort"] = escort(procedure, flags, data, clinic, appointment, wording)


def questions(procedure: Procedure, flags: frozenset[str]) -> list[QuestionData]:
    """The teach-back questions a handout made with ``flags`` asks, each with its key points."""
    return [
        {
            "id": question.id,
            "text": question.text,
            "sources": list(question.sources),
            "checks": list(question.checks),
            "points": [_item(point) for point in question.points if point.applies(flags)],
        }
        for question in procedure.teach_back
        if question.applies(flags)
    ]


def escort(
    procedure: Procedure,
    flags: frozenset[str],
    data: Document,
    clinic: Clinic,
    appointment: Appointment | None,
    wording: Wording,
) -> EscortData:
    """The escort's sheet; only for a handout with sedation.

    Raises:
        UsageError: for a procedure without sedation, or a handout made without it.
    """
    from procguide.content.model import SEDATION

    if SEDATION not in procedure.flags:
        raise UsageError(
            f"{procedure.id} has no sedation, so it has no escort sheet",
            hint="the escort sheet is for the adult who takes a patient home after sedation",
            field="kind",
        )
    if SEDATION not in flags:
        raise UsageError(
            "the escort sheet is only for a handout with sedation",
            hint=f"turn on the {SEDATION} flag if the patient has it",
            field="kind",
        )
    help_ = procedure.get_help
    cannot_reach = help_.cannot_reach
    return {
        "intro": _intro(data["patient"]["name"], wording),
        "watch": [_line(i, appointment, wording) for i in procedure.escort if i.applies(flags)],
        # The limits the content says to the escort; the going-home sheet has them all.
        "restrictions": [
            _line(item, appointment, wording)
            for item in procedure.restrictions
            if item.escort is not None and item.applies(flags)
        ],
        "emergency_line": _emergency_line(clinic.emergency_number, wording),
        "call_emergency": [_said_to_escort(i) for i in help_.call_emergency if i.applies(flags)],
        "clinic_line": _clinic_line(clinic, wording),
        "call_clinic": [_said_to_escort(i) for i in help_.call_clinic if i.applies(flags)],
        "cannot_reach": _said_to_escort(cannot_reach)
        if cannot_reach is not None and cannot_reach.applies(flags)
        else None,
    }


def _item(item: Item) -> ItemData:
    return {"text": item.text, "sources": list(item.sources)}


def _said_to_escort(item: Item) -> ItemData:
    """The item's escort wording where it has one; a sign without it says no "you" (lint)."""
    return {"text": getattr(item, "escort", None) or item.text, "sources": list(item.sources)}


def _line(item: Item, appointment: Appointment | None, wording: Wording) -> EscortLineData:
    until: Offset | None = getattr(item, "until", None)
    return {**_said_to_escort(item), "until": _until(until, appointment, wording)}


def _until(
    offset: Offset | None, appointment: Appointment | None, wording: Wording
) -> UntilData | None:
    """How long a limit lasts, with the real clock time it ends when the appointment is known.

    Hours end at a time ("until 09:30 on Wed 2 Dec 2026"), days on a date, as everywhere.
    """
    if offset is None:
        return None
    relative = wording._("For %(amount)s after the procedure") % {"amount": wording.amount(offset)}
    end = appointment.later(offset) if appointment is not None else None
    display = _until_moment(end, wording) if end is not None else None
    # The text says how long ("For 24 hours, they must not..."): the label says until when.
    return {
        "offset": str(offset),
        "relative": relative,
        "date": end.isoformat() if end is not None else None,
        "display": display,
        "label": first_upper(display) if display is not None else relative,
    }


def _until_moment(end: datetime | date, wording: Wording) -> str:
    if isinstance(end, datetime):
        # Translators: the number is the hour (0 to 23), as in "at %(time)s on %(date)s".
        return wording._n("until %(time)s on %(date)s", "until %(time)s on %(date)s", end.hour) % {
            "time": wording.time(end),
            "date": wording.date(end.date()),
        }
    return wording._("until %(date)s") % {"date": wording.date(end)}


def _intro(name: str | None, wording: Wording) -> str:
    if name:
        return wording._(
            "This sheet is for you, the adult who takes %(name)s home after sedation (medicine "
            "to help them relax)."
        ) % {"name": name}
    return wording._(
        "This sheet is for you, the adult who takes the patient home after sedation (medicine "
        "to help them relax)."
    )


def _emergency_line(number: str, wording: Wording) -> str:
    return wording._(
        "Call %(number)s now, or take them to the nearest emergency room, if they have:"
    ) % {"number": number}


def _clinic_line(clinic: Clinic, wording: Wording) -> str:
    who = clinic.name or wording._("their clinic")
    values = {"who": who, "phone": clinic.phone, "after": clinic.after_hours_phone}
    if clinic.phone and clinic.after_hours_phone:
        return (
            wording._("Call %(who)s at %(phone)s (after hours: %(after)s) if they have:") % values
        )
    if clinic.phone:
        return wording._("Call %(who)s at %(phone)s if they have:") % values
    return wording._("Call %(who)s if they have:") % values
