"""The HTML handouts in a real browser: WCAG 2.1 AA by axe-core, and printed from Chromium.

One headless Chromium serves every page of this module. Without Chromium the browser tests
skip, saying why; with ``PROCGUIDE_REQUIRE_BROWSER=1`` (CI sets it) they fail instead, so CI
always runs them. The Nu HTML checker runs where ``PROCGUIDE_VNU_JAR`` names its jar (or
``vnu`` is on the PATH), under the same rule.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import Browser, find_chromium
from conftest import CLINIC_CONFIG, build_tree
from procguide.errors import ExitCode

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
REQUIRED = os.environ.get("PROCGUIDE_REQUIRE_BROWSER") == "1"
CHROMIUM = find_chromium()
VNU_JAR = os.environ.get("PROCGUIDE_VNU_JAR")
VNU = shutil.which("vnu")

DETAILS = ("--patient", "Jane Doe", "--date", "2026-12-01", "--time", "09:30")
PERSONAL = (*DETAILS, "--flag", "sedation", "--hold", "clopidogrel=7d")
FULL = (*DETAILS, "--flag", "sedation", "--flag", "diabetes", "--clinician", "Dr Lee")
# Every HTML view, with details and (the pre sheet) without, in English and Spanish.
PAGES = [
    (name, lang, args)
    for lang in ("en", "es")
    for name, args in [
        ("pre", ("handout", "blood-patch", *PERSONAL)),
        ("pre-blank", ("handout", "blood-patch")),
        ("discharge", ("handout", "blood-patch", "--kind", "discharge", *PERSONAL)),
        ("prep", ("prep", "blood-patch", *PERSONAL)),
        ("steps", ("steps", "blood-patch", *DETAILS)),
        ("aftercare", ("aftercare", "blood-patch", *DETAILS)),
        ("overview", ("show", "blood-patch")),
        ("diary", ("handout", "mbb", "--kind", "diary", *DETAILS, "--activity", "stand up")),
        ("diary-blank", ("handout", "mbb", "--kind", "diary")),
        ("trial-log", ("handout", "scs-trial", "--kind", "diary", *DETAILS, "--bring-back", "7d")),
        # The teaching sheets, for the procedures with the most to say on them.
        ("teach-back", ("handout", "epidural-steroid-injection", "--kind", "teach-back", *FULL)),
        ("escort", ("handout", "spinal-cord-stimulator-trial", "--kind", "escort", *FULL)),
    ]
]
PAGE_IDS = [f"{name}-{lang}" for name, lang, _ in PAGES]


def _skip_or_fail(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"PROCGUIDE_REQUIRE_BROWSER=1, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, str]]:
    """Every page as HTML, its Typst PDF beside it, and its JSON document's stamp."""
    from typer.testing import CliRunner

    from procguide.cli import app

    folder = tmp_path_factory.mktemp("html")
    config = folder / "clinic.yaml"
    config.write_text(CLINIC_CONFIG, encoding="utf-8")
    runner = CliRunner()
    found = {}
    for (_, lang, args), page_id in zip(PAGES, PAGE_IDS, strict=True):
        common = (*args, "--lang", lang, "--config", str(config))
        for suffix in ("html", "pdf"):
            result = runner.invoke(app, [*common, "-o", str(folder / f"{page_id}.{suffix}")])
            assert result.exit_code == 0, result.output
        document = json.loads(runner.invoke(app, [*common, "--format", "json"]).stdout)
        found[page_id] = (folder / f"{page_id}.html", folder / f"{page_id}.pdf", document)
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        _skip_or_fail("Chromium is not installed (apt-get install chromium)")
    started = Browser(CHROMIUM)
    yield started
    started.close()


@pytest.fixture(scope="module")
def printed(browser, made, tmp_path_factory) -> dict[str, dict[str, object]]:
    """Each page loaded once: axe's violations, and its text page by page as printed."""
    if not shutil.which("pdftotext"):
        _skip_or_fail("poppler-utils (pdftotext) is not installed")
    folder = tmp_path_factory.mktemp("printed")
    axe = AXE.read_text(encoding="utf-8")
    assert f"axe v{AXE_VERSION}" in axe[:200]
    results = {}
    for page_id, (html, _, _) in made.items():
        browser.open(html)
        browser.evaluate(axe + ";true")
        violations = browser.evaluate(
            f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG_21_AA)}}}}})"
            ".then(r => r.violations.map(v => ({id: v.id, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' '))})))"
        )
        pdf = folder / f"{page_id}.pdf"
        pdf.write_bytes(browser.print_pdf())
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode()
        results[page_id] = {"violations": violations, "pages": text.split("\f")[:-1]}
    return results


def typst_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)[1])


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_every_view_passes_axe_wcag_21_aa(printed, page_id):
    assert printed[page_id]["violations"] == []


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_printed_from_the_browser_it_is_at_most_a_page_longer_than_the_pdf(printed, made, page_id):
    pages = printed[page_id]["pages"]

    assert len(pages) <= typst_pages(made[page_id][1]) + 1


@pytest.mark.parametrize(
    "page_id", [p for p in PAGE_IDS if not p.startswith(("steps", "teach-back"))]
)
def test_the_help_box_is_never_split_across_printed_pages(printed, made, page_id):
    document = made[page_id][2]
    help_box = document["escort"] if page_id.startswith("escort") else document["get_help"]
    first = help_box["emergency_line"]
    last = (help_box["cannot_reach"] or help_box["call_clinic"][-1])["text"]
    pages = [flat(page) for page in printed[page_id]["pages"]]
    holding = [i for i, page in enumerate(pages) if first in page or last[-40:] in page]

    assert len(holding) == 1, f"the help box is on pages {[i + 1 for i in holding]}"
    assert first in pages[holding[0]] and last[-40:] in pages[holding[0]]


@pytest.mark.parametrize(
    "page_id", [p for p in PAGE_IDS if p.split("-")[0] in ("pre", "discharge")]
)
def test_every_printed_page_has_its_number_and_from_page_2_the_name(printed, made, page_id):
    pages = [flat(page) for page in printed[page_id]["pages"]]
    label = "Page {} of {}" if page_id.endswith("-en") else "Página {} de {}"
    stamp = made[page_id][2]["stamp"]["text"]

    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert label.format(number, len(pages)) in page
        assert flat(stamp) in page
        if number > 1 and "blank" not in page_id:
            assert "Jane Doe" in page


@pytest.mark.parametrize("page_id", [p for p in PAGE_IDS if p.startswith(("teach", "escort"))])
def test_the_teaching_sheets_print_on_one_page_with_the_stamp(printed, made, page_id):
    pages = [flat(page) for page in printed[page_id]["pages"]]

    assert len(pages) == 1
    assert flat(made[page_id][2]["stamp"]["text"]) in pages[0]


def test_the_teach_back_boxes_are_named_check_boxes(made):
    html = made["teach-back-en"][0].read_text(encoding="utf-8")

    assert 'role="group" aria-labelledby="result-get-help-label"' in html
    assert '<input type="checkbox" id="result-get-help-retaught" name="result-get-help"' in html
    assert '<label for="result-get-help-retaught">Taught again, then correct</label>' in html


DATE = re.compile(r"[^\W\d_]+\.? \d{1,2} [^\W\d_]+\.? \d{4}|\d{1,2} de [^\W\d_]+ de \d{4}")


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_no_printed_date_breaks_across_lines(printed, made, page_id):
    html = re.sub(
        r"<style>.*?</style>|<[^>]+>", " ", made[page_id][0].read_text(encoding="utf-8"), flags=re.S
    )
    dates = set(DATE.findall(html.replace("\u00a0", " ")))
    text = "\n".join(printed[page_id]["pages"]).replace("\u00a0", " ")

    assert dates or page_id.startswith(("overview", "pre-blank", "diary-blank", "steps"))

    for date in dates:
        assert date in text, f"{date!r} is split across lines (or missing) when printed"


def test_a_sheet_without_details_has_lines_to_write_them_on(made):
    html = made["pre-blank-en"][0].read_text(encoding="utf-8")
    box = html[html.index('<table class="patient">') : html.index("</table>")]

    labels = re.findall(r'<th scope="row">([^<]+)</th><td>(.*?)</td>', box)
    assert labels == [
        ("Patient", '<span class="blank"></span>'),
        ("Date and time", '<span class="blank"></span>'),
        ("Procedure", "Epidural blood patch"),
        ("Clinician", '<span class="blank"></span>'),
    ]


def test_the_patient_box_labels_each_detail(made):
    html = made["pre-en"][0].read_text(encoding="utf-8")

    assert '<th scope="row">Date and time</th><td>Tue\u00a01\u00a0Dec\u00a02026, 09:30</td>' in html
    assert '<th scope="row">Procedure</th><td>Epidural blood patch</td>' in html


def test_the_html_is_valid_for_the_nu_checker(made):
    if VNU_JAR and Path(VNU_JAR).is_file() and shutil.which("java"):
        command = ["java", "-jar", VNU_JAR]
    elif VNU:
        command = [VNU]
    else:
        _skip_or_fail("the Nu HTML checker is not installed (set PROCGUIDE_VNU_JAR to vnu.jar)")
    files = [str(html) for html, _, _ in made.values()]
    result = subprocess.run(
        [*command, "--errors-only", "--also-check-css", *files],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


def test_a_clinic_html_image_without_alt_text_is_exit_4(invoke, tmp_path):
    templates = build_tree(
        tmp_path / "clinic",
        {
            "html/handout.html": '{% extends "base.html" %}{% block title %}Ours{% endblock %}'
            '{% block header %}\n<img src="logo.png">{% endblock %}\n'
        },
    )
    out = tmp_path / "sheet.html"
    result = invoke("handout", "blood-patch", "--templates-dir", str(templates), "-o", str(out))

    assert result.exit_code == ExitCode.TEMPLATE
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "an image has no alternative text, at line" in lines[0], lines
    assert not out.exists()


@pytest.mark.parametrize(
    "tag",
    ['<IMG SRC="logo.png">', '<img\nsrc="logo.png"/>', '<area href="x">', '<Input type="image">'],
)
def test_every_spelling_of_an_image_tag_needs_alt_text(tag):
    from procguide.errors import TemplateError
    from procguide.render.html import check_images

    with pytest.raises(TemplateError, match="no alternative text"):
        check_images(f"<p>Hello</p>\n{tag}")
    # A patient's or a procedure's words are escaped, so they are never a tag.
    check_images("<p>&lt;img src=x&gt; came from a note</p>")


def test_a_clinic_html_image_with_alt_text_is_written(invoke, tmp_path):
    templates = build_tree(
        tmp_path / "clinic",
        {
            "html/handout.html": '{% extends "base.html" %}{% block title %}Ours{% endblock %}'
            '{% block header %}<img src="logo.png" alt="North Shore Pain Clinic">{% endblock %}\n'
        },
    )
    out = tmp_path / "sheet.html"
    result = invoke("handout", "blood-patch", "--templates-dir", str(templates), "-o", str(out))

    assert result.exit_code == 0, result.output
    assert 'alt="North Shore Pain Clinic"' in out.read_text(encoding="utf-8")


def test_a_name_in_the_printed_header_cannot_end_the_style_sheet(invoke, tmp_path):
    name = 'Jane "</style><script>x()</script> \\ Doe'
    out = tmp_path / "sheet.html"
    result = invoke("handout", "blood-patch", "--patient", name, "-o", str(out))
    html = out.read_text(encoding="utf-8")
    style = html[html.index("<style>") : html.index("</style>") + len("</style>")]

    assert result.exit_code == 0, result.output
    assert "<script>" not in html and style.count("</style>") == 1
    assert (
        '@top-left { content: "Jane \\22 \\3c \\2f style\\3e \\3c script\\3e x\\28 \\29 ' in style
    )
