"""Errors procguide raises, and the exit codes they map to.

The core raises these; only the CLI turns them into a message and an exit code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes. Scripts rely on these: never renumber one."""

    OK = 0
    """Everything asked for was done."""
    FAILURE = 1
    """An unexpected internal error (a bug: please report it with --debug output)."""
    USAGE = 2
    """Bad command line: unknown option, unknown procedure, bad date, unknown flag."""
    INVALID_CONTENT = 3
    """A procedure file, translation or config file is invalid or unreadable."""
    TEMPLATE = 4
    """A template is missing, broken or used a value that does not exist."""
    OUTPUT = 5
    """The output could not be written (permission, full disk, a folder in the way)."""
    PARTIAL = 6
    """Batch: some rows failed; every other row was produced. See the manifest."""
    LINT = 7
    """Lint found errors (or warnings, with --strict)."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C. A batch can be finished with --resume."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in a file."""

    message: str
    path: Path | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ProcguideError(Exception):
    """Base class of every error procguide reports to the user."""

    exit_code = ExitCode.FAILURE

    def __init__(self, message: str, *, hint: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field
        """The value the error is about (``date``, ``hold``...), worded by whoever reports it:
        the command line says ``--date``, a batch "the date column"."""

    def lines(self, word: Callable[[str], str] | None = None) -> list[str]:
        """The message as the user should see it, one problem a line.

        ``word`` names a field as the user gave it (``date`` -> ``--date``).
        """
        where = ""
        if self.field is not None:
            where = f"{word(self.field) if word else self.field}: "
        return [where + self.message + (f" ({self.hint})" if self.hint else "")]


class UsageError(ProcguideError):
    """Raised for a bad command-line value: a date, a time, a flag, a hold, a format."""

    exit_code = ExitCode.USAGE


class UnknownProcedureError(UsageError):
    """Raised when no procedure has the id, alias or code asked for."""


class ContentError(ProcguideError):
    """Raised when a procedure, translation or config file is invalid.

    Carries every problem found, so a clinician can fix them all in one pass.
    """

    exit_code = ExitCode.INVALID_CONTENT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self, word: Callable[[str], str] | None = None) -> list[str]:
        """One line for each problem."""
        return [str(p) for p in self.problems]


class TemplateError(ProcguideError):
    """Raised when a template is missing, fails to compile or uses a missing value."""

    exit_code = ExitCode.TEMPLATE


class OutputError(ProcguideError):
    """Raised when the output cannot be written where the user asked."""

    exit_code = ExitCode.OUTPUT


class MissingDependencyError(ProcguideError):
    """Raised when an optional feature needs a package that is not installed."""

    exit_code = ExitCode.USAGE


def where(error: BaseException) -> str:
    """The error's type and the last line of procguide's own code it passed through.

    What a bug report needs, and never the error's text, which could quote a patient.
    """
    import os
    import traceback

    place = ""
    for frame in traceback.extract_tb(error.__traceback__):
        path = frame.filename.replace(os.sep, "/")
        # procguide's own Python only: a template's frame (in _data/) is not where a bug is.
        if "/procguide/" in path and path.endswith(".py"):
            place = f" at procguide/{path.rsplit('/procguide/', 1)[1]}:{frame.lineno}"
    return f"{type(error).__name__}{place}"
