"""FHIR R4 export: the handout for the patient's chart, as one JSON Bundle of plain data.

The Bundle (type ``collection``) holds a DocumentReference of the sheet (US Core
DocumentReference: the PDF and its text version inline), a CarePlan of its timeline
(``fhir_plan``) and a Patient that names the patient by medical record number, for the
receiving system to match. Rules, chosen for an interface engine that re-sends and compares:
- Every id is derived from the inputs (UUID version 5), never random: the same handout gives
  the same Bundle, byte for byte, and sending it again updates rather than duplicates.
- Times are the resolved document's, with their zone; nothing is computed from the clock.
- A handout without a date and time, or a patient without a record number, is refused: a
  chart entry with relative times or no patient is not one an EHR can file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import TYPE_CHECKING, Any

from procguide.errors import UsageError
from procguide.render import fhir_plan
from procguide.render.fhir_plan import URI_SYSTEM, US_CORE

if TYPE_CHECKING:
    from procguide.document.types import AppointmentData, Document, IdentifierData

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:procguide:fhir")
"""Where every id of a procguide Bundle is derived from."""
INSTRUCTIONS = {"system": "http://loinc.org", "code": "69730-0", "display": "Instructions"}
"""LOINC's document code for instructions to the patient."""
CLINICAL_NOTE = {
    "system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
    "code": "clinical-note",
    "display": "Clinical Note",
}
MIME_SUFFICIENT = {
    "system": "http://ihe.net/fhir/ValueSet/IHE.FormatCode.codesystem",
    "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
    "display": "mimeType Sufficient",
}
"""IHE format code: no format beyond the MIME type (a PDF and plain text)."""
MEDICAL_RECORD = {
    "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
    "code": "MR",
    "display": "Medical record number",
}
TEXT_TYPE = "text/plain; charset=utf-8"


def render_fhir(document: Document, *, pdf: bytes, text: bytes) -> bytes:
    """``document`` (a handout with an appointment and a patient identifier) as a Bundle.

    ``pdf`` and ``text`` are the sheet in those formats, carried inline.

    Raises:
        UsageError: for another view, a handout without a date and time, or no patient
            identifier (or no ``clinic.mrn_system`` in the config).
    """
    appointment, identifier = required(document)
    ids = _ids(document, appointment, identifier)
    when = document["generated"] or appointment["start"]
    patient = _patient(document, ids["Patient"], identifier)
    subject = {"reference": f"urn:uuid:{ids['Patient']}", "identifier": patient["identifier"][0]}
    reference = _document_reference(document, ids, subject, when, pdf=pdf, text=text)
    plan = fhir_plan.care_plan(
        document,
        ids["CarePlan"],
        subject=subject,
        created=when,
        document_reference=f"urn:uuid:{ids['DocumentReference']}",
    )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": ids["Bundle"],
        "identifier": {"system": URI_SYSTEM, "value": f"urn:uuid:{ids['Bundle']}"},
        "type": "collection",
    }
    if document["generated"]:
        bundle["timestamp"] = document["generated"]
    bundle["entry"] = [
        {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
        for resource in (reference, plan, patient)
    ]
    return (json.dumps(bundle, ensure_ascii=False, indent=2) + "\n").encode()


def required(document: Document) -> tuple[AppointmentData, IdentifierData]:
    """The appointment and the patient identifier, or the one-line reason there are none.

    Checked before the sheet is typeset, so a refused export costs nothing.
    """
    if document["view"] != "handout":
        raise UsageError(
            f"there is no FHIR export of the {document['view']} view",
            hint="use --format fhir with procguide handout",
        )
    appointment = document["appointment"]
    if appointment is None:
        raise UsageError(
            "FHIR output needs the procedure date and time",
            hint="give the date, YYYY-MM-DD, and the time, HH:MM",
            field="date",
        )
    identifier = document["patient"].get("identifier")
    if identifier is None:
        raise UsageError(
            "FHIR output needs the patient's medical record number",
            hint="the chart files the document under it",
            field="mrn",
        )
    if identifier["system"] is None:
        raise UsageError(
            "FHIR output needs clinic.mrn_system in the config",
            hint="the URI your medical record numbers belong to, e.g. urn:oid:1.2.3.4",
        )
    return appointment, identifier


def _ids(
    document: Document, appointment: AppointmentData, identifier: IdentifierData
) -> dict[str, str]:
    """Each resource's id: the same clinic, patient, sheet and content give the same ids.

    The sheet is the procedure, its appointment, the kind of sheet and its language; the
    content is the procedure's (and its translation's) hash, so a new version of the
    content is a new document, and a corrected hold or name updates the same one.
    """
    stamp = document["stamp"]
    patient_key = f"{identifier['system']}|{identifier['value']}"
    sheet = "|".join(
        (
            document["clinic"]["name"] or "",
            patient_key,
            document["procedure"]["id"],
            appointment["start"],
            document["kind"] or "",
            document["language"],
            stamp["content_sha256"],
            stamp.get("translation_sha256", ""),
        )
    )
    base = uuid.uuid5(NAMESPACE, sheet)
    kinds = ("Bundle", "DocumentReference", "CarePlan")
    ids = {kind: str(uuid.uuid5(base, kind)) for kind in kinds}
    ids["Patient"] = str(uuid.uuid5(NAMESPACE, f"Patient|{patient_key}"))
    return ids


def _patient(document: Document, rid: str, identifier: IdentifierData) -> dict[str, Any]:
    """The patient as the chart knows them: the record number, and the name when given."""
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": rid,
        "text": fhir_plan.narrative([identifier["value"], document["patient"]["name"]]),
        "identifier": [
            {
                "use": "usual",
                "type": {"coding": [MEDICAL_RECORD], "text": MEDICAL_RECORD["display"]},
                "system": identifier["system"],
                "value": identifier["value"],
            }
        ],
    }
    if document["patient"]["name"]:
        patient["name"] = [{"text": document["patient"]["name"]}]
    return patient


def _document_reference(
    document: Document,
    ids: dict[str, str],
    subject: dict[str, Any],
    when: str,
    *,
    pdf: bytes,
    text: bytes,
) -> dict[str, Any]:
    appointment = document["appointment"]
    assert appointment is not None  # _required checked it
    name = document["procedure"]["name"]
    stamp = document["stamp"]["text"]
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": ids["DocumentReference"],
        "meta": {"profile": [US_CORE + "us-core-documentreference"]},
        "language": document["language"],
        "text": fhir_plan.narrative([f"{name}, {appointment['display']}", stamp]),
        "identifier": [{"system": URI_SYSTEM, "value": f"urn:uuid:{ids['DocumentReference']}"}],
        "status": "current",
        "docStatus": "final",
        "type": {"coding": [INSTRUCTIONS], "text": INSTRUCTIONS["display"]},
        "category": [{"coding": [CLINICAL_NOTE], "text": CLINICAL_NOTE["display"]}],
        "subject": subject,
        "date": when,
    }
    authors = fhir_plan.authors(document)
    if authors:
        resource["author"] = authors
    if document["clinic"]["name"]:
        resource["custodian"] = {"type": "Organization", "display": document["clinic"]["name"]}
    resource["description"] = stamp
    resource["content"] = [
        _content(pdf, "application/pdf", document["language"], name),
        _content(text, TEXT_TYPE, document["language"], name),
    ]
    resource["context"] = {"period": {"start": appointment["start"]}}
    return resource


def _content(data: bytes, content_type: str, language: str, title: str) -> dict[str, Any]:
    """One inline attachment: its bytes, size and SHA-1 (base64, as FHIR's hash is)."""
    attachment = {
        "contentType": content_type,
        "language": language,
        "data": base64.b64encode(data).decode("ascii"),
        "size": len(data),
        "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),
        "title": title,
    }
    return {"attachment": attachment, "format": MIME_SUFFICIENT}
