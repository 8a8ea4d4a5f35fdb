"""How lint results look: a table on a terminal, plain lines in a pipe, or JSON.

Builds text and Rich renderables only; the command prints them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide.errors import ContentError, Problem
from procguide.lint.check import ERROR, MIN_WORDS_TO_GRADE, Options, Report, SectionGrade
from procguide.lint.context import scale_for

if TYPE_CHECKING:
    from rich.console import RenderableType


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _graded(report: Report) -> list[SectionGrade]:
    # A grade of a few words says nothing ("Infection." is grade 20), so it is not compared.
    return [s for s in report.sections if s.words >= MIN_WORDS_TO_GRADE]


def _hardest(report: Report, options: Options) -> SectionGrade | None:
    graded = _graded(report)
    if not graded:
        return None
    hardest = scale_for(report.language, options).hardest([s.grade for s in graded])
    return next(s for s in graded if s.grade == hardest)


def _score(report: Report, options: Options) -> str:
    """``grade 4.4``, or ``INFLESZ 82.3`` for Spanish."""
    return f"{scale_for(report.language, options).name} {report.grade}"


def totals(reports: list[Report]) -> str:
    """One line: how many files (procedures, translations, blocks), errors and warnings."""
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    return (
        f"{_plural(len(reports), 'file')} linted: "
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    )


def grade_summary(report: Report, options: Options) -> str:
    """One line: ``blood-patch: grade 4.4 overall (budget 8), highest steps 6.2; 0 errors, ...``.

    Spanish is scored with INFLESZ, where higher is easier: ``INFLESZ 82.3 overall (budget 65),
    lowest personnel 63.8``.
    """
    scale = scale_for(report.language, options)
    hardest = _hardest(report, options)
    which = "lowest" if scale.higher_is_easier else "highest"
    top = f", {which} {hardest.section} {hardest.grade}" if hardest else ""
    return (
        f"{report.procedure}: {_score(report, options)} overall (budget {scale.budget:g}){top}; "
        f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}"
    )


def plain(reports: list[Report], options: Options) -> str:
    """``FILE:LINE: field: severity rule: message`` lines, then a summary per procedure."""
    lines = [str(f) for r in reports for f in r.findings]
    if lines:
        lines.append("")
    lines.extend(grade_summary(r, options) for r in reports)
    lines.append(totals(reports))
    return "\n".join(lines) + "\n"


def as_json(reports: list[Report], problems: list[Problem], options: Options) -> str:
    """Everything, for scripts and dashboards."""
    data: dict[str, Any] = {
        "settings": {
            "max_grade": options.max_grade,
            "hard_grade": options.hard_grade,
            "min_inflesz": options.min_inflesz,
            "hard_inflesz": options.hard_inflesz,
            "max_words": options.max_words,
            "review_months": options.review_months,
        },
        "procedures": [
            {
                "id": r.procedure,
                "path": str(r.path),
                "scale": scale_for(r.language, options).name,
                "grade": r.grade,
                "words": r.words,
                "errors": r.errors,
                "warnings": r.warnings,
                "sections": [
                    {"section": s.section, "grade": s.grade, "words": s.words, "line": s.line}
                    for s in r.sections
                ],
            }
            for r in reports
        ],
        "findings": [
            {
                "procedure": r.procedure,
                "path": str(f.path),
                "line": f.line,
                "field": f.field,
                "severity": f.severity,
                "rule": f.rule,
                "message": f.message,
            }
            for r in reports
            for f in r.findings
        ],
        "invalid": [
            {"path": str(p.path) if p.path else None, "line": p.line, "field": p.field,
             "message": p.message}
            for p in problems
        ],
        "errors": sum(r.errors for r in reports),
        "warnings": sum(r.warnings for r in reports),
    }  # fmt: skip
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def tables(reports: list[Report], options: Options) -> list[RenderableType]:
    """A table of findings (when there are any) and a table of grades."""
    from rich.table import Table
    from rich.text import Text

    shown: list[RenderableType] = []
    findings = [f for r in reports for f in r.findings]
    if findings:
        table = Table("where", "field", "", "rule", "what to fix", box=None, header_style="bold")
        for f in findings:
            style = "red" if f.severity == ERROR else "yellow"
            table.add_row(
                Text(f"{f.path}:{f.line or 1}"),
                Text(f.field),
                Text(f.severity, style=style),
                Text(f.rule),
                Text(f.message),
            )
        shown.append(table)
    title = (
        f"Reading grades (budget {options.max_grade:g}, no section above {options.hard_grade:g})"
    )
    if any(r.language == "es" for r in reports):
        title += (
            f"; Spanish: INFLESZ (budget {options.min_inflesz:g}, no section below "
            f"{options.hard_inflesz:g})"
        )
    grades = Table(
        "procedure", "grade", "hardest section", "sections over", "errors", "warnings",
        box=None, header_style="bold", title=title,
    )  # fmt: skip
    for r in reports:
        highest = _hardest(r, options)
        scale = scale_for(r.language, options)
        # Sections the grade rule flagged: short ones are held only to the hard limit.
        over = sum(1 for f in r.findings if f.rule == "grade")
        grades.add_row(
            Text(r.procedure),
            Text(_score(r, options), style="red" if scale.worse(r.grade, scale.budget) else ""),
            Text(f"{highest.section} {highest.grade}" if highest else "-"),
            Text(str(over)),
            Text(str(r.errors), style="red" if r.errors else ""),
            Text(str(r.warnings), style="yellow" if r.warnings else ""),
        )
    shown.append(grades)
    shown.append(Text(totals(reports)))
    return shown


def lint_paths(
    paths: list[Path],
    procedures_dirs: list[Path],
    config: Path | None,
    options: Options,
) -> tuple[list[Report], list[Problem]]:
    """Lint files and folders (default: the library): a report per file, and files not read."""
    from procguide.lint.run import lint_files

    files, problems, dirs = _files(paths, procedures_dirs, config)
    reports, invalid = lint_files(files, options, dirs)
    return reports, [*problems, *invalid]


def raise_for(reports: list[Report], problems: list[Problem], *, strict: bool) -> None:
    """Raise ContentError for files that could not be read, LintError for what lint found."""
    from procguide.lint.check import LintError

    if problems:
        raise ContentError(problems)
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    if errors or (strict and warnings):
        found = _plural(errors, "error") + (
            f" and {_plural(warnings, 'warning')}" if strict else ""
        )
        raise LintError(f"lint found {found}", hint="fix them, then run lint again")


def _files(
    paths: list[Path], procedures_dirs: list[Path], config: Path | None
) -> tuple[list[Path], list[Problem], tuple[Path, ...]]:
    from procguide.config import load_config, open_library
    from procguide.content import blocks
    from procguide.content.library import is_procedure_file
    from procguide.content.translation import files_in, library_files

    files: list[Path] = []
    problems: list[Problem] = []
    settings = load_config(config).settings
    library = open_library(settings, procedures_dirs)
    if not paths:
        used = blocks.block_files(blocks.library_folders(library.dirs))
        found = [*library.paths.values(), *library_files(library.dirs), *used]
        return found, problems, library.dirs
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if is_procedure_file(p))
            files.extend(files_in(path))
            files.extend(blocks.block_files((path / blocks.FOLDER,)))
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem("no such file or folder", path))
    return files, problems, library.dirs
