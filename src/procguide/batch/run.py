"""Run a batch: plan each row, have workers make it, write the manifest as rows finish.

The main process reads the roster in order (``plan``), worker processes make the documents
and write them atomically (``worker``), and this module writes one manifest line per row as
results come back, in row order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procguide.batch.filenames import Pattern
from procguide.batch.lock import locked
from procguide.batch.manifest import Manifest, read_manifest
from procguide.batch.plan import Feeder, Planner
from procguide.batch.roster import Roster
from procguide.batch.setup import MANIFEST, Options, Setup, Summary, prepare
from procguide.batch.worker import Interrupts, results

if TYPE_CHECKING:
    from procguide.config import Settings
    from procguide.content.library import Library


def run(
    roster: Roster,
    options: Options,
    on_start: Callable[[int], None] | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
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
    on_record: Callable[[dict[str, Any]], None] | None,
) -> Summary:
    path = setup.out / MANIFEST
    previous = read_manifest(path) if options.resume else {}
    planner = Planner(setup, settings, library, pattern, previous)
    summary = Summary(total, path)
    with Manifest(path) as manifest, Interrupts() as interrupts:
        feeder = Feeder(roster, planner, interrupts)
        try:
            with results(feeder, setup, max(1, min(options.jobs, total))) as made:
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
            for record in planner.untouched(feeder.last_row):
                manifest.write(record)
    return summary
