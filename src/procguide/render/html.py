"""What the HTML handout needs beyond escaping: whole dates, print margins, described images.

A date split over two lines ("Thu 10 / Dec 2026") is easy to misread, so the spaces inside a
date become no-break spaces, as the PDF's template does. The printed page's running header
and footer are CSS (``@page`` margin boxes), so values reach them as CSS strings, escaped
here so that a name can never end the style sheet or become a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from procguide.errors import TemplateError

# "Tue 1 Dec 2026" (any language's short names), and Spanish "1 de diciembre de 2026".
_DATES = re.compile(
    r"\b[^\W\d_]+\.? \d{1,2} [^\W\d_]+\.? \d{4}\b|\b\d{1,2} de [^\W\d_]+ de \d{4}\b"
)
NO_BREAK_SPACE = "\u00a0"
# The start of every tag that shows an image: <img, <area, <input (type=image), any case.
_IMAGE_TAG = re.compile(r"<(?:img|area|input)\b", re.IGNORECASE)


def keep_dates_together(text: str) -> str:
    """``text`` with no line break possible inside a date."""
    return _DATES.sub(lambda m: m[0].replace(" ", NO_BREAK_SPACE), text)


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that prints as itself inside a ``<style>`` element.

    Letters, digits and spaces stay; every other character is a hex escape, so a quote, a
    backslash, a new line or ``</style>`` in a value cannot end the string or the sheet.
    """
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def css_counters(text: str) -> str:
    """A CSS ``content`` value for ``text``, where ``{page}`` and ``{pages}`` are counters."""
    parts = re.split(r"(\{page\}|\{pages\})", text)
    words = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(words.get(part) or css_string(part) for part in parts if part)


def check_images(html: str) -> None:
    """Refuse an image without alternative text: a screen reader has nothing to say for it.

    ``alt=""`` is allowed: it is how a template marks an image as decoration.
    """
    # Values are escaped on the way in, so a tag can only be the template's own: a sheet
    # with no image tag at all (every built-in one) needs no parse, which is most of a
    # batch row's HTML time.
    if not _IMAGE_TAG.search(html):
        return
    parser = _images_parser()
    parser.feed(html)
    parser.close()
    if parser.undescribed:
        raise TemplateError(
            f"HTML template: an image has no alternative text, at line {parser.undescribed[0]} "
            "of the rendered HTML",
            hint='give it alt="..." (alt="" for pure decoration)',
        )


def _images_parser() -> Any:
    # Imported here: the parser costs a text handout's start-up about 3% for HTML alone.
    from html.parser import HTMLParser

    class Images(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.undescribed: list[int] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            names = {name for name, _ in attrs}
            image_input = tag == "input" and ("type", "image") in attrs
            if (tag in ("img", "area") or image_input) and "alt" not in names:
                self.undescribed.append(self.getpos()[0])

    return Images()


def _text(value: Any) -> str:
    from markupsafe import Markup

    return value.unescape() if isinstance(value, Markup) else str(value)


def _css(make: Callable[[str], str]) -> Callable[[Any], Any]:
    from markupsafe import Markup

    return lambda value: Markup(make(_text(value)))


HTML_FILTERS: dict[str, Callable[[Any], Any]] = {
    # A value or a translation as CSS text, for the printed page's header and footer.
    "css_string": _css(css_string),
    "css_counters": _css(css_counters),
    # Dates procguide wrote (never a patient's own words) stay on one line.
    "whole_dates": keep_dates_together,
}
"""The HTML templates' filters, added to every Jinja environment procguide makes."""
