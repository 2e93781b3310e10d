"""部门整体支出绩效自评基础数据表 -> `ledger` rows (code NULL) and a `tables` row.

The table is a stack of small blocks, each opened by a header row whose first
cell names the block (财政供养人员情况, 经费控制情况) and whose other cells name
the columns (编制数 / 2019年决算数 / 2020年预算数 / 2020年决算数). Every later row
is an item (三公经费, 1、公务用车购置和维护经费, 其中：公车购置, 公用经费 …) with one
amount per column: `name` is the item without its numbering, `column` the
column label of its block, `amount` the printed value (blank, “——” and words give
a NULL amount with the printed text kept in `amount_raw`). A row with an empty
item cell belongs to the block itself (the staff counts under 财政供养人员情况).

Levels, as the template indents them (the indentation itself is lost in
extracted text): a block's own items are 1, numbered items (1、…) 2, an item
opened by 其中 one deeper than the row above it, and the unnumbered rows that
follow a 其中 item stay at its level until a numbered or a known top-level item
comes. Rows without any amount (厉行节约保障措施: a sentence) are not ledger lines.
"""
from __future__ import annotations

import re
from functools import lru_cache

from auditor.ingest.raw import RawTable
from auditor.model.numbers import clean, parse_number
from auditor.model.tables import put_number
from auditor.normalize import Rows, TableContext
from auditor.normalize.ledger import real_title
from auditor.recognize import vocabulary


@lru_cache(maxsize=1)
def _words() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """(numbered item, 其中 item, top-level item) patterns, from the vocabulary (section basic_data)."""
    v = vocabulary()["basic_data"]
    return re.compile(v["numbered"]), re.compile(v["within"]), re.compile(v["top_item"])


PLACEHOLDER = re.compile(r"^[.…·。\s]*$")
DASH = re.compile(r"^[-—–－─/]+$")


def _value_like(text: str) -> bool:
    s = clean(text)
    if not s or DASH.match(s):
        return True
    n = parse_number(s)
    return n.value is not None and n.operator is None and (n.unit is None or n.percent)


def _is_header(cells: list[str]) -> bool:
    rest = [t for t in cells[1:] if t]
    return bool(rest) and not any(_value_like(t) for t in rest)


def normalize_basic_data(table: RawTable, ctx: TableContext) -> Rows:
    title = real_title(ctx.headings or table.headings) or ctx.title or table.title
    out: Rows = {"tables": [{"doc_id": ctx.doc_id, "table_id": ctx.table_id, "kind": "basic_data", "title": title,
                             "name": None, "unit": None, "year": ctx.year, "line": table.first_line()}],
                 "ledger": []}
    numbered, within, top_item = _words()
    columns: dict[int, str] = {}
    block = None
    item = 0
    prev_level = 0
    sibling_level: int | None = None
    for row in table.rows:
        texts = [c.text.strip() for c in row]
        if not any(texts):
            continue
        if _is_header(texts):
            block = clean(texts[0]) or block
            columns = {i: clean(t) for i, t in enumerate(texts) if i and t}
            sibling_level, prev_level = None, 0
            continue
        if not columns:
            continue
        label = texts[0]
        values = {i: row[i] for i in columns if i < len(row)}
        if any(c.text.strip() and not _value_like(c.text) for c in values.values()):
            continue   # a sentence, not amounts
        if PLACEHOLDER.match(label) and label:
            continue
        if not label:
            name, level = block, 1
        elif within.match(label):
            name, level = within.sub("", label), prev_level + 1
            sibling_level = level
        elif numbered.match(label):
            name, level = numbered.sub("", label), 2
            sibling_level = None
        elif sibling_level is not None and not top_item.search(clean(label)):
            name, level = label, sibling_level
        else:
            name, level = label, 1
            sibling_level = None
        name = clean(name).rstrip(":：")
        prev_level = level
        item += 1
        line = next((c.line for c in row if c.line), None)
        for i, col in columns.items():
            cell = values.get(i)
            rec = {"doc_id": ctx.doc_id, "table_id": ctx.table_id, "row_no": item, "line": line, "code": None,
                   "code_kind": None, "level": level, "name": name, "column": col}
            if cell is not None:
                n = parse_number(cell.text)
                if n.value is not None and n.operator is None:
                    put_number(rec, "amount", n, cell.loc())
                else:
                    rec["amount_raw"] = cell.text.strip() or None
                    rec["amount_loc"] = cell.loc()
            out["ledger"].append(rec)
    return out


__all__ = ["normalize_basic_data"]
