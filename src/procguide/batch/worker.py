"""The working side of a batch: the workers, the manifest file, and stopping cleanly."""

from __future__ import annotations

import contextlib
import hashlib
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from procguide.batch.plan import Feeder
from procguide.batch.pool import Stop
from procguide.batch.records import FileRecord, Record
from procguide.batch.rows import as_column
from procguide.batch.setup import CHUNKSIZE, Setup, Task
from procguide.errors import OutputError, ProcguideError, where
from procguide.render.formats import FORMATS

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from procguide.config import Settings
    from procguide.content.library import Entry, Library

SWITCH_INTERVAL = 0.0002
"""Seconds a thread holds Python's lock before another may take it, in a PDF batch."""

Pending = tuple[str, tuple[tuple[str, Path], ...], "Future[list[str]]", dict[str, str]]
"""A row's files being made: the row's name, each file's format and path, the work
(typesetting, then writing, which gives each file's SHA-256), and the row's column labels."""

# Single-handout messages name command-line options; a batch row has columns instead.


class Worker:
    """Makes rows' files; loads the config, library and templates once for all its rows."""

    def __init__(self, setup: Setup) -> None:
        from procguide.config import load_config
        from procguide.content.library import Library

        self.setup = setup
        if {"pdf", "fhir"} & set(setup.formats):
            # Typst takes Python's lock back many times while it typesets, and each time
            # waits for this thread (making the next row) to let go of it: up to the switch
            # interval, 5 ms by default, which slowed each sheet by half. 0.2 ms takes that
            # back (measured); for the rest of the work it only means more frequent turns.
            sys.setswitchinterval(SWITCH_INTERVAL)
        self.problem: str | None = None
        self._entries: dict[str, Entry] = {}
        self.settings: Settings | None = None
        self.library: Library | None = None
        self._typesetter: ThreadPoolExecutor | None = None
        self._writer: ThreadPoolExecutor | None = None
        try:
            self.settings = load_config(setup.config).settings
            self.library = Library(setup.procedures_dirs)
        except ProcguideError as error:  # reported on every row rather than hanging the pool
            self.problem = _message(error)

    def run_many(self, tasks: list[Task]) -> list[Record]:
        """The records of ``tasks``; each row's files are written while the next is made."""
        started = [self.start(task) for task in tasks]
        return [self.finish(*one) for one in started]

    def start(self, task: Task) -> tuple[Record, Pending | None]:
        """Make the row's files and start writing them; ``finish`` waits for the writes.

        The record says what was made, kept from an earlier run, or why the row failed.
        """
        record = _record(task)
        if task.skip is not None:
            # Cancelled: no file; an earlier run's sheet moves to superseded/ at the end.
            record.update({"status": "skipped", "warnings": [task.skip]})
            return record, None
        error = task.error or self.problem
        if error is None:
            kept = self._kept(task)
            if kept is not None:
                record.update({"status": "skipped", "files": kept})
                return record, None
            try:
                encoded, record["warnings"] = self._encode(task)
            except ProcguideError as problem:
                error = _message(problem, dict(task.labels))
            except Exception as problem:
                if self.setup.debug:
                    raise
                error = _internal(problem)
            else:
                return record, self._write(task, encoded)
        return failed(self.setup, task, error), None

    def finish(self, record: Record, pending: Pending | None) -> Record:
        """``record`` once its files are on disk, or failed if one could not be made."""
        if pending is None:
            return record
        name, files, work, labels = pending
        failure = None
        try:
            digests = work.result()
        except OutputError as error:
            # The path holds the patient's name; stderr must not.
            failure = error.message
            for fmt, path in files:
                failure = failure.replace(str(path), f"the {fmt} file")
        except ProcguideError as error:  # typesetting the PDF failed: no file was written
            failure = _message(error, labels)
        except Exception as error:
            if self.setup.debug:
                raise
            failure = _internal(error)
        if failure is not None:
            _remove(self.setup, name)
            record.update({"status": "failed", "files": [], "error": failure})
            return record
        pairs = zip(files, digests, strict=True)
        record["files"] = [{"path": path.name, "sha256": digest} for (_, path), digest in pairs]
        return record

    def close(self) -> None:
        """Wait for the last typesetting and writes."""
        for pool in (self._typesetter, self._writer):
            if pool is not None:
                pool.shutdown(wait=True)

    def _encode(self, task: Task) -> tuple[list[tuple[str, Callable[[], bytes]]], list[str]]:
        from procguide.document.patient import Personal
        from procguide.pipeline import make

        setup, fields = self.setup, task.fields
        assert fields is not None and task.procedure is not None and self.settings is not None
        assert self.library is not None
        entry = self._entry(task.procedure)
        personal = Personal.read(
            patient=fields.patient,
            clinician=fields.clinician,
            note=fields.note,
            day=fields.date,
            at=fields.time,
            flags=fields.flags,
            no_flags=fields.no_flags,
            holds=fields.holds,
            restarts=fields.restarts,
            mrn=fields.mrn,
            activity=fields.activity,
            bring_back=fields.bring_back,
        )
        built = make(
            entry,
            personal,
            self.settings.clinic,
            lang=fields.lang or setup.lang,
            view="handout",
            kind=setup.kind,
            library_dirs=self.library.dirs,
            templates_dir=setup.templates_dir,
        )
        from procguide.render import formats

        # Every format first, then the files: a template error leaves no file behind.
        encoded = [
            (
                fmt,
                formats.encode_in_two(
                    built.data,
                    fmt,
                    setup.templates_dir,
                    paper=setup.paper,
                    large_print=setup.large_print,
                    pdf_standards=self.settings.pdf_standards,
                ),
            )
            for fmt in setup.formats
        ]
        return encoded, built.warnings

    def _write(self, task: Task, encoded: list[tuple[str, Callable[[], bytes]]]) -> Pending:
        """Typeset the row's PDF on one thread and write its files on another.

        This thread goes on to the next row meanwhile: a PDF's typesetting lets go of
        Python's lock, and the writes' fsync waits on the disk, not the CPU. Every file is
        made before the first is written, so a PDF that fails leaves no file of the row.
        """
        from concurrent.futures import ThreadPoolExecutor

        if self._writer is None or self._typesetter is None:
            self._typesetter = ThreadPoolExecutor(1, thread_name_prefix="procguide-typeset")
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="procguide-write")
        out = self.setup.out
        files = tuple((fmt, out / (task.name + FORMATS[fmt].suffix)) for fmt, _ in encoded)
        made = [self._typesetter.submit(finish) for _, finish in encoded]
        work = self._writer.submit(_write_all, tuple(path for _, path in files), made)
        return task.name, files, work, dict(task.labels)

    def _kept(self, task: Task) -> list[FileRecord] | None:
        """The earlier run's files, if they are still exactly what this row would make."""
        before = task.previous
        if not before or before.get("status") not in ("ok", "skipped"):
            return None
        if before.get("input_sha256") != task.input_sha256:
            return None
        files = before.get("files")
        wanted = [task.name + FORMATS[fmt].suffix for fmt in self.setup.formats]
        if not isinstance(files, list) or [f.get("path") for f in files] != wanted:
            return None
        for file in files:
            try:
                digest = file_sha256(self.setup.out / file["path"])
            except OSError:
                return None
            if digest != file.get("sha256"):
                return None
        return [{"path": f["path"], "sha256": f["sha256"]} for f in files]

    def _entry(self, procedure: str) -> Entry:
        if procedure not in self._entries:
            assert self.library is not None
            self._entries[procedure] = self.library.find(procedure)
        return self._entries[procedure]


def _write_all(paths: tuple[Path, ...], made: list[Future[bytes]]) -> list[str]:
    """Write each file once all of them are made; the SHA-256 of each."""
    from procguide.output import write_file

    data = [one.result() for one in made]
    for path, content in zip(paths, data, strict=True):
        write_file(path, content)
    return [hashlib.sha256(content).hexdigest() for content in data]


def _record(task: Task) -> Record:
    """A row's manifest record, before it is made."""
    return {
        "row": task.row,
        "line": task.line,
        "status": "ok",
        "procedure": task.procedure,
        "procedure_sha256": task.procedure_sha256,
        "input_sha256": task.input_sha256,
        "files": [],
        "warnings": [],
        "error": None,
    }


def failed(setup: Setup, task: Task, error: str) -> Record:
    """The record of a row that was not made; its files, if an earlier run left any, go.

    A failed row leaves no file, so no out-of-date handout is printed in its place.
    """
    _remove(setup, task.name)
    record = _record(task)
    record.update({"status": "failed", "error": error})
    return record


def _remove(setup: Setup, name: str) -> None:
    if not name:  # a skipped (cancelled) row has no file of its own
        return
    for fmt in setup.formats:
        with contextlib.suppress(OSError):
            (setup.out / (name + FORMATS[fmt].suffix)).unlink(missing_ok=True)


def _internal(error: Exception) -> str:
    # Never the exception's text: it could quote a patient's details.
    return f"internal error: {where(error)}; make this row with --debug, report it"


def _message(error: ProcguideError, labels: dict[str, str] | None = None) -> str:
    return "; ".join(error.lines(lambda field: as_column(field, labels)))


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 16):
            digest.update(block)
    return digest.hexdigest()


_worker: Worker | None = None


def _start_worker(setup: Setup) -> None:
    """One Worker per process, for all the chunks it is given."""
    global _worker
    _worker = Worker(setup)


def _work(tasks: list[Task]) -> list[Record]:
    assert _worker is not None
    return _worker.run_many(tasks)


@contextlib.contextmanager
def results(
    feeder: Feeder, setup: Setup, jobs: int, stop: Interrupts
) -> Iterator[Iterator[Record]]:
    """Each row's manifest record, in row order, made by ``jobs`` processes.

    The workers start on entry, before the caller starts any thread of its own (a progress
    bar).
    """
    if jobs == 1:
        worker = Worker(setup)
        try:
            yield _one_by_one(worker, feeder)
        finally:
            worker.close()
        return
    import functools

    from procguide.batch.pool import Workers

    stop.in_process = False
    pool = Workers(jobs, _start_worker, setup, _work, functools.partial(failed, setup))
    try:
        yield pool.results(_chunks(feeder, CHUNKSIZE), stop)
    finally:
        pool.close()
        # A killed worker leaves its hidden temporary file; the folder is locked, so every
        # temporary in it is this run's.
        for part in setup.out.glob(".*.part"):
            with contextlib.suppress(OSError):
                part.unlink()


def _chunks(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _one_by_one(worker: Worker, tasks: Iterable[Task]) -> Iterator[Record]:
    """In this process: each row is made while the one before is written."""
    before: tuple[Record, Pending | None] | None = None
    for task in tasks:
        try:
            started = worker.start(task)
        except KeyboardInterrupt:
            if before is not None:
                yield worker.finish(*before)  # its files are written: record them
            raise
        if before is not None:
            yield worker.finish(*before)
        before = started
    if before is not None:
        yield worker.finish(*before)


class Interrupts(Stop):
    """First Ctrl-C or SIGTERM: finish the rows in hand, then stop. Second: stop now."""

    def __init__(self) -> None:
        self.requested = False
        self.now = False
        self.in_process = True
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                self._saved[number] = signal.signal(number, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for number, handler in self._saved.items():
            signal.signal(number, handler)

    def _handle(self, number: int, frame: FrameType | None) -> None:
        # Only flags: a lock taken here could be held by the code this interrupted. Rows
        # made in this process can only be stopped now by an exception.
        if self.requested:
            self.now = True
            if self.in_process:
                raise KeyboardInterrupt
        self.requested = True
