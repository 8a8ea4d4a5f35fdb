"""What every lint rule works with: the options, a finding, and the file being linted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.content.keys import Key, dotted, key_of
from procguide.lint import text
from procguide.lint.words import JARGON

if TYPE_CHECKING:
    from procguide.content.library import Entry
    from procguide.content.model import Block, Item, Procedure
    from procguide.content.yamlsafe import Loaded

ERROR = "error"
WARNING = "warning"
HARD_GRADE = 10.0
"""No section may read above this grade, whatever the budget."""
HARD_INFLESZ = 55.0
"""No Spanish section may score below this: INFLESZ calls lower scores "algo difícil"."""


@dataclass(frozen=True)
class Options:
    """What lint holds content to."""

    max_grade: float = 8.0
    max_words: int = 25
    review_months: int = 12
    max_vocabulary: float = 8.5
    """Dale-Chall score for a whole procedure; above it, too many hard words."""
    min_inflesz: float = 65.0
    """INFLESZ budget for Spanish ("bastante fácil"), as max_grade is for English."""
    max_spanish_hard_words: float = 7.0
    """Percent of hard words in a whole Spanish procedure, as max_vocabulary is for English."""
    max_sheet_words: Mapping[str, int] = field(
        default_factory=lambda: {"pre": 1700, "discharge": 850}
    )
    """Words on each sheet, with every flag on."""
    jargon: Mapping[str, str] = field(default_factory=lambda: dict(JARGON))
    today: date | None = None

    @property
    def hard_grade(self) -> float:
        """The grade no section may pass: 10, or the budget when that is higher."""
        return max(HARD_GRADE, self.max_grade)

    @property
    def hard_inflesz(self) -> float:
        """The INFLESZ score no Spanish section may fall below: 55, or the budget if lower."""
        return min(HARD_INFLESZ, self.min_inflesz)


@dataclass(frozen=True)
class Scale:
    """How one language's readability is scored, and the budgets it is held to."""

    name: str
    budget: float
    hard: float
    higher_is_easier: bool

    def worse(self, score: float, limit: float) -> bool:
        """Whether ``score`` reads harder than ``limit``."""
        return score < limit if self.higher_is_easier else score > limit

    def hardest(self, scores: list[float]) -> float:
        """The hardest of ``scores``."""
        return min(scores) if self.higher_is_easier else max(scores)

    def show(self, score: float) -> str:
        """``grade 9.1``, or ``INFLESZ 58.2 (normal)``."""
        if self.name == "INFLESZ":
            return f"INFLESZ {score} ({text.inflesz_band(score)})"
        return f"{self.name} {score}"

    @property
    def compare(self) -> str:
        """The sign a score that breaks a limit stands on: ``<`` for INFLESZ, ``>`` for grades."""
        return "<" if self.higher_is_easier else ">"


def scale_for(language: str, options: Options) -> Scale:
    """Spanish is scored with INFLESZ; English (and the grade budget) with Flesch-Kincaid."""
    if language == "es":
        return Scale("INFLESZ", options.min_inflesz, options.hard_inflesz, True)
    return Scale("grade", options.max_grade, options.hard_grade, False)


@dataclass(frozen=True)
class Finding:
    """One thing to fix, and where."""

    path: Path
    line: int | None
    field: str
    rule: str
    severity: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line or 1}: {self.field}"
        return f"{where}: {self.severity} {self.rule}: {self.message}"


@dataclass(frozen=True)
class SectionGrade:
    """The reading grade of one section."""

    section: str
    grade: float
    words: int
    line: int | None


class LintFile:
    """One procedure being linted: its content, its lines, and helpers the rules share."""

    def __init__(
        self,
        procedure: Procedure | Block,
        loaded: Loaded,
        source: str,
        options: Options,
        language: str = "en",
        english: Entry | None = None,
    ):
        self.procedure = procedure
        self.loaded = loaded
        self.options = options
        self.language = language
        self.english = english
        """For a translation, the English procedure it translates (its sheets are made from it)."""
        self.raw_lines = source.splitlines()
        self.items: list[tuple[Key, Item]] = [(key_of(d), i) for d, i in procedure.items()]
        self.sections: dict[Key, list[tuple[Key, Item]]] = {}
        for key, item in self.items:
            self.sections.setdefault(section_of(key), []).append((key, item))

    @cached_property
    def texts(self) -> list[tuple[Key, str]]:
        """Every patient-facing text with the key of its value: items, then flag descriptions."""
        found: list[tuple[Key, str]] = [((*key, "text"), item.text) for key, item in self.items]
        # The same facts said to the adult who takes the patient home (the escort's sheet).
        found.extend(
            ((*key, "escort"), escort)
            for key, item in self.items
            if (escort := getattr(item, "escort", None)) is not None
        )
        flags = self.procedure.flags
        if isinstance(flags, dict):  # a block only names its flags; a procedure describes them
            found.extend((("flags", name), value) for name, value in flags.items())
        return found

    @cached_property
    def grades(self) -> list[tuple[Key, str, SectionGrade]]:
        """Each section's key, prose and grade, in file order."""
        found = []
        for key, entries in self.sections.items():
            prose = text.as_prose([item.text for _, item in entries])
            graded = SectionGrade(
                dotted(key), self.score(prose), text.word_count(prose), self.loaded.line_of(key)
            )
            found.append((key, prose, graded))
        return found

    @cached_property
    def flag_sets(self) -> list[frozenset[str]]:
        """Every set of flags a handout can be made with (or a sample, for many flags)."""
        flags = sorted(self.procedure.flags)
        if len(flags) <= 10:
            combos = [c for size in range(len(flags) + 1) for c in combinations(flags, size)]
        else:
            combos = [(), *((flag,) for flag in flags), tuple(flags)]
        return [frozenset(combo) for combo in combos]

    def score(self, prose: str) -> float:
        """The readability of ``prose`` in this file's language, on its scale."""
        return text.score_in(prose, self.language)

    @cached_property
    def scale(self) -> Scale:
        """The scale and budgets this file's language is held to."""
        return scale_for(self.language, self.options)

    @cached_property
    def jargon(self) -> tuple[text.Term, ...]:
        """The jargon table, compiled once per file."""
        return text.compile_jargon(self.options.jargon)

    def finding(
        self, key: Key, rule: str, severity: str, message: str, line: int | None = None
    ) -> Finding:
        """A finding at ``key`` (or at ``line``, when a sentence inside the value is meant)."""
        line = line if line is not None else self.loaded.line_of(key)
        return Finding(self.loaded.path, line, dotted(key), rule, severity, message)

    def sentence_line(self, key: Key, sentence: str) -> int | None:
        """The line where ``sentence`` starts inside the value at ``key`` (folded text wraps)."""
        start = self.loaded.line_of(key)
        if start is None:
            return None
        stream: list[str] = []
        lines: list[int] = []
        for number in range(start, min(start + 100, len(self.raw_lines)) + 1):
            for word in self.raw_lines[number - 1].split():
                stream.append(" " + word)
                lines.extend([number] * (len(word) + 1))
        at = "".join(stream).find(" " + " ".join(sentence.split()[:6]))
        return lines[at] if at >= 0 else start


def made_with(flags: frozenset[str]) -> str:
    """``with sedation and diabetes``, or ``without flags``, for messages about one handout."""
    return f"with {' and '.join(sorted(flags))}" if flags else "without flags"


def section_of(key: Key) -> Key:
    """The section an item is in: ``("risks", "common", 0)`` is in ``("risks", "common")``."""
    return tuple(part for part in key if isinstance(part, str))
