"""One teaching record: the shape of a line of the record file, and its JSON Schema.

The model is the one source of the shape: ``procguide schema record`` prints its schema, and
every line is checked against it before it is written, and when it is read back.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT_ID = "procguide-teaching-record/1"
"""A record file's lines say which shape they have; fields may be added, never changed."""

Learner = Literal["patient", "escort"]
Barrier = Literal[
    "none",
    "hearing",
    "sight",
    "reading",
    "language",
    "sedation",
    "pain",
    "memory",
    "worry",
    "other",
]
Method = Literal["teach-back", "spoken", "written", "demonstration"]
Result = Literal["correct", "retaught", "not-achieved"]
Response = Literal["understood", "needs-teaching", "not-achieved"]
Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
ItemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Uri = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", max_length=500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class PatientRef(_Strict):
    """Who was taught about: the patient's identifier in the clinic's record system."""

    id: Text
    """The identifier, such as the medical record number."""
    system: Uri | None
    """The URI the identifier belongs to (for example urn:oid:1.2.3.4), or null."""


class Interpreter(_Strict):
    """Whether an interpreter took part, and in which language."""

    used: bool
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")] | None
    """The language code (es, zh-hant) when one was used, else null."""


class QuestionResult(_Strict):
    """One teach-back question on the sheet and what the learner showed."""

    id: ItemId
    """The question's id, as the sheet prints it ("record as get-help")."""
    checks: list[ItemId] = Field(min_length=1)
    """The ids of the content items the question checks."""
    result: Result
    """correct; retaught (taught again, then correct); not-achieved."""


class Identifier(_Strict):
    """A FHIR-style identifier."""

    system: Uri
    value: Text


class RecordLine(_Strict):
    """One teaching event, as one line of a teaching record file (JSON Lines)."""

    format: Literal["procguide-teaching-record/1"]
    """The shape of this line."""
    procguide: str
    """The procguide version that wrote it."""
    patient: PatientRef
    procedure: ItemId
    """The procedure's id."""
    flags: list[ItemId]
    """The flags the sheet was made with: they decide which questions it asks."""
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")]
    """The language the teaching and its sheet were in."""
    content_sha256: Hex64
    """The content the questions came from: the hash on the sheet's stamp, in full."""
    translation_sha256: Hex64 | None
    """The translation's hash, for a language other than English; else null."""
    learners: list[Learner] = Field(min_length=1)
    """Who was taught: the patient, the adult taking them home (escort), or both."""
    interpreter: Interpreter
    barriers: list[Barrier] = Field(min_length=1)
    """Barriers to learning the nurse noted; ["none"] when there were none."""
    methods: list[Method] = Field(min_length=1)
    """How it was taught."""
    questions: list[QuestionResult] = Field(min_length=1)
    """Every question on the sheet, in its order, with its result."""
    response: Response
    """The overall response: understood (every key point), needs-teaching, not-achieved."""
    nurse: Text
    """Who taught, as the nurse signs."""
    time: Annotated[
        str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")
    ]
    """When, in ISO 8601 with its UTC offset."""
    handout: Identifier | None
    """The identifier of the handout's FHIR DocumentReference, when given; else null."""


def schema() -> dict[str, object]:
    """The JSON Schema of a record line."""
    found = RecordLine.model_json_schema()
    found["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    found["$id"] = "urn:procguide:schema:teaching-record:1"
    found["title"] = "procguide teaching record"
    return found
