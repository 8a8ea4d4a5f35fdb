"""Hostile text stays literal in every format; the blood patch renders exactly as reviewed."""

import html
import json
import os
import re
from pathlib import Path

import pytest

HOSTILE = (
    "Renée O'Brien <script>alert(1)</script> [bold red]x[/] *a* _b_ {{ 7*7 }} #1 | \\ @d &amp;"
)
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PROCGUIDE_UPDATE_GOLDEN") == "1"


def _render(invoke, fmt, *extra):
    result = invoke(
        "handout",
        "blood-patch",
        "--patient",
        HOSTILE,
        "--note",
        HOSTILE,
        "--clinician",
        HOSTILE,
        "--format",
        fmt,
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def _without_hashes(out: str) -> str:
    """The output without the stamp's content hashes, which may hold any digits (49 too)."""
    return re.sub(r"\b[0-9a-f]{12}\b", "", out)


def test_text_keeps_hostile_text_literally(invoke):
    out = _render(invoke, "text")
    assert f"Patient: {HOSTILE}" in out
    # Never evaluated as a template.
    assert "49" not in _without_hashes(out)


def test_json_keeps_hostile_text_literally(invoke):
    doc = json.loads(_render(invoke, "json"))
    assert doc["patient"] == {"name": HOSTILE, "clinician": HOSTILE, "note": HOSTILE}


def test_html_escapes_every_value(invoke):
    out = _render(invoke, "html")
    assert "<script>" not in out
    cell = re.search(r"<th scope=\"row\">Patient</th><td>(.*?)</td>", out)
    assert cell is not None
    assert html.unescape(cell[1]) == HOSTILE


def test_markdown_escapes_every_value(invoke):
    out = _render(invoke, "markdown")
    line = next(line for line in out.splitlines() if line.startswith("- **Patient:**"))
    value = line.removeprefix("- **Patient:** ")
    assert "<script>" not in value and "[bold" not in value.replace("\\[bold", "")
    # CommonMark: a backslash before ASCII punctuation makes it literal; undo that and compare.
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value) == HOSTILE


def test_terminal_shows_markup_characters_literally(invoke):
    out = _render(invoke, "terminal", "--date", "2026-12-01", "--time", "09:30")
    assert f"Patient: {HOSTILE}" in out


def test_procedure_text_is_never_a_template(invoke, tmp_path):
    from conftest import PROCEDURES

    folder = tmp_path / "procs"
    folder.mkdir()
    text = (PROCEDURES / "blood-patch.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "The blood forms a clot. The clot seals the leak.",
        "'{{ 7*7 }} {% raw %} <b>bold</b> [red]x[/red]'",
    )
    (folder / "blood-patch.yaml").write_text(text, encoding="utf-8")
    for fmt in ("text", "html", "markdown"):
        result = invoke("steps", "ebp", "--procedures-dir", str(folder), "--format", fmt)
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert "49" not in _without_hashes(out)
        assert "{{ 7*7 }}" in out or "{{ 7\\*7 }}" in out
        assert "<b>bold</b>" not in out or fmt == "text"


GOLDEN_ARGS = [
    "--patient",
    "Jane Doe",
    "--clinician",
    "Dr Ana Ruiz",
    "--date",
    "2026-12-01",
    "--time",
    "09:30",
    "--flag",
    "sedation",
    "--hold",
    "clopidogrel=7d",
]


@pytest.mark.parametrize(
    ("kind", "fmt", "suffix"),
    [
        ("pre", "text", "txt"),
        ("pre", "markdown", "md"),
        ("pre", "html", "html"),
        ("pre", "json", "json"),
        ("discharge", "text", "txt"),
        ("discharge", "html", "html"),
    ],
)
def test_blood_patch_golden(invoke, clinic_config, kind, fmt, suffix):
    result = invoke(
        "handout",
        "blood-patch",
        "--kind",
        kind,
        *GOLDEN_ARGS,
        "--config",
        str(clinic_config),
        "--format",
        fmt,
    )
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"blood-patch-{kind}.{suffix}"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; if the change is intended, rerun with PROCGUIDE_UPDATE_GOLDEN=1 "
        "and review the diff"
    )


@pytest.mark.parametrize("kind", ["pre", "discharge"])
def test_blood_patch_terminal_and_typst_golden(invoke, clinic_config, kind):
    # The two views no other golden shows: the terminal's printed text, and the Typst source
    # that the PDF is typeset from (the PDF's own bytes depend on the engine's version).
    from procguide.i18n.languages import active
    from procguide.render.pdf import render_source

    args = ("handout", "blood-patch", "--kind", kind, *GOLDEN_ARGS, "--config", str(clinic_config))
    screen = invoke(*args, "--format", "terminal")
    assert screen.exit_code == 0, screen.output
    document = json.loads(invoke(*args, "--format", "json").stdout)
    with active("en", None):
        typst = render_source(document)
    for text, suffix in ((screen.stdout, "terminal.txt"), (typst, "typ")):
        golden = GOLDEN / f"blood-patch-{kind}.{suffix}"
        if UPDATE:
            golden.write_text(text, encoding="utf-8")
        assert text == golden.read_text(encoding="utf-8"), (
            f"{golden.name} differs; if the change is intended, rerun with "
            "PROCGUIDE_UPDATE_GOLDEN=1 and review the diff"
        )


def test_schema_golden(invoke):
    # Every field's docstring is its description, the inherited (Item.text in RecoveryItem)
    # and the aliased ("from") ones too; editors show them as a clinician types.
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    golden = GOLDEN / "schema.json"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; if the change is intended, rerun with PROCGUIDE_UPDATE_GOLDEN=1 "
        "and review the diff"
    )
    recovery = json.loads(result.stdout)["$defs"]["RecoveryItem"]["properties"]
    assert recovery["text"]["description"].startswith("What the patient reads.")
    assert recovery["from"]["description"].startswith("When the window starts")
