"""Hostile inputs against the resource limits (issue 18): peak RSS and wall time per case.

    python bench/hostile_limits.py                       # this checkout
    python bench/hostile_limits.py --src /tmp/base       # another checkout (PYTHONPATH), for before/after
    python bench/hostile_limits.py --only text_line csv_wide

Each case writes its input (and, for rule packs, a rules folder) to a temporary folder and runs
`auditor check INPUT good.txt -f json -o OUT` in a child process under an address-space limit of
--cap-gb (default 6), next to a good document that must still be checked. Printed per case:
wall time, peak RSS (the largest process: the CLI or a reading worker), exit code, whether the
report was written, and the hostile input's finding (INP001/AUD00x) or the error. The sizes are
chosen to show the effect in seconds on a shared machine, not to reproduce the issue's largest
files (a 199 MB line takes the old reader 5 GB; 40 MB shows the same growth).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "excerpts" / "selfeval_rows.txt"


def _rule_pack(folder: Path, query: str, message: str = "m {printed}") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    q = "\n".join("      " + line for line in query.splitlines())
    (folder / "zzh.yaml").write_text(
        "family: ZZH\ntitle: t\nrules:\n  - id: ZZH001\n    name: hostile\n    severity: error\n    summary: s\n"
        f"    rationale: r\n    message: \"{message}\"\n    query: |\n{q}\n"
        "    examples: {fail: {expect: 1}, pass: {}}\n", encoding="utf-8")
    return folder


def _xlsx_strings(path: Path, mb: int) -> None:
    """A workbook whose shared-strings table holds `mb` MB of distinct strings, all referenced
    by cells of a second (hidden from nothing: visible) sheet."""
    import random

    import openpyxl

    rng = random.Random(1)
    alphabet = "预算执行率项目资金绩效目标完成值得分指标"
    wb = openpyxl.Workbook()
    wb.active.append(["项目", "金额"])
    wb.active.append(["x", "1"])
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    with zipfile.ZipFile(tmp) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            if info.filename != "xl/sharedStrings.xml":
                out.writestr(info, z.read(info.filename))
        buf = io.StringIO()
        buf.write('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                  "<si><t>项目</t></si><si><t>金额</t></si><si><t>x</t></si><si><t>1</t></si>")
        size = 0
        while size < mb << 20:
            s = "".join(rng.choice(alphabet) for _ in range(8)) + str(rng.randrange(10**9))
            item = f"<si><t>{s}</t></si>"
            buf.write(item)
            size += len(item.encode())
        buf.write("</sst>")
        out.writestr("xl/sharedStrings.xml", buf.getvalue())
    tmp.unlink()


def _docx_spans(path: Path, rows: int) -> None:
    import docx

    d = docx.Document()
    t = d.add_table(rows=rows, cols=4)
    for r in t.rows:
        for c in r.cells:
            c.text = "1"
    tmp = path.with_suffix(".tmp.docx")
    d.save(tmp)
    with zipfile.ZipFile(tmp) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="1000"/>')
            out.writestr(info, data)
    tmp.unlink()


def cases(tmp: Path) -> dict[str, tuple[list[str], list[str]]]:
    """name -> (inputs, extra CLI arguments); inputs are built when the case runs."""
    return {
        "text_line_cjk_40mb": (lambda: (tmp / "line.txt").write_text("预" * ((40 << 20) // 3), encoding="utf-8")
                               and [str(tmp / "line.txt")], []),
        "csv_100k_columns": (lambda: (tmp / "wide.csv").write_text(",".join(f"c{i}" for i in range(100_000)) + "\n"
                                                                   + ",".join("1" for _ in range(100_000)) + "\n")
                             and [str(tmp / "wide.csv")], []),
        "xlsx_shared_strings_150mb": (lambda: _xlsx_strings(tmp / "strings.xlsx", 150) or [str(tmp / "strings.xlsx")],
                                      []),
        "docx_gridspan_bomb": (lambda: _docx_spans(tmp / "spans.docx", 3000) or [str(tmp / "spans.docx")], []),
        "rule_repeat_1e9": (lambda: [], ["--rules", str(_rule_pack(tmp / "r1", "SELECT repeat('x', 1000000000) AS printed"))]),
        "rule_recursive_cte": (lambda: [], ["--rules", str(_rule_pack(
            tmp / "r2", "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n AS printed FROM t"))]),
        "rule_50m_rows": (lambda: [], ["--rules", str(_rule_pack(tmp / "r3", "SELECT range AS printed FROM range(50000000)"))]),
        "rule_wide_rows": (lambda: [], ["--rules", str(_rule_pack(
            tmp / "r4", "SELECT repeat('y', 100000) AS printed, range AS row_key FROM range(200000)"))]),
        "rule_template_globals": (lambda: [], ["--rules", str(_rule_pack(
            tmp / "r5", "SELECT 'x' AS printed", "{printed.__init__.__globals__}"))]),
        "rule_pack_drops_view": (lambda: [], ["--rules", str(_rule_pack(tmp / "r6", "DROP TABLE documents"))]),
    }


def _measure_child(argv: list[str], cap: int) -> None:
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limit, timeout=600)
        code, err = proc.returncode, proc.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        code, err = "timeout", ""
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall_s": round(wall, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024), "exit": code,
                      "stderr": err[-300:]}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=str(ROOT), help="the auditor checkout to run (its folder is the working "
                    "directory and first on PYTHONPATH, ahead of an editable install)")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--cap-gb", type=float, default=6.0)
    ap.add_argument("--json")
    ap.add_argument("--_measure", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    cap = int(args.cap_gb * (1 << 30))
    if args._measure:
        _measure_child(json.loads(args._measure), cap)
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        for name, (make, extra) in cases(tmp).items():
            if args.only and name not in args.only:
                continue
            inputs = make()
            out = tmp / f"{name}.json"
            cmd = [sys.executable, "-W", "ignore", "-c", "from auditor.cli import run; run()", "check", *inputs,
                   str(GOOD), "-f", "json", "-o", str(out), "--fail-on", "never", *extra]
            env = {**os.environ, "PYTHONPATH": args.src, "AUDITOR_CACHE_DIR": ""}
            res = json.loads(subprocess.run([sys.executable, __file__, "--_measure", json.dumps(cmd),
                                             "--cap-gb", str(args.cap_gb)], capture_output=True, text=True,
                                            env=env, check=True, cwd=args.src).stdout)
            res["case"] = name
            res["report"] = out.exists()
            if out.exists():
                findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
                res["good_checked"] = any(f["file"].endswith(GOOD.name) and f["rule"] != "INP001" for f in findings)
                hostile = [f for f in findings if f["rule"] in ("INP001", "AUD001", "AUD004", "AUD005")]
                res["finding"] = "; ".join(f"{f['rule']} {f['message'][:90]}" for f in hostile[:2])
                res["findings"] = len(findings)
            for f in tmp.iterdir():
                if f.is_file() and f.suffix != ".json":
                    f.unlink()
            rows.append(res)
            print(json.dumps(res, ensure_ascii=False), flush=True)
    print(f"\n{'case':<28} {'wall s':>7} {'RSS MB':>7} {'exit':>5} {'report':>6} {'good':>5}  finding")
    for r in rows:
        print(f"{r['case']:<28} {r['wall_s']:>7} {r['peak_rss_mb']:>7} {str(r['exit']):>5} {str(r['report']):>6} "
              f"{str(r.get('good_checked', '-')):>5}  {r.get('finding') or r['stderr'][-120:].strip()}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
