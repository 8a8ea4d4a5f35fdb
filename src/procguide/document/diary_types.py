"""The diary part of the resolved document, ``procguide-document/1``: its keys are the JSON's.

Only a diary (``handout --kind diary``) has it. Each time point carries its offset, its
absolute time with the clinic's zone when the appointment is known, and the ids of what to
write down then, so a script or an app can collect the scores by the same ids.
"""

from __future__ import annotations

from typing import Literal, TypedDict


class DiaryItem(TypedDict):
    """A piece of the diary's content and the ids of the sources behind it."""

    text: str
    sources: list[str]


class DiaryColumnData(TypedDict):
    """Something written down at each time."""

    id: str
    text: str
    answer: Literal["score", "words"]
    """``score``: a pain score, 0 to 10; ``words``: what happened."""
    sources: list[str]


class DiaryBaselineData(TypedDict):
    """The usual pain, written down before the procedure."""

    text: str
    sources: list[str]
    record: list[str]
    """Ids of the score columns asked before the procedure."""


class DiaryActivityData(TypedDict):
    """What to do before each score, and the activity the clinician named."""

    text: str
    sources: list[str]
    named: str | None
    """The clinician's ``--activity``; None leaves a line to write it on."""
    label: str
    """The ready line: "Your activity: stand for 10 minutes"."""


class DiaryPointData(TypedDict):
    """One row: when, and what to write down then."""

    offset: str
    relative: str
    """"30 minutes after your procedure"."""
    at: str | None
    """ISO 8601: a time with the zone's offset for hours and minutes, a date for days."""
    date: str | None
    display: str | None
    """"10:00", a date and time on another day, or the date for a day."""
    label: str
    """What the row prints: ``display`` when known, else ``relative``."""
    record: list[str]
    """Ids of the columns to fill in at this time."""
    sources: list[str]


class DiaryReturnData(TypedDict):
    """When to bring the diary back."""

    text: str
    sources: list[str]
    offset: str | None
    date: str | None
    label: str
    """"Bring this diary back on Tue 8 Dec 2026.", or a line for the care team to write on."""
    write_in: bool


class DiaryData(TypedDict):
    """The diary: its times with real clock times or dates, and what to record at each."""

    title: str
    window: str
    timezone: str | None
    starts: str | None
    """"These times count from 09:30 ...": how the times were worked out, when dated."""
    instructions: list[DiaryItem]
    baseline: DiaryBaselineData
    activity: DiaryActivityData | None
    columns: list[DiaryColumnData]
    points: list[DiaryPointData]
    bring_back: DiaryReturnData
