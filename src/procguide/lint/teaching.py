"""Lint for teaching: teach-back questions, and the escort's sheet after sedation.

Every handout, whichever flags it is made with, has one to three teach-back questions (AHRQ's
teach-back method checks a few key points, one at a time), and every sign to get help for that
the handout shows is checked by one of them. A procedure with sedation has a sheet for the adult
who takes the patient home, and everything on it must be said to that adult.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from procguide.lint.context import ERROR, Finding, LintFile, made_with

if TYPE_CHECKING:
    from procguide.content.keys import Key
    from procguide.content.model import Item, TeachBack

MIN_QUESTIONS, MAX_QUESTIONS = 1, 3
SIGNS: tuple[Key, ...] = (("get_help", "call_emergency"), ("get_help", "call_clinic"))
"""The red flags: every one a handout shows must be checked by a question."""
ON_ESCORT_SHEET: tuple[Key, ...] = (("restrictions",), *SIGNS, ("get_help", "cannot_reach"))
"""The patient's items the escort's sheet repeats, said to the escort."""
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)


def rule_teach_back(file: LintFile) -> Iterator[Finding]:
    """One to three questions on every handout, and every sign it shows checked by one."""
    from procguide.content.model import Procedure, TeachBack

    if not isinstance(file.procedure, Procedure):
        return
    questions = [
        (k, i) for k, i in file.sections.get(("teach_back",), []) if isinstance(i, TeachBack)
    ]
    yield from _counts(file, questions)
    yield from _coverage(file, questions)


def _counts(file: LintFile, questions: list[tuple[Key, TeachBack]]) -> Iterator[Finding]:
    for flags in file.flag_sets:
        count = sum(1 for _, question in questions if question.applies(flags))
        if MIN_QUESTIONS <= count <= MAX_QUESTIONS:
            continue
        if count < MIN_QUESTIONS:
            message = (
                f"a handout made {made_with(flags)} has no teach-back question: add one to "
                "three, each linked (`checks`) to the items it checks, the signs to get help for "
                "first"
            )
        else:
            message = (
                f"a handout made {made_with(flags)} has {count} teach-back questions: keep the "
                f"{MAX_QUESTIONS} that matter most, so each can be asked and taught again"
            )
        yield file.finding(("teach_back",), "teach-back", ERROR, message)
        return


def _coverage(file: LintFile, questions: list[tuple[Key, TeachBack]]) -> Iterator[Finding]:
    reported: set[Key] = set()
    for flags in file.flag_sets:
        shown = [q for _, q in questions if q.applies(flags)]
        checked = {target for question in shown for target in question.checks}
        for section in SIGNS:
            for key, sign in file.sections.get(section, []):
                if key in reported or not sign.applies(flags):
                    continue
                if sign.id is None or sign.id not in checked:
                    reported.add(key)
                    fix = "add it to the `checks` of a question that applies"
                    if sign.id is None:
                        fix = "give it an `id` and " + fix
                    message = (
                        f"no teach-back question on a handout made {made_with(flags)} checks "
                        f"this sign: {fix}"
                    )
                    yield file.finding(key, "teach-back", ERROR, message)
        yield from _questions_on_nothing(file, questions, flags, reported)


def _questions_on_nothing(
    file: LintFile,
    questions: list[tuple[Key, TeachBack]],
    flags: frozenset[str],
    reported: set[Key],
) -> Iterator[Finding]:
    """A question must check something the handout it is asked about shows."""
    by_id = {item.id: item for _, item in file.items if item.id is not None}
    for key, question in questions:
        if key in reported or not question.applies(flags):
            continue
        if not any(by_id[t].applies(flags) for t in question.checks if t in by_id):
            reported.add(key)
            message = (
                f"on a handout made {made_with(flags)} this question checks nothing the handout "
                "shows: give it the same `when` as the items it checks"
            )
            yield file.finding(key, "teach-back", ERROR, message)


def rule_escort(file: LintFile) -> Iterator[Finding]:
    """The escort's sheet has something for the escort, and all of it is said to them."""
    from procguide.content.model import SEDATION, Procedure

    procedure = file.procedure
    if not isinstance(procedure, Procedure) or SEDATION not in procedure.flags:
        return
    sedated = [flags for flags in file.flag_sets if SEDATION in flags]
    escort = file.sections.get(("escort",), [])
    limits = file.sections.get(("restrictions",), [])
    for flags in sedated:
        if not any(item.applies(flags) for _, item in escort):
            message = (
                f"the escort's sheet made {made_with(flags)} has nothing for the adult who takes "
                "the patient home: add `escort` items, or `- include: sedation-aftercare` there"
            )
            yield file.finding(("escort",), "escort", ERROR, message)
            break
    for flags in sedated:
        shown = [item for _, item in limits if item.applies(flags)]
        if shown and not any(getattr(item, "escort", None) for item in shown):
            message = (
                f"the escort's sheet made {made_with(flags)} shows none of the activity limits: "
                "give the ones the adult must know tonight `escort:` wording "
                "('They must not drive')"
            )
            yield file.finding(("restrictions",), "escort", ERROR, message)
            break
    if file.language != "en":
        return  # a translation has escort wording wherever its English file has
    for section in ON_ESCORT_SHEET:
        for key, item in file.sections.get(section, []):
            if any(item.applies(flags) for flags in sedated) and _to_the_patient(section, item):
                message = (
                    "the escort's sheet repeats this, but it speaks to the patient: add `escort:` "
                    "with the same words said to the adult who takes them home ('they', 'their')"
                )
                yield file.finding(key, "escort", ERROR, message)


def _to_the_patient(section: Key, item: Item) -> bool:
    """Whether the escort would read ``item`` as said to them, without its escort wording.

    What to do when the clinic cannot be reached always would be; a sign is when it says "you"
    or "your". A limit without escort wording is left to the going-home sheet, which the
    escort's sheet points to.
    """
    if getattr(item, "escort", None) is not None:
        return False
    if section == ("restrictions",):
        return False
    return section not in SIGNS or bool(_SECOND_PERSON.search(item.text))
