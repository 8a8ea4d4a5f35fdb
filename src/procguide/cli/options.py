"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Proc = Annotated[
    str,
    typer.Argument(metavar="PROCEDURE", help="Procedure id, alias or CPT code, e.g. blood-patch."),
]
Kind = Annotated[
    str,
    typer.Option(
        "--kind",
        metavar="KIND",
        help="pre (before the procedure), discharge (going home), diary (the pain diary or "
        "trial log, with a time on every row), teach-back (the nurse's record of the teaching) "
        "or escort (for the adult who takes a sedated patient home).",
    ),
]
Patient = Annotated[str | None, typer.Option("--patient", metavar="NAME", help="Patient's name.")]
Day = Annotated[
    str | None, typer.Option("--date", metavar="YYYY-MM-DD", help="Procedure date, YYYY-MM-DD.")
]
Time = Annotated[
    str | None, typer.Option("--time", metavar="HH:MM", help="Procedure start, 24-hour HH:MM.")
]
Mrn = Annotated[
    str | None,
    typer.Option(
        "--mrn",
        metavar="ID",
        help="Patient's medical record number (needed for --format fhir).",
    ),
]
Clinician = Annotated[
    str | None, typer.Option("--clinician", metavar="NAME", help="Clinician's name.")
]
Flags = Annotated[
    list[str] | None,
    typer.Option("--flag", metavar="FLAG", help="Turn on a procedure flag (repeatable)."),
]
NoFlags = Annotated[
    list[str] | None,
    typer.Option(
        "--no-flag",
        metavar="FLAG",
        help="Turn off a flag the procedure turns on by default (repeatable).",
    ),
]
Holds = Annotated[
    list[str] | None,
    typer.Option(
        "--hold",
        metavar="DRUG=OFFSET",
        help="Medicine the clinician pauses: DRUG=OFFSET, e.g. clopidogrel=7d (repeatable).",
    ),
]
Restarts = Annotated[
    list[str] | None,
    typer.Option(
        "--restart",
        metavar="DRUG=OFFSET",
        help="When a held medicine starts again after the procedure, e.g. clopidogrel=1d "
        "(repeatable; without it the going-home sheet has a line to write the date on).",
    ),
]
Activity = Annotated[
    str | None,
    typer.Option(
        "--activity",
        metavar="TEXT",
        help='Diary only: the activity to try before each score, e.g. "stand for 10 minutes" '
        "(without it, a line to write it on).",
    ),
]
BringBack = Annotated[
    str | None,
    typer.Option(
        "--bring-back",
        metavar="OFFSET",
        help="Diary only: when to bring it back, after the procedure, e.g. 7d "
        "(default: the procedure's own, else a line for the date).",
    ),
]
Note = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note for the patient.")]
Fmt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="terminal, text, markdown, html, json, pdf, ics or fhir "
        "(default: from the -o file name, else terminal on a screen and text in a pipe).",
    ),
]
Out = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to this file.")
]
Lang = Annotated[
    str | None,
    typer.Option("--lang", metavar="CODE", help="Handout language (default: config, else en)."),
]
Paper = Annotated[
    str | None,
    typer.Option("--paper", metavar="SIZE", help="PDF paper size: letter or a4 (default: config)."),
]
LargePrint = Annotated[
    bool,
    typer.Option(
        "--large-print", help="PDF in large print (18 pt, 1.5 line spacing), for low vision."
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", metavar="FILE", help="Clinic config file (default: see README)."),
]
TemplatesDir = Annotated[
    Path | None,
    typer.Option(
        "--templates-dir",
        metavar="DIR",
        help="Folder of templates that override the built-in ones.",
    ),
]
ProceduresDir = Annotated[
    list[Path] | None,
    typer.Option(
        "--procedures-dir",
        metavar="DIR",
        help="Folder of the clinic's own procedures (repeatable).",
    ),
]
