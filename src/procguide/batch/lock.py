"""One batch at a time in an output folder, and no temporaries left from one that died.

Two batches writing into one folder would lose a manifest and mix two rosters' handouts. The
lock is the kernel's (``flock``, on the folder itself, so no lock file sits beside the
handouts), held for the whole run: a batch killed with ``kill -9`` takes its lock with it,
so there is never a stale lock to clear by hand.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from procguide.errors import OutputError

TEMPORARY = ".*.part"
"""The names ``output.atomic_write`` gives its temporaries."""


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[int]:
    """Hold ``folder`` for this batch; yield how many stale temporaries were removed.

    Raises:
        OutputError: when another batch holds the folder, or it cannot be locked.
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as error:
        raise OutputError(f"cannot lock the folder {folder}: {error.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"another batch is writing into {folder}",
                hint="wait for it to finish, or choose another folder",
                field="out",
            ) from None
        yield _remove_stale(folder)
    finally:
        os.close(fd)


def _remove_stale(folder: Path) -> int:
    # With the lock held, no other batch is writing here: a temporary is what a killed run
    # left behind, a whole handout under a name a nurse could still open.
    removed = 0
    for path in folder.glob(TEMPORARY):
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed
