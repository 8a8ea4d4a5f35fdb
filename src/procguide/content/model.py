"""The procedure content model: what a procedure file may contain, validated strictly.

Each field's docstring becomes its description in ``procguide schema``, which editors use
to check a file while a clinician types.
"""

# Annotations are evaluated as each class is made (no ``from __future__ import annotations``):
# pydantic would otherwise compile every one of these strings at start-up.

import re
from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    Field,
    field_validator,
)

# Item, Text and OffsetField are part of this module's interface: other layers import them here.
from procguide.content.fields import _FLAG, _ID, FlagName, ItemId, _Strict
from procguide.content.fields import Item as Item
from procguide.content.fields import OffsetField as OffsetField
from procguide.content.fields import Text as Text
from procguide.content.offsets import Offset


class PrepItem(Item):
    """A preparation step, optionally due at a time before the procedure."""

    before: OffsetField | None = None
    """When it is due, before the procedure starts: `6h`, `30min`, `1d`, `1w`.

    Hours and minutes become a clock time; days and weeks become a date."""


class RecoveryItem(Item):
    """What to expect or do during a window after the procedure."""

    start: OffsetField = Field(default=Offset.parse("0h"), alias="from")
    """When the window starts, after the procedure: `0h` (straight away), `1d`."""
    end: OffsetField | None = Field(default=None, alias="to")
    """When the window ends, after the procedure. Leave out for "from then on"."""


class Restriction(Item):
    """An activity limit, and how long it lasts."""

    until: OffsetField | None = None
    """How long after the procedure the limit lasts. Leave out when the care team decides."""
    escort: Text | None = None
    """The same limit said to the adult who takes the patient home after sedation ("you" is
    that adult, "they" the patient), for the escort's sheet: "They must not drive for 24
    hours." Needed when `text` speaks to the patient."""


class Sign(Item):
    """A sign to get help for."""

    escort: Text | None = None
    """The same sign said to the adult who takes the patient home after sedation, for the
    escort's sheet: "New weakness or numbness in their legs". Needed when `text` speaks to
    the patient ("your legs")."""


class EscortItem(Item):
    """Something the adult who takes the patient home after sedation must watch for or do.

    Said to them: "you" is that adult, "they" the patient.
    """

    until: OffsetField | None = None
    """How long after the procedure it lasts, when it does: `24h`."""


class TeachBack(Item):
    """A teach-back question, with the key points of a correct answer.

    The nurse asks it; the patient (or the adult with them) says the answer back in their own
    words. `text` is the question, in plain words.
    """

    id: ItemId  # a question always has one, for the record
    """The question's stable name, used by `procguide record`: `get-help`, `driving`."""
    checks: tuple[ItemId, ...] = Field(min_length=1)
    """The ids of the items whose understanding the question checks: the signs to get help
    for, the key limit, when a paused medicine starts again."""
    points: tuple[Item, ...] = Field(min_length=1)
    """The key points of a correct answer, in plain words, each with its sources."""


class FollowUp(Item):
    """A follow-up visit, call or check."""

    after: OffsetField | None = None
    """About when, after the procedure. Leave out when the care team will arrange it."""


class DiaryColumn(Item):
    """Something the patient writes down at each time of a diary: `text` is its heading."""

    id: Annotated[str, Field(pattern=_ID)]
    """Stable id that scripts read the answers by, the same in every language: `pain-rest`."""
    answer: Literal["score", "words"] = "words"
    """`score`: a pain score from 0 (no pain) to 10 (the worst); `words`: what happened."""


class DiaryPoint(_Strict):
    """One row of a diary: a time after the procedure, and what to write down then."""

    after: OffsetField
    """When, counted from the procedure's start: `30min` and `2h` become clock times,
    `1d` a date. Each point comes after the one before it, within the diary's `window`."""
    record: tuple[Annotated[str, Field(pattern=_ID)], ...] = ()
    """Ids of the columns written down at this time; every column when left out."""
    sources: tuple[str, ...] = Field(min_length=1)
    """Ids of entries in the file's `sources` list that support this time."""


class DiaryBaseline(Item):
    """The usual pain, written down before the procedure, that later scores are compared to."""

    record: tuple[Annotated[str, Field(pattern=_ID)], ...] = Field(min_length=1)
    """Ids of the score columns asked before the procedure."""


class Diary(_Strict):
    """A log the patient fills in after a test block, or during a trial, at set times.

    The handout prints it with the real clock time or date on every row (`procguide handout
    ID --kind diary`); percentage relief is worked out from the scores, never asked.
    """

    title: Text
    """The diary's heading on the sheet: "Pain diary"."""
    window: OffsetField
    """How long the diary is kept, from the procedure's start: every point falls within it."""
    instructions: tuple[Item, ...] = Field(min_length=1)
    """What to do and avoid while the diary is kept."""
    baseline: DiaryBaseline
    """The usual pain to write down before the procedure."""
    activity: Item | None = None
    """What to do before each score, with the activity the clinician names (`--activity`)."""
    columns: tuple[DiaryColumn, ...] = Field(min_length=1)
    """What to write down at each time."""
    points: tuple[DiaryPoint, ...] = Field(min_length=1)
    """The times, in order."""
    bring_back: FollowUp
    """When and where to bring the diary back. Without `after`, the clinician gives the
    time (`--bring-back`) or the care team writes the date on the sheet."""


class Duration(Item):
    """How long the procedure takes."""


class Risks(_Strict):
    """Risks of the procedure and how problems are handled."""

    common: tuple[Item, ...] = Field(min_length=1)
    """Risks many people have, usually mild."""
    rare: tuple[Item, ...] = Field(min_length=1)
    """Serious risks that do not happen often."""
    management: tuple[Item, ...] = Field(min_length=1)
    """How the care team treats a problem if one happens."""


class GetHelp(_Strict):
    """When to get help after the procedure."""

    call_clinic: tuple[Sign, ...] = Field(min_length=1)
    """Signs that mean: call the clinic (or the after-hours line) today."""
    call_emergency: tuple[Sign, ...] = Field(min_length=1)
    """Signs that mean: call the emergency number now."""
    cannot_reach: Sign | None = None
    """What to do when the clinic cannot be reached, such as going to an emergency room and
    saying which procedure it was. Printed after the clinic's signs; lint requires it."""


SourceKind = Literal[
    "regulator",
    "national-health-service",
    "hospital-leaflet",
    "professional-society",
    "peer-reviewed",
    "product-labelling",
    "clinic-web-page",
    "seed",
]
"""Kinds of source. The first six are ones a clinician can look up and rely on."""
REPUTABLE_KINDS = frozenset(get_args(SourceKind)[:6])
"""The kinds that can support a clinical item on their own."""


class Source(_Strict):
    """A reference that supports the content."""

    id: Annotated[str, Field(pattern=_ID)]
    """Short id that items cite in their `sources` list."""
    title: Text
    """Title of the page or document."""
    publisher: Text
    """Who published it: a health service, hospital, society or clinic."""
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    """Where a clinician can look it up: an https:// address (never a local file name)."""
    kind: SourceKind | None = None
    """What kind of source it is, which decides how far a clinician can rely on it."""


class Review(_Strict):
    """Who last checked the content against its sources, and when."""

    reviewed: date
    """Date of the last clinical review, YYYY-MM-DD."""
    reviewer: Text
    """Name and role of the reviewer."""


class Codes(_Strict):
    """Billing and terminology codes."""

    cpt: tuple[Annotated[str, Field(pattern=r"^\d{4}[0-9A-Z]$")], ...] = ()
    """CPT codes, for example `62273`."""


class Procedure(_Strict):
    """A procedure: everything a handout about it can say."""

    id: Annotated[str, Field(pattern=_ID)]
    """Stable id, the same as the file name without `.yaml`: `blood-patch`."""
    name: Text
    """The name patients know: "Epidural blood patch"."""
    technical_name: Text
    """The formal name, for example the CPT descriptor."""
    aliases: tuple[Annotated[str, Field(pattern=_ID)], ...] = ()
    """Other ids that find this procedure: `ebp`."""
    codes: Codes = Codes.model_construct()
    """Billing and terminology codes."""
    flags: dict[FlagName, Text] = {}
    """Options a clinician can turn on, each with a one-line description."""
    default_flags: tuple[FlagName, ...] = ()
    """Flags that are on unless the clinician turns them off, for what the procedure nearly
    always involves (sedation for basivertebral nerve ablation)."""
    summary: Item
    """What the procedure is, in two or three sentences."""
    purpose: Item
    """Why it is done."""
    indications: tuple[Item, ...] = Field(min_length=1)
    """Who it is for: the problems it treats."""
    preparation: tuple[PrepItem, ...] = Field(min_length=1)
    """What to do before the procedure."""
    steps: tuple[Item, ...] = Field(min_length=1)
    """What happens during the procedure, in order."""
    duration: Duration
    """How long it takes."""
    setting: Item
    """Where it is done."""
    personnel: tuple[Item, ...] = Field(min_length=1)
    """Who does it."""
    patient_experience: tuple[Item, ...] = Field(min_length=1)
    """What the patient feels during and right after."""
    risks: Risks
    """What can go wrong, and how it is handled."""
    benefits: tuple[Item, ...] = Field(min_length=1)
    """What it can do for the patient."""
    recovery: tuple[RecoveryItem, ...] = Field(min_length=1)
    """The recovery timeline."""
    restrictions: tuple[Restriction, ...] = ()
    """Activity limits and how long each lasts."""
    follow_up: tuple[FollowUp, ...] = Field(min_length=1)
    """Follow-up visits, calls or checks."""
    diary: Diary | None = None
    """A log to fill in at set times after the procedure (a test block) or during a trial."""
    get_help: GetHelp
    """When to call the clinic, and when to call the emergency number."""
    escort: tuple[EscortItem, ...] = ()
    """What the adult who takes the patient home after sedation must watch for and do, said
    to them ("you" is that adult, "they" the patient), for the escort's sheet."""
    teach_back: tuple[TeachBack, ...] = ()
    """One to three teach-back questions that check the patient understood what matters most:
    when to get help, the key limit, a paused medicine's restart (lint requires them)."""
    alternatives: tuple[Item, ...] = Field(min_length=1)
    """Other options."""
    pros: tuple[Item, ...] = Field(min_length=1)
    """Reasons for choosing it."""
    cons: tuple[Item, ...] = Field(min_length=1)
    """Reasons against it."""
    sources: tuple[Source, ...] = Field(min_length=1)
    """The references every item cites."""
    review: Review
    """Clinical review record."""

    @field_validator("aliases")
    @classmethod
    def _no_duplicate_aliases(cls, aliases: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(aliases)) != len(aliases):
            raise ValueError("an alias is listed twice")
        return aliases

    def items(self) -> list[tuple[str, Item]]:
        """Every item in the file with its field path, for cross-checks and lint."""
        found: list[tuple[str, Item]] = []
        _collect(self, "", found)
        return found


class BlockHelp(_Strict):
    """The signs a block adds to a procedure's `get_help` lists."""

    call_clinic: tuple[Sign, ...] = ()
    """Signs that mean: call the clinic (or the after-hours line) today."""
    call_emergency: tuple[Sign, ...] = ()
    """Signs that mean: call the emergency number now."""


class Block(_Strict):
    """Items shared by several procedures, reviewed once and included where they belong.

    A procedure includes a block in one of its lists with `- include: BLOCK-ID`; the block's
    items for that list take the place of the include line.
    """

    id: Annotated[str, Field(pattern=_ID)]
    """Stable id, the same as the file name without `.yaml`: `sedation`."""
    title: Text
    """What the block is about, for the people who maintain it."""
    flags: tuple[FlagName, ...] = ()
    """Flags the items use; every procedure that includes the block must declare them."""
    preparation: tuple[PrepItem, ...] = ()
    """Preparation steps."""
    steps: tuple[Item, ...] = ()
    """What happens during the procedure."""
    recovery: tuple[RecoveryItem, ...] = ()
    """Recovery windows."""
    restrictions: tuple[Restriction, ...] = ()
    """Activity limits."""
    follow_up: tuple[FollowUp, ...] = ()
    """Follow-up visits, calls or checks."""
    get_help: BlockHelp = BlockHelp.model_construct()
    """Signs to call the clinic or the emergency number."""
    escort: tuple[EscortItem, ...] = ()
    """What the adult who takes the patient home must watch for and do, said to them."""
    teach_back: tuple[TeachBack, ...] = ()
    """Teach-back questions about the block's items, for the procedures that include them."""
    sources: tuple[Source, ...] = Field(min_length=1)
    """The references the block's items cite; they join the sources of every procedure that
    includes the block."""
    review: Review
    """Clinical review record."""

    def items(self) -> list[tuple[str, Item]]:
        """Every item in the block with its field path."""
        found: list[tuple[str, Item]] = []
        _collect(self, "", found)
        return found


def _collect(value: object, path: str, found: list[tuple[str, Item]]) -> None:
    if isinstance(value, Item):
        found.append((path, value))
        if not isinstance(value, TeachBack):
            return
        # A teach-back question holds items of its own: the points of a correct answer.
        _collect(value.points, f"{path}.points", found)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            key = type(value).model_fields[name].alias or name
            _collect(getattr(value, name), f"{path}.{key}" if path else key, found)
    elif isinstance(value, tuple):
        for index, element in enumerate(value):
            _collect(element, f"{path}.{index}", found)


FLAG_PATTERN = re.compile(_FLAG)
SEDATION = "sedation"
"""The flag of sheets made for a patient who has sedation: they, and only they, have an escort
sheet for the adult who takes the patient home."""
