"""Cost per finding in one table: one project self-evaluation with N indicator rows that each
break three rules (3N findings), N = 20k / 40k / 80k by default. Each size runs in a child
process (`auditor check FILE -f json -o OUT`), timed per stage (read, rules, finish, render) and
with its peak RSS; the ratio of the largest to the smallest size's time per finding is printed
(≈1 is linear, ≈4 for 20k→80k would be quadratic).

    python bench/findings_scale.py                    # 20000 40000 80000
    python bench/findings_scale.py --rows 5000 10000  # a quick look
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _child(path: str, out: str) -> None:
    import auditor
    from auditor import pipeline
    from auditor.config import Config, load_config
    from auditor.engine import base
    from auditor.render import render_to

    stages: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - t
        return wrapper

    pipeline.build = timed("read", pipeline.build)
    base.run_engine = timed("rules", base.run_engine)
    base.finish = timed("finish", base.finish)
    start = time.perf_counter()
    # every finding reported (the default max_rows_per_rule would cap each rule at 10,000)
    cfg = Config({**load_config(None).values, "max_rows_per_rule": 1e8})
    report = auditor.check([path], config=cfg)
    t = time.perf_counter()
    render_to(report, "json", out)
    stages["render"] = time.perf_counter() - t
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"findings": len(report.items), "wall_s": round(wall, 2), "peak_rss_mb": round(rss),
                      **{k: round(v, 2) for k, v in stages.items()}}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[20_000, 40_000, 80_000])
    ap.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        _child(*args._child)
        return 0
    from bench.load import heavy_document

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rows:
            doc = Path(tmp) / f"heavy_{n}.txt"
            doc.write_text(heavy_document(random.Random(1), 1, n), encoding="utf-8")
            proc = subprocess.run([sys.executable, "-W", "ignore", __file__, "--_child", str(doc),
                                   str(Path(tmp) / f"out_{n}.json")], capture_output=True, text=True)
            if proc.returncode:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 1
            r = {"rows": n, **json.loads(proc.stdout.strip().splitlines()[-1])}
            r["us_per_finding"] = round(r["wall_s"] / max(1, r["findings"]) * 1e6, 1)
            results.append(r)
            print(json.dumps(r), flush=True)
    print(f"{'rows':>7} {'findings':>9} {'wall s':>7} {'read':>6} {'rules':>6} {'finish':>6} {'render':>6} "
          f"{'µs/finding':>10} {'RSS MB':>7}")
    for r in results:
        print(f"{r['rows']:>7} {r['findings']:>9} {r['wall_s']:>7} {r.get('read', 0):>6} {r.get('rules', 0):>6} "
              f"{r.get('finish', 0):>6} {r.get('render', 0):>6} {r['us_per_finding']:>10} {r['peak_rss_mb']:>7}")
    first, last = results[0], results[-1]
    if last is not first:
        print(f"time per finding, {last['rows']} vs {first['rows']} rows: "
              f"×{last['us_per_finding'] / first['us_per_finding']:.2f} (1 = linear; "
              f"{last['rows'] / first['rows']:.0f} = quadratic)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
