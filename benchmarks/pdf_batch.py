"""Time PDF handouts in one process against the raw Typst engine on the same sources.

    python benchmarks/pdf_batch.py [N]

Each round makes one discharge sheet through procguide (Jinja render + cached compiler) and
compiles the same, already rendered source with a warmed Typst compiler of the same setup;
the two are interleaved so a busy machine slows both alike. Also shows a one-shot
``typst.compile`` (fonts loaded each time), which is what a process per document pays.
"""

from __future__ import annotations

import resource
import sys
import time

import typst

from procguide.config import Settings
from procguide.document import build
from procguide.library import Library
from procguide.pdf import font_folders, render_pdf, render_source
from procguide.produce import Request, personal_from
from procguide.wording import Wording

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
INPUTS = {"paper": "us-letter", "large-print": "no"}


def documents(n: int) -> list[dict]:
    entry = Library(()).find("blood-patch")
    clinic = Settings.model_validate(
        {"clinic": {"name": "North Shore Pain Clinic", "phone": "555-0100"}}
    ).clinic
    docs = []
    for i in range(n):
        request = Request(
            view="handout",
            procedure="blood-patch",
            date="2026-12-01",
            time="09:30",
            flag=["sedation"],
            hold=["clopidogrel=7d"],
            patient=f"Patient {i:04d}",
            kind="discharge",
        )
        personal = personal_from(request)
        docs.append(
            build(entry, personal, clinic, Wording(), view="handout", kind="discharge").data
        )
    return docs


def main() -> None:
    docs = documents(N)
    fonts = [str(p) for p in font_folders()]
    raw = typst.Compiler(font_paths=fonts, ignore_system_fonts=True)
    sources = [render_source(d).encode() for d in docs]
    render_pdf(docs[0], None)
    raw.compile(input=sources[0], format="pdf", sys_inputs=INPUTS)

    ours = engine = 0.0
    for doc, source in zip(docs, sources, strict=True):
        start = time.perf_counter()
        render_pdf(doc, None)
        ours += time.perf_counter() - start
        start = time.perf_counter()
        raw.compile(input=source, format="pdf", sys_inputs=INPUTS)
        engine += time.perf_counter() - start

    start = time.perf_counter()
    for source in sources[:10]:
        typst.compile(source, font_paths=fonts, ignore_system_fonts=True, sys_inputs=INPUTS)
    oneshot = (time.perf_counter() - start) / 10

    print(f"{N} discharge sheets")
    print(f"procguide render_pdf  {ours / N * 1000:6.1f} ms per PDF")
    print(f"raw warmed compiler   {engine / N * 1000:6.1f} ms per PDF")
    print(f"ratio                 {ours / engine:6.2f}")
    print(f"one-shot typst.compile {oneshot * 1000:5.1f} ms per PDF")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory           {peak:6.0f} MB")


if __name__ == "__main__":
    main()
