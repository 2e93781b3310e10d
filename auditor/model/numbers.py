"""Printed numbers -> value + the rounding interval the printed text stands for.

A printed `82.79%` stands for 82.785–82.795 %, `1.69` for 1.685–1.695, so every
parsed number carries `tol`, half a unit of its last printed digit. A printed
zero is taken as exact: "0" means nothing was spent, not "less than 0.5".
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from auditor.textfold import match_key

# the operators a printed target may start with, from the one vocabulary every reader uses
VOCABULARY = Path(__file__).resolve().parent.parent / "recognize" / "vocabulary.yaml"
INTEGER_TOL = 0.005
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?$")
_NUM_PREFIX = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)")


@lru_cache(maxsize=1)
def operators() -> list[tuple[str, str]]:
    """(printed token, operator) pairs, longest token first so that `>=` wins over `>`."""
    table = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))["operators"]
    pairs = [(tok, op) for op, toks in table.items() for tok in toks]
    return sorted(pairs, key=lambda p: -len(p[0]))


@dataclass(frozen=True, slots=True)
class Number:
    """A parsed printed number. `value` is in percent units when `percent`."""

    raw: str
    value: float | None = None
    tol: float = 0.0
    decimals: int = 0
    percent: bool = False
    operator: str | None = None
    unit: str | None = None

    @property
    def lo(self) -> float | None:
        return None if self.value is None else self.value - self.tol

    @property
    def hi(self) -> float | None:
        return None if self.value is None else self.value + self.tol


def clean(text: str | None) -> str:
    """The folded key of a printed cell (auditor.textfold.match_key): full-width and
    look-alike forms folded, no whitespace."""
    return match_key(text)


def split_operator(text: str) -> tuple[str | None, str]:
    s = clean(text)
    for token, op in operators():
        if s.startswith(token):
            return op, s[len(token):]
    return None, s


def parse_operator(text: str | None) -> str | None:
    """An operator cell on its own (`>=`, `≥`, `不低于`, `＞`)."""
    s = clean(text)
    if not s:
        return None
    for token, op in operators():
        if s == token:
            return op
    return None


def parse_number(text: str | None) -> Number:
    """Parse `58,149.15`, `82.79%`, `≥95%`, `0.0%`, `≥623万人`, `１２．５` ...

    Anything that is not a number gets `value=None` and keeps its raw text.
    Cached: templates repeat the same cells (labels, 100%, 10) thousands of times.
    """
    return _parse_number("" if text is None else str(text))


@lru_cache(maxsize=65536)
def _parse_number(text: str) -> Number:
    """Parse `58,149.15`, `82.79%`, `≥95%`, `0.0%`, `≥623万人`, `１２．５` ...

    Anything that is not a number gets `value=None` and keeps its raw text.
    """
    raw = "" if text is None else str(text).strip().replace("\u3000", "").strip()
    op, s = split_operator(raw)
    if not s:
        return Number(raw=raw, operator=op)
    m = _NUM_PREFIX.match(s)
    if not m:
        return Number(raw=raw, operator=op)
    num, rest = m.group(1), s[m.end():]
    percent = False
    if rest.startswith("%") or rest.startswith("‰"):
        percent = rest[0] == "%"
        scale = 1.0 if percent else 0.1
        rest = rest[1:]
    else:
        scale = 1.0
    unit = rest or None
    if unit is not None and re.search(r"\d", unit):
        # "100%-80%" or "2022-12-31": a range or a date, not one number.
        return Number(raw=raw, operator=op)
    dm = _NUMBER.match(num) if not num.startswith((".", "+.", "-.")) else None
    decimals = len(dm.group(3) or "") if dm else len(num.split(".")[-1])
    value = float(num.replace(",", "")) * scale
    if not math.isfinite(value):
        # more digits than a float holds (a 309-digit run): no printed amount, so not a number
        return Number(raw=raw, operator=op)
    if value == 0 and decimals == 0:
        tol = 0.0
    elif decimals == 0 and not percent:
        tol = INTEGER_TOL
    else:
        tol = 0.5 * 10 ** (-decimals) * scale
    return Number(raw=raw, value=value, tol=tol, decimals=decimals, percent=percent,
                  operator=op, unit="%" if percent else unit)


def intervals_meet(a: float, at: float, b: float, bt: float, eps: float = 1e-9) -> bool:
    """True when [a-at, a+at] and [b-bt, b+bt] overlap (with float slack)."""
    return abs(a - b) <= at + bt + eps * (1.0 + abs(a) + abs(b))


def quotient_interval(n: float, nt: float, d: float, dt: float) -> tuple[float, float]:
    """Interval of n/d for n in [n-nt, n+nt], d in [d-dt, d+dt], d > 0."""
    lo_d, hi_d = d - dt, d + dt
    if hi_d <= 0:
        return float("-inf"), float("inf")
    lo = (n - nt) / hi_d if n - nt >= 0 else (n - nt) / max(lo_d, 1e-300)
    hi = (n + nt) / lo_d if lo_d > 0 else float("inf")
    return lo, hi
