"""Teach-back questions and escort wording in content: what validate and lint tell a writer.

Validation refuses what cannot be used (an id twice, a link to nothing, a translation that
changes ids, links or escort wording); lint holds every handout to one to three questions that
check every sign it shows, and the escort's sheet to wording said to the escort.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import PROCEDURES
from procguide.content.library import load_entry
from procguide.errors import ContentError, ExitCode
from procguide.lint.check import Options
from procguide.lint.run import lint_files

GOOD = (Path(__file__).parent / "fixtures" / "lint" / "good.yaml").read_text(encoding="utf-8")
TODAY = date(2026, 11, 21)


def write(tmp_path: Path, text: str, name: str = "good.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def changed(old: str, new: str, text: str = GOOD) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def problems(path: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_entry(path)
    return caught.value.lines()


def findings(path: Path, rule: str) -> list[str]:
    reports, invalid = lint_files([path], Options(today=TODAY))
    assert not invalid, invalid
    return [f"{f.field}: {f.severity} {f.message}" for f in reports[0].findings if f.rule == rule]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# --- validation ---------------------------------------------------------------------------


def test_the_fixture_is_valid_and_lints_clean(tmp_path):
    path = write(tmp_path, GOOD)

    assert findings(path, "teach-back") == [] and findings(path, "escort") == []


def test_a_link_to_no_item_names_the_closest_id(tmp_path):
    text = changed("checks: [clinic-0, emergency-0,", "checks: [clinc-0, emergency-0,")
    path = write(tmp_path, text)

    assert problems(path) == [
        f"{path}:{line_of(text, 'checks:')}: teach_back.0.checks.0: links to 'clinc-0', which "
        "is the id of no item here; did you mean 'clinic-0'?"
    ]


def test_an_id_used_twice_and_a_link_to_a_question_are_refused(tmp_path):
    text = changed("      id: emergency-1\n", "      id: emergency-0\n")
    text = changed(
        "checks: [clinic-0, emergency-0, emergency-1]", "checks: [clinic-0, get-help]", text
    )
    path = write(tmp_path, text)
    found = problems(path)

    assert any(
        "get_help.call_emergency.1.id: the id 'emergency-0' is already the id of "
        "get_help.call_emergency.0" in line
        for line in found
    ), found
    assert any(
        "teach_back.0.checks.1: 'get-help' is a teach-back question; link to the items it checks"
        in line
        for line in found
    ), found


def test_a_link_that_cannot_be_an_id_says_what_an_id_looks_like(tmp_path):
    path = write(tmp_path, changed("checks: [clinic-0,", "checks: [Clinic 0,"))

    assert problems(path)[0].endswith(
        "teach_back.0.checks.0: an item id: lower-case letters, digits and single hyphens, like "
        "leg-weakness"
    )


def test_a_question_needs_an_id_checks_and_points(tmp_path):
    text = changed("  - id: get-help\n    text: Tell me", "  - text: Tell me")
    text = changed("    checks: [clinic-0, emergency-0, emergency-1]\n", "", text)
    path = write(tmp_path, text)
    found = problems(path)

    assert any("teach_back.0.id: is required but missing" in line for line in found), found
    assert any("teach_back.0.checks: is required but missing" in line for line in found), found


def test_a_blocks_question_may_link_only_to_the_blocks_items(tmp_path):
    block = (PROCEDURES / "blocks" / "sedation-aftercare.yaml").read_text(encoding="utf-8")
    block = changed("checks: [sedation-limits]", "checks: [no-driving]", block)
    folder = tmp_path / "procs"
    (folder / "blocks").mkdir(parents=True)
    path = write(folder / "blocks", block, "sedation-aftercare.yaml")
    from procguide.content.blocks import load

    with pytest.raises(ContentError) as caught:
        load(path)
    assert "teach_back.0.checks.0: links to 'no-driving', which is the id of no item here" in str(
        caught.value
    )


def test_a_translation_keeps_the_ids_links_and_escort_wording(invoke, tmp_path):
    folder = tmp_path / "procs"
    folder.mkdir()
    english = (PROCEDURES / "blood-patch.yaml").read_text(encoding="utf-8")
    (folder / "blood-patch.yaml").write_text(english, encoding="utf-8")
    spanish = (PROCEDURES / "blood-patch.es.yaml").read_text(encoding="utf-8")
    spanish = changed("      id: headache\n", "      id: dolor-de-cabeza\n", spanish)
    spanish = changed(
        "checks: [sedation-limits, adult-stays]", "checks: [sedation-limits]", spanish
    )
    start = spanish.index("    escort: La persona no debe manejar")
    end = spanish.index("    sources:", start)
    spanish = spanish[:start] + spanish[end:]
    (folder / "blood-patch.es.yaml").write_text(spanish, encoding="utf-8")
    result = invoke("validate", str(folder))
    errors = result.stderr

    assert result.exit_code == ExitCode.INVALID_CONTENT
    assert (
        "get_help.call_clinic.0.id: changed id: dolor-de-cabeza, the English file has headache"
        in errors
    )
    assert (
        "teach_back.2.checks: changed links: [sedation-limits], the English file links " in errors
    )
    assert "restrictions.0: missing: the English item has `escort` wording; translate it" in errors


# --- lint: teach-back -----------------------------------------------------------------------


def test_a_handout_without_a_question_fails_lint(tmp_path):
    start = GOOD.index("\nteach_back:")
    path = write(tmp_path, GOOD[:start] + "\n")

    found = findings(path, "teach-back")
    assert found[0].startswith("teach_back: error a handout made without flags has no teach-back")
    assert any("get_help.call_clinic.0: error no teach-back question" in f for f in found)


def test_more_than_three_questions_fail_lint(tmp_path):
    question = GOOD[GOOD.index("  - id: get-help") :]
    extra = "".join(question.replace("id: get-help", f"id: again-{n}") for n in range(3))
    path = write(tmp_path, GOOD + extra)

    assert findings(path, "teach-back") == [
        "teach_back: error a handout made without flags has 4 teach-back questions: keep the 3 "
        "that matter most, so each can be asked and taught again"
    ]


def test_every_sign_a_handout_shows_is_checked_by_a_question(tmp_path):
    text = changed(
        "checks: [clinic-0, emergency-0, emergency-1]", "checks: [clinic-0, emergency-0]"
    )
    text = changed("      id: clinic-0\n", "", text)
    text = changed("checks: [clinic-0, emergency-0]", "checks: [emergency-0]", text)
    path = write(tmp_path, text)

    assert findings(path, "teach-back") == [
        "get_help.call_clinic.0: error no teach-back question on a handout made without flags "
        "checks this sign: give it an `id` and add it to the `checks` of a question that applies",
        "get_help.call_emergency.1: error no teach-back question on a handout made without "
        "flags checks this sign: add it to the `checks` of a question that applies",
    ]


def test_a_question_about_nothing_the_handout_shows_fails_lint(tmp_path):
    extra = (
        "  - id: driving\n    text: Tell me how long you must not drive.\n"
        "    checks: [no-driving]\n    points:\n      - text: For 24 hours.\n"
        "        sources: [fasting]\n    sources: [leaflet]\n"
    )
    text = changed(
        "    escort: They must not drive", "    id: no-driving\n    escort: They must not drive"
    )
    path = write(tmp_path, text + extra)

    assert findings(path, "teach-back") == [
        "teach_back.1: error on a handout made without flags this question checks nothing the "
        "handout shows: give it the same `when` as the items it checks"
    ]


# --- lint: the escort's sheet ------------------------------------------------------------------


def test_the_escort_sheet_needs_something_for_the_escort(tmp_path):
    start = GOOD.index("\nescort:")
    end = GOOD.index("\nteach_back:")
    path = write(tmp_path, GOOD[:start] + GOOD[end:])

    assert findings(path, "escort") == [
        "escort: error the escort's sheet made with sedation has nothing for the adult who takes "
        "the patient home: add `escort` items, or `- include: sedation-aftercare` there"
    ]


def test_what_the_escort_sheet_repeats_must_be_said_to_the_escort(tmp_path):
    text = changed("      escort: Trouble breathing, or their face or lips swell up.\n", "")
    text = changed(
        "    escort: If you cannot reach us, take them to the nearest emergency room. Tell the "
        "staff they had a knee injection.\n",
        "",
        text,
    )
    text = changed("    escort: They must not drive for 24 hours.\n", "", text)
    path = write(tmp_path, text)
    found = findings(path, "escort")

    assert found[0].startswith("restrictions: error the escort's sheet made with sedation shows")
    assert found[1:] == [
        "get_help.call_emergency.1: error the escort's sheet repeats this, but it speaks to the "
        "patient: add `escort:` with the same words said to the adult who takes them home "
        "('they', 'their')",
        "get_help.cannot_reach: error the escort's sheet repeats this, but it speaks to the "
        "patient: add `escort:` with the same words said to the adult who takes them home "
        "('they', 'their')",
    ]


def test_a_procedure_without_sedation_has_no_escort_rules(tmp_path):
    text = GOOD.replace("[sedation]", "[diabetes]").replace(
        "  sedation: You get", "  diabetes: You get"
    )
    path = write(tmp_path, text)

    assert findings(path, "escort") == []
