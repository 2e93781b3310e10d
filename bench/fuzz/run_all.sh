#!/usr/bin/env bash
# Run every harness one after the other for SECONDS each (default 300), logging to
# out/<harness>/log.txt; then print a summary table (summarize.py).
#   bench/fuzz/run_all.sh 300
#   HARNESSES="text csv" bench/fuzz/run_all.sh 3600
set -u
cd "$(dirname "$0")"
SECONDS_EACH="${1:-300}"
HARNESSES="${HARNESSES:-numbers text csv recognize selfeval xlsx docx}"
for h in $HARNESSES; do
  mkdir -p "out/$h"
  echo "== $h (${SECONDS_EACH}s)"
  python "fuzz_$h.py" -max_total_time="$SECONDS_EACH" -rss_limit_mb=3072 -print_final_stats=1 \
    > "out/$h/log.txt" 2>&1
  grep -E "^Done|^===" "out/$h/log.txt" | tail -20
done
python summarize.py
