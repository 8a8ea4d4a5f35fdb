"""Every PDF procguide makes declares PDF/UA-1 and PDF/A-2a and meets them.

Typst checks the rules as it writes; these tests read the result back offline (pikepdf) the
way a screen reader and a checker do, and run veraPDF too where it is installed.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO, build_tree
from pdf_structure import read_structure
from procguide.document.patient import Personal
from procguide.errors import ExitCode
from procguide.pipeline import Request, produce

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdfinfo") and shutil.which("pdftohtml")),
    reason="poppler-utils (pdfinfo, pdftohtml) is not installed",
)

# From the file names, so collecting the tests reads no procedure (and writes no cache).
PROCEDURES = sorted(p.stem for p in (REPO / "procedures").glob("*.yaml") if "." not in p.stem)
SHEETS = [
    (procedure, kind, lang, size)
    for procedure in PROCEDURES
    for lang in [
        "en",
        *(p.name.split(".")[1] for p in (REPO / "procedures").glob(f"{procedure}.*.yaml")),
    ]
    for kind in ("pre", "discharge")
    for size in ("normal", "large")
]
TITLES = {"pre": {"en": "Your procedure", "es": "Su procedimiento"}}
TITLES["discharge"] = {"en": "Going home", "es": "Al volver a casa"}


def make(
    procedure: str,
    *,
    kind: str = "pre",
    lang: str = "en",
    large: bool = False,
    view: str = "handout",
    config: Path | None = None,
    templates: Path | None = None,
    format: str = "pdf",
) -> bytes:
    personal = Personal.read(
        patient="Jane Doe", clinician=None, note=None, day="2026-12-01", at="09:30",
        flags=(), no_flags=(), holds=(), restarts=(),
    )  # fmt: skip
    request = Request(
        view=view, procedure=procedure, format=format, personal=personal, kind=kind, lang=lang,
        large_print=large, config=config, templates_dir=templates,
    )  # fmt: skip
    return produce(request).data


def pages(data: bytes) -> int:
    return len(pikepdf.open(io.BytesIO(data)).pages)


def assert_accessible(data: bytes, *, lang: str, title: str) -> None:
    """The PDF/UA-1 and PDF/A-2a checks a reader of the file would notice failing."""
    found = read_structure(data)

    assert found.marked, "not marked as tagged"
    assert found.suspects in (None, False)
    assert found.lang == lang
    assert found.display_title, "the viewer would show the file name, not the title"
    assert found.title == title
    assert found.xmp_value("dc:title") is None or title in found.xmp
    assert found.xmp_value("pdfuaid:part") == "1"
    assert found.xmp_value("pdfaid:part") == "2"
    assert found.xmp_value("pdfaid:conformance") == "A"
    assert found.figures_without_alt == 0
    levels = found.heading_levels
    assert levels[:1] == [1] and levels.count(1) == 1, levels  # the sheet's title
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert found.tables, "the recovery timeline is a table"
    assert all("/TH" in roles for roles in found.tables), found.tables


@pytest.mark.parametrize(("procedure", "kind", "lang", "size"), SHEETS)
def test_every_sheet_declares_and_meets_pdf_ua_and_pdf_a(procedure, kind, lang, size):
    data = make(procedure, kind=kind, lang=lang, large=size == "large")
    name = json.loads(make(procedure, lang=lang, format="json"))["procedure"]["name"]

    assert_accessible(data, lang=lang, title=f"{name}: {TITLES[kind][lang]}")


@pytest.mark.parametrize("view", ["prep", "steps", "aftercare", "overview"])
def test_every_view_meets_the_standards_too(view):
    data = make("blood-patch", view=view)
    found = read_structure(data)

    assert found.xmp_value("pdfuaid:part") == "1" and found.display_title
    levels = found.heading_levels
    assert levels[:1] == [1] and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


def test_the_pdf_date_is_the_content_review_date_without_source_date_epoch():
    first = make("blood-patch")

    assert b"/CreationDate(D:20261201000000" in first  # blood-patch was reviewed 2026-12-01
    assert make("blood-patch") == first


@needs_poppler
def test_pdfinfo_reads_the_file_without_complaint(tmp_path):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(make("blood-patch", kind="discharge"))
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)

    assert result.stderr == ""  # no "Suspects object is wrong type (boolean)"
    assert "Tagged:          yes" in result.stdout
    assert "Title:           Epidural blood patch: Going home" in result.stdout


LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="navy"/></svg>'


def clinic_templates(tmp_path: Path, content: str) -> Path:
    return build_tree(
        tmp_path / "clinic",
        {
            "typst/handout.typ": '{% extends "base.typ" %}\n'
            "{% block content %}\n" + content + "\n{% endblock %}\n",
            "typst/logo.svg": LOGO,
        },
    )


def test_a_clinic_logo_with_alt_text_is_a_described_figure(tmp_path):
    folder = clinic_templates(tmp_path, '#image("logo.svg", alt: "North Shore Pain Clinic")')
    found = read_structure(make("blood-patch", templates=folder))

    assert "/Figure" in found.roles
    assert found.figures_without_alt == 0


@pytest.mark.parametrize("standards", ["paper: letter\n", "pdf_standards: []\n"])
def test_an_image_without_alt_text_is_exit_4_in_one_line(invoke, tmp_path, standards):
    folder = clinic_templates(tmp_path, '#image("logo.svg")')
    config = tmp_path / "clinic.yaml"
    config.write_text(standards, encoding="utf-8")
    out = tmp_path / "sheet.pdf"
    result = invoke(
        "handout", "blood-patch", "--patient", "Jane Secret", "--templates-dir", str(folder),
        "--config", str(config), "-o", str(out),
    )  # fmt: skip

    assert result.exit_code == ExitCode.TEMPLATE
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "no alternative text" in lines[0], lines
    assert "Secret" not in result.stderr
    assert not out.exists()


def test_a_template_that_breaks_pdf_ua_fails_and_the_config_can_turn_the_standards_off(
    invoke, tmp_path
):
    folder = clinic_templates(tmp_path, "==== Skips two heading levels")
    out = tmp_path / "sheet.pdf"
    args = ("handout", "blood-patch", "--templates-dir", str(folder), "-o", str(out))
    result = invoke(*args)

    assert result.exit_code == ExitCode.TEMPLATE
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert "PDF/UA-1 error: skipped from heading level 1 to 4" in lines[0]
    assert "pdf_standards: []" in lines[0]  # the way out is named
    assert not out.exists()

    config = tmp_path / "procguide.yaml"
    config.write_text("pdf_standards: []\n", encoding="utf-8")
    result = invoke(*args, "--config", str(config))

    assert result.exit_code == 0, result.output
    found = read_structure(out.read_bytes())
    assert found.xmp_value("pdfuaid:part") is None and found.xmp_value("pdfaid:part") is None
    assert found.marked  # still tagged, claiming nothing


def test_an_unknown_standard_in_the_config_is_a_config_error(invoke, tmp_path):
    config = tmp_path / "procguide.yaml"
    config.write_text("pdf_standards: [ua-2]\n", encoding="utf-8")
    result = invoke("handout", "blood-patch", "--config", str(config), "-o", "x.pdf")

    assert result.exit_code == ExitCode.INVALID_CONTENT
    assert "pdf_standards" in result.stderr


def pdftohtml_lines(data: bytes, tmp_path: Path) -> list[tuple[int, float, str]]:
    """(top, font size, text) of every text line, from poppler's XML."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-zoom", "1", "-stdout", str(path)],
        capture_output=True,
        check=True,
    ).stdout.decode()
    sizes = dict(re.findall(r'<fontspec id="(\d+)" size="([\d.]+)"', xml))
    found = []
    for page, body in enumerate(xml.split("<page ")[1:]):
        for top, font, text in re.findall(r'<text top="(\d+)"[^>]*font="(\d+)">(.*?)</text>', body):
            found.append((page * 10_000 + int(top), float(sizes[font]), re.sub("<.*?>", "", text)))
    return found


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "es"])
def test_large_print_is_18pt_with_lines_one_and_a_half_apart(tmp_path, lang):
    data = make("blood-patch", kind="discharge", lang=lang, large=True)
    lines = pdftohtml_lines(data, tmp_path)
    # The traceability stamp is for staff; everything else is read by the patient.
    stamp = json.loads(make("blood-patch", lang=lang, format="json"))["stamp"]["text"]
    read = [(top, size) for top, size, text in lines if text.strip() not in stamp]

    assert min(size for _, size in read) >= 18
    body = sorted({top for top, size in read if size == 18})
    pitch = min(b - a for a, b in zip(body, body[1:], strict=False) if b - a > 5)
    assert pitch >= 27  # 1.5 x 18 pt, baseline to baseline
    normal = pdftohtml_lines(make("blood-patch", kind="discharge", lang=lang), tmp_path)
    sizes = [size for _, size, _ in normal]
    assert max(set(sizes), key=sizes.count) == 12  # the usual print: most lines at 12 pt


PAGES_TABLE = re.compile(r"^\| `([a-z-]+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", re.M)


def test_readme_says_how_many_pages_each_sheet_is():
    """The README's table of pages per sheet is what procguide makes (Letter, no flags)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = {m[1]: tuple(int(n) for n in m.groups()[1:]) for m in PAGES_TABLE.finditer(readme)}
    expected = {}
    for procedure in PROCEDURES:
        expected[procedure] = tuple(
            pages(make(procedure, kind=kind, large=large))
            for kind in ("pre", "discharge")
            for large in (False, True)
        )

    assert rows == expected, "update the README's table of pages per sheet: " + ", ".join(
        f"{k}: {v}" for k, v in expected.items()
    )


def verapdf_flavours() -> list[str]:
    return ["ua1", "2a"]


@pytest.mark.skipif(not shutil.which("verapdf"), reason="veraPDF is not on the PATH")
@pytest.mark.parametrize("flavour", verapdf_flavours())
def test_verapdf_finds_the_sheets_compliant(tmp_path, flavour):
    files = []
    for kind, lang, large in [("pre", "en", False), ("discharge", "es", True)]:
        path = tmp_path / f"{kind}-{lang}-{large}.pdf"
        path.write_bytes(make("blood-patch", kind=kind, lang=lang, large=large))
        files.append(str(path))
    result = subprocess.run(
        ["verapdf", "--flavour", flavour, "--format", "text", *files],
        capture_output=True,
        text=True,
    )

    assert result.stdout.count("PASS ") == len(files), result.stdout + result.stderr


def test_a_batch_reads_the_standards_from_its_config(invoke, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("procedure,patient,date,time\nblood-patch,A B,2027-03-01,09:30\n")
    config = tmp_path / "procguide.yaml"
    for setting, claims in (("paper: letter\n", True), ("pdf_standards: []\n", False)):
        config.write_text(setting, encoding="utf-8")
        out = tmp_path / f"out-{claims}"
        result = invoke(
            "batch", str(roster), "--out", str(out), "-f", "pdf", "--jobs", "1",
            "--config", str(config),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        (sheet,) = out.glob("*.pdf")
        found = read_structure(sheet.read_bytes())
        assert (found.xmp_value("pdfuaid:part") == "1") is claims
