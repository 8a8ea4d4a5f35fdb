"""Running lint over files: validate each, expand its blocks, apply the rules, report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from procguide.errors import Problem
from procguide.lint import text
from procguide.lint.check import (
    BLOCK_RULES,
    RULES,
    TRANSLATION_RULES,
    Report,
    Rule,
    rule_grade,
    rule_overall_grade,
)
from procguide.lint.context import LintFile, Options

if TYPE_CHECKING:
    from procguide.content.blocks import BlockFile, Resolve
    from procguide.content.keys import Key
    from procguide.content.library import Entry
    from procguide.content.model import Procedure


def lint_entry(
    path: Path,
    procedure: Procedure,
    options: Options,
    language: str = "en",
    resolve: Resolve | None = None,
    english: Entry | None = None,
) -> Report:
    """Lint one procedure (or translation, in ``language``) that has already passed validation.

    ``resolve`` finds the blocks the file includes. Sections and the whole file are graded
    with the blocks' items in place; what lint says of one of those items is said once, where
    the block itself is linted, not at every include.
    """
    from procguide.content.include import expand
    from procguide.content.yamlsafe import load_file

    raw, loaded = load_file(path)
    expanded = expand(loaded, resolve) if resolve is not None else None
    file = LintFile(
        procedure,
        expanded.loaded if expanded else loaded,
        raw.decode("utf-8-sig"),
        options,
        language,
        english,
    )
    rules = RULES if language == "en" else TRANSLATION_RULES
    shared = expanded.from_blocks if expanded else frozenset()
    return _report(file, rules, shared)


def lint_block(block: BlockFile, options: Options, language: str = "en") -> Report:
    """Lint one block that has already passed validation."""
    from procguide.content.yamlsafe import read_text

    _, source = read_text(block.path)
    file = LintFile(block.block, block.loaded, source, options, language)
    rules = (
        BLOCK_RULES if language == "en" else tuple(r for r in TRANSLATION_RULES if r in BLOCK_RULES)
    )
    return _report(file, rules, frozenset(), f"blocks/{block.block.id}")


def _report(
    file: LintFile, rules: tuple[Rule, ...], shared: frozenset[Key], name: str | None = None
) -> Report:
    language = file.language
    if language not in text.GRADED_LANGUAGES:
        rules = tuple(r for r in rules if r not in (rule_grade, rule_overall_grade))
    findings = [
        finding
        for rule in rules
        for finding in rule(file)
        if not any(_within(finding.field, key) for key in shared)
    ]
    findings.sort(key=lambda f: f.line or 0)
    prose = text.as_prose([item.text for _, item in file.items])
    graded = language in text.GRADED_LANGUAGES
    name = name or file.procedure.id
    return Report(
        name if language == "en" else f"{name}.{language}",
        file.loaded.path,
        file.score(prose) if graded else 0.0,
        text.word_count(prose),
        tuple(graded for _, _, graded in file.grades) if graded else (),
        tuple(findings),
        language,
    )


def _within(field: str, key: Key) -> bool:
    """Whether the finding at ``field`` is about the item at ``key`` or a value inside it."""
    item = ".".join(str(part) for part in key)
    return field == item or field.startswith(item + ".")


def lint_files(
    paths: list[Path], options: Options, dirs: tuple[Path, ...] = ()
) -> tuple[list[Report], list[Problem]]:
    """Validate then lint ``paths``; return the reports, and the problems of invalid files.

    Translations (``ID.LANG.yaml``) are first checked against their English file; files in a
    ``blocks`` folder are blocks. ``dirs`` are the library's folders, whose blocks procedures
    include.
    """
    from procguide.content import blocks
    from procguide.content.block_translation import check_files, resolver
    from procguide.content.library import scan_files
    from procguide.content.translation import check_folder_translations, split_name
    from procguide.resources import builtin_dir

    block_paths = [p for p in paths if p.parent.name == blocks.FOLDER]
    checked_blocks, problems = check_files(block_paths)
    reports = [lint_block(b, options, _language(b.path)) for b in checked_blocks]
    rest = [p for p in paths if p not in block_paths]
    english = [p for p in rest if split_name(p) is None]
    entries, found = scan_files(english, dirs, use_cache=False)
    problems.extend(p for p in found if p not in problems)
    reports += [
        lint_entry(e.path, e.procedure, options, resolve=blocks.english(e.block_folders))
        for e in entries
    ]
    translated = [p for p in rest if split_name(p) is not None]
    checked, found = check_folder_translations(
        entries, dirs or (builtin_dir("procedures"),), translated
    )
    problems.extend(p for p in found if p not in problems)
    for t in checked:
        resolve = resolver(t.source.block_folders, t.language)
        reports.append(lint_entry(t.path, t.procedure, options, t.language, resolve, t.source))
    return reports, problems


def _language(path: Path) -> str:
    parts = path.stem.split(".")
    return parts[1] if len(parts) == 2 else "en"
