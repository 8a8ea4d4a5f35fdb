"""Strict YAML loading: every defect is refused with FILE:LINE and a fix."""

import pytest

from procguide.content.yamlsafe import MAX_DEPTH, load_file
from procguide.errors import ContentError

CASES = {
    "duplicate-key": (
        "a: 1\nb: 2\na: 3\n",
        "3: duplicate key 'a' (first on line 1); keep one of them",
    ),
    "alias-bomb": (
        'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n',
        "1: the anchor &a is not allowed; write the text out in full",
    ),
    "python-tag": (
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "1: the tag !!python/object/apply:os.system is not allowed; use plain YAML",
    ),
    "tab-indent": ("a:\n\t- b\n", "2: a tab character is used for indentation; indent with spaces"),
    "empty": ("# only a comment\n", "1: the file is empty"),
    "two-documents": ("a: 1\n---\nb: 2\n", "2: the file holds more than one YAML document (---)"),
    "unclosed": ("a: [1, 2\n", "2: not valid YAML"),
}


@pytest.mark.parametrize("name", CASES)
def test_defects_are_refused_with_file_and_line(tmp_path, name):
    text, expected = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_file(path)
    assert str(caught.value).startswith(f"{path}:{expected}")


def test_non_utf8_byte_names_its_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nb: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ContentError) as caught:
        load_file(path)
    assert str(caught.value) == f"{path}:2: byte 0xe9 is not UTF-8; save the file as UTF-8"


# Deep nesting is caught in three places: the builder counts open containers (flow and
# block), and newer libyaml stops very deep flow nesting itself while scanning ahead. The
# reader sees the same words, at the same line, whichever caught it.
@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * (MAX_DEPTH + 8) + "]" * (MAX_DEPTH + 8) + "\n",
        "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "a:\n" + "".join(f"{'  ' * n}- \n" for n in range(1, MAX_DEPTH + 8)),
    ],
    ids=["flow-past-the-limit", "flow-past-the-parser-limit", "block-past-the-limit"],
)
def test_deep_nesting_is_refused_without_crashing(tmp_path, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_file(path)
    (problem,) = caught.value.problems
    assert problem.message == f"nested more than {MAX_DEPTH} levels deep"
    assert problem.line is not None


def test_the_parsers_own_depth_error_gets_procguides_words(monkeypatch, tmp_path):
    # Whatever libyaml version is installed, its nesting error never reaches the reader.
    import yaml

    from procguide.content import yamlsafe

    class Refusing(yamlsafe._Loader):
        def get_event(self):
            mark = yaml.Mark("x", 0, 4, 7, None, None)
            raise yaml.scanner.ScannerError(
                "while increasing flow level", mark, "exceeded maximum nesting depth", mark
            )

    monkeypatch.setattr(yamlsafe, "_Loader", Refusing)
    path = tmp_path / "deep.yaml"
    path.write_text("a: [[[]]]\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_file(path)
    assert str(caught.value) == f"{path}:5: nested more than {MAX_DEPTH} levels deep"


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2_000_000 + "\n", encoding="utf-8")
    with pytest.raises(ContentError, match="larger than 1,000,000 bytes"):
        load_file(path)


def test_bom_is_accepted_and_lines_are_recorded(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffname: x\nitems:\n  - one\n  - two\n".encode())
    raw, loaded = load_file(path)
    assert loaded.data == {"name": "x", "items": ["one", "two"]}
    assert loaded.line_of(("items", 1)) == 4
    assert loaded.line_of(("items", 7, "missing")) == 2  # falls back to the nearest parent
