"""Lint rules beyond sentence length: hard words, and sheets too long to read.

Flesch-Kincaid counts syllables and sentence length, so short sentences full of medical
words still score about grade 4; Dale-Chall counts the words that are not on its list of
3,000 words most grade-4 readers know. The length of a sheet is measured on the sheet
itself, rendered as text with every flag on: the longest one a patient can be given.
"""

from __future__ import annotations

from collections.abc import Iterator

from procguide.lint import text
from procguide.lint.context import WARNING, Finding, LintFile

SHEETS = ("pre", "discharge")


def rule_vocabulary(file: LintFile) -> Iterator[Finding]:
    """The whole procedure's vocabulary (Dale-Chall) stays within its budget."""
    if file.language != "en":
        return
    prose = text.as_prose([item.text for _, item in file.items])
    score = text.vocabulary(prose)
    budget = file.options.max_vocabulary
    if score > budget:
        hard = ", ".join(text.hard_words(prose)[:8])
        message = (
            f"vocabulary score {score} (Dale-Chall) > the budget of {budget:g}: use common "
            f"words, or explain the hard ones; the commonest hard words here: {hard}"
        )
        line = file.loaded.line_of(("id",))
        yield Finding(file.loaded.path, line, "(whole file)", "vocabulary", WARNING, message)


def rule_sheet_length(file: LintFile) -> Iterator[Finding]:
    """Each sheet, with every flag on, stays within its word budget."""
    if file.language != "en":
        return
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
    """The words on each sheet of ``file``'s procedure, rendered as text with every flag on."""
    from procguide.config import Clinic
    from procguide.content.library import Entry
    from procguide.content.model import Procedure
    from procguide.document.patient import Personal
    from procguide.pipeline import make
    from procguide.render.formats import encode

    procedure = file.procedure
    if not isinstance(procedure, Procedure):
        return {}
    # The hash only feeds the stamp, which is the same length whatever the content.
    entry = Entry(procedure, file.loaded.path, "0" * 64)
    # Every flag the procedure offers, so the count is of the longest sheet.
    personal = Personal(flags=frozenset(procedure.flags))
    counts = {}
    for kind in SHEETS:
        built = make(entry, personal, Clinic(), lang="en", view="handout", kind=kind)
        counts[kind] = len(encode(built.data, "text", None).decode().split())
    return counts
