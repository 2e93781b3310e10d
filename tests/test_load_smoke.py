"""A small version of bench/load.py (10,000 files, ~100k findings): 200 generated documents in
one run, in-process. The run completes, every document is accounted for, and the human-readable
reports stay bounded: the terminal lists at most 20 findings per document and says how many it
left out; the HTML page renders at most 5,000 rows and says so; the JSON report holds everything.
"""
from __future__ import annotations

import importlib.util
import io
import json
import re
import time
from pathlib import Path

import auditor
from auditor.engine.catalog import load_catalog
from auditor.render import RENDERERS, RenderOptions
from auditor.render.html import MAX_ROWS
from auditor.render.terminal import PER_DOCUMENT_LIMIT

ROOT = Path(__file__).resolve().parent.parent
FILES = 200


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_hundred_generated_files_in_one_run(tmp_path):
    load = _load_bench()
    docs = tmp_path / "docs"
    # heavy documents every 4th file, so the findings pass the HTML cap even in this small run
    load.generate(docs, FILES, seed=3, heavy_every=4, heavy_rows=30)
    catalog = load_catalog([])
    start = time.monotonic()
    report = auditor.check([docs], catalog=catalog)
    elapsed = time.monotonic() - start
    assert len(report.documents) == FILES
    assert all(d.readable for d in report.documents)
    assert len(report.items) > MAX_ROWS
    assert not [f for f in report.items if f.rule == "AUD001"]
    assert elapsed < 120, elapsed

    options = RenderOptions(catalog=catalog, color=False, width=120)
    out = {}
    for fmt in ("terminal", "html", "json"):
        stream = io.StringIO()
        RENDERERS[fmt].render(report, stream, options)
        out[fmt] = stream.getvalue()

    data = json.loads(out["json"])
    assert len(data["findings"]) == len(report.items) and len(data["documents"]) == FILES

    per_doc: dict[str, int] = {}
    for f in report.items:
        per_doc[f.location.file] = per_doc.get(f.location.file, 0) + 1
    finding_lines = len(re.findall(r"^ {4}(?:↳ )?\S+ +[A-Z]{3}\d{3} (?:错误|警告|提示) ", out["terminal"], re.M))
    assert finding_lines <= sum(min(n, PER_DOCUMENT_LIMIT) for n in per_doc.values()) \
        + sum(1 for f in report.items if f.root)           # folded consequences print under their root
    capped = sum(1 for n in per_doc.values() if n > PER_DOCUMENT_LIMIT)
    assert capped and out["terminal"].count("使用 --verbose 查看全部") >= capped * 0.5
    assert finding_lines < len(report.items)                # summarized: fewer findings shown than found

    shown = out["html"].count('<div class="finding ')
    assert MAX_ROWS - 100 <= shown <= MAX_ROWS
    assert f"共 {len(report.items)} 条问题，本页只显示前 {shown} 条（上限 {MAX_ROWS} 条）" in out["html"]
    assert len(out["html"].encode()) < 20 * 2**20
