"""The document commands: prep, steps, aftercare, handout, show."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide.cli.core import command, state, warning_line
from procguide.cli.options import (
    Activity,
    BringBack,
    Clinician,
    ConfigOpt,
    Day,
    Flags,
    Fmt,
    Holds,
    Kind,
    Lang,
    LargePrint,
    Mrn,
    NoFlags,
    Note,
    Out,
    Paper,
    Patient,
    Proc,
    ProceduresDir,
    Restarts,
    TemplatesDir,
    Time,
)

if TYPE_CHECKING:
    from procguide.document.patient import Personal


def _produce(
    view: str,
    procedure: str,
    *,
    format: str | None,
    output: Path | None,
    kind: str = "pre",
    lang: str | None = None,
    paper: str | None = None,
    large_print: bool = False,
    config: Path | None = None,
    templates_dir: Path | None = None,
    procedures_dir: list[Path] | None = None,
    **details: Any,
) -> None:
    from procguide.cli.output import choose_format, print_markup, write_output
    from procguide.pipeline import Request, produce

    fmt = choose_format(format, output)
    request = Request(
        view=view,
        procedure=procedure,
        format=fmt,
        personal=_personal(**details),
        kind=kind,
        lang=lang,
        paper=paper,
        large_print=large_print,
        config=config,
        templates_dir=templates_dir,
        procedures_dirs=tuple(procedures_dir or ()),
    )
    produced = produce(request)
    if fmt == "terminal":
        print_markup(produced.data.decode(), state["color"])
    else:
        write_output(produced.data, output)
    for warning in produced.warnings:
        warning_line(warning)


def _personal(
    patient: str | None = None,
    mrn: str | None = None,
    date: str | None = None,
    time: str | None = None,
    clinician: str | None = None,
    flag: list[str] | None = None,
    no_flag: list[str] | None = None,
    hold: list[str] | None = None,
    restart: list[str] | None = None,
    note: str | None = None,
    activity: str | None = None,
    bring_back: str | None = None,
) -> Personal:
    """The patient's details, from the options that give them."""
    from procguide.document.patient import Personal

    return Personal.read(
        patient=patient,
        clinician=clinician,
        note=note,
        day=date,
        at=time,
        flags=flag or (),
        no_flags=no_flag or (),
        holds=hold or (),
        restarts=restart or (),
        mrn=mrn,
        activity=activity,
        bring_back=bring_back,
    )


def _personal_command(view: str, summary: str) -> None:
    """Register ``view`` as a command with every personal-handout option."""

    def run(
        procedure: Proc,
        patient: Patient = None,
        date: Day = None,
        time: Time = None,
        clinician: Clinician = None,
        flag: Flags = None,
        no_flag: NoFlags = None,
        hold: Holds = None,
        restart: Restarts = None,
        note: Note = None,
        format: Fmt = None,
        output: Out = None,
        lang: Lang = None,
        paper: Paper = None,
        large_print: LargePrint = False,
        config: ConfigOpt = None,
        templates_dir: TemplatesDir = None,
        procedures_dir: ProceduresDir = None,
    ) -> None:
        # locals() also holds `view`, a free variable of this closure.
        options = {name: value for name, value in locals().items() if name != "view"}
        _produce(view, **options)

    run.__name__ = view
    run.__doc__ = summary
    command(view)(run)


_personal_command(
    "prep", "The preparation checklist, with real dates and times when --date and --time are given."
)
_personal_command("steps", "What happens during the procedure, step by step.")
_personal_command(
    "aftercare", "The recovery timeline, activity limits, follow-up and when to get help."
)


@command("handout")
def handout(
    procedure: Proc,
    kind: Kind = "pre",
    patient: Patient = None,
    mrn: Mrn = None,
    date: Day = None,
    time: Time = None,
    clinician: Clinician = None,
    flag: Flags = None,
    no_flag: NoFlags = None,
    hold: Holds = None,
    restart: Restarts = None,
    note: Note = None,
    activity: Activity = None,
    bring_back: BringBack = None,
    format: Fmt = None,
    output: Out = None,
    lang: Lang = None,
    paper: Paper = None,
    large_print: LargePrint = False,
    config: ConfigOpt = None,
    templates_dir: TemplatesDir = None,
    procedures_dir: ProceduresDir = None,
) -> None:
    """The whole sheet: before (--kind pre) or going home (--kind discharge), and more.

    --kind diary is the pain diary or trial log; --kind teach-back is the nurse's teach-back
    record for the chart; --kind escort is the sheet for the adult who takes a patient home
    after sedation.
    """
    _produce("handout", **locals())


@command("show")
def show(
    procedure: Proc,
    format: Fmt = None,
    output: Out = None,
    lang: Lang = None,
    config: ConfigOpt = None,
    templates_dir: TemplatesDir = None,
    procedures_dir: ProceduresDir = None,
) -> None:
    """Everything the library says about a procedure, with its sources (for clinicians)."""
    _produce("overview", **locals())
