"""procguide lint: is a valid procedure file also readable, complete, consistent and safe?

Validation (the schema and ``library.cross_check``) says whether a file can be used at all;
lint says whether it is good enough to hand to a patient. Each rule is a small function
that reads one procedure and yields findings; each finding names the file, line and field,
and says what to change.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.errors import ContentError, ExitCode, Problem, ProcguideError
from procguide.lint import text
from procguide.lint.context import (
    ERROR,
    WARNING,
    Finding,
    LintFile,
    Options,
    SectionGrade,
    made_with,
)
from procguide.lint.length import rule_sheet_length, rule_vocabulary
from procguide.lint.safety import (
    rule_generic_alias,
    rule_one_triage,
    rule_reviewer_language,
    rule_source_quality,
    rule_us_english,
)
from procguide.lint.teaching import rule_escort, rule_teach_back
from procguide.lint.times import rule_offset_order, rule_offset_text

if TYPE_CHECKING:
    from procguide.content.keys import Key

__all__ = [
    "ERROR",
    "WARNING",
    "Finding",
    "LintError",
    "Options",
    "Report",
    "SectionGrade",
]

MIN_WORDS_TO_GRADE = 10
"""Below this many words a grade says nothing (one word, "Infection.", is grade 20)."""
MIN_WORDS_FOR_BUDGET = 30
"""Only sections this long are held to the budget; shorter ones only to the hard limit."""
REQUIRED = (
    ("preparation",),
    ("steps",),
    ("recovery",),
    ("follow_up",),
    ("get_help", "call_clinic"),
    ("get_help", "call_emergency"),
    ("get_help", "cannot_reach"),
)
"""Sections every handout needs, whichever flags it is made with."""
_PLACEHOLDER = re.compile(r"\b(?:TODO|TBD|FIXME|XXX)\b|lorem ipsum|\bexample\.(?:org|com|net)\b")


@dataclass(frozen=True)
class Report:
    """Everything lint found in one procedure file."""

    procedure: str
    path: Path
    grade: float
    """The readability of the whole file on its language's scale (a grade, or INFLESZ)."""
    words: int
    sections: tuple[SectionGrade, ...]
    findings: tuple[Finding, ...]
    language: str = "en"

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        """How many findings are warnings."""
        return sum(1 for f in self.findings if f.severity == WARNING)


class LintError(ProcguideError):
    """Raised when lint found errors (or warnings, with --strict)."""

    exit_code = ExitCode.LINT


Rule = Callable[[LintFile], Iterator[Finding]]


def rule_grade(file: LintFile) -> Iterator[Finding]:
    """A section past the hard limit is an error; a long section past the budget, a warning."""
    scale = file.scale
    for key, prose, graded in file.grades:
        if graded.words < MIN_WORDS_TO_GRADE:
            continue
        if scale.worse(graded.grade, scale.hard):
            severity, limit = ERROR, f"{scale.hard:g}"
        elif scale.worse(graded.grade, scale.budget) and graded.words >= MIN_WORDS_FOR_BUDGET:
            severity, limit = WARNING, f"the budget of {scale.budget:g}"
        else:
            continue
        message = (
            f"{scale.show(graded.grade)} {scale.compare} {limit}: split long sentences, "
            "use shorter words"
        )
        yield file.finding(key, "grade", severity, message + _hardest(file, prose))


def _hardest(file: LintFile, prose: str) -> str:
    candidates = [s for s in text.sentences(prose) if text.word_count(s) >= 4]
    hint = ""
    if candidates:
        scores = {s: file.score(s) for s in candidates}
        worst = next(
            s for s in candidates if scores[s] == file.scale.hardest(list(scores.values()))
        )
        hint = f"; hardest: '{text.snippet(worst)}' ({file.scale.name} {scores[worst]})"
    long = text.long_words(prose) if file.language == "en" else []
    if long:
        hint += f"; long words: {', '.join(long)}"
    return hint


def rule_overall_grade(file: LintFile) -> Iterator[Finding]:
    """The whole procedure must read within the budget."""
    scale = file.scale
    prose = text.as_prose([item.text for _, item in file.items])
    score = file.score(prose)
    if scale.worse(score, scale.budget):
        graded = sorted((g for _, _, g in file.grades), key=lambda g: g.grade)
        hardest = graded[:3] if scale.higher_is_easier else graded[::-1][:3]
        worst = ", ".join(f"{g.section} ({g.grade})" for g in hardest)
        message = (
            f"overall {scale.show(score)} {scale.compare} the budget of {scale.budget:g}: "
            f"simplify the hardest sections first: {worst}"
        )
        line = file.loaded.line_of(("id",))
        yield Finding(file.loaded.path, line, "(whole file)", "grade-overall", ERROR, message)


def rule_long_sentence(file: LintFile) -> Iterator[Finding]:
    """Sentences over the word limit are hard to follow: split them."""
    limit = file.options.max_words
    for key, value in file.texts:
        for sentence in text.sentences(value):
            count = text.word_count(sentence)
            if count > limit:
                message = (
                    f"sentence of {count} words > {limit}: split it ('{text.snippet(sentence)}')"
                )
                yield file.finding(
                    key, "long-sentence", WARNING, message, file.sentence_line(key, sentence)
                )


def rule_passive(file: LintFile) -> Iterator[Finding]:
    """Passive voice hides who does what: "the skin is cleaned" -> "the nurse cleans your skin"."""
    for key, value in file.texts:
        for sentence in text.sentences(value):
            phrase = text.passive(sentence)
            if phrase:
                message = (
                    f"passive voice '{phrase}' in '{text.snippet(sentence)}': "
                    "say who does it (the doctor, the nurse, you)"
                )
                yield file.finding(
                    key, "passive-voice", WARNING, message, file.sentence_line(key, sentence)
                )


def rule_jargon(file: LintFile) -> Iterator[Finding]:
    """Medical words need plain words, or a plain explanation in the same sentence."""
    for key, value in file.texts:
        for sentence in text.sentences(value):
            for written, term in text.jargon(sentence, file.jargon):
                if term.wordy:
                    message = f"'{written}' is officialese: say '{term.plain}'"
                else:
                    message = (
                        f"'{written}' is jargon: say '{term.plain}', or explain it in the same "
                        f"sentence: '{term.plain} ({written})'"
                    )
                line = file.sentence_line(key, sentence)
                yield file.finding(key, "jargon", WARNING, message, line)


def rule_stop_medicine(file: LintFile) -> Iterator[Finding]:
    """A handout never tells a patient to stop a medicine on their own."""
    for key, value in file.texts:
        for sentence in text.sentences(value):
            said = text.stops_medicine(sentence)
            if said is None:
                continue
            words, stopping = said
            # "Do not take aspirin for pain" may be about a new medicine; it is safe when the
            # same item tells people who already take it to ask their care team.
            if not stopping and text.mentions_care_team(value):
                continue
            message = (
                f"'{words}…' tells the patient to stop a medicine on their own: add "
                "'unless your care team tells you to', or say the care team will tell them"
            )
            yield file.finding(
                key, "stop-medicine", ERROR, message, file.sentence_line(key, sentence)
            )


def rule_required_sections(file: LintFile) -> Iterator[Finding]:
    """Each required section must show something, whichever flags the handout is made with."""
    for section in REQUIRED:
        entries = file.sections.get(section, [])
        for flags in file.flag_sets:
            if not any(item.applies(flags) for _, item in entries):
                message = (
                    f"a handout made {made_with(flags)} has nothing here: add an item that has "
                    "no `when`, or one for these flags"
                )
                yield file.finding(section, "missing-section", ERROR, message)
                break


def rule_placeholder(file: LintFile) -> Iterator[Finding]:
    """Starter text ("TODO") left in a file must not reach a patient."""
    from procguide.content.model import Procedure

    procedure = file.procedure
    values: list[tuple[Key, str]] = (
        [(("name",), procedure.name), (("technical_name",), procedure.technical_name)]
        if isinstance(procedure, Procedure)
        else [(("title",), procedure.title)]
    )
    values.extend(file.texts)
    for index, source in enumerate(procedure.sources):
        for name in ("title", "publisher", "url"):
            values.append((("sources", index, name), getattr(source, name)))
    values.append((("review", "reviewer"), procedure.review.reviewer))
    for key, value in values:
        match = _PLACEHOLDER.search(value)
        if match:
            message = (
                f"still has placeholder text ('{match.group(0)}'): replace it with the real content"
            )
            yield file.finding(key, "placeholder", WARNING, message)


def rule_review_date(file: LintFile) -> Iterator[Finding]:
    """Content is checked against its sources at least every ``review_months`` months."""
    today = file.options.today or date.today()
    reviewed = file.procedure.review.reviewed
    months = file.options.review_months
    key = ("review", "reviewed")
    if reviewed > today:
        yield file.finding(
            key,
            "review-date",
            WARNING,
            f"{reviewed} is in the future: give the date the review was done",
        )
    elif reviewed < _months_before(today, months):
        message = (
            f"last reviewed {reviewed}, more than {months} months ago: check the content "
            "against its sources, then update the date"
        )
        yield file.finding(key, "review-date", WARNING, message)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def rule_unused_source(file: LintFile) -> Iterator[Finding]:
    """A source no item cites supports nothing: cite it, or remove it."""
    cited = {source for _, item in file.items for source in item.sources}
    for index, source in enumerate(file.procedure.sources):
        if source.id not in cited:
            message = (
                f"source '{source.id}' is cited by no item: cite it where it supports "
                "the text, or remove it"
            )
            yield file.finding(("sources", index, "id"), "unused-source", WARNING, message)


RULES: tuple[Rule, ...] = (
    rule_grade,
    rule_overall_grade,
    rule_long_sentence,
    rule_passive,
    rule_jargon,
    rule_stop_medicine,
    rule_required_sections,
    rule_placeholder,
    rule_review_date,
    rule_offset_order,
    rule_offset_text,
    rule_unused_source,
    rule_reviewer_language,
    rule_us_english,
    rule_source_quality,
    rule_vocabulary,
    rule_sheet_length,
    rule_generic_alias,
    rule_one_triage,
    rule_teach_back,
    rule_escort,
)
"""Every rule, in the order their findings are reported within a line."""
TRANSLATION_RULES: tuple[Rule, ...] = (
    rule_grade,
    rule_overall_grade,
    rule_long_sentence,
    rule_required_sections,
    rule_placeholder,
    rule_review_date,
    rule_offset_order,
    rule_unused_source,
    rule_vocabulary,
    rule_sheet_length,
    rule_teach_back,
    rule_escort,
)
"""The rules for a translation: the word lists and patterns of the others are English, and a
translation's items, times and sources are checked against its English file by validation."""


BLOCK_RULES: tuple[Rule, ...] = tuple(
    r
    for r in RULES
    if r
    not in (
        rule_overall_grade,
        rule_required_sections,
        rule_vocabulary,
        rule_sheet_length,
        rule_generic_alias,
        rule_one_triage,
        rule_teach_back,
        rule_escort,
    )
)
"""The rules for a block: those about one item or one list; a whole handout (its grade,
vocabulary, length, aliases and triage) is linted where the block is included."""


def load_jargon(path: Path) -> dict[str, str]:
    """A clinic's jargon file: a YAML mapping of term to plain words."""
    from procguide.content.yamlsafe import load_file

    _, loaded = load_file(path)
    if not isinstance(loaded.data, dict):
        message = "must be a mapping of term: plain words, like  fluoroscopy: live X-ray"
        raise ContentError([Problem(message, path, 1)])
    problems = []
    table: dict[str, str] = {}
    for term, plain in loaded.data.items():
        if not isinstance(plain, str) or not plain.strip() or not term.strip():
            message = "give the plain words to use instead, as text"
            problems.append(Problem(message, path, loaded.line_of((term,)), str(term)))
        else:
            table[" ".join(term.split())] = " ".join(plain.split())
    if problems:
        raise ContentError(problems)
    return table
