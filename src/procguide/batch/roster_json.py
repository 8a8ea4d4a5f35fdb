"""Roster readers for JSON: an array of objects, or JSON Lines, one object a line.

Objects are read one at a time, so a roster of any length takes little memory, and an object
that gives a column twice is a row error rather than a silently dropped value.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from procguide.errors import UsageError

MAX_RECORD = 1 << 20
"""The longest JSON item or line, in characters (a row is a few hundred)."""

Record = tuple[int | None, dict[str, Any], str | None]
"""A row as read: its line, its values, and why it could not be read (or None)."""
_CHUNK = 1 << 16
NESTED = "a value holds lists or objects nested too deeply (a cell is text, a number or a list)"


def json_lines(text: io.TextIOWrapper) -> Iterator[Record]:
    """Each line of a JSON Lines roster as a record; a broken line is a row error."""
    line = 0
    while True:
        chunk = text.readline(MAX_RECORD)
        if not chunk:
            return
        line += 1
        if len(chunk) >= MAX_RECORD and not chunk.endswith(("\n", "\r")):
            while (rest := text.readline(MAX_RECORD)) and not rest.endswith(("\n", "\r")):
                pass
            yield line, {}, f"the line is longer than {MAX_RECORD} characters"
            continue
        if not chunk.strip():
            continue
        try:
            item = json.loads(chunk, object_pairs_hook=_Object.of)
        except json.JSONDecodeError as error:
            yield line, {}, f"the line is not valid JSON: {error.msg}"
            continue
        except RecursionError:
            yield line, {}, NESTED
            continue
        yield line, *_object(item)


class _Object(dict[str, Any]):
    """A JSON object that remembers a key given twice, which json would silently drop."""

    twice: str | None = None

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> _Object:
        found = cls(pairs)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                found.twice = key
                break
            seen.add(key)
        return found


def _object(item: Any) -> tuple[dict[str, Any], str | None]:
    if isinstance(item, _Object) and item.twice is not None:
        # The key is a column name, never a patient's details.
        return {}, f"the item gives the column '{item.twice[:40]}' twice; keep one of them"
    if isinstance(item, dict):
        return item, None
    return {}, "the item is not an object of column names and values"


def json_array(text: io.TextIOWrapper) -> Iterator[Record]:
    """The items of a JSON array, decoded one at a time rather than all at once."""
    decoder = json.JSONDecoder(object_pairs_hook=_Object.of)
    buffer, pos, line_base, eof = "", 0, 1, False

    def more() -> None:
        nonlocal buffer, pos, line_base, eof
        line_base += buffer.count("\n", 0, pos)
        buffer, pos = buffer[pos:], 0
        if len(buffer) > MAX_RECORD:
            raise UsageError(f"the roster has an item longer than {MAX_RECORD} characters")
        chunk = text.read(_CHUNK)
        eof = not chunk
        buffer += chunk

    def skip_space() -> str:
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                pos += 1
            if pos < len(buffer) or eof:
                return buffer[pos : pos + 1]
            more()

    def broken(why: str) -> UsageError:
        line = line_base + buffer.count("\n", 0, pos)
        return UsageError(f"the roster is not valid JSON: {why} (line {line})")

    if skip_space() != "[":
        raise broken("it must be an array of objects")
    pos += 1
    first = True
    while True:
        char = skip_space()
        if char == "]" and first:
            pos += 1
            break
        while True:
            try:
                item, end = decoder.raw_decode(buffer, pos)
            except json.JSONDecodeError as error:
                if eof:
                    raise broken(error.msg) from None
                more()
                continue
            except RecursionError:
                raise broken(NESTED) from None
            if end == len(buffer) and not eof:
                more()  # a number or word cut at the chunk's end: read on and decode again
                continue
            break
        yield (line_base + buffer.count("\n", 0, pos), *_object(item))
        pos, first = end, False
        char = skip_space()
        pos += 1
        if char == "]":
            break
        if char != ",":
            raise broken("expected ',' or ']' after an item")
    if skip_space():
        raise broken("text after the end of the array")
