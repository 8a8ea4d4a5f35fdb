"""The command line: parse options, call the core, turn errors into messages and exit codes.

Heavy modules (Rich, Jinja, PyYAML, the PDF engine) are imported inside the commands that need
them, so ``procguide --version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from procguide import __version__
from procguide.errors import ExitCode, ProcguideError

app = typer.Typer(
    name="procguide",
    help="Personalised patient handouts for medical procedures.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode=None,
)

_state = {"debug": False, "color": None}
F = TypeVar("F", bound=Callable[..., Any])


def _command(name: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a command that reports ProcguideError as one line and an exit code."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kw: Any) -> Any:
            try:
                return func(*args, **kw)
            except ProcguideError as error:
                if _state["debug"]:
                    raise
                for line in error.lines():
                    _error(line)
                raise typer.Exit(error.exit_code) from None
            except BrokenPipeError:
                # `procguide list | head -1`: the reader has all it wanted.
                _silence_stdout()
                raise typer.Exit(ExitCode.OK) from None
            except KeyboardInterrupt:
                _error("interrupted")
                raise typer.Exit(ExitCode.INTERRUPTED) from None

        app.command(name, **kwargs)(run)
        return func

    return decorate


def _error(message: str) -> None:
    from procguide.console import stderr_console

    stderr_console(_state["color"]).print(f"error: {message}", markup=False, highlight=False)


def _warn(message: str) -> None:
    from procguide.console import stderr_console

    stderr_console(_state["color"]).print(f"warning: {message}", markup=False, highlight=False)


def _silence_stdout() -> None:
    # Python flushes stdout at exit and would report the broken pipe again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _version(value: bool) -> None:
    if value:
        typer.echo(f"procguide {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an error.")
    ] = False,
    color: Annotated[
        bool | None,
        typer.Option("--color/--no-color", help="Force colour on or off (default: auto, NO_COLOR)."),
    ] = None,
) -> None:
    """Personalised patient handouts for medical procedures."""
    _state["debug"] = debug
    _state["color"] = color


# Options shared by the document commands ---------------------------------------------------
Proc = Annotated[str, typer.Argument(help="Procedure id, alias or CPT code, e.g. blood-patch.")]
Patient = Annotated[str | None, typer.Option("--patient", help="Patient's name.")]
Day = Annotated[str | None, typer.Option("--date", help="Procedure date, YYYY-MM-DD.")]
Time = Annotated[str | None, typer.Option("--time", help="Procedure start, 24-hour HH:MM.")]
Clinician = Annotated[str | None, typer.Option("--clinician", help="Clinician's name.")]
Flags = Annotated[
    list[str] | None, typer.Option("--flag", help="Turn on a procedure flag (repeatable).")
]
Holds = Annotated[
    list[str] | None,
    typer.Option("--hold", help="Medicine the clinician pauses: DRUG=OFFSET, e.g. clopidogrel=7d."),
]
Note = Annotated[str | None, typer.Option("--note", help="A note for the patient.")]
Fmt = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help="terminal, text, markdown, html or json (default: from -o, else terminal/text)."
    ),
]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Clinic config file (default: see README).")
]
TemplatesDir = Annotated[
    Path | None, typer.Option("--templates-dir", help="Folder of templates that override the built-in ones.")
]
ProceduresDir = Annotated[
    list[Path] | None,
    typer.Option("--procedures-dir", help="Folder of the clinic's own procedures (repeatable)."),
]


def _produce(view: str, procedure: str, **options: Any) -> None:
    from procguide.produce import Request, produce

    request = Request(view=view, procedure=procedure, color=_state["color"], **options)
    for warning in produce(request):
        _warn(warning)


@_command("prep")
def prep(
    procedure: Proc, patient: Patient = None, date: Day = None, time: Time = None,
    clinician: Clinician = None, flag: Flags = None, hold: Holds = None, note: Note = None,
    format: Fmt = None, output: Out = None, config: ConfigOpt = None,
    templates_dir: TemplatesDir = None, procedures_dir: ProceduresDir = None,
) -> None:
    """The preparation checklist, with real dates and times when --date and --time are given."""
    _produce("prep", **locals())


@_command("steps")
def steps(
    procedure: Proc, patient: Patient = None, date: Day = None, time: Time = None,
    clinician: Clinician = None, flag: Flags = None, hold: Holds = None, note: Note = None,
    format: Fmt = None, output: Out = None, config: ConfigOpt = None,
    templates_dir: TemplatesDir = None, procedures_dir: ProceduresDir = None,
) -> None:
    """What happens during the procedure, step by step."""
    _produce("steps", **locals())


@_command("aftercare")
def aftercare(
    procedure: Proc, patient: Patient = None, date: Day = None, time: Time = None,
    clinician: Clinician = None, flag: Flags = None, hold: Holds = None, note: Note = None,
    format: Fmt = None, output: Out = None, config: ConfigOpt = None,
    templates_dir: TemplatesDir = None, procedures_dir: ProceduresDir = None,
) -> None:
    """The recovery timeline, activity limits, follow-up and when to get help."""
    _produce("aftercare", **locals())


@_command("handout")
def handout(
    procedure: Proc,
    kind: Annotated[
        str, typer.Option("--kind", help="pre (before the procedure) or discharge (going home).")
    ] = "pre",
    patient: Patient = None, date: Day = None, time: Time = None,
    clinician: Clinician = None, flag: Flags = None, hold: Holds = None, note: Note = None,
    format: Fmt = None, output: Out = None, config: ConfigOpt = None,
    templates_dir: TemplatesDir = None, procedures_dir: ProceduresDir = None,
) -> None:
    """The whole sheet: before the procedure (--kind pre) or for going home (--kind discharge)."""
    _produce("handout", **locals())


@_command("show")
def show(
    procedure: Proc, format: Fmt = None, output: Out = None, config: ConfigOpt = None,
    templates_dir: TemplatesDir = None, procedures_dir: ProceduresDir = None,
) -> None:
    """Everything the library says about a procedure, with its sources."""
    _produce("overview", **locals())


@_command("list")
def list_procedures(
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    procedures_dir: ProceduresDir = None,
    config: ConfigOpt = None,
) -> None:
    """List the procedures in the library."""
    from procguide.commands import list_command

    list_command(format, procedures_dir or [], config, _state["color"])


@_command("validate")
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to check (default: the library).")
    ] = None,
    procedures_dir: ProceduresDir = None,
    config: ConfigOpt = None,
) -> None:
    """Check procedure files; report every problem as FILE:LINE: field: message."""
    from procguide.commands import validate_command

    validate_command(paths or [], procedures_dir or [], config)


@_command("schema")
def schema() -> None:
    """Print the JSON Schema of a procedure file, for editors."""
    from procguide.commands import schema_command

    schema_command()


def main() -> None:
    """Entry point of the ``procguide`` command."""
    app()
