"""procguide's speed in one run: start-up, PDF sheets, batch throughput, loading the library.

    python benchmarks/run.py [--quick] [--rounds N] [--runs N] [--no-instructions]
                             [--only PARTS] [--output FILE | --no-save]

Prints one Markdown table and writes it, with the date and machine, to benchmarks/RESULTS.md.

- Start-up: each command as a ratio of a do-nothing Typer command (the floor: Python, Typer
  and what Typer imports). Timed by hyperfine when it is installed, else by a loop here; the
  commands take turns, in several rounds, so a busy machine slows them alike. The CPU column
  (user + system) is steadier than wall time on a shared machine, and the instruction count
  (valgrind's callgrind, when valgrind is installed) steadier still: it hardly moves however
  busy the machine is. The targets hold for CPU time and for instructions.
- PDF: procguide.render.pdf against the raw Typst engine compiling the same source, in a fresh
  process (the first PDF) and in a running one (each further PDF, a document not compiled
  before: see pdf_bench.py); then two sheets at a time, in two threads or two processes.
- Batch: ``procguide batch`` as a subprocess, rows per second and the peak memory of its
  largest process; PDF is compared with the raw engine in as many processes.
- Library: every built-in procedure loaded and validated, with and without the cache.

Every run uses a temporary cache, config and working folder, so the machine's own settings
do not leak in; Python's bytecode is cached (in a temporary folder) as an installed package's
is, even when PYTHONDONTWRITEBYTECODE is set.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pdf_bench
from pdf_bench import HOLDS, PAPER

HERE = Path(__file__).resolve().parent
FLOOR = """import typer

app = typer.Typer()


@app.command()
def main() -> None:
    \"\"\"Do nothing.\"\"\"


app()
"""
PARTS = ("startup", "pdf", "batch", "library")


# ---------------------------------------------------------------------------------------
# Start-up


def procguide_command() -> list[str]:
    script = Path(sys.executable).parent / "procguide"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "procguide"]


def time_commands(
    commands: dict[str, list[str]], env: dict[str, str], rounds: int, runs: int
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Wall times (ms) per command, and mean CPU time (ms) per command."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    hyperfine = shutil.which("hyperfine")
    for index in range(rounds):
        if hyperfine:
            warmup = "3" if index == 0 else "1"
            with tempfile.NamedTemporaryFile(suffix=".json") as export:
                argv = [hyperfine, "-N", "--warmup", warmup, "--runs", str(runs), "--style", "none"]
                argv += ["--export-json", export.name]
                for name, command in commands.items():
                    argv += ["--command-name", name, subprocess.list2cmdline(command)]
                done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
                if done.returncode:
                    sys.exit(f"hyperfine failed: {done.stderr[-2000:]}")
                results = json.loads(Path(export.name).read_text())["results"]
            for result in results:
                walls[result["command"]].extend(t * 1000 for t in result["times"])
                cpus[result["command"]].append((result["user"] + result["system"]) * 1000)
        else:
            for run in range(runs + 3):
                for name, command in commands.items():
                    wall, cpu = _run_once(command, env)
                    if run >= 3:  # warm-up
                        walls[name].append(wall)
                        cpus[name].append(cpu)
    return walls, {name: statistics.mean(values) for name, values in cpus.items()}


def _run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    if status:
        sys.exit(f"failed: {' '.join(command)}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


# What each start-up row must stay within, as a ratio of the floor, in CPU time and in
# instructions. A first run (no cache) parses YAML and validates the content, so it may
# cost more.
STARTUP_TARGETS = {"help": 0.6, "version": 0.6, "aftercare": 1.2, "alias": 1.2, "no-cache": 1.6}


def startup_commands(temp: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Each start-up command, with the environment variables it runs with."""
    floor = temp / "floor.py"
    floor.write_text(FLOOR, encoding="utf-8")
    procguide = procguide_command()
    aftercare = [*procguide, "aftercare", "blood-patch", "--format", "text"]
    return {
        "floor": ([sys.executable, str(floor)], {}),
        "help": ([*procguide, "--help"], {}),
        "version": ([*procguide, "--version"], {}),
        "aftercare": (aftercare, {}),
        "alias": ([*procguide, "aftercare", "ebp", "--format", "text"], {}),
        "no-cache": (aftercare, {"PROCGUIDE_NO_CACHE": "1"}),
    }


def count_instructions(command: list[str], env: dict[str, str]) -> float:
    """Instructions (millions) that one run of ``command`` executes, counted by callgrind.

    The count hardly moves when other work shares the machine, unlike a time; the first of
    two runs fills the caches (bytecode, procedures, templates) as a timed warm-up does.
    """
    valgrind = shutil.which("valgrind")
    assert valgrind is not None
    argv = [valgrind, "--tool=callgrind", f"--callgrind-out-file={os.devnull}", *command]
    subprocess.run(command, env=env, capture_output=True, check=False)
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or found is None:
        sys.exit(f"callgrind failed for {' '.join(command)}: {done.stderr[-2000:]}")
    return int(found[1]) / 1e6


def startup_rows(
    env: dict[str, str], temp: Path, rounds: int, runs: int, instructions: bool
) -> list[list[str]]:
    commands = startup_commands(temp)
    env_tool = shutil.which("env")
    timed = {}
    for name, (command, extra) in commands.items():
        if not extra:
            timed[name] = command
        elif env_tool:  # hyperfine -N sets no variables; env(1) costs about a millisecond
            timed[name] = [env_tool, *(f"{k}={v}" for k, v in extra.items()), *command]
    walls, cpus = time_commands(timed, env, rounds, runs)
    counts = {}
    if instructions:
        counts = {name: count_instructions(c, env | extra) for name, (c, extra) in commands.items()}
    labels = {
        "floor": "floor: do-nothing Typer command",
        "help": "`procguide --help`",
        "version": "`procguide --version`",
        "aftercare": "`procguide aftercare blood-patch --format text`",
        "alias": "`procguide aftercare ebp --format text` (alias)",
        "no-cache": "`aftercare blood-patch` with PROCGUIDE_NO_CACHE=1 (a first run)",
    }
    floor_wall = statistics.median(walls["floor"])
    rows = []
    for name, label in labels.items():
        if name not in walls:
            continue
        wall = statistics.median(walls[name])
        ratios = {"CPU": cpus[name] / cpus["floor"]}
        if counts:
            ratios["instructions"] = counts[name] / counts["floor"]
        if name == "floor":
            versus = "1.00x" + (f" ({counts[name]:,.0f} M instructions)" if counts else "")
        else:
            shown = ", ".join(f"{kind} {ratio:.2f}x" for kind, ratio in ratios.items())
            versus = f"{wall / floor_wall:.2f}x floor ({shown})"
        target = met = ""
        if name in STARTUP_TARGETS:
            limit = STARTUP_TARGETS[name]
            target = f"≤ {limit}x floor"
            over = [f"{kind} {r / limit - 1:+.0%}" for kind, r in ratios.items() if r > limit]
            met = _verdict(not over, ", ".join(over) + " vs target")
        rows.append([f"start-up: {label}", f"{wall:.0f} ms", versus, target, met])
    return rows


def _verdict(ok: bool, by: str) -> str:
    return "met" if ok else f"missed ({by})"


# ---------------------------------------------------------------------------------------
# One PDF


PDF_TARGET = 1.25  # procguide's sheet, as a ratio of raw Typst on the same source
PDF_SIDE_BY_SIDE = 120  # sheets per side-by-side measurement


def pdf_rows(env: dict[str, str], rounds: int) -> tuple[list[list[str]], list[str]]:
    why = _pdf_missing()
    label = "one PDF handout in one process"
    if why:
        return [[label, "n/a", why, "≤ 1.25x raw engine", "n/a"]], [f"PDF: n/a, {why}."]
    first: list[float] = []
    raw_first: list[float] = []
    for _ in range(max(3, rounds)):
        first.append(_child(["--pdf-first", "procguide"], env)["ms"])
        raw_first.append(_child(["--pdf-first", "raw"], env)["ms"])
    warm = _child(["--pdf-warm", str(40)], env)
    rows = []
    for name, ours, theirs in (
        ("first PDF in a fresh process", statistics.median(first), statistics.median(raw_first)),
        ("each further, distinct, PDF in a running process", warm["procguide"], warm["raw"]),
    ):
        ratio = ours / theirs
        rows.append(
            [
                f"PDF: {name}",
                f"{ours:.1f} ms",
                f"{ratio:.2f}x raw Typst ({theirs:.1f} ms)",
                f"≤ {PDF_TARGET}x raw engine",
                _verdict(ratio <= PDF_TARGET, f"{ratio / PDF_TARGET - 1:+.0%} vs target"),
            ]
        )
    rows.append(
        [
            "PDF: the same document again (Typst's memo, not a new sheet)",
            f"{warm['again']:.1f} ms",
            "",
            "",
            "",
        ]
    )
    return rows + side_by_side_rows(env), []


def side_by_side_rows(env: dict[str, str], rounds: int = 3) -> list[list[str]]:
    """Two sheets at once: two threads (a compiler each) in one process, or two processes.

    The three ways take turns, ``rounds`` times, so a machine whose load changes slows them
    alike; each row is the median rate, the median CPU time a sheet (all threads or
    processes together, which other work on the machine hardly changes) and the largest peak.
    On a machine whose other cores are busy, no way can be faster than one thread.
    """
    count = str(PDF_SIDE_BY_SIDE)
    ways: dict[str, list[dict[str, float]]] = {"1 thread": [], "2 threads": [], "2 proc": []}
    for _ in range(rounds):
        ways["1 thread"].append(_child(["--pdf-threads", "1", count], env))
        ways["2 threads"].append(_child(["--pdf-threads", "2", count], env))
        ways["2 proc"].append(pdf_bench.pdf_processes(2, PDF_SIDE_BY_SIDE, env))
    rate = {way: statistics.median(r["rate"] for r in results) for way, results in ways.items()}
    cpu = {way: statistics.median(r["cpu_ms"] for r in results) for way, results in ways.items()}
    peak = {way: max(r["peak_mb"] for r in results) for way, results in ways.items()}
    labels = {
        "1 thread": "1 thread",
        "2 threads": "2 threads in 1 process",
        "2 proc": "2 processes",
    }
    rows = []
    for way, label in labels.items():
        speed = f"{rate[way] / rate['1 thread']:.2f}x 1 thread" if way != "1 thread" else ""
        rows.append(
            [
                f"PDF side by side: {label} (render and compile)",
                f"{rate[way]:.0f} sheets/s, {cpu[way]:.0f} ms CPU a sheet, peak {peak[way]:.0f} MB",
                speed,
                "",
                "",
            ]
        )
    return rows


def _pdf_missing() -> str:
    import importlib.util

    if importlib.util.find_spec("procguide.render.pdf") is None:
        return "procguide.render.pdf does not exist yet (the PDF format is still being written)"
    if importlib.util.find_spec("typst") is None:
        return "the typst package (the PDF engine) is not installed"
    return ""


def _document(procedure: str, **personal: Any) -> Any:
    from procguide.config import load_config
    from procguide.content.library import Library
    from procguide.document.patient import Personal
    from procguide.pipeline import make

    entry = Library(()).find(procedure)
    clinic = load_config(None).settings.clinic
    return make(entry, Personal.read(**personal), clinic, lang="en", view="handout").data


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"benchmark step {args} failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------
# Batch


WHOLE_BATCH_MB = 290
"""The memory a 2-job PDF batch may take, all its processes together (proportional sizes)."""


def batch_rows(
    env: dict[str, str], temp: Path, sizes: list[int]
) -> tuple[list[list[str]], list[str]]:
    check = subprocess.run(
        [*procguide_command(), "batch", "--help"], env=env, capture_output=True, check=False
    )
    if check.returncode:
        why = "`procguide batch` does not exist yet (it is still being written)"
        return [["batch throughput", "n/a", why, "", "n/a"]], [f"Batch: n/a, {why}."]
    formats = ["html"] + ([] if _pdf_missing() else ["pdf"])
    rows: list[list[str]] = []
    peaks: dict[tuple[str, int], dict[int, float]] = {}
    for size in sizes:
        roster = temp / f"roster-{size}.csv"
        make_roster(roster, size, env)
        for fmt in formats:
            for jobs in (1, 2):
                out = temp / f"out-{size}-{fmt}-{jobs}"
                result = _child(["--batch", str(roster), str(out), fmt, str(jobs)], env)
                shutil.rmtree(out, ignore_errors=True)
                rate = size / result["seconds"]
                peaks.setdefault((fmt, jobs), {})[size] = result["peak_mb"]
                versus = target = met = ""
                if fmt == "pdf":
                    # Measured right after the batch, so both see the same machine load; the
                    # median of three, as one run of the raw loop moved by a third on a
                    # shared machine.
                    engine = statistics.median(
                        _child(["--engine", str(roster), str(jobs)], env)["rate"]
                        for _ in range(ENGINE_RUNS)
                    )
                    share = rate / engine
                    processes = f"{jobs} process{'es' if jobs > 1 else ''}"
                    versus = f"{share:.0%} of raw Typst in {processes} ({engine:.0f}/s)"
                    target = "≥ 95% of raw engine"
                    met = _verdict(share >= 0.95, f"{share - 0.95:+.0%} points")
                whole = ""
                if "tree_pss_mb" in result:
                    whole = (
                        f", all processes {result['tree_pss_mb']:.0f} MB"
                        f" (RSS {result['tree_rss_mb']:.0f} MB)"
                    )
                rows.append(
                    [
                        f"batch: {size:,} rows, {fmt}, {jobs} job{'s' if jobs > 1 else ''}",
                        f"{rate:.0f} rows/s, peak {result['peak_mb']:.0f} MB a process{whole}",
                        versus,
                        target,
                        met,
                    ]
                )
                print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
                if fmt == "pdf" and jobs == 2 and "tree_pss_mb" in result:
                    whole_mb = result["tree_pss_mb"]
                    over = f"{whole_mb - WHOLE_BATCH_MB:+.0f} MB"
                    rows.append(
                        [
                            f"batch: {size:,} rows, pdf, 2 jobs, all processes together",
                            f"{whole_mb:.0f} MB (PSS)",
                            f"RSS {result['tree_rss_mb']:.0f} MB",
                            f"< {WHOLE_BATCH_MB} MB",
                            _verdict(whole_mb < WHOLE_BATCH_MB, over),
                        ]
                    )
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        for (fmt, jobs), peak in peaks.items():
            growth = peak[large] / peak[small] - 1
            rows.append(
                [
                    f"batch: peak memory, {fmt}, {jobs} job{'s' if jobs > 1 else ''}",
                    f"{peak[small]:.0f} MB at {small:,} rows, {peak[large]:.0f} MB at {large:,}",
                    f"{growth:+.0%}",
                    "the same (within 10%)",
                    _verdict(growth <= 0.10, f"{growth:+.0%}"),
                ]
            )
    return rows, []


def make_roster(path: Path, rows: int, env: dict[str, str]) -> None:
    """A roster of ``rows`` patients over the built-in procedures and their flags."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("XDG_", "PROCGUIDE"))})
    from procguide.content.library import Library

    entries = Library(()).load_all()
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["procedure", "patient", "date", "time", "clinician", "flags", "holds"])
        for i in range(rows):
            procedure = entries[i % len(entries)].procedure
            writer.writerow(
                [
                    procedure.id,
                    f"Patient {i:05d} Example",
                    f"2027-03-{1 + i % 28:02d}",
                    f"{7 + i % 10:02d}:{(i * 5) % 60:02d}",
                    "Dr Rivera",
                    ";".join(list(procedure.flags)[: i % 3]),
                    HOLDS[i % len(HOLDS)],
                ]
            )


def child_batch(roster: str, out: str, fmt: str, jobs: str) -> dict[str, float]:
    """One batch end to end: its seconds, the peak memory of its largest process, and the
    peak of all its processes together (sampled from /proc, where there is one)."""
    command = [*procguide_command(), "batch", roster, "--out", out, "--format", fmt]
    start = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--jobs", jobs], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeMemory(process.pid)
    sampler.start()
    _, errors = process.communicate()
    seconds = time.perf_counter() - start
    sampler.stop()
    if process.returncode:
        sys.exit(f"batch failed ({process.returncode}): {errors[-2000:]}")
    # Linux reports kilobytes, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_mb = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    return {"seconds": seconds, "peak_mb": peak_mb} | sampler.peaks()


class TreeMemory(threading.Thread):
    """The peak memory of a process and all its descendants together, sampled every 50 ms.

    Two sums: resident memory (RSS), which counts a page shared by two processes twice, and
    proportional memory (PSS, Linux's smaps_rollup), which splits it between them: the
    memory the batch really takes from the machine.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.rss = self.pss = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            rss = pss = 0
            for pid in self._tree():
                rss += self._field(f"/proc/{pid}/status", "VmRSS:")
                pss += self._field(f"/proc/{pid}/smaps_rollup", "Pss:")
            self.rss, self.pss = max(self.rss, rss / 1024), max(self.pss, pss / 1024)

    def stop(self) -> None:
        self.done.set()
        self.join()

    def peaks(self) -> dict[str, float]:
        return {"tree_rss_mb": self.rss, "tree_pss_mb": self.pss} if self.pss else {}

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
        tree, grew = {self.pid}, True
        while grew:
            more = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        return sorted(tree)

    @staticmethod
    def _field(path: str, name: str) -> int:
        try:
            with Path(path).open(encoding="ascii") as stream:
                for line in stream:
                    if line.startswith(name):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0


ENGINE_RUNS = 3
ENGINE_ROWS = 400  # enough for a steady rate; the engine's rate per row does not depend on it


def child_engine(roster: str, processes: str) -> dict[str, float]:
    """Rows per second of the raw engine compiling the roster's sources in N processes."""
    import multiprocessing

    count = int(processes)
    with multiprocessing.get_context("spawn").Pool(count) as pool:
        parts = pool.map(_engine_part, [(roster, first, count) for first in range(count)])
    compiled = sum(n for n, _ in parts)
    return {"rate": compiled / max(seconds for _, seconds in parts)}


def _engine_part(args: tuple[str, int, int]) -> tuple[int, float]:
    from procguide.render.pdf import render_source

    roster, first, step = args
    with Path(roster).open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))[:ENGINE_ROWS][first::step]
    sources = []
    for row in rows:
        document = _document(
            row["procedure"],
            patient=row["patient"],
            day=row["date"],
            at=row["time"],
            clinician=row["clinician"],
            flags=[f for f in row["flags"].split(";") if f],
            holds=[h for h in row["holds"].split(";") if h],
        )
        sources.append(render_source(document).encode())
    compiler = pdf_bench.raw_compiler()
    compiler.compile(input=sources[0], format="pdf", sys_inputs=PAPER)  # fonts loaded
    start = time.perf_counter()
    for source in sources:
        compiler.compile(input=source, format="pdf", sys_inputs=PAPER)
    return len(sources), time.perf_counter() - start


# ---------------------------------------------------------------------------------------
# Library


def library_rows(env: dict[str, str]) -> list[list[str]]:
    rows = []
    for label, extra in (("no cache", {"PROCGUIDE_NO_CACHE": "1"}), ("cache", {})):
        result = _child(["--library"], env | extra)
        rows.append(
            [
                f"library: load and validate every built-in procedure ({label})",
                f"{result['rate']:.0f} files/s",
                f"{result['files']} files in {result['ms']:.1f} ms",
                "",
                "",
            ]
        )
    return rows


def child_library() -> dict[str, float]:
    from procguide.content.library import Library

    Library(()).load_all()  # imports, and fills the cache when it is on
    times = []
    for _ in range(20):
        start = time.perf_counter()
        files = len(Library(()).load_all())
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return {"files": files, "ms": seconds * 1000, "rate": files / seconds}


# ---------------------------------------------------------------------------------------


def environment(temp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROCGUIDE_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(temp / "pycache")
    env["XDG_CACHE_HOME"] = str(temp / "cache")
    env["XDG_CONFIG_HOME"] = str(temp / "config")
    return env


def header() -> str:
    hyperfine = shutil.which("hyperfine")
    timer = "a timing loop (hyperfine not installed)"
    if hyperfine:
        version = subprocess.run([hyperfine, "--version"], capture_output=True, text=True).stdout
        timer = version.strip()
    from procguide import __version__

    commit = subprocess.run(
        ["git", "-C", str(HERE), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    version = f"procguide {__version__}" + (f" ({commit})" if commit else "")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    busy = f", load average {load:.1f} at the start" if load is not None else ""
    return (
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()} "
        f"({platform.system()}), {os.cpu_count()} CPUs{busy}, Python "
        f"{platform.python_version()}, {version}; start-up timed with {timer}."
    )


def shared_machine(load: float | None) -> list[str]:
    """A warning when other work was running as the benchmark started."""
    if load is None or load < 0.5:
        return []
    return [
        f"Other work was running (load average {load:.1f} on {os.cpu_count()} CPUs as the "
        "benchmark started). Start-up and PDF ratios are fair (the two sides take turns), "
        "but rows that run processes side by side (2 jobs, 2 processes) competed with it "
        "for the CPUs; their comparison is only rough."
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="batch with 1,000 rows only")
    # Many short rounds: hyperfine runs one command after another, so rounds take turns.
    parser.add_argument("--rounds", type=int, default=10, help="start-up rounds (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="runs per round (default 3)")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument(
        "--no-instructions",
        action="store_true",
        help="skip counting start-up instructions with valgrind (about 3 minutes)",
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts (default: {','.join(PARTS)})",
    )
    parser.add_argument("--pdf-first", help=argparse.SUPPRESS)
    parser.add_argument("--pdf-warm", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pdf-threads", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pdf-part", nargs=3, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batch", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--engine", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--library", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    steps = {
        "pdf_first": lambda: pdf_bench.child_pdf_first(args.pdf_first),
        "pdf_warm": lambda: pdf_bench.child_pdf_warm(args.pdf_warm),
        "pdf_threads": lambda: pdf_bench.child_pdf_threads(*args.pdf_threads),
        "pdf_part": lambda: pdf_bench.child_pdf_part(*args.pdf_part),
        "batch": lambda: child_batch(*args.batch),
        "engine": lambda: child_engine(*args.engine),
        "library": child_library,
    }
    for name, step in steps.items():
        if getattr(args, name) not in (None, False):
            print(json.dumps(step()))
            return

    # Before the work, so the load average is the machine's own.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    top = header()
    with tempfile.TemporaryDirectory(prefix="procguide-bench-") as name:
        temp = Path(name)
        env = environment(temp)
        (temp / "work").mkdir()
        os.chdir(temp / "work")  # no procguide.yaml from the current folder
        parts = args.only.split(",")
        rows: list[list[str]] = []
        notes: list[str] = []
        if "startup" in parts:
            instructions = not args.no_instructions and shutil.which("valgrind") is not None
            rows += startup_rows(env, temp, args.rounds, args.runs, instructions)
        if "pdf" in parts:
            more, why = pdf_rows(env, args.rounds)
            rows, notes = rows + more, notes + why
        if "batch" in parts:
            more, why = batch_rows(env, temp, [1000] if args.quick else [1000, 10000])
            rows, notes = rows + more, notes + why
        if "library" in parts:
            rows += library_rows(env)
    table = [
        "| Benchmark | Median | Versus | Target | Result |",
        "|-----------|-------:|--------|--------|--------|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    notes += shared_machine(load)
    text = "\n".join([top, "", *table, "", *notes]).rstrip() + "\n"
    print(text)
    if not args.no_save:
        save(args.output, text)


KEPT = "\n## Before and after\n"
"""RESULTS.md from this heading on is written by hand (what each change bought); it is kept."""


def save(path: Path, table: str) -> None:
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    kept = old[old.index(KEPT) :] if KEPT in old else ""
    path.write_text(f"# Benchmark results\n\n{table}{kept}", encoding="utf-8")


if __name__ == "__main__":
    main()
