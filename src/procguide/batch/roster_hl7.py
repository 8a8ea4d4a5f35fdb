r"""Rosters from a scheduling system's HL7 v2 feed: SIU^S12, S13 and S14 messages.

One or many messages a file, with or without MLLP framing (0x0B before a message, 0x1C 0x0D
after it), segments ended by ``\r``, ``\n`` or both; FHS/BHS/BTS/FTS batch envelopes are
passed over. The framing and segments are checked here, strictly; fields are read with
python-hl7 (the ``hl7`` extra), which also undoes HL7's escapes (``\T\`` is ``&``).

Every message is a row, in file order. The last message about an appointment (SCH-2, else
SCH-1) is the one that counts: an earlier one is skipped as replaced, so a booking moved or
cancelled later in the same file never gets a sheet for its old time. A cancellation
(S15), deletion (S17), discontinuation (S16) or no-show (S26) is skipped, never made.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from procguide.batch.messages import START, Broken, Message, hl7_time, language, person, placed
from procguide.errors import MissingDependencyError

MAKE = {"S12": "booked", "S13": "rescheduled", "S14": "changed"}
SKIP = {"S15": "cancelled", "S16": "discontinued", "S17": "deleted", "S26": "a no-show"}
ENVELOPE = ("FHS", "BHS", "BTS", "FTS")
LABELS = {
    "patient": "PID-5 (patient name)",
    "mrn": "PID-3 (patient identifier)",
    "lang": "PID-15 (primary language)",
    "date": "AIS-4 (start)",
    "time": "AIS-4 (start)",
    "procedure": "AIS-3 (procedure code)",
    "clinician": "AIP-3 (personnel)",
}
_SEGMENT = re.compile(r"[A-Z][A-Z0-9]{2}", re.ASCII)
_START_BLOCK, _END_BLOCK = "\x0b", "\x1c"

Segments = list[str]


def hl7_messages(text: io.TextIOWrapper) -> Iterator[Message]:
    """Each message of the feed as a row; a broken one is a row error naming its place."""
    try:
        import hl7
    except ImportError:
        raise MissingDependencyError(
            "reading HL7 messages needs python-hl7", hint='pip install "procguide[hl7]"'
        ) from None
    last: dict[str, int] = {}
    for number, segments in enumerate(_split(text), start=1):
        key = _appointment_key(segments)
        if key:
            last[key] = number
    text.seek(0)
    for number, segments in enumerate(_split(text), start=1):
        key = _appointment_key(segments)
        if key and last[key] != number:
            later = f"replaced by message {last[key]}, about the same appointment (SCH-2)"
            yield placed(Message(skip=later, labels=dict(LABELS)), f"message {number}")
            continue
        try:
            message = _read(hl7, segments)
        except Broken as problem:
            message = Message(error=str(problem), labels=dict(LABELS))
        # Messages are rows in file order; saying "message" tells where to look in a feed.
        yield placed(message, f"message {number}")


def _split(text: io.TextIOWrapper) -> Iterator[Segments]:
    """The messages of the file, each as its segments (MSH first), checked for shape."""
    message: Segments = []
    first = True
    while raw := text.readline():
        line = raw.rstrip("\r\n")
        if first:
            line, first = line.lstrip("\ufeff"), False
        ended = False
        if line.startswith(_START_BLOCK):
            if message:
                yield message
                message = []
            line = line[1:]
        if _END_BLOCK in line:
            line, _, rest = line.partition(_END_BLOCK)
            ended = True
            if rest.strip():
                raise _file_error("text after an MLLP end-of-block (0x1C) on the same line")
        if line.strip():
            if line.startswith("MSH") and message:
                yield message
                message = []
            if not line.startswith(ENVELOPE):
                if not message and not line.startswith("MSH"):
                    raise _file_error("a segment comes before any MSH segment")
                message.append(line)
        if ended and message:
            yield message
            message = []
    if message:
        yield message


def _file_error(why: str) -> Exception:
    from procguide.errors import UsageError

    return UsageError(f"the roster is not an HL7 v2 message file: {why}")


def _appointment_key(segments: Segments) -> str:
    """The appointment's id (SCH-2, else SCH-1), to find the last message about it."""
    for segment in segments:
        if segment.startswith("SCH") and len(segment) > 3:
            fields = segment.split(segment[3])
            for index in (2, 1):
                if len(fields) > index and fields[index].strip():
                    return f"{index}:{fields[index].strip()}"
    return ""


def _read(hl7: Any, segments: Segments) -> Message:
    """One message's row, or Broken naming the segment and field that cannot be read."""
    separator = segments[0][3:4]
    for index, segment in enumerate(segments, start=1):
        if not _SEGMENT.match(segment) or (len(segment) > 3 and segment[3] != separator):
            raise Broken(f"segment {index} is not an HL7 segment (three letters or digits, then |)")
    header = segments[0]
    if len(header) < 8 or header[3] in "^~\\&" or not header[4:8].isascii():
        raise Broken("the MSH segment has no field separator and encoding characters")
    try:
        message = hl7.parse("\r".join(segments))
    except Exception:  # python-hl7 raises several kinds for a broken header
        raise Broken("the MSH segment cannot be read") from None
    kind, event = _get(message, "MSH.F9.R1.C1"), _get(message, "MSH.F9.R1.C2")
    if kind != "SIU":
        raise Broken("MSH-9: not an appointment (SIU) message")
    if event in SKIP:
        return Message(skip=f"the appointment is {SKIP[event]} (SIU^{event})", labels=dict(LABELS))
    if event not in MAKE:
        raise Broken("MSH-9: an SIU event procguide does not make sheets for (S12, S13, S14)")
    for needed in ("SCH", "PID", "AIS"):
        if not any(s.startswith(needed) for s in segments):
            raise Broken(f"the message has no {needed} segment")
    return Message(values=_values(message), labels=dict(LABELS))


def _values(message: Any) -> dict[str, Any]:
    start = _get(message, "AIS.F4.R1.C1") or _get(message, "SCH.F11.R1.C4")
    if not start:
        raise Broken("AIS-4 (start) and SCH-11 are both empty")
    where = "AIS-4 (start)" if _get(message, "AIS.F4.R1.C1") else "SCH-11 (start)"
    family, given, middle, suffix = (_get(message, f"PID.F5.R1.C{c}") for c in (1, 2, 3, 4))
    values: dict[str, Any] = {
        "procedure": _get(message, "AIS.F3.R1.C1") or None,
        "patient": person(given, middle, family, suffix),
        "mrn": _record_number(message),
        START: hl7_time(start, where),
        "clinician": _clinician(message),
        "lang": language(_get(message, "PID.F15.R1.C1")),
    }
    for column, label in (("procedure", "AIS-3"), ("patient", "PID-5"), ("mrn", "PID-3")):
        if not values[column]:
            raise Broken(f"{label} is empty")
    return {k: v for k, v in values.items() if v is not None}


def _record_number(message: Any) -> str | None:
    """PID-3's medical record number (type MR), else its first identifier."""
    found = []
    for repeat in range(1, 21):
        value = _get(message, f"PID.F3.R{repeat}.C1")
        if not value:
            break
        found.append((_get(message, f"PID.F3.R{repeat}.C5"), value))
    chosen = next((v for t, v in found if t == "MR"), found[0][1] if found else None)
    return chosen


def _clinician(message: Any) -> str | None:
    """AIP-3, the person doing the procedure: prefix, given name, family name."""
    parts = (_get(message, f"AIP.F3.R1.C{c}") for c in (6, 3, 4, 2, 5))
    return person(*parts)


def _get(message: Any, path: str) -> str:
    """The value at ``path`` (``PID.F5.R1.C2``), unescaped, or "" when there is none."""
    try:
        value = message[path]
    except (KeyError, IndexError):
        return ""
    return str(value).strip()
