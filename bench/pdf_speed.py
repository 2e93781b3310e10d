"""PDF ingestion speed: pages per second on a generated 200-page PDF (one
project self-evaluation table per page, like seed 000's ~20 project tables,
with a running header and page numbers), and where the time goes.

    python bench/pdf_speed.py [PAGES] [--profile N]

Needs reportlab (to draw the PDF) and pdfplumber.
"""
from __future__ import annotations

import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def make_pdf(pages: int, out: Path) -> None:
    import make_pdf_fixtures as mk
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(mk.FONT))
    text = (ROOT / "tests" / "fixtures" / "pdf" / "project_selfeval.txt").read_text(encoding="utf-8")
    items: list = []
    for k in range(pages):
        variant = text.replace("高标准农田建设补助资金", f"高标准农田建设补助资金（第{k + 1}批）")
        page_items = mk.items_from_text(variant)
        for _, v in page_items:
            if isinstance(v, mk.Table):
                v.merges = True
        items += page_items
        if k + 1 < pages:
            items.append(("break", None))
    doc = mk.Doc(items, running="青川市农业农村局 2023年度项目支出绩效自评", footer="dash")
    out.write_bytes(mk.render(doc))


def main(argv: list[str]) -> None:
    pages = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 200
    top = int(argv[argv.index("--profile") + 1]) if "--profile" in argv else 25
    from auditor.ingest.pdf import parse_pdf

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.pdf"
        t0 = time.perf_counter()
        make_pdf(pages, path)
        print(f"generated {pages} pages ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
        parse_pdf("warm", path, max_pages=pages)   # imports, font caches
        t0 = time.perf_counter()
        doc = parse_pdf(str(path), path, max_pages=pages, time_budget=3600)
        elapsed = time.perf_counter() - t0
        assert doc.error is None, doc.error
        print(f"parse_pdf: {pages} pages in {elapsed:.2f} s = {pages / elapsed:.1f} pages/s "
              f"({len(doc.tables)} tables, {len(doc.paragraphs)} paragraphs, "
              f"{sum(len(t.rows) for t in doc.tables)} rows)")

        prof = cProfile.Profile()
        prof.enable()
        parse_pdf(str(path), path, max_pages=pages, time_budget=3600)
        prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("tottime").print_stats(top)
        print("\n-- top functions by own time (cProfile) --")
        print("\n".join(line for line in buf.getvalue().splitlines() if line.strip())[:6000])
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("cumulative").print_stats(r"auditor|pdfplumber/(page|table)\.py|pdfinterp|converter")
        print("\n-- cumulative time in the reader's stages --")
        print("\n".join(line for line in buf.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main(sys.argv)
