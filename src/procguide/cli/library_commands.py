"""The library commands: list, validate, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from procguide.errors import ContentError, Problem


def _library(procedures_dirs: list[Path], config: Path | None) -> object:
    from procguide.config import load_config, open_library

    settings = load_config(config).settings
    return open_library(settings, procedures_dirs)


def list_command(
    fmt: str, procedures_dirs: list[Path], config: Path | None, color: bool | None
) -> None:
    """Print the procedures: a table on a terminal, tab-separated lines in a pipe, or JSON."""
    from procguide.cli.console import stdout_console, stdout_is_terminal
    from procguide.content.library import Library
    from procguide.errors import UsageError
    from procguide.output import write_stdout

    if fmt not in ("table", "json"):
        raise UsageError(f"unknown format '{fmt}'", hint="use table or json")
    library = _library(procedures_dirs, config)
    assert isinstance(library, Library)
    entries, problems = library.scan()
    from procguide.content.translation import languages

    rows: list[dict[str, Any]] = [
        {
            "id": e.procedure.id,
            "name": e.procedure.name,
            "aliases": list(e.procedure.aliases),
            "cpt": list(e.procedure.codes.cpt),
            "reviewed": e.procedure.review.reviewed.isoformat(),
            "path": str(e.path),
            "content": e.short_hash,
            # Translation files found; `validate` says whether each is up to date.
            "languages": languages(e, library.dirs),
        }
        for e in entries
    ]
    if fmt == "json":
        # A folder name that is not UTF-8 is shown as \udcff escapes: JSON must be UTF-8.
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        write_stdout(text.encode("utf-8", "backslashreplace"))
    elif stdout_is_terminal() or color:
        from rich.table import Table

        # The id is what a clinician types: never cut or wrapped. Aliases are only more ids
        # (`show` lists them): on a screen too narrow for them they are left out.
        console = stdout_console(color)
        wide = console.width >= 120
        table = Table(box=None, header_style="bold")
        table.add_column("id", no_wrap=True)
        table.add_column("name", min_width=16)
        if wide:
            table.add_column("aliases", overflow="fold")
        table.add_column("CPT", min_width=5)
        table.add_column("reviewed", no_wrap=True)
        table.add_column("lang", no_wrap=True)
        for row in rows:
            cells = _cells(row, ", ")
            table.add_row(*(cells if wide else cells[:2] + cells[3:]))
        console.print(table)
    else:
        # A header and every column, so a script can read it by name with cut or awk.
        lines = ["\t".join(LIST_COLUMNS), *("\t".join(_cells(row, ",")) for row in rows)]
        write_stdout(("\n".join(lines) + "\n").encode("utf-8", "backslashreplace"))
    if problems:
        raise ContentError(problems)


LIST_COLUMNS = ("id", "name", "aliases", "cpt", "reviewed", "languages")


def _cells(row: dict[str, Any], sep: str) -> list[str]:
    return [
        row["id"],
        row["name"],
        sep.join(row["aliases"]),
        sep.join(row["cpt"]),
        row["reviewed"],
        sep.join(row["languages"]),
    ]


def validate_command(paths: list[Path], procedures_dirs: list[Path], config: Path | None) -> None:
    """Validate files and folders (default: the library); raise listing every problem.

    Translations (``ID.LANG.yaml``) are checked against their English file: same items,
    times, flags and sources, and a ``translates.sha256`` that matches the English file.
    """
    from procguide.cli.console import stdout_console
    from procguide.content.block_translation import check_files
    from procguide.content.library import Library, scan_files
    from procguide.content.translation import check_folder_translations

    library = _library(procedures_dirs, config)
    assert isinstance(library, Library)
    files, translations, block_paths, problems = _to_validate(paths, library)
    # Blocks first: a broken block is reported at its own lines before the includes of it.
    checked_blocks, found = check_files(block_paths)
    problems.extend(found)
    entries, found = scan_files(files, library.dirs, use_cache=False)
    problems.extend(p for p in found if p not in problems)
    checked, found = check_folder_translations(entries, library.dirs, translations)
    problems.extend(p for p in found if p not in problems)
    if problems:
        raise ContentError(problems)
    stdout_console().print(f"{_counted(entries, checked, checked_blocks)} valid", markup=False)


def _to_validate(
    paths: list[Path], library: Any
) -> tuple[list[Path], list[Path], list[Path], list[Problem]]:
    """The procedure files, translations and blocks to check, and paths that do not exist."""
    from procguide.content import blocks
    from procguide.content.library import is_procedure_file
    from procguide.content.translation import files_in, library_files, split_name

    if not paths:
        return (
            list(library.paths.values()),
            library_files(library.dirs),
            blocks.block_files(blocks.library_folders(library.dirs)),
            [],
        )
    files: list[Path] = []
    translations: list[Path] = []
    block_paths: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if is_procedure_file(p))
            translations.extend(files_in(path))
            block_paths.extend(blocks.block_files((path / blocks.FOLDER,)))
        elif path.exists() and path.parent.name == blocks.FOLDER:
            block_paths.append(path)
        elif path.exists() and split_name(path) is not None:
            translations.append(path)
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem("no such file or folder", path))
    return files, translations, block_paths, problems


def _counted(entries: list[Any], checked: list[Any], checked_blocks: list[Any]) -> str:
    """``8 procedures, 4 translations and 5 blocks``.

    A block's translation counts with the translations, not with the blocks.
    """
    from procguide.content.block_translation import TranslatedBlock

    translated = len(checked) + sum(isinstance(b.block, TranslatedBlock) for b in checked_blocks)
    english = len(checked_blocks) + len(checked) - translated
    counts = []
    if entries or not (translated or english):
        counts.append(f"{len(entries)} procedure{'' if len(entries) == 1 else 's'}")
    if translated:
        counts.append(f"{translated} translation{'' if translated == 1 else 's'}")
    if english:
        counts.append(f"{english} block{'' if english == 1 else 's'}")
    return ", ".join(counts[:-1]) + " and " + counts[-1] if len(counts) > 1 else counts[0]


def schema_command(what: str = "procedure") -> None:
    """Print the JSON Schema of a procedure file, or of a teaching record's line."""
    from procguide.errors import UsageError
    from procguide.output import write_stdout

    if what == "record":
        from procguide.record.line import schema as record_schema

        schema = record_schema()
    elif what == "procedure":
        from procguide.content.model import Procedure

        schema = Procedure.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = "procguide procedure"
    else:
        raise UsageError(f"there is no schema of '{what}'", hint="use procedure or record")
    write_stdout((json.dumps(schema, indent=2) + "\n").encode())
