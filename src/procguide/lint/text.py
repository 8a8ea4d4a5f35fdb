"""Plain-language checks on one piece of text.

Sentences, reading grade, passive voice, jargon, and instructions to stop a medicine.

Each check returns what it found; lint.py decides where in the file it is and how serious.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from procguide.errors import MissingDependencyError
from procguide.lint import words

_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "dr.", "mr.", "mrs.", "ms.", "etc.", "vs.", "approx."})
# A sentence ends at . ! or ? (perhaps closed by a quote or bracket), then a space and a capital
# or a digit (Spanish may open it with ¿ or ¡). "100.4" and "e.g. a" do not end one.
_BOUNDARY = re.compile(r"[.!?][\"')\]”’»]*(\s+)(?=[\"'(\[“‘«¿¡]?[A-Z0-9ÁÉÍÓÚÑÜ])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, leaving decimals and common abbreviations whole."""
    found: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        before = text[start : match.start(1)].split()
        if before and before[-1].lower() in _ABBREVIATIONS:
            continue
        found.append(text[start : match.start(1)].strip())
        start = match.end(1)
    tail = text[start:].strip()
    if tail:
        found.append(tail)
    return found


def word_count(text: str) -> int:
    """Words in ``text``: runs of characters holding at least one letter or digit."""
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


def as_prose(texts: list[str]) -> str:
    """Join item texts into one passage, ending each with a full stop if it has none."""
    return " ".join(t if t.rstrip()[-1:] in ".!?" else t.rstrip() + "." for t in texts if t)


@cache
def _textstat() -> Any:
    try:
        import textstat  # type: ignore[import-untyped]
    except ImportError:
        raise MissingDependencyError(
            "reading grades need the textstat package", hint="pip install 'textstat>=0.7.5,<0.7.9'"
        ) from None
    return textstat


def vocabulary(text: str) -> float:
    """The Dale-Chall score of English ``text``: how many of its words are hard ones.

    4.9 or less reads as grade 4 and below, 6.0 to 6.9 as grades 7 and 8, 7.0 to 7.9 as
    grades 9 and 10.
    """
    return round(float(_textstat().dale_chall_readability_score(text)), 1)


def hard_words(text: str) -> list[str]:
    """The words of ``text`` not on Dale-Chall's list of easy words, most frequent first."""
    seen: dict[str, int] = {}
    textstat = _textstat()
    for word in re.findall(r"[A-Za-z][A-Za-z'-]+", text):
        lower = word.lower()
        if textstat.is_difficult_word(lower):
            seen[lower] = seen.get(lower, 0) + 1
    return sorted(seen, key=lambda w: (-seen[w], w))


def grade(text: str) -> float:
    """Flesch-Kincaid grade of ``text``, rounded to one decimal as it is reported."""
    textstat = _textstat()
    try:
        return round(float(textstat.flesch_kincaid_grade(text)), 1)
    except LookupError:
        # textstat 0.7.9 and later download a dictionary at run time, which fails offline.
        raise MissingDependencyError(
            "this textstat version needs a dictionary it downloads from the internet",
            hint="pip install 'textstat>=0.7.5,<0.7.9'",
        ) from None


GRADED_LANGUAGES = ("en", "es")
"""Languages lint can score: English (Flesch-Kincaid grade), Spanish (INFLESZ)."""
# The INFLESZ scale (Barrio-Cantalejo et al., Anales del Sistema Sanitario de Navarra 2008) reads
# Szigriszt-Pazos' perspicuity, validated on Spanish texts written for patients: the lowest score
# of each band, and its name.
INFLESZ_BANDS = ((80.0, "muy fácil"), (65.0, "bastante fácil"), (55.0, "normal"),
                 (40.0, "algo difícil"), (0.0, "muy difícil"))  # fmt: skip


def inflesz(text: str) -> float:
    """The INFLESZ score (Szigriszt-Pazos) of Spanish ``text``: 0-100, higher is easier."""
    textstat = _textstat()
    textstat.set_lang("es")
    try:
        return round(float(textstat.szigriszt_pazos(text)), 1)
    finally:
        textstat.set_lang("en_US")


def inflesz_band(score: float) -> str:
    """The name of the INFLESZ band ``score`` falls in: "bastante fácil", "normal"..."""
    return next(name for low, name in INFLESZ_BANDS if score >= low)


def score_in(text: str, language: str) -> float:
    """The readability of ``text`` in ``language``: a grade in English, INFLESZ in Spanish."""
    return inflesz(text) if language == "es" else grade(text)


_SPANISH_WORD = re.compile(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü]+")


@cache
def _common_spanish() -> frozenset[str]:
    from importlib.resources import files

    listed = files("textstat").joinpath("resources", "es", "easy_words.txt")
    return frozenset(line.strip().lower() for line in listed.read_text("utf-8").splitlines())


def spanish_hard_words(text: str) -> list[str]:
    """The hard words of Spanish ``text``, in order, repeats kept.

    A word is hard when it has 3 or more syllables and is not among the 20,000 commonest
    Spanish word forms of textstat's list. The list has word forms, not words: a plural or a
    verb form outside it ("inyecciones", "revisará") counts as hard, as Dale-Chall counts
    English plurals. A trend, not a verdict.
    """
    textstat = _textstat()
    common = _common_spanish()
    textstat.set_lang("es")
    try:
        return [
            word.lower()
            for word in _SPANISH_WORD.findall(text)
            if word.lower() not in common and int(textstat.syllable_count(word.lower())) >= 3
        ]
    finally:
        textstat.set_lang("en_US")


def spanish_vocabulary(text: str) -> float:
    """The share of hard words in Spanish ``text``, in percent, to one decimal."""
    count = len(_SPANISH_WORD.findall(text))
    return round(100 * len(spanish_hard_words(text)) / count, 1) if count else 0.0


def long_words(text: str, *, syllables: int = 4, limit: int = 3) -> list[str]:
    """Up to ``limit`` distinct words of ``syllables`` or more, longest first."""
    textstat = _textstat()
    seen: dict[str, int] = {}
    for word in _WORD.findall(text):
        key = word.lower()
        if key not in seen:
            seen[key] = int(textstat.syllable_count(key))
    ranked = sorted((w for w, n in seen.items() if n >= syllables), key=lambda w: -seen[w])
    return ranked[:limit]


def passive(sentence: str) -> str | None:
    """The first passive phrase in ``sentence`` that hides who must act, or None.

    A form of "to be" and a past participle ("is cleaned") is passive. Plain text often
    says "the shot can be repeated" or "several knots are treated", and that is fine; the
    passive is reported only where it hurts: an instruction that does not say who must
    act ("the dressing should be removed"), an official one ("you are advised to"), or
    one that names the actor last ("you will be seen by a nurse": "a nurse will see you").
    """
    tokens = [t.lower().replace("’", "'") for t in _WORD.findall(sentence)]
    for index, token in enumerate(tokens):
        if token not in words.BE_FORMS:
            continue
        end = index + 1
        while end < len(tokens) and end - index <= 2 and _is_adverb(tokens[end]):
            end += 1
        if end >= len(tokens) or not _is_participle(tokens[end]):
            continue
        before = " ".join(tokens[max(0, index - 2) : index])
        after = tokens[end + 1 : end + 3]
        obligation = re.search(words.OBLIGATION, before)
        obliged = obligation is not None
        official = tokens[end] in words.OFFICIAL
        by_actor = len(after) == 2 and after[0] == "by" and not after[1].endswith("ing")
        if obliged or official or by_actor:
            start = index - len(obligation.group(0).split()) if obligation else index
            if official and start > 0 and tokens[start - 1] in ("it", "you"):
                start -= 1
            return " ".join(tokens[start : end + (3 if by_actor else 1)])
    return None


def _is_adverb(token: str) -> bool:
    return token in words.ADVERBS or (token.endswith("ly") and len(token) > 4)


def _is_participle(token: str) -> bool:
    if token in words.NOT_PASSIVE:
        return False
    return (token.endswith("ed") and len(token) > 4) or token in words.PARTICIPLES


@dataclass(frozen=True)
class Term:
    """A jargon term, its plain words, and the pattern that finds it."""

    term: str
    plain: str
    pattern: re.Pattern[str]
    explained_by: tuple[str, ...]
    """Lower-case words that, in the same sentence, explain the term: the plain words first."""
    wordy: bool = False
    """An everyday word has the same meaning ("utilize"): replace it, do not explain it."""


def compile_jargon(
    table: Mapping[str, str], not_before: Mapping[str, str] | None = None
) -> tuple[Term, ...]:
    """Patterns for ``table`` (term -> plain words), matching common word endings."""
    not_before = words.JARGON_NOT_BEFORE if not_before is None else not_before
    terms: list[Term] = []
    for term, plain in table.items():
        body = r"\s+".join(re.escape(part) for part in term.split())
        if term.endswith("e") and " " not in term:
            body = body[:-1] + r"(?:e|es|ed|ing)"
        else:
            body += r"(?:s|es|ed|ing)?"
        guard = f"(?!{not_before[term]})" if term in not_before else ""
        flags = 0 if term in words.CASE_SENSITIVE else re.IGNORECASE
        pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-]){guard}", flags)
        explained_by = (plain.lower(), *words.EXPLAINED_BY.get(term, ()))
        terms.append(Term(term, plain, pattern, explained_by, term in words.WORDY))
    return tuple(terms)


def jargon(sentence: str, terms: tuple[Term, ...]) -> Iterator[tuple[str, Term]]:
    """Unexplained jargon in ``sentence``: (the words as written, the term).

    A term is explained when it stands in brackets after the plain words ("live X-ray
    pictures (fluoroscopy)") or when its plain words are elsewhere in the same sentence.
    """
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str, Term]] = []
    # Longest terms first, so "general anesthesia" is one finding, not also "anesthesia".
    for term in sorted(terms, key=lambda t: -len(t.term)):
        for match in term.pattern.finditer(sentence):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            # The plain words must be there besides the term ("knee" is in "knee joint").
            rest = " ".join((sentence[: span[0]] + " " + sentence[span[1] :]).lower().split())
            if any(plain in rest for plain in term.explained_by):
                continue
            opened = sentence[: match.start()]
            if opened.count("(") > opened.count(")"):
                continue
            found.append((span[0], match.group(0), term))
    seen: set[str] = set()
    for _, written, term in sorted(found, key=lambda f: f[0]):
        if term.term not in seen:
            seen.add(term.term)
            yield written, term


_STOP = re.compile(rf"\b(?:{words.STOP_VERBS})\b", re.IGNORECASE)
_DONT_TAKE = re.compile(r"\b(?:do\s+not|don't|don’t|never)\s+(?:take|use)\b", re.IGNORECASE)
_MEDICINE = re.compile(rf"\b(?:{words.MEDICINES})\b", re.IGNORECASE)
_CARE_TEAM = re.compile(rf"\b(?:{words.CARE_TEAM})\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|never|no|don't|don’t|doesn't|won't)\b|n't\b", re.IGNORECASE)


def stops_medicine(sentence: str) -> tuple[str, bool] | None:
    """The words that tell the patient to stop a medicine on their own, or None.

    "Stop taking aspirin 7 days before" is such an instruction; "Do not stop taking it
    unless your care team tells you to" is not, nor is a question, nor any sentence that
    leaves the decision to the care team. The flag returned with the words is True for
    "stop" and False for "do not take", which may be about starting a new medicine.
    """
    if _CARE_TEAM.search(sentence) or sentence.rstrip().endswith("?"):
        return None
    for match in _STOP.finditer(sentence):
        before = " ".join(sentence[: match.start()].split()[-3:])
        if _NEGATION.search(before):
            continue
        after = " ".join(sentence[match.end() :].split()[:6])
        if re.match(r"taking\b", after, re.IGNORECASE) or _MEDICINE.search(after):
            return _quote(sentence[match.start() :]), True
    for match in _DONT_TAKE.finditer(sentence):
        after = " ".join(sentence[match.end() :].split()[:6])
        if _MEDICINE.search(after):
            return _quote(sentence[match.start() :]), False
    return None


def mentions_care_team(text: str) -> bool:
    """Whether ``text`` leaves a decision to the care team (or doctor, nurse, clinic)."""
    return _CARE_TEAM.search(text) is not None


def _quote(text: str, count: int = 5) -> str:
    return " ".join(text.split()[:count]).rstrip(".,;:")


def snippet(sentence: str, count: int = 8) -> str:
    """The first ``count`` words of ``sentence``, with an ellipsis when cut."""
    parts = sentence.split()
    return " ".join(parts[:count]) + ("…" if len(parts) > count else "")


_NUMBER = r"\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_UNIT_MINUTES = {"min": 1, "hou": 60, "hr": 60, "day": 24 * 60, "wee": 7 * 24 * 60}
_DURATION = re.compile(
    rf"\b(?P<first>{_NUMBER})(?:\s*(?:to|-|–|or)\s*(?P<second>{_NUMBER}))?"
    r"\s+(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?)\b"
    r"(?:\s+or\s+(?P<more>two|three))?",
    re.IGNORECASE,
)


def durations(text: str) -> set[tuple[int, int, bool]]:
    """Durations ``text`` mentions: "1 to 2 days", "a day or two", "6 hours".

    Each is (minutes, the number as written, whether it is in days or weeks).
    """
    found: set[tuple[int, int, bool]] = set()
    for match in _DURATION.finditer(text):
        unit = match["unit"].lower()
        factor = _UNIT_MINUTES[unit[:2] if unit.startswith("hr") else unit[:3]]
        for name in ("first", "second", "more"):
            value = match[name]
            if value:
                number = int(value) if value.isdigit() else _NUMBERS[value.lower()]
                found.add((number * factor, number, factor >= 24 * 60))
    return found
