"""Budget approval / final-account tables -> `ledger` rows (one per printed
amount cell of an item), one `tables` row, and `claims` from free-text cells.

Shapes read (all from the header, never from column numbers):

- **coded tables** (支出预算总表, 一般公共预算支出表, 基本支出表 …): a 科目编码 column,
  a 科目名称 column, amount columns under a multi-row header. `code` is the
  classification code, `code_kind` 'function' (功能分类, 类/款/项 = 3/5/7 digits,
  level 1/2/3) or 'economic' (经济分类, 3/5 digits, level 1/2); the code kind comes
  from the header (经济分类 / 功能分类) or else from the first digit (2 → function,
  3 and 5 → economic). The total row (合计/总计, no code) has level 0.
- **list tables** (项目支出预算表): several name columns (单位名称, 项目名称); the
  level is the position of the first filled name column (unit row 1, project row
  2), the 合计 row 0. Free-text columns (项目内容, 测算依据 …) are not amounts;
  their numeric statements become `claims` (document numbers, listed parts).
- **two-sided tables** (收支预算总表, 财政拨款收支预算总表, 收入支出决算总表): a
  收入 side and a 支出 side, each an item column and amount column(s). Each side
  gives its own rows with `column` = '收入' / '支出' (or '收入·决算数' when a side
  has several amount columns) and `name` = the item. Levels come from the item
  numbering: 一、 → 1, （一） → 2, 1. → 3; unnumbered items 1; totals (…合计,
  …总计) 0.
- **header-only tables** (“三公”经费支出表: a header and one row of amounts): each
  amount column is an item, `name` = its header label (a 小计 stands for its
  group), `column` = '金额', level 0 for the …合计 column, 1 for top-level
  columns, 2 for columns under a group.

Column labels: the header path of a column, with a group that spans every amount
column dropped (本年一般公共预算支出); a 小计/合计 under a group is the group
('基本支出'); a leaf label already used by an earlier column is prefixed with its
group ('上年结转结余一般公共预算'). Typical labels: 合计, 基本支出, 人员经费,
公用经费, 项目支出, 总计, 本年收入, 一般公共预算, 上年结转结余.

A blank amount cell of an item gives a row with `amount` NULL (its `amount_loc`
still points at the cell), so rules can tell an unprinted amount from a missing
column. `row_no` numbers the items of the table in reading order; ordering by
(`line`, `row_no`) reproduces the printed order across page continuations, which
rules group by the table title (`tables.title`).
"""
from __future__ import annotations

import re

from auditor.ingest.raw import Cell, RawTable
from auditor.model.tables import put_number
from auditor.normalize import Rows, TableContext
from auditor.normalize.claims import claims_from_text
from auditor.normalize.numbers import clean, parse_number

CODE = re.compile(r"^\d{3}(?:\d{2}){0,3}$")
TOTAL = re.compile(r"(合计|总计)$")
TABLE_LABEL = re.compile(r"^(表\s*[\d一二三四五六七八九十\-－]+|附件\s*[\d\-－]*|单位[:：].*|\(\d{4}年度?\))$")
CODE_HEAD = re.compile(r"编码|代码")
NAME_HEAD = re.compile(r"名称|^项目$|^项目\(|科目$|^科目|^支出功能分类|^经济分类")
TEXT_HEAD = re.compile(r"内容|说明|依据|备注|测算|用途|摘要")
SKIP_HEAD = re.compile(r"^(行次|栏次|序号)$")
NOTE = re.compile(r"^(备注|注|说明|注释)\d*[:：]")
UNIT_NAME = re.compile(r"单位名称[:：]\s*(.+)")
NUMBERING = [(re.compile(r"^[一二三四五六七八九十]+[、.．]"), 1), (re.compile(r"^[(（][一二三四五六七八九十]+[)）]"), 2),
             (re.compile(r"^\d+[、.．](?!\d)"), 3), (re.compile(r"^[(（]\d+[)）]"), 4)]
LEVELS = {3: 1, 5: 2, 7: 3, 9: 4}


def _label(text: str) -> str:
    """Header/item label without the spaces PDF wrapping leaves inside words."""
    return clean(text).replace("(", "（").replace(")", "）") if text else ""


def _fold(text: str) -> str:
    return clean(text).replace("（", "(").replace("）", ")")


def _name(text: str) -> str:
    s = (text or "").strip()
    return re.sub(r"(?<=[\u4e00-\u9fff“”（）])\s+(?=[\u4e00-\u9fff“”（）])", "", s)


def _is_amount(text: str) -> bool:
    n = parse_number(text)
    return n.value is not None and n.operator is None and n.unit is None and not n.percent


def real_title(headings: list[str]) -> str | None:
    """The table's own title: the nearest heading that is not a 表N / 附件N / 单位 label."""
    for h in reversed(headings or []):
        if h and not TABLE_LABEL.match(clean(h)):
            return h.strip()
    return None


class _Header:
    def __init__(self, rows: list[list[Cell]], ncols: int):
        self.rows = rows
        self.ncols = ncols
        self.grid = [[_label(c.text) for c in r] + [""] * (ncols - len(r)) for r in rows]
        self.spans: list[list[tuple[int, int]]] = []   # per header row: (start, end) of each non-empty cell
        for r, cells in enumerate(self.grid):
            spans = []
            for j, text in enumerate(cells):
                if not text:
                    continue
                end = j + 1
                while end < ncols and not cells[end] and any(self.grid[k][end] for k in range(r + 1, len(self.grid))):
                    end += 1
                spans.append((j, end))
            self.spans.append(spans)

    def path(self, j: int) -> list[tuple[str, int, int]]:
        """Header labels over column j, top to bottom, with the span of each."""
        out = []
        for r, spans in enumerate(self.spans):
            for a, b in spans:
                if a <= j < b:
                    out.append((self.grid[r][a], a, b))
        return out

    def text(self) -> str:
        return "|".join(t for row in self.grid for t in row if t)


def _is_data_row(row: list[Cell]) -> bool:
    texts = [c.text for c in row if c.text]
    if not texts:
        return False
    if any(CODE.match(clean(t)) for t in [c.text for c in row[:2]]):
        return True
    if TOTAL.search(_label(texts[0])) and (len(texts) == 1 or any(_is_amount(t) for t in texts[1:]) or len(texts) < 3):
        return True
    return any(_is_amount(t) for t in texts)


def _numbering_level(name: str) -> int:
    s = clean(name)
    if TOTAL.search(s):
        return 0
    for pattern, level in NUMBERING:
        if pattern.match(s):
            return level
    return 1


class _Ledger:
    def __init__(self, table: RawTable, ctx: TableContext):
        self.table, self.ctx = table, ctx
        self.out: Rows = {"ledger": [], "tables": [], "claims": []}
        self.item = 0
        self.claim_no = 0

    def emit(self, line: int | None, code: str | None, code_kind: str | None, level: int | None, name: str,
             column: str, cell: Cell | None, row_no: int) -> None:
        row = {"doc_id": self.ctx.doc_id, "table_id": self.ctx.table_id, "row_no": row_no, "line": line,
               "code": code, "code_kind": code_kind, "level": level, "name": name, "column": column}
        if cell is not None:
            n = parse_number(cell.text)
            if n.value is not None:
                put_number(row, "amount", n, cell.loc())
            else:   # blank, a dash or words: no amount, but the cell is still located
                row["amount_raw"] = cell.text.strip() or None
                row["amount_loc"] = cell.loc()
        self.out["ledger"].append(row)

    def claims(self, cell: Cell, subject: str | None) -> None:
        found = claims_from_text(cell.text, lambda o, c=cell: c.loc())
        for r in found:
            self.claim_no += 1
            if subject and r.get("kind") in ("total_parts",) and not r.get("subject"):
                r["subject"] = subject
            self.out["claims"].append({"doc_id": self.ctx.doc_id, "table_id": self.ctx.table_id, "claim_id": f"{self.ctx.table_id}.C{self.claim_no}",
                                       "line": cell.line, **r})


def _split_header(rows: list[list[Cell]]) -> tuple[list[list[Cell]], list[list[Cell]]]:
    k = 0
    while k < len(rows) and k < 5 and not _is_data_row(rows[k]):
        k += 1
    return rows[:k], rows[k:]


def _column_labels(header: _Header, cols: list[int]) -> dict[int, str]:
    labels: dict[int, str] = {}
    used: set[str] = set()
    lo, hi = (min(cols), max(cols) + 1) if cols else (0, 0)
    for j in cols:
        path = [(t, a, b) for t, a, b in header.path(j) if not (a <= lo and b >= hi and len(cols) > 1)]
        names = [t for t, _, _ in path]
        if not names:
            labels[j] = f"列{j + 1}"
            continue
        leaf = names[-1]
        group = names[-2] if len(names) > 1 else None
        if group and leaf in ("小计", "合计"):
            label = group
        elif group and leaf in used:
            label = group + leaf
        else:
            label = leaf
        used.add(leaf)
        labels[j] = label
    return labels


def _code(cells: dict[int, Cell], code_cols: list[int], prev_parts: list[str]) -> str | None:
    """The classification code of a row: one 科目编码 cell (2080502), or 类/款/项 cells
    (208 | 05 | 02) whose blank leading parts repeat the row above."""
    parts = [re.sub(r"\D", "", clean(cells[j].text)) if j in cells else "" for j in code_cols]
    if len(parts) == 1:
        return parts[0] if CODE.match(parts[0]) else None
    if not any(parts):
        return None
    last = max(i for i, p in enumerate(parts) if p)
    full = [p or (prev_parts[i] if i < len(prev_parts) and i < last else "") for i, p in enumerate(parts)][:last + 1]
    prev_parts[:] = full
    code = "".join(full)
    return code if CODE.match(code) else None


def _code_kind(code: str, header_text: str) -> str | None:
    if "经济分类" in header_text:
        return "economic"
    if "功能分类" in header_text:
        return "function"
    return {"2": "function", "3": "economic", "5": "economic"}.get(code[:1])


MONEY_UNIT = re.compile(r"^(?:金额)?单位[:：]\s*(万元|千元|亿元|元|万)")


def normalize_ledger(table: RawTable, ctx: TableContext) -> Rows:
    led = _Ledger(table, ctx)
    headings = ctx.headings or table.headings
    title = real_title(headings) or ctx.title or table.title
    unit = money_unit = None
    for text in list(ctx.preamble) + [c.text or "" for row in table.rows[:4] for c in row]:
        m = UNIT_NAME.search(text)
        if m:
            unit = m.group(1).strip()
        m = MONEY_UNIT.search(clean(text))
        if m:
            money_unit = m.group(1)
    led.out["tables"].append({"doc_id": ctx.doc_id, "table_id": ctx.table_id, "kind": "ledger", "title": title,
                              "name": None, "unit": unit, "money_unit": money_unit, "year": ctx.year,
                              "line": table.first_line()})
    # a line without tabs inside a table run is a note (备注：如此表为空表…), not a row
    rows = [r for r in table.rows if sum(1 for c in r if c.text) and len(r) > 1 and not NOTE.match(clean(r[0].text))
            and not any(UNIT_NAME.search(c.text or "") for c in r)]
    head_rows, body = _split_header(rows)
    ncols = max((len(r) for r in rows), default=0)
    header = _Header(head_rows, ncols)
    head_keys = {"|".join(_label(c.text) for c in r if c.text) for r in head_rows}
    body = [r for r in body if "|".join(_label(c.text) for c in r if c.text) not in head_keys]
    header_text = _fold(header.text() + "|" + (title or ""))
    top = [_fold(t) for t in (header.grid[0] if header.grid else [])]
    if "收入" in top and "支出" in top:
        _two_sided(led, header, body, ncols, top.index("支出"))
        return led.out
    kinds = {}
    for j in range(ncols):
        path = " ".join(t for t, _, _ in header.path(j))
        f = _fold(path)
        if not f:
            kinds[j] = "none"
        elif CODE_HEAD.search(f):
            kinds[j] = "code"
        elif TEXT_HEAD.search(f):
            kinds[j] = "text"
        elif SKIP_HEAD.match(f):
            kinds[j] = "skip"
        elif NAME_HEAD.search(f) and not any(_is_amount(r[j].text) for r in body if j < len(r)):
            kinds[j] = "name"
        else:
            kinds[j] = "amount"
    amount_cols = [j for j in range(ncols) if kinds[j] == "amount"]
    code_cols = [j for j in range(ncols) if kinds[j] == "code"]
    name_cols = [j for j in range(ncols) if kinds[j] == "name"]
    text_cols = [j for j in range(ncols) if kinds[j] == "text"]
    project_cols = [j for j in name_cols if "项目" in _fold(" ".join(t for t, _, _ in header.path(j)))]
    if not code_cols and not name_cols:
        _header_only(led, header, body, amount_cols)
        return led.out
    # a name column under a 合计 row: its first column may be blank in the header (row 合计 in column 1)
    labels = _column_labels(header, amount_cols)
    prev_parts: list[str] = []
    for row in body:
        cells = {c.col - 1: c for c in row}
        line = next((c.line for c in row if c.line), None)
        code = _code(cells, code_cols, prev_parts)
        names = [(_name(cells[j].text), j) for j in name_cols if j in cells and cells[j].text.strip()]
        lead = [_name(c.text) for c in row[:max(code_cols + name_cols, default=0) + 1] if c.text.strip()]
        if code is not None:
            level = LEVELS.get(len(code))
            # a project list with codes: the item is the project, the code only classifies it
            named = [n for n, j in names if j in project_cols] or [n for n, _ in names]
            name = named[0] if named else ""
            kind = _code_kind(code, header_text)
        else:
            if not names and not lead:
                continue
            name = names[-1][0] if names else lead[0]
            first = names[0][0] if names else lead[0]
            if TOTAL.search(clean(first)):
                level, name = 0, first
            elif len(name_cols) > 1 and names:
                level = name_cols.index(names[0][1]) + 1
            else:
                level = _numbering_level(name)
            kind = None
        led.item += 1
        for j in amount_cols:
            led.emit(line, code, kind, level, name, labels[j], cells.get(j) or Cell("", line, j + 1), led.item)
        for j in text_cols:
            if j in cells and cells[j].text.strip():
                led.claims(cells[j], name)
    return led.out


def _two_sided(led: _Ledger, header: _Header, body: list[list[Cell]], ncols: int, split: int) -> None:
    top = header.grid[0]
    sides = [(_label(top[0]) or "收入", list(range(0, split))), (_label(top[split]) or "支出", list(range(split, ncols)))]
    for side, cols in sides:
        side_label = "收入" if "收入" in side else ("支出" if "支出" in side else side)
        leafs = {j: (header.path(j)[-1][0] if header.path(j) else "") for j in cols}
        name_col = next((j for j in cols if re.search(r"项目|名称", leafs[j])), cols[0])
        amount_cols = [j for j in cols if j != name_col and not SKIP_HEAD.match(leafs[j] or "")]
        for row in body:
            cells = {c.col - 1: c for c in row}
            line = next((c.line for c in row if c.line), None)
            name_cell = cells.get(name_col)
            if name_cell is None or not name_cell.text.strip():
                continue
            name = _name(name_cell.text)
            led.item += 1
            for j in amount_cols:
                column = side_label if len(amount_cols) == 1 else f"{side_label}·{leafs[j] or j + 1}"
                led.emit(line, None, None, _numbering_level(name), name, column,
                         cells.get(j) or Cell("", line, j + 1), led.item)


def _header_only(led: _Ledger, header: _Header, body: list[list[Cell]], cols: list[int]) -> None:
    for row in body:
        cells = {c.col - 1: c for c in row}
        line = next((c.line for c in row if c.line), None)
        for j in cols:
            path = [t for t, _, _ in header.path(j)]
            if not path:
                continue
            leaf = path[-1]
            if leaf in ("小计", "合计") and len(path) > 1:
                name, level = path[-2], 1
            else:
                name, level = leaf, len(path)
            if TOTAL.search(name):
                level = 0
            led.item += 1
            led.emit(line, None, None, level, name, "金额", cells.get(j) or Cell("", line, j + 1), led.item)


__all__ = ["normalize_ledger", "real_title"]
