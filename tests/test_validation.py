"""Procedure files: every problem is reported at once, each as FILE:LINE: field: message."""

from pathlib import Path

import pytest
import yaml

from conftest import PROCEDURES
from procguide.content.library import load_entry
from procguide.errors import ContentError

BLOOD_PATCH = (PROCEDURES / "blood-patch.yaml").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, name: str = "blood-patch.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_entry(path)
    return caught.value.lines()


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_built_in_blood_patch_is_valid():
    entry = load_entry(PROCEDURES / "blood-patch.yaml")
    assert entry.procedure.codes.cpt == ("62273",)
    assert len(entry.short_hash) == 12


def test_misspelt_field_suggests_the_right_one(tmp_path):
    text = BLOOD_PATCH.replace("\nsummary:", "\nsumary:")
    path = _write(tmp_path, text)
    line = _line_of(text, "sumary:")
    assert f"{path}:{line}: sumary: unknown field 'sumary'; did you mean 'summary'?" in _problems(
        path
    )


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    text = BLOOD_PATCH.replace("until: 24h", "until: 1m").replace("    from: 0h\n", "    frm: 0h\n")
    path = _write(tmp_path, text)
    problems = _problems(path)
    offset_line = _line_of(text, "until: 1m")
    assert any(
        p.startswith(f"{path}:{offset_line}: restrictions.") and "'1m' is not a clear offset" in p
        for p in problems
    )
    assert any("unknown field 'frm'; did you mean 'from'?" in p for p in problems)


def test_missing_required_field_names_the_parent_line(tmp_path):
    data = yaml.safe_load(BLOOD_PATCH)
    del data["get_help"]["call_emergency"]
    path = _write(tmp_path, yaml.safe_dump(data, sort_keys=False))
    problems = _problems(path)
    assert any("get_help.call_emergency: is required but missing; add it" in p for p in problems), (
        problems
    )


def test_undeclared_flag_and_unknown_source_are_errors(tmp_path):
    text = BLOOD_PATCH.replace("when: [sedation]", "when: [sedaton]", 1).replace(
        "sources: [hey-nhs]", "sources: [hey-nsh]", 1
    )
    problems = _problems(_write(tmp_path, text))
    assert any("uses undeclared flag 'sedaton'; did you mean 'sedation'?" in p for p in problems)
    assert any("cites unknown source 'hey-nsh'; did you mean 'hey-nhs'?" in p for p in problems)


def test_window_that_ends_before_it_starts(tmp_path):
    text = BLOOD_PATCH.replace("    from: 0h\n    to: 2h\n", "    from: 2h\n    to: 1h\n")
    problems = _problems(_write(tmp_path, text))
    assert any("the window ends (1h) before it starts (2h)" in p for p in problems)


def test_id_must_match_file_name(tmp_path):
    path = _write(tmp_path, BLOOD_PATCH, name="other.yaml")
    assert any("'blood-patch' must match the file name 'other.yaml'" in p for p in _problems(path))


def test_list_instead_of_mapping(tmp_path):
    path = _write(tmp_path, "- a\n- b\n")
    assert _problems(path) == [
        f"{path}:1: the file must be a mapping of fields (key: value), not a list"
    ]


def test_a_string_where_an_item_belongs_explains_the_shape(tmp_path):
    text = BLOOD_PATCH.replace(
        "duration:\n  text: The blood patch itself takes from a few minutes to about 30 minutes.\n"
        "  sources: [nwh-ebp, lahey-ebp]\n",
        "duration: About an hour.\n",
    )
    path = _write(tmp_path, text)
    line = _line_of(text, "duration: About")
    assert (
        f"{path}:{line}: duration: must be a mapping of fields here (key: value on the lines below)"
        in _problems(path)
    )


def test_a_source_must_be_an_address_a_clinician_can_look_up(tmp_path):
    # A local file name (an internal seed document) is not a source anyone else can check.
    text = BLOOD_PATCH.replace(
        "url: https://www.hey.nhs.uk/patient-leaflet/epidural-blood-patch-what-you-need-to-know",
        "url: seed:000_a4acda0c06b0f8f4.txt",
        1,
    )
    assert text != BLOOD_PATCH
    problems = _problems(_write(tmp_path, text))
    assert any(
        "sources.0.url: must be an https:// address a clinician can look up, never a local file"
        in p
        for p in problems
    ), problems
