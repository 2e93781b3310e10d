"""The labels of the table templates, compiled once from vocabulary.yaml.

Every label is matched on its folded key (auditor.textfold.match_key: full-width,
traditional characters, look-alike signs and spaces folded), so `項目預算金額（萬元）`
finds the same field as `项目预算金额(万元)`. Both the recognizer and the
normalizers ask here; nothing else keeps a copy of a label list.
"""
from __future__ import annotations

import re
from functools import lru_cache

from auditor.recognize import fold, vocabulary

DECLARED = re.compile(r"^(.*?)[(（]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]$")
_NUMBER_ONLY = re.compile(r"^[<>≤≥=]*[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")


def split_declared(label: str) -> tuple[str, str | None]:
    """`质量指标（8）` / `产出指标(50分)` -> ("质量指标", "8"); the weight as printed."""
    f = fold(label)
    m = DECLARED.match(f)
    if not m or not m.group(1):
        return f, None
    return m.group(1), m.group(2)


@lru_cache(maxsize=1)
def _sets() -> dict[str, frozenset[str]]:
    v = vocabulary()
    return {"level1": frozenset(fold(x) for x in v["level1_labels"]),
            "level2": frozenset(fold(x) for x in v.get("level2_labels", [])),
            "block": frozenset(fold(x) for x in v["block_labels"]),
            "stops": frozenset(fold(x) for x in v.get("stream_stops", [])),
            "row_labels": frozenset(fold(x) for x in v.get("stream_row_labels", []))}


def is_level1(label: str) -> bool:
    return split_declared(label)[0] in _sets()["level1"]


def is_level2(label: str) -> bool:
    """A 二级指标 name: a known one, or a short name ending in 指标 that is not a 一级 one."""
    base = split_declared(label)[0]
    if base in _sets()["level2"]:
        return True
    return base.endswith("指标") and 4 <= len(base) <= 10 and base not in _sets()["level1"] \
        and base not in _sets()["block"]


def is_block_label(label: str) -> bool:
    return fold(label) in _sets()["block"]


def is_stop(label: str) -> bool:
    f = fold(label).rstrip(":")
    return f in _sets()["stops"] or any(f.startswith(s) and len(f) - len(s) <= 8 for s in _sets()["stops"])


def is_row_label(label: str) -> bool:
    f = fold(label)
    return any(f == r or f.startswith(r) for r in _sets()["row_labels"])


@lru_cache(maxsize=1)
def _label_table() -> list[tuple[str, str, str]]:
    v = vocabulary()
    out = []
    for group in ("fund_labels", "score_labels", "identity_labels"):
        for fieldname, variants in v[group].items():
            out += [(x if "\\" in x else fold(x), group, fieldname) for x in variants]
    return sorted(out, key=lambda t: -len(t[0]))


@lru_cache(maxsize=65536)
def match_label(text: str) -> tuple[str, str] | None:
    """(group, field) of a header label cell such as `项目预算金额(万元)` or `预算执行率得分`."""
    f = fold(text)
    if not f or len(f) > 24 or _NUMBER_ONLY.match(f):
        return None
    # a formula or unit in brackets after the label: 预算执行率(B/A×100%), 全年执行数(B)
    base = _TRAILING_NOTE.sub("", f) or f
    for variant, group, fieldname in _label_table():
        if "\\" not in variant:
            if f == variant or (f.startswith(variant) and len(f) - len(variant) <= 8) or base == variant:
                return group, fieldname
        elif re.match(variant, f):
            return group, fieldname
    return None


_TRAILING_NOTE = re.compile(r"\([^()]{1,20}\)$")


@lru_cache(maxsize=1)
def _columns() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(e["match"]), e["type"]) for e in vocabulary().get("stream_columns", [])]


@lru_cache(maxsize=65536)
def column_type(text: str) -> str | None:
    """What the cells under a column header hold (vocabulary stream_columns), or None."""
    f = fold(text)
    if not f or len(f) > 30:
        return None
    for rx, kind in _columns():
        if rx.search(f):
            return kind
    return None


__all__ = ["fold", "split_declared", "is_level1", "is_level2", "is_block_label", "is_stop", "is_row_label",
           "match_label", "column_type"]
