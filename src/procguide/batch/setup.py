"""Batch setup: what a batch was asked for, checked before anything is written.

``prepare`` checks the options, loads the config and library and refuses a format, language
or template that no row could use, so a batch stops before its first file, not at row 1,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.batch.filenames import DEFAULT_PATTERN, Pattern, parse_pattern
from procguide.batch.rows import Fields
from procguide.errors import ExitCode, UsageError
from procguide.pipeline import KINDS, PAPERS
from procguide.render.formats import FILE_FORMATS

if TYPE_CHECKING:
    from procguide.batch.records import Earlier, Record
    from procguide.config import Settings
    from procguide.content.library import Library

MANIFEST = "manifest.jsonl"
CHUNKSIZE = 4
"""Rows a worker takes at a time: enough to keep it busy, few enough to stop quickly."""


@dataclass(frozen=True)
class Options:
    """What ``procguide batch`` was asked for."""

    out: Path
    formats: tuple[str, ...] = ("html",)
    kind: str = "pre"
    jobs: int = 1
    config: Path | None = None
    templates_dir: Path | None = None
    procedures_dirs: tuple[Path, ...] = ()
    resume: bool = False
    name_pattern: str = DEFAULT_PATTERN
    lang: str | None = None
    paper: str | None = None
    large_print: bool = False
    debug: bool = False
    """Let an unexpected error stop the batch with its traceback."""


@dataclass(frozen=True)
class Setup:
    """The resolved options every worker starts from (small, so it pickles cheaply)."""

    out: Path
    formats: tuple[str, ...]
    kind: str
    lang: str
    paper: str
    large_print: bool
    config: Path | None
    templates_dir: Path | None
    procedures_dirs: tuple[Path, ...]
    debug: bool


@dataclass
class Summary:
    """How a batch went; every row's details are in the manifest."""

    total: int
    manifest: Path
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    interrupted: bool = False
    stale_removed: int = 0
    """Temporaries an earlier, killed run left in the folder, removed before this one."""
    outdated_removed: int = 0
    """Handouts an earlier run made that this run did not (a rescheduled row), removed."""

    @property
    def done(self) -> int:
        """Rows finished (made, skipped or failed)."""
        return self.ok + self.failed + self.skipped

    @property
    def exit_code(self) -> ExitCode:
        """130 when stopped early, 6 when a row failed, else 0."""
        if self.interrupted:
            return ExitCode.INTERRUPTED
        return ExitCode.PARTIAL if self.failed else ExitCode.OK

    def add(self, record: Record) -> None:
        """Count one manifest record."""
        status = record["status"]
        if status == "ok":
            self.ok += 1
        elif status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1


@dataclass(frozen=True)
class Task:
    """One row, checked and named, on its way to a worker."""

    row: int
    line: int | None
    name: str
    fields: Fields | None = None
    error: str | None = None
    procedure: str | None = None
    procedure_sha256: str | None = None
    input_sha256: str | None = None
    previous: Earlier | None = None
    skip: str | None = None
    """Why the row gets no handout (a cancelled appointment)."""
    labels: tuple[tuple[str, str], ...] = ()
    """Where in a scheduling message each column came from, for its errors."""


def prepare(options: Options) -> tuple[Setup, Settings, Library, Pattern]:
    """Check the options, load the config and library; raise before anything is written."""
    from procguide.config import library_dirs, load_config
    from procguide.content.library import Library

    formats = tuple(dict.fromkeys(f.strip().lower() for f in options.formats if f.strip()))
    if not formats:
        raise UsageError(
            "none given", hint=f"use one or more of: {', '.join(FILE_FORMATS)}", field="format"
        )
    for fmt in formats:
        if fmt not in FILE_FORMATS:
            raise UsageError(
                f"unknown format '{fmt}' for a batch",
                hint=f"use one or more of: {', '.join(FILE_FORMATS)}",
                field="format",
            )
    if options.kind not in KINDS:
        raise UsageError(
            f"unknown kind '{options.kind}'", hint="use pre or discharge", field="kind"
        )
    if options.paper not in (None, *PAPERS):
        raise UsageError(
            f"unknown paper size '{options.paper}'", hint="use letter or a4", field="paper"
        )
    if options.jobs < 1:
        raise UsageError("must be 1 or more", field="jobs")
    if options.out.exists() and not options.out.is_dir():
        raise UsageError(
            f"{options.out} is a file", hint="give a folder for the handouts", field="out"
        )
    pattern = parse_pattern(options.name_pattern)
    settings = load_config(options.config).settings
    dirs = library_dirs(settings, options.procedures_dirs)
    library = Library(dirs)
    templates_dir = options.templates_dir or settings.templates_dir
    _check_formats(formats, templates_dir)
    if "fhir" in formats and settings.clinic.mrn_system is None:
        raise UsageError(
            "FHIR output needs clinic.mrn_system in the config",
            hint="the URI your medical record numbers belong to, e.g. urn:oid:1.2.3.4",
            field="format",
        )
    _check_language(options.lang or settings.language, templates_dir)
    setup = Setup(
        out=options.out,
        formats=formats,
        kind=options.kind,
        lang=options.lang or settings.language,
        paper=options.paper or settings.paper,
        large_print=options.large_print,
        config=options.config,
        templates_dir=templates_dir,
        procedures_dirs=dirs,
        debug=options.debug,
    )
    return setup, settings, library, pattern


def _check_language(lang: str, templates_dir: Path | None) -> None:
    """Refuse a default language that no handout could be made in, before any work starts."""
    from procguide.i18n.languages import check_code, languages_with_catalogs

    available = languages_with_catalogs(templates_dir)
    if check_code(lang) not in available:
        raise UsageError(
            f"no handouts in language '{lang}'", hint=f"available: {', '.join(available)}"
        )


def _check_formats(formats: tuple[str, ...], templates_dir: Path | None) -> None:
    """Stop before the first row when a format cannot work for any row."""
    import importlib.util

    from procguide.errors import MissingDependencyError

    # FHIR carries the sheet as PDF and as text: both must work.
    sheets = {"fhir": ("pdf", "text")}
    needed = dict.fromkeys(f for fmt in formats for f in sheets.get(fmt, (fmt,)))
    for fmt in needed:
        template = fmt
        if fmt == "pdf":
            if importlib.util.find_spec("typst") is None:
                raise MissingDependencyError("PDF output needs Typst", hint="pip install typst")
            from procguide.render.pdf import font_folders

            font_folders(templates_dir)
            template = "typst"
        if fmt not in ("json", "ics"):
            _check_template(template, templates_dir)


def _check_template(name: str, templates_dir: Path | None) -> None:
    import jinja2

    from procguide.errors import TemplateError
    from procguide.render.templates import FORMATS, shared_environment, template_folders

    fmt = FORMATS[name]
    try:
        # The shared environment: forked workers inherit the templates compiled here.
        shared_environment(fmt, templates_dir).get_template("handout" + fmt.suffix)
    except jinja2.TemplateNotFound as error:
        folders = ", ".join(str(p) for p in template_folders(fmt, templates_dir))
        raise TemplateError(f"template '{error.name}' not found in {folders}") from None
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name}:{error.lineno}"
        raise TemplateError(f"{where}: {error.message}") from None
