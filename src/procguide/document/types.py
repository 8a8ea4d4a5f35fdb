"""The resolved document, ``procguide-document/1``, as types every reader is checked against.

Every format renders this, ``--format json`` prints it as it is, batch and scripts read it.
The keys and their order are the JSON document's: a change here is a change of format.
Times are ISO 8601 strings; ``display`` fields are ready-made phrases in the document's
language, and None where the appointment's date and time were not given.
"""

# Annotations are evaluated as each class is made (no ``from __future__ import annotations``):
# TypedDict would otherwise compile every one of these strings at start-up.

from typing import Literal, NotRequired, TypedDict

from procguide.document.diary_types import DiaryData


class ItemData(TypedDict):
    """One piece of content and the ids of the sources behind it."""

    text: str
    sources: list[str]


class Codes(TypedDict):
    """Billing codes."""

    cpt: list[str]


class DeclaredFlag(TypedDict):
    """A flag the procedure offers, whether or not this handout uses it."""

    name: str
    description: str
    default: bool
    """On unless the clinician turns it off."""


class ProcedureData(TypedDict):
    """Which procedure the document is about."""

    id: str
    name: str
    technical_name: str
    aliases: list[str]
    codes: Codes
    flags: list[DeclaredFlag]


class IdentifierData(TypedDict):
    """The patient's medical record number and the system (a URI) it belongs to."""

    system: str | None
    value: str


class PatientData(TypedDict):
    """What the clinician wrote about this patient; None where not given."""

    name: str | None
    clinician: str | None
    note: str | None
    identifier: NotRequired[IdentifierData]
    """Only when a medical record number was given (``--mrn``, the ``mrn`` column)."""


class AppointmentData(TypedDict):
    """When the procedure starts, in the clinic's time zone."""

    date: str
    time: str
    timezone: str
    start: str
    display: str
    date_display: str
    time_display: str


class ClinicData(TypedDict):
    """The clinic that gives the handout."""

    name: str | None
    display_name: str
    phone: str | None
    after_hours_phone: str | None
    emergency_number: str
    address: str | None
    footer: str | None


class FlagData(TypedDict):
    """A flag the handout was made with, and what it means for the patient."""

    name: str
    description: str


class RisksData(TypedDict):
    """Side effects and complications."""

    common: list[ItemData]
    rare: list[ItemData]
    management: list[ItemData]


class AboutData(TypedDict):
    """What the procedure is, why, and its risks and benefits."""

    summary: ItemData
    purpose: ItemData
    indications: list[ItemData]
    duration: ItemData
    setting: ItemData
    personnel: list[ItemData]
    patient_experience: list[ItemData]
    benefits: list[ItemData]
    risks: RisksData
    alternatives: list[ItemData]
    pros: list[ItemData]
    cons: list[ItemData]


class Due(TypedDict):
    """When a preparation step is due: relative always, absolute with an appointment."""

    offset: str
    relative: str
    at: str | None
    display: str | None
    label: str
    """The ready phrase every format prints: "At 01:30 on Tue 8 Dec 2026 (8 hours before your
    procedure)", or "8 hours before your procedure" without an appointment."""


class PrepData(TypedDict):
    """One preparation step: content, a medicine the clinician holds, or arrival."""

    text: str
    sources: list[str]
    kind: Literal["item", "hold", "arrival"]
    medicine: NotRequired[str]
    """Only for a hold: the medicine the clinician asks the patient to pause."""
    due: Due | None


# "from" is a Python keyword, so this one is declared by its keys.
Window = TypedDict(
    "Window",
    {
        "from": str,
        "to": str | None,
        "relative": str,
        "start_date": str | None,
        "end_date": str | None,
        "display": str | None,
    },
)
"""The days a recovery item covers."""


class RecoveryData(TypedDict):
    """One recovery item and its window."""

    text: str
    sources: list[str]
    window: Window


class RestartData(TypedDict):
    """When to start a held medicine again: a date when the clinician gave one."""

    offset: str | None
    date: str | None
    display: str | None


class MedicineData(TypedDict):
    """A medicine the clinician paused, carried to the going-home sheet with its restart."""

    medicine: str
    text: str
    """The whole instruction, ready to print: when to start it again, or a line to fill in."""
    restart: RestartData
    write_in: bool
    """True when the restart is left for the care team to write in by hand."""


class UntilData(TypedDict):
    """How long a restriction lasts."""

    offset: str
    relative: str
    date: str | None
    display: str | None
    label: str
    """The ready phrase: "For 24 hours after your procedure, until Wed 9 Dec 2026"."""


class RestrictionData(TypedDict):
    """One activity limit."""

    text: str
    sources: list[str]
    until: UntilData | None


class FollowUpData(TypedDict):
    """One follow-up visit or call."""

    text: str
    sources: list[str]
    due: UntilData | None


class GetHelpData(TypedDict):
    """Who to call, and for what."""

    clinic_line: str
    call_clinic: list[ItemData]
    emergency_line: str
    call_emergency: list[ItemData]
    cannot_reach: ItemData | None
    """What to do when the clinic cannot be reached."""


class QuestionData(TypedDict):
    """A teach-back question on the nurse's sheet, and the key points of a correct answer."""

    id: str
    """The question's id, which ``procguide record`` takes the nurse's result under."""
    text: str
    sources: list[str]
    checks: list[str]
    """The ids of the items whose understanding it checks."""
    points: list[ItemData]


class EscortLineData(TypedDict):
    """Something the escort watches for or does, or a limit on the patient, said to the escort."""

    text: str
    sources: list[str]
    until: UntilData | None
    """How long it lasts: "For 24 hours after the procedure, until 09:30 on Wed 2 Dec 2026"."""


class EscortData(TypedDict):
    """The escort's sheet: everything on it said to the adult who takes the patient home."""

    intro: str
    """Who the sheet is for, naming the patient when the name was given."""
    watch: list[EscortLineData]
    restrictions: list[EscortLineData]
    emergency_line: str
    call_emergency: list[ItemData]
    clinic_line: str
    call_clinic: list[ItemData]
    cannot_reach: ItemData | None


class SourceData(TypedDict):
    """A reference the content cites."""

    id: str
    title: str
    publisher: str
    url: str


class StampBase(TypedDict):
    """Where the handout came from: procguide's version and the content's review and hash."""

    procguide: str
    procedure: str
    reviewed: str
    content_sha256: str
    content: str


class Stamp(StampBase, total=False):
    """The stamp, with the translation's hashes when the content was translated."""

    translation_sha256: str
    translation: str
    translation_reviewed: str
    text: str


class Document(TypedDict):
    """One patient's resolved handout."""

    format: str
    view: str
    kind: str | None
    language: str
    generated: str | None
    procedure: ProcedureData
    patient: PatientData
    appointment: AppointmentData | None
    clinic: ClinicData
    flags: list[FlagData]
    about: AboutData
    preparation: list[PrepData]
    steps: list[ItemData]
    recovery: list[RecoveryData]
    restrictions: list[RestrictionData]
    follow_up: list[FollowUpData]
    medicines: list[MedicineData]
    get_help: GetHelpData
    sources: list[SourceData]
    stamp: Stamp
    diary: NotRequired[DiaryData]
    """Only on a diary (``handout --kind diary``)."""
    teach_back: NotRequired[list[QuestionData]]
    """Only on the nurse's teach-back sheet (``kind`` ``teach-back``)."""
    escort: NotRequired[EscortData]
    """Only on the escort's sheet (``kind`` ``escort``)."""
