"""The options of ``procguide batch``, declared apart so the command reads as what it does."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Roster = Annotated[
    str,
    typer.Argument(
        help="The patients: a CSV, JSON array or JSON Lines file, HL7 v2 SIU messages or a "
        "FHIR Bundle of Appointments; - reads stdin."
    ),
]
OutDir = Annotated[
    Path,
    typer.Option("--out", "-o", metavar="DIR", help="Folder for the handouts and manifest.jsonl."),
]
BatchFormats = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMATS",
        help="Comma-separated formats: html, pdf, text, markdown, json, ics, fhir.",
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", metavar="N", help="Processes to use (default: the number of CPUs)."
    ),
]
Resume = Annotated[
    bool,
    typer.Option(
        "--resume", help="Skip rows whose files the manifest lists, unchanged, from a last run."
    ),
]
Encoding = Annotated[
    str,
    typer.Option(
        "--encoding",
        metavar="NAME",
        help="The roster's text encoding (UTF-8 may start with a BOM).",
    ),
]
NamePattern = Annotated[
    str,
    typer.Option(
        "--name",
        metavar="PATTERN",
        help="File names from {date} {time} {procedure} {patient} {clinician} {kind} {row}.",
    ),
]
