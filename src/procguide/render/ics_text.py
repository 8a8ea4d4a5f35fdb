"""Event titles and descriptions, from the document's ready-made phrases."""

from __future__ import annotations

import re

TITLE_MAX = 60
"""Longest first sentence used as a title; longer ones get a label instead of a cut."""
_SENTENCE_END = re.compile(r"[.!?]\s+")
# A full stop after these is not the end of a sentence; when unsure, the sentence only gets
# longer, which at worst gives a label title instead of a wrong one.
_ABBREVIATIONS = frozenset(
    "dr mr mrs ms mx prof st sr jr no nr vs approx etc e.g i.e eg ie dra sra srta p.ej".split()
)


def title(text: str, label: str) -> str:
    """The first sentence when it is short enough to be a title, else ``label``."""
    sentence = _first_sentence(text)
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    return sentence if 0 < len(sentence) <= TITLE_MAX else label


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    for match in _SENTENCE_END.finditer(flat):
        word = flat[: match.start()].rsplit(" ", 1)[-1].strip("(\"'").lower()
        following = flat[match.end() : match.end() + 1]
        if following.islower() or len(word) <= 1 or word in _ABBREVIATIONS:
            continue
        return flat[: match.start() + 1]
    return flat


def paragraphs(*parts: str | None) -> str:
    """The parts that are given, as paragraphs of an event's description."""
    return "\n\n".join(part for part in parts if part)


def lower_first(text: str) -> str:
    """The phrase with a small first letter, to follow a label."""
    # "First 2 days" -> "first 2 days", but an acronym such as "ICU" keeps its capitals.
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
