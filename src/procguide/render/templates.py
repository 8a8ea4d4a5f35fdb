"""Render a document with Jinja templates, escaping every value for the output format.

Templates are trusted clinic code; everything they print from the document is data. Each
format escapes in the environment (autoescape for HTML, a ``finalize`` hook for the others),
so no template line has to remember to. A value that is missing (None or undefined) stops the
render: a medical handout with a silent blank is worse than none.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide.document.wording import first_upper
from procguide.errors import TemplateError
from procguide.render.html import HTML_FILTERS
from procguide.resources import builtin_dir

if TYPE_CHECKING:
    import gettext

    import jinja2

    from procguide.document.types import Document, RecoveryData


@dataclass(frozen=True)
class Format:
    """An output format rendered from templates."""

    name: str
    folder: str
    suffix: str
    escape: Callable[[str], str]
    autoescape: bool = False
    line_based: bool = False
    """Read line by line (text, terminal, Markdown): runs of blank lines become one."""


_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _plain(text: str) -> str:
    return text


_MD_INLINE = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")


def escape_markdown(text: str) -> str:
    """Make ``text`` literal in Markdown: no emphasis, links, HTML, headings or lists."""
    flat = " ".join(text.split())  # a newline in a value could start a new block
    flat = _MD_INLINE.sub(r"\\\1", flat)
    match = _MD_LINE_START.match(flat)
    if match:
        if match[2][0].isdigit():
            end = match.end()
            flat = flat[:end] + "\\" + flat[end:]
        else:
            flat = flat[: match.start(2)] + "\\" + flat[match.start(2) :]
    return flat


# What follows "[" in a Rich tag: a letter, #, / or @, then anything but "[" up to "]".
_RICH_TAG = re.compile(r"[a-z#/@][^\[]*?\]")


def escape_rich(text: str) -> str:
    r"""Make ``text`` literal in Rich markup, whatever markup comes before or after it.

    rich.markup.escape loses backslashes: Rich turns every "\[" into "[", and reads
    backslashes before a tag as escapes, so "C:\[x" or a value ending in "\" just before
    "[/bold]" came out wrong. Backslashes are doubled only where Rich will halve them.
    """
    out: list[str] = []
    run = 0  # backslashes just before this character
    for index, char in enumerate(text):
        if char == "\\":
            run += 1
            continue
        if char == "[":
            tag = _RICH_TAG.match(text, index + 1) is not None
            out.append("\\" * (2 * run + 1 if tag else run + 1) + "[")
        else:
            out.append("\\" * run + char)
        run = 0
    if run:
        # Followed by an empty tag, trailing backslashes mean the same before any template text.
        out.append("\\" * (2 * run) + "[none][/none]")
    return "".join(out)


# Backslash, the quote and control characters are the only things a Typst string literal
# cannot hold as they are; everything else (#, $, *, _, [, <, @) is inert inside one. A
# no-break space is written as an escape too, so it can be seen in the source.
_TYPST_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"'} | {
    c: f"\\u{{{c:x}}}" for c in (*range(0x20), 0x7F, 0xA0)
}


# A date never breaks across lines on a sheet: "Tue 1 Dec 2026", and a Spanish one
# ("1 de diciembre de 2026", whose weekday may end the line before it). Its spaces become
# no-break spaces as the value enters the Typst source; regex show rules in the template
# did the same at about a sixth of Typst's time for each sheet.
# Compiled on first use (re caches them): text and HTML never need them.
_DATES = (
    r"\b[^\W\d_]+\.? \d{1,2} [^\W\d_]+\.? \d{4}\b",
    r"\b\d{1,2} de [^\W\d_]+ de \d{4}\b",
)


def _unbroken(match: re.Match[str]) -> str:
    return match[0].replace(" ", "\u00a0")


def escape_typst(text: str) -> str:
    """``text`` as a Typst string literal, so it prints as data and never as markup.

    Templates write ``#{{ value }}`` in markup and ``{{ value }}`` in code.
    """
    for dates in _DATES:
        text = re.sub(dates, _unbroken, text)
    return '"' + text.translate(_TYPST_ESCAPES) + '"'


FORMATS: dict[str, Format] = {
    "terminal": Format("terminal", "terminal", ".rich", escape_rich, line_based=True),
    "text": Format("text", "text", ".txt", _plain, line_based=True),
    "markdown": Format("markdown", "markdown", ".md", escape_markdown, line_based=True),
    "html": Format("html", "html", ".html", _plain, autoescape=True),
    "typst": Format("typst", "typst", ".typ", escape_typst),
}


SHARED = "shared"
"""The folder of views that are the same in every format, searched after the format's own."""
VIEW_SUFFIX = ".jinja"


def template_folders(fmt: Format, clinic_dir: Path | None) -> list[Path]:
    """Where templates of ``fmt`` are looked up, the clinic's folders first.

    A view missing from the format's folders is taken from the shared folders, where
    ``handout.jinja`` serves as ``handout.html``, ``handout.txt`` and the rest.
    """
    roots = [clinic_dir, builtin_dir("templates")] if clinic_dir else [builtin_dir("templates")]
    return [root / fmt.folder for root in roots] + [root / SHARED for root in roots]


def _loader(fmt: Format, clinic_dir: Path | None) -> jinja2.BaseLoader:
    import jinja2

    folders = template_folders(fmt, clinic_dir)

    class InsideFolder(jinja2.FileSystemLoader):
        """Templates from the folder itself: a symlink that leads out of it is refused."""

        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            source, filename, uptodate = super().get_source(environment, template)
            real = Path(filename).resolve()
            if not any(real.is_relative_to(Path(p).resolve()) for p in self.searchpath):
                raise TemplateError(
                    f"{filename}: leads out of its templates folder (a link to {real}); "
                    "copy the file into the folder instead"
                )
            return source, filename, uptodate

    own = InsideFolder([str(p) for p in folders if p.name != SHARED])
    shared = InsideFolder([str(p) for p in folders if p.name == SHARED])

    class SharedViews(jinja2.BaseLoader):
        """``handout.html`` -> ``shared/handout.jinja``: views only, never a format's partials."""

        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str | None, Callable[[], bool] | None]:
            if not template.endswith(fmt.suffix) or "/" in template or template.startswith("_"):
                raise jinja2.TemplateNotFound(template)
            view = template[: -len(fmt.suffix)] + VIEW_SUFFIX
            try:
                return shared.get_source(environment, view)
            except jinja2.TemplateNotFound:
                raise jinja2.TemplateNotFound(template) from None

    return jinja2.ChoiceLoader([own, SharedViews()])


def environment(
    fmt: Format,
    clinic_dir: Path | None = None,
    translations: gettext.NullTranslations | None = None,
) -> jinja2.Environment:
    """The one place a Jinja environment is made."""
    import jinja2
    from markupsafe import Markup

    from procguide.cache import bytecode_cache
    from procguide.i18n.languages import install as install_gettext

    escape = fmt.escape

    # Autoescape is on for every format, so macro output and translations (Markup) pass
    # through once. Data is escaped here for the format and marked safe, so Jinja's own
    # HTML escaping then leaves it alone; for HTML, Jinja's escaping is the one that applies.
    def finalize(value: Any) -> Any:
        if value is None:
            raise TemplateError("a template printed a value that is missing (None)")
        if fmt.autoescape or isinstance(value, (Markup, jinja2.runtime.Undefined)):
            return value
        return Markup(escape(str(value)))

    if clinic_dir is not None and not clinic_dir.is_dir():
        raise TemplateError(f"templates folder not found: {clinic_dir}")
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # A clinic's template is trusted to lay out a sheet, not to run code: the sandbox refuses
    # attributes such as __globals__ (the way from {{ cycler }} to os.popen) and calls that
    # change the document.
    env = ImmutableSandboxedEnvironment(
        loader=_loader(fmt, clinic_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
        # Compiling the templates is most of a one-document run; Jinja recompiles any
        # template whose source changed.
        bytecode_cache=bytecode_cache(),
    )
    # Fixed text in the document's language: ``translations`` if given, else the catalog
    # that ``i18n.active`` chose for the document being rendered.
    install_gettext(env, translations)
    # Shared views extend and import the format's own files: "base" ~ suffix.
    env.globals["suffix"] = fmt.suffix
    env.filters["wrap"] = wrap
    env.filters["by_window"] = by_window
    # Kept for clinics' templates written before labels were built in the document: Jinja's
    # own ``capitalize`` lowers the rest of the text.
    env.filters["first_upper"] = first_upper
    env.filters.update(HTML_FILTERS)
    return env


_environments: dict[tuple[str, str], jinja2.Environment] = {}


def shared_environment(fmt: Format, clinic_dir: Path | None = None) -> jinja2.Environment:
    """The environment for ``fmt``, made once per process and templates folder.

    Building one and compiling its templates costs far more than rendering a document, so a
    batch reuses it. It translates with the active catalog (``i18n.active``), so one serves
    every language.
    """
    key = (fmt.name, str(clinic_dir.resolve()) if clinic_dir is not None else "")
    env = _environments.get(key)
    if env is None:
        env = _environments[key] = environment(fmt, clinic_dir)
    return env


def wrap(text: str, indent: int = 4, width: int = 78) -> str:
    """Wrap plain text for a printed page; continuation lines get ``indent`` spaces."""
    lines = textwrap.wrap(
        text, width=width - indent, break_long_words=False, break_on_hyphens=False
    )
    return ("\n" + " " * indent).join(lines)


def by_window(recovery: list[RecoveryData]) -> list[dict[str, Any]]:
    """Group consecutive recovery items that share a window, keeping their order."""
    groups: list[dict[str, Any]] = []
    for item in recovery:
        key = (item["window"]["from"], item["window"]["to"])
        if groups and groups[-1]["key"] == key:
            groups[-1]["items"].append(item)
        else:
            groups.append({"key": key, "window": item["window"], "items": [item]})
    return groups


SHEETS_OF_THEIR_OWN = ("diary", "teach-back", "escort")
"""Handout kinds laid out by a view of their own (``teach-back.html``), not ``handout``."""


def view_template(document: Document) -> str:
    """The view template a document is rendered with, without its suffix."""
    kind = document.get("kind")
    if document["view"] == "handout" and kind in SHEETS_OF_THEIR_OWN:
        return str(kind)
    return document["view"]


def render(
    document: Document,
    fmt: Format,
    clinic_dir: Path | None = None,
    translations: gettext.NullTranslations | None = None,
) -> str:
    """Render ``document`` with the template named after its view."""
    import jinja2

    name = view_template(document) + fmt.suffix
    if translations is None:
        env = shared_environment(fmt, clinic_dir)
    else:
        env = environment(fmt, clinic_dir, translations)
    try:
        template = env.get_template(name)
        output = template.render(doc=document)
        # Sections that are left out leave their blank lines behind; values cannot hold
        # newlines (they are collapsed on the way in), so this only touches layout.
        return _BLANK_RUNS.sub("\n\n", output) if fmt.line_based else output
    except jinja2.TemplateNotFound as error:
        folders = ", ".join(str(p) for p in template_folders(fmt, clinic_dir))
        raise TemplateError(f"template '{error.name}' not found in {folders}") from None
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(
            f"{error.filename or error.name}:{error.lineno}: {error.message}"
        ) from None
    except jinja2.UndefinedError as error:
        raise TemplateError(f"{_where(error)}{error.message}") from None
    except TemplateError as error:
        raise TemplateError(f"{_where(error)}{error.message}") from None
    except UnicodeDecodeError:
        folders = ", ".join(str(p) for p in template_folders(fmt, clinic_dir))
        raise TemplateError(
            f"a template in {folders} is not UTF-8", hint="save it as UTF-8"
        ) from None
    except jinja2.TemplateError as error:
        raise TemplateError(f"{_where(error)}{error.message or type(error).__name__}") from None
    except (
        ArithmeticError,
        AttributeError,
        LookupError,
        TypeError,
        ValueError,
        RecursionError,
    ) as error:
        # A template's own mistake ({{ 1 / 0 }} in a clinic's file) is a template error. One
        # raised inside procguide's code (a filter) is a bug: it goes on to be reported as one.
        if not _raised_in_template(error):
            raise
        message = f"the template failed: {type(error).__name__}: {error}"
        raise TemplateError(f"{_where(error)}{message}") from None


_TEMPLATE_FILES = (".rich", ".txt", ".md", ".html", ".typ", VIEW_SUFFIX)


def _raised_in_template(error: BaseException) -> bool:
    """Whether the innermost frame of ``error`` is template code, not procguide's Python."""
    tb = error.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    # Jinja's own runtime (jinja2/runtime.py) raises for a template's bad call or lookup.
    return last is not None and (last.endswith(_TEMPLATE_FILES) or "jinja2" in last)


def _where(error: BaseException) -> str:
    # Jinja rewrites tracebacks so template frames carry the template's file and line.
    place = ""
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(_TEMPLATE_FILES):
            place = f"{filename}:{tb.tb_lineno}: "
        tb = tb.tb_next
    return place
