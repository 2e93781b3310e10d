"""Summary of the last runs: per harness, executions (libFuzzer's count from the log when
the run ended, else the harness's own), seconds, corpus size and unique failures."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "out"


def main() -> None:
    print(f"{'harness':<10} {'executions':>10} {'seconds':>8} {'exec/s':>7} {'corpus':>6}  failures")
    for d in sorted(p for p in OUT.iterdir() if p.is_dir()):
        stats_file = d / "stats.json"
        if not stats_file.exists():
            continue
        stats = json.loads(stats_file.read_text())
        execs, secs = stats["executions"], stats["seconds"]
        log = d / "log.txt"
        if log.exists():
            m = re.findall(r"^Done (\d+) runs in (\d+) second", log.read_text(errors="replace"), re.M)
            if m:
                execs, secs = int(m[-1][0]), int(m[-1][1])
        corpus = len(list((d / "corpus").iterdir())) if (d / "corpus").exists() else 0
        fails = stats["failures"]
        print(f"{d.name:<10} {execs:>10} {secs:>8} {execs / max(1, secs):>7.0f} {corpus:>6}  {len(fails)}")
        for sig, f in sorted(fails.items(), key=lambda kv: kv[1]["signature"]):
            print(f"    {sig}  x{f['count']:<6} {f['signature']}  ({f['size']} bytes) {f['message'][:90]!r}")


if __name__ == "__main__":
    main()
