"""Lint rules for what a clinical review found by hand.

Words meant for reviewers, British words on US sheets, and clinical items that rest on
sources a clinician cannot rely on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from procguide.content.model import REPUTABLE_KINDS, PrepItem, Procedure, RecoveryItem
from procguide.lint import text
from procguide.lint.context import ERROR, WARNING, Finding, LintFile

# Phrases that talk about the sources instead of to the patient.
_REVIEWER = re.compile(
    r"\b(?:sources? (?:give|gives|say|says|differ|vary|suggest)|this time uses|"
    r"the (?:longer|shorter|later|earlier) one|according to (?:the )?sources|"
    r"(?:we|this sheet) (?:chose|picked|used) the)\b",
    re.IGNORECASE,
)

# British words on a US sheet (911, °F, Tylenol), and the US words to use instead.
BRITISH: dict[str, str] = {
    "drip": "IV",
    "dressing": "bandage",
    "dressings": "bandages",
    "day case": "same-day (outpatient) procedure",
    "day surgery unit": "outpatient surgery center",
    "day unit": "outpatient center",
    "hot water bottle": "heating pad",
    "got better": "gotten better",
    "paracetamol": "acetaminophen (Tylenol)",
    "A&E": "the emergency room",
    "GP": "your primary care doctor",
    "anaesthetic": "anesthetic",
    "anaesthetist": "anesthesiologist",
    "haematoma": "hematoma",
    "oedema": "swelling",
    "fortnight": "2 weeks",
    "plaster": "bandage",
    "jumper": "sweater",
    "trousers": "pants",
    "tablets": "pills",
    "poo": "stool",
    "wee": "urine",
    "colour": "color",
    "centre": "center",
}
_BRITISH = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(w) for w in sorted(BRITISH, key=len, reverse=True))
    + r")(?![\w-])"
)

# Sections whose every item is a clinical claim a patient acts on.
_CLINICAL_SECTIONS = frozenset({"risks", "get_help", "restrictions"})
_NUMBER = re.compile(r"\d")


def rule_reviewer_language(file: LintFile) -> Iterator[Finding]:
    """Patient text speaks to the patient, never about how the sources were weighed."""
    for key, value in file.texts:
        for sentence in text.sentences(value):
            match = _REVIEWER.search(sentence)
            if match:
                message = (
                    f"'{match.group(0)}' is written for a reviewer, not the patient: say what to "
                    "do, or that the care team will tell them"
                )
                line = file.sentence_line(key, sentence)
                yield file.finding(key, "reviewer-language", ERROR, message, line)


def rule_us_english(file: LintFile) -> Iterator[Finding]:
    """US sheets use US words: "IV", not "drip"; "bandage", not "dressing"."""
    if file.language != "en":
        return
    for key, value in file.texts:
        for sentence in text.sentences(value):
            for match in _BRITISH.finditer(sentence):
                word = match.group(1)
                message = f"'{word}' is British English: say '{BRITISH[word]}'"
                line = file.sentence_line(key, sentence)
                yield file.finding(key, "us-english", WARNING, message, line)


def rule_source_quality(file: LintFile) -> Iterator[Finding]:
    """A clinical item needs a source a clinician can look up and rely on.

    Clinical items are risks, red flags, limits, timed items and any text with a number; a
    clinic web page or a seed alone does not support them.
    """
    kinds = {source.id: source.kind for source in file.procedure.sources}
    for index, source in enumerate(file.procedure.sources):
        if source.kind is None:
            message = (
                f"source '{source.id}' does not say its kind: add `kind:` (one of "
                f"{', '.join(sorted(REPUTABLE_KINDS))}, clinic-web-page, seed)"
            )
            yield file.finding(("sources", index, "kind"), "source-quality", WARNING, message)
    for key, item in file.items:
        clinical = (
            key[0] in _CLINICAL_SECTIONS
            or isinstance(item, PrepItem | RecoveryItem)
            and _is_timed(item)
            or bool(_NUMBER.search(item.text))
        )
        if not clinical or any(kinds.get(s) in REPUTABLE_KINDS for s in item.sources):
            continue
        message = (
            "rests only on sources a clinician cannot rely on (clinic web pages, seeds, or no "
            "kind given): cite a health service, hospital leaflet, society, regulator, paper or "
            "product label"
        )
        yield file.finding((*key, "sources"), "source-quality", WARNING, message)


def _is_timed(item: PrepItem | RecoveryItem) -> bool:
    if isinstance(item, PrepItem):
        return item.before is not None
    return True


# Aliases that name a family of procedures, not one: a clinician typing them could be
# thinking of another procedure (cryoablation of a tumour, a steroid injection into a knee)
# and would print the wrong sheet.
GENERIC_ALIASES = frozenset(
    {
        "ablation",
        "block",
        "cryoablation",
        "cryotherapy",
        "epidural",
        "epidural-injection",
        "injection",
        "nerve-ablation",
        "nerve-injection",
        "pain-injection",
        "rf",
        "rfa",
        "spinal-injection",
        "spine-injection",
        "steroid-injection",
        "stimulator",
    }
)
_WORD = re.compile(r"[a-z]+")
_STOP = frozenset(
    "a an and or the you your of in on to is are be if it its with for at from has have not "
    "any that this new".split()
)
_SAME = 0.75


def rule_generic_alias(file: LintFile) -> Iterator[Finding]:
    """An alias is one procedure's other name, never a term for a family of procedures."""
    for index, alias in enumerate(getattr(file.procedure, "aliases", ())):
        if alias in GENERIC_ALIASES:
            message = (
                f"alias '{alias}' also names other procedures, so it could print the wrong "
                "sheet: remove it, or use a name only this procedure has"
            )
            yield file.finding(("aliases", index), "generic-alias", ERROR, message)


def rule_one_triage(file: LintFile) -> Iterator[Finding]:
    """A symptom is triaged once.

    The same sign under 'call the clinic' and 'call 911' leaves the patient to guess.
    """
    procedure = file.procedure
    if not isinstance(procedure, Procedure):  # a block: checked where it is included
        return
    get_help = procedure.get_help
    urgent = [(index, _words(item.text)) for index, item in enumerate(get_help.call_emergency)]
    for index, item in enumerate(get_help.call_clinic):
        words = _words(item.text)
        for other, urgent_words in urgent:
            if words and urgent_words and _overlap(words, urgent_words) >= _SAME:
                message = (
                    f"the same sign as get_help.call_emergency.{other}: triage it once, or say "
                    "what makes one urgent (for example: 'that gets worse', 'with a fever')"
                )
                yield file.finding(
                    ("get_help", "call_clinic", index), "one-triage", WARNING, message
                )


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def _overlap(first: frozenset[str], second: frozenset[str]) -> float:
    return len(first & second) / min(len(first), len(second))
