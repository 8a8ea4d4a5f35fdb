"""The README's examples are run, so they cannot drift from what procguide does."""

import re
import shlex
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _block_after(heading: str, language: str) -> str:
    start = README.index(heading)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(README, start)
    assert match, f"no {language} block after {heading}"
    return match.group(1)


def _commands(block: str) -> list[list[str]]:
    joined = block.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "procguide":
            found.append(words[1:])
    return found


EVERYDAY = _commands(_block_after("## Everyday use", "sh"))


@pytest.mark.parametrize("args", EVERYDAY, ids=[" ".join(a[:2]) for a in EVERYDAY])
def test_every_everyday_command_works(invoke, tmp_path, args):
    # The roster the batch example reads, as a clinic would export it.
    (tmp_path / "tomorrow.csv").write_text(
        "procedure,patient,date,time\nebp,Jane Doe,2027-03-01,09:30\n", encoding="utf-8"
    )
    result = invoke(*args)
    assert result.exit_code == 0, (args, result.output)
    assert "error" not in result.stderr


def test_the_example_config_works_as_copied(invoke, tmp_path):
    config = tmp_path / "procguide.yaml"
    config.write_text(_block_after("### Clinic settings", "yaml"), encoding="utf-8")
    result = invoke("handout", "blood-patch", "--config", str(config), "--format", "text")
    assert result.exit_code == 0, result.output
    assert "Call North Shore Pain Clinic at 555-0100" in " ".join(result.stdout.split())


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_example_stamps_match_the_shipped_content(invoke, lang):
    stamp = invoke("handout", "blood-patch", "--lang", lang, "--format", "text").stdout
    stamp = stamp.strip().splitlines()[-1]
    shown = " ".join(README.split())
    # The README shows the stamp in backticks, maybe folded across lines.
    assert f"`{stamp}`" in shown, stamp


def test_the_roster_table_documents_every_column_a_roster_may_have():
    from procguide.batch.roster import COLUMNS

    section = README[README.index("#### The roster") : README.index("#### Options")]
    documented = re.findall(r"^\| `(\w+)` \| (?:yes|no) \|", section, re.M)
    assert sorted(documented) == sorted(COLUMNS)
