"""Rows from a scheduling system, made into roster rows with the clinic's settings.

The appointment's time, sent with its UTC offset, becomes the date and time on the clinic's
clock (``clinic.timezone``): 09:30-05:00 for a clinic in New York in July is 10:30. A time
sent without an offset is already the clinic's. The code the system sends for the
procedure is looked up in ``scheduling.codes`` (the procedure and the flags it always
has); a code not there goes to the library as it is, which knows procedures by CPT code.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

from procguide.batch.messages import IDENTIFIERS, START

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from procguide.batch.roster import RawRow
    from procguide.config import Settings


class Scheduled:
    """Turns message rows into roster rows; table rows pass through unchanged."""

    def __init__(self, settings: Settings) -> None:
        self.codes = settings.scheduling.codes
        self.timezone = settings.clinic.timezone
        self.mrn_system = settings.clinic.mrn_system
        self._zone: ZoneInfo | None = None

    def adapt(self, raw: RawRow) -> RawRow:
        """``raw`` with the clinic's date and time, and the procedure and flags of its code."""
        if START not in raw.values:
            return raw
        values: dict[str, Any] = dict(raw.values)
        start = values.pop(START)
        try:
            moment = datetime.fromisoformat(start)
        except ValueError:
            label = raw.labels.get("date", "the start")
            return dataclasses.replace(raw, values=values, error=f"{label}: not a date and time")
        if moment.tzinfo is not None:
            moment = moment.astimezone(self.zone())
        values.update(date=moment.date().isoformat(), time=f"{moment:%H:%M}")
        identifiers = values.pop(IDENTIFIERS, None)
        if identifiers and self.mrn_system:
            ours = [i["value"] for i in identifiers if i["system"] == self.mrn_system]
            if ours:
                values["mrn"] = ours[0]
            elif all(i["system"] for i in identifiers):
                # Another organisation's number, filed under ours, would be another patient.
                label = raw.labels.get("mrn", "the identifier")
                error = f"{label}: none is in clinic.mrn_system, the clinic's record numbers"
                return dataclasses.replace(raw, values=values, error=error)
        mapped = self.codes.get(str(values.get("procedure", "")).strip())
        if mapped is not None:
            values["procedure"] = mapped.procedure
            values["flags"] = list(mapped.flags)
        return dataclasses.replace(raw, values=values)

    def zone(self) -> ZoneInfo:
        """The clinic's zone (else this computer's), looked up once."""
        if self._zone is None:
            from procguide.document.schedule import zone_named

            self._zone = zone_named(self.timezone)
        return self._zone
