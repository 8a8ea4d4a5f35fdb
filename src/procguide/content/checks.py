"""Checks that span the fields of a file, shared by procedures and blocks."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable

from procguide.content.keys import key_of
from procguide.content.links import check_links
from procguide.content.model import Item, RecoveryItem

Report = Callable[[tuple[str | int, ...], str], None]
"""Records a problem at a key of the file being checked."""


def close(name: str, choices: Iterable[str]) -> str:
    """A "did you mean" hint when ``name`` looks like a misspelling of one of ``choices``."""
    found = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean '{found[0]}'?" if found else ""


def check_items(
    items: list[tuple[str, Item]],
    source_ids: list[str],
    flags: Collection[str],
    problem: Report,
) -> set[str]:
    """Every citation, flag and link exists, and windows make sense; returns the flags used."""
    for index, source_id in enumerate(source_ids):
        if source_ids.index(source_id) != index:
            problem(("sources", index, "id"), f"source id '{source_id}' is used twice")
    used_flags: set[str] = set()
    for path_name, item in items:
        key = key_of(path_name)
        for index, cited in enumerate(item.sources):
            if cited not in source_ids:
                hint = close(cited, source_ids)
                problem((*key, "sources", index), f"cites unknown source '{cited}'{hint}")
        for name in ("when", "unless"):
            for index, flag in enumerate(getattr(item, name)):
                used_flags.add(flag)
                if flag not in flags:
                    hint = close(flag, flags)
                    problem((*key, name, index), f"uses undeclared flag '{flag}'{hint}")
        if set(item.when) & set(item.unless):
            problem(key, "a flag is in both `when` and `unless`, so the item never shows")
        if isinstance(item, RecoveryItem) and item.end is not None and item.end <= item.start:
            problem((*key, "to"), f"the window ends ({item.end}) before it starts ({item.start})")
    check_links(items, problem)
    return used_flags


def show(values: Iterable[object]) -> str:
    """``[a, b]``, for messages."""
    return "[" + ", ".join(str(v) for v in values) + "]"
