"""The nurse's teach-back record and the escort's sheet: what they say, in every format, on one
page, and as accessible as every other PDF."""

from __future__ import annotations

import io
import json

import pikepdf
import pytest

from conftest import CLINIC_CONFIG, REPO
from pdf_structure import read_structure
from procguide.document.patient import Personal
from procguide.errors import ExitCode
from procguide.pipeline import Request, produce

PROCEDURES = sorted(p.stem for p in (REPO / "procedures").glob("*.yaml") if "." not in p.stem)
SEDATED = [p for p in PROCEDURES if p != "trigger-point-injection"]
DETAILS = ("--date", "2026-12-01", "--time", "09:30", "--patient", "Jane Doe")
LONG_NAME = "María José Fernández-Castillo de la Vega"


def flags_of(procedure: str) -> tuple[str, ...]:
    text = (REPO / "procedures" / f"{procedure}.yaml").read_text(encoding="utf-8")
    return tuple(f for f in ("sedation", "diabetes") if f"\n  {f}:" in text.split("\nsummary:")[0])


def make(
    procedure: str,
    kind: str,
    *,
    lang: str = "en",
    fmt: str = "pdf",
    paper: str = "letter",
    large: bool = False,
    details: bool = True,
    flags: tuple[str, ...] | None = None,
    config=None,
) -> bytes:
    personal = Personal.read(
        patient=LONG_NAME if details else None,
        clinician="Dr Alexandra Montgomery-Whitfield" if details else None,
        note=None,
        day="2026-12-01" if details else None,
        at="09:30" if details else None,
        flags=flags_of(procedure) if flags is None else flags,
        no_flags=(), holds=(), restarts=(),
    )  # fmt: skip
    request = Request(
        view="handout", procedure=procedure, format=fmt, personal=personal, kind=kind,
        lang=lang, paper=paper, large_print=large, config=config,
    )  # fmt: skip
    return produce(request).data


def flat(text: str) -> str:
    """Text without its line breaks: the sheets wrap where the page needs."""
    return " ".join(text.replace("\u00a0", " ").split())


def pages(data: bytes) -> int:
    return len(pikepdf.open(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    path = tmp_path_factory.mktemp("clinic") / "clinic.yaml"
    path.write_text(CLINIC_CONFIG + "  footer: Leaflet PM-12, version 3\n", encoding="utf-8")
    return path


# --- the nurse's teach-back record ------------------------------------------------------------


def test_the_teach_back_sheet_asks_the_questions_of_this_handout_with_their_key_points(invoke):
    without = flat(invoke("handout", "ebp", "--kind", "teach-back", "-f", "text").stdout)
    with_sedation = flat(
        invoke("handout", "ebp", "--kind", "teach-back", "--flag", "sedation", "-f", "text").stdout
    )

    assert "(record as get-help)" in without and "(record as activity)" in without
    assert "(record as sedation)" not in without
    assert "(record as sedation)" in with_sedation
    assert "An adult stays with you at home, for as long as your care team says." in with_sedation
    for field in ("Learner:", "Interpreter:", "Barriers to learning:", "Method:"):
        assert field in without
    assert "Overall response:" in without and "Nurse:" in without
    assert without.count("Result:") == 2 and with_sedation.count("Result:") == 3


def test_the_teach_back_sheet_has_the_same_stamp_as_the_patients_sheet(invoke):
    sheet = invoke("handout", "radiofrequency-ablation", "--kind", "discharge", "-f", "text").stdout
    record = invoke(
        "handout", "radiofrequency-ablation", "--kind", "teach-back", "-f", "text"
    ).stdout

    assert sheet.strip().splitlines()[-1] == record.strip().splitlines()[-1]
    assert record.strip().splitlines()[-1].startswith("procguide ")


def test_a_question_from_a_block_and_a_point_for_a_flag_show_only_where_they_apply(invoke):
    doc = json.loads(
        invoke("handout", "radiofrequency-ablation", "--kind", "teach-back", "-f", "json").stdout
    )
    ids = [q["id"] for q in doc["teach_back"]]
    get_help = doc["teach_back"][0]

    assert ids == ["get-help", "activity", "blood-thinner"]  # blood-thinner is the block's
    assert not any("blood sugar" in p["text"] for p in get_help["points"])
    diabetic = json.loads(
        invoke(
            "handout",
            "radiofrequency-ablation",
            "--kind",
            "teach-back",
            "--flag",
            "diabetes",
            "-f",
            "json",
        ).stdout
    )
    assert any("blood sugar" in p["text"] for p in diabetic["teach_back"][0]["points"])


def test_the_other_kinds_carry_no_teaching_sections(invoke):
    doc = json.loads(invoke("handout", "ebp", "--kind", "discharge", "-f", "json").stdout)

    assert "teach_back" not in doc and "escort" not in doc


# --- the escort's sheet ---------------------------------------------------------------------------


def test_the_escort_sheet_speaks_to_the_escort_with_real_end_times(invoke):
    out = flat(
        invoke(
            "handout", "ebp", "--kind", "escort", "--flag", "sedation", *DETAILS, "-f", "text"
        ).stdout
    )

    assert "This sheet is for you, the adult who takes Jane Doe home after sedation" in out
    assert "They must not drive for 24 hours. Someone must drive them home." in out
    assert "Do not drive for 24 hours" not in out  # the patient's wording
    assert "Until 09:30 on Wed 2 Dec 2026." in out
    assert "New weakness or numbness in their legs, or they cannot stand" in out
    assert "Call 911 now, or take them to the nearest emergency room, if they have:" in out
    assert "Make sure they do not lock the bathroom door, so that you can get to them." in out


def test_without_a_date_the_escort_sheet_says_how_long_instead(invoke):
    out = flat(
        invoke("handout", "ebp", "--kind", "escort", "--flag", "sedation", "-f", "text").stdout
    )

    assert "For 24 hours after the procedure." in out
    assert "The patient home after sedation" not in out
    assert "the adult who takes the patient home after sedation" in out


def test_the_escort_sheet_is_for_sedation_only(invoke):
    none = invoke("handout", "tpi", "--kind", "escort")
    off = invoke("handout", "ebp", "--kind", "escort", "--patient", "Jane Secret")

    assert none.exit_code == ExitCode.USAGE and off.exit_code == ExitCode.USAGE
    assert none.stderr.splitlines() == [
        "error: --kind: trigger-point-injection has no sedation, so it has no escort sheet "
        "(the escort sheet is for the adult who takes a patient home after sedation)"
    ]
    assert len(off.stderr.splitlines()) == 1 and "turn on the sedation flag" in off.stderr
    assert "Secret" not in off.stderr
    # A procedure that has sedation by default needs no flag.
    assert invoke("handout", "bvna", "--kind", "escort", "-f", "text").exit_code == 0


def test_the_escort_sheet_leaves_limits_without_escort_wording_to_the_going_home_sheet(invoke):
    out = flat(
        invoke(
            "handout", "scs-trial", "--kind", "escort", "--flag", "sedation", "-f", "text"
        ).stdout
    )
    going_home = flat(invoke("handout", "scs-trial", "--kind", "discharge", "-f", "text").stdout)

    assert "Do not have an MRI scan" in going_home
    assert "MRI" not in out
    assert "Their going-home sheet lists all their activity limits." in out


@pytest.mark.parametrize("kind", ["teach-back", "escort"])
def test_no_calendar_of_a_teaching_sheet(invoke, kind):
    result = invoke("handout", "ebp", "--kind", kind, "--flag", "sedation", *DETAILS, "-f", "ics")

    assert result.exit_code == ExitCode.USAGE
    assert f"there is no calendar for the {kind} sheet" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "terminal", "json"])
@pytest.mark.parametrize("kind", ["teach-back", "escort"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_format_makes_both_sheets(invoke, fmt, kind, lang):
    result = invoke(
        "handout", "nerve-block", "--kind", kind, "--flag", "sedation", "--lang", lang,
        *DETAILS, "-f", fmt,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Jane Doe" in result.stdout


def test_data_in_a_teaching_sheet_stays_data(invoke):
    name = "Renée <b>O'Brien</b> & [bold]x[/] #1"
    html = invoke("handout", "ebp", "--kind", "escort", "--flag", "sedation", "--patient", name,
                  "-f", "html").stdout  # fmt: skip
    text = invoke("handout", "ebp", "--kind", "escort", "--flag", "sedation", "--patient", name,
                  "-f", "text").stdout  # fmt: skip

    assert "<b>O'Brien</b>" not in html and "&lt;b&gt;O&#39;Brien&lt;/b&gt;" in html
    assert f"takes {name} home" in flat(text)


# --- one page each, and accessible ----------------------------------------------------------------

ONE_PAGE = [
    (procedure, kind, lang, paper)
    for kind in ("teach-back", "escort")
    for procedure in (PROCEDURES if kind == "teach-back" else SEDATED)
    for lang in ("en", "es")
    for paper in ("letter", "a4")
]


@pytest.mark.parametrize(("procedure", "kind", "lang", "paper"), ONE_PAGE)
def test_each_sheet_prints_on_one_page_with_every_flag_and_long_names(
    procedure, kind, lang, paper, clinic
):
    assert pages(make(procedure, kind, lang=lang, paper=paper, config=clinic)) == 1
    assert pages(make(procedure, kind, lang=lang, paper=paper, details=False)) == 1


TITLES = {
    "teach-back": {"en": "Teach-back record", "es": "Registro de la enseñanza (teach-back)"},
    "escort": {"en": "For the adult taking them home", "es": "Para el acompañante adulto"},
}


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("kind", ["teach-back", "escort"])
@pytest.mark.parametrize("procedure", ["blood-patch", "spinal-cord-stimulator-trial"])
def test_both_sheets_declare_and_meet_pdf_ua_and_pdf_a(procedure, kind, lang, large):
    data = make(procedure, kind, lang=lang, large=large)
    found = read_structure(data)
    name = json.loads(make(procedure, kind, lang=lang, fmt="json"))["procedure"]["name"]

    assert found.marked and found.lang == lang and found.display_title
    assert found.title == f"{name}: {TITLES[kind][lang]}"
    assert found.xmp_value("pdfuaid:part") == "1"
    assert (found.xmp_value("pdfaid:part"), found.xmp_value("pdfaid:conformance")) == ("2", "A")
    assert found.figures_without_alt == 0
    levels = found.heading_levels
    assert levels[:1] == [1] and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
