"""The output formats: one registry that the command line, batch and suffix lookup all read.

A format is a name, the file suffixes it is written with, and whether its bytes can go to a
terminal. ``encode`` turns a resolved document into one format's bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procguide.document.types import Document

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OutputFormat:
    """One way to write a document."""

    name: str
    suffixes: tuple[str, ...]
    """File suffixes that name this format; the first is the one batch files get."""
    binary: bool = False
    """Bytes a terminal cannot show (PDF): only to a file or a pipe."""
    screen: bool = False
    """For the terminal only (Rich markup): never written to a file."""

    @property
    def suffix(self) -> str:
        """The suffix of files written in this format."""
        return self.suffixes[0] if self.suffixes else ""


FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        OutputFormat("terminal", (), screen=True),
        OutputFormat("text", (".txt",)),
        OutputFormat("markdown", (".md",)),
        OutputFormat("html", (".html", ".htm")),
        OutputFormat("json", (".json",)),
        OutputFormat("pdf", (".pdf",), binary=True),
        OutputFormat("ics", (".ics",)),
        OutputFormat("fhir", (".fhir.json",)),
    )
}
"""Every format, in the order help and messages list them."""
FILE_FORMATS = tuple(name for name, fmt in FORMATS.items() if not fmt.screen)
"""The formats that can be written to a file (and so by a batch)."""


def from_suffix(path: Path) -> OutputFormat | None:
    """The format a file name's suffix names, if any."""
    name = path.name.lower()
    # The longest suffix first: x.fhir.json is FHIR, x.json the document.
    found = [(s, fmt) for fmt in FORMATS.values() for s in fmt.suffixes if name.endswith(s)]
    return max(found, key=lambda pair: len(pair[0]))[1] if found else None


def encode(
    document: Document,
    fmt: str,
    templates_dir: Path | None,
    *,
    paper: str = "letter",
    large_print: bool = False,
    pdf_standards: tuple[str, ...] | None = None,
) -> bytes:
    """``document`` as the bytes of ``fmt``, its fixed text in the document's language.

    The terminal format is Rich markup, encoded as UTF-8, for the command line to print. A
    PDF declares ``pdf_standards`` (None: PDF/UA-1 and PDF/A-2a).
    """
    from procguide.i18n.languages import active

    if fmt == "json":
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "pdf":
        typeset = encode_in_two(
            document,
            fmt,
            templates_dir,
            paper=paper,
            large_print=large_print,
            pdf_standards=pdf_standards,
        )
        return typeset()
    with active(document.get("language") or "en", templates_dir):
        if fmt == "ics":
            from procguide.render.ics import render_ics

            return render_ics(document)
        if fmt == "fhir":
            from procguide.render.fhir import render_fhir, required

            required(document)
            # The sheet goes inline: its PDF and text are made the same way as on their own.
            sheet = {
                f: encode(document, f, templates_dir, paper=paper, large_print=large_print)
                for f in ("pdf", "text")
            }
            return render_fhir(document, pdf=sheet["pdf"], text=sheet["text"])
        from procguide.render.templates import FORMATS as TEMPLATE_FORMATS
        from procguide.render.templates import render

        text = render(document, TEMPLATE_FORMATS[fmt], templates_dir)
        if fmt == "html":
            from procguide.render.html import check_images

            check_images(text)
        return text.encode()


def encode_in_two(
    document: Document,
    fmt: str,
    templates_dir: Path | None,
    *,
    paper: str = "letter",
    large_print: bool = False,
    pdf_standards: tuple[str, ...] | None = None,
) -> Callable[[], bytes]:
    """``encode``, split: the Python part now, and what is left as a call that returns the bytes.

    For a PDF the call typesets the Typst source rendered now. Typst lets go of Python's
    lock while it works, so a batch typesets one row on another thread while it renders the
    next. Every other format is finished now; its call just returns the bytes.
    """
    if fmt != "pdf":
        made = encode(
            document,
            fmt,
            templates_dir,
            paper=paper,
            large_print=large_print,
            pdf_standards=pdf_standards,
        )
        return lambda: made
    from procguide.i18n.languages import active
    from procguide.render.pdf import STANDARDS, compile_source, render_source

    with active(document.get("language") or "en", templates_dir):
        source = render_source(document, templates_dir)
    standards = STANDARDS if pdf_standards is None else pdf_standards
    return lambda: compile_source(
        source, templates_dir, paper=paper, large_print=large_print, standards=standards
    )
