"""Handout languages: language codes, message catalogs for the fixed text, and the active one.

English is the language procguide is written in: its fixed text is the template and code
text itself, so English needs no catalog and never imports Babel. Any other language needs a
message catalog (``procguide.po``) for the templates and ``wording.py``, and a translation of
each procedure's content (see ``translation.py``). Catalogs are read from, in order:

- ``<templates_dir>/locale/<lang>/LC_MESSAGES/procguide.po``: the clinic's, which can add a
  language or reword a built-in one;
- ``templates/locale/<lang>/LC_MESSAGES/procguide.po``: the built-in ones, so a clinic's
  templates folder mirrors the built-in tree.

The ``.po`` files are read directly (with Babel, which a non-English handout imports anyway
for its dates), so a clinic adds a language by adding files, without a compile step. A message
that no catalog translates is an error, never a silent English fallback: a handout never mixes
languages.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide.errors import ContentError, Problem, TemplateError, UsageError
from procguide.resources import builtin_dir

if TYPE_CHECKING:
    import jinja2

SOURCE = "en"
"""The language the code, templates and procedure files are written in."""
DOMAIN = "procguide"
LOCALE_DIR = builtin_dir("templates") / "locale"
"""The built-in catalogs."""

_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_NAMES = {"en": "English", "es": "Spanish"}


def check_code(lang: str) -> str:
    """``lang`` as a language code (``es``, ``pt-br``), or a UsageError.

    Codes become parts of file names, so nothing else is let through.
    """
    code = lang.strip().lower().replace("_", "-")
    if not _CODE.match(code):
        raise UsageError(
            f"'{lang}' is not a language code", hint="use a code such as en or es (ISO 639-1)"
        )
    return code


def name_of(lang: str) -> str:
    """``Spanish`` for ``es``: for messages; the code itself for a language without a name here."""
    return _NAMES.get(lang, f"'{lang}'")


class Source(_gettext.NullTranslations):
    """The source language: every message is its own translation."""

    language = SOURCE
    files: tuple[Path, ...] = ()


class Catalog(_gettext.NullTranslations):
    """The translated messages of one language; a message it lacks is an error.

    Built from one or more ``.po`` files, the first file that translates a message winning.
    """

    def __init__(
        self,
        language: str,
        singular: dict[str, str],
        plural: dict[str, tuple[str, ...]],
        plural_index: Callable[[int], int],
        files: tuple[Path, ...],
    ) -> None:
        super().__init__()
        self.language = language
        self.files = files
        self._singular = singular
        self._plural = plural
        self._plural_index = plural_index

    def gettext(self, message: str) -> str:
        """The translation of ``message``."""
        found = self._singular.get(message)
        if found is None:
            raise self._missing(message)
        return found

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        """The translation of ``msgid1`` in the plural form for ``n``."""
        forms = self._plural.get(msgid1)
        if forms is None:
            raise self._missing(msgid1)
        index = self._plural_index(n)
        return forms[index] if 0 <= index < len(forms) else forms[-1]

    def pgettext(self, context: str, message: str) -> str:
        """Context-qualified messages are not used by procguide's templates."""
        return self.gettext(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        """Context-qualified plurals are not used by procguide's templates."""
        return self.ngettext(msgid1, msgid2, n)

    def _missing(self, message: str) -> ContentError:
        where = self.files[0] if self.files else None
        text = f"no {name_of(self.language)} translation of the message '{message}'"
        hint = "add it (msgid and msgstr) to the catalog, then run the command again"
        return ContentError([Problem(f"{text}; {hint}", where)])


def catalog_files(lang: str, templates_dir: Path | None = None) -> list[Path]:
    """The ``.po`` files of ``lang`` that exist, the clinic's first."""
    folders = [LOCALE_DIR]
    if templates_dir is not None:
        folders.insert(0, templates_dir / "locale")
    files = [folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po" for folder in folders]
    return [path for path in files if path.is_file()]


def languages_with_catalogs(templates_dir: Path | None = None) -> list[str]:
    """Every language that has a catalog, with English first."""
    found = {SOURCE}
    for folder in (LOCALE_DIR, *((templates_dir / "locale",) if templates_dir else ())):
        if folder.is_dir():
            found.update(
                p.name for p in folder.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
            )
    return [SOURCE, *sorted(found - {SOURCE})]


def translations(lang: str, templates_dir: Path | None = None) -> _gettext.NullTranslations:
    """The messages of ``lang``: ``Source`` for English, else its ``Catalog``."""
    if lang == SOURCE:
        return Source()
    files = tuple(catalog_files(lang, templates_dir))
    if not files:
        where = LOCALE_DIR if templates_dir is None else templates_dir / "locale"
        path = where / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        raise ContentError(
            [Problem(f"no catalog of the handouts' fixed text in {name_of(lang)}; add {path}")]
        )
    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _load(lang, stamps)


@functools.cache
def _load(lang: str, stamps: tuple[tuple[str, int, int], ...]) -> Catalog:
    """Read the catalog files (named with their modification time, so an edit is seen)."""
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    plural_expr = None
    files = tuple(Path(name) for name, _, _ in stamps)
    for path in files:
        read = read_po(path, lang)
        plural_expr = plural_expr or read.plural_expr
        for message in read:
            if not message.id or message.fuzzy:
                continue  # the header, or a guess nobody has checked
            if isinstance(message.id, (list, tuple)):
                forms = tuple(message.string or ())
                if forms and all(forms):
                    plural.setdefault(message.id[0], forms)
            elif message.string:
                singular.setdefault(message.id, message.string)
    index = _gettext.c2py(plural_expr or "(n != 1)")
    return Catalog(lang, singular, plural, index, files)


def read_po(path: Path, lang: str) -> Any:
    """A ``.po`` file as a Babel catalog; a broken file is a content error naming its line."""
    from babel.messages.pofile import PoFileError
    from babel.messages.pofile import read_po as babel_read_po

    try:
        with path.open("rb") as stream:
            return babel_read_po(
                stream, locale=lang, domain=DOMAIN, ignore_obsolete=True, abort_invalid=True
            )
    except PoFileError as error:
        line = getattr(error, "lineno", None)
        raise ContentError([Problem(f"not a valid catalog: {error}", path, line)]) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ContentError([Problem(f"cannot read the catalog: {error}", path)]) from None


# The catalog of the document being rendered, for code that has no document at hand
# (Jinja's _() and the calendar's phrases).
_ACTIVE: ContextVar[_gettext.NullTranslations | None] = ContextVar(
    "procguide_catalog", default=None
)


@contextmanager
def active(lang: str, templates_dir: Path | None = None) -> Iterator[_gettext.NullTranslations]:
    """Make ``lang``'s catalog the one templates and the calendar translate with."""
    catalog = translations(lang, templates_dir)
    token = _ACTIVE.set(catalog)
    try:
        yield catalog
    finally:
        _ACTIVE.reset(token)


def _current() -> _gettext.NullTranslations:
    return _ACTIVE.get() or _SOURCE


_SOURCE = Source()


def active_language() -> str:
    """The language of the active catalog (English when none is active)."""
    return str(getattr(_current(), "language", SOURCE))


def gettext(message: str) -> str:
    """``message`` in the active language."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` for ``n``, in the active language."""
    return _current().ngettext(singular, plural, n)


def install(env: jinja2.Environment, fixed: _gettext.NullTranslations | None = None) -> None:
    """Give ``env`` its ``_()`` and ``ngettext()``.

    With ``fixed`` translations, those are used whatever the document. Otherwise the active
    catalog is, and a template that can see the document checks that the two languages agree,
    so a document is never rendered with another language's headings.
    """
    if fixed is not None:
        env.install_gettext_translations(fixed, newstyle=True)  # type: ignore[attr-defined]
        return
    from jinja2 import pass_context

    @pass_context
    def template_gettext(context: Any, message: str) -> str:
        _check(context)
        return gettext(message)

    @pass_context
    def template_ngettext(context: Any, singular: str, plural: str, n: int) -> str:
        _check(context)
        return ngettext(singular, plural, n)

    env.install_gettext_callables(  # type: ignore[attr-defined]
        template_gettext, template_ngettext, newstyle=True
    )


def _check(context: Any) -> None:
    doc = context.get("doc")
    wanted = doc.get("language") if isinstance(doc, dict) else None
    if wanted is not None and wanted != active_language():
        raise TemplateError(
            f"the document is in {name_of(str(wanted))} but the template text is in "
            f"{name_of(active_language())}",
            hint="render it through procguide.pipeline.encode, which picks the catalog",
        )
