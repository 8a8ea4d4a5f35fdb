"""Clinic settings: name, phones, time zone and defaults, read from a YAML file.

Found in this order: ``--config FILE``, ``$PROCGUIDE_CONFIG``, ``procguide.yaml`` in the current
folder, then ``procguide.yaml`` in the user's config folder. With none, handouts still work and
tell the patient to call "your clinic".
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from procguide.content.descriptions import describe_fields
from procguide.content.model import OffsetField, Text
from procguide.content.offsets import Offset
from procguide.errors import ContentError, Problem

if TYPE_CHECKING:
    from procguide.content.library import Library

FILE_NAME = "procguide.yaml"
ENV_VAR = "PROCGUIDE_CONFIG"
_PHONE = r"^[0-9A-Za-z+().,#*/ -]{3,40}$"
_URI = r"^(urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:|https?://)[!-~]{1,200}$"

PdfStandard = Literal["ua-1", "a-2a", "a-2b", "a-2u", "a-3a", "a-3b", "a-3u", "a-4", "a-4e", "a-4f"]
"""A standard a PDF can declare, in Typst's words."""

Phone = Annotated[
    str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v), Field(pattern=_PHONE)
]


class _Strict(BaseModel):
    # Built on first validation: most runs have no config file and need only the defaults.
    model_config = ConfigDict(
        extra="forbid", frozen=True, defer_build=True, json_schema_extra=describe_fields
    )


class Clinic(_Strict):
    """Who the patient should call, printed on every handout."""

    name: Text | None = None
    """The clinic's name as patients know it."""
    phone: Phone | None = None
    """The number patients call in opening hours."""
    after_hours_phone: Phone | None = None
    """The number patients call when the clinic is closed."""
    emergency_number: Phone = "911"
    """The emergency number in the clinic's country."""
    address: Text | None = None
    """Street address, on one line."""
    timezone: str | None = None
    """IANA time zone of the clinic, such as America/New_York. Default: this computer's."""
    footer: Text | None = None
    """Extra footer text, for example a document reference."""
    arrive_before: OffsetField | None = None
    """How long before the procedure patients should arrive, such as 30min (clinic policy)."""
    max_hold: OffsetField = Offset.parse("14d")
    """The longest a clinician may pause a medicine with a hold (clinic policy); a longer one
    is taken for a typing mistake and refused."""
    mrn_system: Annotated[str, Field(pattern=_URI)] | None = None
    """The URI the clinic's medical record numbers belong to (FHIR Identifier.system), such as
    urn:oid:1.2.3.4 or https://clinic.example/mrn: needed for --format fhir."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            # A folder name ('America') or an over-long name raises OSError, not ValueError.
            except (ZoneInfoNotFoundError, ValueError, OSError):
                raise ValueError(
                    f"unknown time zone '{value}'; use an IANA name like America/New_York"
                ) from None
        return value


class ScheduledCode(_Strict):
    """What one code of the scheduling system stands for."""

    procedure: Text
    """The procedure's id, alias or CPT code in the library."""
    flags: tuple[str, ...] = ()
    """Flags every appointment with this code gets, such as sedation."""


class Scheduling(_Strict):
    """How to read appointments from a scheduling system (HL7 v2 SIU, FHIR Appointment)."""

    codes: dict[str, ScheduledCode] = {}
    """Codes the system sends for a procedure (AIS-3, serviceType), each with its procedure
    and flags; a code not listed is looked up in the library (by CPT code, id or alias)."""

    @field_validator("codes", mode="before")
    @classmethod
    def _codes_as_text(cls, value: object) -> object:
        # YAML reads 62273 as a number; a code is text whatever it looks like.
        if isinstance(value, dict):
            return {str(key): item for key, item in value.items()}
        return value


class Settings(_Strict):
    """The whole config file."""

    clinic: Clinic = Clinic.model_construct()
    """Clinic details printed on handouts."""
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")] = "en"
    """Default handout language, such as en or es: each handout needs a translation into it."""
    paper: Literal["letter", "a4"] = "letter"
    """Default paper size for PDF."""
    pdf_standards: tuple[PdfStandard, ...] = ("ua-1", "a-2a")
    """The standards every PDF declares and is checked against as it is made: PDF/UA-1
    (accessible) and PDF/A-2a (archivable). [] declares none, for a clinic template that
    cannot meet them."""
    templates_dir: Path | None = None
    """Folder of the clinic's own templates, relative to this file."""
    procedures_dirs: tuple[Path, ...] = ()
    """Folders of the clinic's own procedures, relative to this file."""
    scheduling: Scheduling = Scheduling.model_construct()
    """Codes from the scheduling system, for batches read from HL7 or FHIR messages."""


@dataclass(frozen=True)
class Config:
    """Settings and the file they came from (None when no file was found)."""

    settings: Settings
    path: Path | None

    @property
    def clinic(self) -> Clinic:
        """The clinic's details."""
        return self.settings.clinic


def library_dirs(settings: Settings, given: Sequence[Path] = ()) -> tuple[Path, ...]:
    """The procedure folders searched after the built-in library.

    Those given on the command line come first, then the config's.
    """
    return (*given, *settings.procedures_dirs)


def open_library(settings: Settings, given: Sequence[Path] = ()) -> Library:
    """The library a command reads: built-in procedures, then ``library_dirs``."""
    from procguide.content.library import Library

    return Library(library_dirs(settings, given))


def find_config_file(explicit: Path | None) -> Path | None:
    """The config file to use, or None when there is none."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env)
    local = Path.cwd() / FILE_NAME
    if local.is_file():
        return local
    import typer  # already loaded by the CLI; gives the platform's config folder

    user = Path(typer.get_app_dir("procguide")) / FILE_NAME
    return user if user.is_file() else None


def load_config(explicit: Path | None = None) -> Config:
    """Find and read the config; relative folders in it are taken from the file's folder."""
    path = find_config_file(explicit)
    if path is None:
        # The defaults are constants, valid by construction; validating them would build
        # the validators, which a run without a config file never needs.
        return Config(Settings.model_construct(), None)
    if not path.exists():
        raise ContentError([Problem("config file not found", path)])
    from procguide.content.validation import validate
    from procguide.content.yamlsafe import load_file

    _, loaded = load_file(path)
    settings = validate(Settings, loaded)
    base = path.parent
    settings = settings.model_copy(
        update={
            "templates_dir": base / settings.templates_dir if settings.templates_dir else None,
            "procedures_dirs": tuple(base / d for d in settings.procedures_dirs),
        }
    )
    return Config(settings, path)
