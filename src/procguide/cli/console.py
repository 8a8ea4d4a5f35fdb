"""Rich consoles: results to stdout, diagnostics to stderr. Made on first use."""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING, Any

from procguide.errors import OutputError

if TYPE_CHECKING:
    from rich.console import Console


def _make(stderr: bool, color: bool | None) -> Console:
    from rich.console import Console

    class _Console(Console):
        """A console whose write failures are procguide's errors, not exits or tracebacks."""

        def on_broken_pipe(self) -> None:
            # Rich would exit with status 1; the CLI ends a closed pipe quietly with 0.
            self.quiet = True
            raise BrokenPipeError

        def print(self, *args: Any, **kwargs: Any) -> None:
            try:
                super().print(*args, **kwargs)
            except BrokenPipeError:
                raise
            except OSError as error:
                self.quiet = True
                if stderr:
                    return  # nowhere left to report it; the exit code still tells
                from procguide.output import describe, discard_stdout

                discard_stdout()
                raise OutputError(f"cannot write to standard output: {describe(error)}") from None

    # emoji and highlighting off: ":smile:" or a number in a patient's note stays as written.
    return _Console(
        stderr=stderr,
        emoji=False,
        highlight=False,
        force_terminal=True if color else None,
        no_color=color is False or None,
    )


@cache
def stdout_console(color: bool | None = None) -> Console:
    """The console for results."""
    return _make(False, color)


@cache
def stderr_console(color: bool | None = None) -> Console:
    """The console for errors and warnings."""
    return _make(True, color)


def stdout_is_terminal() -> bool:
    """Whether results go to a person at a terminal rather than a pipe or file."""
    return sys.stdout is not None and sys.stdout.isatty()
