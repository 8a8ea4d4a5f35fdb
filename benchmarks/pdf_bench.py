"""The PDF parts of benchmarks/run.py: one sheet against raw Typst, and compiles side by side.

Every timed compile is of a document not compiled before in that process (another patient,
date and time): Typst memoises its work, so compiling the same source again measures the
memo, not the cost of a new sheet. Raw Typst compiles the Typst source procguide rendered,
with the same root and fonts, so the gap between them is procguide's own work.

Run by run.py in child processes (``--pdf-first``, ``--pdf-warm``, ``--pdf-threads``,
``--pdf-part``), each printing one JSON line.
"""

from __future__ import annotations

import datetime
import json
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PAPER = {"paper": "us-letter", "large-print": "no"}
HOLDS = ["", "clopidogrel=7d", "warfarin=5d", "apixaban=48h"]


def documents(count: int, first: int = 0, procedure: str = "blood-patch") -> list[Any]:
    """``count`` handouts (before the procedure), each for another patient, day and time."""
    from procguide.config import load_config
    from procguide.content.library import Library
    from procguide.document.patient import Personal
    from procguide.pipeline import make

    entry = Library(()).find(procedure)
    clinic = load_config(None).settings.clinic
    made = []
    for i in range(first, first + count):
        day = datetime.date(2027, 3, 1) + datetime.timedelta(days=i % 700)
        personal = Personal.read(
            patient=f"Patient {i:05d} Example",
            clinician="Dr Rivera",
            day=day.isoformat(),
            at=f"{7 + i % 10:02d}:{(i * 5) % 60:02d}",
            holds=[HOLDS[i % len(HOLDS)]] if HOLDS[i % len(HOLDS)] else [],
        )
        built = make(entry, personal, clinic, lang="en", view="handout")
        made.append(built.data)
    return made


def raw_compiler() -> Any:
    """A Typst compiler set up as procguide's: the template folder as root, the same fonts."""
    import typst

    from procguide.render.pdf import font_folders
    from procguide.render.templates import FORMATS, template_folders

    root = template_folders(FORMATS["typst"], None)[0]
    fonts = [str(p) for p in font_folders()]
    return typst.Compiler(root=str(root), font_paths=fonts, ignore_system_fonts=True)


def _source(document: Any) -> bytes:
    from procguide.render.pdf import render_source

    return render_source(document).encode()


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# ---------------------------------------------------------------------------------------
# One sheet


def child_pdf_first(which: str) -> dict[str, float]:
    """The first PDF of a process: from a document (procguide) or from its source (raw)."""
    (document,) = documents(1)
    if which == "raw":
        source = _source(document)
        assert "typst" not in sys.modules  # imported on the clock, as procguide does
        start = time.perf_counter()
        raw_compiler().compile(input=source, format="pdf", sys_inputs=PAPER)
    else:
        from procguide.render.pdf import render_pdf

        start = time.perf_counter()
        render_pdf(document, None)
    return {"ms": (time.perf_counter() - start) * 1000}


def child_pdf_warm(count: int) -> dict[str, float]:
    """Median ms of one more, distinct, sheet: procguide and raw Typst taking turns.

    Each side gets its own documents, so neither finds the other's work in Typst's memo.
    Also the same document again, which is what Typst's memo makes of a repeat.
    """
    from procguide.render.pdf import render_pdf

    warm_up = 3
    ours_docs = documents(count + warm_up, first=0)
    theirs_sources = [_source(d) for d in documents(count + warm_up, first=10_000)]
    compiler = raw_compiler()
    ours: list[float] = []
    theirs: list[float] = []
    for index, (document, source) in enumerate(zip(ours_docs, theirs_sources, strict=True)):
        start = time.perf_counter()
        render_pdf(document, None)
        middle = time.perf_counter()
        compiler.compile(input=source, format="pdf", sys_inputs=PAPER)
        end = time.perf_counter()
        if index >= warm_up:
            ours.append((middle - start) * 1000)
            theirs.append((end - middle) * 1000)
    again = []
    for _ in range(10):
        start = time.perf_counter()
        render_pdf(ours_docs[-1], None)
        again.append((time.perf_counter() - start) * 1000)
    return {
        "procguide": statistics.median(ours),
        "raw": statistics.median(theirs),
        "again": statistics.median(again),
    }


# ---------------------------------------------------------------------------------------
# Compiles side by side: threads in one process, or processes


def _compile_all(compiler: Any, part: list[Any]) -> None:
    # The row's own work in a batch: render the Jinja source (holds the GIL), then compile.
    for document in part:
        compiler.compile(input=_source(document), format="pdf", sys_inputs=PAPER)


def child_pdf_threads(threads: int, count: int) -> dict[str, float]:
    """Sheets per second with ``threads`` threads, each with its own compiler; CPU a sheet; peak."""
    compilers = [raw_compiler() for _ in range(threads)]
    for compiler, document in zip(compilers, documents(threads, first=50_000), strict=True):
        _compile_all(compiler, [document])  # fonts loaded, templates compiled
    docs = documents(count)
    ready = threading.Barrier(threads + 1)

    def work(compiler: Any, part: list[Any]) -> None:
        ready.wait()
        _compile_all(compiler, part)

    workers = [
        threading.Thread(target=work, args=(compilers[i], docs[i::threads])) for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    ready.wait()
    start, cpu = time.perf_counter(), time.process_time()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - start
    cpu_ms = (time.process_time() - cpu) * 1000 / count
    return {"rate": count / seconds, "cpu_ms": cpu_ms, "peak_mb": _peak_mb()}


def child_pdf_part(part: int, parts: int, count: int) -> dict[str, float]:
    """One of ``parts`` processes: its share of the sheets, after the parent says go."""
    compiler = raw_compiler()
    _compile_all(compiler, documents(1, first=50_000 + part))
    docs = documents(count)[part::parts]
    print("ready", flush=True)
    sys.stdin.readline()
    start, cpu = time.perf_counter(), time.process_time()
    _compile_all(compiler, docs)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "count": len(docs),
        "peak_mb": _peak_mb(),
    }


def pdf_processes(processes: int, count: int, env: dict[str, str]) -> dict[str, float]:
    """Sheets per second in ``processes`` processes started together; their summed peak."""
    script = str(Path(__file__).with_name("run.py"))
    children = [
        subprocess.Popen(
            [sys.executable, script, "--pdf-part", str(i), str(processes), str(count)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    for child in children:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            sys.exit("a PDF benchmark process failed to start")
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode:
            sys.exit("a PDF benchmark process failed")
        results.append(json.loads(out.strip().splitlines()[-1]))
    seconds = max(r["seconds"] for r in results)
    count = sum(r["count"] for r in results)
    return {
        "rate": count / seconds,
        "cpu_ms": sum(r["cpu_s"] for r in results) * 1000 / count,
        "peak_mb": sum(r["peak_mb"] for r in results),
    }
