"""Lint rules beyond sentence length: hard words, and sheets too long to read.

Flesch-Kincaid counts syllables and sentence length, so short sentences full of medical
words still score about grade 4; Dale-Chall counts the words that are not on its list of
3,000 words most grade-4 readers know. Spanish has no Dale-Chall: its measure is the share of
words of 3 or more syllables outside the 20,000 commonest Spanish word forms. The length of a
sheet is measured on the sheet itself, rendered as text with every flag on: the longest one a
patient can be given, in the language it is given in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from procguide.lint import text
from procguide.lint.context import WARNING, Finding, LintFile

SHEETS = ("pre", "discharge")


def rule_vocabulary(file: LintFile) -> Iterator[Finding]:
    """The whole procedure's vocabulary (Dale-Chall; in Spanish, the share of hard words)."""
    prose = text.as_prose([item.text for _, item in file.items])
    if file.language == "es":
        score, budget = text.spanish_vocabulary(prose), file.options.max_spanish_hard_words
        found = f"hard words {score}%"
        limit, hard = f"{budget:g}%", _commonest(text.spanish_hard_words(prose))
    elif file.language == "en":
        score, budget = text.vocabulary(prose), file.options.max_vocabulary
        found = f"vocabulary score {score} (Dale-Chall)"
        limit, hard = f"{budget:g}", text.hard_words(prose)
    else:
        return
    if score > budget:
        message = (
            f"{found} > the budget of {limit}: "
            "use common words, or explain the hard ones; the commonest hard words here: "
            + ", ".join(hard[:8])
        )
        line = file.loaded.line_of(("id",))
        yield Finding(file.loaded.path, line, "(whole file)", "vocabulary", WARNING, message)


def _commonest(words: list[str]) -> list[str]:
    counts = Counter(words)
    return sorted(counts, key=lambda w: (-counts[w], w))


def rule_sheet_length(file: LintFile) -> Iterator[Finding]:
    """Each sheet, with every flag on, stays within its word budget, in every language."""
    for kind, words in sheet_words(file).items():
        budget = file.options.max_sheet_words[kind]
        if words > budget:
            message = (
                f"the {kind} sheet has {words:,} words with every flag on > the budget of "
                f"{budget:,}: cut what the patient does not need to act on"
            )
            line = file.loaded.line_of(("id",))
            yield Finding(file.loaded.path, line, "(whole file)", "sheet-length", WARNING, message)


def sheet_words(file: LintFile) -> dict[str, int]:
    """The words on each sheet of ``file``'s procedure, rendered as text with every flag on.

    A translation's sheets are made as a patient gets them: from its English procedure, in
    the translation's language.
    """
    from procguide.config import Clinic
    from procguide.content.library import Entry
    from procguide.content.model import Procedure
    from procguide.document.patient import Personal
    from procguide.pipeline import make
    from procguide.render.formats import encode

    procedure = file.procedure
    if not isinstance(procedure, Procedure):
        return {}
    if file.english is not None:
        entry, lang = file.english, file.language
    elif file.language == "en":
        # The hash only feeds the stamp, which is the same length whatever the content.
        entry, lang = Entry(procedure, file.loaded.path, "0" * 64), "en"
    else:
        return {}
    # Every flag the procedure offers, so the count is of the longest sheet.
    personal = Personal(flags=frozenset(procedure.flags))
    counts = {}
    dirs = (file.loaded.path.parent,)
    for kind in SHEETS:
        built = make(entry, personal, Clinic(), lang=lang, view="handout", kind=kind,
                     library_dirs=dirs)  # fmt: skip
        counts[kind] = len(encode(built.data, "text", None).decode().split())
    return counts
