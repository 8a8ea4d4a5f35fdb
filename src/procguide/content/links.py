"""Item ids, and the teach-back questions that link to them.

An item may carry a stable `id` (`leg-weakness`). A teach-back question names, in `checks`,
the ids of the items it checks the patient understood, so a question, the nurse's record of
its answer and the content it is about stay tied together when items are added or moved.
Ids are unique in a procedure together with the blocks it includes, and in a block on its
own: a block's questions may link only to the block's items.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from procguide.content.keys import key_of
from procguide.content.model import Item, TeachBack

Report = Callable[[tuple[str | int, ...], str], None]
"""Records a problem at a key of the file being checked."""
QUESTIONS = "teach_back"
"""The list the questions are in; ids inside it are the questions' and their points'."""


def check_links(items: list[tuple[str, Item]], problem: Report) -> None:
    """Every id is used once, and every question links only to items of the file."""
    first: dict[str, str] = {}
    for path, item in items:
        if item.id is None:
            continue
        if item.id in first:
            problem(
                (*key_of(path), "id"),
                f"the id '{item.id}' is already the id of {first[item.id]}; give each item its own",
            )
        else:
            first[item.id] = path
    linkable = {name for name, path in first.items() if not path.startswith(QUESTIONS + ".")}
    for path, item in items:
        if isinstance(item, TeachBack):
            _check_question(path, item, linkable, set(first) - linkable, problem)


def _check_question(
    path: str, question: TeachBack, linkable: set[str], questions: set[str], problem: Report
) -> None:
    for index, target in enumerate(question.checks):
        key = (*key_of(path), "checks", index)
        if question.checks.index(target) != index:
            problem(key, f"links to '{target}' twice")
        elif target in questions:
            problem(key, f"'{target}' is a teach-back question; link to the items it checks")
        elif target not in linkable:
            found = difflib.get_close_matches(target, sorted(linkable), n=1)
            hint = (
                f"; did you mean '{found[0]}'?"
                if found
                else "; give that item `id: " + target + "`"
            )
            problem(key, f"links to '{target}', which is the id of no item here{hint}")


def linked(items: list[tuple[str, Item]]) -> dict[str, Item]:
    """The items questions can link to, by id."""
    return {
        item.id: item
        for path, item in items
        if item.id is not None and not path.startswith(QUESTIONS + ".")
    }
