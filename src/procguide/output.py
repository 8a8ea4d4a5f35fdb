"""Write results: atomically to files, or to standard output.

A handout file is either complete or absent. Output goes to a temporary file beside the
target and is renamed into place only when fully written, so a full disk, a crash or Ctrl-C
never leaves half a handout that could be printed and handed to a patient.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path

from procguide.errors import OutputError


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; raise OutputError with a clear reason."""
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder", hint="give a file name")
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is a file, not a folder")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        mode = _mode(path)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {describe(error)}") from None
    if mode is not None and not stat.S_ISREG(mode):
        # /dev/stdout, /dev/null, a named pipe: renaming over one would replace the device.
        _write_through(path, data)
        return
    if mode is not None and not mode & stat.S_IWUSR:
        # Renaming over it would succeed, even for root: refuse as a shell redirect would,
        # since someone made this file read-only on purpose.
        raise OutputError(
            f"cannot write {path}: the file is read-only",
            hint="choose another name, or make it writable first",
        )
    # mkstemp makes the file private; give it the mode a plain `open` would have.
    try:
        atomic_write(path, data, mode=stat.S_IMODE(mode) if mode is not None else default_mode())
    except OSError as error:
        raise OutputError(f"cannot write {path}: {describe(error)}") from None


def atomic_write(
    path: Path, data: bytes, *, replace: bool = True, mode: int | None = None, sync: bool = True
) -> None:
    """Write ``data`` beside ``path`` and move it into place only once it is complete.

    A reader (a nurse's printer, another process of a batch) sees the old file or the new
    one, never half of one. With ``replace=False`` an existing file is never overwritten:
    a hard link appears atomically and fails if the name is taken (exclusive creation where
    the file system has no hard links). ``mode`` None keeps the temporary file's private
    mode. Raises OSError, which each caller words for its user.
    """
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            if sync:
                stream.flush()
                os.fsync(stream.fileno())
        if mode is not None:
            temp.chmod(mode)
        if replace:
            temp.replace(path)
            return
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError:
            with path.open("xb") as stream:
                stream.write(data)
    finally:
        temp.unlink(missing_ok=True)


def _mode(path: Path) -> int | None:
    """The mode of what ``path`` names (following links), or None when it does not exist."""
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None


def default_mode() -> int:
    """The mode a plain ``open`` gives a new file under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_through(path: Path, data: bytes) -> None:
    try:
        with path.open("wb") as stream:
            stream.write(data)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {describe(error)}") from None


def describe(error: OSError) -> str:
    """Why a write failed, in words."""
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.EROFS:
        return "the disk is read-only"
    return error.strerror or str(error)


def write_stdout(data: bytes) -> None:
    """Write ``data`` to standard output.

    A closed pipe raises BrokenPipeError, which the CLI ends quietly on; any other failure
    (a full disk behind a redirect) raises OutputError.
    """
    if sys.stdout is None:
        raise OutputError("cannot write the output: standard output is closed")
    try:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        discard_stdout()
        raise OutputError(f"cannot write to standard output: {describe(error)}") from None


def discard_stdout() -> None:
    """Point standard output at the null device, so the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests capture it): nothing is flushed at exit
