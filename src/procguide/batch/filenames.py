"""Output file names for a batch: from a pattern, safe on every system, never shared.

A name is built from roster values, which are patient data: each value is made safe on its
own, so a patient called ``../../etc`` or ``CON`` cannot reach outside the output folder or
name a device on Windows. Two rows that would share a name get ``-2``, ``-3`` in row order,
compared without case, because Windows and macOS disks do not tell ``Jane`` from ``jane``.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from collections.abc import Mapping

from procguide.characters import visible
from procguide.errors import UsageError

DEFAULT_PATTERN = "{date}_{procedure}_{patient}"
FIELDS = ("date", "time", "procedure", "patient", "clinician", "kind", "row")
"""What a name pattern may use."""
MAX_BYTES = 120
"""Longest name before the suffix and extension, in UTF-8 bytes.

Far under the 255 bytes file systems allow, leaving room for ``-2``, the extension, the
temporary name an atomic write uses beside it, and deep folders on Windows.
"""

# Not allowed in a Windows file name (and / anywhere); each becomes a hyphen.
_UNSAFE = re.compile(r'[<>:"/\\|?*\s]+')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    "CONIN$",
    "CONOUT$",
    *(f"COM{n}" for n in "123456789¹²³"),
    *(f"LPT{n}" for n in "123456789¹²³"),
}
# A leading "-" would read as an option to shell tools, "=+@" as a spreadsheet formula,
# "." as a hidden file; a trailing dot or space is dropped by Windows.
_LEAD = "-+=@._ "
_TRAIL = "-._ "

Pattern = list[tuple[str, str | None]]


def parse_pattern(pattern: str) -> Pattern:
    """Check ``pattern`` and split it into (literal text, field) pairs; raise UsageError."""
    valid = f"fields: {', '.join('{' + f + '}' for f in FIELDS)}"
    if not pattern.strip():
        raise UsageError("the pattern is empty", hint=valid, field="name")
    if any(sep in pattern for sep in "/\\"):
        raise UsageError(
            "the pattern may not contain / or \\", hint="names only, no folders", field="name"
        )
    parts: Pattern = []
    try:
        for literal, name, spec, conversion in string.Formatter().parse(pattern):
            if name is not None and (name not in FIELDS or spec or conversion):
                raise UsageError(
                    f"the pattern has an unknown field '{{{name}}}'", hint=valid, field="name"
                )
            parts.append((literal, name))
    except ValueError as error:
        raise UsageError(f"the pattern is malformed: {error}", hint=valid, field="name") from None
    return parts


def build_name(pattern: Pattern, values: Mapping[str, str], row: int) -> str:
    """The safe file name (without extension) for one row."""
    pieces = [
        literal + (_trim(_safe_piece(values.get(name, ""))) if name else "")
        for literal, name in pattern
    ]
    return safe_name("".join(pieces), row)


def safe_name(text: str, row: int) -> str:
    """``text`` as a file name that is valid, harmless and short everywhere."""
    name = _safe_piece(text)
    # "../" became ".-": a run of dots and hyphens with a hyphen in it is one hyphen.
    name = re.sub(r"[.-]*-[.-]*", "-", name)
    name = re.sub(r"\.{2,}", ".", name)
    name = name.lstrip(_LEAD).rstrip(_TRAIL)
    encoded = name.encode()
    if len(encoded) > MAX_BYTES:
        name = encoded[:MAX_BYTES].decode(errors="ignore").rstrip(_TRAIL)
    if name.split(".")[0].upper() in _RESERVED:
        name = f"{name}_"
    return name or f"row-{row}"


def _trim(value: str) -> str:
    value = re.sub(r"[.-]*-[.-]*", "-", value)
    return value.lstrip(_LEAD).rstrip(_TRAIL)


def _safe_piece(value: str) -> str:
    value = _UNSAFE.sub("-", unicodedata.normalize("NFC", value))
    # Control and format characters could hide text or end the name early: drop them.
    return visible(value)


class NameBook:
    """Hands out names in row order, adding ``-2``, ``-3`` when one is already taken.

    It keeps an 8-byte digest of each name rather than the name: half the memory (about
    8 MB per 100,000 rows). Two names sharing a digest (a chance of about 1 in 4 billion in
    a 100,000-row batch) would only give the second one a ``-2``, never the same file.
    """

    def __init__(self) -> None:
        self._taken: set[int] = set()

    def claim(self, name: str) -> str:
        """``name``, or the first of ``name-2``, ``name-3``... that no earlier row has."""
        candidate, number = name, 2
        while self.taken(candidate):
            candidate = f"{name}-{number}"
            number += 1
        self._taken.add(_digest(candidate))
        return candidate

    def taken(self, name: str) -> bool:
        """Whether a row of this batch has ``name``."""
        return _digest(name) in self._taken


def _digest(name: str) -> int:
    # Case-folded: on a case-insensitive disk, Jane.txt and jane.txt are one file.
    digest = hashlib.blake2b(name.casefold().encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")
