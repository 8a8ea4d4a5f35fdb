"""Rows per second and peak memory of ``procguide batch``, printed as a Markdown table.

    python benchmarks/batch_throughput.py [--rows 1000,10000] [--jobs 1,2] [--formats html,pdf]
                                          [--repeat N]

Each measurement runs ``procguide batch`` end to end (start-up, roster, documents, files,
manifest) from a fresh helper process, whose ``getrusage(RUSAGE_CHILDREN)`` then gives the
peak resident memory of the largest process of that batch (the main process or a worker).
PDF rows (when procguide.pdf and Typst are installed) are compared with the engine alone in
the same number of processes, on the same documents built beforehand, timing only the engine:
"Typst alone" compiles already rendered Typst sources with a warmed compiler; "render_pdf
alone" calls procguide.pdf.render_pdf (Jinja template and compile), as a batch worker does.
On a busy machine, ``--repeat N`` runs each measurement N times, interleaved, and keeps the
best of each.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import multiprocessing
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOLDS = ["", "clopidogrel=7d", "warfarin=5d", "apixaban=48h"]


def make_roster(path: Path, rows: int) -> None:
    """A roster of ``rows`` distinct patients over the built-in procedures and their flags."""
    from procguide.library import Library

    entries = Library(()).load_all()
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["procedure", "patient", "date", "time", "clinician", "flags", "holds"])
        for i in range(rows):
            procedure = entries[i % len(entries)].procedure
            flags = list(procedure.flags)[: i % 3]
            writer.writerow(
                [
                    procedure.id,
                    f"Patient {i:05d} Example",
                    f"2027-03-{1 + i % 28:02d}",
                    f"{7 + i % 10:02d}:{(i * 5) % 60:02d}",
                    "Dr Rivera",
                    ";".join(flags),
                    HOLDS[i % len(HOLDS)],
                ]
            )


def child(roster: str, out: str, fmt: str, jobs: str) -> None:
    """Run one batch and report its time and the peak memory of its processes."""
    command = [
        sys.executable,
        "-m",
        "procguide",
        "batch",
        roster,
        "--out",
        out,
        "--format",
        fmt,
        "--jobs",
        jobs,
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"batch failed ({done.returncode}): {done.stderr[-2000:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024}))


def measure(roster: Path, out: Path, fmt: str, jobs: int) -> dict[str, float]:
    helper = [sys.executable, __file__, "--child", str(roster), str(out), fmt, str(jobs)]
    done = subprocess.run(helper, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _engine_part(args: tuple[str, int, int, str]) -> float:
    """Make every ``step``-th row's PDF from ``first``; return the seconds spent in the engine.

    ``mode`` "typst": compile already rendered Typst sources with a warmed compiler.
    ``mode`` "render_pdf": procguide.pdf.render_pdf on already built documents (template and
    compile, as a batch worker calls it).
    """
    import typst

    from procguide.config import Settings
    from procguide.document import build
    from procguide.library import Library
    from procguide.pdf import font_folders, render_pdf, render_source
    from procguide.produce import Request, personal_from
    from procguide.wording import Wording

    roster, first, step, mode = args
    with Path(roster).open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))[first::step]
    library = Library(())
    clinic = Settings().clinic
    documents = []
    for row in rows:
        request = Request(
            view="handout",
            procedure=row["procedure"],
            patient=row["patient"],
            date=row["date"],
            time=row["time"],
            clinician=row["clinician"],
            flag=[f for f in row["flags"].split(";") if f],
            hold=[h for h in row["holds"].split(";") if h],
        )
        entry = library.find(row["procedure"])
        documents.append(
            build(entry, personal_from(request), clinic, Wording(), view="handout").data
        )
    if mode == "render_pdf":
        render_pdf(documents[0], None)  # warm up
        start = time.perf_counter()
        for document in documents:
            render_pdf(document, None)
        return time.perf_counter() - start
    sources = [render_source(document).encode() for document in documents]
    compiler = typst.Compiler(font_paths=[str(p) for p in font_folders()], ignore_system_fonts=True)
    inputs = {"paper": "us-letter", "large-print": "no"}
    compiler.compile(input=sources[0], format="pdf", sys_inputs=inputs)  # warm up
    start = time.perf_counter()
    for source in sources:
        compiler.compile(input=source, format="pdf", sys_inputs=inputs)
    return time.perf_counter() - start


def engine_rate(roster: Path, rows: int, processes: int, mode: str) -> float:
    """Rows per second of the engine alone in ``processes`` processes."""
    parts = [(str(roster), i, processes, mode) for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        seconds = pool.map(_engine_part, parts)
    return rows / max(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000,10000")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    has_pdf = bool(importlib.util.find_spec("procguide.pdf") and importlib.util.find_spec("typst"))
    formats = [f for f in args.formats.split(",") if f != "pdf" or has_pdf]
    lines = [
        "| rows | format | jobs | seconds | rows/s | peak MB | vs Typst alone | vs render_pdf |",
        "|-----:|--------|-----:|--------:|-------:|--------:|---------------:|--------------:|",
    ]
    notes = []
    with tempfile.TemporaryDirectory() as temp:
        for rows in (int(n) for n in args.rows.split(",")):
            roster = Path(temp) / f"roster-{rows}.csv"
            make_roster(roster, rows)
            for fmt in formats:
                for jobs in (int(n) for n in args.jobs.split(",")):
                    runs: list[dict[str, float]] = []
                    engines: dict[str, list[float]] = {"typst": [], "render_pdf": []}
                    for attempt in range(args.repeat):
                        out = Path(temp) / f"out-{rows}-{fmt}-{jobs}-{attempt}"
                        runs.append(measure(roster, out, fmt, jobs))
                        shutil.rmtree(out)
                        if fmt == "pdf":
                            for mode, found in engines.items():
                                found.append(engine_rate(roster, rows, jobs, mode))
                    result = min(runs, key=lambda r: r["seconds"])
                    rate = rows / result["seconds"]
                    versus = ["", ""]
                    if fmt == "pdf":
                        best = [max(found) for found in engines.values()]
                        versus = [f"{rate / engine:.0%} of {engine:.1f}/s" for engine in best]
                    lines.append(
                        f"| {rows} | {fmt} | {jobs} | {result['seconds']:.1f} | {rate:.1f} "
                        f"| {result['peak_mb']:.0f} | {versus[0]} | {versus[1]} |"
                    )
                    print(lines[-1], file=sys.stderr, flush=True)
    if not has_pdf:
        notes.append("PDF skipped: procguide.pdf or Typst is not installed.")
    print("\n".join(lines + [""] + notes))


if __name__ == "__main__":
    main()
