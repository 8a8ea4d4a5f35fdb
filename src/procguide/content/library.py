"""The procedure library: finding, loading and cross-checking procedure files.

A library is an ordered list of folders: the clinic's own first, then the built-in one. A
procedure in an earlier folder replaces a built-in one with the same id.

Two shortcuts keep single commands fast (see cache.py): a file whose exact bytes this same
code validated before is taken from the cache as the validated procedure (stored.py says
why that is safe), cross-checked again, without parsing the YAML; and an index of the
aliases and codes in each file (by its size and modification time) lets a lookup by alias
read one file instead of all of them.
"""

from __future__ import annotations

import difflib
import hashlib
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from procguide.content.keys import dotted
from procguide.errors import ContentError, Problem, UnknownProcedureError
from procguide.resources import builtin_dir

if TYPE_CHECKING:
    from procguide.content.blocks import Used
    from procguide.content.model import Procedure
    from procguide.content.yamlsafe import Loaded

SUFFIX = ".yaml"
# Larger files are refused by the loader (yamlsafe.MAX_BYTES), so they are never in the cache.
_CACHE_LIMIT = 1_000_000


@dataclass(frozen=True)
class Entry:
    """A validated procedure and where it came from."""

    procedure: Procedure
    path: Path
    sha256: str
    """The content hash: the file's SHA-256, folded with those of the blocks it includes."""
    file_sha256: str = ""
    """The SHA-256 of the file alone, which its translations record."""
    blocks: tuple[Used, ...] = ()
    """The blocks the file includes, in the order it first includes them."""
    block_folders: tuple[Path, ...] = ()
    """Where its blocks were looked for, first wins (translations look there too)."""

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of the content hash, printed on every handout."""
        return self.sha256[:12]


def is_procedure_file(path: Path) -> bool:
    """``blood-patch.yaml`` is a procedure; ``blood-patch.es.yaml`` is a translation of one.

    Only a regular file is one: a named pipe called ``x.yaml`` in a folder would block the
    first read for ever, and a folder scan must never hang.
    """
    if path.suffix != SUFFIX or "." in path.stem or path.name.startswith("."):
        return False
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def load_entry(path: Path, dirs: tuple[Path, ...] = (), *, use_cache: bool = True) -> Entry:
    """Read, parse and validate one procedure file, reporting every problem at once.

    ``dirs`` are the library's procedures folders: their ``blocks`` folders, then the
    built-in one, are where the blocks the file includes are found. ``use_cache=False``
    reads the file itself whatever the cache holds: validate and lint, the gates content
    must pass, never take the cache's word for a file.
    """
    from procguide.content import blocks

    where = blocks.folders(path, dirs)
    entry = _cached_entry(path, where) if use_cache else None
    if entry is not None:
        return entry
    from procguide.content import include
    from procguide.content.yamlsafe import load_file

    raw, loaded = load_file(path)
    expanded = include.expand(loaded, blocks.english(where))
    procedure = _validate(expanded.loaded)
    file_sha256 = hashlib.sha256(raw).hexdigest()
    sha256 = blocks.content_hash(file_sha256, expanded.used)
    entry = Entry(procedure, path, sha256, file_sha256, expanded.used, where)
    _remember(entry)
    return entry


def _cached_entry(path: Path, where: tuple[Path, ...]) -> Entry | None:
    """The entry of ``path`` from the cache, cross-checked again; None to load it in full."""
    from procguide import cache

    code = cache.code_version(cache.CONTENT_CODE)
    if code is None:
        return None
    try:
        # Read no more than the loader would: a device such as /dev/zero has no end.
        with path.open("rb") as stream:
            raw = stream.read(_CACHE_LIMIT + 1)
    except OSError:
        return None  # the loader reports it
    if len(raw) > _CACHE_LIMIT:
        return None
    file_sha256 = hashlib.sha256(raw).hexdigest()
    from procguide.content.stored import stored

    kept = stored(file_sha256)
    # The same bytes under another file name are another check (the id must match it).
    if kept is None or kept.get("code") != code or kept.get("file") != path.stem:
        return None
    used = _stored_blocks(kept.get("blocks"), where)
    from procguide.content.blocks import content_hash
    from procguide.content.model import Procedure

    procedure = kept.get("procedure")
    if used is None or not isinstance(procedure, Procedure):
        return None
    if cross_check(procedure, _Unplaced(path)):
        return None
    return Entry(procedure, path, content_hash(file_sha256, used), file_sha256, used, where)


def _stored_blocks(stored: Any, where: tuple[Path, ...]) -> tuple[Used, ...] | None:
    """The blocks a cached procedure was expanded with, if each is still the block in use.

    The cached procedure holds the blocks' items, so it is only good while every block id it
    includes still finds a file with the same bytes: an edited block, or a clinic's block
    that now replaces the built-in one, means loading the file again.
    """
    from procguide.content.blocks import Used, current, find

    if not isinstance(stored, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
        for pair in stored
    ):
        return None
    pairs = [(block_id, sha256) for block_id, sha256 in stored]
    if not current(pairs, where, None):
        return None
    found = [(block_id, find(block_id, where), sha256) for block_id, sha256 in pairs]
    return tuple(Used(b, path, sha) for b, path, sha in found if path is not None)


def _remember(entry: Entry) -> None:
    from procguide import cache
    from procguide.content.stored import store

    code = cache.code_version(cache.CONTENT_CODE)
    if code is not None:
        store(code, entry.path.stem, entry.blocks, entry.procedure, entry.file_sha256)


class _Located(Protocol):
    """Where values are in a file: ``Loaded``, or a file read from the cache."""

    @property
    def path(self) -> Path: ...

    def line_of(self, key: tuple[str | int, ...]) -> int | None: ...


@dataclass(frozen=True)
class _Unplaced:
    """A file whose data came from the cache, so without line numbers."""

    path: Path

    def line_of(self, key: tuple[str | int, ...]) -> int | None:
        return None


def _validate(loaded: Loaded) -> Procedure:
    from procguide.content.model import Procedure
    from procguide.content.validation import validate

    procedure = validate(Procedure, loaded)
    problems = cross_check(procedure, loaded)
    if problems:
        raise ContentError(problems)
    return procedure


def cross_check(procedure: Procedure, loaded: _Located) -> list[Problem]:
    """Checks that span fields: ids match, every citation and flag exists, windows make sense."""
    from procguide.content.checks import check_items

    path = loaded.path
    problems: list[Problem] = []

    def problem(key: tuple[str | int, ...], message: str) -> None:
        field = dotted(key)
        problems.append(Problem(message, path, loaded.line_of(key), field))

    if procedure.id != path.stem:
        problem(("id",), f"'{procedure.id}' must match the file name '{path.stem}{SUFFIX}'")
    source_ids = [s.id for s in procedure.sources]
    used_flags = check_items(procedure.items(), source_ids, procedure.flags, problem)
    for index, flag in enumerate(procedure.default_flags):
        if flag not in procedure.flags:
            hint = _close(flag, list(procedure.flags))
            problem(("default_flags", index), f"turns on undeclared flag '{flag}'{hint}")
    for flag in procedure.flags:
        if flag not in used_flags:
            problem(("flags", flag), f"flag '{flag}' is declared but no item uses it")
    from procguide.content.diary import check_diary

    check_diary(procedure, problem)
    return problems


def _close(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class Library:
    """The procedures a command can use, found in the clinic's folders and the built-in one."""

    def __init__(self, extra_dirs: tuple[Path, ...] = ()) -> None:
        for folder in extra_dirs:
            if not folder.is_dir():
                raise ContentError([Problem("procedures folder not found", folder)])
        self.dirs = (*extra_dirs, builtin_dir("procedures"))

    @cached_property
    def paths(self) -> dict[str, Path]:
        """Procedure id (the file name) to file, earlier folders winning."""
        found: dict[str, Path] = {}
        for folder in self.dirs:
            for path in sorted(folder.iterdir()):
                if is_procedure_file(path):
                    found.setdefault(path.stem, path)
        return found

    def scan(self) -> tuple[list[Entry], list[Problem]]:
        """Every valid procedure, and every problem found in the others."""
        return scan_files(list(self.paths.values()), self.dirs)

    def load_all(self) -> list[Entry]:
        """Every procedure, validated; raises one ContentError listing all problems."""
        entries, problems = self.scan()
        if problems:
            raise ContentError(problems)
        return entries

    def find(self, name: str) -> Entry:
        """The procedure whose id, alias or CPT code is ``name`` (any case)."""
        wanted = name.strip().casefold()
        path = self.paths.get(wanted)
        if path is not None:
            return load_entry(path, self.dirs)
        found = self._find_indexed(wanted)
        if found is not None:
            return found
        # Aliases and codes live inside the files, so every file has to be read. A broken
        # file elsewhere in the library must not block a procedure that is fine.
        entries, problems = self.scan()
        for entry in entries:
            procedure = entry.procedure
            if wanted in procedure.aliases or wanted in procedure.codes.cpt:
                return entry
        if problems:
            raise ContentError(problems)
        names = [e.procedure.id for e in entries] + [
            a for e in entries for a in e.procedure.aliases
        ]
        close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "run `procguide list` to see them"
        raise UnknownProcedureError(f"no procedure is called '{name}'", hint=hint)

    def _find_indexed(self, wanted: str) -> Entry | None:
        """The first file whose aliases or codes hold ``wanted``, found with the name index.

        Only files whose size, modification time or i-node changed are read again. The
        index only points: the file it names is loaded and validated and must still hold
        ``wanted``, and when the index finds nothing the full scan decides (and words the
        errors).
        """
        from procguide import cache

        code = cache.code_version(cache.CONTENT_CODE)
        if code is None:
            return None
        folders = "\0".join(str(folder.absolute()) for folder in self.dirs)
        name = f"names/{hashlib.sha256(folders.encode()).hexdigest()[:32]}.json"
        stored = cache.read_json(name)
        known: dict[str, Any] = {}
        if isinstance(stored, dict) and stored.get("code") == code:
            files_known = stored.get("files")
            known = files_known if isinstance(files_known, dict) else {}
        files: dict[str, Any] = {}
        loaded: dict[Path, Entry] = {}
        candidate = None
        for path in self.paths.values():
            key = str(path.absolute())
            try:
                status = path.stat()
            except OSError:
                continue
            mark = [status.st_size, status.st_mtime_ns, status.st_ino]
            record = known.get(key)
            if not isinstance(record, dict) or record.get("stat") != mark:
                try:
                    entry = loaded[path] = load_entry(path, self.dirs)
                    names: list[str] | None = [*entry.procedure.aliases, *entry.procedure.codes.cpt]
                except ContentError:
                    names = None
                record = {"stat": mark, "names": names}
            files[key] = record
            if candidate is None and wanted in (record.get("names") or ()):
                candidate = path
        if files != known:
            cache.write_json(name, {"code": code, "files": files})
        if candidate is None:
            return None
        try:
            entry = loaded.get(candidate) or load_entry(candidate, self.dirs)
        except ContentError:
            return None
        procedure = entry.procedure
        return entry if wanted in procedure.aliases or wanted in procedure.codes.cpt else None


def scan_files(
    paths: list[Path], dirs: tuple[Path, ...] = (), *, use_cache: bool = True
) -> tuple[list[Entry], list[Problem]]:
    """Load ``paths``; return the valid entries and the problems of all the others.

    ``dirs`` are the library's folders, whose blocks the files include.
    """
    entries: list[Entry] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            entries.append(load_entry(path, dirs, use_cache=use_cache))
        except ContentError as error:
            # A broken block is reported once, not once for each procedure that includes it.
            problems.extend(p for p in error.problems if p not in problems)
    problems.extend(_clashes(entries))
    return entries, problems


def _clashes(entries: list[Entry]) -> list[Problem]:
    owner: dict[str, Entry] = {}
    problems: list[Problem] = []
    for entry in entries:
        procedure = entry.procedure
        for name in (procedure.id, *procedure.aliases, *procedure.codes.cpt):
            other = owner.setdefault(name, entry)
            if other is not entry and name != procedure.id:
                message = f"'{name}' already names {other.procedure.id} ({other.path})"
                problems.append(Problem(message, entry.path, None, "aliases"))
    return problems
