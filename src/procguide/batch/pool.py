"""Worker processes that can die without hanging the batch or losing a row.

``multiprocessing.Pool`` forgets the rows of a worker the out-of-memory killer ends, and
waits for them for ever. Here each worker has its own pipe and makes one chunk at a time,
and the main process waits on the pipes and on the processes themselves, so it always knows
which rows a dead worker held. Those rows are tried again one by one; a row that kills its
worker every time is marked failed, so one bad row costs at most three attempts and the
batch still finishes.

The workers ignore Ctrl-C and SIGTERM, which a terminal and ``systemctl stop`` send to the
whole process group: the main process alone decides. Asked once to stop, it hands out no
more rows and waits for the ones in flight; asked twice, it kills the workers and reports
the rows they held as stopped. It looks at both requests several times a second, so a stop
takes a bounded time whatever the workers are doing.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from procguide.batch.records import Record

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

Work = Callable[[list[Any]], list[Record]]
"""What a worker does with a chunk: one record per item, in order."""
Failed = Callable[[Any, str], Record]
"""The record of an item that could not be made, with the reason."""

ATTEMPTS = 3
"""How often a row is tried before its worker's death is blamed on it: in its chunk, then twice
alone (a second death alone is the row, not bad luck)."""
POLL = 0.2
"""Seconds between looks at a stop request while waiting on the workers."""
STOPPED = "the batch was stopped before this row was made"
BROKEN = "no worker process could start; make one row with --jobs 1 to see why"
PARENT_POLL = 1.0
"""Seconds between a worker's checks that the batch that started it still runs."""


@dataclass
class _Slot:
    """One chunk of the roster, in row order, with the records that have come back."""

    items: list[Any]
    records: list[Record | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.records = [None] * len(self.items)

    def done(self) -> bool:
        return all(record is not None for record in self.records)


@dataclass
class _Job:
    """Part of a slot handed to one worker: which items, and how often they were tried."""

    slot: _Slot
    start: int
    count: int
    attempt: int = 1

    def items(self) -> list[Any]:
        return self.slot.items[self.start : self.start + self.count]


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    job: _Job | None = None


class Stop:
    """What the batch was asked: finish the rows in flight (``requested``), or stop at once."""

    requested = False
    now = False


class Workers:
    """``jobs`` worker processes, each making one chunk at a time with ``work``."""

    def __init__(
        self, jobs: int, start: Callable[[Any], None], start_arg: Any, work: Work, failed: Failed
    ) -> None:
        self._context = _context()
        self._start, self._start_arg, self._work, self._failed = start, start_arg, work, failed
        self._deaths = 0
        self._answers = 0
        self._jobs = jobs
        self._workers = [self._spawn() for _ in range(jobs)]

    def results(self, chunks: Iterable[list[Any]], stop: Stop) -> Iterator[Record]:
        """One record per item of ``chunks``, in order, whatever happens to the workers."""
        source = iter(chunks)
        slots: deque[_Slot] = deque()
        retries: deque[_Job] = deque()
        exhausted = False
        while True:
            exhausted = exhausted or stop.requested
            if self._broken():
                self._kill_busy()
                self._fail_waiting(slots, retries, BROKEN)
                for chunk in source:  # every row is still listed, none is made
                    slots.append(_Slot(chunk))
                    self._fail_waiting(slots, retries, BROKEN)
                    yield from _ready(slots)
                exhausted = True
            for worker in self._idle():
                job = retries.popleft() if retries else None
                if job is None and not exhausted:
                    chunk = next(source, [])
                    if not chunk:
                        exhausted = True
                    else:
                        slots.append(_Slot(chunk))
                        job = _Job(slots[-1], 0, len(chunk))
                if job is not None:
                    self._hand(worker, job)
            if stop.now:
                self._kill_busy()
            if stop.requested:
                self._fail_waiting(slots, retries, STOPPED)
            yield from _ready(slots)
            if not slots:
                return
            self._wait(retries)

    def close(self) -> None:
        """Ask every worker to finish and wait; kill one that does not."""
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self._workers:
            worker.process.join(timeout=5)
        self.kill()

    def kill(self) -> None:
        """End every worker now."""
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join()
            worker.conn.close()

    def _spawn(self) -> _Worker:
        mine, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve,
            args=(theirs, self._start, self._start_arg, self._work, os.getpid()),
            daemon=True,
            name="procguide-worker",
        )
        process.start()
        theirs.close()
        return _Worker(process, mine)

    def _idle(self) -> list[_Worker]:
        return [worker for worker in self._workers if worker.job is None]

    def _hand(self, worker: _Worker, job: _Job) -> None:
        worker.job = job
        try:
            worker.conn.send(job.items())
        except OSError:
            self._died(worker)

    def _wait(self, retries: deque[_Job]) -> None:
        """Wait a moment for a result or a death, and deal with what came."""
        busy = {worker.conn: worker for worker in self._workers if worker.job is not None}
        ends = {worker.process.sentinel: worker for worker in self._workers}
        ready = wait([*busy, *ends], timeout=POLL)
        # Answers first: a worker that answered and then died has made its rows.
        for conn in (end for end in ready if end in busy):
            worker = busy[conn]
            try:
                records = worker.conn.recv()
            except (EOFError, OSError):
                continue  # it died while answering: its sentinel says so
            if worker.job is not None:
                self._answers += 1
                job, worker.job = worker.job, None
                job.slot.records[job.start : job.start + job.count] = records
        for sentinel in (end for end in ready if end in ends):
            worker = ends[sentinel]
            if worker in self._workers:
                self._replace(worker, retries)

    def _replace(self, worker: _Worker, retries: deque[_Job]) -> None:
        """A worker died: start another, and try its rows again or mark them failed."""
        self._workers.remove(worker)
        worker.process.join()
        worker.conn.close()
        job, code = worker.job, worker.process.exitcode
        if job is not None:
            self._deaths += 1
            retries.extendleft(reversed(self._again(job, code)))
        self._workers.append(self._spawn())

    def _again(self, job: _Job, code: int | None) -> list[_Job]:
        """The jobs that try a dead worker's rows again, or the row's failure.

        One row each, so the next death is that row's; a row already tried ``ATTEMPTS`` times
        is failed instead.
        """
        if job.count > 1:
            return [_Job(job.slot, job.start + i, 1, job.attempt + 1) for i in range(job.count)]
        if job.attempt < ATTEMPTS:
            return [_Job(job.slot, job.start, 1, job.attempt + 1)]
        job.slot.records[job.start] = self._failed(job.items()[0], _death(code, job.attempt))
        return []

    def _died(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.process.kill()

    def _kill_busy(self) -> None:
        """Stop now: the rows in flight are abandoned (``_fail_waiting`` records them)."""
        for worker in self._workers:
            if worker.job is not None:
                worker.job = None
                worker.process.kill()

    def _broken(self) -> bool:
        """Workers die on every row and none has answered: they cannot start at all."""
        return self._answers == 0 and self._deaths >= ATTEMPTS * self._jobs

    def _fail_waiting(self, slots: deque[_Slot], retries: deque[_Job], reason: str) -> None:
        """Fail every row no worker is making: once stopping, it will not be made.

        ``failed`` removes its files, and the manifest still lists every row handed out.
        """
        retries.clear()
        busy = {
            (id(job.slot), job.start + offset)
            for job in (worker.job for worker in self._workers)
            if job is not None
            for offset in range(job.count)
        }
        for slot in slots:
            for index, record in enumerate(slot.records):
                if record is None and (id(slot), index) not in busy:
                    slot.records[index] = self._failed(slot.items[index], reason)


def _ready(slots: deque[_Slot]) -> Iterator[Record]:
    """The records of the finished chunks at the head of the roster, in order."""
    while slots and slots[0].done():
        for record in slots.popleft().records:
            assert record is not None
            yield record


def _death(code: int | None, attempts: int) -> str:
    how = "stopped"
    if code is not None and code < 0:
        number = -code
        how = f"was killed by signal {number}"
        if number == signal.SIGKILL:
            how += " (as the out-of-memory killer does)"
    elif code:
        how = f"stopped with exit code {code}"
    return f"the process making this row {how}, {attempts} times; make it alone to see why"


def _context() -> Any:
    """Workers started as fresh interpreters.

    A worker forked from the main process while its progress bar's thread holds a lock would
    wait on that lock for ever; a fork server is one more process a signal to the process
    group can kill, and the workers with it. A fresh start costs one import of procguide.
    """
    return multiprocessing.get_context("spawn")


def _serve(
    conn: Connection, start: Callable[[Any], None], start_arg: Any, work: Work, parent: int
) -> None:
    """A worker's life: deaf to the signals the main process handles, gone if it goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    start(start_arg)
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        conn.send(work(chunk))


def _watch_parent(parent: int) -> None:
    """Exit when the batch that started this worker is gone.

    ``kill -9`` leaves no one to say so, and rows no one will record are not worth making.
    """
    import time

    while True:
        time.sleep(PARENT_POLL)
        if os.getppid() != parent and not _parent_alive(parent):
            sys.stderr.flush()
            os._exit(1)


def _parent_alive(parent: int) -> bool:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
