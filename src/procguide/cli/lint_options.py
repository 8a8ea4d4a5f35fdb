"""The options of ``procguide lint``, declared apart so the command reads as what it does."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Paths = Annotated[
    list[Path] | None, typer.Argument(help="Files or folders to check (default: the library).")
]
MaxGrade = Annotated[
    float,
    typer.Option(
        "--max-grade", min=1, metavar="GRADE", help="Reading-grade budget for each procedure."
    ),
]
MaxWords = Annotated[
    int,
    typer.Option(
        "--max-words", min=5, metavar="N", help="Longest sentence, in words, before a warning."
    ),
]
MaxVocabulary = Annotated[
    float,
    typer.Option(
        "--max-vocabulary",
        min=1,
        metavar="SCORE",
        help="Dale-Chall budget (hard words) for each procedure.",
    ),
]
MinInflesz = Annotated[
    float,
    typer.Option(
        "--min-inflesz",
        min=1,
        max=100,
        metavar="SCORE",
        help="INFLESZ budget for each Spanish procedure (higher is easier).",
    ),
]
MaxSpanishHardWords = Annotated[
    float,
    typer.Option(
        "--max-spanish-hard-words",
        min=0,
        max=100,
        metavar="PERCENT",
        help="Hard words (percent) for each Spanish procedure.",
    ),
]
MaxPreWords = Annotated[
    int,
    typer.Option("--max-pre-words", min=1, metavar="N", help="Words on the pre-procedure sheet."),
]
MaxDischargeWords = Annotated[
    int,
    typer.Option(
        "--max-discharge-words", min=1, metavar="N", help="Words on the going-home sheet."
    ),
]
ReviewMonths = Annotated[
    int,
    typer.Option(
        "--review-months", min=1, metavar="N", help="Warn when the review is older than this."
    ),
]
Jargon = Annotated[
    list[Path] | None,
    typer.Option(
        "--jargon", metavar="FILE", help="YAML file of the clinic's jargon: term: plain words."
    ),
]
Strict = Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")]
LintFormat = Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table or json.")]
