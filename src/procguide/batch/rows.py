"""Checking one roster row: each value as text, each error naming the column.

An error never quotes the value itself: a row's text may be a patient's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procguide.batch.roster import COLUMNS, REQUIRED, RawRow
from procguide.document.patient import clean_text
from procguide.errors import UsageError

_LIST_SPLIT = re.compile(r"[;,]")


@dataclass(frozen=True)
class Fields:
    """The checked values of one row."""

    procedure: str
    patient: str
    date: str
    time: str
    clinician: str | None = None
    flags: tuple[str, ...] = ()
    no_flags: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    restarts: tuple[str, ...] = ()
    note: str | None = None
    output: str | None = None
    lang: str | None = None
    mrn: str | None = None
    activity: str | None = None
    bring_back: str | None = None


class RowError(Exception):
    """Raised for a row that cannot be made; the message never quotes the patient."""


def check(row: RawRow) -> Fields:
    """The row's values, checked; raise RowError naming the column (never the patient)."""
    if row.error is not None:
        raise RowError(row.error)
    values = row.values
    labels = row.labels

    def text(column: str) -> str | None:
        value = values.get(column)
        if value is None:
            return None
        if not isinstance(value, str):
            raise RowError(f"{column} must be text, not {_json_kind(value)}")
        return _clean(value, column, labels) or None

    def listed(column: str) -> tuple[str, ...]:
        value = values.get(column)
        if value is None:
            return ()
        if isinstance(value, str):
            parts = _LIST_SPLIT.split(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            parts = value
        else:
            raise RowError(f"{column} must be text separated by ';' or a list of text")
        return tuple(p for p in (_clean(part, column, labels) for part in parts) if p)

    found = {column: text(column) for column in COLUMNS if column not in _LISTS}
    for column in REQUIRED:
        if found[column] is None:
            missing = f"{labels[column]} is empty" if column in labels else f"{column} is missing"
            raise RowError(missing)
    return Fields(
        procedure=found["procedure"] or "",
        patient=found["patient"] or "",
        date=found["date"] or "",
        time=found["time"] or "",
        clinician=found["clinician"],
        flags=listed("flags"),
        no_flags=listed("no_flags"),
        holds=listed("holds"),
        restarts=listed("restarts"),
        note=found["note"],
        output=found["output"],
        lang=found["lang"],
        mrn=found["mrn"],
        activity=found["activity"],
        bring_back=found["bring_back"],
    )


def as_column(field: str, labels: Mapping[str, str] | None = None) -> str:
    """A field of an error (``hold``) as the roster column that gives it.

    For a row read from a scheduling message, ``labels`` names the segment and field (or
    FHIR element) instead: ``AIS-4 (start)``.
    """
    column = _COLUMN_OF.get(field, field)
    if labels and column in labels:
        return labels[column]
    return f"the {column} column" if column in COLUMNS else column


# Fields whose column has another name.
_COLUMN_OF = {"hold": "holds", "flag": "flags", "no_flag": "no_flags", "restart": "restarts"}
_LISTS = ("flags", "no_flags", "holds", "restarts")


def _clean(value: str, column: str, labels: Mapping[str, str]) -> str:
    try:
        return clean_text(value, column)
    except UsageError as error:
        raise RowError("; ".join(error.lines(lambda f: as_column(f, labels)))) from None


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
