"""Rich consoles: results to stdout, diagnostics to stderr. Made on first use."""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def _make(stderr: bool, color: bool | None) -> Console:
    from rich.console import Console

    # emoji and highlighting off: ":smile:" or a number in a patient's note stays as written.
    return Console(
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
    return sys.stdout.isatty()
