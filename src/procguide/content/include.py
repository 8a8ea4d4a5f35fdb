"""Expanding includes: ``- include: BLOCK-ID`` in a procedure's list becomes the block's items.

Includes are expanded in the parsed YAML, before validation, so the procedure model, the
cross-checks, lint and the renderers only ever see whole procedures. Each item that came
from a block is placed, for messages, at the line of its include.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procguide.content.blocks import LISTS, SECTIONS, WHERE, BlockFile, Missing, Resolve, Used
from procguide.content.keys import Key
from procguide.content.model import Source
from procguide.content.yamlsafe import Loaded
from procguide.errors import ContentError, Problem

INCLUDE = "include"


@dataclass(frozen=True)
class Included:
    """Where an include was: its list, the position of its first item, the block, the line."""

    section: Key
    start: int
    block_id: str
    line: int | None


@dataclass(frozen=True)
class Expanded:
    """A procedure file with its includes replaced by the blocks' items."""

    loaded: Loaded
    used: tuple[Used, ...] = ()
    includes: tuple[Included, ...] = ()
    from_blocks: frozenset[Key] = frozenset()


def expand(loaded: Loaded, resolve: Resolve) -> Expanded:
    """``loaded`` with every include expanded; raises ContentError listing every problem."""
    data = loaded.data
    if not isinstance(data, dict) or not any(_includes(data, s) for s in LISTS):
        return Expanded(loaded)
    work = _Expansion(loaded, resolve)
    for section in LISTS:
        work.section(section)
    work.merge_sources()
    if work.problems:
        raise ContentError(sorted(work.problems, key=lambda p: p.line or 0))
    return work.result()


def _get(data: Any, section: Key) -> Any:
    for part in section:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _includes(data: dict[str, Any], section: Key) -> bool:
    found = _get(data, section)
    return isinstance(found, list) and any(_is_include(e) for e in found)


def _is_include(element: Any) -> bool:
    return isinstance(element, dict) and INCLUDE in element


class _Expansion:
    """The state of one expansion: the new data, where each value's line is, what was used."""

    def __init__(self, loaded: Loaded, resolve: Resolve) -> None:
        self.loaded, self.resolve = loaded, resolve
        self.data: dict[str, Any] = dict(loaded.data)
        if isinstance(self.data.get("get_help"), dict):
            self.data["get_help"] = dict(self.data["get_help"])
        if isinstance(self.data.get("risks"), dict):
            self.data["risks"] = dict(self.data["risks"])
        flags = self.data.get("flags")
        self.declared = set(flags) if isinstance(flags, dict) else set()
        self.problems: list[Problem] = []
        self.moved: dict[Key, dict[int, int]] = {}
        self.block_items: dict[Key, int | None] = {}
        self.used: dict[str, BlockFile] = {}
        self.includes: list[Included] = []
        self.cited: dict[str, set[str]] = {}
        """The sources each block's included items cite: only those join the procedure's."""

    def problem(self, key: Key, message: str) -> None:
        field = ".".join(str(k) for k in key)
        self.problems.append(Problem(message, self.loaded.path, self.loaded.line_of(key), field))

    def section(self, section: Key) -> None:
        elements = _get(self.data, section)
        if not isinstance(elements, list) or not any(_is_include(e) for e in elements):
            return
        out: list[Any] = []
        moved: dict[int, int] = {}
        for index, element in enumerate(elements):
            if not _is_include(element):
                moved[index] = len(out)
                out.append(element)
                continue
            block = self._block(section, index, element)
            if block is None:
                continue
            line = self.loaded.line_of((*section, index))
            self.includes.append(Included(section, len(out), block.block.id, line))
            for item in _get(block.loaded.data, section):
                self.block_items[(*section, len(out))] = line
                self.cited.setdefault(block.block.id, set()).update(_cites(item))
                out.append(item)
        self.moved[section] = moved
        parent: Any = _get(self.data, section[:-1]) if len(section) > 1 else self.data
        parent[section[-1]] = out

    def _block(self, section: Key, index: int, element: dict[str, Any]) -> BlockFile | None:
        key = (*section, index)
        block_id = element[INCLUDE]
        if set(element) != {INCLUDE}:
            self.problem(key, "an include holds only `include: BLOCK-ID`; move the other fields")
            return None
        if not isinstance(block_id, str):
            self.problem((*key, INCLUDE), "name the block to include by its id, as text")
            return None
        if section not in SECTIONS:
            self.problem(key, f"blocks can be included only in {WHERE}")
            return None
        if any(i.block_id == block_id and i.section == section for i in self.includes):
            self.problem(key, f"the block '{block_id}' is already included in this list")
            return None
        try:
            found = self.resolve(block_id)
        except Missing as missing:
            self.problem(key, str(missing))
            return None
        except ContentError as error:
            self.problems.extend(error.problems)
            return None
        return self._fits(key, section, found)

    def _fits(self, key: Key, section: Key, found: BlockFile) -> BlockFile | None:
        block = found.block
        name = ".".join(str(k) for k in section)
        if not _get(block.model_dump(by_alias=True), section):
            self.problem(key, f"the block '{block.id}' has no items for {name}; add some to it")
            return None
        missing = [flag for flag in block.flags if flag not in self.declared]
        for flag in missing:
            self.problem(
                key,
                f"the block '{block.id}' uses the flag '{flag}', which this procedure does "
                "not declare; add it to `flags`",
            )
        if missing:
            return None
        self.used.setdefault(block.id, found)
        return found

    def merge_sources(self) -> None:
        """Add the sources the included items cite to the procedure's.

        The same id must mean the same source. A block that fills several lists (a restriction,
        escort items, a question) brings only the sources of the lists a procedure includes it
        in.
        """
        sources = self.data.get("sources")
        if not isinstance(sources, list):
            return
        merged = list(sources)
        known: dict[str, tuple[Source | None, str]] = {}
        for raw in sources:
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                known.setdefault(raw["id"], (_source(raw), ""))
        for found in self.used.values():
            cited = self.cited.get(found.block.id, set())
            for index, source in enumerate(found.block.sources):
                if source.id not in cited:
                    continue
                where = f"{found.path}:{found.loaded.line_of(('sources', index))}"
                if source.id not in known:
                    known[source.id] = (source, where)
                    merged.append(found.loaded.data["sources"][index])
                elif known[source.id][0] not in (None, source):
                    self._differs(sources, source.id, where, known[source.id][1])
        self.data["sources"] = merged

    def _differs(self, sources: list[Any], source_id: str, where: str, first: str) -> None:
        index = next(
            (i for i, s in enumerate(sources) if isinstance(s, dict) and s.get("id") == source_id),
            None,
        )
        fix = "make them the same, or give one of them another id"
        if index is None:
            message = f"source '{source_id}' in {where} differs from the one in {first}; {fix}"
            self.problem(("sources",), message)
        else:
            message = f"source '{source_id}' differs from the source with this id in {where}; {fix}"
            self.problem(("sources", index), message)

    def result(self) -> Expanded:
        lines: dict[Key, int] = {}
        for key, line in self.loaded.lines.items():
            moved = self._moved(key)
            if moved is not None:
                lines.setdefault(moved, line)
        for key, include_line in self.block_items.items():
            if include_line is not None:
                lines[key] = include_line
        used = tuple(Used(b.block.id, b.path, b.sha256) for b in self.used.values())
        loaded = Loaded(self.loaded.path, self.data, lines)
        return Expanded(loaded, used, tuple(self.includes), frozenset(self.block_items))

    def _moved(self, key: Key) -> Key | None:
        for section, moved in self.moved.items():
            size = len(section)
            index = key[size] if key[:size] == section and len(key) > size else None
            if isinstance(index, int):
                position = moved.get(index)
                return None if position is None else (*section, position, *key[size + 1 :])
        return key


def _cites(item: Any) -> set[str]:
    """The source ids an item (and a question's points) cites, as written in the block."""
    if not isinstance(item, dict):
        return set()
    found = {s for s in item.get("sources") or () if isinstance(s, str)}
    for point in item.get("points") or ():
        found |= _cites(point)
    return found


def _source(raw: dict[str, Any]) -> Source | None:
    from pydantic import ValidationError

    try:
        return Source.model_validate(raw)
    except ValidationError:
        return None  # validating the procedure reports it
