"""Batch plan: each roster row checked, named and compared with an earlier run, in order.

The main process reads the roster in order, checks each row's values, names its files and
works out whether an earlier run already made them; worker processes (each loading the
config, library and templates once) make the documents and write them atomically; the main
process writes one manifest line per row as results come back, in row order.

The manifest (``manifest.jsonl`` in the output folder) only ever lists files that are
complete on disk with the hash it gives: a line is written after its row's files are. A
first Ctrl-C (or SIGTERM) stops handing out rows and lets the workers finish the ones they
have, so every file written is in the manifest; a second one stops at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procguide.batch.filenames import (
    NameBook,
    Pattern,
    build_name,
    safe_name,
)
from procguide.batch.roster import RawRow, Roster
from procguide.batch.rows import Fields, RowError, check
from procguide.batch.scheduled import Scheduled
from procguide.batch.setup import Setup, Task
from procguide.errors import ProcguideError, UnknownProcedureError
from procguide.render.formats import FILE_FORMATS, FORMATS

if TYPE_CHECKING:
    from procguide.batch.records import Earlier
    from procguide.config import Settings
    from procguide.content.library import Entry, Library


_NO_CODE = (
    "the code is in neither scheduling.codes in the config nor the library (by CPT code, id or "
    "alias); add it to scheduling.codes"
)


class Planner:
    """Checks, names and fingerprints rows in order, in the main process."""

    def __init__(
        self,
        setup: Setup,
        settings: Settings,
        library: Library,
        pattern: Pattern,
        previous: dict[int, Earlier],
    ) -> None:
        self.setup = setup
        self.library = library
        self.pattern = pattern
        self.previous = previous
        self.names = NameBook()
        self.recipe = recipe(setup, settings)
        self.scheduled = Scheduled(settings)
        self._found: dict[str, Entry | str] = {}
        self._translations: dict[tuple[str, str], tuple[str | None, str | None]] = {}

    def plan(self, raw: RawRow) -> Task:
        """The task for ``raw``: its checked values, or why it cannot be made."""
        raw = self.scheduled.adapt(raw)
        labels = tuple(raw.labels.items())
        if raw.skip is not None:
            return Task(raw.number, raw.line, "", skip=raw.skip, labels=labels)
        error = None
        fields = None
        try:
            fields = check(raw)
        except RowError as problem:
            error = str(problem)
        procedure = raw.values.get("procedure")
        entry = self._find(procedure) if isinstance(procedure, str) and procedure.strip() else None
        if error is None and isinstance(entry, str):
            error = entry
            if "procedure" in raw.labels:
                error = f"{raw.labels['procedure']}: {_NO_CODE}"
        translation_sha256 = None
        if (
            error is None
            and fields is not None
            and entry is not None
            and not isinstance(entry, str)
        ):
            translation_sha256, error = self._translation(entry, fields.lang or self.setup.lang)
        name = self.names.claim(self._name(raw, fields, entry))
        if error is not None or fields is None or entry is None or isinstance(entry, str):
            known = None if entry is None or isinstance(entry, str) else entry
            return Task(
                raw.number,
                raw.line,
                name,
                error=error or "cannot be read",
                procedure=known.procedure.id if known else None,
                procedure_sha256=known.sha256 if known else None,
                labels=labels,
            )
        # The translation's hash too: --resume remakes a row whose translation changed.
        fingerprint = json.dumps(
            [self.recipe, asdict(fields), entry.sha256, translation_sha256, name],
            sort_keys=True,
            ensure_ascii=False,
        )
        return Task(
            raw.number,
            raw.line,
            name,
            fields=fields,
            procedure=entry.procedure.id,
            procedure_sha256=entry.sha256,
            input_sha256=hashlib.sha256(fingerprint.encode()).hexdigest(),
            previous=self.previous.get(raw.number),
            labels=labels,
        )

    def untouched(
        self, last_row: int, earlier: dict[int, Earlier] | None = None
    ) -> Iterator[Earlier]:
        """Earlier records of rows after ``last_row`` whose files no row of this run wrote.

        ``earlier`` is the whole earlier manifest (default: the one ``--resume`` plans from).
        """
        records = self.previous if earlier is None else earlier
        for row in sorted(r for r in records if r > last_row):
            record = records[row]
            names = [Path(f["path"]).stem for f in record.get("files", [])]
            if not any(self.names.taken(n) for n in names):
                yield record

    def _translation(self, entry: Entry, lang: str) -> tuple[str | None, str | None]:
        """The SHA-256 of ``entry``'s checked translation into ``lang``, or why there is none.

        The hash is None for English, which is the content itself. Checked once per procedure
        and language.
        """
        key = (entry.procedure.id, lang)
        if key not in self._translations:
            from procguide.content.translation import languages, localize
            from procguide.i18n.languages import SOURCE, check_code

            result: tuple[str | None, str | None] = (None, None)
            try:
                code = check_code(lang)
                available = languages(entry, self.library.dirs)
                if code not in available:
                    result = (
                        None,
                        f"{entry.procedure.id} has no translation into '{code}' "
                        f"(available: {', '.join(available)})",
                    )
                elif code != SOURCE:
                    found = localize(entry, code, self.library.dirs)
                    result = (found.sha256 if found else None, None)
            except ProcguideError as problem:
                result = (None, "; ".join(problem.lines()))
            self._translations[key] = result
        return self._translations[key]

    def _find(self, name: str) -> Entry | str:
        key = name.strip().casefold()
        if key not in self._found:
            try:
                self._found[key] = self.library.find(name)
            except UnknownProcedureError as error:
                # Not quoted: a roster with its columns mixed up has a patient's name here.
                self._found[key] = f"the procedure is not in the library ({error.hint})"
            except ProcguideError as error:
                self._found[key] = "; ".join(error.lines())
        return self._found[key]

    def _name(self, raw: RawRow, fields: Fields | None, entry: Entry | str | None) -> str:
        output = raw.values.get("output")
        if isinstance(output, str) and output.strip():
            output = output.strip()
            known = [FORMATS[f].suffix for f in FILE_FORMATS]
            endings = [s for s in known if output.lower().endswith(s) and len(output) > len(s)]
            if endings:
                output = output[: -len(max(endings, key=len))]
            return safe_name(output, raw.number)
        values = {k: v for k, v in raw.values.items() if isinstance(v, str)}
        if entry is not None and not isinstance(entry, str):
            values["procedure"] = entry.procedure.id
        if fields is not None:
            values.update(date=fields.date, time=fields.time, patient=fields.patient)
        values.update(kind=self.setup.kind, row=str(raw.number))
        return build_name(self.pattern, values, raw.number)


def recipe(setup: Setup, settings: Settings) -> str:
    """A hash of everything besides the row that shapes its files: a change redoes every row."""
    from importlib.metadata import PackageNotFoundError, version

    from procguide import __version__
    from procguide.resources import builtin_dir

    engines = {}
    for package in ("typst", "fontpkg-atkinson-hyperlegible", "jinja2"):
        with contextlib.suppress(PackageNotFoundError):
            engines[package] = version(package)
    templates = hashlib.sha256()
    for folder in (builtin_dir("templates"), setup.templates_dir):
        if folder is not None and folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                templates.update(str(path.relative_to(folder)).encode() + b"\0")
                templates.update(hashlib.sha256(path.read_bytes()).digest())
    parts = {
        "procguide": __version__,
        "engines": engines,
        "formats": setup.formats,
        "kind": setup.kind,
        "lang": setup.lang,
        "paper": setup.paper,
        "large_print": setup.large_print,
        "settings": settings.model_dump(mode="json"),
        "templates": templates.hexdigest(),
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class Feeder:
    """Hands rows out in order, never more than a few ahead of the results.

    Pool.imap reads its input as fast as it can; this keeps the rows waiting in the queue
    to a bounded number, so memory stays flat, and stops handing out rows once asked.
    """

    def __init__(self, roster: Roster, planner: Planner, interrupts: Any) -> None:
        self.roster = roster
        self.planner = planner
        self.interrupts = interrupts
        self.last_row = 0
        self._slots: threading.Semaphore | None = None
        self._stopped = False

    def bound(self, window: int) -> None:
        """Allow only ``window`` rows in flight (for the worker pool)."""
        self._slots = threading.Semaphore(window)

    def stop(self) -> None:
        """Hand out no more rows."""
        self._stopped = True

    def __iter__(self) -> Iterator[Task]:
        for raw in self.roster.rows():
            while self._slots is not None and not self._slots.acquire(timeout=0.05):
                if self._halted():
                    return
            if self._halted():
                return
            task = self.planner.plan(raw)
            self.last_row = raw.number
            yield task

    def finished(self) -> None:
        """One result came back: another row may go out."""
        if self._slots is not None:
            self._slots.release()

    def _halted(self) -> bool:
        return self._stopped or bool(self.interrupts.requested)
