"""Load YAML content strictly, remembering the line of every value.

Content files are written by many hands over years, so loading refuses what could hide a
mistake or a trick: duplicate keys (the second would silently replace the first), anchors
and aliases (billion-laughs bombs), tags other than plain data, deep nesting, huge files,
bytes that are not UTF-8. Objects are built from the parser's event stream rather than
composed, because libyaml's composer recurses in C and crashes on very deep nesting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from procguide.characters import is_invisible
from procguide.content.keys import Key
from procguide.errors import ContentError, Problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
# The largest procedure holds under a thousand values; this bounds the work a file can cause.
MAX_VALUES = 20_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
# Control and format characters (NUL, ESC, right-to-left overrides, zero-width spaces) can
# hide text, fake it, or drive a terminal; tabs and line ends are layout. The same rule as
# for text given on the command line (document.clean_text), plus the separators that YAML
# counts as line ends but editors do not.
_SUSPECT = re.compile(r"[^\t\n\r\x20-\x7e]")
_LINE_END = re.compile(r"\r\n|\r|\n")
_SHOWN = 60
_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"
_PARSER_DEPTH = "maximum nesting depth"


@dataclass
class Loaded:
    """Parsed data and the 1-based line where each value (by its path) starts."""

    path: Path
    data: Any
    lines: dict[Key, int] = field(default_factory=dict)

    def line_of(self, key: Key) -> int | None:
        """The line of ``key``, or of its nearest parent that exists in the file."""
        for end in range(len(key), -1, -1):
            line = self.lines.get(key[:end])
            if line is not None:
                return line
        return None


def read_text(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """Read a UTF-8 file (a BOM is allowed); return its bytes and text."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(max_bytes + 1)
    except IsADirectoryError:
        raise ContentError([Problem("is a folder, not a file", path)]) from None
    except OSError as error:
        raise ContentError([Problem(f"cannot read: {error.strerror}", path)]) from None
    if len(raw) > max_bytes:
        message = f"is larger than {max_bytes:,} bytes; split it or check it is the right file"
        raise ContentError([Problem(message, path)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # With a BOM, the decoder's offsets count from after it.
        body = bytes(error.object)
        line = body[: error.start].count(b"\n") + 1
        message = f"byte 0x{body[error.start]:02x} is not UTF-8; save the file as UTF-8"
        raise ContentError([Problem(message, path, line)]) from None
    return raw, text


def load_file(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[bytes, Loaded]:
    """Read and parse ``path``; return its raw bytes (for hashing) and the parsed data."""
    raw, text = read_text(path, max_bytes=max_bytes)
    return raw, parse(text, path)


def parse(text: str, path: Path) -> Loaded:
    """Parse one YAML document from ``text``; ``path`` names it in messages."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise ContentError([Problem("the file is empty", path, 1)])
    _check_characters(text, path)
    loader = _Loader(text)
    try:
        return _Builder(loader, path).build()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        message = _yaml_message(error, text, line)
        if _PARSER_DEPTH in (error.problem or ""):
            # Newer libyaml stops deep nesting itself while scanning ahead, before the builder
            # sees it; the reader gets the same words whichever parser caught it.
            message = _TOO_DEEP
        raise ContentError([Problem(message, path, line)]) from None
    except yaml.reader.ReaderError as error:
        # Characters YAML refuses that _check_characters lets through, such as U+FFFE.
        message = f"the character {_codepoint(error.character)} is not allowed in YAML"
        raise ContentError([Problem(message, path)]) from None
    except yaml.YAMLError as error:
        raise ContentError([Problem(f"not valid YAML: {_clip(str(error), 200)}", path)]) from None
    finally:
        loader.dispose()


def _check_characters(text: str, path: Path) -> None:
    """Refuse invisible control characters anywhere, comments included, naming the line."""
    for match in _SUSPECT.finditer(text):
        if _is_invisible(match[0]):
            line = len(_LINE_END.findall(text, 0, match.start())) + 1
            raise ContentError([Problem(_invisible(match[0]), path, line)])


def _is_invisible(char: str) -> bool:
    return is_invisible(char)


def _invisible(char: str) -> str:
    return f"the invisible control character {_codepoint(char)} is not allowed; delete it"


def _codepoint(char: str | int) -> str:
    code = char if isinstance(char, int) else ord(char)
    return f"U+{code:04X}"


def _clip(text: str, limit: int = _SHOWN) -> str:
    """``text`` on one line and short enough to read in a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _yaml_message(error: yaml.MarkedYAMLError, text: str, line: int | None) -> str:
    problem = error.problem or "not valid YAML"
    lines = text.splitlines()
    if line is not None and 0 < line <= len(lines):
        source = lines[line - 1]
        if "\t" in source[: len(source) - len(source.lstrip())]:
            return "a tab character is used for indentation; indent with spaces"
    context = f"{error.context}, " if error.context else ""
    return f"not valid YAML: {context}{problem}"


class _Fail(Exception):
    def __init__(self, message: str, line: int) -> None:
        self.message, self.line = message, line


class _Builder:
    """Builds Python values from parser events without recursion."""

    def __init__(self, loader: Any, path: Path) -> None:
        self.loader = loader
        self.loaded = Loaded(path, None)

    def build(self) -> Loaded:
        try:
            self._document()
        except _Fail as fail:
            raise ContentError([Problem(fail.message, self.loaded.path, fail.line)]) from None
        return self.loaded

    def _document(self) -> None:
        loader = self.loader
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            raise _Fail("the file is empty", 1)
        loader.get_event()  # DocumentStart
        self.loaded.data = self._value(())
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.peek_event()
            raise _Fail("the file holds more than one YAML document (---)", _line(event))

    def _value(self, root: Key) -> Any:
        # Each open container is a frame: [path, container, pending key, the key's line].
        loader = self.loader
        stack: list[list[Any]] = []
        result: Any = None
        path = root
        while True:
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise _Fail(
                    f"the alias *{event.anchor} is not allowed; write the text out in full",
                    _line(event),
                )
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                done = stack.pop()[1]
                if not stack:
                    return done
                continue
            if stack and isinstance(stack[-1][1], dict) and stack[-1][2] is None:
                stack[-1][2] = self._key(event, stack[-1])
                stack[-1][3] = _line(event)
                continue
            path = self._child_path(stack, root)
            # A mapping value is reported at its key's line, where a reader looks for it.
            key_line = stack[-1][3] if stack and isinstance(stack[-1][1], dict) else None
            self.loaded.lines.setdefault(path, key_line or _line(event))
            if len(self.loaded.lines) > MAX_VALUES:
                message = (
                    f"holds more than {MAX_VALUES:,} values; split it or check it is the right file"
                )
                raise _Fail(message, _line(event))
            value: Any
            if isinstance(event, yaml.ScalarEvent):
                value = self._scalar(event)
            else:
                self._check_node(event, len(stack) + 1)
                value = {} if isinstance(event, yaml.MappingStartEvent) else []
            if stack:
                frame = stack[-1]
                if isinstance(frame[1], dict):
                    frame[1][frame[2]] = value
                    frame[2] = None
                else:
                    frame[1].append(value)
            else:
                result = value
            if isinstance(value, (dict, list)) and not isinstance(event, yaml.ScalarEvent):
                stack.append([path, value, None, None])
            elif not stack:
                return result

    def _child_path(self, stack: list[list[Any]], root: Key) -> Key:
        if not stack:
            return root
        frame_path, container, key, _ = stack[-1]
        if isinstance(container, dict):
            return (*frame_path, key)
        return (*frame_path, len(container))

    def _key(self, event: Any, frame: list[Any]) -> str:
        if not isinstance(event, yaml.ScalarEvent):
            raise _Fail("a key must be plain text, not a list or mapping", _line(event))
        if event.anchor is not None:
            raise _Fail(
                f"the anchor &{event.anchor} is not allowed; write the text out in full",
                _line(event),
            )
        if event.tag not in (None, "!", "tag:yaml.org,2002:str"):
            raise _Fail(f"the tag {_short(event.tag)} is not allowed; use plain YAML", _line(event))
        # A key is the text as written: YAML 1.1 would read `no:` as False and `~:` as None.
        key = str(event.value)
        if key == "<<" and not event.style:  # plain, not quoted
            raise _Fail(
                "merge keys (<<) are not allowed; write the fields out in full", _line(event)
            )
        self._check_text(key, event)
        if key in frame[1]:
            first = self.loaded.lines.get((*frame[0], key))
            where = f" (first on line {first})" if first else ""
            raise _Fail(f"duplicate key '{_clip(key)}'{where}; keep one of them", _line(event))
        return key

    def _check_node(self, event: Any, depth: int) -> None:
        if event.anchor is not None:
            raise _Fail(
                f"the anchor &{event.anchor} is not allowed; write the text out in full",
                _line(event),
            )
        if depth > MAX_DEPTH:
            raise _Fail(_TOO_DEEP, _line(event))
        tag = event.tag
        if tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
            raise _Fail(f"the tag {_short(tag)} is not allowed; use plain YAML", _line(event))

    def _scalar(self, event: Any) -> Any:
        if event.anchor is not None:
            raise _Fail(
                f"the anchor &{event.anchor} is not allowed; write the text out in full",
                _line(event),
            )
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag not in _PLAIN_TAGS:
            raise _Fail(f"the tag {_short(tag)} is not allowed; use plain YAML", _line(event))
        self._check_text(event.value, event)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError) as error:
            message = f"'{_clip(event.value)}' is not a valid value: {_clip(str(error), 200)}"
            raise _Fail(message, _line(event)) from None

    def _check_text(self, value: str, event: Any) -> None:
        # Escapes in quoted text ("\e", "\u202e") make characters the file itself does not hold.
        for match in _SUSPECT.finditer(value):
            if _is_invisible(match[0]):
                raise _Fail(_invisible(match[0]), _line(event))


def _line(event: Any) -> int:
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 0


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")
