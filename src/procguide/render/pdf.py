"""Print-ready PDF handouts, typeset by Typst from Jinja templates in ``templates/typst/``.

The template renders through the same Jinja environment as every other format; the typst
format's escape turns each value into a Typst string literal, so a patient's name prints as
written and can never become markup. The paper size and large print reach the template as
``sys.inputs``, so one rendered source serves every paper.

Fonts come from a Python package and Typst's own embedded fonts, never from the machine:
the same inputs give the same bytes anywhere. Starting a compiler loads those fonts, so each
process keeps one per template and font setup and reuses it for every document of a batch.
The Jinja environment is shared the same way (``render.shared_environment``).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide.errors import MissingDependencyError, TemplateError, UsageError

if TYPE_CHECKING:
    import typst

    from procguide.document.types import Document

PAPERS = {"letter": "us-letter", "a4": "a4"}
"""procguide's paper names and Typst's."""

FONT_PACKAGE = "fontpkg-atkinson-hyperlegible"

# Where a diagnostic points: "┌─ <file>.typ:LINE:COLUMN" in Typst's report.
_LOCATION = re.compile(r"\.typ:(\d+):\d+")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')

# One compiler per (root, font folders). Typst compilers are not safe to share between
# threads mid-compile, so compiling is serialised; a batch in one process is the fast path.
_compilers: dict[tuple[str, ...], typst.Compiler] = {}
# The compiler of each templates folder, once found: finding its root and fonts again looks
# at the disk for every sheet.
_by_folder: dict[str, typst.Compiler] = {}
_lock = threading.Lock()


def render_pdf(
    document: Document,
    templates_dir: Path | None,
    *,
    paper: str = "letter",
    large_print: bool = False,
) -> bytes:
    """``document`` as PDF bytes, with a clinic's ``typst/`` templates before the built-in ones."""
    source = render_source(document, templates_dir)
    return compile_source(source, templates_dir, paper=paper, large_print=large_print)


def render_source(document: Document, templates_dir: Path | None = None) -> str:
    """The Typst source of ``document``: its view's template rendered with Jinja."""
    from procguide.render.templates import FORMATS, render

    return render(document, FORMATS["typst"], templates_dir)


def compile_source(
    source: str,
    templates_dir: Path | None = None,
    *,
    paper: str = "letter",
    large_print: bool = False,
) -> bytes:
    """Typeset a rendered Typst ``source`` into PDF bytes."""
    if paper not in PAPERS:
        raise UsageError(f"unknown paper size '{paper}'", hint="use letter or a4")
    typst = _import_typst()
    inputs = {"paper": PAPERS[paper], "large-print": "yes" if large_print else "no"}
    with _lock:
        compiler = _compiler(typst, templates_dir)
        try:
            pdf, warnings = compiler.compile_with_warnings(
                input=source.encode(), format="pdf", sys_inputs=inputs
            )
        except typst.TypstError as error:
            raise TemplateError(f"PDF template: {_describe(error, source)}") from None
    if warnings:
        # A warning here means a page that is not what the template meant (a missing font,
        # an unknown setting): better no handout than a wrong one.
        raise TemplateError(f"PDF template: {_describe(warnings[0], source)}")
    if not isinstance(pdf, bytes):
        raise TemplateError("PDF template: the engine returned no single PDF")
    return pdf


def font_folders(templates_dir: Path | None = None) -> list[Path]:
    """Fonts the PDF may use: the packaged sans-serif, then a clinic's ``typst/fonts`` folder."""
    try:
        import fontpkg_atkinson_hyperlegible as atkinson  # type: ignore[import-untyped]
    except ImportError:
        raise MissingDependencyError(
            "PDF output needs the Atkinson Hyperlegible font",
            hint=f"pip install {FONT_PACKAGE}",
        ) from None
    folders = [Path(atkinson.ROOT) / "files"]
    if templates_dir is not None and (templates_dir / "typst" / "fonts").is_dir():
        folders.append(templates_dir / "typst" / "fonts")
    return folders


def _import_typst() -> Any:
    try:
        import typst
    except ImportError:
        raise MissingDependencyError("PDF output needs Typst", hint="pip install typst") from None
    return typst


def _compiler(engine: Any, templates_dir: Path | None) -> typst.Compiler:
    # A relative folder is the one it names now; the process may change folder later.
    folder = str(templates_dir.absolute()) if templates_dir is not None else ""
    compiler = _by_folder.get(folder)
    if compiler is None:
        compiler = _by_folder[folder] = _new_compiler(engine, templates_dir)
    return compiler


def _new_compiler(engine: Any, templates_dir: Path | None) -> typst.Compiler:
    from procguide.render.templates import FORMATS, template_folders

    # The clinic's typst folder is the root, so its templates can use images kept beside them.
    folders = [p for p in template_folders(FORMATS["typst"], templates_dir) if p.is_dir()]
    root = folders[0] if folders else Path.cwd()
    fonts = font_folders(templates_dir)
    key = (str(root.resolve()), *(str(p.resolve()) for p in fonts))
    compiler = _compilers.get(key)
    if compiler is None:
        _check_links(root)
        compiler = engine.Compiler(
            root=str(root), font_paths=[str(p) for p in fonts], ignore_system_fonts=True
        )
        _compilers[key] = compiler
    return compiler


def _check_links(root: Path) -> None:
    """Refuse a link in the Typst root that leads out of it.

    Typst reads files under its root only (``#read``, ``#image``), but it follows links: one
    to /etc/passwd would put that file on a patient's sheet.
    """
    real_root = root.resolve()
    for path in root.rglob("*"):
        if path.is_symlink() and not path.resolve().is_relative_to(real_root):
            raise TemplateError(
                f"{path}: leads out of the templates folder (a link to {path.resolve()}); "
                "copy the file into the folder instead"
            )


def _describe(diagnostic: Any, source: str) -> str:
    """One line: Typst's message, the rendered line it points at, and its first hint."""
    message = _mask(str(getattr(diagnostic, "message", diagnostic)))
    where = _LOCATION.search(str(getattr(diagnostic, "diagnostic", "")))
    if where:
        lines = source.splitlines()
        number = int(where[1])
        text = _mask(lines[number - 1]) if 0 < number <= len(lines) else ""
        message += f", at line {number} of the rendered Typst source: {text[:80]}"
    hints = getattr(diagnostic, "hints", None) or []
    if hints:
        message += f" (hint: {_mask(str(hints[0]))})"
    return message


def _mask(text: str) -> str:
    # String literals hold the patient's details: a diagnostic never shows them.
    return _STRING.sub('"…"', " ".join(text.split()))
