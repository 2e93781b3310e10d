"""Score auditor on text renditions of the corpus PDFs that the corpus does not ship.

`../shared/corpus/text/` holds pdftotext renditions of 14 of the 22 PDFs, each in one mode.
This makes the other 52 (every PDF in reading order, `-layout` and `-raw`, minus the
shipped ones) and two more per PDF from other tools people use (pdfminer through
pdfplumber's `extract_text`, and PDFium's text), carries the PDFs' labels over to them, and
runs the corpus scorer on them: documents the reader has never been tuned on, with
hand-verified labels. The pdftotext modes need poppler (Debian: poppler-utils); without it
only the two Python renditions are made.

usage: python bench/renditions.py [--corpus ../shared/corpus] [--out /tmp/renditions]
                                  [--auditor .venv/bin/auditor] [--jobs 2] [--verbose]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

MODES = {"reading": [], "layout": ["-layout"], "raw": ["-raw"]}


def _python_renditions(pdf: Path):
    """(mode, text) of the PDF as pdfminer (via pdfplumber) and PDFium give it."""
    import pdfplumber
    import pypdfium2

    with pdfplumber.open(pdf) as doc:
        yield "plumber", "\n".join(page.extract_text() or "" for page in doc.pages)
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        yield "pdfium", "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).replace("\r\n", "\n")
    finally:
        doc.close()


def build(corpus: Path, out: Path) -> int:
    """Write the renditions and their labels.yaml under `out`; the number of files made."""
    (out / "renditions").mkdir(parents=True, exist_ok=True)
    (out / "pdf").mkdir(exist_ok=True)          # empty: the scorer also runs every pdf/*.pdf of its root
    shipped = {p.name for p in (corpus / "text").glob("*.txt")}
    made = {}
    poppler = shutil.which("pdftotext") is not None
    for pdf in sorted((corpus / "pdf").glob("*.pdf")):
        for mode, flags in MODES.items():
            name = f"{pdf.stem}.{mode}.txt"
            if name in shipped or not poppler:
                continue
            subprocess.run(["pdftotext", "-enc", "UTF-8", *flags, str(pdf), str(out / "renditions" / name)],
                           check=True, stderr=subprocess.DEVNULL)
            made.setdefault(f"pdf/{pdf.name}", []).append(f"renditions/{name}")
        for mode, text in _python_renditions(pdf):
            name = f"{pdf.stem}.{mode}.txt"
            (out / "renditions" / name).write_text(text, encoding="utf-8")
            made.setdefault(f"pdf/{pdf.name}", []).append(f"renditions/{name}")
    labels = yaml.safe_load((corpus / "labels.yaml").read_text(encoding="utf-8"))
    carried = {}
    for section in ("anomalies", "clean"):
        carried[section] = []
        for label in labels[section]:
            files = [r for f in label["files"] for r in made.get(f, [])]
            if files:
                carried[section].append({**label, "files": files})
    (out / "labels.yaml").write_text(yaml.safe_dump(carried, allow_unicode=True), encoding="utf-8")
    return sum(len(v) for v in made.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--out", default="/tmp/renditions")
    ap.add_argument("--auditor", default=".venv/bin/auditor")
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    if shutil.which("pdftotext") is None:
        print("pdftotext not found (Debian: apt-get install poppler-utils): only the Python renditions",
              file=sys.stderr)
    corpus = Path(a.corpus).resolve()
    n = build(corpus, Path(a.out))
    print(f"{n} renditions in {a.out}", file=sys.stderr)
    cmd = [sys.executable, str(corpus / "score.py"), "--auditor", a.auditor, "--jobs", a.jobs, "--root", a.out]
    return subprocess.call(cmd + (["--verbose"] if a.verbose else []))


if __name__ == "__main__":
    sys.exit(main())
