"""Checking FHIR Bundles in tests: the R4 JSON Schema, the R4B models and US Core by hand."""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).resolve().parent / "fhir" / "fhir.schema.json"


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def schema_errors(resource: dict[str, Any]) -> list[str]:
    """Every way ``resource`` breaks the FHIR R4 JSON Schema, as ``path: message`` lines."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message[:200]}"
        for error in _validator().iter_errors(resource)
    ]


def check_bundle(data: bytes) -> dict[str, Any]:
    """The Bundle in ``data``, after every check; an AssertionError says what failed."""
    bundle = json.loads(data)
    assert schema_errors(bundle) == []
    from fhir.resources.R4B.bundle import Bundle

    # The models decode every base64 field and check each instant's zone and each code.
    Bundle.model_validate(bundle)
    check_us_core(bundle)
    return bundle


def by_type(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The Bundle's resources by type (one of each in a procguide Bundle)."""
    found: dict[str, dict[str, Any]] = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert resource["resourceType"] not in found
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        found[resource["resourceType"]] = resource
    return found


def check_us_core(bundle: dict[str, Any]) -> None:
    """The US Core SHALL (mandatory) elements of the DocumentReference and CarePlan."""
    resources = by_type(bundle)
    assert set(resources) == {"DocumentReference", "CarePlan", "Patient"}
    document, plan, patient = (resources[k] for k in ("DocumentReference", "CarePlan", "Patient"))
    urls = {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle["entry"]}
    # DocumentReference: status, type, category, subject, content with contentType and data.
    assert document["status"] == "current"
    assert document["type"]["coding"] == [
        {"system": "http://loinc.org", "code": "69730-0", "display": "Instructions"}
    ]
    assert {
        "system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
        "code": "clinical-note",
        "display": "Clinical Note",
    } in document["category"][0]["coding"]
    for resource in (document, plan):
        assert resource["subject"]["reference"] == urls["Patient"]
        assert resource["subject"]["identifier"] == patient["identifier"][0]
    assert document["content"]
    for content in document["content"]:
        attachment = content["attachment"]
        assert attachment["contentType"]
        data = base64.b64decode(attachment["data"], validate=True)
        assert attachment["size"] == len(data)
    # CarePlan: status, intent, category assess-plan, subject, a narrative.
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["category"][0]["coding"][0]["code"] == "assess-plan"
    assert plan["text"]["status"] == "generated"
    assert plan["supportingInfo"] == [
        {"reference": urls["DocumentReference"], "type": "DocumentReference"}
    ]
    # Patient: an identifier with a system, for the chart to match.
    assert patient["identifier"][0]["system"] and patient["identifier"][0]["value"]


def attachment(document: dict[str, Any], content_type: str) -> bytes:
    """The bytes of the DocumentReference's attachment of ``content_type``."""
    (found,) = [
        c["attachment"]
        for c in document["content"]
        if c["attachment"]["contentType"] == content_type
    ]
    return base64.b64decode(found["data"])
