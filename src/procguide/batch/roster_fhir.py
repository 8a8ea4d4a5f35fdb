"""Rosters from a FHIR server: a Bundle (searchset or collection) of Appointments.

Each Appointment is a row, in the Bundle's order. Only ``booked`` appointments get a sheet;
the others (cancelled, no-show, proposed...) are skipped with their status. The patient is
the participant whose actor is a Patient, found in the Bundle (by fullUrl or ``Patient/id``,
as ``_include`` returns it) or contained in the Appointment (``#id``); the clinician is a
Practitioner participant, by its display or its name. The procedure's code is the first
coding of ``serviceType``, else of ``appointmentType``.

A Bundle is read whole, unlike a CSV: a day's search results are a few megabytes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from procguide.batch.messages import IDENTIFIERS, START, Broken, Message, language, person, placed
from procguide.errors import UsageError

MAX_BUNDLE = 64 << 20
"""The largest Bundle read, in characters."""
LABELS = {
    "patient": "Patient.name",
    "mrn": "Patient.identifier",
    "lang": "Patient.communication",
    "date": "Appointment.start",
    "time": "Appointment.start",
    "procedure": "Appointment.serviceType",
    "clinician": "Appointment.participant",
}


def fhir_appointments(text: io.TextIOWrapper) -> Iterator[Message]:
    """Each Appointment of the Bundle as a row; one that cannot be read is a row error."""
    content = text.read(MAX_BUNDLE + 1)
    if len(content) > MAX_BUNDLE:
        raise UsageError("the FHIR Bundle is larger than 64 MB", hint="ask for fewer per page")
    try:
        bundle = json.loads(content)
    except json.JSONDecodeError as error:
        where = f"(line {error.lineno})"
        raise UsageError(f"the roster is not valid JSON: {error.msg} {where}") from None
    except RecursionError:
        raise UsageError("the roster's JSON is nested too deeply to read") from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise UsageError("the roster is JSON but not a FHIR Bundle")
    if bundle.get("type") not in ("searchset", "collection"):
        raise UsageError(
            "Bundle.type: a roster is a searchset or collection Bundle of Appointments"
        )
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise UsageError("Bundle.entry: not a list")
    index = _index(entries)
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Appointment":
            continue
        try:
            message = _read(resource, index)
        except Broken as problem:
            message = Message(error=str(problem), labels=dict(LABELS))
        yield placed(message, f"Bundle entry {number}")


def _index(entries: list[Any]) -> dict[str, dict[str, Any]]:
    """The Bundle's resources by the references that may point to them."""
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        if isinstance(entry.get("fullUrl"), str):
            found[entry["fullUrl"]] = resource
        if isinstance(resource.get("resourceType"), str) and isinstance(resource.get("id"), str):
            found[f"{resource['resourceType']}/{resource['id']}"] = resource
    return found


def _read(appointment: dict[str, Any], index: dict[str, dict[str, Any]]) -> Message:
    status = appointment.get("status")
    if status != "booked":
        shown = status if isinstance(status, str) and status.isalpha() else "unknown"
        return Message(skip=f"the appointment is {shown}, not booked", labels=dict(LABELS))
    start = appointment.get("start")
    if not isinstance(start, str) or "T" not in start:
        raise Broken("Appointment.start is missing or has no time")
    patient, clinician = _participants(appointment, index)
    if patient is None:
        raise Broken("no participant is a Patient found in the Bundle")
    values: dict[str, Any] = {
        "procedure": _code(appointment),
        "patient": _name(patient),
        "mrn": _record_number(patient),
        IDENTIFIERS: _identifiers(patient),
        START: start,
        "clinician": clinician,
        "lang": _language(patient),
    }
    for column in ("procedure", "patient", "mrn"):
        if not values[column]:
            raise Broken(f"{LABELS[column]} is missing")
    return Message(values={k: v for k, v in values.items() if v}, labels=dict(LABELS))


def _participants(
    appointment: dict[str, Any], index: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any] | None, str | None]:
    contained = {
        f"#{r['id']}": r
        for r in appointment.get("contained") or []
        if isinstance(r, dict) and isinstance(r.get("id"), str)
    }
    patient, clinician = None, None
    for participant in appointment.get("participant") or []:
        actor = participant.get("actor") if isinstance(participant, dict) else None
        if not isinstance(actor, dict):
            continue
        reference = actor.get("reference")
        found = None
        if isinstance(reference, str):
            found = contained.get(reference) or index.get(reference)
        kind = (found or {}).get("resourceType") or (reference or "").partition("/")[0]
        if kind == "Patient" and found is not None and patient is None:
            patient = found
        elif kind == "Practitioner" and clinician is None:
            clinician = actor.get("display") or (_name(found) if found else None)
    return patient, clinician


def _code(appointment: dict[str, Any]) -> str | None:
    for element in ("serviceType", "appointmentType"):
        concepts = appointment.get(element)
        concepts = concepts if isinstance(concepts, list) else [concepts]
        for concept in concepts:
            for coding in (concept or {}).get("coding") or []:
                if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                    return str(coding["code"])
    return None


def _name(resource: dict[str, Any] | None) -> str | None:
    names = (resource or {}).get("name") or []
    for name in names if isinstance(names, list) else []:
        if isinstance(name, dict):
            if isinstance(name.get("text"), str) and name["text"].strip():
                return str(name["text"]).strip()
            given = [g for g in name.get("given") or [] if isinstance(g, str)]
            family = name.get("family") if isinstance(name.get("family"), str) else None
            return person(*given, family)
    return None


def _record_number(patient: dict[str, Any]) -> str | None:
    """The identifier typed MR (medical record number), else the first one."""
    identifiers = [i for i in patient.get("identifier") or [] if isinstance(i, dict)]
    for identifier in identifiers:
        codings = ((identifier.get("type") or {}).get("coding")) or []
        if any(isinstance(c, dict) and c.get("code") == "MR" for c in codings):
            return _text(identifier.get("value"))
    return _text(identifiers[0].get("value")) if identifiers else None


def _identifiers(patient: dict[str, Any]) -> list[dict[str, Any]]:
    """Every identifier the Patient has, for the batch to pick the clinic's own."""
    found = []
    for identifier in patient.get("identifier") or []:
        if isinstance(identifier, dict) and _text(identifier.get("value")):
            codings = ((identifier.get("type") or {}).get("coding")) or []
            mr = any(isinstance(c, dict) and c.get("code") == "MR" for c in codings)
            system = identifier.get("system") if isinstance(identifier.get("system"), str) else None
            found.append({"system": system, "value": _text(identifier["value"]), "mr": mr})
    return found


def _language(patient: dict[str, Any]) -> str | None:
    """The patient's preferred language (Patient.communication), if one is marked."""
    for communication in patient.get("communication") or []:
        if isinstance(communication, dict) and communication.get("preferred") is True:
            for coding in (communication.get("language") or {}).get("coding") or []:
                if isinstance(coding, dict):
                    return language(_text(coding.get("code")))
    return None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
