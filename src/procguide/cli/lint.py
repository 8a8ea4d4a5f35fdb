"""The content-quality commands: lint, new."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from procguide.cli.core import command, state
from procguide.cli.lint_options import (
    Jargon,
    LintFormat,
    MaxDischargeWords,
    MaxGrade,
    MaxPreWords,
    MaxSpanishHardWords,
    MaxVocabulary,
    MaxWords,
    MinInflesz,
    Paths,
    ReviewMonths,
    Strict,
)
from procguide.cli.options import ConfigOpt, ProceduresDir
from procguide.errors import UsageError


@command("lint")
def lint(
    paths: Paths = None,
    max_grade: MaxGrade = 8.0,
    max_words: MaxWords = 25,
    max_vocabulary: MaxVocabulary = 8.5,
    min_inflesz: MinInflesz = 65.0,
    max_spanish_hard_words: MaxSpanishHardWords = 7.0,
    max_pre_words: MaxPreWords = 1700,
    max_discharge_words: MaxDischargeWords = 850,
    review_months: ReviewMonths = 12,
    jargon: Jargon = None,
    strict: Strict = False,
    format: LintFormat = "table",
    procedures_dir: ProceduresDir = None,
    config: ConfigOpt = None,
) -> None:
    """Check that procedures are readable, complete, consistent and safe to hand out."""
    from procguide.cli.console import stdout_console, stdout_is_terminal
    from procguide.lint.check import Options, load_jargon
    from procguide.lint.report import as_json, lint_paths, plain, raise_for, tables
    from procguide.lint.words import JARGON
    from procguide.output import write_stdout

    if format not in ("table", "json"):
        raise UsageError(f"unknown format '{format}'", hint="use table or json", field="format")
    terms = dict(JARGON)
    for path in jargon or []:
        terms.update(load_jargon(path))
    options = Options(
        max_grade=max_grade,
        max_words=max_words,
        review_months=review_months,
        jargon=terms,
        max_vocabulary=max_vocabulary,
        min_inflesz=min_inflesz,
        max_spanish_hard_words=max_spanish_hard_words,
        max_sheet_words={"pre": max_pre_words, "discharge": max_discharge_words},
    )
    reports, problems = lint_paths(paths or [], procedures_dir or [], config, options)
    if format == "json":
        write_stdout(as_json(reports, problems, options).encode())
    elif stdout_is_terminal() or state["color"]:
        console = stdout_console(state["color"])
        for renderable in tables(reports, options):
            console.print(renderable)
    else:
        write_stdout(plain(reports, options).encode())
    raise_for(reports, problems, strict=strict)


@command("new")
def new(
    procedure_id: Annotated[str, typer.Argument(metavar="ID", help="Id of the new procedure.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="PATH", help="File or folder to write (default: ./ID.yaml)."
        ),
    ] = None,
) -> None:
    """Write a starter procedure file that passes validate and lint; never overwrites."""
    from datetime import date

    from procguide.content.starter import starter, target, write_new

    text = starter(procedure_id, date.today())
    path = target(procedure_id, output)
    write_new(path, text.encode("utf-8"))
    typer.echo(
        f"wrote {path}: replace each TODO, then run procguide lint --strict {path}", err=True
    )
