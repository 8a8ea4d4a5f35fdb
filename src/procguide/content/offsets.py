"""Offsets such as ``6h`` or ``2w``: how far from the procedure something happens.

Offsets are written with one whole number and one unit. Anything that could be read two
ways is refused: ``1m`` (minute or month?), ``1.5h``, a bare ``6``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_UNITS = {"min": "minute", "h": "hour", "d": "day", "w": "week"}
# ASCII digits only: "١h" or a full-width "６h" is not what a reviewer reads as 6h.
_PATTERN = re.compile(r"(\d{1,4})\s*(min|h|d|w)", re.ASCII)
HELP = "write a whole number and one unit: 30min, 6h, 2d or 2w"


@dataclass(frozen=True, order=True)
class Offset:
    """A whole number of minutes, hours, days or weeks."""

    minutes: int
    amount: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Offset:
        """Read ``text`` such as ``"6h"``; raise ValueError with a fix when it is unclear."""
        match = _PATTERN.fullmatch(text.strip())
        if match is None:
            shown = text if len(text) <= 40 else text[:39] + "…"
            raise ValueError(f"{shown!r} is not a clear offset: {HELP}")
        amount, unit = int(match[1]), match[2]
        factor = {"min": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}[unit]
        return cls(amount * factor, amount, unit)

    @property
    def is_calendar(self) -> bool:
        """True for days and weeks, which land on a date rather than a clock time."""
        return self.unit in ("d", "w")

    @property
    def days(self) -> int:
        """Whole days, for calendar offsets."""
        return self.amount * (7 if self.unit == "w" else 1)

    @property
    def delta(self) -> timedelta:
        """The offset as elapsed time."""
        return timedelta(minutes=self.minutes)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"
