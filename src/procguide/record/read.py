"""Teaching events from a file: a JSON object (or a list of them), or a CSV with a header.

A JSON object's keys and a CSV's columns are the keys of ``ticked.KEYS``; in CSV, and in JSON
if you like, a list is text separated by semicolons (``patient;escort``, and results as
``get-help=correct;activity=retaught``). Each event read is tagged with where it came from, so
a message can say "item 2" or "row 3 (line 4)".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procguide.errors import UsageError
from procguide.record.ticked import KEYS

MAX_BYTES = 1_000_000
"""A day's teaching fits many times over; anything larger is not a teaching file."""
MAX_EVENTS = 10_000


@dataclass(frozen=True)
class Event:
    """One teaching event's raw keys, and where in the file it is."""

    raw: dict[str, Any]
    where: str
    """``item 2`` of a JSON list, ``row 3 (line 4)`` of a CSV, or empty for one object."""
    column_words: bool
    """Whether its keys are a CSV's columns ("the results column") rather than JSON keys."""


def read_events(path: Path) -> list[Event]:
    """Every event in the file at ``path``; raises UsageError saying what is wrong with it."""
    try:
        data = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}", field="from") from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"{path} is larger than {MAX_BYTES:,} bytes", field="from")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text", field="from") from None
    events = _json(text, path) if text.lstrip()[:1] in ("{", "[") else list(_csv(text, path))
    if not events:
        raise UsageError(f"{path} holds no teaching event", field="from")
    if len(events) > MAX_EVENTS:
        raise UsageError(f"{path} holds more than {MAX_EVENTS:,} events", field="from")
    return events


def _json(text: str, path: Path) -> list[Event]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        line = getattr(error, "lineno", None)
        where = f" (line {line})" if line else ""
        raise UsageError(f"{path} is not valid JSON{where}", field="from") from None
    if isinstance(data, dict):
        return [Event(data, "", False)]
    if isinstance(data, list) and all(isinstance(item, dict) for item in data):
        return [Event(item, f"item {n}", False) for n, item in enumerate(data, 1)]
    raise UsageError(
        f"{path} must hold a teaching event (a JSON object) or a list of them", field="from"
    )


def _csv(text: str, path: Path) -> Iterator[Event]:
    sample = text[:4096]
    delimiter = next((d for d in (",", ";", "\t") if d in sample.splitlines()[0]), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        return
    for name in header:
        if name not in KEYS:
            raise UsageError(
                f"{path}: a column is not a field of a teaching record",
                hint="columns: " + ", ".join(KEYS),
                field="from",
            )
    try:
        for number, row in enumerate(reader, 1):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise UsageError(
                    f"{path}: row {number} (line {reader.line_num}) has more cells than the header",
                    field="from",
                )
            raw = {name: cell for name, cell in zip(header, row, strict=False) if cell.strip()}
            yield Event(raw, f"row {number} (line {reader.line_num})", True)
    except csv.Error:
        raise UsageError(f"{path}: line {reader.line_num} is not a CSV row", field="from") from None
