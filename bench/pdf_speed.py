"""PDF speed on real documents: pages per second of `auditor check` end to end
(read, recognize, normalize, every rule, the report), on one core, measured in
the same run as pypdfium2's raw text extraction of the same pages, and the
ratio between the two.

    python bench/pdf_speed.py [PDF or folder ...] [--repeat N] [--cli] [--profile N]

Default input: the published PDFs of the corpus (../shared/corpus/pdf next to
the repository), else the test fixtures. The process is pinned to one CPU
(sched_setaffinity) so that the figure is a one-core figure. Each stage runs
--repeat times (default 3) and the best run counts; wall time and CPU time are
both reported, since the machine may be shared (CPU time is what one core
spends, wall time what a user waits). `--cli` also times the `auditor check`
command itself (a fresh process: imports and startup included).

Stages:
- raw: pypdfium2 loads every page and its text page and extracts the text
  (no positions): the floor any reader built on pypdfium2 can reach;
- read: auditor's PDF reader (characters with boxes, rulings, tables rebuilt,
  prose reflowed): `auditor.ingest.read_document` per file;
- check: `auditor.check(files, jobs=1)`, everything a user's `auditor check`
  does but the process startup.
"""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def default_inputs() -> list[Path]:
    for base in (ROOT.parent / "shared" / "corpus" / "pdf", ROOT.parents[1] / "shared" / "corpus" / "pdf",
                 Path("/work/shared/corpus/pdf")):
        if base.is_dir() and any(base.glob("*.pdf")):
            return sorted(base.glob("*.pdf"))
    return sorted(p for p in (ROOT / "tests" / "fixtures" / "pdf").glob("*.pdf")
                  if p.stem not in ("encrypted", "truncated", "scanned"))


def expand(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for a in args:
        p = Path(a)
        out += sorted(p.glob("*.pdf")) if p.is_dir() else [p]
    return out


def one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})
        return f"pinned to CPU {cpus[-1]}"
    return "not pinned (no sched_setaffinity)"


def best(fn, repeat: int) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds) over `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def raw_text(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    n = 0
    for f in files:
        pdf = pdfium.PdfDocument(str(f))
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                text = page.get_textpage()
                text.get_text_range()
                text.close()
                page.close()
                n += 1
        finally:
            pdf.close()
    return n


def main(argv: list[str]) -> None:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    top = int(argv[argv.index("--profile") + 1]) if "--profile" in argv else 0
    skip = {argv.index(o) + 1 for o in ("--repeat", "--profile") if o in argv}
    paths = [a for i, a in enumerate(argv[1:], 1) if not a.startswith("--") and i not in skip]
    files = expand(paths) if paths else default_inputs()
    print(f"{len(files)} PDF files; {one_core()}")

    import auditor
    from auditor.ingest import read_document

    pages = raw_text(files)
    auditor.check(files[:1])                        # imports, rule catalog, font caches
    stages = {
        "raw (pypdfium2 text)": best(lambda: raw_text(files), repeat),
        "read (auditor PDF reader)": best(lambda: [read_document(f) for f in files], repeat),
        "check (auditor.check, in process)": best(lambda: auditor.check(files), repeat),
    }
    if "--cli" in argv:
        exe = shutil.which("auditor", path=str(Path(sys.executable).parent)) or shutil.which("auditor")
        if exe:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "report.json"
                cmd = [exe, "check", *map(str, files), "--format", "json", "--output", str(out), "--jobs", "1"]

                def cli() -> None:
                    subprocess.run(cmd, capture_output=True, check=False)
                wall, _ = best(cli, repeat)
                stages["check (auditor CLI, fresh process)"] = (wall, float("nan"))
    print(f"{pages} pages, best of {repeat} runs")
    print(f"{'stage':38} {'wall s':>8} {'pages/s':>9} {'CPU s':>8} {'pages/s':>9}")
    for name, (wall, cpu) in stages.items():
        cpu_rate = f"{pages / cpu:9.1f}" if cpu == cpu and cpu > 0 else f"{'-':>9}"
        cpu_s = f"{cpu:8.2f}" if cpu == cpu else f"{'-':>8}"
        print(f"{name:38} {wall:8.2f} {pages / wall:9.1f} {cpu_s} {cpu_rate}")
    raw_wall, raw_cpu = stages["raw (pypdfium2 text)"]
    chk_wall, chk_cpu = stages["check (auditor.check, in process)"]
    print(f"ratio check / raw text: {raw_wall / chk_wall:.2f} (wall), {raw_cpu / chk_cpu:.2f} (CPU); "
          f"auditor check reaches {pages / chk_wall:.0f} pages/s wall, {pages / chk_cpu:.0f} pages/s CPU "
          f"({'meets' if pages / chk_wall >= 100 else 'below'} the 100 pages/s target on wall time)")
    if top:
        prof = cProfile.Profile()
        prof.enable()
        auditor.check(files)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
        print("\n-- top functions by own time (cProfile) --")
        print("\n".join(line for line in buf.getvalue().splitlines() if line.strip())[:8000])


if __name__ == "__main__":
    main(sys.argv)
