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
    reader = _ArrayReader(text)
    if reader.skip_space() != "[":
        raise reader.broken("it must be an array of objects")
    reader.pos += 1
    first = True
    while True:
        char = reader.skip_space()
        if char == "]" and first:
            reader.pos += 1
            break
        line = reader.line()
        item = reader.item()
        yield (line, *_object(item))
        first = False
        char = reader.skip_space()
        reader.pos += 1
        if char == "]":
            break
        if char != ",":
            raise reader.broken("expected ',' or ']' after an item")
    if reader.skip_space():
        raise reader.broken("text after the end of the array")


class _ArrayReader:
    """A window on a JSON array's text: the part not yet decoded, read on as needed."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.decoder = json.JSONDecoder(object_pairs_hook=_Object.of)
        self.buffer, self.pos, self.line_base, self.eof = "", 0, 1, False

    def more(self) -> None:
        self.line_base += self.buffer.count("\n", 0, self.pos)
        self.buffer, self.pos = self.buffer[self.pos :], 0
        if len(self.buffer) > MAX_RECORD:
            raise UsageError(f"the roster has an item longer than {MAX_RECORD} characters")
        chunk = self.text.read(_CHUNK)
        self.eof = not chunk
        self.buffer += chunk

    def skip_space(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer) or self.eof:
                return self.buffer[self.pos : self.pos + 1]
            self.more()

    def line(self) -> int:
        return self.line_base + self.buffer.count("\n", 0, self.pos)

    def item(self) -> Any:
        """Decode the value that starts here, reading on until it is whole."""
        while True:
            try:
                item, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if self.eof:
                    raise self.broken(error.msg) from None
                self.more()
                continue
            except RecursionError:
                raise self.broken(NESTED) from None
            if end == len(self.buffer) and not self.eof:
                self.more()  # a number or word cut at the chunk's end: read on and decode again
                continue
            self.pos = end
            return item

    def broken(self, why: str) -> UsageError:
        return UsageError(f"the roster is not valid JSON: {why} (line {self.line()})")
