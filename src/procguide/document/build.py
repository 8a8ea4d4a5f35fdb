"""Resolve a procedure into one patient's document: their flags, holds, dates and times.

The result is plain JSON-ready data. Every output format renders this same document, and
``--format json`` prints it as it is, so scripts see exactly what a handout says.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from procguide import __version__
from procguide.content.offsets import Offset
from procguide.document.patient import Hold, Personal
from procguide.document.types import (
    AboutData,
    AppointmentData,
    ClinicData,
    Document,
    Due,
    ItemData,
    MedicineData,
    PrepData,
    Stamp,
    UntilData,
    Window,
)
from procguide.errors import UsageError

if TYPE_CHECKING:
    from procguide.config import Clinic
    from procguide.content.library import Entry
    from procguide.content.model import Item, Procedure
    from procguide.content.translation import Translation
    from procguide.document.schedule import Appointment
    from procguide.document.wording import Wording

FORMAT_ID = "procguide-document/1"
VIEWS = ("handout", "prep", "steps", "aftercare", "overview")
KINDS = ("pre", "discharge")


@dataclass
class Built:
    """The document and anything the user should be warned about."""

    data: Document
    warnings: list[str] = field(default_factory=list)


def build(
    entry: Entry,
    personal: Personal,
    clinic: Clinic,
    wording: Wording,
    *,
    view: str,
    kind: str = "pre",
    language: str = "en",
    today: date | None = None,
    translation: Translation | None = None,
) -> Built:
    """The personalised document for ``view`` of ``entry``.

    With a ``translation`` (checked against ``entry``), the content is the translation's and
    ``language`` is its language; ``wording`` must be in that language too.
    """
    procedure: Procedure = entry.procedure
    if translation is not None:
        if translation.source.sha256 != entry.sha256:
            raise ValueError("the translation was checked against another version of the entry")
        procedure = translation.procedure
        language = translation.language
    # Never a mixed document: English content under another language's headings, or
    # phrases in one language around content in another (produce.document gets this right).
    if translation is None and language != "en":
        raise ValueError(f"a document in '{language}' needs the translation of its content")
    if getattr(wording, "language", "en") != language:
        raise ValueError(f"the wording is not in the document's language '{language}'")
    flags = _flags(procedure, personal)
    warnings: list[str] = []
    appointment = _appointment(personal, clinic, warnings, today)

    def items(values: tuple[Item, ...]) -> list[ItemData]:
        return [_item(item) for item in values if item.applies(flags)]

    data: Document = {
        "format": FORMAT_ID,
        "view": view,
        "kind": kind if view == "handout" else None,
        "language": language,
        "generated": _generated(),
        "procedure": {
            "id": procedure.id,
            "name": procedure.name,
            "technical_name": procedure.technical_name,
            "aliases": list(procedure.aliases),
            "codes": {"cpt": list(procedure.codes.cpt)},
            "flags": [
                {"name": name, "description": text, "default": name in procedure.default_flags}
                for name, text in procedure.flags.items()
            ],
        },
        "patient": {
            "name": personal.patient,
            "clinician": personal.clinician,
            "note": personal.note,
        },
        "appointment": _appointment_data(appointment, wording),
        "clinic": _clinic_data(clinic, wording),
        "flags": [
            {"name": name, "description": text}
            for name, text in procedure.flags.items()
            if name in flags
        ],
        "about": _about(procedure, items),
        "preparation": _preparation(procedure, personal, flags, clinic, appointment, wording),
        "steps": items(procedure.steps),
        "recovery": [
            {**_item(item), "window": _window(item.start, item.end, appointment, wording)}
            for item in procedure.recovery
            if item.applies(flags)
        ],
        "restrictions": [
            {**_item(item), "until": _until(item.until, appointment, wording)}
            for item in procedure.restrictions
            if item.applies(flags)
        ],
        "follow_up": [
            {**_item(item), "due": _follow_up(item.after, appointment, wording)}
            for item in procedure.follow_up
            if item.applies(flags)
        ],
        "medicines": _medicines(personal, clinic, appointment, wording, warnings, today),
        "get_help": {
            "clinic_line": wording.call_clinic(clinic.name, clinic.phone, clinic.after_hours_phone),
            "call_clinic": items(procedure.get_help.call_clinic),
            "emergency_line": wording.call_emergency(clinic.emergency_number),
            "call_emergency": items(procedure.get_help.call_emergency),
            "cannot_reach": _maybe(procedure.get_help.cannot_reach, flags),
        },
        "sources": [
            {"id": s.id, "title": s.title, "publisher": s.publisher, "url": s.url}
            for s in procedure.sources
        ],
        "stamp": _stamp(entry, wording, translation),
    }
    return Built(data, warnings)


def _about(procedure: Procedure, items: Callable[[tuple[Item, ...]], list[ItemData]]) -> AboutData:
    return {
        "summary": _item(procedure.summary),
        "purpose": _item(procedure.purpose),
        "indications": items(procedure.indications),
        "duration": _item(procedure.duration),
        "setting": _item(procedure.setting),
        "personnel": items(procedure.personnel),
        "patient_experience": items(procedure.patient_experience),
        "benefits": items(procedure.benefits),
        "risks": {
            "common": items(procedure.risks.common),
            "rare": items(procedure.risks.rare),
            "management": items(procedure.risks.management),
        },
        "alternatives": items(procedure.alternatives),
        "pros": items(procedure.pros),
        "cons": items(procedure.cons),
    }


def _medicines(
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
                f"'{hold.medicine}={hold.offset}' is longer than the clinic's longest hold "
                f"({clinic.max_hold})",
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


def _maybe(item: Item | None, flags: frozenset[str]) -> ItemData | None:
    return _item(item) if item is not None and item.applies(flags) else None


def _item(item: Item) -> ItemData:
    return {"text": item.text, "sources": list(item.sources)}


def _flags(procedure: Procedure, personal: Personal) -> frozenset[str]:
    """The flags in effect: the procedure's defaults and those turned on, less those off."""
    valid = ", ".join(procedure.flags) or "none"
    for name, given in (("flag", personal.flags), ("no_flag", personal.no_flags)):
        unknown = sorted(given - set(procedure.flags))
        if unknown:
            raise UsageError(
                f"{procedure.id} has no flag '{unknown[0]}'",
                hint=f"valid flags: {valid}",
                field=name,
            )
    both = sorted(personal.flags & personal.no_flags)
    if both:
        raise UsageError(f"'{both[0]}' is turned both on and off", field="no_flag")
    return (frozenset(procedure.default_flags) | personal.flags) - personal.no_flags


def _appointment(
    personal: Personal, clinic: Clinic, warnings: list[str], today: date | None
) -> Appointment | None:
    from procguide.document.schedule import make_appointment, zone_named

    if personal.day is None and personal.at is None:
        return None
    if personal.day is None or personal.at is None:
        raise UsageError(
            "is needed too",
            hint="give both the date, YYYY-MM-DD, and the time, HH:MM",
            field="date" if personal.day is None else "time",
        )
    appointment = make_appointment(personal.day, personal.at, zone_named(clinic.timezone))
    now = today or datetime.now(appointment.zone).date()
    if appointment.start.date() < now:
        warnings.append(f"the procedure date {personal.day.isoformat()} is in the past")
    return appointment


def _appointment_data(appointment: Appointment | None, wording: Wording) -> AppointmentData | None:
    if appointment is None:
        return None
    start = appointment.start
    return {
        "date": start.date().isoformat(),
        "time": f"{start:%H:%M}",
        "timezone": appointment.zone.key,
        "start": start.isoformat(),
        "display": wording.moment(start),
        "date_display": wording.date(start.date()),
        "time_display": wording.time(start),
    }


def _clinic_data(clinic: Clinic, wording: Wording) -> ClinicData:
    return {
        "name": clinic.name,
        "display_name": clinic.name or wording._("your clinic"),
        "phone": clinic.phone,
        "after_hours_phone": clinic.after_hours_phone,
        "emergency_number": clinic.emergency_number,
        "address": clinic.address,
        "footer": clinic.footer,
    }


def _due(offset: Offset, appointment: Appointment | None, wording: Wording) -> Due:
    when = appointment.before(offset) if appointment is not None else None
    return {
        "offset": str(offset),
        "relative": wording.before(offset),
        "at": when.isoformat() if when is not None else None,
        "display": wording.moment(when) if when is not None else None,
    }


def _preparation(
    procedure: Procedure,
    personal: Personal,
    flags: frozenset[str],
    clinic: Clinic,
    appointment: Appointment | None,
    wording: Wording,
) -> list[PrepData]:
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
        held: PrepData = {
            "text": wording.hold(hold.medicine, hold.offset, last),
            "sources": [],
            "kind": "hold",
            "medicine": hold.medicine,
            "due": {
                "offset": str(hold.offset),
                "relative": wording.without(hold.offset),
                "at": last.isoformat() if last is not None else None,
                "display": wording.moment(last) if last is not None else None,
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
    return {
        "offset": str(offset),
        "relative": wording.lasting(offset),
        "date": end.isoformat() if end else None,
        "display": (wording._("until %(date)s") % {"date": wording.date(end)}) if end else None,
    }


def _follow_up(
    offset: Offset | None, appointment: Appointment | None, wording: Wording
) -> UntilData | None:
    if offset is None:
        return None
    day = appointment.after(offset) if appointment else None
    return {
        "offset": str(offset),
        "relative": wording.after(offset),
        "date": day.isoformat() if day else None,
        "display": (wording._("around %(date)s") % {"date": wording.date(day)}) if day else None,
    }


def _generated() -> str | None:
    # Only from SOURCE_DATE_EPOCH: the same inputs must give the same bytes.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), UTC).isoformat()
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH '{epoch}' is not a whole number of seconds") from None


def _stamp(entry: Entry, wording: Wording, translation: Translation | None) -> Stamp:
    reviewed = entry.procedure.review.reviewed.isoformat()
    text = wording.stamp(__version__, entry.procedure.id, reviewed, entry.short_hash)
    stamp: Stamp = {
        "procguide": __version__,
        "procedure": entry.procedure.id,
        "reviewed": reviewed,
        "content_sha256": entry.sha256,
        "content": entry.short_hash,
    }
    if translation is not None:
        # Both hashes: the English content the translation was checked against, and the
        # translation itself, each with its own review.
        translated = translation.procedure.review.reviewed.isoformat()
        text += " · " + wording.translation_stamp(translation.short_hash, translated)
        stamp["translation_sha256"] = translation.sha256
        stamp["translation"] = translation.short_hash
        stamp["translation_reviewed"] = translated
    stamp["text"] = text
    return stamp
