"""The patient and appointment details a clinician gives, checked as they arrive.

Whoever collects them (the command line, a batch roster) passes raw text; errors name the
field (``date``, ``hold``...) and never its value's text where it could be a name, so each
caller words the field for its user.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, time

from procguide.characters import is_invisible, is_joiner_in_a_word
from procguide.content.offsets import HELP, Offset
from procguide.errors import UsageError

MAX_FIELD = 500


@dataclass(frozen=True)
class Hold:
    """A medicine the clinician asks the patient to pause, and for how long."""

    medicine: str
    offset: Offset
    restart: Offset | None = None
    """When to start it again after the procedure, if the clinician says; else a write-in."""

    @classmethod
    def parse(cls, text: str) -> Hold:
        """Read ``DRUG=OFFSET`` such as ``clopidogrel=7d``."""
        name, sep, amount = text.partition("=")
        name = clean_text(name, "hold")
        if not sep or not name or not amount.strip():
            raise UsageError(
                "needs a medicine and how long before",
                hint="for example clopidogrel=7d",
                field="hold",
            )
        try:
            offset = Offset.parse(amount)
        except ValueError:
            raise UsageError(f"the time is not clear: {HELP}", field="hold") from None
        if offset.minutes == 0:
            raise UsageError(
                "a hold of 0 pauses nothing",
                hint="give how long before the procedure, for example clopidogrel=7d",
                field="hold",
            )
        return cls(name, offset)


@dataclass(frozen=True)
class Personal:
    """What the clinician tells procguide about this patient and appointment."""

    patient: str | None = None
    clinician: str | None = None
    note: str | None = None
    day: date | None = None
    at: time | None = None
    flags: frozenset[str] = frozenset()
    """Flags the clinician turned on."""
    no_flags: frozenset[str] = frozenset()
    """Flags the clinician turned off, among those a procedure turns on by default."""
    holds: tuple[Hold, ...] = ()
    mrn: str | None = None
    """The patient's medical record number, for documents sent back to the chart (FHIR)."""
    activity: str | None = None
    """The activity a diary asks the patient to try before each score (``--activity``)."""
    bring_back: Offset | None = None
    """When, after the procedure, the diary comes back (``--bring-back``)."""

    @classmethod
    def read(
        cls,
        *,
        patient: str | None = None,
        clinician: str | None = None,
        note: str | None = None,
        day: str | None = None,
        at: str | None = None,
        flags: tuple[str, ...] | list[str] = (),
        no_flags: tuple[str, ...] | list[str] = (),
        holds: tuple[str, ...] | list[str] = (),
        restarts: tuple[str, ...] | list[str] = (),
        mrn: str | None = None,
        activity: str | None = None,
        bring_back: str | None = None,
    ) -> Personal:
        """Check and collect details given as text; raise UsageError naming the field."""
        from procguide.document.schedule import parse_date, parse_time

        def text(value: str | None, field: str) -> str | None:
            return clean_text(value, field) or None if value is not None else None

        parsed = tuple(Hold.parse(h) for h in holds)
        medicines = [h.medicine.casefold() for h in parsed]
        if len(set(medicines)) != len(medicines):
            raise UsageError("names the same medicine twice", field="hold")
        parsed = _with_restarts(parsed, restarts)
        return cls(
            patient=text(patient, "patient"),
            clinician=text(clinician, "clinician"),
            note=text(note, "note"),
            day=parse_date(day) if day is not None else None,
            at=parse_time(at) if at is not None else None,
            flags=frozenset(f.strip().lower() for f in flags),
            no_flags=frozenset(f.strip().lower() for f in no_flags),
            holds=parsed,
            mrn=text(mrn, "mrn"),
            activity=text(activity, "activity"),
            bring_back=_offset_after(bring_back, "bring_back"),
        )


def clean_text(value: str, field: str) -> str:
    """Collapse white space; refuse control characters that could hide or fake text.

    ``field`` names the value in an error (``patient``, ``note``...); never its text, which
    may be a patient's name.
    """
    for index, char in enumerate(value):
        if unicodedata.category(char) == "Cs":
            # Python keeps bytes that are not UTF-8 (from a command line or a file) as these.
            raise UsageError(
                f"is not UTF-8 text (byte 0x{ord(char) & 0xFF:02X})",
                hint="check the encoding of the terminal, script or file it came from",
                field=field,
            )
        if is_invisible(char) and not is_joiner_in_a_word(value, index):
            raise UsageError(
                f"contains an invisible control character (U+{ord(char):04X})", field=field
            )
    text = " ".join(value.split())
    if len(text) > MAX_FIELD:
        raise UsageError(f"is longer than {MAX_FIELD} characters", field=field)
    return text


def _with_restarts(
    holds: tuple[Hold, ...], restarts: tuple[str, ...] | list[str]
) -> tuple[Hold, ...]:
    """``holds`` with the restart the clinician gave for each, as ``DRUG=OFFSET`` after."""
    after: dict[str, Offset] = {}
    for text in restarts:
        name, sep, amount = text.partition("=")
        key = clean_text(name, "restart").casefold()
        if not sep or not key or not amount.strip():
            raise UsageError(
                "needs a medicine and how long after",
                hint="for example clopidogrel=1d",
                field="restart",
            )
        if key not in {h.medicine.casefold() for h in holds}:
            raise UsageError(
                "names a medicine that no hold pauses",
                hint="give the hold too, for example clopidogrel=7d",
                field="restart",
            )
        if key in after:
            raise UsageError("names the same medicine twice", field="restart")
        try:
            after[key] = Offset.parse(amount)
        except ValueError:
            raise UsageError(f"the time is not clear: {HELP}", field="restart") from None
    return tuple(Hold(h.medicine, h.offset, after.get(h.medicine.casefold())) for h in holds)


def _offset_after(value: str | None, field: str) -> Offset | None:
    """An offset after the procedure given on the command line, such as ``7d``."""
    if value is None:
        return None
    try:
        offset = Offset.parse(value)
    except ValueError:
        raise UsageError(f"the time is not clear: {HELP}", field=field) from None
    if offset.minutes == 0:
        raise UsageError("0 is the procedure itself", hint="for example 7d", field=field)
    return offset
