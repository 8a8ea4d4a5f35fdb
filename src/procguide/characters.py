"""The one rule for characters that can hide, fake or drive text, wherever text comes from.

Control and format characters (NUL, ESC, right-to-left overrides, zero-width spaces),
surrogates (bytes that were not UTF-8), private-use characters (which print as anything a
font likes), line and paragraph separators (YAML reads them as line ends, editors do not),
and the non-characters U+FFFE and U+FFFF. Tabs and line ends are layout, not hidden text.
"""

from __future__ import annotations

import unicodedata

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
LAYOUT = frozenset("\t\n\r")


def is_invisible(char: str) -> bool:
    """Whether ``char`` is refused in content, on the command line and in a roster."""
    if char in LAYOUT:
        return False
    return unicodedata.category(char) in INVISIBLE_CATEGORIES or char in "\ufffe\uffff"


def visible(text: str) -> str:
    """``text`` without the characters ``is_invisible`` refuses (for file names)."""
    return "".join(char for char in text if not is_invisible(char))


JOINERS = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner: Persian, Malayalam and other scripts spell words with
them, and emoji sequences (a family, a flag) are built with the joiner."""


def is_joiner_in_a_word(text: str, index: int) -> bool:
    """Whether the joiner at ``index`` sits between two visible characters of a word.

    Allowed there in what a clinician types (a patient's name); refused elsewhere, and
    always in content files, where nothing needs them and they could hide text.
    """
    if text[index] not in JOINERS or index == 0 or index == len(text) - 1:
        return False
    before, after = text[index - 1], text[index + 1]
    return all(unicodedata.category(c)[0] in "LMS" and not is_invisible(c) for c in (before, after))
