"""RawTable -> table kind, by a declarative vocabulary (vocabulary.yaml)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from auditor.ingest.raw import RawTable
from auditor.normalize.numbers import clean

VOCAB_PATH = Path(__file__).with_name("vocabulary.yaml")


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    return yaml.safe_load(VOCAB_PATH.read_text(encoding="utf-8"))


def fold(text: str | None) -> str:
    """Text for matching: NFKC, no whitespace, full-width brackets folded."""
    return clean(text).replace("（", "(").replace("）", ")").replace("：", ":")


def _label_hit(patterns: list[str], cells: list[str]) -> bool:
    return all(any(re.search(p, c) for c in cells) for p in patterns)


def classify(table: RawTable, probe_rows: int = 12) -> str | None:
    """The kind of a table, or None when nothing in the vocabulary fits."""
    heads = [fold(h) for h in table.headings[-2:]]
    if heads and not re.fullmatch(r"(表\d+|附件[\d\-]*|\(\d{4}年度\))", heads[-1]):
        heads = heads[-1:]   # a 表N label stands under the real title; otherwise only the nearest heading counts
    cells = [fold(c.text) for row in table.rows[:probe_rows] for c in row if c.text]
    for entry in vocabulary()["kinds"]:
        if any(re.search(p, h) for p in entry.get("title", []) for h in heads):
            return entry["kind"]
    for entry in vocabulary()["kinds"]:
        if any(_label_hit(group, cells) for group in entry.get("labels", [])):
            return entry["kind"]
    return None


def header_text(table: RawTable, rows: int = 2) -> str:
    return " | ".join(c.text for row in table.rows[:rows] for c in row if c.text)[:200]
