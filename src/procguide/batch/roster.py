"""Read a roster: the day's list of patients, as a table or as a scheduling system sends it.

A table is CSV, a JSON array or JSON Lines; a scheduling system sends HL7 v2 SIU messages or
a FHIR Bundle of Appointments (``roster_hl7``, ``roster_fhir``).

A roster is read twice, each time as a stream: once to check its shape (header, encoding,
JSON syntax) and count its rows, so a broken roster stops the batch before anything is
written, and once to hand rows to the workers. Memory stays flat however long it is; standard
input is spooled to a temporary file so it can be read twice too.

Problems with the whole roster raise UsageError. Problems with one row (a broken JSON line,
an overlong field, a value in an unnamed column) travel with the row, so every other row is
still produced.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from procguide.batch.roster_json import Record, json_array, json_lines
from procguide.errors import UsageError

COLUMNS = (
    "procedure",
    "patient",
    "date",
    "time",
    "clinician",
    "flags",
    "no_flags",
    "holds",
    "restarts",
    "note",
    "output",
    "lang",
    "mrn",
    "activity",
    "bring_back",
)
"""Every column a roster may have."""
REQUIRED = ("procedure", "patient", "date", "time")
"""Columns every row needs a value in."""
_CHUNK = 1 << 16
_SPOOL = 8 << 20
_VALID = f"valid columns: {', '.join(COLUMNS)}"
_FHIR_BUNDLE = re.compile(r'"resourceType"\s*:\s*"Bundle"')
MESSAGES = ("hl7", "fhir")
"""Roster kinds that are a scheduling system's messages rather than a table."""


@dataclass(frozen=True)
class RawRow:
    """One record of the roster, as read, before its values are checked."""

    number: int
    """1-based position among the roster's rows (blank lines are not rows)."""
    line: int | None
    """The line of the file the row starts on, when it has one."""
    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    """Why the row could not be read, when it could not."""
    skip: str | None = None
    """Why the row gets no handout (a cancelled appointment), when it gets none."""
    labels: dict[str, str] = field(default_factory=dict)
    """Where in a scheduling message each column came from (``AIS-4``), for messages."""

    @property
    def where(self) -> str:
        """``row 3 (line 4)``: how messages name the row."""
        return f"row {self.number}" + (f" (line {self.line})" if self.line else "")


class Roster:
    """A roster file (or standard input), read as a stream of rows."""

    def __init__(self, stream: IO[bytes], name: str, encoding: str) -> None:
        self.stream = stream
        self.name = name
        self.encoding = _utf16(stream) or encoding
        self.kind = self._sniff()
        self.warnings: list[str] = []
        if _looks_like_utf8(stream, self.encoding):
            self.warnings.append(
                f"the roster is UTF-8 text, and read as {encoding} its names change (é would "
                "print as Ã©): if that is wrong, run without --encoding"
            )

    def close(self) -> None:
        """Close the underlying file."""
        self.stream.close()

    def count(self) -> int:
        """Check the whole roster's shape and count its rows; raise UsageError if broken."""
        return sum(1 for _ in self.rows())

    def rows(self) -> Iterator[RawRow]:
        """Every row, in order."""
        text: io.TextIOWrapper | None = None
        try:
            text = self._text()
            if self.kind in MESSAGES:
                yield from _messages(self.kind, text)
                return
            if self.kind == "json":
                records = json_array(text)
            elif self.kind == "jsonl":
                records = json_lines(text)
            else:
                records = _csv(text)
            for number, (line, values, error) in enumerate(records, start=1):
                if error is None:
                    values, error = _known(values, number, line)
                yield RawRow(number, line, values, error)
        except UnicodeError:
            encoding = "UTF-8" if self.encoding == "utf-8-sig" else self.encoding
            raise UsageError(
                f"the roster is not {encoding} text",
                hint="save it as CSV UTF-8, or give its real encoding, e.g. cp1252",
                field="encoding",
            ) from None
        except OSError as error:
            raise UsageError(f"cannot read the roster: {error.strerror or error}") from None
        finally:
            if text is not None:
                with contextlib.suppress(ValueError):  # the roster was closed first
                    text.detach()

    def _text(self) -> io.TextIOWrapper:
        self.stream.seek(0)
        text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
        try:
            if text.read(1) not in ("\ufeff", ""):
                text.seek(0)  # no byte-order mark: start again at the first character
        except UnicodeError:
            text.detach()  # else closing the wrapper would close the roster
            raise
        return text

    def _sniff(self) -> str:
        try:
            text = self._text()
        except UnicodeError:
            return "csv"  # reported, with a hint, when the rows are read
        try:
            start = text.read(_CHUNK).lstrip()
        except UnicodeError:
            start = ""
        finally:
            text.detach()
        if start.startswith(("\x0b", "MSH", "FHS", "BHS")):
            return "hl7"
        if start.startswith("{") and _FHIR_BUNDLE.search(start):
            return "fhir"
        if start.startswith("["):
            return "json"
        if start.startswith("{"):
            return "jsonl"
        return "csv"


def _messages(kind: str, text: io.TextIOWrapper) -> Iterator[RawRow]:
    """Rows from a scheduling system's messages, one per appointment message."""
    if kind == "hl7":
        from procguide.batch.roster_hl7 import hl7_messages as read
    else:
        from procguide.batch.roster_fhir import fhir_appointments as read
    for number, message in enumerate(read(text), start=1):
        yield RawRow(number, None, message.values, message.error, message.skip, message.labels)


def _utf16(stream: IO[bytes]) -> str | None:
    """The UTF-16 (or UTF-32) a file's byte-order mark names, as Excel saves "Unicode text".

    The mark is certain where a guess is not, so it wins over the encoding asked for.
    """
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _looks_like_utf8(stream: IO[bytes], encoding: str) -> bool:
    """Whether a roster to be read in another encoding is UTF-8 with letters beyond ASCII.

    Text in a one-byte encoding such as cp1252 almost never happens to be valid UTF-8 once it
    has accents in it, so this is UTF-8 read with the wrong ``--encoding``: every accented
    name would be garbled on its handout.
    """
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    beyond_ascii = False
    stream.seek(0)
    try:
        while chunk := stream.read(_CHUNK):
            beyond_ascii = beyond_ascii or not chunk.isascii()
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return beyond_ascii


def open_roster(source: str, encoding: str = "utf-8") -> Roster:
    """Open ``source`` (a path, or ``-`` for standard input); raise UsageError if unreadable."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise UsageError(
            f"unknown encoding '{encoding}'", hint="for example utf-8 or cp1252", field="encoding"
        ) from None
    # base64, rot13 and the like are codecs but not text encodings; "undefined" refuses all.
    if not getattr(info, "_is_text_encoding", True) or info.name == "undefined":
        raise UsageError(
            f"'{encoding}' is not a text encoding",
            hint="for example utf-8 or cp1252",
            field="encoding",
        )
    # UTF-8 with or without a byte-order mark, as spreadsheets save it.
    if codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"
    if source == "-":
        return _roster(_spooled(sys.stdin.buffer, "standard input"), "standard input", encoding)
    path = Path(source)
    stream: IO[bytes]
    try:
        stream = path.open("rb")
        regular = stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except FileNotFoundError:
        raise UsageError(f"roster not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"the roster {path} is a folder", hint="give a CSV or JSON file") from None
    except OSError as error:
        raise UsageError(f"cannot read the roster {path}: {error.strerror or error}") from None
    if not regular:
        # A pipe: `<(export-schedule)` or /dev/stdin. Read once, into a file read twice.
        with stream as pipe:
            stream = _spooled(pipe, str(path))
    return _roster(stream, str(path), encoding)


def _spooled(source: IO[bytes], name: str) -> IO[bytes]:
    """All of ``source`` in a temporary file (in memory while small), ready to read again."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 (the roster owns it)
    try:
        while chunk := source.read(_CHUNK):
            spool.write(chunk)
    except OSError as error:
        spool.close()
        raise UsageError(f"cannot read the roster {name}: {error.strerror or error}") from None
    return spool


def _roster(stream: IO[bytes], name: str, encoding: str) -> Roster:
    try:
        return Roster(stream, name, encoding)
    except BaseException:
        stream.close()
        raise


def _csv(text: io.TextIOWrapper) -> Iterator[Record]:
    first = text.readline()
    # Spreadsheets in many countries save "CSV" with semicolons or tabs: the header tells.
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as broken:
        raise UsageError(
            f"the roster's header row cannot be read: {broken}",
            hint="the first line must name the columns, e.g. procedure,patient,date,time",
        ) from None
    if header is None:
        return
    columns = _header(header)
    done = reader.line_num
    while True:
        start = done + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as broken:
            done = reader.line_num
            yield start, {}, f"the row cannot be read: {broken}"
            continue
        if reader.line_num > start:
            _check_quotes(cells, start, delimiter, len(columns))
        done = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or one of empty cells as spreadsheets export them
        if len(cells) > len(columns):
            yield (
                start,
                {},
                f"the row has {len(cells)} values; the header has {len(columns)} columns",
            )
            continue
        values: dict[str, Any] = {}
        error = None
        for index, cell in enumerate(cells):
            name = columns[index]
            if name:
                values[name] = cell
            elif cell.strip():
                error = f"the row has a value in column {index + 1}, which has no heading"
        yield start, values, error


def _check_quotes(cells: list[str], start: int, delimiter: str, columns: int) -> None:
    """Refuse a quote that is never closed, which would swallow the rows after it.

    A quoted value may hold line breaks (an address); one whose later lines look like whole
    rows is a quote left open, and every row after it would be lost without a word.
    """
    for cell in cells:
        later = cell.split("\n")[1:]
        if any(line.count(delimiter) >= max(columns - 1, 1) for line in later):
            raise UsageError(
                f'line {start}: a quote (") is opened and never closed, so the rows after it '
                "would be read as one value",
                hint="close the quote, or remove it, then run the batch again",
            )


def _header(cells: list[str]) -> list[str]:
    columns = [cell.strip().lower() for cell in cells]
    named = [c for c in columns if c]
    if named and not set(named) & set(COLUMNS):
        # Never quote it: a roster without a header row has a patient's details here.
        raise UsageError("the roster's first line is not a header row of column names", hint=_VALID)
    unknown = [c for c in named if c not in COLUMNS]
    if unknown:
        listed = ", ".join(f"'{c[:40]}'" for c in unknown)
        raise UsageError(f"unknown column(s) in the roster: {listed}", hint=_VALID)
    twice = sorted({c for c in named if named.count(c) > 1})
    if twice:
        raise UsageError(f"the roster has the column '{twice[0]}' twice")
    missing = [c for c in REQUIRED if c not in named]
    if missing:
        raise UsageError(f"the roster has no '{missing[0]}' column", hint=_VALID)
    return columns


def _known(values: dict[str, Any], number: int, line: int | None) -> tuple[dict[str, Any], None]:
    """Column names as documented (any case); an unknown one stops the batch before it starts."""
    known: dict[str, Any] = {}
    for key, value in values.items():
        name = key.strip().lower()
        if name not in COLUMNS:
            where = f"line {line}" if line else f"item {number}"
            raise UsageError(f"unknown column '{name[:40]}' in the roster ({where})", hint=_VALID)
        if name in known:
            raise UsageError(f"the column '{name}' is given twice in the roster's item {number}")
        known[name] = value
    return known, None
