"""Shared content blocks: items written and reviewed once, included by many procedures.

A block is ``blocks/ID.yaml`` in a procedures folder. A procedure includes it inside one of
its lists with ``- include: ID``, and the block's items for that list take the include's
place, so the procedure decides where they go. The block's sources join the procedure's.

Blocks are looked for in the ``blocks`` folder of each procedures folder of the library, in
the library's order (the clinic's first), so a clinic's block replaces the built-in block of
the same id for every procedure, built-in ones included.

Expanding the includes of a procedure is include.py's work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.content.checks import check_items, close
from procguide.content.model import Block
from procguide.errors import ContentError, Problem
from procguide.resources import builtin_dir

if TYPE_CHECKING:
    from procguide.content.keys import Key
    from procguide.content.yamlsafe import Loaded

FOLDER = "blocks"
SUFFIX = ".yaml"
SECTIONS: tuple[Key, ...] = (
    ("preparation",),
    ("steps",),
    ("recovery",),
    ("restrictions",),
    ("follow_up",),
    ("get_help", "call_clinic"),
    ("get_help", "call_emergency"),
    ("escort",),
    ("teach_back",),
)
"""The lists a block can add items to."""
LISTS: tuple[Key, ...] = (
    *SECTIONS,
    ("indications",),
    ("personnel",),
    ("patient_experience",),
    ("risks", "common"),
    ("risks", "rare"),
    ("risks", "management"),
    ("benefits",),
    ("alternatives",),
    ("pros",),
    ("cons",),
)
"""Every list of a procedure: an include in one that blocks cannot fill is an error."""
WHERE = ", ".join(".".join(str(k) for k in section) for section in SECTIONS)


@dataclass(frozen=True)
class BlockFile:
    """A validated block, its file, and the file's parsed data (for its items' raw values)."""

    block: Block
    path: Path
    sha256: str
    loaded: Loaded = field(compare=False, repr=False)


@dataclass(frozen=True)
class Used:
    """A block a procedure includes: which file, and the SHA-256 of its bytes."""

    id: str
    path: Path
    sha256: str


class Missing(Exception):
    """Raised by a resolver when a block (or its translation) is not there to include."""


Resolve = Callable[[str], BlockFile]
"""The block to include for an id; raises Missing, or ContentError when it is invalid."""


def folders(path: Path, dirs: tuple[Path, ...]) -> tuple[Path, ...]:
    """The block folders for the procedure at ``path`` in a library of ``dirs``, first wins.

    A file outside the library's folders (checked on its own) looks beside itself first.
    """
    parent = path.parent.absolute()
    if all(folder.absolute() != parent for folder in dirs):
        dirs = (path.parent, *dirs)
    return library_folders(dirs)


def library_folders(dirs: tuple[Path, ...]) -> tuple[Path, ...]:
    """The block folders of a library of ``dirs``: each folder's, then the built-in one."""
    found: list[Path] = []
    for folder in (*dirs, builtin_dir("procedures")):
        candidate = folder / FOLDER
        if all(candidate.absolute() != f.absolute() for f in found):
            found.append(candidate)
    return tuple(found)


def find(block_id: str, where: tuple[Path, ...], lang: str | None = None) -> Path | None:
    """The file of ``block_id`` (in ``lang``, for a translation) in the first folder with one."""
    name = f"{block_id}.{lang}{SUFFIX}" if lang else f"{block_id}{SUFFIX}"
    for folder in where:
        if (folder / name).is_file():
            return folder / name
    return None


def ids_in(where: tuple[Path, ...]) -> list[str]:
    """The ids of the English blocks in ``where``, for "did you mean"."""
    found: set[str] = set()
    for folder in where:
        if folder.is_dir():
            found |= {p.stem for p in folder.glob(f"*{SUFFIX}") if "." not in p.stem}
    return sorted(found)


def block_files(where: tuple[Path, ...]) -> list[Path]:
    """The English block files in use in ``where``: the first folder's wins."""
    paths = [find(block_id, where) for block_id in ids_in(where)]
    return [path for path in paths if path is not None]


def translation_files(path: Path) -> list[Path]:
    """The translations (``ID.LANG.yaml``) beside the English block at ``path``."""
    return sorted(p for p in path.parent.glob(f"{path.stem}.*{SUFFIX}") if p.stem.count(".") == 1)


def content_hash(file_sha256: str, used: tuple[Used, ...]) -> str:
    """The content hash of a procedure: its file's SHA-256, folded with its blocks'.

    A file that includes no block keeps its own SHA-256, so its stamp is unchanged.
    """
    if not used:
        return file_sha256
    lines = ["procguide-content-1", file_sha256, *(f"{u.id} {u.sha256}" for u in used)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def current(used: list[tuple[str, str]], where: tuple[Path, ...], lang: str | None) -> bool:
    """Whether each ``(id, sha256)`` still names the bytes of the block found for that id."""
    for block_id, sha256 in used:
        path = find(block_id, where, lang)
        try:
            if path is None or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
                return False
        except OSError:
            return False
    return True


_loaded: dict[tuple[str, str], BlockFile] = {}


def load(path: Path) -> BlockFile:
    """Read, validate and cross-check the English block at ``path``."""
    from procguide.content.validation import validate
    from procguide.content.yamlsafe import parse, read_text

    raw, text = read_text(path)
    sha256 = hashlib.sha256(raw).hexdigest()
    key = (str(path.absolute()), sha256)
    if key in _loaded:
        return _loaded[key]
    loaded = parse(text, path)
    block = validate(Block, loaded)
    problems = check_block(block, loaded)
    if block.id != path.stem:
        line = loaded.line_of(("id",))
        message = f"'{block.id}' must match the file name '{path.stem}{SUFFIX}'"
        problems.insert(0, Problem(message, path, line, "id"))
    if problems:
        raise ContentError(problems)
    _loaded[key] = BlockFile(block, path, sha256, loaded)
    return _loaded[key]


def check_block(block: Block, loaded: Loaded) -> list[Problem]:
    """Every item cites a source of the block and uses only the flags the block declares."""
    problems: list[Problem] = []

    def problem(key: Key, message: str) -> None:
        field = ".".join(str(k) for k in key)
        problems.append(Problem(message, loaded.path, loaded.line_of(key), field))

    used = check_items(block.items(), [s.id for s in block.sources], block.flags, problem)
    for index, flag in enumerate(block.flags):
        if block.flags.index(flag) != index:
            problem(("flags", index), f"flag '{flag}' is listed twice")
        elif flag not in used:
            problem(("flags", index), f"flag '{flag}' is declared but no item uses it")
    if not block.items():
        problem(("id",), f"has no items: add them to one of {WHERE}")
    problems.sort(key=lambda p: p.line or 0)
    return problems


def english(where: tuple[Path, ...]) -> Resolve:
    """The resolver of English blocks in ``where``."""

    def resolve(block_id: str) -> BlockFile:
        path = find(block_id, where)
        if path is None:
            hint = close(block_id, ids_in(where)) or f"; blocks are {FOLDER}/ID{SUFFIX} files"
            raise Missing(f"unknown block '{block_id}'{hint}")
        return load(path)

    return resolve
