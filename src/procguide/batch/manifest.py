"""The batch manifest: which files each row made, kept right whatever stops the batch."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from procguide.errors import OutputError, UsageError

if TYPE_CHECKING:
    from procguide.batch.records import Earlier, Record


class Manifest:
    """``manifest.jsonl``: one line appended per row once its files exist, tidied at the end.

    The file is never truncated while a batch runs. New lines are appended after an earlier
    run's, and a row's last line is the one that counts (``read_manifest``), so a batch
    killed at any point (``kill -9``, a power cut) loses no row an earlier run made: each
    keeps a line with its files' hashes, which ``--resume`` checks before it skips a row.
    When the batch ends, the file is replaced atomically by one line per row of this run,
    in row order.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[int, Record | Earlier] = {}
        self._stream: IO[bytes] | None = None

    def __enter__(self) -> Manifest:
        try:
            self._stream = self.path.open("ab", buffering=0)
            if self._stream.tell() and not _ends_a_line(self.path):
                self._stream.write(b"\n")  # a line cut short by a crash stays on its own
        except OSError as error:
            raise OutputError(f"cannot write {self.path}: {error.strerror or error}") from None
        return self

    def write(self, record: Record | Earlier) -> None:
        """Append one record as one write, so a line is whole or absent."""
        from procguide.output import describe

        assert self._stream is not None
        try:
            self._stream.write(_line(record))
        except OSError as error:
            # A full disk here is about the manifest, not a handout: say which file.
            raise OutputError(f"cannot write {self.path}: {describe(error)}") from None
        self.records[record["row"]] = record

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        from procguide.output import write_file

        assert self._stream is not None
        with contextlib.suppress(OSError):
            os.fsync(self._stream.fileno())
        self._stream.close()
        rows = b"".join(_line(self.records[row]) for row in sorted(self.records))
        # Atomic: a reader sees the appended file or the tidy one, never half of either.
        write_file(self.path, rows)


def _line(record: Record | Earlier) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode()


def _ends_a_line(path: Path) -> bool:
    with path.open("rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1) == b"\n"


def read_manifest(path: Path) -> dict[int, Earlier]:
    """An earlier run's records by row; a line cut short when a machine stopped is ignored."""
    records: dict[int, Earlier] = {}
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        return records
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    with stream:
        for line in stream:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("row"), int):
                records[record["row"]] = record
    return records
