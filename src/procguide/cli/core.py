"""The command line: parse options, call the core, turn errors into messages and exit codes.

Each command group lives in its own module of this package, which registers its commands
with ``command``; the package imports them all. Heavy modules (Rich, Jinja, PyYAML,
pydantic, the PDF engine) are imported inside the commands that need them, so
``procguide --version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
import typer.core
import typer.main
import typer.models

from procguide import __version__
from procguide.errors import ExitCode, ProcguideError, where

if TYPE_CHECKING:
    from typer._click import Command, Context  # Typer's own copy of Click

_registered: dict[str, typer.models.CommandInfo] = {}
"""Every command, in the order ``--help`` lists them; each is built when first needed."""


class _Commands(Mapping[str, "Command"]):
    """The app's commands by name, each made by Typer only when it is looked up.

    Typer turns a command's signature into options when the group is made, for all eleven
    commands; a run needs one. Help and shell completion look up every command, so they
    still list them all, with their help.
    """

    def __init__(self) -> None:
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        built = self._built.get(name)
        if built is None:
            built = self._built[name] = typer.main.get_command_from_info(
                _registered[name],
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
        return built

    def __iter__(self) -> Iterator[str]:
        return iter(_registered)

    def __len__(self) -> int:
        return len(_registered)


class _Group(typer.core.TyperGroup):
    """Typer's group, over commands that are made on first use."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _Commands()  # type: ignore[assignment]

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)  # the names, without making the commands


app = typer.Typer(
    name="procguide",
    help="Personalised patient handouts for medical procedures.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode=None,
    cls=_Group,
)

state: dict[str, Any] = {"debug": False, "color": None, "collector_paused": False}
F = TypeVar("F", bound=Callable[..., Any])


def command(name: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a command that reports ProcguideError as one line and an exit code."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kw: Any) -> Any:
            _resume_collector()
            try:
                return func(*args, **kw)
            except (typer.Exit, typer.Abort, typer.TyperException):
                raise
            except ProcguideError as error:
                _traceback_if_debugging()
                for line in error.lines(as_flag):
                    error_line(line)
                raise typer.Exit(error.exit_code) from None
            except BrokenPipeError:
                # `procguide list | head -1`: the reader has all it wanted.
                _silence_stdout()
                raise typer.Exit(ExitCode.OK) from None
            except KeyboardInterrupt:
                error_line("interrupted")
                raise typer.Exit(ExitCode.INTERRUPTED) from None
            except Exception as error:
                # A bug. Its text may quote a patient's details, so only its type and place
                # are shown; --debug shows all of it.
                _traceback_if_debugging()
                error_line(f"internal error: {where(error)}; rerun with --debug and report it")
                raise typer.Exit(ExitCode.FAILURE) from None

        _registered[name] = typer.models.CommandInfo(name, callback=run, **kwargs)
        return func

    return decorate


def as_flag(field: str) -> str:
    """A field of an error (``date``) as the option that gives it (``--date``)."""
    return "--" + field.replace("_", "-")


def _traceback_if_debugging() -> None:
    """With --debug, the full traceback of the error being handled, on stderr."""
    if state["debug"]:
        import traceback

        traceback.print_exc(file=sys.stderr)


def error_line(message: str) -> None:
    """Print one error line to stderr."""
    _diagnostic("error", message)


def warning_line(message: str) -> None:
    """Print one warning line to stderr."""
    _diagnostic("warning", message)


def _diagnostic(kind: str, message: str) -> None:
    from procguide.cli.console import stderr_console

    stderr_console(state["color"]).print(
        f"{kind}: {shown(message)}", markup=False, highlight=False, soft_wrap=True
    )


def shown(text: str) -> str:
    r"""``text`` with control characters written as escapes (``\x1b``).

    A message may quote what was typed (an unknown procedure's name); a crafted argument must
    not clear the screen or forge a line when it is echoed.
    """
    from procguide.characters import is_invisible

    return "".join(
        char.encode("unicode_escape").decode() if is_invisible(char) or char in "\n\r\t" else char
        for char in text
    )


def _silence_stdout() -> None:
    # Python flushes stdout at exit and would report the broken pipe again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _version(value: bool) -> None:
    if value:
        typer.echo(f"procguide {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="Show the full traceback of an error; the exit code stays the same."
        ),
    ] = False,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color", help="Force colour on or off (default: auto, NO_COLOR)."
        ),
    ] = None,
) -> None:
    """Personalised patient handouts for medical procedures."""
    state["debug"] = debug
    state["color"] = color


def _resume_collector() -> None:
    """Turn the garbage collector back on as a command starts, if ``main`` paused it."""
    if state["collector_paused"]:
        state["collector_paused"] = False
        gc.freeze()  # what start-up made lives until exit: later collections skip it
        gc.enable()


def main() -> None:
    """Entry point of the ``procguide`` command."""
    # Start-up (Typer, the command's options) makes many objects that live until exit and
    # no garbage worth collecting: the collector waits for the command to start. At exit,
    # everything is frozen: a last collection would only free memory the system takes back.
    gc.disable()
    state["collector_paused"] = True
    try:
        app()
    except OSError as error:
        # Only --help and --version write outside a command (which handles its own errors):
        # a full or closed standard output there is an output error too, not a traceback.
        if state["debug"]:
            raise
        try:
            error_line(f"cannot write to standard output: {error.strerror or error}")
        except OSError:
            pass
        sys.exit(ExitCode.OUTPUT)
    finally:
        gc.freeze()
