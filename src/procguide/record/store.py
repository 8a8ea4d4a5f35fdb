"""Appending records to the file the user names: each line whole or absent, never half.

The file is locked (the kernel's lock, released if procguide dies) while a run appends, so two
nurses recording at once cannot interleave their lines. The lines go in one write at the end;
if the disk fills or the write fails part way, the file is cut back to its length before, so
nothing is left half-written. A new file is made readable by its owner alone: its lines hold
patient identifiers.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.errors import OutputError
from procguide.output import describe

if TYPE_CHECKING:
    from procguide.record.line import RecordLine

NEW_FILE_MODE = 0o600


def append_lines(path: Path, lines: list[str]) -> None:
    """Append ``lines`` (JSON text, without line ends) to ``path`` as one atomic addition."""
    import fcntl

    data = "".join(line + "\n" for line in lines).encode()
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, NEW_FILE_MODE)
    except IsADirectoryError:
        raise OutputError(f"cannot write {path}: it is a folder", hint="give a file name") from None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {describe(error)}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"cannot add to {path}: it is not a regular file")
        size = info.st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            raise OutputError(
                f"cannot add to {path}: its last line is not whole",
                hint="a write to it was cut short; check the file before adding to it",
            )
        _write_all(fd, data, size, path)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes, size: int, path: Path) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as error:
        try:
            os.ftruncate(fd, size)
        except OSError:
            pass  # the write already failed; report that
        raise OutputError(f"cannot add to {path}: {describe(error)}") from None


def read_records(path: Path) -> list[RecordLine]:
    """Every line of the record file at ``path``, checked against the record's shape.

    Raises:
        ContentError: one ``FILE:LINE: field: message`` problem for each line that is not a
            whole, valid record (messages name fields, never values).
    """
    import json

    from pydantic import ValidationError

    from procguide.errors import ContentError, Problem
    from procguide.record.line import RecordLine

    found: list[RecordLine] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8") as stream:
        for number, text in enumerate(stream, 1):
            if not text.endswith("\n"):
                problems.append(Problem("the line is not whole", path, number))
                continue
            try:
                found.append(RecordLine.model_validate(json.loads(text)))
            except ValueError as error:
                if not isinstance(error, ValidationError):
                    problems.append(Problem("is not JSON", path, number))
                    continue
                for detail in error.errors():
                    field = ".".join(str(part) for part in detail["loc"])
                    problems.append(Problem(detail["type"].replace("_", " "), path, number, field))
    if problems:
        raise ContentError(problems)
    return found
