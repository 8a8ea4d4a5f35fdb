"""One document, end to end: config and library, procedure, patient, document, bytes.

The flow of procguide in one function (``produce``): every command that makes a document
calls it, and batch reuses its steps (``make`` and ``render.formats.encode``) row by row.
It prints nothing and names no command-line flag; the caller writes the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.errors import UsageError

if TYPE_CHECKING:
    from procguide.config import Clinic
    from procguide.content.library import Entry
    from procguide.document.build import Built
    from procguide.document.patient import Personal

KINDS = ("pre", "discharge", "diary", "teach-back", "escort")
"""The sheets ``handout`` makes: before, going home, the diary, the nurse's teach-back record,
the escort's."""
PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class Request:
    """What one document is asked for: the procedure, the patient and how to write it."""

    view: str
    procedure: str
    format: str
    personal: Personal
    kind: str = "pre"
    lang: str | None = None
    paper: str | None = None
    large_print: bool = False
    config: Path | None = None
    templates_dir: Path | None = None
    procedures_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Produced:
    """The bytes of the document, in the requested format, and warnings for the user."""

    data: bytes
    warnings: list[str] = field(default_factory=list)


def produce(request: Request) -> Produced:
    """Make the document ``request`` asks for."""
    from procguide.config import load_config, open_library
    from procguide.i18n.languages import check_code
    from procguide.render.formats import encode

    lang = check_code(request.lang) if request.lang is not None else None
    if request.paper not in (None, *PAPERS):
        raise UsageError(
            f"unknown paper size '{request.paper}'", hint="use letter or a4", field="paper"
        )
    if request.kind not in KINDS:
        raise UsageError(
            f"unknown kind '{request.kind}'",
            hint="use " + ", ".join(KINDS[:-1]) + " or " + KINDS[-1],
            field="kind",
        )
    settings = load_config(request.config).settings
    library = open_library(settings, request.procedures_dirs)
    entry = library.find(request.procedure)
    templates_dir = request.templates_dir or settings.templates_dir
    built = make(
        entry,
        request.personal,
        settings.clinic,
        lang=lang or settings.language,
        view=request.view,
        kind=request.kind,
        library_dirs=library.dirs,
        templates_dir=templates_dir,
    )
    data = encode(
        built.data,
        request.format,
        templates_dir,
        paper=request.paper or settings.paper,
        large_print=request.large_print,
        pdf_standards=settings.pdf_standards,
    )
    return Produced(data, built.warnings)


def make(
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
    clinic's in ``templates_dir`` first). Render the result with ``render.formats.encode``,
    which picks the same catalog for the templates from the document's ``language``.

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
