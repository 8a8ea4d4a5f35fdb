"""Translations of blocks: ``blocks/ID.LANG.yaml``, checked item by item like procedures'.

A procedure's translation includes the same blocks at the same places as its English file;
each include finds the block's translation into the same language, which must match the
English block in everything but its wording and record which version of it it translates.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from procguide.content import blocks
from procguide.content.checks import show
from procguide.content.compare import Translates, compare_items, compare_sources
from procguide.content.model import Block
from procguide.errors import ContentError, Problem

SUFFIX = ".yaml"


class TranslatedBlock(Block):
    """A block in another language: the same fields, plus what it translates."""

    translates: Translates
    """The version of the English block this translates."""


def resolver(where: tuple[Path, ...], lang: str) -> blocks.Resolve:
    """The resolver of the blocks, translated into ``lang``, that a translation includes."""
    english = blocks.english(where)

    def resolve(block_id: str) -> blocks.BlockFile:
        source = english(block_id)
        path = blocks.find(block_id, where, lang)
        if path is None:
            name = f"{blocks.FOLDER}/{block_id}.{lang}{SUFFIX}"
            raise blocks.Missing(
                f"the block '{block_id}' has no translation into '{lang}': add {name}"
            )
        return load(path, source)

    return resolve


_loaded: dict[tuple[str, str, str], blocks.BlockFile] = {}


def load(path: Path, source: blocks.BlockFile) -> blocks.BlockFile:
    """Read and validate the block translation at ``path``, and compare it with ``source``."""
    from procguide.content.validation import validate
    from procguide.content.yamlsafe import parse, read_text

    raw, text = read_text(path)
    sha256 = hashlib.sha256(raw).hexdigest()
    key = (str(path.absolute()), sha256, source.sha256)
    if key in _loaded:
        return _loaded[key]
    loaded = parse(text, path)
    block = validate(TranslatedBlock, loaded)
    problems = blocks.check_block(block, loaded)

    def problem(at: tuple[str | int, ...], message: str) -> None:
        field = ".".join(str(k) for k in at)
        problems.append(Problem(message, path, loaded.line_of(at), field))

    english = source.block
    if block.id != english.id:
        problem(("id",), f"changed: '{block.id}', the English block has '{english.id}'")
    if block.flags != english.flags:
        problem(
            ("flags",), f"changed: {show(block.flags)}, the English block has {show(english.flags)}"
        )
    compare_sources(block, english, problem)
    compare_items(block, english, problem)
    if block.translates.sha256 != source.sha256:
        problem(
            ("translates", "sha256"),
            f"out of date: translates another version of {source.path.name}, which has "
            f"changed since (it is now {source.sha256}); review the translation against the "
            "English changes, then set translates.sha256 to that value",
        )
    if problems:
        raise ContentError(sorted(problems, key=lambda p: p.line or 0))
    _loaded[key] = blocks.BlockFile(block, path, sha256, loaded)
    return _loaded[key]


def check_files(paths: list[Path]) -> tuple[list[blocks.BlockFile], list[Problem]]:
    """Check block files and the translations beside each English one.

    ``paths`` may name English blocks or their translations (``ID.LANG.yaml``); a
    translation is compared with the English block beside it.
    """
    found: list[blocks.BlockFile] = []
    problems: list[Problem] = []
    english = sorted({_english_path(path) for path in paths})
    for path in english:
        try:
            source = blocks.load(path)
        except ContentError as error:
            problems.extend(error.problems)
            continue
        found.append(source)
        wanted = [p for p in paths if p != path and _english_path(p) == path]
        for translated in wanted if path not in paths else blocks.translation_files(path):
            try:
                found.append(load(translated, source))
            except ContentError as error:
                problems.extend(error.problems)
    return found, problems


def _english_path(path: Path) -> Path:
    stem = path.stem.split(".")[0]
    return path.with_name(f"{stem}{SUFFIX}")
