"""Small predicates over printed cells, shared by the table normalizers.

The labels themselves (fund, score and identity labels, 一级/二级 names, block
labels) are vocabulary data, compiled once in auditor.recognize.labels; this
module only adds what needs the number parser."""
from __future__ import annotations

import re
from functools import lru_cache

from auditor.model.numbers import Number, clean, parse_number, parse_operator
from auditor.recognize import fold, vocabulary
from auditor.recognize.labels import is_block_label, is_level1, is_level2, match_label
from auditor.recognize.labels import split_declared as _split_declared


@lru_cache(maxsize=1)
def _unit() -> re.Pattern:
    return re.compile(vocabulary()["units"])


def is_plain_number(text: str) -> bool:
    """A bare number (weights, scores): no percent sign, no operator, no unit."""
    n = parse_number(text)
    return n.value is not None and not n.percent and n.operator is None and n.unit is None


def as_completion(text: str) -> Number | None:
    """完成程度: `100%`, or a fraction `1` / `0.7` meaning 100% / 70%."""
    n = parse_number(text)
    if n.value is None or n.operator is not None or n.unit not in (None, "%"):
        return None
    if n.percent:
        return n
    if 0 <= n.value <= 1:
        return Number(raw=n.raw, value=n.value * 100, tol=n.tol * 100, decimals=n.decimals, percent=True)
    return None


def is_unit(text: str) -> bool:
    s = clean(text)
    return bool(s) and bool(_unit().match(s))


def is_operator(text: str) -> bool:
    return parse_operator(text) is not None


def label_of(text: str) -> str:
    """Display form of a label: folded (no inner whitespace from PDF wrapping, full-width
    and traditional forms folded), brackets kept."""
    return clean(text)


def split_declared(label: str) -> tuple[str, Number | None]:
    """`质量指标（8）` / `产出指标(50分)` -> ("质量指标", 8)."""
    base, weight = _split_declared(label)
    return base, (parse_number(weight) if weight is not None else None)


__all__ = ["is_plain_number", "as_completion", "is_unit", "is_operator", "label_of", "split_declared", "is_level1",
           "is_level2", "is_block_label", "match_label", "fold"]
