"""The shared pieces of the content model: its field types, strict base, and the item.

Every piece of patient-facing text in a procedure file is an ``Item`` or builds on one; the
model of each section (``content.model``) adds what that section needs.
"""

# Annotations are evaluated as each class is made, as in content.model.

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from procguide.content.descriptions import describe_fields
from procguide.content.offsets import HELP as OFFSET_HELP
from procguide.content.offsets import Offset

_FLAG = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
_ID = _FLAG


def _offset(value: Any) -> Offset:
    if isinstance(value, Offset):
        return value
    if not isinstance(value, str):
        raise ValueError(f"an offset is text in quotes or plain: {OFFSET_HELP}")
    return Offset.parse(value)


def _text(value: Any) -> Any:
    # YAML folded blocks end in a newline and wrap lines; the handout reflows text anyway,
    # so runs of white space become one space. Nothing else is changed.
    if isinstance(value, str):
        return " ".join(value.split())
    return value


OffsetField = Annotated[
    Offset,
    BeforeValidator(_offset),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,4}\s*(min|h|d|w)$"}),
]
Text = Annotated[str, BeforeValidator(_text), Field(min_length=1)]
FlagName = Annotated[str, Field(pattern=_FLAG)]
ItemId = Annotated[str, Field(pattern=_ID)]


class _Strict(BaseModel):
    # Field docstrings become descriptions only when a schema is made (see descriptions.py).
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=False,
        json_schema_extra=describe_fields,
        defer_build=True,
    )


class Item(_Strict):
    """One piece of patient-facing text, with the sources it comes from."""

    text: Text
    """What the patient reads. Plain language: "you", short sentences, terms explained."""
    sources: tuple[str, ...] = Field(min_length=1)
    """Ids of entries in the file's `sources` list that support this text."""
    id: ItemId | None = None
    """A stable name for the item, such as `leg-weakness`, that teach-back questions link to.
    Unique in the procedure with its blocks; the same in every translation."""
    when: tuple[FlagName, ...] = ()
    """Show only when every one of these flags is given (for example `sedation`)."""
    unless: tuple[FlagName, ...] = ()
    """Leave out when any of these flags is given."""

    def applies(self, flags: frozenset[str]) -> bool:
        """Whether this item belongs on a handout made with ``flags``."""
        return set(self.when) <= flags and not (set(self.unless) & flags)
