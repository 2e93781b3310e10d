"""Load test: one `auditor check` over many generated documents; wall time, peak memory and the
size of the reports a reviewer opens.

    python bench/load.py                                   # 10,000 files, --jobs 1 then --jobs 2
    python bench/load.py --files 200 --jobs 1              # a quick look
    python bench/load.py --files 10000 --jobs 2 --keep /tmp/load   # keep documents and reports

The documents are copies of the repository's text fixtures (self-evaluations in row and cell
layout, budget tables, target tables, narratives) with their numbers varied (so sums and rates
stop agreeing, as in real documents) and their project and unit names replaced; every
`--heavy-every`-th document is a project self-evaluation built so that most indicator rows fail
three rules (full score on a missed target, score above the weight, missing reason). With the
defaults the run reports about 100,000 findings.

Each run is `auditor check DIR -f terminal -f json -f html --output-dir OUT` in a child
process, itself started by a small wrapper process so that `resource.getrusage(RUSAGE_CHILDREN)`
there sees only that run: peak RSS is the largest of the CLI process and its --jobs workers
(the maximum of any one process, not their sum). Printed per run: wall time, peak RSS, exit
code, findings, and the terminal report's size in bytes and lines (it caps findings per
document), the HTML report's size and how many rows it renders (it caps them at 5,000), the JSON
report's size. `--json FILE` writes the figures.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [ROOT / "tests" / "fixtures" / p for p in (
    "excerpts/selfeval_rows.txt", "excerpts/selfeval_cells.txt", "documents/transfer_and_continuation.txt",
    "budget_approval_tables.txt", "target_tables.txt", "overall_selfeval_report.txt",
    "pdf/project_selfeval.txt", "pdf/dept_selfeval.txt", "pdf/split_table.txt", "pdf/narrative.txt")]
NUMBER = re.compile(r"(?<![\d.])(\d{1,6})\.(\d{1,4})(?![\d.])")
NAME_CELL = re.compile(r"^((?:项目|部门|单位|项目\(政策\)|项目（政策）|部门（单位）)[^\t\n]{0,6}名称)(\t+)([^\t\n]+)", re.M)
PLACES = ["抚顺", "鞍山", "锦州", "营口", "丹东", "辽阳", "铁岭", "朝阳", "盘锦", "葫芦岛", "本溪", "阜新"]
OFFICES = ["医疗保障事务服务中心", "农业农村局", "教育局", "卫生健康委员会", "交通运输局", "水利局", "民政局",
           "文化旅游广电局", "自然资源局", "住房和城乡建设局"]
WORKS = ["设备购置", "培训", "运行维护", "信息化建设", "专项补助", "公共服务", "基础设施改造", "监测评估"]

HEAVY_HEAD = """# 预算项目(政策)绩效目标自评表

项目(政策)名称\t\t{name}
项目预算金额(万元)\t\t{budget:.2f}\t\t全年执行数\t\t{executed:.2f}\t\t执行率\t\t{rate:.2f}%
绩效指标\t一级指标\t二级指标\t三级指标\t年度目标值\t\t\t全年完成值\t完成程度\t分值\t得分
\t\t\t\t运算符号\t内容\t度量单位
"""
HEAVY_ROW = "\t产出指标\t数量指标\t{name}{i}\t>=\t100\t人次\t{actual}\t{actual}%\t5\t6\n"
HEAVY_FOOT = "指标自评得分小计\t\t90\t\t预算执行率得分\t\t8\t\t减分项\t\t0\t\t绩效自评总得分\t\t98\n"


def _vary_numbers(text: str, rng: random.Random, share: float) -> str:
    def one(m: re.Match) -> str:
        if rng.random() > share:
            return m.group(0)
        decimals = len(m.group(2))
        value = float(m.group(0)) * rng.uniform(0.8, 1.25)
        return f"{value:.{decimals}f}"
    return NUMBER.sub(one, text)


def _name(rng: random.Random, i: int) -> str:
    return f"{rng.choice(PLACES)}市{rng.choice(OFFICES)}{rng.choice(WORKS)}项目{i:05d}"


def heavy_document(rng: random.Random, i: int, rows: int) -> str:
    budget = rng.uniform(50, 5000)
    executed = budget * rng.uniform(0.5, 1.0)
    out = [HEAVY_HEAD.format(name=_name(rng, i), budget=budget, executed=executed,
                             rate=executed / budget * 100 + rng.choice([0, 0, 3.5]))]
    work = rng.choice(WORKS)
    out += [HEAVY_ROW.format(name=work, i=k, actual=rng.randrange(10, 90)) for k in range(rows)]
    out.append(HEAVY_FOOT)
    return "".join(out)


def generate(folder: Path, n: int, *, seed: int = 1, heavy_every: int = 20, heavy_rows: int = 30,
             vary: float = 0.05) -> dict:
    """Write n documents into folder; returns counts by template."""
    rng = random.Random(seed)
    templates = [(p.stem, p.read_text(encoding="utf-8")) for p in TEMPLATES if p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for i in range(n):
        if heavy_every and i % heavy_every == heavy_every - 1:
            stem, text = "heavy", heavy_document(rng, i, heavy_rows)
        else:
            stem, text = templates[i % len(templates)]
            text = _vary_numbers(text, rng, vary)
            text = NAME_CELL.sub(lambda m, i=i: m.group(1) + m.group(2) + _name(rng, i), text)
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"doc_{i:05d}_{stem}.txt").write_text(text, encoding="utf-8")
        counts[stem] = counts.get(stem, 0) + 1
    return counts


# ------------------------------------------------------------------------------ measuring

def _measure_child(argv: list[str]) -> None:
    """Wrapper process: run the command, report wall time and the children's peak RSS."""
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall_s": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                      "user_s": round(usage.ru_utime, 1), "sys_s": round(usage.ru_stime, 1),
                      "exit_code": proc.returncode, "stderr": proc.stderr.decode("utf-8", "replace")[-2000:]}))


def measure(argv: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--_measure", json.dumps(argv)], capture_output=True, check=True)
    return json.loads(out.stdout)


def run_check(docs: Path, out: Path, jobs: int, formats=("terminal", "json", "html")) -> dict:
    if out.exists():
        shutil.rmtree(out)
    argv = [sys.executable, "-W", "ignore", "-c", "from auditor.cli import run; run()", "check", str(docs),
            "--output-dir", str(out), "--jobs", str(jobs), "--fail-on", "never"]
    for f in formats:
        argv += ["-f", f]
    result = measure(argv)
    result["jobs"] = jobs
    result.update(report_sizes(out))
    return result


def report_sizes(out: Path) -> dict:
    sizes: dict = {}
    terminal = out / "auditor-report.txt"
    if terminal.exists():
        text = terminal.read_text(encoding="utf-8")
        sizes["terminal_bytes"] = len(text.encode("utf-8"))
        sizes["terminal_lines"] = text.count("\n")
        sizes["terminal_hidden_notes"] = text.count("未显示，使用 --verbose 查看全部")
        # documents named in the per-document sections (rich wraps long headers, so count names)
        sizes["terminal_documents_listed"] = len(set(re.findall(r"doc_\d{5}_[a-z_]+\.txt", text)))
    html = out / "auditor-report.html"
    if html.exists():
        page = html.read_text(encoding="utf-8")
        sizes["html_bytes"] = len(page.encode("utf-8"))
        sizes["html_rows"] = page.count("<tr data-severity=")
        sizes["html_says_capped"] = "本页只显示" in page
    js = out / "auditor-report.json"
    if js.exists():
        sizes["json_bytes"] = js.stat().st_size
        data = json.loads(js.read_text(encoding="utf-8"))
        sizes["findings"] = len(data["findings"])
        sizes["documents"] = len(data["documents"])
        sizes["by_family"] = data["summary"]["by_family"]
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, action="append", help="repeatable; default: 1 and 2")
    ap.add_argument("--heavy-every", type=int, default=20)
    ap.add_argument("--heavy-rows", type=int, default=30)
    ap.add_argument("--vary", type=float, default=0.05, help="share of decimal numbers changed by -20..+25%%")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="folder for the documents and reports (kept)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--_measure", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._measure:
        _measure_child(json.loads(args._measure))
        return 0
    base = args.keep or Path(tempfile.mkdtemp(prefix="auditor-load-"))
    docs = base / "docs"
    try:
        t = time.perf_counter()
        if docs.exists():
            shutil.rmtree(docs)
        counts = generate(docs, args.files, seed=args.seed, heavy_every=args.heavy_every, heavy_rows=args.heavy_rows,
                          vary=args.vary)
        size = sum(p.stat().st_size for p in docs.rglob("*.txt"))
        print(f"generated {args.files} files ({size / 2**20:.1f} MB) in {time.perf_counter() - t:.1f} s: {counts}",
              flush=True)
        results = []
        for jobs in args.jobs or [1, 2]:
            r = run_check(docs, base / f"out-jobs{jobs}", jobs)
            results.append(r)
            shown = {k: v for k, v in r.items() if k != "stderr"}
            print(json.dumps(shown, ensure_ascii=False), flush=True)
            if r["exit_code"] not in (0, 1):
                print(r["stderr"], file=sys.stderr)
        if args.json:
            args.json.write_text(json.dumps({"files": args.files, "bytes": size, "templates": counts,
                                             "runs": results}, ensure_ascii=False, indent=1), encoding="utf-8")
        return 0 if all(r["exit_code"] in (0, 1) for r in results) else 1
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
