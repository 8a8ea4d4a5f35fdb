"""procguide record: what the nurse ticked on the teach-back sheet, appended to a record file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from procguide.cli.core import command
from procguide.cli.options import ConfigOpt, Flags, Lang, NoFlags, ProceduresDir


def _option(name: str, metavar: str, help: str) -> Any:
    return typer.Option(name, metavar=metavar, help=help)


Text = str | None
Many = list[str] | None
Procedure = Annotated[
    Text, typer.Argument(metavar="PROCEDURE", help="Procedure id, alias or CPT code (or --from).")
]
PatientId = Annotated[
    Text, _option("--patient-id", "ID", "The patient's identifier (record number).")
]
PatientIdSystem = Annotated[
    Text, _option("--patient-id-system", "URI", "The URI the identifier belongs to (urn:oid:…).")
]
Learner = Annotated[Many, _option("--learner", "WHO", "patient or escort (repeatable).")]
Interpreter = Annotated[
    Text, _option("--interpreter", "LANG", "no, or the interpreter's language (es).")
]
Barrier = Annotated[
    Many,
    _option(
        "--barrier",
        "BARRIER",
        "none, hearing, sight, reading, language, sedation, pain, memory, worry or other "
        "(repeatable).",
    ),
]
Method = Annotated[
    Many,
    _option("--method", "METHOD", "teach-back, spoken, written or demonstration (repeatable)."),
]
Result = Annotated[
    Many,
    _option(
        "--result",
        "QUESTION=RESULT",
        "A question's result: correct, retaught or not-achieved (one for each question).",
    ),
]
Response = Annotated[
    Text, _option("--response", "RESPONSE", "understood, needs-teaching or not-achieved.")
]
Nurse = Annotated[Text, _option("--nurse", "NAME", "Who taught, as they sign.")]
When = Annotated[
    Text, _option("--time", "YYYY-MM-DDTHH:MM", "When the teaching was (in the clinic's zone).")
]
Content = Annotated[
    Text, _option("--content", "HASH", "The content hash on the sheet's stamp (checked).")
]
HandoutId = Annotated[
    Text, _option("--handout-id", "URI", "The handout's FHIR DocumentReference identifier.")
]
Source = Annotated[
    Path | None, _option("--from", "FILE", "Read the events from a JSON or CSV file instead.")
]
To = Annotated[
    Path | None, _option("--to", "FILE", "The record file to add the lines to (- for stdout).")
]
Fhir = Annotated[
    Path | None, _option("--fhir", "FILE", "Also write the events as FHIR R4 Procedures.")
]


@command("record")
def record(
    procedure: Procedure = None,
    patient_id: PatientId = None,
    patient_id_system: PatientIdSystem = None,
    learner: Learner = None,
    interpreter: Interpreter = None,
    barrier: Barrier = None,
    method: Method = None,
    result: Result = None,
    response: Response = None,
    nurse: Nurse = None,
    time: When = None,
    flag: Flags = None,
    no_flag: NoFlags = None,
    lang: Lang = None,
    content: Content = None,
    handout_id: HandoutId = None,
    source: Source = None,
    to: To = None,
    fhir: Fhir = None,
    config: ConfigOpt = None,
    procedures_dir: ProceduresDir = None,
) -> None:
    """Record a teaching event (what the nurse ticked on the teach-back sheet) as a JSON line."""
    given = {
        "procedure": procedure, "patient_id": patient_id, "patient_id_system": patient_id_system,
        "lang": lang, "flags": flag, "no_flags": no_flag, "learners": learner,
        "interpreter": interpreter, "barriers": barrier, "methods": method, "results": result,
        "response": response, "nurse": nurse, "time": time, "content": content,
        "handout_id": handout_id,
    }  # fmt: skip
    from procguide.cli.record_run import run

    run({k: v for k, v in given.items() if v}, source, to, fhir, config, procedures_dir or [])
