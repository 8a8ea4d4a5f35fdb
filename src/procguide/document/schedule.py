"""Turn offsets into real dates and clock times in the clinic's time zone.

Rules, chosen so that a patient is never told a time that is wrong by an hour:
- Minutes and hours are elapsed time, counted across daylight-saving changes: 6 hours before
  09:30 on the morning after the clocks change is 6 real hours earlier.
- Days and weeks are calendar days: they land on a date, never on a clock time.
- A time that does not exist on the day (the clocks skip it) or happens twice (the clocks go
  back) is refused, because any guess could put a fasting cut-off in the wrong hour.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from procguide.content.offsets import Offset
from procguide.errors import UsageError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
FIRST_YEAR, LAST_YEAR = 1900, 2999


@dataclass(frozen=True)
class Appointment:
    """When the procedure starts, in the clinic's time zone."""

    start: datetime
    zone: ZoneInfo

    def before(self, offset: Offset) -> datetime | date:
        """The moment ``offset`` before the start: a datetime for hours, a date for days."""
        if offset.is_calendar:
            return self.start.date() - timedelta(days=offset.days)
        return (self.start.astimezone(UTC) - offset.delta).astimezone(self.zone)

    def after(self, offset: Offset) -> date:
        """The date ``offset`` after the start. Recovery and follow-up land on dates."""
        if offset.is_calendar:
            return self.start.date() + timedelta(days=offset.days)
        return (self.start.astimezone(UTC) + offset.delta).astimezone(self.zone).date()

    def later(self, offset: Offset) -> datetime | date:
        """The moment ``offset`` after the start: a datetime for hours, a date for days.

        Hours and minutes are elapsed time, so a clock change in between moves the clock
        time, never the instant.
        """
        if offset.is_calendar:
            return self.after(offset)
        return (self.start.astimezone(UTC) + offset.delta).astimezone(self.zone)

    def last_dose(self, offset: Offset) -> datetime | date:
        """When to take the last dose of a medicine held for ``offset`` before the procedure.

        ``7d`` means seven whole days without the medicine before the procedure day, so the
        last dose is eight days before; ``24h`` means the last dose is 24 hours before.
        """
        if offset.is_calendar:
            return self.start.date() - timedelta(days=offset.days + 1)
        return self.before(offset)


def parse_date(text: str) -> date:
    """Read ``YYYY-MM-DD``; anything else (01/02/2026 could be two dates) is refused."""
    value = text.strip()
    if not _DATE.fullmatch(value):
        raise UsageError(
            "is not a date in YYYY-MM-DD form",
            hint="for example 2026-12-01; other forms such as 01/02/2026 can be read two ways",
            field="date",
        )
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            "is not a real date", hint="check the month and day", field="date"
        ) from None
    # Offsets reach 9999 weeks (about 192 years) either way; beyond these years the
    # calendar arithmetic would overflow, and no procedure is booked there anyway.
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(
            "is not a plausible procedure date",
            hint=f"use a year from {FIRST_YEAR} to {LAST_YEAR}",
            field="date",
        )
    return day


def parse_time(text: str) -> time:
    """Read a 24-hour ``HH:MM``."""
    match = _TIME.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise UsageError(
            "is not a 24-hour time",
            hint="use HH:MM, for example 09:30 or 14:00",
            field="time",
        )
    return time(int(match[1]), int(match[2]))


def zone_named(name: str | None) -> ZoneInfo:
    """The clinic's zone, else this computer's (``$TZ`` or /etc/localtime), else UTC."""
    if name:
        candidates: list[Callable[[], str | None]] = [lambda: name]
    else:
        candidates = [lambda: os.environ.get("TZ", "").lstrip(":"), _system_zone]
    for find in candidates:
        candidate = find()
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                # OSError: a folder such as "America", or a name too long for a file.
                if name:
                    raise UsageError(f"unknown time zone '{name}'") from None
    return ZoneInfo("UTC")


@functools.cache  # once a process: a batch asks for every row, and all its rows share it
def _system_zone() -> str | None:
    link = Path("/etc/localtime")
    try:
        target = str(link.resolve())
    except OSError:
        return None
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None


def make_appointment(day: date, at: time, zone: ZoneInfo) -> Appointment:
    """The appointment at ``day`` ``at`` in ``zone``; refuses skipped and repeated times."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    when = f"{at:%H:%M} on {day.isoformat()} in {zone.key}"
    if round_trip != naive:
        raise UsageError(
            f"{when} does not exist: the clocks go forward then",
            hint="choose a time outside the skipped hour",
        )
    if first.utcoffset() != second.utcoffset():
        raise UsageError(
            f"{when} happens twice: the clocks go back then",
            hint="choose a time outside the repeated hour",
        )
    return Appointment(first, zone)
