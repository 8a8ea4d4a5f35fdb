"""Where a document goes: the screen or a file, in the format the flags and terminal choose."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from procguide.errors import UsageError


def choose_format(requested: str | None, output: Path | None) -> str:
    """The format asked for, else the one the output file's suffix names, else by terminal."""
    from procguide.cli.console import stdout_is_terminal
    from procguide.render.formats import FORMATS, from_suffix

    names = ", ".join(FORMATS)
    if requested is not None:
        fmt = requested.strip().lower()
        if fmt not in FORMATS:
            raise UsageError(f"unknown format '{requested}'", hint=f"use one of: {names}")
    elif output is not None:
        found = from_suffix(output)
        if found is None:
            raise UsageError(
                f"cannot tell the format from the name {output.name}",
                hint=f"add --format ({names})",
            )
        fmt = found.name
    else:
        fmt = "terminal" if stdout_is_terminal() else "text"
    chosen = FORMATS[fmt]
    if chosen.screen and output is not None:
        raise UsageError(
            "the terminal format is for the screen", hint="use --format text for a file"
        )
    if chosen.binary and (output is None or str(output) == "-") and stdout_is_terminal():
        raise UsageError(f"{fmt.upper()} is not for the screen", hint=f"add -o FILE.{fmt}")
    return fmt


def write_output(data: bytes, output: Path | None) -> None:
    """``data`` to the file ``output``, atomically, or to standard output."""
    from procguide.output import write_file, write_stdout

    if output is None or str(output) == "-":
        write_stdout(data)
    else:
        write_file(output, data)


def print_markup(markup: str, color: bool | None) -> None:
    """Rich markup from the terminal templates, wrapped to the screen."""
    from procguide.cli.console import stdout_console

    console = stdout_console(color)
    for line in markup.splitlines():
        console.print(*_hanging(line, console), sep="", end="", soft_wrap=True)


_MARKER = re.compile(r"( *)((?:[•!☐-]|\d+\.) )?")


def _hanging(line: str, console: Any) -> list[Any]:
    """One template line wrapped to the screen.

    Continuation lines start under the text, not the bullet, so a list stays easy to scan.
    """
    from rich.text import Text

    match = _MARKER.match(line)
    lead = len(match[1]) if match else 0
    hang = lead + (len(match[2]) if match and match[2] else 0)
    text = Text.from_markup(line[lead:], emoji=False)
    width = max(console.width - hang, 20)
    parts: list[Any] = []
    for index, part in enumerate(text.wrap(console, width)):
        part.rstrip()
        parts += [Text(" " * (lead if index == 0 else hang)), part, Text("\n")]
    return parts or [Text("\n")]
