"""Checks of a procedure's diary that span its fields, and of a translation's diary.

A diary's times are timed content like any other: each one parses (the model does that),
comes after the one before it, falls within the diary's window, and records columns the
diary has. A translation carries the same times, columns and sources as its English file;
only the words change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procguide.content.checks import Report, close, show

if TYPE_CHECKING:
    from procguide.content.model import Diary, Procedure


def check_diary(procedure: Procedure, problem: Report) -> None:
    """Report every diary time out of order or outside the window, and every unknown id."""
    diary = procedure.diary
    if diary is None:
        return
    source_ids = [s.id for s in procedure.sources]
    columns = [c.id for c in diary.columns]
    for index, column_id in enumerate(columns):
        if columns.index(column_id) != index:
            problem(("diary", "columns", index, "id"), f"column id '{column_id}' is used twice")
    scores = [c.id for c in diary.columns if c.answer == "score"]
    for index, column_id in enumerate(diary.baseline.record):
        if column_id not in scores:
            hint = close(column_id, scores)
            problem(
                ("diary", "baseline", "record", index),
                f"'{column_id}' is not a score column of the diary{hint}; the usual pain is a "
                "score that later scores are compared with",
            )
    previous = None
    for index, point in enumerate(diary.points):
        key = ("diary", "points", index)
        if point.after.minutes == 0:
            problem((*key, "after"), "is the procedure's start: give a time after it")
        elif previous is not None and point.after.minutes <= previous.minutes:
            problem(
                (*key, "after"),
                f"{point.after} does not come after the time before it ({previous}): "
                "list the times in order, each once",
            )
        if point.after.minutes > diary.window.minutes:
            problem(
                (*key, "after"),
                f"{point.after} is after the diary's window ({diary.window}): "
                "lengthen the window or drop the time",
            )
        previous = point.after
        for position, column_id in enumerate(point.record):
            if column_id not in columns:
                hint = close(column_id, columns)
                problem((*key, "record", position), f"unknown column '{column_id}'{hint}")
        for position, cited in enumerate(point.sources):
            if cited not in source_ids:
                hint = close(cited, source_ids)
                problem((*key, "sources", position), f"cites unknown source '{cited}'{hint}")


def compare_diary(translated: Procedure, english: Procedure, problem: Report) -> None:
    """Report each way the translation's diary differs from the English one but its words.

    The diary's items (instructions, columns, the usual pain, the activity, bringing it
    back) are compared with every other item; this compares what is not an item.
    """
    mine, theirs = translated.diary, english.diary
    if theirs is None or mine is None:
        if (mine is None) != (theirs is None):
            has = "has no diary" if theirs is None else "has a diary"
            problem(
                ("diary",), f"{'extra' if theirs is None else 'missing'}: the English file {has}"
            )
        return
    if mine.window != theirs.window:
        problem(
            ("diary", "window"),
            f"changed timing: {mine.window}, the English file has {theirs.window}",
        )
    _compare_columns(mine, theirs, problem)
    if mine.baseline.record != theirs.baseline.record:
        problem(
            ("diary", "baseline", "record"),
            f"changed: records {show(mine.baseline.record)}, the English file "
            f"{show(theirs.baseline.record)}",
        )
    if len(mine.points) != len(theirs.points):
        problem(
            ("diary", "points"),
            f"changed: {len(mine.points)} times, the English file has {len(theirs.points)}",
        )
    for index, (point, other) in enumerate(zip(mine.points, theirs.points, strict=False)):
        key = ("diary", "points", index)
        if point.after != other.after:
            problem(
                (*key, "after"),
                f"changed timing: {point.after}, the English file has {other.after}",
            )
        if point.record != other.record:
            problem(
                (*key, "record"),
                f"changed: records {show(point.record)}, the English file {show(other.record)}",
            )
        if point.sources != other.sources:
            problem(
                (*key, "sources"),
                f"changed sources: cites {show(point.sources)}, the English file cites "
                f"{show(other.sources)}",
            )


def _compare_columns(mine: Diary, theirs: Diary, problem: Report) -> None:
    for index, (column, other) in enumerate(zip(mine.columns, theirs.columns, strict=False)):
        key = ("diary", "columns", index)
        if column.id != other.id:
            problem((*key, "id"), f"changed: '{column.id}', the English file has '{other.id}'")
        if column.answer != other.answer:
            problem(
                (*key, "answer"),
                f"changed: '{column.answer}', the English file has '{other.answer}'",
            )
