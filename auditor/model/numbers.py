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
_EXPONENT = re.compile(r"^[eE]([+-]?\d{1,12})(?![\d.])")
# invisible format marks a copy from a PDF or a web page leaves inside digits: zero-width
# space / joiners, LRM / RLM / ALM, bidi embeddings and isolates, word joiner, BOM, soft hyphen
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# accounting negatives: (100.00) or （1,234.56）, the whole cell in parentheses
_PARENS = re.compile(r"^\((\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(%?)\)(%?)$")


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
    malformed: bool = False     # printed as a number that cannot be held (1e309, 400 digits): not silently none

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
    op, s = split_operator(_INVISIBLE.sub("", raw))
    if not s:
        return Number(raw=raw, operator=op)
    negative = False
    if op is None and s[0] == "(":
        pm = _PARENS.match(s)
        if pm:
            negative, s = True, pm.group(1) + (pm.group(2) or pm.group(3))
    m = _NUM_PREFIX.match(s)
    if not m:
        return Number(raw=raw, operator=op)
    num, rest = m.group(1), s[m.end():]
    exponent = 0
    em = _EXPONENT.match(rest)
    if em and "," not in num:
        exponent, rest = int(em.group(1)), rest[em.end():]
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
    try:
        value = float(num.replace(",", "") + (f"e{exponent}" if exponent else "")) * scale
    except OverflowError:  # pragma: no cover - float() gives inf, not an error; kept for safety
        value = math.inf
    if not math.isfinite(value):
        # more than a float holds (1e309, a 310-digit run): printed as a number, so reported
        # (an INP004 problem row), never dropped as if it were text
        return Number(raw=raw, operator=op, malformed=True)
    if negative:
        value = -value
    if exponent:
        # 1.5e3 is printed to the hundreds: half a unit of its last digit
        k = exponent - (len(num.split(".")[1]) if "." in num else 0)
        decimals = max(-k, 0)
        try:
            tol = 0.5 * 10.0 ** k * scale     # float power: 0e999999999999 must not build a huge int
        except OverflowError:
            tol = math.inf
        if not math.isfinite(tol):
            return Number(raw=raw, operator=op, malformed=True)
    elif value == 0 and decimals == 0:
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
