"""The library commands: list, validate, schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from procguide.cli.core import command, state
from procguide.cli.options import ConfigOpt, ProceduresDir


@command("list")
def list_procedures(
    format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="table or json.")
    ] = "table",
    procedures_dir: ProceduresDir = None,
    config: ConfigOpt = None,
) -> None:
    """List the procedures in the library."""
    from procguide.cli.library_commands import list_command

    list_command(format, procedures_dir or [], config, state["color"])


@command("validate")
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to check (default: the library).")
    ] = None,
    procedures_dir: ProceduresDir = None,
    config: ConfigOpt = None,
) -> None:
    """Check procedure files; report every problem as FILE:LINE: field: message."""
    from procguide.cli.library_commands import validate_command

    validate_command(paths or [], procedures_dir or [], config)


@command("schema")
def schema(
    what: Annotated[
        str,
        typer.Argument(
            metavar="[WHAT]", help="procedure (a procedure file) or record (a teaching record)."
        ),
    ] = "procedure",
) -> None:
    """Print the JSON Schema of a procedure file (for editors) or of a teaching record line."""
    from procguide.cli.library_commands import schema_command

    schema_command(what)
