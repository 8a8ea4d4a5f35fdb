"""The commands as a user runs them: output, errors and exit codes."""

import json
import re
import subprocess
import sys

import pytest

from procguide.errors import ExitCode

VIEWS = ["prep", "steps", "aftercare", "handout", "show"]
FORMATS = ["text", "markdown", "html", "json", "terminal"]
PERSONAL = ["--patient", "Jane Doe", "--date", "2026-12-01", "--time", "09:30"]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_command_renders_every_format(invoke, view, fmt):
    args = [view, "blood-patch", "--format", fmt]
    if view != "show":
        args += PERSONAL
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "epidural blood patch" in result.stdout.lower()
    assert (
        "blood-patch · reviewed" in result.stdout or '"procedure": "blood-patch"' in result.stdout
    )


def test_prep_with_date_gives_real_times(invoke, clinic_config):
    result = invoke(
        "prep",
        "ebp",
        *PERSONAL,
        "--flag",
        "sedation",
        "--hold",
        "clopidogrel=7d",
        "--config",
        str(clinic_config),
        "--format",
        "text",
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "At 01:30 on Tue 1 Dec 2026 (8 hours before your procedure)" in out
    assert "At 09:00 on Tue 1 Dec 2026 (30 minutes before your procedure)" in out
    assert (
        "Take your last dose\n      on Mon 23 Nov 2026" in out
        or "Take your last dose on Mon 23 Nov 2026" in out
    )
    assert "North Shore Pain Clinic at 555-0100 (after hours: 555-0199)" in out.replace("\n  ", " ")


def test_without_a_date_the_wording_is_relative(invoke):
    result = invoke("prep", "blood-patch", "--flag", "sedation", "--format", "text")
    assert result.exit_code == 0
    assert "8 hours before your procedure:" in result.stdout
    assert "Tue" not in result.stdout


def test_sedation_items_only_with_the_flag(invoke):
    without = invoke("prep", "blood-patch", "--format", "text").stdout
    with_flag = invoke("prep", "blood-patch", "--flag", "sedation", "--format", "text").stdout
    assert "Stop eating food" not in without
    assert "Stop eating food" in with_flag
    assert "Until your procedure, drink plenty of fluids" in without
    assert "Until your procedure, drink plenty of fluids" not in with_flag


def test_json_is_the_resolved_document(invoke, clinic_config):
    result = invoke(
        "handout", "blood-patch", *PERSONAL, "--config", str(clinic_config), "--format", "json"
    )
    doc = json.loads(result.stdout)
    assert doc["format"] == "procguide-document/1"
    assert doc["appointment"]["start"] == "2026-12-01T09:30:00-05:00"
    assert doc["clinic"]["phone"] == "555-0100"
    assert doc["stamp"]["content_sha256"].startswith(doc["stamp"]["content"])
    recovery = doc["recovery"][0]["window"]
    assert (recovery["start_date"], recovery["display"]) == ("2026-12-01", "Tue 1 Dec 2026")


def test_discharge_sheet_has_signatures_and_no_preparation(invoke):
    out = invoke("handout", "blood-patch", "--kind", "discharge", "--format", "text").stdout
    assert "SIGNATURES" in out and "Nurse" in out
    assert "BEFORE YOUR PROCEDURE" not in out


def test_lookup_by_alias_code_and_any_case(invoke):
    for name in ("EBP", "epidural-blood-patch", "62273"):
        result = invoke("steps", name, "--format", "text")
        assert result.exit_code == 0, name
        assert "EPIDURAL BLOOD PATCH" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["aftercare", "blod-patch"],
            ExitCode.USAGE,
            "error: no procedure is called 'blod-patch' (did you mean blood-patch",
        ),
        (
            ["prep", "ebp", "--flag", "sedatoin"],
            ExitCode.USAGE,
            "error: --flag: blood-patch has no flag 'sedatoin' (valid flags: sedation)",
        ),
        (
            ["prep", "ebp", "--date", "01/02/2026", "--time", "09:30"],
            ExitCode.USAGE,
            "error: --date: is not a date in YYYY-MM-DD form",
        ),
        (["prep", "ebp", "--date", "2026-12-01"], ExitCode.USAGE, "error: --time: is needed too"),
        (
            ["prep", "ebp", "--hold", "clopidogrel"],
            ExitCode.USAGE,
            "error: --hold: needs a medicine and how long before",
        ),
        (
            ["prep", "ebp", "--hold", "clopidogrel=1m"],
            ExitCode.USAGE,
            "error: --hold: the time is not clear: write a whole number and one unit",
        ),
        (["prep", "ebp", "--format", "docx"], ExitCode.USAGE, "error: unknown format 'docx'"),
        (
            ["prep", "ebp", "-o", "x.docx"],
            ExitCode.USAGE,
            "error: cannot tell the format from the name x.docx",
        ),
        (
            ["prep", "ebp", "--patient", "A\x1b[31mB"],
            ExitCode.USAGE,
            "invisible control character (U+001B)",
        ),
        (
            ["prep", "ebp", "--config", "missing.yaml"],
            ExitCode.INVALID_CONTENT,
            "error: missing.yaml: config file not found",
        ),
    ],
)
def test_bad_input_is_one_line_and_a_documented_exit_code(invoke, args, code, message):
    result = invoke(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_past_date_is_a_warning(invoke):
    result = invoke("prep", "ebp", "--date", "2020-01-01", "--time", "09:30", "--format", "text")
    assert result.exit_code == 0
    assert "warning: the procedure date 2020-01-01 is in the past" in result.stderr


def test_output_file_is_written_whole(invoke, tmp_path):
    target = tmp_path / "jane.html"
    result = invoke("handout", "blood-patch", *PERSONAL, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert result.stdout == ""
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize("where", ["missing-folder/out.txt", "."])
def test_unwritable_output_is_exit_5_and_leaves_nothing(invoke, tmp_path, where):
    before = sorted(p.name for p in tmp_path.iterdir())
    result = invoke("aftercare", "blood-patch", "--format", "text", "-o", where)
    assert result.exit_code == ExitCode.OUTPUT
    assert result.stderr.startswith("error: cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_read_only_folder_is_exit_5(invoke, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = invoke("aftercare", "blood-patch", "-o", str(folder / "a.txt"))
        if result.exit_code == 0:  # running as root: permissions do not apply
            pytest.skip("permissions are not enforced for this user")
        assert result.exit_code == ExitCode.OUTPUT
        assert "permission denied" in result.stderr
    finally:
        folder.chmod(0o700)


def test_debug_shows_the_traceback_and_keeps_the_exit_code(invoke):
    plain = invoke("aftercare", "nope")
    debug = invoke("--debug", "aftercare", "nope")
    assert plain.exit_code == debug.exit_code == ExitCode.USAGE
    assert "Traceback" not in plain.stderr
    assert "UnknownProcedureError" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr
    assert "procguide.errors.UnknownProcedureError: no procedure is called 'nope'" in debug.stderr
    # The one-line message still ends the output, where a reader looks.
    assert debug.stderr.splitlines()[-1] == plain.stderr.splitlines()[-1]


def _broken_find(self, name):
    raise RuntimeError(f"bug while reading {name} for Jane Doe")


def test_a_bug_is_one_line_exit_1_and_names_no_patient(invoke, monkeypatch):
    from procguide.content.library import Library

    monkeypatch.setattr(Library, "find", _broken_find)
    result = invoke("handout", "blood-patch", "--patient", "Jane Doe", "--format", "text")
    assert result.exit_code == ExitCode.FAILURE
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: internal error: RuntimeError at procguide/")
    assert line.endswith("; rerun with --debug and report it")
    assert "Jane" not in result.stderr
    assert result.stdout == ""


def test_a_bug_with_debug_shows_its_traceback_and_exits_1(invoke, monkeypatch):
    from procguide.content.library import Library

    monkeypatch.setattr(Library, "find", _broken_find)
    result = invoke("--debug", "handout", "blood-patch", "--format", "text")
    assert result.exit_code == ExitCode.FAILURE
    assert "RuntimeError: bug while reading blood-patch" in result.stderr


def test_list_and_validate(invoke):
    listed = invoke("list")
    assert listed.exit_code == 0
    header, *rows_ = listed.stdout.splitlines()
    # Piped: a header and every column, tab-separated, for cut and awk.
    assert header.split("\t") == ["id", "name", "aliases", "cpt", "reviewed", "languages"]
    assert "blood-patch\tEpidural blood patch\tebp,epidural-blood-patch\t62273\t" in listed.stdout
    assert all(len(row.split("\t")) == 6 for row in rows_)
    rows = json.loads(invoke("list", "--format", "json").stdout)
    assert {"id": "blood-patch", "cpt": ["62273"]}.items() <= next(
        r for r in rows if r["id"] == "blood-patch"
    ).items()
    validated = invoke("validate")
    assert validated.exit_code == 0
    assert validated.stdout.strip().endswith("valid")


def test_validate_reports_every_bad_file(invoke, tmp_path):
    (tmp_path / "a.yaml").write_text("id: a\nname: A\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    result = invoke("validate", str(tmp_path))
    assert result.exit_code == ExitCode.INVALID_CONTENT
    assert f"{tmp_path / 'a.yaml'}:1: " in result.stderr
    assert f"{tmp_path / 'b.yaml'}:2: duplicate key 'a'" in result.stderr


def test_schema_is_json_schema_with_descriptions(invoke):
    schema = json.loads(invoke("schema").stdout)
    assert schema["title"] == "procguide procedure"
    assert "summary" in schema["required"]
    assert "plain language" in json.dumps(schema).lower()


def test_clinic_procedures_override_built_ins(invoke, tmp_path):
    from conftest import PROCEDURES

    clinic = tmp_path / "clinic-procs"
    clinic.mkdir()
    text = (PROCEDURES / "blood-patch.yaml").read_text(encoding="utf-8")
    (clinic / "blood-patch.yaml").write_text(
        text.replace("name: Epidural blood patch", "name: Blood patch (clinic)"), encoding="utf-8"
    )
    result = invoke("steps", "ebp", "--procedures-dir", str(clinic), "--format", "text")
    assert result.exit_code == 0
    assert "BLOOD PATCH (CLINIC)" in result.stdout


def test_clinic_template_overrides_one_template(invoke, tmp_path):
    (tmp_path / "tpl" / "text").mkdir(parents=True)
    (tmp_path / "tpl" / "text" / "aftercare.txt").write_text(
        "CUSTOM {{ doc.procedure.name }}\n", encoding="utf-8"
    )
    result = invoke(
        "aftercare", "ebp", "--templates-dir", str(tmp_path / "tpl"), "--format", "text"
    )
    assert result.stdout == "CUSTOM Epidural blood patch\n"
    other = invoke("steps", "ebp", "--templates-dir", str(tmp_path / "tpl"), "--format", "text")
    assert "WHAT HAPPENS" in other.stdout  # falls back to the built-in template


def test_template_printing_a_missing_value_is_an_error(invoke, tmp_path):
    (tmp_path / "tpl" / "text").mkdir(parents=True)
    (tmp_path / "tpl" / "text" / "aftercare.txt").write_text(
        "Dose: {{ doc.procedure.dose }}\n", encoding="utf-8"
    )
    result = invoke(
        "aftercare", "ebp", "--templates-dir", str(tmp_path / "tpl"), "--format", "text"
    )
    assert result.exit_code == ExitCode.TEMPLATE
    assert "aftercare.txt:1:" in result.stderr and "dose" in result.stderr
    # A new folder: one process keeps the templates it compiled, as a batch should.
    (tmp_path / "tpl2" / "text").mkdir(parents=True)
    none_tpl = tmp_path / "tpl2" / "text" / "aftercare.txt"
    none_tpl.write_text("Patient: {{ doc.patient.name }}\n", encoding="utf-8")
    result = invoke(
        "aftercare", "ebp", "--templates-dir", str(tmp_path / "tpl2"), "--format", "text"
    )
    assert result.exit_code == ExitCode.TEMPLATE
    assert "missing (None)" in result.stderr


def test_python_m_procguide_and_version_import_nothing_heavy():
    code = (
        "import sys; sys.argv=['procguide','--version']\n"
        "try:\n import runpy; runpy.run_module('procguide', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "heavy=[m for m in ('rich','jinja2','yaml','typst','icalendar','textstat','babel') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "procguide " in out
    assert "HEAVY []" in out


def test_closed_pipe_is_quiet(tmp_path):
    proc = subprocess.run(
        f"{sys.executable} -m procguide show blood-patch --format text | head -1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert proc.stdout.startswith("EPIDURAL BLOOD PATCH")
    assert proc.stderr == ""


def test_an_hours_hold_gives_a_clock_time(invoke, clinic_config):
    result = invoke(
        "prep",
        "ebp",
        *PERSONAL,
        "--hold",
        "enoxaparin=24h",
        "--config",
        str(clinic_config),
        "--format",
        "json",
    )
    hold = next(i for i in json.loads(result.stdout)["preparation"] if i["kind"] == "hold")
    assert (
        "Take your last dose no later than 09:30 on Mon 30 Nov 2026 (24 hours before"
        in hold["text"]
    )
    assert hold["due"]["at"] == "2026-11-30T09:30:00-05:00"


@pytest.mark.parametrize(
    "name",
    [
        "prep",
        "steps",
        "aftercare",
        "handout",
        "show",
        "list",
        "validate",
        "schema",
        "lint",
        "new",
        "batch",
    ],
)
def test_help_shows_readable_metavars(invoke, name):
    result = invoke(name, "--help")
    assert result.exit_code == 0
    options = [line.strip() for line in result.stdout.splitlines() if line.lstrip()[:1] == "-"]
    names = [line.split("  ")[0] for line in options]
    assert names and not [name for name in names if "<" in name], names


# --- Holds all the way to the going-home sheet ---


def _discharge(invoke, *args):
    return invoke(
        "handout", "blood-patch", "--kind", "discharge", "--date", "2026-12-08", "--time", "09:30",
        "--format", "text", *args,
    )  # fmt: skip


def test_every_hold_prints_on_the_going_home_sheet_with_its_restart(invoke):
    result = _discharge(
        invoke, "--hold", "clopidogrel=7d", "--hold", "warfarin=5d", "--restart", "clopidogrel=1d"
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "YOUR MEDICINES" in text
    assert "Start clopidogrel again on Wed 9 Dec 2026 (1 day after your procedure)." in text
    # No restart given: a line for the care team to write the date on, never a blank.
    assert "Start warfarin again on: ____________________ (your care team will write" in text
    assert text.index("YOUR MEDICINES") < text.index("YOUR RECOVERY")


def test_the_json_document_carries_each_restart(invoke):
    result = invoke(
        "handout", "blood-patch", "--kind", "discharge", "--date", "2026-12-08", "--time", "09:30",
        "--hold", "clopidogrel=7d", "--restart", "clopidogrel=2d", "--format", "json",
    )  # fmt: skip
    (medicine,) = json.loads(result.stdout)["medicines"]
    assert medicine["restart"] == {
        "offset": "2d",
        "date": "2026-12-10",
        "display": "Thu 10 Dec 2026",
    }
    assert medicine["write_in"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hold", "clopidogrel=0d"], "error: --hold: a hold of 0 pauses nothing"),
        (["--hold", "clopidogrel=3w"], "error: --hold: is longer than the clinic's longest hold (14d)"),
        (["--hold", "clopidogrel=7d", "--restart", "warfarin=1d"], "error: --restart: names a medicine that no hold pauses"),
        (["--restart", "clopidogrel"], "error: --restart: needs a medicine and how long after"),
    ],
)  # fmt: skip
def test_a_hold_that_cannot_be_right_is_refused(invoke, args, message):
    result = _discharge(invoke, *args)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith(message), result.stderr


def test_a_clinic_can_allow_longer_holds(invoke, tmp_path):
    config = tmp_path / "clinic.yaml"
    config.write_text("clinic:\n  max_hold: 4w\n", encoding="utf-8")
    assert _discharge(invoke, "--hold", "clopidogrel=3w", "--config", str(config)).exit_code == 0


def test_a_last_dose_already_past_is_a_warning(invoke):
    # A 7-day hold for a procedure 5 days away: the last dose was due yesterday.
    from datetime import date, timedelta

    day = (date.today() + timedelta(days=5)).isoformat()
    result = invoke(
        "prep", "blood-patch", "--date", day, "--time", "09:30", "--hold", "clopidogrel=7d",
        "--format", "text",
    )  # fmt: skip
    assert result.exit_code == 0
    last = (date.today() - timedelta(days=3)).isoformat()
    assert (
        f"warning: the last dose of clopidogrel for a 7d hold was due {last}, which has passed: "
        "check the hold with the clinician"
    ) in result.stderr


def test_list_on_an_80_column_terminal_shows_every_id_whole(invoke, monkeypatch):
    from procguide.cli.console import stdout_console

    monkeypatch.setenv("COLUMNS", "80")
    stdout_console.cache_clear()
    result = invoke("--color", "list")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    ids = [row["id"] for row in json.loads(invoke("list", "--format", "json").stdout)]
    for procedure_id in ids:
        assert re.search(rf"^ {re.escape(procedure_id)} ", plain, re.M), plain
    assert max(len(line) for line in plain.splitlines()) <= 80


def test_show_lists_the_flags_and_the_source_ids(invoke):
    result = invoke("show", "blood-patch", "--format", "terminal")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Flags a clinician can set: - sedation: You will get medicine through an IV" in text
    # Rich would read "[hey-nhs]" as markup and drop it.
    assert "[hey-nhs] Epidural Blood Patch: What you need to know" in text


def _with_default_sedation(tmp_path):
    from conftest import PROCEDURES

    folder = tmp_path / "procs"
    folder.mkdir()
    text = (PROCEDURES / "blood-patch.yaml").read_text(encoding="utf-8")
    text = text.replace("\nflags:\n", "\ndefault_flags: [sedation]\nflags:\n", 1)
    (folder / "blood-patch.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_default_flag_is_on_until_the_clinician_turns_it_off(invoke, tmp_path):
    folder = str(_with_default_sedation(tmp_path))
    on = invoke("prep", "blood-patch", "--procedures-dir", folder, "--format", "text")
    off = invoke(
        "prep",
        "blood-patch",
        "--procedures-dir",
        folder,
        "--no-flag",
        "sedation",
        "--format",
        "text",
    )
    assert on.exit_code == off.exit_code == 0, on.output + off.output
    assert "Stop eating food" in on.stdout
    assert "Stop eating food" not in off.stdout
    shown = json.loads(
        invoke("show", "blood-patch", "--procedures-dir", folder, "--format", "json").stdout
    )
    assert shown["procedure"]["flags"][0]["default"] is True


def test_a_flag_both_on_and_off_is_refused(invoke):
    result = invoke("prep", "blood-patch", "--flag", "sedation", "--no-flag", "sedation")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == "error: --no-flag: 'sedation' is turned both on and off\n"


def test_a_default_flag_must_be_declared(invoke, tmp_path):
    folder = _with_default_sedation(tmp_path)
    path = folder / "blood-patch.yaml"
    path.write_text(
        path.read_text().replace("default_flags: [sedation]", "default_flags: [sedaton]")
    )
    result = invoke("validate", str(path))
    assert result.exit_code == ExitCode.INVALID_CONTENT
    assert (
        "default_flags.0: turns on undeclared flag 'sedaton'; did you mean 'sedation'?"
        in result.stderr
    )


def test_a_clinic_base_template_frames_the_shared_views(invoke, tmp_path):
    # A clinic's html/base.html replaces the built-in one under every shared view.
    folder = tmp_path / "tpl" / "html"
    folder.mkdir(parents=True)
    (folder / "base.html").write_text(
        "<main class=clinic>{% block content %}{% endblock %}</main>\n", encoding="utf-8"
    )
    result = invoke("handout", "ebp", "--templates-dir", str(tmp_path / "tpl"), "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<main class=clinic>")
    assert "When to get help" in result.stdout


def test_a_clinic_view_that_extends_base_and_overrides_one_block(invoke, tmp_path):
    folder = tmp_path / "tpl" / "text"
    folder.mkdir(parents=True)
    (folder / "handout.txt").write_text(
        '{% extends "base.txt" %}\n{% block title %}Clinic sheet{% endblock %}\n'
        "{% block content %}Only the essentials.\n{% endblock %}\n",
        encoding="utf-8",
    )
    result = invoke("handout", "ebp", "--templates-dir", str(tmp_path / "tpl"), "--format", "text")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("EPIDURAL BLOOD PATCH: Clinic sheet")
    assert "Only the essentials." in result.stdout
    # The other views still come from the shared folder.
    steps = invoke("steps", "ebp", "--templates-dir", str(tmp_path / "tpl"), "--format", "text")
    assert "WHAT HAPPENS" in steps.stdout


# --- Help and completion list every command, though a run makes only its own ---


COMMANDS = ["batch", "prep", "steps", "aftercare", "handout", "show"]
COMMANDS += ["list", "validate", "schema", "lint", "new", "record"]


def test_help_lists_every_command_with_its_summary(invoke):
    result = invoke("--help")
    assert result.exit_code == 0
    listed = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == COMMANDS
    assert "aftercare  The recovery timeline, activity limits" in result.stdout


def _complete(runner, words: str) -> list[str]:
    from typer.completion import completion_init

    from procguide.cli import app

    completion_init()  # the shells Typer completes for
    env = {
        "_PROCGUIDE_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    result = runner.invoke(app, [], env=env, prog_name="procguide")
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_shell_completion_finds_every_command_and_a_commands_options(runner):
    assert _complete(runner, "procguide ") == COMMANDS
    assert _complete(runner, "procguide aft") == ["aftercare"]
    assert _complete(runner, "procguide aftercare --f") == ["--flag", "--format"]
