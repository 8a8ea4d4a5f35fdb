"""Start-up: what `procguide --version` loads, and the cache that lets later runs skip work.

Each cache test points XDG_CACHE_HOME at its own folder, so nothing here touches or reads
the cache of the person running the tests.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import PROCEDURES, build_tree
from procguide import cache
from procguide.content.library import Library, load_entry
from procguide.errors import ContentError, UnknownProcedureError
from procguide.render.templates import FORMATS, environment, render

HEAVY = (
    "rich",
    "jinja2",
    "yaml",
    "typst",
    "icalendar",
    "textstat",
    "babel",
    "procguide.content.model",
)
BLOOD_PATCH = (PROCEDURES / "blood-patch.yaml").read_text(encoding="utf-8")


def _modules_after(args: list[str], env: dict[str, str]) -> tuple[str, list[str]]:
    """Run ``procguide ARGS`` in a fresh interpreter; its stdout and the heavy modules loaded."""
    code = (
        "import json, runpy, sys\n"
        f"sys.argv = ['procguide', *{args!r}]\n"
        "try:\n    runpy.run_module('procguide', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('LOADED', json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    head, _, loaded = done.stdout.rpartition("LOADED ")
    return head, json.loads(loaded)


@pytest.fixture
def cache_home(tmp_path, monkeypatch) -> Path:
    """A cache folder of this test's own."""
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(cache.OFF_VAR, raising=False)
    return home / "procguide"


def test_version_loads_nothing_heavy(cache_home):
    out, loaded = _modules_after(["--version"], dict(os.environ))
    assert out.startswith("procguide ")
    assert loaded == []


def test_a_second_run_takes_the_procedure_from_the_cache_without_yaml(cache_home):
    args = ["aftercare", "blood-patch", "--format", "text"]
    first, loaded_first = _modules_after(args, dict(os.environ))
    second, loaded_second = _modules_after(args, dict(os.environ))
    assert "yaml" in loaded_first
    assert "yaml" not in loaded_second
    assert second == first
    assert "EPIDURAL BLOOD PATCH" in second


def test_every_built_in_procedure_is_the_same_from_the_cache(cache_home):
    for path in Library(()).paths.values():
        fresh = load_entry(path)
        cached = load_entry(path)
        # Keyed by the file's bytes; the blocks it includes are checked when it is read.
        assert (cache_home / "procedures" / f"{fresh.file_sha256}.pickle").is_file()
        assert cached == fresh
        assert cached.procedure.model_dump() == fresh.procedure.model_dump()


def test_an_edited_file_is_validated_again(cache_home, tmp_path):
    path = build_tree(tmp_path / "lib", {"blood-patch.yaml": BLOOD_PATCH}) / "blood-patch.yaml"
    before = load_entry(path)
    load_entry(path)
    # Same size, same second: only the bytes tell the difference.
    path.write_text(BLOOD_PATCH.replace("\nsummary:", "\nsumary:"), encoding="utf-8")
    with pytest.raises(ContentError, match="unknown field 'sumary'"):
        load_entry(path)
    path.write_text(BLOOD_PATCH.replace("Epidural blood patch", "Epidural Blood Patch"))
    after = load_entry(path)
    assert after.sha256 != before.sha256
    assert after.procedure.name != before.procedure.name


def test_a_tampered_cache_entry_is_not_trusted(cache_home, tmp_path):
    path = build_tree(tmp_path / "lib", {"blood-patch.yaml": BLOOD_PATCH}) / "blood-patch.yaml"
    entry = load_entry(path)
    stored_file = cache_home / "procedures" / f"{entry.file_sha256}.pickle"
    mac, _, payload = stored_file.read_bytes().partition(b"\n")
    # A change that passes the model and every cross-check: an emergency sign, softened.
    sign = entry.procedure.get_help.call_emergency[0].text.encode()
    softened = b"A mild ache".ljust(len(sign))
    assert sign in payload
    stored_file.write_bytes(mac + b"\n" + payload.replace(sign, softened))
    again = load_entry(path)
    assert again == entry
    assert again.procedure.get_help.call_emergency[0].text == sign.decode()
    stored_file.write_bytes(b"\x00not an entry")
    assert load_entry(path) == entry


class _RunsCode:
    """What a forged entry would hold to run a command when it is read."""

    def __reduce__(self):
        return (os.system, ("echo RAN > ran.txt",))


def test_a_genuine_entry_that_would_run_code_is_refused(cache_home, tmp_path, monkeypatch):
    # Written with this user's own key, so its MAC is good: only the unpickler stands between
    # a forged entry and running code, and it must refuse anything but content classes.
    import pickle

    monkeypatch.chdir(tmp_path)
    entry = load_entry(PROCEDURES / "blood-patch.yaml")
    name = f"procedures/{entry.file_sha256}.pickle"
    forged = {"code": cache.code_version(cache.CONTENT_CODE), "file": "blood-patch"}
    cache.write_bytes(name, pickle.dumps(forged | {"blocks": _RunsCode(), "procedure": None}))
    again = load_entry(PROCEDURES / "blood-patch.yaml")
    assert not (tmp_path / "ran.txt").exists()
    assert again == entry  # loaded in full from the file instead


def test_another_files_cache_entry_filed_under_this_hash_is_not_served(cache_home, tmp_path):
    lib = build_tree(
        tmp_path / "lib",
        {
            "blood-patch.yaml": BLOOD_PATCH,
            "other.yaml": BLOOD_PATCH.replace("id: blood-patch", "id: other", 1),
        },
    )
    patch = load_entry(lib / "blood-patch.yaml")
    other = load_entry(lib / "other.yaml")
    folder = cache_home / "procedures"
    (folder / f"{patch.file_sha256}.pickle").write_bytes(
        (folder / f"{other.file_sha256}.pickle").read_bytes()
    )
    assert load_entry(lib / "blood-patch.yaml").procedure.id == "blood-patch"


def test_validate_never_takes_the_caches_word_for_a_file(cache_home, tmp_path, invoke):
    # Even a genuine entry (written with this user's key) cannot make an invalid file pass.
    lib = build_tree(tmp_path / "lib", {"blood-patch.yaml": BLOOD_PATCH})
    good = load_entry(lib / "blood-patch.yaml")
    broken = lib / "blood-patch.yaml"
    broken.write_text(BLOOD_PATCH.replace("\nsummary:", "\nsumary:", 1), encoding="utf-8")
    import hashlib

    from procguide.content.stored import store

    code = cache.code_version(cache.CONTENT_CODE)
    broken_sha = hashlib.sha256(broken.read_bytes()).hexdigest()
    store(code, "blood-patch", good.blocks, good.procedure, broken_sha)
    assert load_entry(broken).procedure == good.procedure  # the cache's word, for a handout
    result = invoke("validate", str(broken))
    assert result.exit_code == 3
    assert "unknown field 'sumary'" in result.stderr


def test_the_same_bytes_under_another_name_are_checked_again(cache_home, tmp_path):
    lib = build_tree(tmp_path / "lib", {"blood-patch.yaml": BLOOD_PATCH, "copy.yaml": BLOOD_PATCH})
    load_entry(lib / "blood-patch.yaml")
    with pytest.raises(ContentError, match="must match the file name 'copy.yaml'"):
        load_entry(lib / "copy.yaml")


@pytest.mark.parametrize("how", ["off", "a file in the way", "others can write"])
def test_no_usable_cache_folder_means_the_full_work(cache_home, monkeypatch, tmp_path, how):
    if how == "off":
        monkeypatch.setenv(cache.OFF_VAR, "1")
    elif how == "a file in the way":
        cache_home.parent.mkdir()
        cache_home.write_text("not a folder")
    else:
        cache_home.mkdir(parents=True)
        cache_home.chmod(0o777)
    entry = load_entry(PROCEDURES / "blood-patch.yaml")
    assert entry.procedure.id == "blood-patch"
    assert Library(()).find("ebp").procedure.id == "blood-patch"
    out = render({"view": "aftercare"} | _document(), FORMATS["text"])
    assert out
    assert not cache_home.is_dir() or not any(cache_home.iterdir())


def _document() -> dict:
    from procguide.config import Clinic
    from procguide.document.build import Personal, build
    from procguide.document.wording import Wording

    entry = load_entry(PROCEDURES / "blood-patch.yaml")
    return build(entry, Personal(), Clinic(), Wording(), view="aftercare").data


def _two_procedures(root: Path) -> Path:
    """A clinic folder with one procedure of its own; the built-in folder comes after it."""
    other = (
        BLOOD_PATCH.replace("id: blood-patch", "id: other-patch")
        .replace("aliases: [ebp, epidural-blood-patch]", "aliases: [other-alias]")
        .replace('cpt: ["62273"]', "cpt: []")
    )
    assert "aliases: [other-alias]" in other and "cpt: []" in other
    return build_tree(root, {"other-patch.yaml": other})


def test_an_alias_lookup_reads_one_file_once_the_index_is_made(cache_home, tmp_path, monkeypatch):
    from procguide.content import library

    clinic = _two_procedures(tmp_path / "clinic")
    assert Library((clinic,)).find("other-alias").procedure.id == "other-patch"
    loads: list[Path] = []
    real = library.load_entry

    def counting(path: Path, *args: Any) -> library.Entry:
        loads.append(path)
        return real(path, *args)

    monkeypatch.setattr(library, "load_entry", counting)
    assert Library((clinic,)).find("OTHER-ALIAS").procedure.id == "other-patch"
    assert Library((clinic,)).find("ebp").procedure.id == "blood-patch"
    assert [p.name for p in loads] == ["other-patch.yaml", "blood-patch.yaml"]


def test_the_index_follows_an_alias_that_moves(cache_home, tmp_path):
    clinic = _two_procedures(tmp_path / "clinic")
    assert Library((clinic,)).find("other-alias").procedure.id == "other-patch"
    path = clinic / "other-patch.yaml"
    # Same length: only the modification time shows the change.
    path.write_text(path.read_text().replace("[other-alias]", "[moved-alias]"))
    with pytest.raises(UnknownProcedureError):
        Library((clinic,)).find("other-alias")
    assert Library((clinic,)).find("moved-alias").procedure.id == "other-patch"


def test_a_broken_file_blocks_only_names_not_found(cache_home, tmp_path):
    clinic = _two_procedures(tmp_path / "clinic")
    (clinic / "broken.yaml").write_text("id: broken\nname: [\n")
    for _ in range(2):  # without the index, then with it
        assert Library((clinic,)).find("other-alias").procedure.id == "other-patch"
        with pytest.raises(ContentError, match="broken.yaml"):
            Library((clinic,)).find("no-such-alias")


def _fresh_render(document: dict, templates: Path | None = None) -> str:
    """Render with a new environment, as a new process would: only the cache is shared."""
    env = environment(FORMATS["text"], templates)
    return env.get_template(document["view"] + ".txt").render(doc=document)


def test_an_edited_template_is_compiled_again(cache_home, tmp_path):
    templates = build_tree(tmp_path / "templates", {"text/aftercare.txt": "first {{ doc.view }}\n"})
    document = _document()
    assert _fresh_render(document, templates) == "first aftercare\n"
    assert list((cache_home / "templates").rglob("*.cache"))
    assert _fresh_render(document, templates) == "first aftercare\n"
    (templates / "text" / "aftercare.txt").write_text("second {{ doc.view }}\n")
    assert _fresh_render(document, templates) == "second aftercare\n"


def test_a_damaged_template_cache_is_compiled_again(cache_home):
    document = _document()
    expected = _fresh_render(document)
    damaged = list((cache_home / "templates").rglob("*.cache"))
    assert damaged
    for path in damaged:
        path.write_bytes(path.read_bytes()[:40])
    assert _fresh_render(document) == expected


def _plant(folder: Path, marker: Path) -> int:
    """Replace the code in every compiled template under ``folder`` with code that leaves
    ``marker``, keeping each file's header so Jinja would take it as genuine."""
    import io
    import marshal
    import pickle

    from jinja2.bccache import bc_magic

    planted = 0
    for path in folder.rglob("*.cache"):
        stream = io.BytesIO(path.read_bytes())
        assert stream.read(len(bc_magic)) == bc_magic
        checksum = pickle.load(stream)
        code = compile(f"open({str(marker)!r}, 'w').write('ran')", "<planted>", "exec")
        path.write_bytes(bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code))
        planted += 1
    return planted


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_compiled_templates_others_could_write_are_never_run(cache_home, tmp_path):
    command = [sys.executable, "-m", "procguide", "aftercare", "blood-patch", "--format", "text"]
    expected = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    compiled = cache_home / "templates"
    marker = tmp_path / "ran"
    assert _plant(compiled, marker)
    # The planted code is what Jinja would run from a private folder: the threat is real.
    subprocess.run(command, capture_output=True, text=True)
    assert marker.exists()
    marker.unlink()
    (version,) = compiled.iterdir()
    files = list(version.iterdir())
    for writable_by_all, mode, private in ([version], 0o777, 0o700), (files, 0o666, 0o600):
        for path in writable_by_all:
            path.chmod(mode)
        done = subprocess.run(command, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert not marker.exists()
        assert done.stdout == expected
        for path in writable_by_all:
            path.chmod(private)


def test_ctrl_c_while_procguide_is_still_loading_is_one_line_and_exit_130():
    # Ctrl-C lands wherever Python is; here, deterministically, while Typer is imported.
    code = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def interrupted(name, *args, **kwargs):\n"
        "    if name == 'typer':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = interrupted\n"
        "sys.argv = ['procguide', 'aftercare', 'blood-patch']\n"
        "from procguide.__main__ import run\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (130, "error: interrupted\n")
