"""Shared content blocks: including them, checking them, hashing them, translating them."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

from conftest import PROCEDURES, build_tree
from procguide.content.library import Library, load_entry
from procguide.content.starter import starter
from procguide.errors import ContentError

BLOCK = """\
id: fasting
title: Fasting before sedation
flags: [sedation]
preparation:
  - text: Stop eating food. Your care team will tell you if your time is different.
    before: 8h
    when: [sedation]
    sources: [asa]
  - text: Take your usual medicines with a sip of water.
    when: [sedation]
    sources: [asa]
restrictions:
  - text: For 24 hours, do not use machines or sign important papers.
    until: 24h
    when: [sedation]
    sources: [asa]
sources:
  - id: asa
    title: Practice guidelines for fasting
    publisher: American Society of Anesthesiologists
    url: https://example.test/asa
    kind: professional-society
review:
  reviewed: 2026-12-01
  reviewer: Dr A Reviewer, anesthesiologist
"""
INCLUDE_PREP = "  - include: fasting\n"


def _procedure(include: str = INCLUDE_PREP, *, flags: bool = True, section: str = "") -> str:
    """The starter procedure, with the sedation flag and an include after its first prep step."""
    text = starter("demo", date(2026, 12, 1))
    if flags:
        text = text.replace("# flags:\n", "flags:\n  sedation: You get medicine to relax.\n", 1)
    marker = "preparation:\n" if not section else f"{section}:\n"
    head, _, tail = text.partition(marker)
    first, _, rest = tail.partition("\n    sources: [todo-source]\n")
    return f"{head}{marker}{first}\n    sources: [todo-source]\n{include}{rest}"


def _line(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """A clinic folder with one procedure that includes one block."""
    return build_tree(
        tmp_path / "clinic", {"demo.yaml": _procedure(), "blocks/fasting.yaml": BLOCK}
    )


def _error(path: Path, dirs: tuple[Path, ...] = ()) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_entry(path, dirs)
    return caught.value.lines()


# Including


def test_an_include_expands_to_the_block_items_at_its_place(clinic):
    entry = load_entry(clinic / "demo.yaml")
    texts = [item.text for item in entry.procedure.preparation]
    assert texts[0].startswith("TODO: Tell your care team")
    assert texts[1].startswith("Stop eating food.")
    assert texts[2] == "Take your usual medicines with a sip of water."
    assert len(texts) == 3
    assert [s.id for s in entry.procedure.sources] == ["todo-source", "asa"]
    assert [u.id for u in entry.blocks] == ["fasting"]


def test_an_include_of_an_unknown_block_says_where_and_what_was_meant(clinic):
    text = _procedure("  - include: fastng\n")
    (clinic / "demo.yaml").write_text(text)
    line = _line(text, "- include: fastng")
    assert _error(clinic / "demo.yaml") == [
        f"{clinic / 'demo.yaml'}:{line}: preparation.1: unknown block 'fastng'; "
        "did you mean 'fasting'?"
    ]


def test_an_include_where_the_block_has_no_items_is_an_error(clinic):
    text = _procedure("  - include: fasting\n", section="follow_up")
    text = text.replace(INCLUDE_PREP, "", 1) if text.count(INCLUDE_PREP) > 1 else text
    (clinic / "demo.yaml").write_text(text)
    line = _line(text, "- include: fasting")
    assert _error(clinic / "demo.yaml") == [
        f"{clinic / 'demo.yaml'}:{line}: follow_up.1: the block 'fasting' has no items for "
        "follow_up; add some to it"
    ]


def test_a_block_flag_the_procedure_does_not_declare_is_an_error_at_the_include(clinic):
    text = _procedure(flags=False)
    (clinic / "demo.yaml").write_text(text)
    line = _line(text, "- include: fasting")
    assert _error(clinic / "demo.yaml") == [
        f"{clinic / 'demo.yaml'}:{line}: preparation.1: the block 'fasting' uses the flag "
        "'sedation', which this procedure does not declare; add it to `flags`"
    ]


def test_a_procedure_source_that_differs_from_a_block_source_names_both_files(clinic):
    text = _procedure().replace("  - id: todo-source\n", "  - id: asa\n", 1)
    text = text.replace("[todo-source]", "[asa]")
    (clinic / "demo.yaml").write_text(text)
    line = _line(text, "  - id: asa")
    block_line = _line(BLOCK, "  - id: asa")
    assert _error(clinic / "demo.yaml") == [
        f"{clinic / 'demo.yaml'}:{line}: sources.0: source 'asa' differs from the source with "
        f"this id in {clinic / 'blocks' / 'fasting.yaml'}:{block_line}; make them the same, or "
        "give one of them another id"
    ]


def test_a_procedure_source_the_same_as_a_block_source_is_listed_once(clinic):
    source = BLOCK[BLOCK.index("  - id: asa") : BLOCK.index("review:")]
    text = _procedure().replace(
        "sources:\n  - id: todo-source", f"sources:\n{source}  - id: todo-source"
    )
    (clinic / "demo.yaml").write_text(text)
    assert [s.id for s in load_entry(clinic / "demo.yaml").procedure.sources] == [
        "asa",
        "todo-source",
    ]


def test_an_include_with_other_fields_is_an_error(clinic):
    text = _procedure("  - include: fasting\n    when: [sedation]\n")
    (clinic / "demo.yaml").write_text(text)
    line = _line(text, "- include: fasting")
    assert _error(clinic / "demo.yaml") == [
        f"{clinic / 'demo.yaml'}:{line}: preparation.1: an include holds only "
        "`include: BLOCK-ID`; move the other fields"
    ]


def test_a_clinic_block_replaces_the_one_of_a_later_folder(tmp_path, clinic):
    first = build_tree(
        tmp_path / "first", {"blocks/fasting.yaml": BLOCK.replace("sip of", "small sip of")}
    )
    library = Library((first, clinic))
    texts = [i.text for i in library.find("demo").procedure.preparation]
    assert "Take your usual medicines with a small sip of water." in texts
    assert "Take your usual medicines with a sip of water." in [
        i.text for i in Library((clinic,)).find("demo").procedure.preparation
    ]


# Checking blocks


def test_a_block_is_validated_as_strictly_as_a_procedure(clinic):
    block = clinic / "blocks" / "fasting.yaml"
    text = BLOCK.replace("title: Fasting", "titel: Fasting").replace(
        "sources: [asa]\nrestr", "sources: [asx]\nrestr"
    )
    block.write_text(text)
    assert _error(clinic / "demo.yaml") == [
        f"{block}:1: title: is required but missing; add it",
        f"{block}:2: titel: unknown field 'titel'; did you mean 'title'?",
    ]
    block.write_text(BLOCK.replace("sources: [asa]\nrestr", "sources: [asx]\nrestr"))
    line = _line(BLOCK, "sources: [asa]\nrestr")
    assert _error(clinic / "demo.yaml") == [
        f"{block}:{line}: preparation.1.sources.0: cites unknown source 'asx'; did you mean 'asa'?"
    ]


def test_a_block_uses_only_the_flags_it_declares_and_matches_its_file_name(clinic):
    block = clinic / "blocks" / "fasting.yaml"
    text = BLOCK.replace("id: fasting", "id: fast").replace("flags: [sedation]\n", "")
    block.write_text(text)
    line = _line(text, "    when: [sedation]")
    errors = _error(clinic / "demo.yaml")
    assert errors[0] == f"{block}:1: id: 'fast' must match the file name 'fasting.yaml'"
    assert f"{block}:{line}: preparation.0.when.0: uses undeclared flag 'sedation'" in errors


# Traceability


def test_the_content_hash_covers_the_procedure_and_its_blocks(clinic):
    entry = load_entry(clinic / "demo.yaml")
    raw = (clinic / "demo.yaml").read_bytes()
    assert entry.file_sha256 == hashlib.sha256(raw).hexdigest()
    assert entry.sha256 != entry.file_sha256
    (clinic / "blocks" / "fasting.yaml").write_text(BLOCK.replace("sip of", "small sip of"))
    edited = load_entry(clinic / "demo.yaml")
    assert edited.file_sha256 == entry.file_sha256
    assert edited.sha256 != entry.sha256


def test_a_procedure_without_includes_keeps_its_file_hash(tmp_path):
    path = build_tree(tmp_path, {"demo.yaml": _procedure("", flags=False)}) / "demo.yaml"
    entry = load_entry(path)
    assert entry.sha256 == entry.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_block_edit_is_never_served_from_the_procedure_cache(invoke, clinic, monkeypatch):
    from procguide.content import yamlsafe

    args = ["handout", "demo", "--procedures-dir", str(clinic), "--flag", "sedation"]
    first = invoke(*args, "--format", "json")
    assert first.exit_code == 0, first.stderr
    read: list[Path] = []
    real = yamlsafe.load_file

    def reading(path: Path, **kwargs: int) -> tuple[bytes, yamlsafe.Loaded]:
        read.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(yamlsafe, "load_file", reading)
    again = invoke(*args, "--format", "json")
    assert again.stdout == first.stdout
    assert clinic / "demo.yaml" not in read  # served from the cache
    (clinic / "blocks" / "fasting.yaml").write_text(BLOCK.replace("sip of", "small sip of"))
    second = invoke(*args, "--format", "json")
    assert second.exit_code == 0, second.stderr
    assert clinic / "demo.yaml" in read
    assert "small sip of water" not in first.stdout
    assert "small sip of water" in second.stdout
    stamps = [json.loads(r.stdout)["stamp"]["content"] for r in (first, second)]
    assert stamps[0] != stamps[1]
    text = invoke(*args, "--format", "text")
    assert "small sip of water" in text.stdout
    assert f"content {stamps[1]}" in text.stdout


# Translations

ES_BLOCK = BLOCK.replace(
    "Stop eating food. Your care team will tell you if your time is different.",
    "Deje de comer alimentos.",
).replace(
    "Take your usual medicines with a sip of water.", "Tome sus medicamentos con un sorbo de agua."
)


def _translated(clinic: Path, procedure: str | None = None, block: str = ES_BLOCK) -> None:
    english = (clinic / "demo.yaml").read_bytes()
    text = procedure if procedure is not None else english.decode()
    sha = hashlib.sha256(english).hexdigest()
    (clinic / "demo.es.yaml").write_text(
        text.replace("id: demo\n", f"id: demo\ntranslates:\n  sha256: {sha}\n", 1)
    )
    block_sha = hashlib.sha256((clinic / "blocks" / "fasting.yaml").read_bytes()).hexdigest()
    (clinic / "blocks" / "fasting.es.yaml").write_text(
        block.replace("id: fasting\n", f"id: fasting\ntranslates:\n  sha256: {block_sha}\n", 1)
    )


def test_a_translation_includes_the_translated_block(invoke, clinic):
    _translated(clinic)
    result = invoke(
        "handout",
        "demo",
        "--procedures-dir",
        str(clinic),
        "--lang",
        "es",
        "--flag",
        "sedation",
        "--format",
        "text",
    )
    assert result.exit_code == 0, result.stderr
    assert "Tome sus medicamentos con un sorbo de agua." in result.stdout
    validated = invoke("validate", "--procedures-dir", str(clinic))
    assert validated.exit_code == 0, validated.stderr


def test_a_block_translation_is_checked_item_by_item(invoke, clinic):
    _translated(clinic, block=ES_BLOCK.replace("before: 8h", "before: 6h"))
    result = invoke("validate", "--procedures-dir", str(clinic))
    line = _line(ES_BLOCK, "before: 8h") + 2  # the translates lines come first
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        f"error: {clinic / 'blocks' / 'fasting.es.yaml'}:{line}: preparation.0.before: changed timing: "
        "6h, the English file has 8h"
    )


def test_a_block_translation_out_of_date_with_its_block_is_an_error(invoke, clinic):
    _translated(clinic)
    (clinic / "blocks" / "fasting.yaml").write_text(BLOCK.replace("sip of", "small sip of"))
    sha = hashlib.sha256((clinic / "blocks" / "fasting.yaml").read_bytes()).hexdigest()
    result = invoke("validate", "--procedures-dir", str(clinic))
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        f"error: {clinic / 'blocks' / 'fasting.es.yaml'}:3: translates.sha256: out of date: translates "
        f"another version of fasting.yaml, which has changed since (it is now {sha}); review the "
        "translation against the English changes, then set translates.sha256 to that value"
    )


def test_a_translation_that_writes_out_a_block_instead_of_including_it_is_an_error(invoke, clinic):
    items = (
        "  - text: Deje de comer alimentos.\n    before: 8h\n    when: [sedation]\n"
        "    sources: [asa]\n"
        "  - text: Tome sus medicamentos.\n    when: [sedation]\n    sources: [asa]\n"
    )
    source = BLOCK[BLOCK.index("  - id: asa") : BLOCK.index("review:")]
    english = (clinic / "demo.yaml").read_text()
    _translated(clinic, procedure=_with_source(english.replace(INCLUDE_PREP, items), source))
    result = invoke("validate", "--procedures-dir", str(clinic))
    assert result.exit_code == 3
    line = _line((clinic / "demo.es.yaml").read_text(), "preparation:")
    assert result.stderr.strip() == (
        f"error: {clinic / 'demo.es.yaml'}:{line}: preparation: missing: the English file includes the "
        "block 'fasting' at item 1"
    )


def _with_source(text: str, source: str) -> str:
    head, _, tail = text.partition("\nsources:\n")
    return f"{head}\nsources:\n{source}{tail}"


def test_a_missing_block_translation_is_an_error_at_the_include(invoke, clinic):
    _translated(clinic)
    (clinic / "blocks" / "fasting.es.yaml").unlink()
    result = invoke("validate", "--procedures-dir", str(clinic))
    line = _line((clinic / "demo.es.yaml").read_text(), "- include: fasting")
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        f"error: {clinic / 'demo.es.yaml'}:{line}: preparation.1: the block 'fasting' has no "
        "translation into 'es': add blocks/fasting.es.yaml"
    )


# Validate and lint


def test_validate_counts_blocks_and_reports_a_broken_block_once(invoke, clinic):
    build_tree(clinic, {"other.yaml": _procedure().replace("id: demo", "id: other")})
    result = invoke("validate", "--procedures-dir", str(clinic))
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(r"11 procedures, \d+ translations and \d+ blocks? valid\n", result.stdout)
    assert invoke("validate", str(clinic)).stdout == "2 procedures and 1 block valid\n"
    (clinic / "blocks" / "fasting.yaml").write_text(
        BLOCK.replace("title: Fasting", "titel: Fasting")
    )
    broken = invoke("validate", "--procedures-dir", str(clinic))
    assert broken.exit_code == 3
    assert broken.stderr.count("unknown field 'titel'") == 1


def test_lint_lints_blocks_and_reports_an_item_once_in_its_block(invoke, clinic):
    block = clinic / "blocks" / "fasting.yaml"
    block.write_text(BLOCK.replace("sip of water.", "sip of water. It is administered orally."))
    result = invoke("lint", str(clinic), "--format", "json")
    data = json.loads(result.stdout)
    assert "blocks/fasting" in [report["id"] for report in data["procedures"]]
    findings = [f for f in data["findings"] if "administered" in f["message"]]
    assert [(f["path"], f["field"]) for f in findings] == [(str(block), "preparation.1.text")]


def test_items_after_an_include_keep_their_own_lines(clinic):
    text = _procedure(INCLUDE_PREP + "  - text: Bring your glasses.\n    sorces: [todo-source]\n")
    (clinic / "demo.yaml").write_text(text)
    line = _line(text, "    sorces:")
    errors = _error(clinic / "demo.yaml")
    assert (
        f"{clinic / 'demo.yaml'}:{line}: preparation.3.sorces: unknown field 'sorces'; did you mean 'sources'?"
        in errors
    )


def test_a_clinic_block_replaces_the_built_in_one_for_built_in_procedures(tmp_path):
    built_in = (PROCEDURES / "blocks" / "sedation-fasting.yaml").read_text()
    changed = built_in.replace("with a sip of water", "with a small sip of water")
    clinic = build_tree(tmp_path / "clinic", {"blocks/sedation-fasting.yaml": changed})
    mine = Library((clinic,)).find("radiofrequency-ablation")
    theirs = Library(()).find("radiofrequency-ablation")
    assert mine.path == theirs.path  # the built-in procedure file
    assert any("small sip of water" in i.text for i in mine.procedure.preparation)
    assert not any("small sip of water" in i.text for i in theirs.procedure.preparation)
    assert mine.short_hash != theirs.short_hash
    used = {u.id: u.path for u in mine.blocks}
    assert used["sedation-fasting"] == clinic / "blocks" / "sedation-fasting.yaml"
