"""What the nurse ticked on the teach-back sheet, checked field by field as it arrives.

The same keys come from the command line's options, a JSON object or a CSV row (``KEYS``).
Every problem is a UsageError naming its key, never the value given where it could be a
patient's: each reader words the key for its user (``--learner``, "the learners column").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from procguide.document.patient import clean_text
from procguide.errors import UsageError
from procguide.record.line import Barrier, Learner, Method, Response, Result

KEYS = (
    "procedure", "patient_id", "patient_id_system", "lang", "flags", "no_flags", "learners",
    "interpreter", "barriers", "methods", "results", "response", "nurse", "time", "content",
    "handout_id",
)  # fmt: skip
"""Every key a teaching event may give, in the order the README lists them."""
REQUIRED = (
    "procedure", "patient_id", "learners", "interpreter", "barriers", "methods", "results",
    "response", "nurse", "time",
)  # fmt: skip
_CODE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_HASH = re.compile(r"^[0-9a-f]{12,64}$")


@dataclass(frozen=True)
class Ticked:
    """One teaching event as the nurse gave it, each value checked on its own."""

    procedure: str
    patient_id: str
    patient_id_system: str | None
    lang: str | None
    flags: tuple[str, ...]
    no_flags: tuple[str, ...]
    learners: tuple[str, ...]
    interpreter: str | None
    """The interpreter's language, or None when no interpreter took part."""
    barriers: tuple[str, ...]
    methods: tuple[str, ...]
    results: tuple[tuple[str, str], ...]
    """(question id, result), as given."""
    response: str
    nurse: str
    time: str
    content: str | None
    """The content hash from the sheet's stamp, when given: it must be the content's now."""
    handout_id: str | None


def shown(value: str, known: tuple[str, ...] | list[str], noun: str = "a value") -> str:
    """``'value'`` when it is one of ``known`` codes or a near miss of one; else ``noun``.

    A near miss ("get-hlep") is worth showing; anything else could be text typed in the wrong
    place, such as a patient's name, and is never echoed.
    """
    import difflib

    if _CODE.fullmatch(value) and (
        value in known or difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    ):
        return f"'{value}'"
    return noun


def ticked(raw: Mapping[str, Any]) -> Ticked:
    """Check ``raw`` (keys from ``KEYS``); raise UsageError naming the first key that is wrong."""
    for key in raw:
        if key not in KEYS:
            name = (
                f"'{key}'"
                if isinstance(key, str) and _CODE.fullmatch(key.replace("_", "-"))
                else "a key"
            )
            raise UsageError(
                f"{name} is not a field of a teaching record", hint="fields: " + ", ".join(KEYS)
            )
    for key in REQUIRED:
        if raw.get(key) in (None, "", [], {}):
            raise UsageError("is required but missing", field=key)
    interpreter = _text(raw, "interpreter").lower()
    return Ticked(
        procedure=_text(raw, "procedure"),
        patient_id=_text(raw, "patient_id"),
        patient_id_system=_uri(raw, "patient_id_system"),
        lang=_text(raw, "lang") if raw.get("lang") not in (None, "") else None,
        flags=_codes(raw, "flags"),
        no_flags=_codes(raw, "no_flags"),
        learners=_choices(raw, "learners", get_args(Learner)),
        interpreter=None if interpreter == "no" else _language(interpreter),
        barriers=_barriers(raw),
        methods=_choices(raw, "methods", get_args(Method)),
        results=_results(raw),
        response=_one_of(_text(raw, "response"), get_args(Response), "response"),
        nurse=_text(raw, "nurse"),
        time=_text(raw, "time"),
        content=_content(raw),
        handout_id=_uri(raw, "handout_id"),
    )


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise UsageError("must be text", field=key)
    text = clean_text(value, key)
    if not text:
        raise UsageError("is required but missing", field=key)
    return text


def _uri(raw: Mapping[str, Any], key: str) -> str | None:
    if raw.get(key) in (None, ""):
        return None
    text = _text(raw, key)
    if not _URI.fullmatch(text):
        raise UsageError(
            "is not a URI", hint="for example urn:oid:1.2.840.114350 or urn:uuid:…", field=key
        )
    return text


def _list(raw: Mapping[str, Any], key: str) -> list[str]:
    """A list given as a list of text, or as text separated by semicolons."""
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(";")
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = [part for v in value for part in v.split(";")]
    else:
        raise UsageError("must be text, or a list of text", field=key)
    return [clean_text(item, key).lower() for item in items if item.strip()]


def _codes(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    found = _list(raw, key)
    for value in found:
        if not _CODE.fullmatch(value):
            raise UsageError("holds a value that is not a flag name", field=key)
    return tuple(found)


def _one_of(value: str, allowed: tuple[str, ...], key: str) -> str:
    value = value.lower()
    if value not in allowed:
        raise UsageError(f"{shown(value, allowed)} is not one of {', '.join(allowed)}", field=key)
    return value


def _choices(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    found = [_one_of(value, allowed, key) for value in _list(raw, key)]
    if not found:
        raise UsageError("is required but missing", field=key)
    for value in found:
        if found.count(value) > 1:
            raise UsageError(f"gives '{value}' twice", field=key)
    return tuple(found)


def _barriers(raw: Mapping[str, Any]) -> tuple[str, ...]:
    found = _choices(raw, "barriers", get_args(Barrier))
    if "none" in found and len(found) > 1:
        raise UsageError("gives 'none' and a barrier too", hint="give none alone", field="barriers")
    return found


def _language(value: str) -> str:
    from procguide.i18n.languages import check_code

    try:
        return check_code(value)
    except UsageError:
        raise UsageError(
            "is not no or a language code",
            hint="for example no, es or zh-hant",
            field="interpreter",
        ) from None


def _results(raw: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    value = raw.get("results")
    pairs: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for question, result in value.items():
            if not isinstance(question, str) or not isinstance(result, str):
                raise UsageError("must map each question id to a result, as text", field="results")
            pairs.append((question.strip().lower(), result))
    else:
        for item in _list(raw, "results"):
            question, sep, result = item.partition("=")
            if not sep:
                raise UsageError(
                    "gives a question without its result",
                    hint="write QUESTION=RESULT, for example get-help=correct",
                    field="results",
                )
            pairs.append((question.strip(), result))
    checked = []
    for question, result in pairs:
        checked.append((question, _one_of(result.strip(), get_args(Result), "results")))
        if [q for q, _ in pairs].count(question) > 1:
            raise UsageError(
                f"gives the question {shown(question, [question], 'a question')} twice",
                field="results",
            )
    return tuple(checked)


def _content(raw: Mapping[str, Any]) -> str | None:
    if raw.get("content") in (None, ""):
        return None
    text = _text(raw, "content").lower()
    if not _HASH.fullmatch(text):
        raise UsageError(
            "is not a content hash",
            hint="copy the 12 digits after 'content' on the sheet's stamp",
            field="content",
        )
    return text
