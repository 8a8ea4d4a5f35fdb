"""The work of ``procguide record``: read, check every event, then write them all or none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide.cli.core import as_flag, state
from procguide.errors import UsageError

if TYPE_CHECKING:
    from procguide.record.read import Event

OPTION_OF = {
    "procedure": "PROCEDURE",
    "learners": "--learner",
    "barriers": "--barrier",
    "methods": "--method",
    "results": "--result",
    "flags": "--flag",
    "flag": "--flag",
    "no_flags": "--no-flag",
    "no_flag": "--no-flag",
}
"""The option that gives each key of a teaching event, where it is not ``--`` the key."""
KEY_OF = {"flag": "flags", "no_flag": "no_flags"}


def run(
    given: dict[str, Any],
    source: Path | None,
    to: Path | None,
    fhir: Path | None,
    config: Path | None,
    procedures_dirs: list[Path],
) -> None:
    """Record the events ``given`` as options, or in the file ``source``, in the file ``to``.

    Every event is checked (and made into FHIR, with ``fhir``) before anything is written, so
    one bad event leaves the record file as it was.
    """
    from procguide.config import load_config, open_library
    from procguide.record.make import make
    from procguide.record.read import Event, read_events
    from procguide.record.ticked import ticked

    if to is None:
        raise UsageError("is needed: the record file to add the lines to", field="to")
    if source is not None and given:
        raise UsageError("give the teaching in the file or as options, not both", field="from")
    settings = load_config(config).settings
    library = open_library(settings, tuple(procedures_dirs))
    events = read_events(source) if source is not None else [Event(given, "", False)]
    made = []
    for event in events:
        try:
            made.append(make(ticked(event.raw), settings, library))
        except UsageError as error:
            raise worded(error, event, source) from None
    lines = [
        json.dumps(m.line.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
        for m in made
    ]
    fhir_data = _fhir(made, events, source) if fhir is not None else None
    _write(lines, to)
    if fhir is not None and fhir_data is not None:
        from procguide.output import write_file

        write_file(fhir, fhir_data)
    _summary(len(lines), to, fhir)


def _fhir(made: list[Any], events: list[Any], source: Path | None) -> bytes:
    from procguide.render.fhir_procedure import bundle, procedure_resource

    resources = []
    for done, event in zip(made, events, strict=True):
        try:
            resources.append(
                procedure_resource(
                    done.line.model_dump(mode="json"),
                    procedure_name=done.sheet["procedure"]["name"],
                )
            )
        except UsageError as error:
            raise worded(error, event, source) from None
    return (json.dumps(bundle(resources), ensure_ascii=False, indent=2) + "\n").encode()


def _write(lines: list[str], to: Path) -> None:
    if str(to) == "-":
        from procguide.output import write_stdout

        write_stdout("".join(line + "\n" for line in lines).encode())
        return
    from procguide.record.store import append_lines

    append_lines(to, lines)


def _summary(count: int, to: Path, fhir: Path | None) -> None:
    from procguide.cli.console import stderr_console

    events = "1 teaching event" if count == 1 else f"{count} teaching events"
    where = "standard output" if str(to) == "-" else str(to)
    line = f"record: {events} added to {where}" + (f"; FHIR in {fhir}" if fhir else "")
    stderr_console(state["color"]).print(line, markup=False, highlight=False, soft_wrap=True)


def worded(error: UsageError, event: Event | None, source: Path | None) -> UsageError:
    """``error`` with its key named as the user gave it: an option, a JSON key, a CSV column."""
    if error.field == "from":
        return UsageError(f"{as_flag('from')}: {error.message}", hint=error.hint)
    where = f"{source}: " if source is not None else ""
    if event is not None and event.where:
        where += f"{event.where}: "
    if error.field is not None:
        key = KEY_OF.get(error.field, error.field)
        if source is None:
            where += f"{OPTION_OF.get(error.field, as_flag(error.field))}: "
        elif event is not None and event.column_words:
            where += f"the {key} column: "
        else:
            where += f"{key}: "
    return UsageError(where + error.message, hint=error.hint)
