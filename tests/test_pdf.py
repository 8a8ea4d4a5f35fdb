"""PDF handouts: what a nurse prints and a patient reads.

Text is checked the way a reader meets it: extracted with poppler's pdftotext (skipped where
poppler is not installed).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import build_tree
from procguide.errors import ExitCode

HOSTILE = "Renée O'Brien <script> #1 $5 *a* _b_ [c] \\ @d"
BLOOD_PATCH = ("blood-patch", "--date", "2026-12-01", "--time", "09:30")
SEDATION_HOLD = ("--flag", "sedation", "--hold", "clopidogrel=7d")

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfinfo") and shutil.which("pdftohtml")),
    reason="poppler-utils (pdftotext, pdfinfo, pdftohtml) is not installed",
)


@pytest.fixture
def make_pdf(invoke, clinic_config, tmp_path):
    """Run a document command with ``-o FILE.pdf``; return the PDF's path."""
    count = iter(range(1000))

    def run(*args: str) -> Path:
        out = tmp_path / f"out-{next(count)}.pdf"
        result = invoke(*args, "--config", str(clinic_config), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(b"%PDF-")
        return out

    return run


def text_of(pdf: Path) -> str:
    """The PDF's text in reading order, whitespace folded to single spaces."""
    raw = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    return " ".join(raw.split())


def info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True).stdout.decode()
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pages(pdf: Path) -> int:
    return int(info(pdf)["Pages"])


@needs_poppler
def test_pre_sheet_reads_in_order_with_real_times_and_numbers(make_pdf):
    text = text_of(make_pdf("handout", *BLOOD_PATCH, *SEDATION_HOLD, "--patient", "Jane Doe"))

    assert "Jane Doe" in text
    assert "North Shore Pain Clinic" in text
    # Food stops 8 hours before a 09:30 start under sedation.
    assert "At 01:30 on Tue 1 Dec 2026 (8 hours before your procedure)" in text
    assert "Take your last dose on Mon 23 Nov 2026" in text
    assert "Call 911 now" in text
    assert "555-0100" in text
    # When to get help comes first, on this sheet as on the going-home one.
    order = ["When to get help", "Call 911 now", "Call North Shore Pain Clinic", "What it is"]
    order += ["Before your procedure", "01:30", "What happens", "Your recovery", "Follow-up"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


@needs_poppler
def test_discharge_sheet_has_help_box_signatures_and_footer(invoke, make_pdf):
    pdf = make_pdf("handout", *BLOOD_PATCH, *SEDATION_HOLD, "--kind", "discharge")
    text = text_of(pdf)

    assert text.index("When to get help") < text.index("Your recovery")
    assert "Call 911 now, or go to the nearest emergency room" in text
    assert "Call North Shore Pain Clinic at 555-0100 (after hours: 555-0199)" in text
    assert "Tue 1 Dec 2026 to Wed 2 Dec 2026" in text  # recovery dates, computed
    assert re.search(r"Signatures Patient Date Nurse Date", text)
    total = pages(pdf)
    assert f"Page {total} of {total}" in text
    doc = json.loads(invoke("handout", "blood-patch", "--format", "json").stdout)
    assert text.count(doc["stamp"]["text"]) == total
    assert info(pdf)["Title"].strip() == "Epidural blood patch: Going home"


@needs_poppler
@pytest.mark.parametrize(
    ("paper", "size"), [("letter", "612 x 792 pts"), ("a4", "595.276 x 841.89 pts")]
)
def test_discharge_sheet_fits_two_pages(make_pdf, paper, size):
    pdf = make_pdf("handout", *BLOOD_PATCH, *SEDATION_HOLD, "--kind", "discharge", "--paper", paper)

    assert info(pdf)["Page size"].strip().startswith(size)
    assert pages(pdf) <= 2


@needs_poppler
def test_hostile_name_prints_exactly(make_pdf):
    note = "Bring glasses — ¿sí? ¡Sí! ≥ 2 ☐ ñ é"
    pdf = make_pdf("handout", *BLOOD_PATCH, "--patient", HOSTILE, "--note", note)
    text = text_of(pdf)

    assert HOSTILE in text
    assert note in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout
    rows = fonts.decode().splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)  # every font embedded
    assert all(re.search(r"AtkinsonHyperlegible|DejaVuSansMono", row) for row in rows)


@pytest.mark.parametrize("view", ["prep", "steps", "aftercare", "handout"])
def test_same_inputs_give_the_same_bytes(make_pdf, view):
    args = (view, *BLOOD_PATCH, *SEDATION_HOLD, "--patient", "Jane Doe")
    first = make_pdf(*args).read_bytes()
    second = make_pdf(*args).read_bytes()

    assert first == second
    # PDF/A needs a date: without SOURCE_DATE_EPOCH it is the content's review date.
    assert b"/CreationDate(D:20261201000000" in first


def test_source_date_epoch_sets_the_pdf_date(make_pdf, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    pdf = make_pdf("prep", *BLOOD_PATCH).read_bytes()

    assert b"/CreationDate(D:20260921141320" in pdf


@needs_poppler
def test_overview_pdf_lists_sources(make_pdf):
    pdf = make_pdf("show", "blood-patch", "--format", "pdf")
    text = text_of(pdf)
    url = "https://www.hey.nhs.uk/patient-leaflet/epidural-blood-patch-what-you-need-to-know"

    assert "Sources" in text and "Patient:" not in text
    assert "https://www.hey.nhs.uk/patient-leaflet/" in text  # printed; long ones wrap
    assert f"/URI({url})".encode() in pdf.read_bytes()  # and can be clicked


@pytest.mark.parametrize(
    ("target", "reason"),
    [("missing/handout.pdf", "does not exist"), ("a-folder.pdf", "it is a folder")],
)
def test_unwritable_output_is_exit_5_with_nothing_left(invoke, tmp_path, target, reason):
    (tmp_path / "a-folder.pdf").mkdir()
    before = sorted(tmp_path.rglob("*"))
    result = invoke("handout", "blood-patch", "--format", "pdf", "-o", str(tmp_path / target))

    assert result.exit_code == 5
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot write") and reason in lines[0]
    assert sorted(tmp_path.rglob("*")) == before


@needs_poppler
def test_clinic_template_overrides_a_section(invoke, tmp_path):
    build_tree(
        tmp_path / "clinic-templates",
        {
            "typst/handout.typ": '{% extends "base.typ" %}\n'
            "{% block content %}\n= Our own page\n#{{ doc.patient.name }}\n{% endblock %}\n",
        },
    )
    out = tmp_path / "own.pdf"
    result = invoke(
        "handout", "blood-patch", "--patient", HOSTILE, "-o", str(out),
        "--templates-dir", str(tmp_path / "clinic-templates"),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    text = text_of(out)
    assert "Our own page" in text and HOSTILE in text
    assert "What it is" not in text


def test_broken_template_is_exit_4_without_patient_details(invoke, tmp_path):
    build_tree(
        tmp_path / "t",
        {"typst/prep.typ": "#text[#{{ doc.patient.name }}](\n"},
    )
    out = tmp_path / "broken.pdf"
    result = invoke(
        "prep", "blood-patch", "--patient", "Jane Secret", "-o", str(out),
        "--templates-dir", str(tmp_path / "t"),
    )  # fmt: skip

    assert result.exit_code == 4
    assert "line 1 of the rendered Typst source" in result.stderr
    assert "Secret" not in result.stderr
    assert not out.exists()


def test_a_link_out_of_the_typst_folder_is_refused(invoke, tmp_path):
    folder = tmp_path / "t" / "typst"
    folder.mkdir(parents=True)
    (folder / "logo.png").symlink_to("/etc/passwd")
    result = invoke(
        "handout", "blood-patch", "--templates-dir", str(tmp_path / "t"),
        "-o", str(tmp_path / "x.pdf"),
    )  # fmt: skip
    assert result.exit_code == ExitCode.TEMPLATE
    assert "leads out of the templates folder" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


@pytest.fixture(scope="session")
def handout_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], tuple]:
    """Pages of each Letter handout sheet in (English, Spanish), by procedure, kind and flags.

    As the README measures them: 09:30 on Tue 8 Dec 2026, the clinic's header, and either no
    flags or every flag with a hold and its restart.
    """
    import io

    import pikepdf

    from conftest import CLINIC_CONFIG
    from procguide.content.library import Library
    from procguide.document.patient import Personal
    from procguide.pipeline import Request, produce

    config = tmp_path_factory.mktemp("clinic") / "clinic.yaml"
    config.write_text(CLINIC_CONFIG, encoding="utf-8")
    found = {}
    for entry in Library(()).load_all():
        procedure = entry.procedure
        for flags in ("none", "every"):
            every = flags == "every"
            personal = Personal.read(
                day="2026-12-08", at="09:30", flags=tuple(procedure.flags) if every else (),
                holds=("clopidogrel=7d",) if every else (),
                restarts=("clopidogrel=1d",) if every else (),
            )  # fmt: skip
            for kind in ("pre", "discharge"):
                found[procedure.id, kind, flags] = tuple(
                    len(pikepdf.open(io.BytesIO(produce(Request(
                        view="handout", procedure=procedure.id, format="pdf",
                        personal=personal, kind=kind, lang=lang, config=config,
                    )).data)).pages)
                    for lang in ("en", "es")
                )  # fmt: skip
    return found


@pytest.mark.parametrize("kind", ["pre", "discharge"])
def test_a_spanish_sheet_is_at_most_a_page_longer_than_the_english(handout_pages, kind):
    # Spanish takes more words than English for the same content: a sheet may spill onto one
    # more page (the README lists which), never more.
    for (procedure, sheet, flags), (english, spanish) in handout_pages.items():
        if sheet == kind and flags == "every":
            assert spanish <= english + 1, (procedure, english, spanish)


SPANISH_PAGES_ROW = re.compile(r"^\| ([a-z-]+) ((?:\| \d[^|]* ){4})\|$", re.M)


def test_the_readme_says_where_spanish_sheets_run_longer(handout_pages):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Spanish sheets are not always the same length") :]
    section = section[: section.index("\n\n", section.index("| procedure | pre, no flags"))]
    shown = {}
    for match in SPANISH_PAGES_ROW.finditer(section):
        for cell, key in zip(
            match[2].strip("| ").split(" | "),
            [("pre", "none"), ("pre", "every"), ("discharge", "none"), ("discharge", "every")],
            strict=True,
        ):
            english, _, spanish = cell.strip().partition(" → ")
            shown[match[1], *key] = (int(english), int(spanish.strip("*") or english))
    assert shown == handout_pages, "update the README's table of Spanish pages: " + ", ".join(
        f"{k}: {v}" for k, v in handout_pages.items() if shown.get(k) != v
    )


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_date_never_breaks_across_lines(make_pdf, lang):
    # The note wraps at a different word each time; the date in it must stay on one line.
    date = {"en": "Tue 1 Dec 2026", "es": "1 de diciembre de 2026"}[lang]
    for words in range(20, 28):
        note = " ".join(["ab"] * words + [date, "please"])
        pdf = make_pdf("steps", "blood-patch", "--lang", lang, "--note", note)
        raw = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode()
        lines = [" ".join(line.split()) for line in raw.splitlines()]
        assert any(date in line for line in lines), (words, [ln for ln in lines if "ab" in ln])
