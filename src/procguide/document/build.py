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
from procguide.document import teaching, timeline
from procguide.document.patient import Personal
from procguide.document.types import (
    AboutData,
    AppointmentData,
    ClinicData,
    Document,
    GetHelpData,
    ItemData,
    PatientData,
    ProcedureData,
    Stamp,
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
KINDS = ("pre", "discharge", "diary", *teaching.KINDS)


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
    procedure, language = _content(entry, translation, wording, language)
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
        "procedure": _procedure(procedure),
        "patient": _patient(personal, clinic),
        "appointment": _appointment_data(appointment, wording),
        "clinic": _clinic_data(clinic, wording),
        "flags": [{"name": n, "description": t} for n, t in procedure.flags.items() if n in flags],
        "about": _about(procedure, items),
        "preparation": timeline.preparation(
            procedure, personal, flags, clinic, appointment, wording
        ),
        "steps": items(procedure.steps),
        "recovery": timeline.recovery(procedure, flags, appointment, wording),
        "restrictions": timeline.restrictions(procedure, flags, appointment, wording),
        "follow_up": timeline.follow_ups(procedure, flags, appointment, wording),
        "medicines": timeline.medicines(personal, clinic, appointment, wording, warnings, today),
        "get_help": _get_help(procedure, clinic, wording, items, flags),
        "sources": [
            {"id": s.id, "title": s.title, "publisher": s.publisher, "url": s.url}
            for s in procedure.sources
        ],
        "stamp": _stamp(entry, wording, translation),
    }
    _add_diary(data, procedure, personal, appointment, wording)
    teaching.add(data, procedure, flags, clinic, appointment, wording)
    return Built(data, warnings)


def _patient(personal: Personal, clinic: Clinic) -> PatientData:
    patient: PatientData = {
        "name": personal.patient,
        "clinician": personal.clinician,
        "note": personal.note,
    }
    if personal.mrn is not None:
        patient["identifier"] = {"system": clinic.mrn_system, "value": personal.mrn}
    return patient


def _add_diary(
    data: Document,
    procedure: Procedure,
    personal: Personal,
    appointment: Appointment | None,
    wording: Wording,
) -> None:
    """The diary, on a diary sheet and in the overview; elsewhere its details are refused."""
    if data["kind"] == "diary" or (data["view"] == "overview" and procedure.diary is not None):
        from procguide.document.diary import diary_data

        data["diary"] = diary_data(procedure, personal, appointment, wording)
        return
    for name, value in (("activity", personal.activity), ("bring_back", personal.bring_back)):
        if value is not None:
            raise UsageError("is printed only on the diary", hint="add --kind diary", field=name)


def _get_help(
    procedure: Procedure,
    clinic: Clinic,
    wording: Wording,
    items: Callable[[tuple[Item, ...]], list[ItemData]],
    flags: frozenset[str],
) -> GetHelpData:
    get_help = procedure.get_help
    return {
        "clinic_line": wording.call_clinic(clinic.name, clinic.phone, clinic.after_hours_phone),
        "call_clinic": items(get_help.call_clinic),
        "emergency_line": wording.call_emergency(clinic.emergency_number),
        "call_emergency": items(get_help.call_emergency),
        "cannot_reach": _maybe(get_help.cannot_reach, flags),
    }


def _content(
    entry: Entry, translation: Translation | None, wording: Wording, language: str
) -> tuple[Procedure, str]:
    """The content in the document's language, and that language; never a mixed document.

    English content under another language's headings, or phrases in one language around
    content in another, are refused (pipeline.make always gets this right).
    """
    procedure: Procedure = entry.procedure
    if translation is not None:
        if translation.source.sha256 != entry.sha256:
            raise ValueError("the translation was checked against another version of the entry")
        procedure = translation.procedure
        language = translation.language
    if translation is None and language != "en":
        raise ValueError(f"a document in '{language}' needs the translation of its content")
    if getattr(wording, "language", "en") != language:
        raise ValueError(f"the wording is not in the document's language '{language}'")
    return procedure, language


def _procedure(procedure: Procedure) -> ProcedureData:
    return {
        "id": procedure.id,
        "name": procedure.name,
        "technical_name": procedure.technical_name,
        "aliases": list(procedure.aliases),
        "codes": {"cpt": list(procedure.codes.cpt)},
        "flags": [
            {"name": name, "description": text, "default": name in procedure.default_flags}
            for name, text in procedure.flags.items()
        ],
    }


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


def _maybe(item: Item | None, flags: frozenset[str]) -> ItemData | None:
    return _item(item) if item is not None and item.applies(flags) else None


def _item(item: Item) -> ItemData:
    return timeline.item_data(item)


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
