"""Translations of procedure content: parallel files checked item by item against the English.

``blood-patch.es.yaml`` sits beside ``blood-patch.yaml`` (or in a clinic's procedures folder)
and has the same structure with the patient-facing text translated. Everything that is not
text must match the English file exactly: the items and their order, offsets and windows,
flags (``when``/``unless``), the sources each item cites, the source list, id, aliases and
codes. A translation also records which version of the English file it translates
(``translates: {sha256: ...}``): when the English file changes, the translation is out of
date until someone reviews it against the change and updates the hash. Any mismatch, and an
out-of-date hash, is an error: a handout in a language must say what the reviewed English
says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.content.checks import show
from procguide.content.compare import Translates, compare_items, compare_sources
from procguide.content.keys import dotted
from procguide.content.model import Procedure
from procguide.errors import ContentError, Problem, UsageError
from procguide.i18n.languages import SOURCE, check_code, name_of

if TYPE_CHECKING:
    from procguide.content.blocks import Used
    from procguide.content.include import Expanded
    from procguide.content.library import Entry
    from procguide.content.yamlsafe import Loaded

SUFFIX = ".yaml"


class TranslatedProcedure(Procedure):
    """A procedure file in another language: the same fields, plus what it translates."""

    translates: Translates
    """The version of the English file this translates."""


@dataclass(frozen=True)
class Translation:
    """A checked translation of one procedure, and the English entry it matches."""

    procedure: TranslatedProcedure
    path: Path
    sha256: str
    """The content hash: the file's SHA-256, folded with those of the blocks it includes."""
    language: str
    source: Entry
    blocks: tuple[Used, ...] = ()
    """The translated blocks the file includes."""

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of the translation's content hash."""
        return self.sha256[:12]


def _language(lang: str) -> str:
    named = name_of(lang)
    return f"{named} ('{lang}')" if named != f"'{lang}'" else named


def split_name(path: Path) -> tuple[str, str] | None:
    """``(blood-patch, es)`` for ``blood-patch.es.yaml``; None for any other file."""
    if path.suffix != SUFFIX or path.name.startswith("."):
        return None
    stem, dot, lang = path.stem.rpartition(".")
    if not dot or not stem or "." in stem:
        return None
    try:
        return (stem, lang) if check_code(lang) == lang else None
    except UsageError:
        return None


def files_in(folder: Path) -> list[Path]:
    """The translation files in ``folder``, sorted."""
    return [p for p in sorted(folder.iterdir()) if split_name(p) is not None]


def find(procedure_id: str, lang: str, dirs: tuple[Path, ...]) -> Path | None:
    """The translation of ``procedure_id`` into ``lang`` in the first folder that has one."""
    for folder in dirs:
        path = folder / f"{procedure_id}.{lang}{SUFFIX}"
        if path.is_file():
            return path
    return None


def languages(entry: Entry, dirs: tuple[Path, ...]) -> list[str]:
    """The languages ``entry`` can be handed out in: English, then its translations."""
    found: set[str] = set()
    for folder in (entry.path.parent, *dirs):
        if folder.is_dir():
            for path in folder.glob(f"{entry.procedure.id}.*{SUFFIX}"):
                named = split_name(path)
                if named is not None and named[0] == entry.procedure.id:
                    found.add(named[1])
    return [SOURCE, *sorted(found - {SOURCE})]


def localize(entry: Entry, lang: str, dirs: tuple[Path, ...]) -> Translation | None:
    """The checked translation of ``entry`` into ``lang``; None for English.

    Raises:
        UsageError: when ``entry`` has no translation into ``lang`` (exit 2: the command asked
            for something the library does not have, and the message lists what it has).
        ContentError: when the translation is invalid, does not match the English file, or
            translates an older version of it (exit 3: the content must be fixed).
    """
    lang = check_code(lang)
    if lang == SOURCE:
        return None
    path = find(entry.procedure.id, lang, (entry.path.parent, *dirs))
    if path is None:
        available = ", ".join(languages(entry, dirs))
        raise UsageError(
            f"{entry.procedure.id} has no translation into {_language(lang)}",
            hint=f"available: {available}",
        )
    return load(path, entry)


# Translations already checked in this process, by their bytes and their source's: a batch
# reads each file again (cheap) but parses and compares it once.
_checked: dict[tuple[str, str, str], Translation] = {}


def load(path: Path, source: Entry) -> Translation:
    """Read, validate and compare the translation at ``path`` with ``source``.

    Raises:
        ContentError: listing every problem, as ``FILE:LINE: field: message``.
    """
    from procguide.content.yamlsafe import read_text

    named = split_name(path)
    if named is None:
        message = "a translation's file name is ID.LANG.yaml, such as blood-patch.es.yaml"
        raise ContentError([Problem(message, path)])
    from procguide.content import block_translation, blocks, include

    raw, text = read_text(path)
    sha256 = hashlib.sha256(raw).hexdigest()
    lang = named[1]
    where = source.block_folders or blocks.folders(source.path, ())
    key = (str(path.resolve()), sha256, source.sha256)
    known = _checked.get(key)
    # The file is the same, but a block translation it includes may have been edited.
    if known is not None and blocks.current([(u.id, u.sha256) for u in known.blocks], where, lang):
        return known
    from procguide.content.validation import validate
    from procguide.content.yamlsafe import parse

    expanded = include.expand(parse(text, path), block_translation.resolver(where, lang))
    procedure = validate(TranslatedProcedure, expanded.loaded)
    problems = compare(procedure, expanded.loaded, source)
    problems.extend(_compare_includes(expanded, source, where))
    if problems:
        raise ContentError(sorted(problems, key=lambda p: p.line or 0))
    content = blocks.content_hash(sha256, expanded.used)
    translation = Translation(procedure, path, content, lang, source, expanded.used)
    _checked[key] = translation
    return translation


def _compare_includes(expanded: Expanded, source: Entry, where: tuple[Path, ...]) -> list[Problem]:
    """A translation includes the blocks its English file includes, at the same places."""
    if not expanded.includes and not source.blocks:
        return []
    from procguide.content import blocks, include
    from procguide.content.yamlsafe import load_file

    _, loaded = load_file(source.path)
    theirs = {
        (i.section, i.start): i.block_id
        for i in include.expand(loaded, blocks.english(where)).includes
    }
    mine = {(i.section, i.start): i for i in expanded.includes}
    path = expanded.loaded.path
    problems: list[Problem] = []
    for (section, start), block_id in theirs.items():
        found = mine.get((section, start))
        if found is None or found.block_id != block_id:
            field = ".".join(str(k) for k in section)
            line = found.line if found else expanded.loaded.line_of(section)
            message = f"missing: the English file includes the block '{block_id}' at item {start}"
            problems.append(Problem(message, path, line, field))
    for (section, start), found in mine.items():
        if (section, start) not in theirs:
            field = ".".join(str(k) for k in section)
            message = f"extra: the English file includes no block '{found.block_id}' here"
            problems.append(Problem(message, path, found.line, field))
    return problems


def compare(translated: TranslatedProcedure, loaded: Loaded, source: Entry) -> list[Problem]:
    """Every way ``translated`` differs from its English ``source`` other than its wording."""
    from procguide.content.library import cross_check

    english = source.procedure
    path = loaded.path
    problems: list[Problem] = []

    def problem(key: tuple[str | int, ...], message: str) -> None:
        field = dotted(key)
        problems.append(Problem(message, path, loaded.line_of(key), field))

    # Citations and flags must exist in the file itself; the id is checked against the
    # English file here, since the file name carries the language too.
    problems.extend(p for p in cross_check(translated, loaded) if p.field != "id")
    if translated.id != english.id:
        problem(("id",), f"changed: '{translated.id}', the English file has '{english.id}'")
    if translated.aliases != english.aliases:
        mine, theirs = show(translated.aliases), show(english.aliases)
        problem(("aliases",), f"changed: {mine}, the English file has {theirs}")
    if translated.codes != english.codes:
        problem(("codes",), "changed: the codes must be the English file's")
    for flag in english.flags:
        if flag not in translated.flags:
            problem(("flags",), f"missing: the flag '{flag}' of the English file")
    for flag in translated.flags:
        if flag not in english.flags:
            problem(("flags", flag), f"extra: the English file has no flag '{flag}'")
    compare_sources(translated, english, problem)
    compare_items(translated, english, problem)
    from procguide.content.diary import compare_diary

    compare_diary(translated, english, problem)
    # The English file's own bytes: its blocks' translations record the blocks' versions.
    english_sha256 = source.file_sha256 or source.sha256
    if translated.translates.sha256 != english_sha256:
        problem(
            ("translates", "sha256"),
            f"out of date: translates another version of {source.path.name}, which has "
            f"changed since (it is now {english_sha256}); review the translation against the "
            "English changes, then set translates.sha256 to that value",
        )
    problems.sort(key=lambda p: p.line or 0)
    return problems


def check_folder_translations(
    entries: list[Entry], dirs: tuple[Path, ...], files: list[Path]
) -> tuple[list[Translation], list[Problem]]:
    """Check translation ``files`` against the English ``entries`` (else the library's)."""
    by_id = {entry.procedure.id: entry for entry in entries}
    found: list[Translation] = []
    problems: list[Problem] = []
    for path in files:
        named = split_name(path)
        if named is None:
            continue
        entry = by_id.get(named[0]) or _english_for(named[0], path, dirs)
        if entry is None:
            message = (
                f"translates '{named[0]}', but there is no valid {named[0]}{SUFFIX} beside it "
                "or in the library to compare it with"
            )
            problems.append(Problem(message, path))
            continue
        try:
            found.append(load(path, entry))
        except ContentError as error:
            problems.extend(error.problems)
    return found, problems


def library_files(dirs: tuple[Path, ...]) -> list[Path]:
    """The translation in use for each procedure and language: the first folder's wins."""
    seen: set[tuple[str, str]] = set()
    files: list[Path] = []
    for folder in dirs:
        for path in files_in(folder):
            named = split_name(path)
            if named is not None and named not in seen:
                seen.add(named)
                files.append(path)
    return files


def _english_for(procedure_id: str, path: Path, dirs: tuple[Path, ...]) -> Entry | None:
    from procguide.content.library import load_entry

    for folder in (path.parent, *dirs):
        candidate = folder / f"{procedure_id}{SUFFIX}"
        if candidate.is_file():
            try:
                return load_entry(candidate, dirs)
            except ContentError:
                return None  # its own problems are reported where it is validated
    return None
