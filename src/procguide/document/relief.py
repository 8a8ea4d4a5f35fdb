"""Percentage pain relief, worked out from scores: never asked of the patient.

A diagnostic block or a stimulator trial is judged on how much the pain eased. People asked
for a percentage often give a number that differs from the one their own scores give, so
the diary asks for scores (0 to 10) and this works the percentage out: the usual pain before
the procedure against the pain at a later time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procguide.document.diary_types import DiaryData

LOWEST, HIGHEST = 0, 10


def percent_relief(usual: float, now: float) -> float | None:
    """How much the pain eased, in percent of the usual pain: ``(usual - now) / usual * 100``.

    ``percent_relief(8, 2)`` is 75.0; a score above the usual pain gives a negative number
    (the pain got worse). With a usual pain of 0 there is nothing to relieve: None.

    Raises:
        ValueError: for a score outside 0 to 10.
    """
    for score in (usual, now):
        if not LOWEST <= score <= HIGHEST:
            raise ValueError(f"a pain score is from {LOWEST} to {HIGHEST}, not {score}")
    if usual == 0:
        return None
    return round((usual - now) / usual * 100, 1)


def relief_by_point(
    diary: DiaryData,
    usual: Mapping[str, float],
    scores: Mapping[str, Mapping[str, float]],
) -> dict[str, dict[str, float | None]]:
    """Percentage relief at each time, for each score column asked before the procedure.

    ``usual`` maps column ids to the scores written before the procedure
    (``{"pain-activity": 8}``); ``scores`` maps a point's offset (``"2h"``) to the scores
    written then. A point or column without a score is left out of the result.
    """
    result: dict[str, dict[str, float | None]] = {}
    compared = [c for c in diary["baseline"]["record"] if c in usual]
    for point in diary["points"]:
        written = scores.get(point["offset"], {})
        row = {
            column: percent_relief(usual[column], written[column])
            for column in compared
            if column in written and column in point["record"]
        }
        if row:
            result[point["offset"]] = row
    return result
