"""Run a batch: plan each row, have workers make it, write the manifest as rows finish.

The main process reads the roster in order (``plan``), worker processes make the documents
and write them atomically (``worker``), and this module writes one manifest line per row as
results come back, in row order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.batch.filenames import Pattern
from procguide.batch.lock import locked
from procguide.batch.manifest import Manifest, read_manifest
from procguide.batch.plan import Feeder, Planner
from procguide.batch.roster import Roster
from procguide.batch.setup import MANIFEST, Options, Setup, Summary, prepare
from procguide.batch.worker import Interrupts, results

if TYPE_CHECKING:
    from procguide.batch.records import Earlier, Record
    from procguide.config import Settings
    from procguide.content.library import Library


def run(
    roster: Roster,
    options: Options,
    on_start: Callable[[int], None] | None = None,
    on_record: Callable[[Record], None] | None = None,
) -> Summary:
    """Make every row's handouts; raise ProcguideError only when the batch cannot start."""
    setup, settings, library, pattern = prepare(options)
    total = roster.count()
    try:
        setup.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        from procguide.errors import OutputError

        raise OutputError(f"cannot make the folder {setup.out}: {error.strerror}") from None
    with locked(setup.out) as stale:
        summary = _make(
            roster, options, setup, settings, library, pattern, total, on_start, on_record
        )
        summary.stale_removed = stale
        return summary


def _make(
    roster: Roster,
    options: Options,
    setup: Setup,
    settings: Settings,
    library: Library,
    pattern: Pattern,
    total: int,
    on_start: Callable[[int], None] | None,
    on_record: Callable[[Record], None] | None,
) -> Summary:
    path = setup.out / MANIFEST
    # Read even without --resume: what an earlier run made must stay listed, or be removed.
    earlier = read_manifest(path)
    planner = Planner(setup, settings, library, pattern, earlier if options.resume else {})
    summary = Summary(total, path)
    with Manifest(path) as manifest, Interrupts() as interrupts:
        feeder = Feeder(roster, planner, interrupts)
        try:
            with results(feeder, setup, max(1, min(options.jobs, total)), interrupts) as made:
                if on_start is not None:
                    on_start(total)
                for record in made:
                    manifest.write(record)
                    summary.add(record)
                    feeder.finished()
                    if on_record is not None:
                        on_record(record)
        except KeyboardInterrupt:
            summary.interrupted = True
        # A Ctrl-C that came after the last row stopped nothing.
        stopped_early = interrupts.requested and summary.done < total
        summary.interrupted = summary.interrupted or stopped_early
        if summary.interrupted:
            # Rows never handed out keep their earlier manifest lines, so a second
            # --resume still skips them; their files were not touched by this run.
            for kept in planner.untouched(feeder.last_row, earlier):
                manifest.write(kept)
        else:
            summary.outdated_removed = _remove_outdated(setup.out, earlier, manifest.records)
    return summary


SUPERSEDED = "superseded"
"""Where the handouts of an earlier run that this run no longer makes are moved."""


def _remove_outdated(
    out: Path, earlier: dict[int, Earlier], now: dict[int, Record | Earlier]
) -> int:
    """Move aside the files an earlier run listed that this finished run did not make.

    A rescheduled row gets a new file name; its old-date sheet, in no manifest, is what a
    nurse printing the folder would hand out by mistake. Moved, not deleted: a clinic that
    reuses one folder for every day's list can still find yesterday's sheets.
    """
    made = {f["path"] for record in now.values() for f in record.get("files", [])}
    removed = 0
    for record in earlier.values():
        for file in record.get("files", []):
            name = file.get("path")
            # Only a plain name in this folder: a manifest is data, never a path to follow.
            if not isinstance(name, str) or name in made or Path(name).name != name:
                continue
            source = out / name
            if not source.is_file():
                continue
            with contextlib.suppress(OSError):
                (out / SUPERSEDED).mkdir(exist_ok=True)
                source.replace(out / SUPERSEDED / name)
                removed += 1
    return removed
