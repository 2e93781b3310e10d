"""RawTable -> table kind, by a declarative vocabulary (vocabulary.yaml)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from auditor.ingest.raw import RawTable
from auditor.textfold import PINYIN_NOTE, fold_chars, match_key

VOCAB_PATH = Path(__file__).with_name("vocabulary.yaml")
# a table whose cells a PDF text layer gave in reading order: not read (auditor.ingest.text)
UNREAD_LAYOUT = "unread_layout"


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    return yaml.safe_load(VOCAB_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=131072)
def _fold(text: str) -> str:
    if "(" in text or "（" in text:
        text = PINYIN_NOTE.sub("", fold_chars(text))
    return match_key(text)


def fold(text: str | None) -> str:
    """The key a label is matched by: auditor.textfold.match_key (full-width, traditional
    characters, look-alike signs and spaces folded), pinyin notes (學(xué)) dropped."""
    return "" if text is None else _fold(str(text))


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


SELF_EVAL_KINDS = {"project_selfeval", "department_selfeval", "transfer_selfeval"}
_IDENTITY = re.compile(r"项目.{0,4}名称|部门.{0,4}名称|单位名称|项目支出名称")


def _has_identity(table: RawTable, rows: int = 6) -> bool:
    return any(_IDENTITY.search(fold(c.text)) for row in table.rows[:rows] for c in row if c.text)


def _row_key(row) -> str:
    return "|".join(fold(c.text) for c in row if c.text)


def _title_key(table: RawTable) -> str:
    heads = [fold(h) for h in table.headings[-2:]]
    return "/".join(heads)


def merge_continuations(tables: list[RawTable]) -> list[tuple[str | None, RawTable]]:
    """Classify tables and join the ones continued after a page break: a
    self-evaluation section without its own identity row continues the table
    before it; a budget table under the same title whose header repeats continues
    it too (the repeated header rows are dropped)."""
    from auditor.recognize.stream import has_header, rebuild, split_run_on

    out: list[tuple[str | None, RawTable]] = []
    for table in tables:
        if table.layout == "runon":
            cells = split_run_on(table.rows[0][0].text, table.rows[0][0].line)
            if not has_header(cells):
                # a fragment without its header: which column a figure stands in is not printed
                out.append((UNREAD_LAYOUT, table))
                continue
            table = RawTable(title=table.title, rows=[cells], line=table.line, headings=table.headings,
                             layout="stream", preamble=table.preamble, page=table.page)
        if table.layout == "pdfcells":
            out.append((UNREAD_LAYOUT, table))
            continue
        table = rebuild(table)
        table, scoring = _split_scoring(table)
        kind = classify(table)
        if out:
            prev_kind, prev = out[-1]
            if prev_kind in SELF_EVAL_KINDS and kind in (prev_kind, None) and not _has_identity(table) \
                    and table.layout == prev.layout:
                prev.rows.extend(table.rows)
                continue
            if kind == prev_kind and kind not in SELF_EVAL_KINDS and table.rows and prev.rows \
                    and _row_key(table.rows[0]) == _row_key(prev.rows[0]) and _title_key(table) == _title_key(prev):
                header = {_row_key(r) for r in prev.rows[:3]}
                rows = list(table.rows)
                while rows and _row_key(rows[0]) in header:
                    rows.pop(0)
                prev.rows.extend(rows)
                continue
        out.append((kind, table))
        if scoring is not None:
            out.append(("score_table", scoring))
    return out


def _is_scoring_header(row) -> bool:
    words = [fold(w) for w in vocabulary().get("scoring_header", [])]
    return sum(1 for c in row if c.text and any(fold(c.text).startswith(w) for w in words)) >= 3


def _split_scoring(table: RawTable) -> tuple[RawTable, RawTable | None]:
    """A scoring table (标准值 | 实际值 | 评分标准 | 自评得分) printed under a table without a
    break: cut off as a table of its own."""
    k = next((i for i, row in enumerate(table.rows) if i > 0 and _is_scoring_header(row)), None)
    if k is None:
        return table, None
    head = RawTable(table.title, table.rows[:k], table.line, table.headings, table.sheet, table.page, table.layout,
                    table.preamble)
    tail = RawTable(table.title, table.rows[k:], table.rows[k][0].line if table.rows[k] else table.line,
                    table.headings, table.sheet, table.page, table.layout, table.preamble, table.truncated)
    return head, tail
