"""Lint rules about times: offsets that cannot be right, and text that disagrees with them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from procguide.lint import text
from procguide.lint.context import ERROR, WARNING, Finding, LintFile

if TYPE_CHECKING:
    from procguide.content.keys import Key
    from procguide.content.model import Item


def rule_offset_order(file: LintFile) -> Iterator[Finding]:
    """Times that cannot be right: a limit that ends as it starts, prep due at the start."""
    procedure = file.procedure
    for index, prep in enumerate(procedure.preparation):
        if prep.before is not None and prep.before.minutes == 0:
            message = (
                f"due {prep.before} before, which is when the procedure starts: give a time "
                "before it, or leave `before` out"
            )
            yield file.finding(("preparation", index, "before"), "offset-order", ERROR, message)
    for index, limit in enumerate(procedure.restrictions):
        if limit.until is not None and limit.until.minutes == 0:
            message = (
                f"ends ({limit.until}) when it starts: say how long it lasts, or leave `until` out"
            )
            yield file.finding(("restrictions", index, "until"), "offset-order", ERROR, message)
    for index, visit in enumerate(procedure.follow_up):
        if visit.after is not None and visit.after.minutes == 0:
            message = (
                f"due {visit.after} after, during the procedure: give a later time, "
                "or leave `after` out"
            )
            yield file.finding(("follow_up", index, "after"), "offset-order", ERROR, message)
    yield from _fasting_order(file)


_EATING = re.compile(r"\b(?:stop eating|no food|nothing to eat|not eat)\b", re.IGNORECASE)
_DRINKING = re.compile(r"\b(?:stop drinking|nothing to drink|not drink)\b", re.IGNORECASE)


def _fasting_order(file: LintFile) -> Iterator[Finding]:
    # Food stops earlier than clear drinks; the other way round is a mistake in the times.
    timed = [(i, p) for i, p in enumerate(file.procedure.preparation) if p.before is not None]
    eating = [(i, p) for i, p in timed if _EATING.search(p.text) and not _DRINKING.search(p.text)]
    drinking = [(i, p) for i, p in timed if _DRINKING.search(p.text) and not _EATING.search(p.text)]
    for food_index, food in eating:
        for _, drink in drinking:
            assert food.before is not None and drink.before is not None
            if food.before < drink.before:
                message = (
                    f"food stops {food.before} before but drinks {drink.before} before: "
                    "food stops first, so check both times"
                )
                yield file.finding(
                    ("preparation", food_index, "before"), "offset-order", ERROR, message
                )


def rule_offset_text(file: LintFile) -> Iterator[Finding]:
    """When the text names a time, it must agree with the item's timed field."""
    procedure = file.procedure
    timed: list[tuple[Key, Item, str, list[int]]] = []
    for index, prep in enumerate(procedure.preparation):
        if prep.before is not None:
            timed.append((("preparation", index), prep, "before", [prep.before.minutes]))
    for index, window in enumerate(procedure.recovery):
        if window.end is not None:
            ends = [window.end.minutes] + ([window.start.minutes] if window.start.minutes else [])
            timed.append((("recovery", index), window, "to", ends))
    for index, limit in enumerate(procedure.restrictions):
        if limit.until is not None:
            timed.append((("restrictions", index), limit, "until", [limit.until.minutes]))
    for index, visit in enumerate(procedure.follow_up):
        if visit.after is not None:
            timed.append((("follow_up", index), visit, "after", [visit.after.minutes]))
    for key, item, name, minutes in timed:
        offset = getattr(item, "end" if name == "to" else name)
        said = text.durations(item.text)
        if not said or {m for m, _, _ in said} & set(minutes):
            continue
        # "Hold a cold pack on for 10 to 20 minutes" in a 3-day window is about something
        # else; "6 hours" with `before: 6d`, or "2 days" with `to: 3d`, is a contradiction.
        same_scale = [s for s in said if s[2] == offset.is_calendar]
        same_number = [s for s in said if s[1] == offset.amount]
        if same_scale or same_number:
            says = ", ".join(_human(m) for m, _, _ in sorted(same_scale or same_number))
            message = f"the text says {says} but `{name}` is {offset}: make them agree"
            yield file.finding((*key, name), "offset-text", WARNING, message)


def _human(minutes: int) -> str:
    for size, unit in ((7 * 24 * 60, "week"), (24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{minutes} minutes"  # pragma: no cover - every whole minute divides by 1
