"""Fuzz the printed-number parser (auditor/normalize/numbers.py) and the cell predicates
built on it (auditor/normalize/cells.py).

    python bench/fuzz/fuzz_numbers.py -max_total_time=300

Properties beyond "never raises": a parsed value is a finite float with a finite, non-negative
tolerance (lo <= value <= hi); a percentage carries unit "%"; parsing is deterministic;
quotient_interval contains the exact quotient.
"""
from __future__ import annotations

import math

from common import HUGE, InvariantBroken, main, vocabulary_words


def _import():
    global numbers, cells
    from auditor.normalize import cells, numbers  # noqa: F401


def check_number(text: str) -> None:
    n = numbers.parse_number(text)
    if n != numbers.parse_number(text):
        raise InvariantBroken(f"not deterministic: {text!r}")
    if n.value is not None:
        if not math.isfinite(n.value):
            raise InvariantBroken(f"non-finite value {n.value!r} from {text!r}")
        if not (math.isfinite(n.tol) and n.tol >= 0):
            raise InvariantBroken(f"bad tolerance {n.tol!r} from {text!r}")
        if not (n.lo <= n.value <= n.hi):
            raise InvariantBroken(f"interval does not contain the value: {text!r}")
        if n.percent and n.unit != "%":
            raise InvariantBroken(f"percent without unit: {text!r}")
        if n.decimals < 0:
            raise InvariantBroken(f"negative decimals: {text!r}")
    numbers.parse_operator(text)
    numbers.split_operator(text)
    cells.is_plain_number(text)
    c = cells.as_completion(text)
    if c is not None and c.value is not None and not math.isfinite(c.value):
        raise InvariantBroken(f"non-finite completion from {text!r}")
    cells.is_unit(text)
    cells.split_declared(text)
    cells.match_label(text)


def check_quotient(a: str, b: str) -> None:
    n, d = numbers.parse_number(a), numbers.parse_number(b)
    if n.value is None or d.value is None:
        return
    lo, hi = numbers.quotient_interval(n.value, n.tol, d.value, d.tol)
    if d.value - d.tol > 0 and n.value - n.tol >= 0:
        q = n.value / d.value
        if math.isfinite(q) and math.isfinite(lo) and math.isfinite(hi):
            slack = 1e-9 * max(1.0, abs(q))
            if not (lo - slack <= q <= hi + slack):
                raise InvariantBroken(f"quotient {q} outside [{lo}, {hi}] for {a!r}/{b!r}")
    numbers.intervals_meet(n.value, n.tol, d.value, d.tol)


def body(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    check_number(text)
    if "/" in text:
        a, _, b = text.partition("/")
        check_quotient(a, b)


if __name__ == "__main__":
    seeds = [s.encode() for s in ["58,149.15", "82.79%", "≥95%", "0.0%", "≥623万人", "１２．５", "1.69", "3000", "83%",
                                  "不低于90%", "＜5天", "100%-80%", "2022-12-31", ".5", "+3.25‰", "质量指标（8）",
                                  "产出指标(50分)", "项目预算金额(万元)", "82.79/1.69", "4635/5385.99", *HUGE]]
    main("numbers", body, seeds, max_len=512, dictionary=vocabulary_words(), pre_import=_import)
