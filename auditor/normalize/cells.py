"""Small predicates over printed cells, shared by the table normalizers."""
from __future__ import annotations

import re
from functools import lru_cache

from auditor.normalize.numbers import Number, clean, parse_number, parse_operator
from auditor.recognize import fold, vocabulary

UNIT = re.compile(r"^(%|‰|百分点|[万千百亿]?(元|人次|人日|人|户次|户|家次|家|个工作日|工作日|个月|个|次|天|日|月|年|分钟|小时|"
                  r"秒|项|件|册|篇|场|所|台|套|公里|千米|米|平方米|平方公里|亩|公顷|吨|公斤|千克|克|斤|条|份|辆|张|批|期|座|处|"
                  r"名|例|床|课时|学时|册次|本|页|分)(/(人|次|户|年|月|天|人年|人次))?)$")
DECLARED = re.compile(r"^(.*?)[(（]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]$")


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
    return bool(s) and bool(UNIT.match(s))


def is_operator(text: str) -> bool:
    return parse_operator(text) is not None


def label_of(text: str) -> str:
    """Display form of a label: no inner whitespace (PDF wrapping), brackets kept."""
    return clean(text)


def split_declared(label: str) -> tuple[str, Number | None]:
    """`质量指标（8）` / `产出指标(50分)` -> ("质量指标", 8)."""
    m = DECLARED.match(clean(label))
    if not m or not m.group(1):
        return clean(label), None
    return m.group(1), parse_number(m.group(2))


def is_level1(label: str) -> bool:
    f = fold(split_declared(label)[0])
    return f in vocabulary()["level1_labels"]


def is_block_label(label: str) -> bool:
    return fold(label) in vocabulary()["block_labels"]


def _label_table() -> list[tuple[str, str, str]]:
    v = vocabulary()
    out = []
    for group in ("fund_labels", "score_labels", "identity_labels"):
        for fieldname, variants in v[group].items():
            out += [(x if "\\" in x else fold(x), group, fieldname) for x in variants]
    return sorted(out, key=lambda t: -len(t[0]))


_LABELS: list[tuple[str, str, str]] | None = None


@lru_cache(maxsize=65536)
def match_label(text: str) -> tuple[str, str] | None:
    """(group, field) of a header label cell such as `项目预算金额(万元)` or `预算执行率得分`."""
    global _LABELS
    if _LABELS is None:
        _LABELS = _label_table()
    f = fold(text)
    if not f or len(f) > 24 or parse_number(text).value is not None:
        return None
    for variant, group, fieldname in _LABELS:
        pattern = variant
        if "\\" not in pattern:
            if f == pattern or (f.startswith(pattern) and len(f) - len(pattern) <= 8):
                return group, fieldname
        elif re.match(pattern, f):
            return group, fieldname
    return None
