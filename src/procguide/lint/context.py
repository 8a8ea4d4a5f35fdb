"""What every lint rule works with: the options, a finding, and the file being linted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.content.keys import Key, dotted, key_of
from procguide.lint import text
from procguide.lint.words import JARGON

if TYPE_CHECKING:
    from procguide.content.model import Block, Item, Procedure
    from procguide.content.yamlsafe import Loaded

ERROR = "error"
WARNING = "warning"
HARD_GRADE = 10.0
"""No section may read above this grade, whatever the budget."""


@dataclass(frozen=True)
class Options:
    """What lint holds content to."""

    max_grade: float = 8.0
    max_words: int = 25
    review_months: int = 12
    max_vocabulary: float = 8.5
    """Dale-Chall score for a whole procedure; above it, too many hard words."""
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
    ):
        self.procedure = procedure
        self.loaded = loaded
        self.options = options
        self.language = language
        self.raw_lines = source.splitlines()
        self.items: list[tuple[Key, Item]] = [(key_of(d), i) for d, i in procedure.items()]
        self.sections: dict[Key, list[tuple[Key, Item]]] = {}
        for key, item in self.items:
            self.sections.setdefault(section_of(key), []).append((key, item))

    @cached_property
    def texts(self) -> list[tuple[Key, str]]:
        """Every patient-facing text with the key of its value: items, then flag descriptions."""
        found: list[tuple[Key, str]] = [((*key, "text"), item.text) for key, item in self.items]
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
                dotted(key), self.grade(prose), text.word_count(prose), self.loaded.line_of(key)
            )
            found.append((key, prose, graded))
        return found

    def grade(self, prose: str) -> float:
        """The reading grade of ``prose`` in this file's language."""
        return text.grade_in(prose, self.language)

    def ease(self, prose: str) -> str:
        """For Spanish, the Fernández Huerta score a grade comes from, to quote in messages."""
        if self.language != "es":
            return ""
        return f" (Fernández Huerta {text.fernandez_huerta(prose)})"

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


def section_of(key: Key) -> Key:
    """The section an item is in: ``("risks", "common", 0)`` is in ``("risks", "common")``."""
    return tuple(part for part in key if isinstance(part, str))
