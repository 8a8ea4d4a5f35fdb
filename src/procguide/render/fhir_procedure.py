"""A teaching record as a FHIR R4 Procedure: the chart's record that the teaching happened.

Plain data, from one line of a teaching record file (``procguide-teaching-record/1``), for
``procguide record --fhir`` and for a FHIR export to put in its Bundle beside the handout's
DocumentReference, which the Procedure names by identifier in ``report``. Rules, as for the
handout's export: the id is derived from the record (UUID version 5), so the same record sent
again updates rather than duplicates; times are the record's, with their zone.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Mapping
from typing import Any

from procguide.errors import UsageError

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:procguide:fhir")
"""Where every id of a procguide FHIR resource is derived from."""
SNOMED = "http://snomed.info/sct"
PATIENT_EDUCATION = {"system": SNOMED, "code": "311401005", "display": "Patient education"}
"""SNOMED CT's concept for the procedure of educating a patient."""
URI_SYSTEM = "urn:ietf:rfc:3986"
RESPONSES = "urn:procguide:teaching-record:response"
"""procguide's own codes for the overall response (the record's ``response``)."""
RESULT_WORDS = {
    "correct": "correct",
    "retaught": "taught again, then correct",
    "not-achieved": "not achieved",
}
RESPONSE_WORDS = {
    "understood": "Understood every key point",
    "needs-teaching": "Needs more teaching",
    "not-achieved": "Not achieved",
}


def procedure_resource(
    record: Mapping[str, Any],
    *,
    procedure_name: str | None = None,
    document_reference: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The FHIR R4 Procedure of one teaching ``record``.

    ``document_reference`` is the handout's DocumentReference identifier (``system`` and
    ``value``); without it, the record's own ``handout`` is used.

    Raises:
        UsageError: when the patient's identifier has no system, or no handout is named: a
            chart files the Procedure under the patient and beside the sheet it taught from.
    """
    patient = record["patient"]
    if not patient.get("system"):
        raise UsageError(
            "FHIR output needs the system of the patient's identifier",
            hint="the URI your record numbers belong to, e.g. urn:oid:1.2.3.4",
            field="patient_id_system",
        )
    handout = document_reference or record.get("handout")
    if not handout:
        raise UsageError(
            "FHIR output needs the identifier of the handout's DocumentReference",
            hint="the urn:uuid:… of the sheet's FHIR DocumentReference",
            field="handout_id",
        )
    rid = str(uuid.uuid5(NAMESPACE, "Procedure|teaching|" + _key(record)))
    about = procedure_name or record["procedure"]
    notes = _notes(record)
    return {
        "resourceType": "Procedure",
        "id": rid,
        "text": _narrative([f"Teach-back teaching about {about}", *notes]),
        "identifier": [{"system": URI_SYSTEM, "value": f"urn:uuid:{rid}"}],
        "status": "completed",
        "category": {"coding": [PATIENT_EDUCATION], "text": PATIENT_EDUCATION["display"]},
        "code": {"coding": [PATIENT_EDUCATION], "text": f"Teach-back teaching about {about}"},
        "subject": {"identifier": {"system": patient["system"], "value": patient["id"]}},
        "performedDateTime": record["time"],
        "performer": [{"actor": {"display": record["nurse"]}}],
        "outcome": _outcome(record["response"]),
        "report": [
            {
                "type": "DocumentReference",
                "identifier": {"system": handout["system"], "value": handout["value"]},
            }
        ],
        "note": [{"text": note} for note in notes],
    }


def _outcome(response: str) -> dict[str, Any]:
    words = RESPONSE_WORDS[response]
    return {"coding": [{"system": RESPONSES, "code": response, "display": words}], "text": words}


def _key(record: Mapping[str, Any]) -> str:
    """What makes a teaching event itself: whom, what, from which content, and when."""
    patient = record["patient"]
    return "|".join(
        (
            patient.get("system") or "",
            patient["id"],
            record["procedure"],
            record["content_sha256"],
            record["language"],
            record["time"],
        )
    )


def _notes(record: Mapping[str, Any]) -> list[str]:
    interpreter = record["interpreter"]
    spoken = f"interpreter ({interpreter['language']})" if interpreter["used"] else "no interpreter"
    notes = [
        f"Learners: {', '.join(record['learners'])}; {spoken}; barriers: "
        f"{', '.join(record['barriers'])}; methods: {', '.join(record['methods'])}; "
        f"language: {record['language']}; content {record['content_sha256'][:12]}."
    ]
    for question in record["questions"]:
        notes.append(
            f"Question {question['id']} (checks {', '.join(question['checks'])}): "
            f"{RESULT_WORDS[question['result']]}."
        )
    return notes


def _narrative(lines: list[str]) -> dict[str, str]:
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """The Procedures as one FHIR collection Bundle, its id derived from theirs."""
    rid = str(uuid.uuid5(NAMESPACE, "Bundle|teaching|" + "|".join(r["id"] for r in resources)))
    return {
        "resourceType": "Bundle",
        "id": rid,
        "identifier": {"system": URI_SYSTEM, "value": f"urn:uuid:{rid}"},
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
