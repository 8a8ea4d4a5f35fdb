"""The batch command: handouts for a day's list of patients, many at a time."""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING

import typer

from procguide.cli.batch_options import (
    BatchFormats,
    Encoding,
    Jobs,
    NamePattern,
    OutDir,
    Resume,
    Roster,
)
from procguide.cli.core import command, error_line, state, warning_line
from procguide.cli.options import (
    ConfigOpt,
    Kind,
    Lang,
    LargePrint,
    Paper,
    ProceduresDir,
    TemplatesDir,
)

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from procguide.batch.records import Record
    from procguide.batch.setup import Summary

MAX_LISTED = 50
"""Failed rows (and warnings) listed on stderr; the manifest has them all."""


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows
        return os.cpu_count() or 1


@command("batch")
def batch(
    roster: Roster,
    out: OutDir,
    format: BatchFormats = "html",
    kind: Kind = "pre",
    jobs: Jobs = None,
    resume: Resume = False,
    encoding: Encoding = "utf-8",
    name: NamePattern = "{date}_{procedure}_{patient}",
    lang: Lang = None,
    paper: Paper = None,
    large_print: LargePrint = False,
    config: ConfigOpt = None,
    templates_dir: TemplatesDir = None,
    procedures_dir: ProceduresDir = None,
) -> None:
    """Handouts for every row of a roster, with a manifest of what was made.

    Exit codes: 0 all rows made, 6 some rows failed (the others were made), 2 could not
    start, 130 interrupted (finish with --resume).
    """
    from procguide.batch.roster import open_roster
    from procguide.batch.run import run
    from procguide.batch.setup import Options

    options = Options(
        out=out,
        formats=tuple(format.split(",")),
        kind=kind,
        jobs=jobs if jobs is not None else _cpus(),
        config=config,
        templates_dir=templates_dir,
        procedures_dirs=tuple(procedures_dir or ()),
        resume=resume,
        name_pattern=name,
        lang=lang,
        paper=paper,
        large_print=large_print,
        debug=state["debug"],
    )
    reader = open_roster(roster, encoding)
    for warning in reader.warnings:
        warning_line(f"--encoding: {warning}")
    try:
        with Display(state["color"]) as display:
            summary = run(reader, options, on_start=display.start, on_record=display.record)
    finally:
        reader.close()
    display.finish(summary)
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)


class Display:
    """Progress on stderr: a bar on a terminal, else nothing until the summary line.

    It shows counts and row numbers only: never a name, which is patient data.
    """

    def __init__(self, color: bool | None) -> None:
        from procguide.cli.console import stderr_console

        self.console = stderr_console(color)
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self.counts = {"ok": 0, "failed": 0, "skipped": 0}
        self.listed = {"error": 0, "warning": 0}

    def __enter__(self) -> Display:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.progress is not None:
            self.progress.stop()

    def start(self, total: int) -> None:
        """The roster is read and has ``total`` rows."""
        if not (self.console.is_terminal and sys.stderr.isatty()):
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("handouts"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.task = self.progress.add_task("batch", total=total, counts="")
        self.progress.start()

    def record(self, record: Record) -> None:
        """One row is done."""
        self.counts[record["status"]] += 1
        where = f"row {record['row']}" + (f" (line {record['line']})" if record["line"] else "")
        if record["status"] == "failed":
            self._list("error", f"{where}: {record['error']}")
        for warning in record["warnings"]:
            self._list("warning", f"{where}: {warning}")
        if self.progress is not None and self.task is not None:
            counts = ", ".join(f"{n} {s}" for s, n in self.counts.items() if n)
            self.progress.update(self.task, advance=1, counts=counts)

    def _list(self, kind: str, line: str) -> None:
        self.listed[kind] += 1
        if self.listed[kind] <= MAX_LISTED:
            (error_line if kind == "error" else warning_line)(line)

    def finish(self, summary: Summary) -> None:
        """The one-line summary."""
        for kind, count in self.listed.items():
            if count > MAX_LISTED:
                noun = "failed rows" if kind == "error" else "warnings"
                warning_line(f"{count - MAX_LISTED} more {noun} are in {summary.manifest}")
        parts = [f"{summary.ok} made", f"{summary.failed} failed", f"{summary.skipped} skipped"]
        line = f"batch: {', '.join(parts)} of {summary.total} rows; manifest {summary.manifest}"
        if summary.stale_removed:
            line += f"; removed {summary.stale_removed} unfinished files of an earlier run"
        if summary.outdated_removed:
            line += (
                f"; moved {summary.outdated_removed} handouts of an earlier run that this "
                "roster no longer has to superseded/"
            )
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)
        if summary.interrupted:
            error_line(
                f"interrupted after {summary.done} of {summary.total} rows "
                "(run the same command with --resume to finish)"
            )
