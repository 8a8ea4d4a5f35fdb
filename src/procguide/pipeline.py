"""Make one document: config, procedure, personal details, then the chosen format."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide.errors import UsageError

if TYPE_CHECKING:
    from procguide.config import Clinic
    from procguide.content.library import Entry
    from procguide.document.build import Built, Personal

SUFFIX_FORMATS = {
    ".txt": "text",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".pdf": "pdf",
    ".ics": "ics",
}
TEMPLATE_FORMATS = ("terminal", "text", "markdown", "html")
BINARY_FORMATS = ("pdf",)
ALL_FORMATS = (*TEMPLATE_FORMATS, "json", "pdf", "ics")


@dataclass
class Request:
    """Everything one document command was asked for."""

    view: str
    procedure: str
    patient: str | None = None
    date: str | None = None
    time: str | None = None
    clinician: str | None = None
    flag: list[str] | None = None
    hold: list[str] | None = None
    note: str | None = None
    format: str | None = None
    output: Path | None = None
    config: Path | None = None
    templates_dir: Path | None = None
    procedures_dir: list[Path] | None = None
    kind: str = "pre"
    lang: str | None = None
    paper: str | None = None
    large_print: bool = False
    color: bool | None = None


def choose_format(requested: str | None, output: Path | None) -> str:
    """The format asked for, else the one the output file's suffix names, else by terminal."""
    from procguide.cli.console import stdout_is_terminal

    if requested is not None:
        fmt = requested.strip().lower()
        if fmt not in ALL_FORMATS:
            raise UsageError(
                f"unknown format '{requested}'", hint=f"use one of: {', '.join(ALL_FORMATS)}"
            )
    elif output is not None:
        fmt = SUFFIX_FORMATS.get(output.suffix.lower(), "")
        if not fmt:
            raise UsageError(
                f"cannot tell the format from the name {output.name}",
                hint=f"add --format ({', '.join(ALL_FORMATS)})",
            )
    else:
        fmt = "terminal" if stdout_is_terminal() else "text"
    if fmt == "terminal" and output is not None:
        raise UsageError(
            "the terminal format is for the screen", hint="use --format text for a file"
        )
    if fmt in BINARY_FORMATS and (output is None or str(output) == "-") and stdout_is_terminal():
        raise UsageError(f"{fmt.upper()} is not for the screen", hint=f"add -o FILE.{fmt}")
    return fmt


def personal_from(request: Request) -> Any:
    """Check and collect the patient's details from the command line."""
    from procguide.document.build import Hold, Personal, clean_text
    from procguide.document.schedule import parse_date, parse_time

    def text(value: str | None, option: str) -> str | None:
        return clean_text(value, option) or None if value is not None else None

    flags = frozenset(f.strip().lower() for f in request.flag or ())
    holds = tuple(Hold.parse(h) for h in request.hold or ())
    medicines = [h.medicine.casefold() for h in holds]
    if len(set(medicines)) != len(medicines):
        raise UsageError("the same medicine is given twice with --hold")
    return Personal(
        patient=text(request.patient, "--patient"),
        clinician=text(request.clinician, "--clinician"),
        note=text(request.note, "--note"),
        day=parse_date(request.date) if request.date is not None else None,
        at=parse_time(request.time) if request.time is not None else None,
        flags=flags,
        holds=holds,
    )


def produce(request: Request) -> list[str]:
    """Make the document ``request`` asks for and write or print it; return warnings."""
    from procguide.config import load_config
    from procguide.content.library import Library
    from procguide.i18n.languages import check_code

    lang = check_code(request.lang) if request.lang is not None else None
    if request.paper not in (None, "letter", "a4"):
        raise UsageError(f"unknown paper size '{request.paper}'", hint="use letter or a4")
    if request.kind not in ("pre", "discharge"):
        raise UsageError(f"unknown --kind '{request.kind}'", hint="use pre or discharge")
    fmt = choose_format(request.format, request.output)
    config = load_config(request.config)
    settings = config.settings
    library = Library((*(request.procedures_dir or ()), *settings.procedures_dirs))
    entry = library.find(request.procedure)
    personal = personal_from(request)
    templates_dir = request.templates_dir or settings.templates_dir
    built = document(
        entry,
        personal,
        settings.clinic,
        lang=lang or settings.language,
        view=request.view,
        kind=request.kind,
        library_dirs=library.dirs,
        templates_dir=templates_dir,
    )
    if fmt == "terminal":
        _print_terminal(built.data, templates_dir, request.color)
    else:
        paper = request.paper or settings.paper
        data = encode(built.data, fmt, templates_dir, paper=paper, large_print=request.large_print)
        _write(data, request.output)
    return built.warnings


def document(
    entry: Entry,
    personal: Personal,
    clinic: Clinic,
    *,
    lang: str,
    view: str,
    kind: str = "pre",
    library_dirs: tuple[Path, ...] = (),
    templates_dir: Path | None = None,
) -> Built:
    """One patient's document about ``entry`` in ``lang``: the single path every command shares.

    The content is the checked translation of ``entry`` (found beside it or in
    ``library_dirs``), and every phrase and date is in ``lang``, from its catalog (the
    clinic's in ``templates_dir`` first). Render the result with ``encode``, which picks the
    same catalog for the templates from the document's ``language``.

    Raises:
        UsageError: for a language code that is not one, or a procedure with no translation
            into ``lang`` (the message lists the languages it has).
        ContentError: for a translation that is invalid, differs from the English file or is
            out of date, and for a language without a catalog of the fixed text.
    """
    from procguide.document.build import build
    from procguide.document.wording import Wording
    from procguide.i18n.languages import SOURCE, check_code, translations

    lang = check_code(lang)
    translation = None
    if lang != SOURCE:  # English is the content itself: no translation module to load
        from procguide.content.translation import localize

        translation = localize(entry, lang, library_dirs)
    wording = Wording(translations(lang, templates_dir), lang)
    return build(
        entry,
        personal,
        clinic,
        wording,
        view=view,
        kind=kind,
        language=lang,
        translation=translation,
    )


def encode(
    document: dict[str, Any],
    fmt: str,
    templates_dir: Path | None,
    *,
    paper: str = "letter",
    large_print: bool = False,
) -> bytes:
    """``document`` as the bytes of ``fmt``, its fixed text in the document's language."""
    from procguide.i18n.languages import active

    if fmt == "json":
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
    with active(document.get("language") or "en", templates_dir):
        if fmt == "pdf":
            from procguide.render.pdf import render_pdf

            return render_pdf(document, templates_dir, paper=paper, large_print=large_print)
        if fmt == "ics":
            from procguide.render.ics import render_ics

            return render_ics(document)
        from procguide.render.templates import FORMATS, render

        return render(document, FORMATS[fmt], templates_dir).encode()


def _print_terminal(
    document: dict[str, Any], templates_dir: Path | None, color: bool | None
) -> None:
    from procguide.cli.console import stdout_console
    from procguide.i18n.languages import active
    from procguide.render.templates import FORMATS, render

    with active(document.get("language") or "en", templates_dir):
        markup = render(document, FORMATS["terminal"], templates_dir)
    console = stdout_console(color)
    for line in markup.splitlines():
        console.print(*_hanging(line, console), sep="", end="", soft_wrap=True)


_MARKER = re.compile(r"( *)((?:[•!☐-]|\d+\.) )?")


def _hanging(line: str, console: Any) -> list[Any]:
    """One template line wrapped to the screen.

    Continuation lines start under the text, not the bullet, so a list stays easy to scan.
    """
    from rich.text import Text

    match = _MARKER.match(line)
    lead = len(match[1]) if match else 0
    hang = lead + (len(match[2]) if match and match[2] else 0)
    text = Text.from_markup(line[lead:], emoji=False)
    width = max(console.width - hang, 20)
    parts: list[Any] = []
    for index, part in enumerate(text.wrap(console, width)):
        part.rstrip()
        parts += [Text(" " * (lead if index == 0 else hang)), part, Text("\n")]
    return parts or [Text("\n")]


def _write(data: bytes, output: Path | None) -> None:
    from procguide.output import write_file, write_stdout

    if output is None or str(output) == "-":
        write_stdout(data)
    else:
        write_file(output, data)
