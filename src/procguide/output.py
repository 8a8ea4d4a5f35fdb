"""Write results: atomically to files, or to standard output.

A handout file is either complete or absent. Output goes to a temporary file beside the
target and is renamed into place only when fully written, so a full disk, a crash or Ctrl-C
never leaves half a handout that could be printed and handed to a patient.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from pathlib import Path

from procguide.errors import OutputError


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; raise OutputError with a clear reason."""
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder", hint="give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    temp: str | None = None
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temp).replace(path)
        temp = None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {_reason(error)}") from None
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.EROFS:
        return "the disk is read-only"
    return error.strerror or str(error)


def write_stdout(data: bytes) -> None:
    """Write ``data`` to standard output."""
    stream = sys.stdout.buffer
    stream.write(data)
    stream.flush()
