"""Print-ready PDF handouts, typeset by Typst from Jinja templates in ``templates/typst/``.

The template renders through the same Jinja environment as every other format; the typst
format's escape turns each value into a Typst string literal, so a patient's name prints as
written and can never become markup. The paper size and large print reach the template as
``sys.inputs``, so one rendered source serves every paper.

Fonts come from a Python package and Typst's own embedded fonts, never from the machine:
the same inputs give the same bytes anywhere. Starting a compiler loads those fonts, so each
process keeps one per template and font setup and reuses it for every document of a batch.
The Jinja environment is shared the same way (``render.shared_environment``).

Every PDF declares PDF/UA-1 (accessible: tagged, titled, every image described) and PDF/A-2a
(archivable, and tagged too) unless the clinic config turns them off; Typst checks the rules
as it writes, so a template that breaks one is an error, never a PDF that claims too much.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide.errors import MissingDependencyError, TemplateError, UsageError

if TYPE_CHECKING:
    import typst

    from procguide.document.types import Document

PAPERS = {"letter": "us-letter", "a4": "a4"}
"""procguide's paper names and Typst's."""

FONT_PACKAGE = "fontpkg-atkinson-hyperlegible"

STANDARDS = ("ua-1", "a-2a")
"""The standards a PDF declares by default: PDF/UA-1 (Section 508) and PDF/A-2a."""

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
_runaway: str | None = None
"""Why this process's PDF engine can no longer be used, once a sheet ran past the limit."""

TIME_LIMIT_VAR = "PROCGUIDE_PDF_TIME_LIMIT"
DEFAULT_TIME_LIMIT = 60.0
NO_PACKAGES = str(Path(os.devnull) / "typst-packages")
"""A folder that cannot exist (nothing can be made under /dev/null), for Typst's packages."""
_CLOSED_PORT = "http://127.0.0.1:9"
_NO_NETWORK = {
    **{name: _CLOSED_PORT for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")},
    **{name: _CLOSED_PORT for name in ("http_proxy", "HTTP_PROXY")},
    "no_proxy": "",
    "NO_PROXY": "",
}


def render_pdf(
    document: Document,
    templates_dir: Path | None,
    *,
    paper: str = "letter",
    large_print: bool = False,
    standards: tuple[str, ...] = STANDARDS,
) -> bytes:
    """``document`` as PDF bytes, with a clinic's ``typst/`` templates before the built-in ones."""
    source = render_source(document, templates_dir)
    return compile_source(
        source, templates_dir, paper=paper, large_print=large_print, standards=standards
    )


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
    standards: tuple[str, ...] = STANDARDS,
) -> bytes:
    """Typeset a rendered Typst ``source`` into PDF bytes that meet ``standards``."""
    if paper not in PAPERS:
        raise UsageError(f"unknown paper size '{paper}'", hint="use letter or a4")
    typst = _import_typst()
    inputs = {"paper": PAPERS[paper], "large-print": "yes" if large_print else "no"}
    chosen: list[Any] = [*standards]  # Typst's names, checked by the config's model
    with _lock:
        if _runaway:
            raise TemplateError(f"PDF template: {_runaway}")
        compiler = _compiler(typst, templates_dir)
        try:
            pdf, warnings = _in_time(
                lambda: compiler.compile_with_warnings(
                    input=source.encode(), format="pdf", sys_inputs=inputs, pdf_standards=chosen
                )
            )
        except typst.TypstError as error:
            message = _describe(error, source)
            if "package" in message:
                message += "; procguide uses no Typst package: copy what it needs into typst/"
            raise TemplateError(f"PDF template: {message}", hint=_standard_hint(error)) from None
    if warnings:
        # A warning here means a page that is not what the template meant (a missing font,
        # an unknown setting): better no handout than a wrong one.
        raise TemplateError(f"PDF template: {_describe(warnings[0], source)}")
    if not isinstance(pdf, bytes):
        raise TemplateError("PDF template: the engine returned no single PDF")
    return _without_suspects(pdf)


# Typst writes the catalog's /MarkInfo as <</Marked true/Suspects false>>, which is valid PDF
# (false is the default). Poppler (22.12 on Debian 12, and later releases) misreads a false
# /Suspects and prints "Syntax
# Error: Suspects object is wrong type (boolean)" for every page tool run on the file. The
# entry is blanked with spaces of the same length, so every byte offset in the file's
# cross-reference table stays right and the output stays byte-identical from run to run.
_SUSPECTS = re.compile(rb"(/MarkInfo\s*<<\s*/Marked\s+true\s*)(/Suspects\s+false)(\s*>>)")


def _without_suspects(pdf: bytes) -> bytes:
    return _SUSPECTS.sub(lambda m: m[1] + b" " * len(m[2]) + m[3], pdf, count=1)


def _standard_hint(error: Any) -> str | None:
    """How to go on when a clinic's template cannot meet the PDF standards."""
    if not re.match(r"PDF/(UA|A)-", str(getattr(error, "message", ""))):
        return None
    return (
        "fix the template, or set pdf_standards: [] in the clinic config "
        "for PDFs that claim no standard"
    )


def time_limit() -> float:
    """Seconds one sheet may take to typeset: ``$PROCGUIDE_PDF_TIME_LIMIT``, or 60."""
    try:
        limit = float(os.environ.get(TIME_LIMIT_VAR, "") or DEFAULT_TIME_LIMIT)
    except ValueError:
        raise UsageError(
            f"${TIME_LIMIT_VAR} is not a number of seconds", hint="for example 60"
        ) from None
    return limit if limit > 0 else DEFAULT_TIME_LIMIT


def _in_time(compile_one: Callable[[], Any]) -> Any:
    """``compile_one()``, unless it runs past the time limit (a template's endless loop).

    Typst cannot be interrupted, so it runs in a thread that is left behind: the compiler it
    holds is never used again, and every later sheet in this process fails at once rather
    than queue behind it. No file has been written when this raises.
    """
    global _runaway
    done: dict[str, Any] = {}

    def run() -> None:
        try:
            # Typst downloads a package it is asked for; a handout must never reach out.
            with _offline():
                done["result"] = compile_one()
        except BaseException as error:  # handed to the caller, on its thread
            done["error"] = error

    limit = time_limit()
    thread = threading.Thread(target=run, name="procguide-typst", daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        _runaway = f"an earlier sheet took more than {limit:g} s to typeset, and was stopped"
        raise TemplateError(
            f"PDF template: typesetting took more than {limit:g} s, so it was stopped (a loop "
            f"that never ends?); ${TIME_LIMIT_VAR} sets the limit"
        )
    if "error" in done:
        raise done["error"]
    return done["result"]


@contextlib.contextmanager
def _offline() -> Iterator[None]:
    """Typst's package downloads go to a closed local port while it typesets.

    Typst fetches an ``@preview`` package it does not have, and its Python binding has no
    switch to stop it; it honours the standard proxy variables, so these point its requests
    at a port where nothing listens, and the import fails at once.
    """
    saved = {name: os.environ.get(name) for name in _NO_NETWORK}
    os.environ.update(_NO_NETWORK)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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
            root=str(root),
            font_paths=[str(p) for p in fonts],
            ignore_system_fonts=True,
            # No package folder: an `@local` package would be read from outside the
            # templates folder, and an `@preview` one would be downloaded.
            package_path=NO_PACKAGES,
            package_cache_path=NO_PACKAGES,
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
