"""Properties that must hold for any input: offsets, daylight-saving times, escaping, loading."""

import functools
import html
import io
import json
import re
import tempfile
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import PROCEDURES
from procguide.content.offsets import Offset
from procguide.document.schedule import make_appointment
from procguide.errors import ContentError, UsageError

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# Rendering four formats per example is the slow part of the suite.
RENDER_SETTINGS = settings(SETTINGS, max_examples=100)

# --- Offsets ---

NEAR_OFFSETS = st.from_regex(
    r"\A\s{0,2}[+-]?[0-9٣６]{0,6}(\.[0-9])?\s{0,2}(min|h|d|w|m|s|hr|H|MIN)?\s{0,2}\Z"
)


@SETTINGS
@given(st.one_of(st.text(), NEAR_OFFSETS))
def test_any_text_is_an_offset_that_round_trips_or_a_value_error(text):
    try:
        offset = Offset.parse(text)
    except ValueError as error:
        assert "is not a clear offset" in str(error)
        return
    assert Offset.parse(str(offset)) == offset
    assert re.fullmatch(r"[0-9]{1,4}(min|h|d|w)", str(offset))
    assert "".join(text.split()).lstrip("0") in (str(offset), str(offset).lstrip("0"))


@SETTINGS
@given(st.integers(0, 9999), st.sampled_from(["min", "h", "d", "w"]), st.sampled_from(["", " "]))
def test_every_clear_offset_means_what_it_says(amount, unit, gap):
    offset = Offset.parse(f"{amount}{gap}{unit}")
    minutes = {"min": 1, "h": 60, "d": 1440, "w": 10080}[unit]
    assert (offset.amount, offset.unit, offset.minutes) == (amount, unit, amount * minutes)
    assert offset.delta == timedelta(minutes=amount * minutes)


@pytest.mark.parametrize("text", ["٣h", "６h", "1.5h", "1m", "6", "-1h", "10000h", "6 hours", ""])
def test_unclear_offsets_are_refused(text):
    with pytest.raises(ValueError, match="is not a clear offset"):
        Offset.parse(text)


def test_the_message_about_a_long_offset_is_short():
    with pytest.raises(ValueError) as caught:
        Offset.parse("x" * 100_000)
    assert len(str(caught.value)) < 200


# --- Dates and times across daylight-saving changes ---

ZONES = sorted(available_timezones() - {"Factory", "localtime"})
# Zones whose clocks change, including the odd ones: half-hour and two-hour shifts, changes
# at midnight, "negative" summer time, a skipped calendar day (Apia, 2011-12-30).
CHANGING = [
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "America/Santiago",
    "America/Havana",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Asia/Tehran",
    "Africa/Casablanca",
    "Europe/Dublin",
    "Antarctica/Troll",
    "Pacific/Apia",
    "Asia/Gaza",
]


def _offsets_near(naive, zone):
    """Every UTC offset the zone uses within two days of ``naive``: an independent oracle."""
    middle = naive.replace(tzinfo=UTC)
    return {(middle + timedelta(hours=h)).astimezone(zone).utcoffset() for h in range(-48, 49)}


def _readings(naive, zone):
    """The real instants whose wall-clock time in ``zone`` is ``naive``: 0, 1 or 2 of them."""
    found = set()
    for offset in _offsets_near(naive, zone):
        instant = (naive - offset).replace(tzinfo=UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == naive:
            found.add(instant)
    return found


def _transitions(zone, year):
    """Instants in ``year`` when the zone's UTC offset changes, to the minute."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    days = [start + timedelta(days=d) for d in range(367)]
    found = []
    for before, after in zip(days, days[1:], strict=False):
        if before.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            low, high = before, after
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= low:
                    break
                if mid.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = mid
                else:
                    high = mid
            found.append(high)
    return found


@st.composite
def appointments(draw):
    """A zone and a local wall-clock time, mostly within 70 minutes of a clock change."""
    zone = ZoneInfo(draw(st.one_of(st.sampled_from(CHANGING), st.sampled_from(ZONES))))
    year = draw(st.integers(1950, 2090) if draw(st.booleans()) else st.integers(2005, 2035))
    changes = _transitions(zone, year)
    if changes and draw(st.integers(0, 4)):
        moment = draw(st.sampled_from(changes)).astimezone(zone).replace(tzinfo=None)
        moment += timedelta(minutes=draw(st.integers(-70, 70)))
        naive = moment.replace(second=0, microsecond=0)
    else:
        day = draw(st.dates(date(year, 1, 1), date(year, 12, 31)))
        naive = datetime.combine(day, time(draw(st.integers(0, 23)), draw(st.integers(0, 59))))
    return zone, naive


@SETTINGS
@given(appointments(), st.lists(st.integers(1, 72 * 60), min_size=1, max_size=4))
@example((ZoneInfo("America/New_York"), datetime(2026, 3, 8, 2, 30)), [60])  # skipped
@example((ZoneInfo("America/New_York"), datetime(2026, 11, 1, 1, 30)), [60])  # repeated
@example((ZoneInfo("America/New_York"), datetime(2026, 3, 8, 9, 30)), [8 * 60, 7 * 60 + 30])
@example((ZoneInfo("Australia/Lord_Howe"), datetime(2026, 4, 5, 1, 45)), [30])  # half hour
@example((ZoneInfo("Pacific/Apia"), datetime(2011, 12, 30, 12, 0)), [60])  # a skipped day
@example((ZoneInfo("Pacific/Apia"), datetime(2011, 12, 31, 9, 30)), [48 * 60])
def test_clock_times_are_right_across_daylight_saving_changes(case, minutes_before):
    zone, naive = case
    readings = _readings(naive, zone)
    try:
        appointment = make_appointment(naive.date(), naive.time(), zone)
    except UsageError as error:
        # Refused exactly when the wall-clock time is skipped or happens twice.
        assert len(readings) != 1, (zone.key, naive)
        assert ("does not exist" in error.message) == (not readings)
        return
    assert len(readings) == 1, (zone.key, naive)
    start = appointment.start
    assert start.replace(tzinfo=None) == naive
    assert start.astimezone(UTC) == readings.pop()
    for minutes in minutes_before:
        for text in (f"{minutes}min", f"{minutes // 60}h"):
            offset = Offset.parse(text)
            when = appointment.before(offset)
            # Exactly that much real time earlier, with the wall-clock reading the zone shows then.
            assert start.astimezone(UTC) - when.astimezone(UTC) == offset.delta
            shown = when.astimezone(UTC).astimezone(zone)
            assert (when.replace(tzinfo=None), when.utcoffset()) == (
                shown.replace(tzinfo=None),
                shown.utcoffset(),
            )
    days = minutes_before[0] % 30
    assert appointment.before(Offset.parse(f"{days}d")) == naive.date() - timedelta(days=days)
    assert appointment.after(Offset.parse(f"{days}d")) == naive.date() + timedelta(days=days)


def test_the_oracle_sees_skipped_and_repeated_times():
    new_york = ZoneInfo("America/New_York")
    assert _readings(datetime(2026, 3, 8, 2, 30), new_york) == set()
    assert len(_readings(datetime(2026, 11, 1, 1, 30), new_york)) == 2
    assert len(_readings(datetime(2026, 11, 1, 3, 30), new_york)) == 1


# --- Escaping: any name or note is printed literally and never changes the structure ---

PLAIN = "Jane Doe"


@functools.cache
def blood_patch():
    from procguide.content.library import load_entry

    return load_entry(PROCEDURES / "blood-patch.yaml")


def _document(entry, name, note=None):
    from procguide.config import Settings
    from procguide.document.build import Personal, build
    from procguide.document.wording import Wording

    personal = Personal(patient=name, note=note, day=date(2026, 12, 1), at=time(9, 30))
    clinic = Settings().clinic.model_copy(update={"timezone": "America/New_York"})
    return build(entry, personal, clinic, Wording(), view="handout", today=date(2026, 1, 1)).data


_TEMPLATES = {}


def _render(document, fmt):
    """The output of ``fmt``; templates are compiled once per test session for speed."""
    from procguide.render.templates import FORMATS, environment

    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2)
    if fmt not in _TEMPLATES:
        _TEMPLATES[fmt] = environment(FORMATS[fmt]).get_template("handout" + FORMATS[fmt].suffix)
    out = _TEMPLATES[fmt].render(doc=document)
    if fmt == "terminal":
        from rich.console import Console

        console = Console(
            file=io.StringIO(), width=200, no_color=True, emoji=False, highlight=False
        )
        console.print(out, markup=True, end="", soft_wrap=True)
        return console.file.getvalue()
    return out


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.cells = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(("<", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.tags.append((">", tag))

    def handle_data(self, data):
        if self.tags and self.tags[-1][:2] == ("<", "td"):
            self.cells.append(data)


def _html_structure(out):
    parser = _Tags()
    parser.feed(out)
    parser.close()
    return parser


def _markdown_structure(out):
    from markdown_it import MarkdownIt

    def shape(tokens):
        kinds = []
        for token in tokens:
            if token.children:
                kinds.append((token.type, tuple(shape(token.children))))
            elif token.type != "text" or not kinds or kinds[-1] != "text":
                kinds.append(token.type)  # adjacent text runs are one run
        return kinds

    return shape(MarkdownIt("commonmark").parse(out))


def _commonmark_unescape(text):
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _headings(out, fmt):
    patterns = {
        "text": r"^[A-Z][A-Z ,'()-]+$",
        "terminal": r"^[A-Z][A-Z ,'()-]+$",
        "markdown": r"^#{1,6} ",
        "html": r"<h[1-6][ >]",
    }
    return len(re.findall(patterns[fmt], out, re.MULTILINE))


# What procguide.characters refuses is refused by clean_text; everything else is fair game.
NAMES = (
    st.text(
        alphabet=st.characters(blacklist_categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp"]).filter(
            lambda c: c not in "\ufffe\uffff"
        ),
        min_size=1,
        max_size=80,
    )
    .map(lambda t: " ".join(t.split()))
    .filter(bool)
)
TRICKY = st.sampled_from(
    [
        "{{ 7*7 }}",
        "{% raw %}",
        "<script>x</script>",
        "[bold]",
        "[/]",
        "*a*",
        "_b_",
        "# h",
        "- x",
        "1. x",
        "> q",
        "`c`",
        "\\",
        "&amp;",
        "&#x41;",
        "|",
        "---",
        "===",
        "<!--",
        "](http://x)",
        "[x](javascript:1)",
        ":smile:",
        "\\[",
        "]]",
        "~~",
        "+",
        "2)",
        "    code",
    ]
)
HOSTILE_NAMES = st.one_of(
    NAMES,
    st.lists(st.one_of(TRICKY, NAMES), min_size=1, max_size=6).map(
        lambda t: " ".join(" ".join(t).split())
    ),
)


@functools.cache
def plain():
    document = _document(blood_patch(), PLAIN)
    return {fmt: _render(document, fmt) for fmt in ("text", "terminal", "markdown", "html", "json")}


@RENDER_SETTINGS
@given(name=HOSTILE_NAMES)
def test_any_name_is_literal_and_keeps_the_structure(name):
    from procguide.document.patient import clean_text

    assert clean_text(name, "patient") == name
    document = _document(blood_patch(), name)

    doc = json.loads(_render(document, "json"))
    assert doc["patient"]["name"] == name

    for fmt in ("text", "terminal"):
        out = _render(document, fmt)
        assert f"Patient: {name}\n" in out
        assert _headings(out, fmt) == _headings(plain()[fmt], fmt)
        others = [line for line in out.splitlines() if not line.startswith("Patient: ")]
        plain_others = [
            line for line in plain()[fmt].splitlines() if not line.startswith("Patient: ")
        ]
        assert others == plain_others

    out = _render(document, "markdown")
    line = next(line for line in out.splitlines() if line.startswith("- **Patient:** "))
    assert _commonmark_unescape(line.removeprefix("- **Patient:** ")) == name
    assert _headings(out, "markdown") == _headings(plain()["markdown"], "markdown")
    assert _markdown_structure(out) == _markdown_structure(plain()["markdown"])

    out = _render(document, "html")
    parsed, plain_parsed = _html_structure(out), _html_structure(plain()["html"])
    assert parsed.tags == plain_parsed.tags
    assert parsed.cells[0] == name
    cell = re.search(r"<th scope=\"row\">Patient</th><td>(.*?)</td>", out)
    assert cell is not None and html.unescape(cell[1]) == name


@functools.cache
def plain_note():
    document = _document(blood_patch(), PLAIN, "Plain note")
    return {fmt: _render(document, fmt) for fmt in ("markdown", "html")}


def _unwrap(text):
    # The text format wraps a note with the `wrap` filter, indenting continuation lines.
    return text.replace("\n      ", " ")


@RENDER_SETTINGS
@given(note=HOSTILE_NAMES)
def test_any_note_is_literal_in_every_format(note):
    document = _document(blood_patch(), PLAIN, note)
    assert json.loads(_render(document, "json"))["patient"]["note"] == note
    assert f"Note: {note}\n" in _unwrap(_render(document, "text"))
    assert f"Note: {note}\n" in _render(document, "terminal")

    markdown = _render(document, "markdown")
    line = next(line for line in markdown.splitlines() if line.startswith("- **Note:** "))
    assert _commonmark_unescape(line.removeprefix("- **Note:** ")) == note
    assert _markdown_structure(markdown) == _markdown_structure(plain_note()["markdown"])

    out = _render(document, "html")
    assert _html_structure(out).tags == _html_structure(plain_note()["html"]).tags
    cell = re.search(r"<th scope=\"row\">Note</th><td>(.*?)</td>", out)
    assert cell is not None and html.unescape(cell[1]) == note


@SETTINGS
@given(st.text(max_size=40))
def test_clean_text_refuses_control_characters_and_collapses_white_space(text):
    from procguide.document.patient import clean_text

    # The one rule, written out independently: control, format, private-use, separators;
    # but a joiner (ZWNJ, ZWJ) between two letters, marks or symbols spells a name.
    refused = ("Cc", "Cf", "Co", "Zl", "Zp")

    def bad(c):
        return c not in "\t\n\r" and (unicodedata.category(c) in refused or c in "\ufffe\uffff")

    def spelled(i):
        return (
            text[i] in "\u200c\u200d"
            and 0 < i < len(text) - 1
            and all(
                unicodedata.category(c)[0] in "LMS" and not bad(c) for c in text[i - 1 : i + 2 : 2]
            )
        )

    invisible = [c for i, c in enumerate(text) if bad(c) and not spelled(i)]
    try:
        cleaned = clean_text(text, "patient")
    except UsageError as error:
        assert invisible
        assert error.field == "patient"
        assert error.message.startswith("contains an invisible control character")
        assert error.lines(lambda field: f"--{field}")[0].startswith("--patient: contains")
        return
    assert not invisible
    assert cleaned == " ".join(text.split())


# --- Fuzzing the loader and validator: procguide's own error, or a valid procedure ---

BLOOD_PATCH = (PROCEDURES / "blood-patch.yaml").read_bytes()


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _load_procedure(folder, data):
    from procguide.content.library import load_entry

    path = folder / "blood-patch.yaml"
    path.write_bytes(data)
    try:
        load_entry(path)
    except ContentError as error:
        assert error.problems and all(str(p).startswith(str(path)) for p in error.problems)
        assert all("\n" not in str(p) for p in error.problems)


def _load_config(folder, data):
    from procguide.config import load_config

    path = folder / "procguide.yaml"
    path.write_bytes(data)
    try:
        load_config(path)
    except ContentError as error:
        assert all(str(p).startswith(str(path)) for p in error.problems)


YAML_PIECES = st.sampled_from(
    [
        "a",
        ":",
        ": ",
        "- ",
        "\n",
        "  ",
        "\t",
        "#",
        "&a ",
        "*a",
        "!!",
        "!!python/name:os.system",
        "<<: ",
        "? ",
        "[",
        "]",
        "{",
        "}",
        ",",
        '"',
        "'",
        "|\n",
        ">-\n",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "~",
        "yes",
        "1e3",
        "2026-13-01",
        "0x1F",
        "@",
        "`",
        "\\",
        "\\e",
        "\\x00",
        "\\u202e",
        "\ufeff",
        "\x85",
        "\u2028",
        "é",
        "id",
        "sources",
        "text",
        "flags",
        "when",
        "0h",
        "9999w",
        "-1h",
    ]
)
YAML_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(YAML_PIECES, st.text(max_size=5)), max_size=40).map("".join),
)


@SETTINGS
@given(YAML_TEXT)
def test_random_yaml_only_ever_raises_content_error(scratch, text):
    data = text.encode("utf-8", "surrogatepass")
    _load_procedure(scratch, data)
    _load_config(scratch, data)


@st.composite
def mutations(draw):
    """blood-patch.yaml with a few lines deleted, repeated, swapped, re-indented or spliced."""
    lines = BLOOD_PATCH.split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        action = draw(
            st.sampled_from(
                ["delete", "repeat", "swap", "indent", "dedent", "splice", "bytes", "truncate"]
            )
        )
        if action == "delete":
            del lines[i]
        elif action == "repeat":
            lines.insert(j, lines[i])
        elif action == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "indent":
            lines[i] = b"  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i][draw(st.integers(1, 4)) :]
        elif action == "splice":
            piece = draw(st.one_of(YAML_PIECES, st.text(max_size=8)))
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + piece.encode("utf-8", "surrogatepass") + lines[i][at:]
        elif action == "bytes":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.binary(min_size=1, max_size=3)) + lines[i][at:]
        else:
            lines = lines[:i]
    return b"\n".join(lines)


@SETTINGS
@given(mutations())
def test_mutated_procedures_only_ever_raise_content_error(scratch, data):
    _load_procedure(scratch, data)


def test_the_unmutated_procedure_loads(scratch):
    from procguide.content.library import load_entry

    path = scratch / "blood-patch.yaml"
    path.write_bytes(BLOOD_PATCH)
    assert load_entry(path).procedure.id == "blood-patch"
