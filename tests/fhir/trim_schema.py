"""Make fhir.schema.json here from the official FHIR R4 (4.0.1) JSON Schema: only the definitions
the tests need, reachable from the resources procguide writes and reads.

    python tests/fhir/trim_schema.py path/to/fhir.schema.json

The full schema lists every resource in ResourceList (what Bundle.entry.resource and
contained may hold); here it lists only ROOTS, so a Bundle holding anything else fails.
"""

import json
import sys
from pathlib import Path

ROOTS = ("Bundle", "DocumentReference", "CarePlan", "Patient", "Appointment")
HERE = Path(__file__).resolve().parent


def references(node: object) -> set[str]:
    """The definition names ``node`` points to with ``#/definitions/NAME``."""
    if isinstance(node, dict):
        found = set()
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/definitions/"):
                found.add(value.removeprefix("#/definitions/"))
            else:
                found |= references(value)
        return found
    if isinstance(node, list):
        return set().union(*(references(item) for item in node)) if node else set()
    return set()


def trim(full: dict) -> dict:
    definitions = full["definitions"]
    resources = {"oneOf": [{"$ref": f"#/definitions/{name}"} for name in ROOTS]}
    definitions = {**definitions, "ResourceList": resources}
    keep: set[str] = set()
    todo = ["ResourceList", *ROOTS]
    while todo:
        name = todo.pop()
        if name not in keep:
            keep.add(name)
            todo.extend(references(definitions[name]) - keep)
    return {
        "$schema": full["$schema"],
        "id": full["id"],
        "description": full["description"],
        "discriminator": {
            "propertyName": "resourceType",
            "mapping": {name: f"#/definitions/{name}" for name in ROOTS},
        },
        "oneOf": [{"$ref": "#/definitions/ResourceList"}],
        "definitions": {name: definitions[name] for name in sorted(keep)},
    }


if __name__ == "__main__":
    source = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    (HERE / "fhir.schema.json").write_text(json.dumps(trim(source), indent=1) + "\n")
