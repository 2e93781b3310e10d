"""Score auditor on text renditions of the corpus PDFs that the corpus does not ship.

`../shared/corpus/text/` holds pdftotext renditions of 14 of the 22 PDFs, each in one mode.
This makes the other 52 (every PDF in reading order, `-layout` and `-raw`, minus the
shipped ones), carries the PDFs' labels over to them, and runs the corpus scorer on them:
documents the reader has never been tuned on, with hand-verified labels. It needs poppler's
`pdftotext` (Debian: poppler-utils).

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


def build(corpus: Path, out: Path) -> int:
    """Write the renditions and their labels.yaml under `out`; the number of files made."""
    (out / "renditions").mkdir(parents=True, exist_ok=True)
    (out / "pdf").mkdir(exist_ok=True)          # empty: the scorer also runs every pdf/*.pdf of its root
    shipped = {p.name for p in (corpus / "text").glob("*.txt")}
    made = {}
    for pdf in sorted((corpus / "pdf").glob("*.pdf")):
        for mode, flags in MODES.items():
            name = f"{pdf.stem}.{mode}.txt"
            if name in shipped:
                continue
            subprocess.run(["pdftotext", "-enc", "UTF-8", *flags, str(pdf), str(out / "renditions" / name)],
                           check=True, stderr=subprocess.DEVNULL)
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
        print("pdftotext not found (Debian: apt-get install poppler-utils)", file=sys.stderr)
        return 2
    corpus = Path(a.corpus).resolve()
    n = build(corpus, Path(a.out))
    print(f"{n} renditions in {a.out}", file=sys.stderr)
    cmd = [sys.executable, str(corpus / "score.py"), "--auditor", a.auditor, "--jobs", a.jobs, "--root", a.out]
    return subprocess.call(cmd + (["--verbose"] if a.verbose else []))


if __name__ == "__main__":
    sys.exit(main())
