"""Handouts in the patient's language: Spanish output, dates, catalogs, and translations that
must match their English file item by item."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROCEDURES, build_tree
from procguide.content.offsets import Offset
from procguide.document.wording import Wording
from procguide.i18n.languages import translations

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PROCGUIDE_UPDATE_GOLDEN") == "1"
ARGS = [
    "--patient",
    "María López",
    "--clinician",
    "Dra. Ana Ruiz",
    "--date",
    "2026-12-01",
    "--time",
    "09:30",
    "--flag",
    "sedation",
    "--hold",
    "clopidogrel=7d",
    "--hold",
    "warfarina=13h",
]


def spanish() -> Wording:
    return Wording(translations("es"), "es")


# Golden files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fmt", "suffix"),
    [("pre", "text", "txt"), ("pre", "html", "html"), ("discharge", "text", "txt")],
)
def test_blood_patch_spanish_golden(invoke, clinic_config, kind, fmt, suffix):
    result = invoke(
        "handout", "blood-patch", "--lang", "es", "--kind", kind, *ARGS,
        "--config", str(clinic_config), "--format", fmt,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"blood-patch-{kind}.es.{suffix}"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; if the change is intended, rerun with PROCGUIDE_UPDATE_GOLDEN=1 "
        "and review the diff"
    )


def test_spanish_handout_has_no_english_fixed_text(invoke, clinic_config):
    out = invoke(
        "handout", "blood-patch", "--lang", "es", *ARGS, "--config", str(clinic_config),
        "--format", "text",
    ).stdout  # fmt: skip
    assert "Fecha y hora: martes, 1 de diciembre de 2026, 9:30" in out
    assert "CUÁNDO PEDIR AYUDA" in out and "Llame al 911 ahora" in out
    for english in ("When to get help", "Before your procedure", "Patient:", "before your", "Tue"):
        assert english not in out
    # The stamp names both the English content and the translation, with its own review.
    english, spanish_ = (digest[:12] for digest in _content_hashes())
    assert f"contenido {english} · traducción {spanish_}, revisada 2026-12-01" in out


def _content_hashes() -> tuple[str, str]:
    """The content hashes of the blood patch in English and Spanish, worked out from the bytes
    of each file and of the blocks it includes."""
    from procguide.content.blocks import Used, content_hash

    def of(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    names = ("glp1-medicines", "sedation-fasting", "sedation-aftercare")
    english = tuple(Used(n, Path(), of(PROCEDURES / "blocks" / f"{n}.yaml")) for n in names)
    spanish_ = tuple(Used(n, Path(), of(PROCEDURES / "blocks" / f"{n}.es.yaml")) for n in names)
    return (
        content_hash(of(PROCEDURES / "blood-patch.yaml"), english),
        content_hash(of(PROCEDURES / "blood-patch.es.yaml"), spanish_),
    )


def test_json_document_records_language_and_both_hashes(invoke):
    doc = json.loads(invoke("handout", "ebp", "--lang", "es", "--format", "json").stdout)
    assert doc["language"] == "es"
    assert doc["procedure"]["name"] == "Parche de sangre epidural"
    stamp = doc["stamp"]
    assert (stamp["content_sha256"], stamp["translation_sha256"]) == _content_hashes()


VIEWS = [
    ("handout", "--kind", "pre"),
    ("handout", "--kind", "discharge"),
    ("prep",),
    ("steps",),
    ("aftercare",),
    ("show",),
]


@pytest.mark.parametrize("procedure", ["blood-patch", "epidural-steroid-injection"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "terminal"])
@pytest.mark.parametrize("view", VIEWS, ids=lambda v: "-".join(v))
def test_every_view_and_format_renders_in_spanish(invoke, clinic_config, procedure, fmt, view):
    # A message missing from the catalog would stop the render: nothing falls back to English.
    extra = ["--flag", "sedation", "--date", "2026-12-01", "--time", "09:30"]
    if view[0] == "show":
        extra = []
    result = invoke(
        *view, procedure, "--lang", "es", *extra, "--config", str(clinic_config), "--format", fmt
    )
    assert result.exit_code == 0, result.output
    assert "é" in result.stdout or "á" in result.stdout


def test_calendar_is_in_spanish(invoke, clinic_config):
    result = invoke(
        "prep", "blood-patch", "--lang", "es", *ARGS, "--config", str(clinic_config),
        "--format", "ics",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.stdout.replace("\r\n ", "")
    assert "SUMMARY:Última dosis de clopidogrel" in text
    assert "Preguntas: llame a North Shore Pain Clinic al 555-0100" in text
    assert "Last dose" not in text and "Questions" not in text


def test_spanish_pdf(invoke, tmp_path):
    out = tmp_path / "maria.pdf"
    result = invoke(
        "handout", "blood-patch", "--lang", "es", "--patient", "María López",
        "--date", "2026-12-01", "--time", "09:30", "--format", "pdf", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "María López" in text and "Cuándo pedir ayuda" in text
        assert "martes, 1 de diciembre de 2026, 9:30" in " ".join(text.split())


def test_config_language_is_the_default_and_lang_overrides_it(invoke, tmp_path):
    config = tmp_path / "clinic.yaml"
    config.write_text("language: es\n", encoding="utf-8")
    spanish_ = invoke("steps", "ebp", "--config", str(config), "--format", "text").stdout
    assert "QUÉ PASA" in spanish_
    english = invoke("steps", "ebp", "--config", str(config), "--lang", "en", "--format", "text")
    assert "WHAT HAPPENS" in english.stdout


def test_config_language_must_be_a_code(invoke, tmp_path):
    config = tmp_path / "clinic.yaml"
    config.write_text("language: ../../etc\n", encoding="utf-8")
    result = invoke("steps", "ebp", "--config", str(config))
    assert result.exit_code == 3
    assert "language" in result.stderr


# A missing translation ----------------------------------------------------------------------


def test_a_missing_translation_is_exit_2_listing_the_languages(invoke):
    result = invoke("handout", "blood-patch", "--lang", "fr", "--format", "text")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "blood-patch has no translation into 'fr' (available: en, es)" in result.stderr
    assert "available: en, es" in result.stderr


def test_a_procedure_without_translations_lists_only_english(invoke, tmp_path):
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    assert invoke("new", "knee-injection", "-o", str(clinic)).exit_code == 0
    result = invoke(
        "steps", "knee-injection", "--lang", "es", "--procedures-dir", str(clinic),
        "--format", "text",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "knee-injection has no translation into Spanish ('es')" in result.stderr
    assert "available: en)" in result.stderr


@pytest.mark.parametrize("code", ["../es", "e", "español", "es/x"])
def test_a_language_that_is_not_a_code_is_refused(invoke, code):
    result = invoke("steps", "ebp", "--lang", code)
    assert result.exit_code == 2
    assert "is not a language code" in result.stderr


# Dates and phrases --------------------------------------------------------------------------


def test_english_dates_are_unchanged():
    words = Wording()
    assert words.date(dt.date(2026, 12, 1)) == "Tue 1 Dec 2026"
    assert words.time(dt.datetime(2026, 12, 1, 9, 30)) == "09:30"
    assert words.moment(dt.datetime(2026, 12, 1, 1, 30)) == "at 01:30 on Tue 1 Dec 2026"
    assert words.moment(dt.date(2026, 11, 30)) == "on Mon 30 Nov 2026"


def test_spanish_dates_are_written_out():
    words = spanish()
    assert words.date(dt.date(2026, 12, 1)) == "martes, 1 de diciembre de 2026"
    assert words.time(dt.datetime(2026, 12, 1, 9, 30)) == "9:30"
    assert words.moment(dt.date(2026, 11, 30)) == "el lunes, 30 de noviembre de 2026"
    assert (
        words.date_range(dt.date(2026, 12, 1), dt.date(2026, 12, 3))
        == "del martes, 1 de diciembre de 2026 al jueves, 3 de diciembre de 2026"
    )


@pytest.mark.parametrize(
    ("hour", "expected"),
    [(1, "a la 1:30"), (0, "a las 0:30"), (2, "a las 2:30"), (13, "a las 13:30")],
)
def test_spanish_article_agrees_with_the_hour(hour, expected):
    moment = dt.datetime(2026, 12, 1, hour, 30)
    assert spanish().moment(moment) == f"el martes, 1 de diciembre de 2026, {expected}"


def test_spanish_amounts_and_windows():
    words = spanish()
    assert words.before(Offset.parse("1d")) == "1 día antes de su procedimiento"
    assert words.window(Offset.parse("0h"), Offset.parse("2w")) == (
        "Hasta 2 semanas después de su procedimiento"
    )


def test_english_handouts_do_not_import_babel(tmp_path):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from procguide.cli import app\n"
        "r = CliRunner().invoke(app, ['handout', 'ebp', '--date', '2026-12-01', '--time', "
        "'09:30', '--format', 'html'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print('babel' in sys.modules)\n"
    )
    env = {**os.environ, "PROCGUIDE_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# Catalogs -----------------------------------------------------------------------------------


def test_built_in_catalogs_translate_every_message():
    # Every _() in the templates (all formats) and the code, extracted with Babel, has a
    # checked translation. Run `python -m procguide.i18n.catalogs` after changing any text.
    from procguide.i18n.catalogs import problems, template

    assert problems(template()) == []


def test_a_template_message_missing_from_the_catalog_is_an_error(invoke, tmp_path):
    # A clinic's template adds a heading nobody translated: no handout, rather than a mixed one.
    templates = build_tree(
        tmp_path / "templates",
        {
            "text/steps.txt": '{% extends "base.txt" %}\n'
            '{% block title %}{{ _("Brand new heading") }}{% endblock %}\n'
        },
    )
    result = invoke("steps", "ebp", "--lang", "es", "--templates-dir", str(templates))
    assert result.exit_code == 3
    assert "no Spanish translation of the message 'Brand new heading'" in result.stderr
    english = invoke("steps", "ebp", "--templates-dir", str(templates), "--format", "text")
    assert english.exit_code == 0 and "Brand new heading" in english.stdout


def test_a_clinic_adds_a_language_without_code(invoke, tmp_path):
    # A catalog in the clinic's templates folder and a translation in its procedures folder.
    po = (Path(translations("es").files[0])).read_text(encoding="utf-8")
    po = po.replace('"Language: es\\n"', '"Language: pt\\n"').replace(
        'msgstr "Qué pasa"', 'msgstr "O que acontece"'
    )
    templates = build_tree(tmp_path / "templates", {"locale/pt/LC_MESSAGES/procguide.po": po})
    procedures = tmp_path / "procedures"
    procedures.mkdir()
    text = (PROCEDURES / "blood-patch.es.yaml").read_text(encoding="utf-8")
    (procedures / "blood-patch.pt.yaml").write_text(text, encoding="utf-8")
    _copy_block_translations(procedures, "pt")
    result = invoke(
        "steps", "ebp", "--lang", "pt", "--templates-dir", str(templates),
        "--procedures-dir", str(procedures), "--format", "text",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "O QUE ACONTECE" in result.stdout
    assert invoke("steps", "ebp", "--lang", "es", "--format", "json").exit_code == 0
    listed = invoke("steps", "ebp", "--lang", "fr", "--procedures-dir", str(procedures))
    assert "available: en, es, pt" in listed.stderr


def test_a_language_without_a_catalog_is_a_content_error(invoke, tmp_path):
    procedures = tmp_path / "procedures"
    procedures.mkdir()
    text = (PROCEDURES / "blood-patch.es.yaml").read_text(encoding="utf-8")
    (procedures / "blood-patch.fr.yaml").write_text(text, encoding="utf-8")
    _copy_block_translations(procedures, "fr")
    result = invoke("steps", "ebp", "--lang", "fr", "--procedures-dir", str(procedures))
    assert result.exit_code == 3
    assert "no catalog of the handouts' fixed text in 'fr'" in result.stderr


def _copy_block_translations(procedures: Path, lang: str) -> None:
    """A new language needs the blocks the procedure includes in it too."""
    (procedures / "blocks").mkdir()
    for path in (PROCEDURES / "blocks").glob("*.es.yaml"):
        shutil.copy(path, procedures / "blocks" / path.name.replace(".es.", f".{lang}."))


def test_a_document_is_never_rendered_with_another_language_s_text():
    from procguide.config import Clinic
    from procguide.content.library import load_entry
    from procguide.document.patient import Personal
    from procguide.errors import TemplateError
    from procguide.i18n.languages import active
    from procguide.pipeline import make as document
    from procguide.render.templates import FORMATS, render

    entry = load_entry(PROCEDURES / "blood-patch.yaml")
    built = document(entry, Personal(), Clinic(), lang="es", view="steps")
    with pytest.raises(TemplateError, match="the document is in Spanish but the template text"):
        render(built.data, FORMATS["text"])  # no catalog made active for it
    with active("es"):
        assert "QUÉ PASA" in render(built.data, FORMATS["text"])


# Translations that drift from their English file ----------------------------------------------


@pytest.fixture
def pair(tmp_path):
    """A folder with the blood patch in English and Spanish; returns a function to edit them."""
    folder = tmp_path / "procs"
    folder.mkdir()
    for name in ("blood-patch.yaml", "blood-patch.es.yaml"):
        shutil.copy(PROCEDURES / name, folder / name)

    def edit(name: str, old: str, new: str, count: int = 1) -> Path:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return path

    edit.folder = folder  # type: ignore[attr-defined]
    return edit


def problems_of(invoke, folder: Path) -> list[str]:
    result = invoke("validate", str(folder))
    assert result.exit_code == 3, result.output
    return [line.removeprefix("error: ") for line in result.stderr.splitlines()]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def only(lines: list[str], path: Path) -> list[str]:
    # Anything but the hash check, which every edit to the English file also trips.
    return [line for line in lines if str(path) in line and "translates.sha256" not in line]


def test_the_built_in_translations_are_valid_and_up_to_date(invoke):
    result = invoke("validate")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"\d+ procedures, \d+ translations and \d+ blocks valid\n", result.stdout)


def test_a_translation_behind_its_english_file_is_an_error(invoke, pair):
    pair("blood-patch.yaml", "You sit up, or you lie on", "You sit up, or lie on")
    english = hashlib.sha256((pair.folder / "blood-patch.yaml").read_bytes()).hexdigest()
    spanish_ = pair.folder / "blood-patch.es.yaml"
    lines = problems_of(invoke, pair.folder)
    assert lines == [
        f"{spanish_}:{line_of(spanish_, 'sha256:')}: translates.sha256: out of date: translates "
        "another version of blood-patch.yaml, which has changed since (it is now "
        f"{english}); review the translation against the English changes, then set "
        "translates.sha256 to that value"
    ]
    # Handouts refuse it too, in every format.
    result = invoke(
        "handout", "ebp", "--lang", "es", "--procedures-dir", str(pair.folder), "--format", "json"
    )
    assert result.exit_code == 3 and "out of date" in result.stderr
    assert invoke("handout", "ebp", "--procedures-dir", str(pair.folder)).exit_code == 0
    # Updating the hash after the review makes it current again.
    old = hashlib.sha256((PROCEDURES / "blood-patch.yaml").read_bytes()).hexdigest()
    pair("blood-patch.es.yaml", old, english)
    assert invoke("validate", str(pair.folder)).exit_code == 0


def test_changed_timing(invoke, pair):
    path = pair("blood-patch.es.yaml", "    until: 24h", "    until: 12h")
    assert only(problems_of(invoke, pair.folder), path) == [
        f"{path}:{line_of(path, 'until: 12h')}: restrictions.0.until: changed timing: 12h, "
        "the English file has 24h"
    ]


def test_a_changed_number_in_the_text(invoke, pair):
    # The timing is data, but the text says it too: "24 horas" must stay 24, and a number may
    # not be spelt out ("veinticuatro"), where this check could not see it.
    path = pair("blood-patch.es.yaml", "No maneje por 24 horas.", "No maneje por 12 horas.")
    assert only(problems_of(invoke, pair.folder), path) == [
        f"{path}:{line_of(path, 'No maneje por 12 horas.')}: restrictions.0.text: changed "
        "numbers: [12], the English text has [24]; write the English file's numbers, in digits"
    ]
    pair("blood-patch.es.yaml", "No maneje por 12 horas.", "No maneje por veinticuatro horas.")
    [line] = only(problems_of(invoke, pair.folder), path)
    assert line.endswith(
        "changed numbers: [], the English text has [24]; write the English "
        "file's numbers, in digits"
    )


def test_changed_window(invoke, pair):
    path = pair("blood-patch.es.yaml", "    from: 0h\n    to: 24h", "    from: 0h\n    to: 48h")
    assert only(problems_of(invoke, pair.folder), path) == [
        f"{path}:{line_of(path, 'to: 48h')}: recovery.1.to: changed timing: 48h, the English "
        "file has 24h"
    ]


def test_a_timing_dropped(invoke, pair):
    path = pair("blood-patch.es.yaml", "    until: 24h\n", "")
    [line] = only(problems_of(invoke, pair.folder), path)
    assert line.endswith("restrictions.0.until: changed timing: none, the English file has 24h")


def test_changed_flags(invoke, pair):
    path = pair("blood-patch.es.yaml", "    unless: [sedation]", "    when: [sedation]")
    lines = only(problems_of(invoke, pair.folder), path)
    # `unless` is gone, so the item's own line (its folded text starts on the next one).
    item = line_of(path, "Hasta su procedimiento, tome muchos") - 1
    assert lines == [
        f"{path}:{item}: preparation.4.unless: changed flags: unless [], the English file has "
        "[sedation]",
        f"{path}:{item + 3}: preparation.4.when: changed flags: when "
        "[sedation], the English file has []",
    ]


def test_changed_sources(invoke, pair):
    line = line_of(pair.folder / "blood-patch.es.yaml", "    sources: [ncic-nhs]")
    path = pair("blood-patch.es.yaml", "    sources: [ncic-nhs]\n", "    sources: [hey-nhs]\n")
    assert only(problems_of(invoke, pair.folder), path) == [
        f"{path}:{line}: preparation.0.sources: changed sources: cites [hey-nhs], the English "
        "file cites [ncic-nhs]"
    ]


def test_missing_item(invoke, pair):
    path = pair(
        "blood-patch.es.yaml",
        "    - text: Daño a los nervios.\n      sources: [oaa-bloodpatch-leaflet]\n",
        "",
    )
    [line] = only(problems_of(invoke, pair.folder), path)
    assert line.startswith(f"{path}:")
    assert line.endswith(
        "risks.rare.3: missing: the English file has an item here ('Nerve damage.')"
    )


def test_extra_item(invoke, pair):
    path = pair(
        "blood-patch.es.yaml",
        "  - text: No funciona para todas las personas.\n    sources: [cc-ebp]\n",
        "  - text: No funciona para todas las personas.\n    sources: [cc-ebp]\n"
        "  - text: Es caro.\n    sources: [cc-ebp]\n",
    )
    assert only(problems_of(invoke, pair.folder), path) == [
        f"{path}:{line_of(path, 'Es caro.')}: cons.3: extra: the English file has no item here"
    ]


def test_flags_sources_and_names_must_match(invoke, pair):
    path = pair("blood-patch.es.yaml", "aliases: [ebp, epidural-blood-patch]", "aliases: [ebp]")
    pair("blood-patch.es.yaml", "  - id: nca-nhs", "  - id: nca-nhs-es")
    pair("blood-patch.es.yaml", "id: blood-patch\n", "id: parche\n")
    lines = only(problems_of(invoke, pair.folder), path)
    assert any(
        line.endswith("id: changed: 'parche', the English file has 'blood-patch'") for line in lines
    )
    assert any(
        line.endswith("aliases: changed: [ebp], the English file has [ebp, epidural-blood-patch]")
        for line in lines
    )
    assert any("extra: the English file has no source 'nca-nhs-es'" in line for line in lines)
    assert any("missing: the source 'nca-nhs' of the English file" in line for line in lines)
    # Items citing the renamed source are reported against this file's own source list too.
    assert any("cites unknown source 'nca-nhs'" in line for line in lines)


def test_validate_counts_translations(invoke):
    result = invoke("validate", str(PROCEDURES / "blood-patch.es.yaml"))
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 translation valid\n"


def test_a_translation_without_its_english_file(invoke, tmp_path):
    folder = tmp_path / "procs"
    folder.mkdir()
    shutil.copy(PROCEDURES / "blood-patch.es.yaml", folder / "lost.es.yaml")
    lines = problems_of(invoke, folder)
    assert lines == [
        f"{folder / 'lost.es.yaml'}: translates 'lost', but there is no valid lost.yaml beside it "
        "or in the library to compare it with"
    ]


def test_a_translation_must_say_what_it_translates(invoke, pair):
    path = pair("blood-patch.es.yaml", "translates:\n  sha256:", "# sha256:")
    lines = problems_of(invoke, pair.folder)
    assert any(line.startswith(f"{path}:") and "translates: is required" in line for line in lines)


# Lint ---------------------------------------------------------------------------------------


def test_lint_scores_spanish_with_inflesz(invoke, tmp_path):
    from procguide.lint.check import Options
    from procguide.lint.run import lint_files
    from procguide.lint.text import inflesz, inflesz_band

    reports, problems = lint_files(
        [PROCEDURES / "blood-patch.yaml", PROCEDURES / "blood-patch.es.yaml"],
        Options(today=dt.date(2026, 12, 1)),
    )
    assert not problems
    english, spanish_ = reports
    assert spanish_.procedure == "blood-patch.es"
    assert spanish_.findings == ()
    assert spanish_.grade >= 65  # INFLESZ "bastante fácil" or easier
    assert inflesz("El médico limpia la piel de su espalda.") > 80
    assert [inflesz_band(s) for s in (85, 70, 60, 45, 20)] == [
        "muy fácil", "bastante fácil", "normal", "algo difícil", "muy difícil",
    ]  # fmt: skip


HARD_SPANISH = (
    "La administración intratecal de hemoderivados autólogos constituye una intervención "
    "terapéutica extraordinariamente eficaz para la hipotensión licuoral postpunción."
)


def _spanish_blood_patch(tmp_path: Path, old: str, new: str) -> list[Path]:
    folder = tmp_path / "procs"
    folder.mkdir()
    shutil.copy(PROCEDURES / "blood-patch.yaml", folder)
    text = (PROCEDURES / "blood-patch.es.yaml").read_text(encoding="utf-8")
    assert old in text
    (folder / "blood-patch.es.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return sorted(folder.iterdir())


def test_lint_flags_hard_spanish(tmp_path):
    from procguide.lint.check import Options
    from procguide.lint.run import lint_files

    paths = _spanish_blood_patch(
        tmp_path,
        "text: La espalda puede dolerle o estar rígida por unos días.",
        f"text: {HARD_SPANISH}",
    )
    reports, problems = lint_files(paths, Options(today=dt.date(2026, 12, 1)))
    assert not problems
    [finding] = [f for f in reports[1].findings if f.rule == "grade"]
    assert finding.field == "risks.common"
    # Below 55 ("algo difícil") is past the hard floor: an error, whatever the section's size.
    assert finding.severity == "error"
    assert re.match(r"INFLESZ 5\d\.\d \(algo difícil\) < 55: ", finding.message), finding.message
    # A budget set lower lowers the floor with it.
    reports, _ = lint_files(paths, Options(today=dt.date(2026, 12, 1), min_inflesz=45))
    assert not [f for f in reports[1].findings if f.rule == "grade"]


def test_lint_holds_spanish_to_the_vocabulary_and_length_budgets(tmp_path):
    from procguide.lint.check import Options
    from procguide.lint.run import lint_files

    paths = _spanish_blood_patch(tmp_path, "text: Daño a los nervios.", f"text: {HARD_SPANISH}")
    today = dt.date(2026, 12, 1)
    reports, _ = lint_files(paths, Options(today=today, max_spanish_hard_words=4.0))
    [vocabulary] = [f for f in reports[1].findings if f.rule == "vocabulary"]
    assert re.match(r"hard words \d\.\d% > the budget of 4%", vocabulary.message)
    assert "the commonest hard words here: adormecer, epidural" in vocabulary.message
    # The Spanish sheets are counted as the patient gets them: in Spanish, every flag on.
    limits = {"pre": 1000, "discharge": 400}
    reports, _ = lint_files(paths, Options(today=today, max_sheet_words=limits))
    english, spanish_ = ({f.message.split(" words")[0] for f in r.findings
                          if f.rule == "sheet-length"} for r in reports)  # fmt: skip
    assert english == {"the discharge sheet has 415"}
    assert spanish_ == {"the pre sheet has 1,067", "the discharge sheet has 455"}


def test_list_names_the_languages_of_each_procedure(invoke):
    rows = json.loads(invoke("list", "--format", "json").stdout)
    by_id = {row["id"]: row["languages"] for row in rows}
    # Every built-in procedure can be handed out in Spanish, the language of most US patients
    # with limited English.
    assert len(by_id) == 9
    assert all(languages == ["en", "es"] for languages in by_id.values()), by_id


def test_build_refuses_to_mix_languages():
    # A caller that asks for Spanish without the translation (or with English phrases) gets
    # no document, never English content under Spanish headings.
    from procguide.config import Clinic
    from procguide.content.library import load_entry
    from procguide.content.translation import localize
    from procguide.document.build import build
    from procguide.document.patient import Personal

    entry = load_entry(PROCEDURES / "blood-patch.yaml")
    with pytest.raises(ValueError, match="needs the translation"):
        build(entry, Personal(), Clinic(), spanish(), view="steps", language="es")
    translation = localize(entry, "es", ())
    with pytest.raises(ValueError, match="wording is not in the document's language"):
        build(entry, Personal(), Clinic(), Wording(), view="steps", translation=translation)


# The text view's width ------------------------------------------------------------------------

TEXT_WIDTH = 78


def _languages_of(invoke) -> dict[str, list[str]]:
    rows = json.loads(invoke("list", "--format", "json").stdout)
    return {row["id"]: row["languages"] for row in rows}


@pytest.mark.parametrize("view", VIEWS[:5], ids=lambda v: "-".join(v))
def test_text_lines_fit_the_page_in_every_language(invoke, clinic_config, view):
    # Due times, recovery windows and limits are headings built from long Spanish dates ("del
    # miércoles, 9 de diciembre de 2026 al martes, 22 de diciembre de 2026"): they wrap like the
    # items under them. The stamp stays one line, so it can be copied whole to trace a sheet.
    holds = ["--hold", "clopidogrel=7d", "--hold", "warfarina=13h", "--restart", "clopidogrel=1d"]
    for procedure, languages in _languages_of(invoke).items():
        flags = json.loads(invoke("show", procedure, "--format", "json").stdout)["procedure"]
        every_flag = [arg for flag in flags["flags"] for arg in ("--flag", flag["name"])]
        for lang in languages:
            result = invoke(
                *view, procedure, "--lang", lang, "--date", "2026-12-08", "--time", "09:30",
                *every_flag, *holds, "--config", str(clinic_config), "--format", "text",
            )  # fmt: skip
            assert result.exit_code == 0, result.output
            body = result.stdout.rstrip("\n").splitlines()[:-1]
            wide = [line for line in body if len(line) > TEXT_WIDTH]
            assert not wide, f"{procedure} {lang}: {wide}"
