"""The procedure library: finding, loading and cross-checking procedure files.

A library is an ordered list of folders: the clinic's own first, then the built-in one. A
procedure in an earlier folder replaces a built-in one with the same id.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from procguide.errors import ContentError, Problem, UnknownProcedureError
from procguide.resources import builtin_dir

if TYPE_CHECKING:
    from procguide.model import Procedure
    from procguide.yamlsafe import Loaded

SUFFIX = ".yaml"


@dataclass(frozen=True)
class Entry:
    """A validated procedure and where it came from."""

    procedure: Procedure
    path: Path
    sha256: str

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of the file's SHA-256, printed on every handout."""
        return self.sha256[:12]


def is_procedure_file(path: Path) -> bool:
    """``blood-patch.yaml`` is a procedure; ``blood-patch.es.yaml`` is a translation of one."""
    return path.suffix == SUFFIX and "." not in path.stem and not path.name.startswith(".")


def load_entry(path: Path) -> Entry:
    """Read, parse and validate one procedure file, reporting every problem at once."""
    from procguide.yamlsafe import load_file

    raw, loaded = load_file(path)
    procedure = _validate(loaded)
    return Entry(procedure, path, hashlib.sha256(raw).hexdigest())


def _validate(loaded: Loaded) -> Procedure:
    from procguide.model import Procedure
    from procguide.validation import validate

    procedure = validate(Procedure, loaded)
    problems = cross_check(procedure, loaded)
    if problems:
        raise ContentError(problems)
    return procedure


def cross_check(procedure: Procedure, loaded: Loaded) -> list[Problem]:
    """Checks that span fields: ids match, every citation and flag exists, windows make sense."""
    from procguide.model import RecoveryItem

    path = loaded.path
    problems: list[Problem] = []

    def problem(key: tuple[str | int, ...], message: str) -> None:
        field = ".".join(str(k) for k in key)
        problems.append(Problem(message, path, loaded.line_of(key), field))

    if procedure.id != path.stem:
        problem(("id",), f"'{procedure.id}' must match the file name '{path.stem}{SUFFIX}'")
    source_ids = [s.id for s in procedure.sources]
    for index, source_id in enumerate(source_ids):
        if source_ids.index(source_id) != index:
            problem(("sources", index, "id"), f"source id '{source_id}' is used twice")
    used_flags: set[str] = set()
    for dotted, item in procedure.items():
        key = _key(dotted)
        for index, cited in enumerate(item.sources):
            if cited not in source_ids:
                hint = _close(cited, source_ids)
                problem((*key, "sources", index), f"cites unknown source '{cited}'{hint}")
        for name in ("when", "unless"):
            for index, flag in enumerate(getattr(item, name)):
                used_flags.add(flag)
                if flag not in procedure.flags:
                    hint = _close(flag, list(procedure.flags))
                    problem((*key, name, index), f"uses undeclared flag '{flag}'{hint}")
        if set(item.when) & set(item.unless):
            problem(key, "a flag is in both `when` and `unless`, so the item never shows")
        if isinstance(item, RecoveryItem) and item.end is not None and item.end <= item.start:
            problem((*key, "to"), f"the window ends ({item.end}) before it starts ({item.start})")
    for flag in procedure.flags:
        if flag not in used_flags:
            problem(("flags", flag), f"flag '{flag}' is declared but no item uses it")
    return problems


def _key(dotted: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in dotted.split("."))


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
        return scan_files(list(self.paths.values()))

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
            return load_entry(path)
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


def scan_files(paths: list[Path]) -> tuple[list[Entry], list[Problem]]:
    """Load ``paths``; return the valid entries and the problems of all the others."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            entries.append(load_entry(path))
        except ContentError as error:
            problems.extend(error.problems)
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
