"""A batch whose workers die, or that is told to stop, still ends and says what it made.

These run real processes: a worker killed with SIGKILL, the batch sent SIGTERM (as
``systemctl stop`` sends to the whole process group) or Ctrl-C twice, and the batch itself
killed while its workers run. Each test waits for an end; a hang is a test failure with a
generous limit, never a timing assertion.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import crashing_work
from procguide.batch.pool import ATTEMPTS, Stop, Workers
from procguide.errors import ExitCode

HANG = 120
"""Seconds after which a batch that has not ended counts as hung."""


def pool_results(items: list[object], chunk: int = 3, jobs: int = 2) -> list[dict]:
    pool = Workers(jobs, crashing_work.start, None, crashing_work.work, crashing_work.failed)
    try:
        chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
        return list(pool.results(chunks, Stop()))
    finally:
        pool.close()


def test_a_row_that_kills_its_worker_fails_alone_and_every_other_row_is_made():
    items = [*range(10), "kill", *range(10, 20)]
    records = pool_results(items)
    assert [r["item"] for r in records] == items
    statuses = {r["item"]: r["status"] for r in records}
    assert statuses.pop("kill") == "failed"
    assert set(statuses.values()) == {"ok"}
    error = next(r["error"] for r in records if r["item"] == "kill")
    assert "killed by signal 9" in error and f"{ATTEMPTS} times" in error


def test_workers_that_die_on_every_row_fail_every_row_and_end():
    records = pool_results(["kill"] * 7, chunk=2)
    assert len(records) == 7
    assert {r["status"] for r in records} == {"failed"}


def roster(path: Path, rows: int) -> Path:
    lines = ["procedure,patient,date,time\n"]
    for number in range(rows):
        minute = number % 60
        lines.append(
            f"blood-patch,Patient {number:04d},2027-03-01,{8 + number // 60:02d}:{minute:02d}\n"
        )
    path.write_text("".join(lines))
    return path


def start_batch(tmp_path: Path, rows: int, *extra: str) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "procguide", "batch", str(roster(tmp_path / "r.csv", rows))]
    command += ["--out", str(out), "-f", "pdf", "--jobs", "2", *extra]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    return process, out


def wait_for_rows(out: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    """Until the manifest lists ``count`` rows (the batch is well under way)."""
    deadline = time.monotonic() + HANG
    manifest = out / "manifest.jsonl"
    while time.monotonic() < deadline and process.poll() is None:
        if manifest.exists() and manifest.read_text().count("\n") >= count:
            return
        time.sleep(0.05)
    pytest.fail("the batch never got under way")


def descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def workers_of(pid: int) -> list[int]:
    """The processes that make rows (started by multiprocessing's spawn)."""
    found = []
    for child in descendants(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:
            continue
    return found


def finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the batch hung")
    return process.returncode, stderr.decode()


def check_manifest_matches_disk(out: Path) -> list[dict]:
    """Every file listed as made is there with its hash, and nothing else is in the folder."""
    records = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    listed = set()
    for record in records:
        for file in record["files"]:
            data = (out / file["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == file["sha256"]
            listed.add(file["path"])
        if record["status"] == "failed":
            assert record["files"] == []
    on_disk = {p.name for p in out.iterdir()} - {"manifest.jsonl", ".procguide-batch.lock"}
    assert on_disk == listed
    return records


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@needs_proc
def test_a_worker_killed_part_way_has_its_rows_made_again(tmp_path):
    process, out = start_batch(tmp_path, 80)
    wait_for_rows(out, 4, process)
    victims = workers_of(process.pid)
    assert victims, "no worker processes found"
    for victim in victims:
        os.kill(victim, signal.SIGKILL)
    code, stderr = finish(process)
    assert code == ExitCode.OK, stderr
    records = check_manifest_matches_disk(out)
    assert [r["row"] for r in records] == list(range(1, 81))
    assert {r["status"] for r in records} == {"ok"}


@needs_proc
@pytest.mark.parametrize("signals", [[signal.SIGTERM], [signal.SIGINT, signal.SIGINT]])
def test_a_stopped_batch_ends_and_its_manifest_matches_the_disk(tmp_path, signals):
    process, out = start_batch(tmp_path, 120)
    wait_for_rows(out, 4, process)
    for number in signals:
        os.killpg(process.pid, number)  # the whole group, as a terminal or systemd does
        time.sleep(0.05)
    code, stderr = finish(process)
    assert code == ExitCode.INTERRUPTED, stderr
    assert "Traceback" not in stderr
    records = check_manifest_matches_disk(out)
    assert 4 <= len(records) < 120
    assert [r["row"] for r in records] == list(range(1, len(records) + 1))
    assert not list(out.glob(".*.part"))
    # --resume makes the rest, and keeps what was made.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "procguide",
            "batch",
            str(tmp_path / "r.csv"),
            "--out",
            str(out),
            "-f",
            "pdf",
            "--jobs",
            "2",
            "--resume",
        ],
        capture_output=True,
        timeout=HANG,
    )
    assert done.returncode == ExitCode.OK, done.stderr
    records = check_manifest_matches_disk(out)
    assert [r["row"] for r in records] == list(range(1, 121))


@needs_proc
def test_workers_do_not_outlive_a_batch_killed_with_sigkill(tmp_path):
    process, out = start_batch(tmp_path, 120)
    wait_for_rows(out, 4, process)
    workers = workers_of(process.pid)
    assert workers
    process.kill()
    process.communicate(timeout=HANG)
    deadline = time.monotonic() + HANG
    while time.monotonic() < deadline and any(map(_running, workers)):
        time.sleep(0.1)
    assert not [pid for pid in workers if _running(pid)]


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie is reaped by init, in its own time)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
