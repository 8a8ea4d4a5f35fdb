"""Hostile and broken input: one clear line and a documented exit code, never a traceback,
never a lost, partial or corrupt file."""

import errno
import html
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from pathlib import Path

import pytest

from procguide.content.yamlsafe import MAX_BYTES, MAX_DEPTH, MAX_VALUES, load_file
from procguide.errors import ContentError, ExitCode

REPO = Path(__file__).resolve().parent.parent


def assert_clean_failure(result, code):
    """Exit ``code``, error lines only on stderr, and no traceback."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    return lines


# --- YAML: every defect gives FILE:LINE: message, as a config file and as a procedure ---

BILLION_LAUGHS = 'lol: &lol "lol"\n' + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}' if n > 1 else '*lol'] * 9)}]\n" for n in range(1, 10)
)
DEEP_BLOCK = (
    "".join(f"{'  ' * n}k{n}:\n" for n in range(MAX_DEPTH + 8)) + "  " * (MAX_DEPTH + 8) + "x\n"
)

# name: (bytes of the file, line reported, part of the message)
DEFECTS = {
    "billion-laughs": (BILLION_LAUGHS.encode(), 1, "the anchor &lol is not allowed"),
    "alias-without-anchor": (b"clinic: *x\n", 1, "the alias *x is not allowed"),
    "deep-flow-nesting": (
        b"clinic: " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
        1,
        f"nested more than {MAX_DEPTH} levels",
    ),
    "deep-block-nesting": (
        DEEP_BLOCK.encode(),
        MAX_DEPTH + 1,
        f"nested more than {MAX_DEPTH} levels",
    ),
    "duplicate-key": (
        b"clinic:\n  name: A\n  name: B\n",
        3,
        "duplicate key 'name' (first on line 2)",
    ),
    "tab-indent": (b"clinic:\n\tname: A\n", 2, "a tab character is used for indentation"),
    "latin-1": ("clinic:\n  name: Caf\xe9\n".encode("latin-1"), 2, "byte 0xe9 is not UTF-8"),
    "bom-then-garbage": (b"\xef\xbb\xbf\xff\xfe garbage\n", 1, "byte 0xff is not UTF-8"),
    "bom-then-garbage-later": (
        b"\xef\xbb\xbfclinic:\n  name: A\n  \x80\n",
        3,
        "byte 0x80 is not UTF-8",
    ),
    "empty": (b"", 1, "the file is empty"),
    "only-comments": (b"# nothing yet\n\n   \n", 1, "the file is empty"),
    "list-not-mapping": (
        b"- clinic\n- paper\n",
        1,
        "must be a mapping of fields (key: value), not a list",
    ),
    "single-value": (b"just some words\n", 1, "not a single value"),
    "list-for-a-mapping": (
        b"paper: a4\nclinic:\n  - name\n",
        2,
        "must be a mapping of fields here",
    ),
    "python-tag": (
        b"clinic: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
        1,
        "the tag !!python/object/apply:os.system is not allowed",
    ),
    "local-tag": (b"clinic: !secret 1\n", 1, "the tag !secret is not allowed"),
    "merge-key": (b"clinic:\n  <<: {name: A}\n", 2, "merge keys (<<) are not allowed"),
    "list-as-key": (b"clinic:\n  ? [a, b]\n  : 1\n", 2, "a key must be plain text"),
    "mapping-as-key": (b"clinic:\n  {a: 1}: 2\n", 2, "a key must be plain text"),
    "nul-byte": (b"clinic:\n  name: A\x00B\n", 2, "control character U+0000 is not allowed"),
    "escape-in-quotes": (
        b'clinic:\n  name: "A\\e[31mB"\n',
        2,
        "control character U+001B is not allowed",
    ),
    "bidi-override-in-comment": (
        "clinic:\n  name: A\n  # \u202eevil\n".encode(),
        3,
        "control character U+202E is not allowed",
    ),
    "not-a-character": ("clinic:\n  name: A\ufffe\n".encode(), 2, "U+FFFE is not allowed"),
    "two-documents": (b"clinic: {}\n---\npaper: a4\n", 2, "more than one YAML document"),
    "unclosed-bracket": (b"procedures_dirs: [a, b\n", 2, "not valid YAML"),
    "yes-as-key": (b"yes: 1\n", 1, "unknown field 'yes'"),
    "crlf-duplicate": (b"clinic:\r\n  name: A\r\n  name: B\r\n", 3, "duplicate key 'name'"),
}


def _write_defect(tmp_path, name):
    data, _, _ = DEFECTS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", DEFECTS)
def test_config_defect_is_exit_3_with_file_and_line(invoke, tmp_path, name):
    path = _write_defect(tmp_path, name)
    _, line, message = DEFECTS[name]
    result = invoke("handout", "blood-patch", "--format", "text", "--config", str(path))
    lines = assert_clean_failure(result, ExitCode.INVALID_CONTENT)
    assert lines[0].startswith(f"error: {path}:{line}: "), lines
    assert message in lines[0]
    assert result.stdout == ""


# Defects of the config's schema; in a procedure, the missing required fields come first.
CONFIG_SCHEMA = ("list-for-a-mapping", "yes-as-key")


@pytest.mark.parametrize("name", DEFECTS)
def test_procedure_defect_is_exit_3_with_file_and_line(invoke, tmp_path, name):
    path = _write_defect(tmp_path, name)
    _, line, message = DEFECTS[name]
    result = invoke("validate", str(path))
    lines = assert_clean_failure(result, ExitCode.INVALID_CONTENT)
    if name in CONFIG_SCHEMA:
        assert all(re.match(rf"error: {re.escape(str(path))}:\d+: ", item) for item in lines)
    else:
        assert lines[0].startswith(f"error: {path}:{line}: "), lines
        assert message in lines[0]


def test_oversized_config_is_refused_before_parsing(invoke, tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"clinic:\n  name: " + b"x" * MAX_BYTES + b"\n")
    result = invoke("list", "--config", str(path))
    lines = assert_clean_failure(result, ExitCode.INVALID_CONTENT)
    assert lines == [
        f"error: {path}: is larger than {MAX_BYTES:,} bytes; split it or check it is the right file"
    ]


def test_a_folder_given_as_config_is_exit_3(invoke, tmp_path):
    result = invoke("list", "--config", str(tmp_path))
    assert assert_clean_failure(result, ExitCode.INVALID_CONTENT) == [
        f"error: {tmp_path}: is a folder, not a file"
    ]


def test_a_very_long_line_is_read_and_its_echo_is_short(invoke, tmp_path):
    long_value = "x" * 450_000
    path = tmp_path / "long.yaml"
    path.write_text(
        f"clinic:\n  name: {long_value}\n  arrive_before: {long_value}\n", encoding="utf-8"
    )
    result = invoke("list", "--config", str(path))
    lines = assert_clean_failure(result, ExitCode.INVALID_CONTENT)
    assert lines[0].startswith(f"error: {path}:3: clinic.arrive_before: ")
    assert len(lines[0]) < 300
    dup = tmp_path / "dup.yaml"
    dup.write_text(f"? {long_value}\n: 1\n? {long_value}\n: 2\n", encoding="utf-8")
    lines = assert_clean_failure(invoke("list", "--config", str(dup)), ExitCode.INVALID_CONTENT)
    assert lines[0].startswith(f"error: {dup}:3: duplicate key 'xxx") and len(lines[0]) < 300


def test_crlf_line_endings_work(invoke, tmp_path):
    path = tmp_path / "clinic.yaml"
    path.write_bytes(b"\xef\xbb\xbfclinic:\r\n  name: Harbour Clinic\r\n  phone: 555-0100\r\n")
    result = invoke("aftercare", "blood-patch", "--format", "text", "--config", str(path))
    assert result.exit_code == 0, result.output
    assert "Harbour Clinic" in result.stdout and "\r" not in result.stdout


@pytest.mark.parametrize(
    "zone",
    [
        "America",  # a folder in the zone database: ZoneInfo raises OSError
        "y" * 300,  # longer than a file name may be
        "America/",
        "../../etc/passwd",
        "Mars/Olympus_Mons",
    ],
)
def test_a_bad_time_zone_in_the_config_is_exit_3(invoke, tmp_path, zone):
    path = tmp_path / "clinic.yaml"
    path.write_text(f"clinic:\n  timezone: {zone}\n", encoding="utf-8")
    result = invoke("list", "--config", str(path))
    lines = assert_clean_failure(result, ExitCode.INVALID_CONTENT)
    assert lines == [
        f"error: {path}:2: clinic.timezone: unknown time zone '{zone}'; "
        "use an IANA name like America/New_York"
    ]


@pytest.mark.parametrize("zone", ["America", "x" * 300])
def test_a_bad_tz_variable_falls_back_instead_of_crashing(invoke, monkeypatch, zone):
    monkeypatch.setenv("TZ", zone)
    result = invoke(
        "prep", "blood-patch", "--date", "2026-12-01", "--time", "09:30", "--format", "json"
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"])
def test_a_date_outside_any_plausible_year_is_a_usage_error(invoke, clinic_config, day):
    result = invoke(
        "handout",
        "blood-patch",
        "--date",
        day,
        "--time",
        "00:30",
        "--hold",
        "x=9999w",
        "--config",
        str(clinic_config),
        "--format",
        "json",
    )
    lines = assert_clean_failure(result, ExitCode.USAGE)
    assert lines == [
        "error: --date: is not a plausible procedure date (use a year from 1900 to 2999)"
    ]


@pytest.mark.parametrize(("day", "hold"), [("1900-01-01", "x=9999w"), ("2999-12-31", "x=1min")])
def test_the_extreme_plausible_years_still_work(invoke, tmp_path, day, hold):
    # A clinic that allows any hold, so the calendar arithmetic reaches its ends.
    config = tmp_path / "any-hold.yaml"
    config.write_text("clinic:\n  max_hold: 9999w\n", encoding="utf-8")
    result = invoke(
        "handout",
        "blood-patch",
        "--config",
        str(config),
        "--kind",
        "discharge",
        "--date",
        day,
        "--time",
        "00:30",
        "--hold",
        hold,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output


def _bounded(path, megabytes=64):
    """The loader refuses ``path`` with one problem, in bounded memory.

    Bounded by what it does, not by seconds: one early ContentError and a memory peak far
    below what building the file's values would take.
    """
    tracemalloc.start()
    try:
        with pytest.raises(ContentError) as caught:
            load_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < megabytes * 2**20, f"peaked at {peak / 2**20:.0f} MB"
    (problem,) = caught.value.problems
    return problem


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # A billion laughs grown to the size limit: anchors, then aliases of aliases.
        (
            "a0: &a0 [x]\n"
            + "".join(f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}]\n" for n in range(1, 40_000)),
            1,
            "the anchor &a0 is not allowed",
        ),
        # Nesting to the size limit, in both styles.
        ("a: " + "[" * 490_000 + "]" * 490_000 + "\n", 1, f"nested more than {MAX_DEPTH}"),
        (
            "".join(f"{' ' * n}- \n" for n in range(0, 1300, 2)),
            MAX_DEPTH + 1,
            f"nested more than {MAX_DEPTH}",
        ),
    ],
    ids=["alias-bomb", "flow-nesting", "block-nesting"],
)
def test_bombs_are_refused_at_the_first_defect_in_bounded_memory(tmp_path, text, line, message):
    path = tmp_path / "bomb.yaml"
    path.write_text(text[: MAX_BYTES - 10] if len(text) > MAX_BYTES else text, encoding="utf-8")
    problem = _bounded(path)
    assert problem.line == line
    assert problem.message.startswith(message)


def test_a_wide_file_is_refused_at_the_value_limit(tmp_path):
    path = tmp_path / "wide.yaml"
    path.write_text("a: [" + "1," * 450_000 + "1]\n", encoding="utf-8")
    problem = _bounded(path)
    assert (
        str(problem)
        == f"{path}:1: holds more than {MAX_VALUES:,} values; split it or check it is the right file"
    )


def test_the_largest_built_in_procedure_is_far_below_the_value_limit():
    from conftest import PROCEDURES

    _, loaded = load_file(PROCEDURES / "epidural-steroid-injection.yaml")
    assert len(loaded.lines) * 10 < MAX_VALUES


def _capped_memory():
    # A reader that does not stop at the size limit fails fast here instead of filling memory.
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize(
    "args",
    [
        ["validate", "/dev/zero"],
        ["list", "--config", "/dev/zero"],
    ],
    ids=["procedure", "config"],
)
def test_an_endless_device_is_refused_at_the_size_limit(tmp_path, monkeypatch, args):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "procguide", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        preexec_fn=_capped_memory,
    )
    assert proc.returncode == ExitCode.INVALID_CONTENT, proc.stderr[-500:]
    assert (
        proc.stderr
        == f"error: /dev/zero: is larger than {MAX_BYTES:,} bytes; split it or check it is the right file\n"
    )


@pytest.mark.parametrize("option", ["--patient", "--note", "--clinician"])
def test_command_line_text_that_is_not_utf8_is_a_usage_error(invoke, option):
    # Python hands bytes that are not UTF-8 over as surrogates; they cannot be printed.
    result = invoke("handout", "blood-patch", option, "Jos\udce9", "--format", "text")
    assert assert_clean_failure(result, ExitCode.USAGE) == [
        f"error: {option}: is not UTF-8 text (byte 0xE9) "
        "(check the encoding of the terminal, script or file it came from)"
    ]


def test_list_json_survives_a_folder_name_that_is_not_utf8(invoke, tmp_path):
    from conftest import PROCEDURES

    folder = tmp_path / "caf\udce9"
    folder.mkdir()
    text = (PROCEDURES / "blood-patch.yaml").read_text(encoding="utf-8")
    text = text.replace("id: blood-patch", "id: my-patch").replace(
        "aliases: [ebp, epidural-blood-patch]", "aliases: [mine]"
    )
    (folder / "my-patch.yaml").write_text(
        text.replace('cpt: ["62273"]', "cpt: []"), encoding="utf-8"
    )
    result = invoke("list", "--procedures-dir", str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout_bytes.decode("utf-8"))
    assert next(r["path"] for r in rows if r["id"] == "my-patch") == str(folder / "my-patch.yaml")


# --- Data is never a template, and cannot reach files ---

MARKUP = "{{ 1234 * 1000 }} {% raw %} <b>bold</b> [bold]x[/bold] *em* _u_ # | \\ &amp; :smile:"


def _commonmark_unescape(text):
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json", "terminal"])
def test_config_values_print_literally_in_every_format(invoke, tmp_path, fmt):
    path = tmp_path / "clinic.yaml"
    quoted = json.dumps(MARKUP)  # a JSON string is a YAML double-quoted string
    path.write_text(
        f"clinic:\n  name: {quoted}\n  address: {quoted}\n  footer: {quoted}\n", encoding="utf-8"
    )
    result = invoke("handout", "blood-patch", "--format", fmt, "--config", str(path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1234000" not in out
    if fmt == "json":
        clinic = json.loads(out)["clinic"]
        assert clinic["name"] == clinic["address"] == clinic["footer"] == MARKUP
    elif fmt == "html":
        assert "<b>bold</b>" not in out
        assert html.unescape(out).count(MARKUP) >= 3
    elif fmt == "markdown":
        assert "<b>" not in out
        assert _commonmark_unescape(out).count(MARKUP) >= 3
    else:
        assert out.count(MARKUP) >= 3


def _clinic_templates(tmp_path, name, body):
    folder = tmp_path / "tpl" / "text"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    return tmp_path / "tpl"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{% include "../../etc/passwd" %}', "template '../../etc/passwd' not found"),
        ('{% include "../aftercare.txt" %}', "template '../aftercare.txt' not found"),
        ('{% extends "/etc/passwd" %}', "template '/etc/passwd' not found"),
        ("{% include doc.patient.name %}", "template '../../../etc/passwd' not found"),
        ("{{ 1 / 0 }}", "handout.txt:1: the template failed: ZeroDivisionError"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "the template failed: RecursionError"),
        ("{{ doc.steps | nosuchfilter }}", "handout.txt:1: No filter named 'nosuchfilter'"),
        ("{% if %}", "handout.txt:1: "),
        (b"\xff\xfe{{ doc }}", "is not UTF-8"),
    ],
    ids=[
        "include-up",
        "include-sibling",
        "extends-absolute",
        "include-from-data",
        "zero-division",
        "recursion",
        "unknown-filter",
        "syntax",
        "not-utf8",
    ],
)
def test_a_broken_or_escaping_clinic_template_is_exit_4_in_one_line(
    invoke, tmp_path, body, message
):
    templates = _clinic_templates(tmp_path, "handout.txt", body)
    result = invoke(
        "handout",
        "blood-patch",
        "--patient",
        "../../../etc/passwd",
        "--format",
        "text",
        "--templates-dir",
        str(templates),
    )
    lines = assert_clean_failure(result, ExitCode.TEMPLATE)
    assert len(lines) == 1 and message in lines[0], lines
    assert "root:" not in result.output
    assert result.stdout == ""


def test_with_debug_a_template_error_shows_its_traceback(invoke, tmp_path):
    templates = _clinic_templates(tmp_path, "handout.txt", "{{ 1 / 0 }}")
    result = invoke(
        "--debug", "handout", "blood-patch", "--format", "text", "--templates-dir", str(templates)
    )
    assert result.exit_code == ExitCode.TEMPLATE
    assert "Traceback (most recent call last)" in result.stderr
    assert "ZeroDivisionError" in result.stderr


# --- Output: a clear message, exit 5, and never a partial or damaged file ---

OLD = b"the handout printed yesterday\n"


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def _handout_to(invoke, target):
    return invoke("aftercare", "blood-patch", "--format", "text", "-o", str(target))


def test_a_folder_in_the_way_is_exit_5(invoke, tmp_path):
    (tmp_path / "jane.txt").mkdir()
    lines = assert_clean_failure(_handout_to(invoke, tmp_path / "jane.txt"), ExitCode.OUTPUT)
    assert lines == [
        f"error: cannot write {tmp_path / 'jane.txt'}: it is a folder (give a file name)"
    ]


def test_a_file_where_the_folder_should_be_is_exit_5(invoke, tmp_path):
    (tmp_path / "handouts").write_bytes(OLD)
    target = tmp_path / "handouts" / "jane.txt"
    lines = assert_clean_failure(_handout_to(invoke, target), ExitCode.OUTPUT)
    assert lines == [
        f"error: cannot write {target}: {tmp_path / 'handouts'} is a file, not a folder"
    ]
    assert (tmp_path / "handouts").read_bytes() == OLD


def test_permission_denied_is_exit_5_and_keeps_the_old_file(invoke, tmp_path, monkeypatch):
    target = tmp_path / "jane.txt"
    target.write_bytes(OLD)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    lines = assert_clean_failure(_handout_to(invoke, target), ExitCode.OUTPUT)
    assert lines == [f"error: cannot write {target}: permission denied"]
    assert target.read_bytes() == OLD


def _mkstemp_on_dev_full(monkeypatch, made):
    real = tempfile.mkstemp

    def on_full_disk(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        os.close(fd)
        made.append(Path(name))
        return os.open("/dev/full", os.O_WRONLY), name

    monkeypatch.setattr(tempfile, "mkstemp", on_full_disk)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("existing", [False, True])
def test_a_full_disk_is_exit_5_and_leaves_no_partial_file(invoke, tmp_path, monkeypatch, existing):
    target = tmp_path / "jane.txt"
    if existing:
        target.write_bytes(OLD)
    made = []
    _mkstemp_on_dev_full(monkeypatch, made)
    lines = assert_clean_failure(_handout_to(invoke, target), ExitCode.OUTPUT)
    assert lines == [f"error: cannot write {target}: the disk is full"]
    assert made and not any(p.exists() for p in made)
    assert _leftovers(tmp_path) == []
    assert target.read_bytes() == OLD if existing else not target.exists()


@pytest.mark.parametrize("existing", [False, True])
def test_ctrl_c_while_writing_is_exit_130_and_leaves_no_partial_file(
    invoke, tmp_path, monkeypatch, existing
):
    target = tmp_path / "jane.txt"
    if existing:
        target.write_bytes(OLD)

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    result = _handout_to(invoke, target)
    assert result.exit_code == ExitCode.INTERRUPTED
    assert result.stderr == "error: interrupted\n"
    assert _leftovers(tmp_path) == []
    assert target.read_bytes() == OLD if existing else not target.exists()


def test_a_new_handout_is_readable_like_any_file_and_an_old_one_keeps_its_mode(invoke, tmp_path):
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        assert _handout_to(invoke, fresh).exit_code == 0
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "kept.txt"
        kept.write_bytes(OLD)
        kept.chmod(0o640)
        assert _handout_to(invoke, kept).exit_code == 0
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_bytes() != OLD
    finally:
        os.umask(umask)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_written_through_not_replaced(invoke, tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = _handout_to(invoke, fifo)
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(b"EPIDURAL BLOOD PATCH")


def _run(command, **kwargs):
    return subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=kwargs.pop("cwd", None),
        **kwargs,
    )


PROCGUIDE = f"{sys.executable} -m procguide"


@pytest.mark.parametrize(
    "args",
    [
        "list",
        "--color list",
        "show blood-patch --format terminal",
    ],
)
def test_a_closed_pipe_ends_quietly_with_exit_0(tmp_path, args):
    # The reader is gone before procguide writes a byte, so every write meets a closed pipe.
    proc = subprocess.Popen(
        [sys.executable, "-m", "procguide", *args.split()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err.decode()) == (0, "")


@pytest.mark.parametrize("args", ["list", "show blood-patch"])
def test_head_takes_one_line_and_procguide_exits_0(tmp_path, args):
    proc = _run(f"set -o pipefail; {PROCGUIDE} {args} | head -1", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert len(proc.stdout.splitlines()) == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        "list",
        "--color list",
        "show blood-patch",
        "show blood-patch --format terminal",
    ],
)
def test_standard_output_on_a_full_disk_is_exit_5(tmp_path, args):
    proc = _run(f"{PROCGUIDE} {args} > /dev/full", cwd=tmp_path)
    assert proc.returncode == ExitCode.OUTPUT, proc.stderr
    assert proc.stderr == "error: cannot write to standard output: the disk is full\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_unwritable_stderr_keeps_the_error_s_exit_code(tmp_path):
    proc = _run(f"{PROCGUIDE} handout no-such-procedure 2> /dev/full", cwd=tmp_path)
    assert proc.returncode == ExitCode.USAGE


def test_closed_standard_output_is_exit_5(tmp_path):
    proc = _run(f"{PROCGUIDE} show blood-patch >&-", cwd=tmp_path)
    assert proc.returncode == ExitCode.OUTPUT, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")


# --- The README's exit-code table is ExitCode ---


def test_readme_exit_code_table_matches_exit_code():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.split(r"^## Exit codes$", readme, flags=re.MULTILINE)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|\s*(\d+)\s*\|\s*(.+?)\s*\|\s*$", section, re.MULTILINE)
    documented = {int(code): meaning for code, meaning in rows}
    assert sorted(documented) == sorted(int(code) for code in ExitCode)
    assert all(documented.values())


def test_every_exit_code_a_readme_section_lists_exists():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for section in re.split(r"^#+ Exit codes$", readme, flags=re.MULTILINE)[1:]:
        table = section.split("\n#", 1)[0]
        codes = {int(code) for code in re.findall(r"^\|\s*(\d+)\s*\|", table, re.MULTILINE)}
        assert codes and codes <= {int(code) for code in ExitCode}


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_to_a_full_disk_are_one_line(args):
    with Path("/dev/full").open("w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "procguide", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert proc.returncode == ExitCode.OUTPUT
    assert proc.stderr == "error: cannot write to standard output: No space left on device\n"


def test_a_bug_in_procguides_own_filter_is_not_blamed_on_the_template(invoke, monkeypatch):
    # A ValueError raised by procguide's code while a template runs is a bug (exit 1), not a
    # clinic's template error (exit 4) that would send the clinic looking in its own files.
    from procguide.render import templates

    def broken(text, indent=4, width=78):
        raise ValueError("a bug in wrap")

    monkeypatch.setattr(templates, "wrap", broken)
    monkeypatch.setattr(templates, "_environments", {})
    result = invoke("aftercare", "blood-patch", "--format", "text")
    assert result.exit_code == ExitCode.FAILURE
    assert result.stderr.startswith("error: internal error: ValueError at procguide/render/")


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\ue000", "\u2028", "\x1b"])
def test_one_rule_for_invisible_characters_in_content_command_line_and_file_names(
    invoke, tmp_path, char
):
    from procguide.batch.filenames import safe_name

    path = tmp_path / "x.yaml"
    path.write_text(f"clinic:\n  name: A{char}B\n", encoding="utf-8")
    with pytest.raises(ContentError, match=f"U\\+{ord(char):04X} is not allowed"):
        load_file(path)
    result = invoke("handout", "blood-patch", "--patient", f"A{char}B", "--format", "text")
    assert result.exit_code == ExitCode.USAGE
    assert f"(U+{ord(char):04X})" in result.stderr
    # Dropped from a file name; a separator, being white space, becomes a dash first.
    assert safe_name(f"A{char}B", 1) == ("A-B" if char.isspace() else "AB")


@pytest.mark.parametrize(
    "code",
    [
        '{{ cycler.__init__.__globals__.os.popen("touch pwned").read() }}',
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{% set x = doc.stamp.update(text='forged') %}{{ doc.stamp.text }}",
    ],
    ids=["globals-to-os", "subclasses", "change-the-document"],
)
def test_a_clinic_template_cannot_run_code_or_change_the_document(invoke, tmp_path, code):
    templates = _clinic_templates(tmp_path, "handout.txt", code)
    result = invoke("handout", "blood-patch", "--format", "text", "--templates-dir", str(templates))
    lines = assert_clean_failure(result, ExitCode.TEMPLATE)
    assert "unsafe" in lines[0] or "not safely callable" in lines[0], lines
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_a_named_pipe_in_a_procedures_folder_never_hangs_a_scan(invoke, tmp_path):
    # Opening a FIFO for reading blocks until someone writes to it: a scan must skip it.
    folder = tmp_path / "procs"
    folder.mkdir()
    os.mkfifo(folder / "stuck.yaml")
    listed = subprocess.run(
        [sys.executable, "-m", "procguide", "list", "--procedures-dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,  # a hang fails here instead of blocking the suite
    )
    assert listed.returncode == 0, listed.stderr
    assert "blood-patch" in listed.stdout and "stuck" not in listed.stdout
    found = subprocess.run(
        [sys.executable, "-m", "procguide", "aftercare", "ebp", "--procedures-dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr


def test_terminal_escapes_typed_on_the_command_line_are_shown_escaped(invoke):
    result = invoke("aftercare", "nope\x1b[2J\x1b[31mred")
    assert result.exit_code == ExitCode.USAGE
    assert "\x1b" not in result.stderr
    assert "'nope\\x1b[2J\\x1b[31mred'" in result.stderr


def test_a_json_roster_item_with_a_key_twice_is_a_row_error(invoke, tmp_path):
    roster = tmp_path / "r.jsonl"
    roster.write_text(
        '{"procedure": "ebp", "patient": "Ann Lee", "date": "2027-03-01", "time": "09:30", '
        '"time": "13:00"}\n',
        encoding="utf-8",
    )
    result = invoke(
        "batch", str(roster), "--out", str(tmp_path / "out"), "-f", "text", "--jobs", "1"
    )
    assert result.exit_code == ExitCode.PARTIAL
    assert (
        "row 1 (line 1): the item gives the column 'time' twice; keep one of them" in result.stderr
    )


def test_a_read_only_output_file_is_an_output_error_and_is_kept(invoke, tmp_path):
    target = tmp_path / "kept.txt"
    target.write_bytes(OLD)
    target.chmod(0o444)
    result = invoke("aftercare", "blood-patch", "-o", str(target))
    assert result.exit_code == ExitCode.OUTPUT
    assert (
        result.stderr
        == f"error: cannot write {target}: the file is read-only (choose another name, or make it writable first)\n"
    )
    assert target.read_bytes() == OLD


@pytest.mark.parametrize(
    "name",
    [
        "\u0645\u0647\u0631\u0646\u0627\u0632\u200c\u0632\u0627\u062f\u0647",
        "\u0d15\u0d4d\u200d\u0d15",
        "\U0001f469\u200d\U0001f467",
    ],
    ids=["persian-zwnj", "malayalam-zwj", "emoji-sequence"],
)
def test_a_joiner_that_spells_a_name_is_allowed_but_not_in_content(invoke, tmp_path, name):
    result = invoke("aftercare", "blood-patch", "--patient", name, "--format", "text")
    assert result.exit_code == 0, result.output
    assert name in result.stdout
    path = tmp_path / "x.yaml"
    path.write_text(f"clinic:\n  name: {name}\n", encoding="utf-8")
    with pytest.raises(ContentError, match="is not allowed"):
        load_file(path)


def test_a_joiner_at_the_edge_of_a_name_is_still_refused(invoke):
    result = invoke("aftercare", "blood-patch", "--patient", "Ann\u200c", "--format", "text")
    assert result.exit_code == ExitCode.USAGE


def test_a_template_linked_to_a_file_outside_its_folder_is_refused(invoke, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n")
    folder = tmp_path / "tpl" / "text"
    folder.mkdir(parents=True)
    (folder / "handout.txt").symlink_to(secret)
    result = invoke(
        "handout", "blood-patch", "--format", "text", "--templates-dir", str(tmp_path / "tpl")
    )
    lines = assert_clean_failure(result, ExitCode.TEMPLATE)
    assert "leads out of its templates folder" in lines[0]
    assert "root:x" not in result.stdout


def clinic_typst(tmp_path: Path, extra: str) -> Path:
    """A clinic's copy of the built-in Typst templates with ``extra`` at the end of base.typ."""
    import shutil

    from procguide.resources import builtin_dir

    templates = tmp_path / "tpl"
    shutil.copytree(builtin_dir("templates") / "typst", templates / "typst")
    with (templates / "typst" / "base.typ").open("a") as base:
        base.write("\n" + extra + "\n")
    return templates


@pytest.mark.parametrize(
    "package", ['#import "@preview/example:0.1.0": add', '#import "@local/leak:0.1.0": secret']
)
def test_a_typst_template_can_use_no_package_downloaded_or_local(
    invoke, tmp_path, monkeypatch, package
):
    # A local package where Typst looks by default, outside the templates folder.
    data = tmp_path / "xdg-data"
    leak = data / "typst" / "packages" / "local" / "leak" / "0.1.0"
    leak.mkdir(parents=True)
    (leak / "typst.toml").write_text(
        '[package]\nname = "leak"\nversion = "0.1.0"\nentrypoint = "lib.typ"\n'
    )
    (leak / "lib.typ").write_text('#let secret = "SECRET"\n')
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    templates = clinic_typst(tmp_path, package)
    result = invoke(
        "handout",
        "blood-patch",
        "--format",
        "pdf",
        "-o",
        "x.pdf",
        "--templates-dir",
        str(templates),
    )
    lines = assert_clean_failure(result, ExitCode.TEMPLATE)
    assert "package" in lines[0] and "procguide uses no Typst package" in lines[0]
    assert not (tmp_path / "x.pdf").exists()
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY"):
        assert name not in os.environ  # put back as it was


def test_a_typst_template_that_never_ends_is_stopped_exit_4(tmp_path):
    templates = clinic_typst(tmp_path, "#let x = 0\n#for i in range(1000000000000) { x = x + 1 }")
    command = [sys.executable, "-m", "procguide", "handout", "blood-patch", "--format", "pdf"]
    command += ["-o", str(tmp_path / "x.pdf"), "--templates-dir", str(templates)]
    env = {**os.environ, "PROCGUIDE_PDF_TIME_LIMIT": "2"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == ExitCode.TEMPLATE
    assert done.stderr.splitlines() == [
        "error: PDF template: typesetting took more than 2 s, so it was stopped (a loop that "
        "never ends?); $PROCGUIDE_PDF_TIME_LIMIT sets the limit"
    ]
    assert not (tmp_path / "x.pdf").exists()
