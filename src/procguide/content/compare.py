"""Comparing a translation with its English file: everything but the wording must match.

Shared by procedure translations and block translations.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from procguide.content.checks import show
from procguide.content.descriptions import describe_fields

if TYPE_CHECKING:
    from procguide.content.model import Block, Item, Procedure

    Content = Procedure | Block

_TIMING = ("before", "from", "to", "until", "after")
# Numbers in the text (hours, doses, "1 in 200", "5 pounds") are the English file's facts: a
# translation writes the same digits, never a number in words and never another number.
_NUMBER = re.compile(r"\d+")


class Translates(BaseModel):
    """Which version of the English file a translation was made and reviewed from."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, defer_build=True, json_schema_extra=describe_fields
    )

    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    """The SHA-256 of the English file (``procguide validate`` prints it when it changes)."""


def compare_sources(translated: Content, english: Content, problem: Any) -> None:
    """Report each source added, dropped or moved to another address."""
    theirs = {s.id: s for s in english.sources}
    mine = {s.id: s for s in translated.sources}
    for index, source in enumerate(translated.sources):
        if source.id not in theirs:
            problem(
                ("sources", index, "id"), f"extra: the English file has no source '{source.id}'"
            )
        elif source.url != theirs[source.id].url:
            problem(
                ("sources", index, "url"),
                f"changed: the English file gives {theirs[source.id].url}",
            )
    for source_id in theirs:
        if source_id not in mine:
            problem(("sources",), f"missing: the source '{source_id}' of the English file")


def _key(dotted: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in dotted.split("."))


def compare_items(translated: Content, english: Content, problem: Any) -> None:
    """Report each item added or dropped, and each change of timing, flags or sources."""
    theirs = dict(english.items())
    mine = dict(translated.items())
    for dotted, item in theirs.items():
        if dotted not in mine:
            problem(_key(dotted), f"missing: the English file has an item here ('{_words(item)}')")
    for dotted, item in mine.items():
        key = _key(dotted)
        other = theirs.get(dotted)
        if other is None:
            problem(key, "extra: the English file has no item here")
            continue
        for name in _TIMING:
            mine_at, theirs_at = _timing(item, name), _timing(other, name)
            if mine_at != theirs_at:
                problem(
                    (*key, name),
                    f"changed timing: {_or_none(mine_at)}, the English file has "
                    f"{_or_none(theirs_at)}",
                )
        for name in ("when", "unless"):
            if getattr(item, name) != getattr(other, name):
                problem(
                    (*key, name),
                    f"changed flags: {name} {show(getattr(item, name))}, the English file has "
                    f"{show(getattr(other, name))}",
                )
        if _numbers(item.text) != _numbers(other.text):
            problem(
                (*key, "text"),
                f"changed numbers: {show(_numbers(item.text))}, the English text has "
                f"{show(_numbers(other.text))}; write the English file's numbers, in digits",
            )
        if item.sources != other.sources:
            problem(
                (*key, "sources"),
                f"changed sources: cites {show(item.sources)}, the English file cites "
                f"{show(other.sources)}",
            )
        _compare_links(item, other, key, problem)


def _compare_links(item: Item, other: Item, key: tuple[str | int, ...], problem: Any) -> None:
    """The same id, the same links, and escort wording where the English item has it."""
    if item.id != other.id:
        problem((*key, "id"), f"changed id: {item.id}, the English file has {other.id}")
    checks, english_checks = getattr(item, "checks", ()), getattr(other, "checks", ())
    if checks != english_checks:
        problem(
            (*key, "checks"),
            f"changed links: {show(checks)}, the English file links {show(english_checks)}",
        )
    escort, english_escort = getattr(item, "escort", None), getattr(other, "escort", None)
    if english_escort is not None and escort is None:
        problem(key, "missing: the English item has `escort` wording; translate it")
    elif escort is not None and _numbers(escort) != _numbers(english_escort or other.text):
        problem(
            (*key, "escort"),
            f"changed numbers: {show(_numbers(escort))}, the English text has "
            f"{show(_numbers(english_escort or other.text))}; write the English file's numbers, "
            "in digits",
        )


def _numbers(text: str) -> list[str]:
    return sorted(_NUMBER.findall(text), key=lambda n: (len(n), n))


def _timing(item: Item, name: str) -> str | None:
    attribute = {"from": "start", "to": "end"}.get(name, name)
    value = getattr(item, attribute, None)
    return str(value) if value is not None else None


def _or_none(value: str | None) -> str:
    return value if value is not None else "none"


def _words(item: Item, count: int = 6) -> str:
    words = item.text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")
