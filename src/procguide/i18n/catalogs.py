"""Keep the message catalogs in step with the text in the templates and the code.

    python -m procguide.i18n.catalogs            # write locale/procguide.pot, update every .po
    python -m procguide.i18n.catalogs --check    # exit 1 if a catalog lacks or guesses a message

Messages are extracted with Babel: Jinja's extractor (``jinja2.ext.babel_extract``) for every
format's templates and Babel's Python extractor for the modules that build phrases. Updating
a ``.po`` adds new messages untranslated, marks changed ones fuzzy (a guess that a translator
must check) and drops unused ones; handouts refuse untranslated and fuzzy messages, so run
``--check`` (the test suite does) after editing any text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from procguide.i18n.languages import DOMAIN, LOCALE_DIR
from procguide.resources import builtin_dir

_PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATE_SUFFIXES = (".txt", ".md", ".html", ".rich", ".typ", ".jinja")
_JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "newstyle_gettext": "true",
}
# ``self._n`` is wording.py's ngettext.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_n": (1, 2)}
COMMENT_TAGS = ["Translators:"]
HEADER = """\
# The fixed text of procguide's handouts: headings, labels and phrases around the content.
# To add a language, copy this file to locale/LANG/LC_MESSAGES/procguide.po, set its
# Language and Plural-Forms, and translate every msgstr (see the README)."""


def template() -> Any:
    """A Babel catalog of every message in the built-in templates and procguide's code."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract

    catalog = Catalog(project="procguide", domain=DOMAIN, charset="utf-8", fuzzy=False)
    templates = builtin_dir("templates")
    for path in sorted(templates.rglob("*")):
        if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
            _add(catalog, extract, "jinja2.ext:babel_extract", path, templates, _JINJA_OPTIONS)
    for path in sorted(_PACKAGE.rglob("*.py")):
        _add(catalog, extract, "python", path, _PACKAGE.parent, {})
    return catalog


def _add(catalog: Any, extract: Any, method: str, path: Path, base: Path, options: Any) -> None:
    with path.open("rb") as stream:
        found = extract(method, stream, KEYWORDS, COMMENT_TAGS, options, strip_comment_tags=True)
        where = path.relative_to(base.parent).as_posix()
        for line, message, comments, context in found:
            catalog.add(message, None, [(where, line)], auto_comments=comments, context=context)


def po_files() -> list[Path]:
    """The built-in catalogs, one per language."""
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def problems(pot: Any) -> list[str]:
    """Each message a built-in catalog lacks, leaves untranslated, or marks as a guess."""
    from procguide.i18n.languages import read_po

    found = []
    for path in po_files():
        lang = path.parent.parent.name
        catalog = read_po(path, lang)
        for message in pot:
            if not message.id:
                continue
            have = catalog.get(message.id)
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if have is None:
                found.append(f"{path}: '{key}' is missing")
            elif have.fuzzy:
                found.append(f"{path}: '{key}' is fuzzy: check the translation, remove the flag")
            elif not have.string or (isinstance(have.string, tuple) and not all(have.string)):
                found.append(f"{path}: '{key}' is not translated")
        for message in catalog:
            if message.id and message.id not in pot:
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                found.append(f"{path}: '{key}' is no longer used: remove it")
    return found


def update(pot: Any) -> None:
    """Write ``procguide.pot`` and merge it into every built-in ``.po``."""
    from babel.messages.pofile import read_po as babel_read_po
    from babel.messages.pofile import write_po

    from procguide.i18n.languages import read_po

    pot_path = LOCALE_DIR / f"{DOMAIN}.pot"
    if pot_path.is_file():
        # Dates change only with the messages, so an update with nothing new is no diff.
        with pot_path.open("rb") as stream:
            before = babel_read_po(stream)
        if _same(before, pot):
            pot.creation_date = before.creation_date
    pot.header_comment = HEADER
    with pot_path.open("wb") as stream:
        write_po(stream, pot, width=100, sort_output=False, include_lineno=False)
    for path in po_files():
        catalog = read_po(path, path.parent.parent.name)
        created = catalog.creation_date
        catalog.update(pot, update_header_comment=False)
        if _same(catalog, pot):
            catalog.creation_date = created
        with path.open("wb") as stream:
            write_po(stream, catalog, width=100, ignore_obsolete=True, include_lineno=False)


def _same(catalog: Any, pot: Any) -> bool:
    # Files, not lines: the catalogs name where a message is used without line numbers, so
    # that editing a template does not rewrite them.
    def ids(c: Any) -> set[Any]:
        return {(m.id, tuple(sorted({f for f, _ in m.locations}))) for m in c if m.id}

    return ids(catalog) == ids(pot)


def main(argv: list[str] | None = None) -> int:
    """Update the catalogs, or with --check only report what is out of step."""
    parser = argparse.ArgumentParser(prog="python -m procguide.i18n.catalogs", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args(argv)
    pot = template()
    if not args.check:
        update(pot)
    found = problems(pot)
    for line in found:
        sys.stderr.write(line + "\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
