"""A teaching record from what the nurse ticked, checked against the sheet it was ticked on.

The sheet is made again from the same procedure, language and flags (``pipeline.make``, the
path every document takes), so the record names exactly its questions and the content they
came from: a result for a question the sheet did not ask, or none for one it did, is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from procguide import __version__
from procguide.errors import UsageError
from procguide.record.line import FORMAT_ID, RecordLine
from procguide.record.ticked import Ticked, shown

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from procguide.config import Settings
    from procguide.content.library import Library
    from procguide.document.types import Document

_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2})(:\d{2})?(Z|[+-]\d{2}:\d{2})?")
URI_SYSTEM = "urn:ietf:rfc:3986"
"""The system of an identifier that is itself a URI (urn:uuid:…), as FHIR writes it."""


@dataclass(frozen=True)
class Made:
    """A checked record and the sheet it records, for messages and for FHIR."""

    line: RecordLine
    sheet: Document


def make(ticked: Ticked, settings: Settings, library: Library) -> Made:
    """The record of ``ticked``; raises UsageError naming the key that does not fit the sheet."""
    from procguide.document.patient import Personal
    from procguide.document.schedule import zone_named
    from procguide.pipeline import make as make_sheet

    entry = library.find(ticked.procedure)
    personal = Personal.read(flags=ticked.flags, no_flags=ticked.no_flags)
    sheet = make_sheet(
        entry,
        personal,
        settings.clinic,
        lang=ticked.lang or settings.language,
        view="handout",
        kind="teach-back",
        library_dirs=library.dirs,
        templates_dir=settings.templates_dir,
    ).data
    stamp = sheet["stamp"]
    if ticked.content is not None and not stamp["content_sha256"].startswith(ticked.content):
        raise UsageError(
            "is not the content of this procedure now: the sheet was made from another version",
            hint=f"teach from a sheet made now (content {stamp['content']})",
            field="content",
        )
    record: dict[str, Any] = {
        "format": FORMAT_ID,
        "procguide": __version__,
        "patient": {"id": ticked.patient_id, "system": ticked.patient_id_system},
        "procedure": sheet["procedure"]["id"],
        "flags": [flag["name"] for flag in sheet["flags"]],
        "language": sheet["language"],
        "content_sha256": stamp["content_sha256"],
        "translation_sha256": stamp.get("translation_sha256"),
        "learners": list(ticked.learners),
        "interpreter": {"used": ticked.interpreter is not None, "language": ticked.interpreter},
        "barriers": list(ticked.barriers),
        "methods": list(ticked.methods),
        "questions": _questions(ticked, sheet),
        "response": ticked.response,
        "nurse": ticked.nurse,
        "time": taught_at(ticked.time, zone_named(settings.clinic.timezone)),
        # The handout's FHIR DocumentReference is known by a URI (urn:uuid:…).
        "handout": {"system": URI_SYSTEM, "value": ticked.handout_id}
        if ticked.handout_id
        else None,
    }
    return Made(RecordLine.model_validate(record), sheet)


def _questions(ticked: Ticked, sheet: Document) -> list[dict[str, Any]]:
    """Every question of the sheet with its result: none missing, none the sheet lacks."""
    asked = {q["id"]: q for q in sheet.get("teach_back", [])}
    results = dict(ticked.results)
    names = ", ".join(asked) or "none"
    for question in results:
        if question not in asked:
            raise UsageError(
                f"{shown(question, list(asked), 'a question given')} is not a question of this "
                "sheet",
                hint=f"its questions: {names}",
                field="results",
            )
    for question in asked:
        if question not in results:
            raise UsageError(
                f"no result for the question '{question}'",
                hint=f"give every question on the sheet a result: {names}",
                field="results",
            )
    if ticked.response == "understood":
        missed = [q for q, result in ticked.results if result == "not-achieved"]
        if missed:
            raise UsageError(
                f"is understood, but the question '{missed[0]}' was not achieved",
                hint="record needs-teaching or not-achieved",
                field="response",
            )
    return [
        {"id": question, "checks": asked[question]["checks"], "result": results[question]}
        for question in asked
    ]


def taught_at(text: str, zone: ZoneInfo) -> str:
    """``2026-12-01T11:40`` in the clinic's zone (or with its own offset), in ISO 8601.

    A time the clocks skip or repeat in the zone is refused, as for a procedure's start.
    """
    from procguide.document.schedule import make_appointment, parse_date, parse_time

    match = _TIME.fullmatch(text)
    if match is None:
        raise UsageError(
            "is not a date and time",
            hint="write YYYY-MM-DDTHH:MM, for example 2026-12-01T11:40",
            field="time",
        )
    try:
        if match[4]:
            when = datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
        else:
            day, at = parse_date(match[1]), parse_time(match[2])
            when = make_appointment(day, at, zone).start
            if match[3]:
                when = when.replace(second=int(match[3][1:]))
    except (UsageError, ValueError) as error:
        message = error.message if isinstance(error, UsageError) else "is not a real date and time"
        raise UsageError(message, field="time") from None
    return when.isoformat(timespec="seconds")
