"""What the scheduling-system readers (HL7 v2 SIU, FHIR Appointment) hand to the roster.

A message becomes one row with the roster's columns. ``labels`` names where in the message
each column came from (``AIS-4``, ``Appointment.start``), so an error says where to look
rather than "the date column"; ``skip`` says why a message gets no handout (cancelled, or
replaced by a later message about the same appointment). ``start`` is the appointment's
time as sent, an ISO 8601 time with its UTC offset when it has one: the batch puts it into
the clinic's zone (``batch.scheduled``). Nothing here ever quotes a value: it may name a
patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

START = "start"
"""The key of the appointment's time, before it becomes the date and time columns."""
IDENTIFIERS = "identifiers"
"""The key of every identifier a FHIR Patient has (``system``, ``value``, ``mr``), from which
the batch takes the one in ``clinic.mrn_system``."""

# ISO 639-2 codes that scheduling systems send for the languages of the ISO 639-1 codes
# procguide's catalogs use (both codes name the same language; nothing is guessed).
THREE_LETTER = {
    "eng": "en",
    "spa": "es",
    "fre": "fr",
    "fra": "fr",
    "ger": "de",
    "deu": "de",
    "por": "pt",
    "ita": "it",
    "chi": "zh",
    "zho": "zh",
    "vie": "vi",
    "kor": "ko",
    "rus": "ru",
    "ara": "ar",
}
_DTM = re.compile(
    r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d{1,4})?(?:([+-])(\d{2})(\d{2}))?",
    re.ASCII,
)


@dataclass
class Message:
    """One appointment as read: the roster's columns, or why it cannot be made."""

    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    skip: str | None = None
    labels: dict[str, str] = field(default_factory=dict)


def placed(message: Message, where: str) -> Message:
    """``message`` with ``where`` it is (``message 3``) before its error or reason to skip."""
    for kind in ("error", "skip"):
        text = getattr(message, kind)
        if text is not None:
            setattr(message, kind, f"{where}: {text}")
    return message


class Broken(Exception):
    """One message cannot be read; the text names the place, never the value."""


def language(code: str | None) -> str | None:
    """A language code as procguide writes it: ``es`` for ``es``, ``ES`` or ``spa``."""
    if not code or not code.strip():
        return None
    text = code.strip().lower()
    return THREE_LETTER.get(text, text)


def hl7_time(text: str, where: str) -> str:
    """An HL7 v2 date and time (``YYYYMMDDHHMM[SS][+-ZZZZ]``) as ISO 8601.

    With its UTC offset when it has one; without, it is the clinic's own time. A value
    without minutes cannot say when a fast starts and is refused.
    """
    match = _DTM.fullmatch(text.strip())
    if match is None:
        raise Broken(f"{where}: not a date and time to the minute (YYYYMMDDHHMM[+-ZZZZ])")
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
        if sign:
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            moment = moment.replace(tzinfo=timezone(-offset if sign == "-" else offset))
    except ValueError:
        raise Broken(f"{where}: not a real date and time") from None
    return moment.isoformat()


def person(*parts: str | None) -> str | None:
    """A name from its parts, in the order given, as the sender spelled them."""
    name = " ".join(p.strip() for p in parts if p and p.strip())
    return name or None
