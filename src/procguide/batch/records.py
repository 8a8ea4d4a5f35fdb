"""The shape of a manifest record: what a batch says it did with one row."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

Status = Literal["ok", "skipped", "failed"]


class FileRecord(TypedDict):
    """One file a row made."""

    path: str
    """Its name, in the batch's folder."""
    sha256: str


class Record(TypedDict):
    """One row of this run, as the manifest's line for it says (see the README)."""

    row: int
    line: int | None
    status: Status
    procedure: str | None
    procedure_sha256: str | None
    input_sha256: str | None
    files: list[FileRecord]
    warnings: list[str]
    error: str | None


Earlier = dict[str, Any]
"""A record read back from an earlier run's manifest: JSON from the disk, so every field is
checked where it is used, never trusted to have this shape."""
