"""Project and department self-evaluation tables -> funds, indicators, scores,
sections and tables rows.

A table is first cut into blocks (`split_blocks`), then each block has its
reader:

- **identity** (项目名称, 主管部门, 实施单位 …): label -> next value, over the first rows;
- **funds**: a header of money columns (年初预算数 | 全年预算数 | 全年执行数 | 分值 |
  执行率 | 得分, or 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分)
  and its money lines (年度资金总额, 其中：…). Values are taken under their header
  labels; when the header has a label column more than the lines (预算执行情况(10分)
  | 年度预算数(万元) | 年初预算 …), by their order after the line's label. A line
  left blank (其中：中央财政资金) does not end the block;
- **labels**: `项目预算金额 | 5385.99 | 全年执行数 | 4635 | 执行率 | 86.06%` rows;
- **goal**: 年度总体目标 and the row after it;
- **dept_budget**: 部门预算支出总额 | 1042.75;
- **grid**: the indicator rows under a header with 三级指标 / 指标值 / 完成值. Cells are
  found by their labels, not by column numbers (PDF extraction shifts columns):
  rows are read from the right, where the cells are most regular (… 完成值 完成程度
  分值 得分), names from the left, with 一级/二级 labels carried down from the last
  row that had one. A table rebuilt from a stream of cells (auditor.recognize.stream)
  has its cells under their header, so a row whose figures are partly blank is read
  by position. A second header inside the grid (a scoring table 标准值 / 实际值 /
  评分标准 / 自评得分 printed under the first) starts a grid of its own. A row inside
  the grid that does not parse becomes a problem row (INP004), never a silent skip;
- **scores**: 指标自评得分小计, 预算执行率得分, 减分项, 总分 … and the grid's 合计 row.

Declared block weights (预算执行情况(10分), 绩效指标(90分), 年度绩效目标(80分),
得分(20分*执行率)) give the execution weight and the full score. A table the text
ends inside (``RawTable.truncated``) gives its rows but no scores row, and a problem
row saying it was cut off: its sums cannot be checked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from auditor.ingest.raw import Cell, RawTable
from auditor.model.numbers import Number, clean, parse_number, parse_operator
from auditor.model.tables import put_number
from auditor.normalize import Rows, TableContext
from auditor.normalize.cells import (as_completion, is_block_label, is_level1, is_operator, is_plain_number,
                                     is_unit, label_of, match_label, split_declared)
from auditor.recognize import fold, vocabulary
from auditor.recognize.labels import column_type


@dataclass(frozen=True)
class _Vocab:
    roles: tuple[tuple[str, str], ...]
    grid_header: re.Pattern
    stop: re.Pattern
    sub_header: re.Pattern
    exec_weight: re.Pattern
    goal_header: re.Pattern
    dept_budget: re.Pattern
    blank_fund_line: re.Pattern
    name_prefix: re.Pattern
    placeholder: re.Pattern
    ocr_operators: dict


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    v = vocabulary()["selfeval"]
    return _Vocab(tuple((fold(w), r) for w, r in v["fund_roles"]), re.compile(v["grid_header"]),
                  re.compile(v["stop"]), re.compile(v["sub_header"]), re.compile(v["exec_weight_in_label"]),
                  re.compile(v["goal_header"]), re.compile(v["dept_budget"]), re.compile(v["blank_fund_line"]),
                  re.compile(v["name_prefix"]), re.compile(v["placeholder_name"]),
                  {fold(k): op for k, op in v.get("ocr_operators", {}).items()})


@dataclass
class _Table:
    ctx: TableContext
    kind: str                       # project | department
    aligned: bool = False           # cells stand under their header (a table rebuilt from a stream)
    rows: Rows = field(default_factory=dict)
    score: dict = field(default_factory=dict)
    funds_total: dict | None = None
    level1: str | None = None
    level2: str | None = None
    row_no: int = 0
    target_span: int = 3    # header cells between 三级指标 and 完成值 (运算符号, 指标值, 度量单位)
    declared_exec: tuple[Number, str] | None = None     # 预算执行情况(10分)
    declared_grid: tuple[Number, str] | None = None     # 绩效指标(90分)

    def add(self, table: str, row: dict) -> dict:
        base = {"doc_id": self.ctx.doc_id}
        if table != "problems" or "table_id" not in row:
            base["table_id"] = self.ctx.table_id
        self.rows.setdefault(table, []).append({**base, **row})
        return self.rows[table][-1]

    def problem(self, kind: str, cells: list[Cell], detail: str) -> None:
        text = " | ".join(c.text for c in cells if c.text)[:200]
        line = next((c.line for c in cells if c.line), None)
        self.add("problems", {"table_id": self.ctx.table_id, "line": line, "kind": kind, "detail": detail,
                              "text": text})


def _texts(row: list[Cell]) -> list[str]:
    return [c.text for c in row]


def _next_value(row: list[Cell], i: int) -> Cell | None:
    for c in row[i + 1:]:
        if c.text:
            return c
    return None


def _role(item: str, kind: str) -> str:
    f = fold(item)
    for word, role in _vocab().roles:
        if word in f:
            return role
    return "task" if kind == "department" else "line"


def _num(name: str, n: Number, c: Cell) -> dict:
    row: dict = {}
    put_number(row, name, n, c.loc())
    return row


def _is_score_row(texts: list[str]) -> bool:
    return any(match_label(x) and match_label(x)[0] == "score_labels" for x in texts if x) and \
        any(parse_number(x).value is not None for x in texts if x)


def _is_grid_header(texts: list[str]) -> bool:
    return sum(1 for x in texts if x and _vocab().grid_header.search(fold(x))) >= 2


# ---------------------------------------------------------------- identity

def _identity(table: RawTable) -> dict:
    ident: dict = {}
    for row in table.rows[:12]:
        for i, c in enumerate(row):
            m = match_label(c.text)
            if m and m[0] == "identity_labels" and m[1] not in ident:
                v = _next_value(row, i)
                if v and match_label(v.text) is None:
                    ident[m[1]] = re.sub(r"[-－]+$", "", v.text.strip()).strip()
    return ident


# ---------------------------------------------------------------- funds

def _fund_header(row: list[Cell]) -> list[tuple[int, str]] | None:
    """A row of column labels for money lines (全年预算数 | 全年执行数 | 执行率 ...)."""
    labels = []
    for i, c in enumerate(row):
        if parse_number(c.text).value is not None:
            return None
        m = match_label(c.text)
        if m and m[0] == "fund_labels":
            labels.append((i, m[1]))
    names = {f for _, f in labels}
    return labels if {"budget", "executed"} <= names else None


def _item_cells(row: list[Cell], header: list[tuple[int, str]]) -> list[Cell]:
    first_col = min(i for i, _ in header)
    items = [c for c in row[:max(first_col, 1)] if c.text and parse_number(c.text).value is None]
    return items or [c for c in row if c.text and parse_number(c.text).value is None][:1]


def _money_values(row: list[Cell], header: list[tuple[int, str]]) -> dict[str, tuple[Number, Cell]]:
    """The values of a money line under the header's labels. When the line's figures
    start left of the header's first money label (a label column more in the header:
    预算执行情况(10分) | 年度预算数(万元) | 年初预算 …), they are taken in order."""
    values: dict[str, tuple[Number, Cell]] = {}
    first = min(i for i, _ in header)
    lead = next((k for k, c in enumerate(row) if c.text and parse_number(c.text).value is None), None)
    filled = [k for k, c in enumerate(row) if k > (lead if lead is not None else -1) and c.text]
    if lead is not None and filled and filled[0] < first and lead < filled[0]:
        shift = first - (lead + 1)
        positions = [(i - shift, f) for i, f in header if i - shift > lead]
    else:
        positions = header
    for i, fname in positions:
        if 0 <= i < len(row) and row[i].text and fname not in values:
            n = parse_number(row[i].text)
            if n.value is not None:
                values[fname] = (n, row[i])
    return values


def _money_line(t: _Table, row: list[Cell], header: list[tuple[int, str]]) -> bool:
    """One money line under a fund header."""
    item_cells = _item_cells(row, header)
    values = _money_values(row, header)
    if not item_cells or not values:
        return False
    item = label_of(item_cells[-1].text)
    scored = any(f in ("weight", "score") for _, f in header)
    role = "task" if t.kind == "department" and scored else _role(item, t.kind)
    line = {"row_no": len(t.rows.get("funds", [])) + 1, "line": item_cells[-1].line, "item": item, "role": role}
    for fname, (n, c) in values.items():
        put_number(line, fname, n, c.loc())
    t.add("funds", line)
    return True


def _blank_money_line(row: list[Cell], header: list[tuple[int, str]]) -> bool:
    """A money line printed without amounts (其中：中央财政资金 | | |): the block goes on."""
    items = [c for c in row if c.text]
    return bool(items) and all(not c.text or re.fullmatch(r"[-—－/／]+", clean(c.text)) for c in items[1:]) and \
        bool(_vocab().blank_fund_line.search(fold(items[0].text)))


def _label_values(t: _Table, row: list[Cell]) -> None:
    """`项目预算金额 | 5385.99 | 全年执行数 | 4635 | 执行率 | 86.06%` and score rows."""
    funds: dict = {}
    for i, c in enumerate(row):
        m = match_label(c.text)
        if not m or m[0] == "identity_labels":
            continue
        group, fname = m
        nums = []
        for d in row[i + 1:]:
            if not d.text:
                continue
            if match_label(d.text):
                break
            nums.append(d)
        if group == "score_labels":
            wm = _vocab().exec_weight.search(clean(c.text))
            if wm and fname == "exec_score":
                put_number(t.score, "exec_weight", parse_number(wm.group(1)), c.loc())
            if fname == "grade":
                if nums:
                    t.score["grade"] = nums[0].text
                continue
            parsed = [(parse_number(d.text), d) for d in nums]
            parsed = [(n, d) for n, d in parsed if n.value is not None]
            if fname == "total" and len(parsed) >= 2:   # 总分 | 100 | 97.94: full score, then the total
                put_number(t.score, "weight_total", parsed[0][0], parsed[0][1].loc())
                parsed = parsed[1:]
            if parsed and fname not in t.score:
                put_number(t.score, fname, parsed[0][0], parsed[0][1].loc())
                if t.score.get("line") is None:
                    t.score["line"] = c.line
        elif group == "fund_labels" and nums:
            n = parse_number(nums[0].text)
            if n.value is not None and fname not in funds:
                funds[fname] = (n, nums[0], c)
    if {"budget", "executed"} & set(funds):
        label_cell = next(iter(funds.values()))[2]
        line = {"row_no": len(t.rows.get("funds", [])) + 1, "line": label_cell.line,
                "item": label_of(label_cell.text), "role": "total"}
        for fname, (n, cell, _) in funds.items():
            put_number(line, fname, n, cell.loc())
        t.funds_total = t.add("funds", line)


# ---------------------------------------------------------------- indicator grid

def _grid_pattern(header: list[str]) -> str:
    folded = [fold(h) for h in header]
    joined = "|".join(folded)
    if "分值" not in joined and "得分" not in joined and "权重" not in joined:
        return "no_scores"       # transfer-payment tables: … 指标值 全年实际完成值 未完成原因
    if "完成程度" in joined:
        return "completion"      # … 指标值 单位 完成值 完成程度 分值 得分
    name = next((k for k, h in enumerate(folded) if "三级指标" in h), None)
    weight = next((k for k, h in enumerate(folded) if "权重" in h), None)
    if weight is not None and "分值" not in joined and (name is None or weight < name):
        return "weight_first"    # 一级指标 权重 二级 三级 年度指标值(=权重) 完成值 得分
    if weight is None and "分值" not in joined:
        return "score_only"      # … 年初目标值(A) 实际完成值(B) 得分 (the Yunnan form)
    return "target_actual"       # … 年度指标值 实际完成值 分值 得分


def _target_span(header: list[str]) -> int:
    """How many columns the header gives between the indicator name and its actual value."""
    folded = [fold(h) for h in header]
    name = next((k for k, h in enumerate(folded) if "三级指标" in h), None)
    actual = next((k for k, h in enumerate(folded) if "完成值" in h), None)
    if name is None or actual is None or actual - name - 1 < 2:
        return 3
    return actual - name - 1


def _anchor(cells: list[str], pattern: str) -> int | None:
    """Index of the rightmost regular run of cells an indicator row ends with."""
    n = len(cells)
    for i in range(n - 1, -1, -1):
        if pattern == "score_only" and i >= 2:
            if is_plain_number(cells[i]):
                return i
        elif pattern == "completion" and i + 2 < n:
            if as_completion(cells[i]) and is_plain_number(cells[i + 1]) and is_plain_number(cells[i + 2]):
                return i
        elif pattern == "weight_first" and i + 2 < n:
            if is_plain_number(cells[i]) and cells[i + 1] and is_plain_number(cells[i + 2]):
                return i
        elif pattern == "target_actual" and i + 1 < n:
            if is_plain_number(cells[i]) and is_plain_number(cells[i + 1]) and i >= 2:
                return i
    return None


def _indicator_name(label: str) -> str:
    """The name without a template's placeholder number (指标1工程完工率 -> 工程完工率)."""
    stripped = _vocab().name_prefix.sub("", label)
    return stripped if stripped else label


def _labels(t: _Table, cells: list[Cell]) -> list[str]:
    """Name cells left of the values -> [level1?, level2?, name], recording declared
    weights (产出指标(50分), 质量指标（8）, or a bare number after a 一级 label)."""
    out: list[tuple[str, Number | None, Cell]] = []
    for c in cells:
        if not c.text:
            continue
        lab = label_of(c.text)
        if is_plain_number(c.text):
            if out and out[-1][1] is None and is_level1(out[-1][0]):
                out[-1] = (out[-1][0], parse_number(c.text), c)
            elif not out and t.level1:
                t.add("sections", {"line": c.line, "level": "level1", "label": t.level1,
                                   **_num("declared", parse_number(c.text), c)})
            continue
        if len(lab) < 2 or is_block_label(lab):
            continue
        base, declared = split_declared(lab)
        out.append((base, declared, c))
    names = [o[0] for o in out]
    if len(out) >= 3:
        levels = ["level1", "level2", "name"]
        picked = out[-3:]
    elif len(out) == 2:
        # two leading empty cells mean the 一级 column is blank: the first label is a 二级
        leading = next((k for k, c in enumerate(cells) if c.text), 0)
        levels = ["level1" if is_level1(names[0]) and leading < 2 else "level2", "name"]
        picked = out
    else:
        levels, picked = ["name"], out
    result = {}
    for lev, (label, declared, c) in zip(levels, picked):
        result[lev] = label
        if lev == "level1":
            t.level1, t.level2 = label, None
        elif lev == "level2":
            t.level2 = label
        if declared is not None and lev != "name":
            parent = t.level1 if lev == "level2" else None
            t.add("sections", {"line": c.line, "level": lev, "label": label, "parent": parent,
                               **_num("declared", declared, c)})
    return [_indicator_name(result["name"])] if "name" in result else []


def _indicator_no_scores(t: _Table, row: list[Cell], header: list[str]) -> bool:
    """Rows of a grid without 分值/得分: target and actual sit under their header
    labels; a row with more or fewer cells than the header is aligned on its right."""
    folded = [fold(h) for h in header]
    ti = next((k for k, h in enumerate(folded) if "指标值" in h), None)
    ai = next((k for k, h in enumerate(folded) if "完成值" in h), None)
    if ti is None or ai is None:
        return False
    last = max(k for k, c in enumerate(row) if c.text) if any(c.text for c in row) else -1
    shift = 0 if len(row) == len(header) else max(0, last - ai - (len(header) - 1 - ai))
    ti, ai = ti + shift, ai + shift
    if max(ti, ai) >= len(row) or not row[ti].text or not row[ai].text:   # 完成值 may stand left of 指标值
        return False
    name = _labels(t, row[:ti])
    if not name:
        return False
    target, actual = row[ti], row[ai]
    rec: dict = {"line": target.line, "level1": t.level1, "level2": t.level2, "name": name[0],
                 "target_text": target.text, "actual_text": actual.text,
                 "reason": " ".join(c.text for c in row[ai + 1:] if c.text) or None}
    tn, an = parse_number(target.text), parse_number(actual.text)
    if tn.value is not None:
        put_number(rec, "target", tn, target.loc())
    if an.value is not None:
        put_number(rec, "actual", an, actual.loc())
    rec["operator"], rec["unit"], rec["qualitative"] = tn.operator, tn.unit, tn.value is None
    t.row_no += 1
    rec["row_no"] = t.row_no
    t.add("indicators", rec)
    return True


def _split_target(t: _Table, cells: list[Cell], actual_i: int, completion: bool) -> tuple:
    """[labels…, operator?, target, unit?] left of the actual -> (labels, op, target, unit)."""
    cells = list(cells)
    while cells and not cells[-1].text:
        cells.pop()
    unit = op = target = None
    if cells and is_unit(cells[-1].text):
        unit = cells.pop()
        while cells and not cells[-1].text:
            cells.pop()
    # a label followed by the whole (empty) 运算符号/指标值/度量单位 span is the name of a
    # qualitative row without a target, not its target
    gap = actual_i - len(cells)
    if cells and not is_operator(cells[-1].text) and (unit is not None or gap < t.target_span or not completion):
        target = cells.pop()
        if cells and is_operator(cells[-1].text):
            op = cells.pop()
        elif len(cells) >= 2 and not cells[-1].text and is_operator(cells[-2].text):
            cells.pop()
            op = cells.pop()
        elif cells and _ocr_operator(t, cells[-1], target):
            op = cells.pop()
    return cells, op, target, unit


def _ocr_operator(t: _Table, cell: Cell, target: Cell | None) -> bool:
    """An operator cell that OCR read as a digit (≥ as 2), before a numeric target: the
    only reading the row allows. The cell is rewritten and the repair reported (INP010)."""
    slips = _vocab().ocr_operators
    f = fold(cell.text)
    if f not in slips or target is None or parse_number(target.text).value is None \
            or parse_number(target.text).operator is not None:
        return False
    t.add("problems", {"table_id": t.ctx.table_id, "line": cell.line, "kind": "repaired", "text": cell.text,
                       "detail": f"运算符号“{cell.text}”按 OCR 误识读作“{slips[f]}”（{cell.loc()}，其后为指标值 {target.text}）"})
    cell.text = slips[f]
    return True


def _indicator(t: _Table, row: list[Cell], pattern: str) -> bool:
    texts = _texts(row)
    i = _anchor(texts, pattern)
    if i is None:
        return False
    rec: dict = {"line": next((c.line for c in row if c.line), None)}
    if pattern == "completion":
        actual_i, weight_i, score_i, left = i - 1, i + 1, i + 2, row[:max(i - 1, 0)]
        put_number(rec, "completion", as_completion(texts[i]), row[i].loc())
    elif pattern == "weight_first":
        actual_i, weight_i, score_i, left = i + 1, i, i + 2, row[:i]
    elif pattern == "score_only":
        actual_i, weight_i, score_i, left = i - 1, None, i, row[:i - 1]
    else:
        actual_i, weight_i, score_i, left = i - 1, i, i + 1, row[:i - 1]
    if actual_i < 0:
        return False
    actual = row[actual_i]
    if weight_i is not None:
        put_number(rec, "weight", parse_number(texts[weight_i]), row[weight_i].loc())
    put_number(rec, "score", parse_number(texts[score_i]), row[score_i].loc())
    rec["actual_text"] = actual.text or None
    an = parse_number(actual.text)
    if an.value is not None:
        put_number(rec, "actual", an, actual.loc())
    rec["reason"] = " ".join(c.text for c in row[score_i + 1:] if c.text) or None
    # left of the actual: [labels…, operator?, target, unit?] (the target only where the grid has one)
    cells = list(left)
    while cells and not cells[-1].text:
        cells.pop()
    unit = op = target = None
    if pattern == "completion":
        cells, op, target, unit = _split_target(t, cells, actual_i, True)
    elif pattern in ("target_actual", "score_only") and cells:
        labels_before = [c for c in cells if c.text]
        if len(labels_before) >= 3 and (is_unit(cells[-1].text) or any(is_operator(c.text) for c in cells[-3:])):
            # … 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 (an operator and a unit around the target)
            cells, op, target, unit = _split_target(t, cells, actual_i, False)
        else:
            target = cells.pop()
    name = _labels(t, cells)
    if not name:
        if target is not None and pattern != "completion":
            name = [label_of(target.text)]
        else:
            return False
    _finish_indicator(t, rec, name[0], op, target, unit)
    return True


def _finish_indicator(t: _Table, rec: dict, name: str, op: Cell | None, target: Cell | None,
                      unit: Cell | None) -> None:
    rec["level1"], rec["level2"], rec["name"] = t.level1, t.level2, name
    rec["unit"] = clean(unit.text) if unit is not None else None
    if target is not None:
        tn = parse_number(target.text)
        rec["target_text"] = target.text
        if tn.value is not None:
            put_number(rec, "target", tn, target.loc())
        rec["operator"] = parse_operator(op.text) if op is not None and op.text else tn.operator
        if rec["unit"] is None and tn.unit:
            rec["unit"] = tn.unit
    rec["qualitative"] = rec.get("target") is None
    t.row_no += 1
    rec["row_no"] = t.row_no
    t.add("indicators", rec)


_GRID_FIELD = {"operator": "operator", "unit": "unit", "rate": "completion", "text": "reason"}


def _positions(header: list[str]) -> dict[str, int]:
    """Column of each field in a header whose cells stand under it (a rebuilt stream)."""
    pos: dict[str, int] = {}
    for k, h in enumerate(header):
        f = fold(h)
        kind = column_type(h)
        for word, level in (("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "name")):
            if word in f:
                kind = level
        if kind in ("level1", "level2", "name"):
            pos.setdefault(kind, k)
        elif kind == "any":
            key = "target" if re.search(r"指标值|目标值|标准值", f) else "actual"
            pos.setdefault(key, k)
        elif kind == "number":
            key = "score" if "得分" in f else "weight" if re.search(r"分值|权重", f) else None
            if key:
                pos.setdefault(key, k)
        elif kind in _GRID_FIELD:
            pos.setdefault(_GRID_FIELD[kind], k)
    return pos


def _indicator_by_position(t: _Table, row: list[Cell], pos: dict[str, int]) -> bool:
    """A row of a header-aligned grid whose figures are partly blank (an unfilled 完成值 or 得分)."""
    if "name" not in pos or not ({"weight", "score"} & set(pos)):
        return False

    def at(key: str) -> Cell | None:
        k = pos.get(key)
        return row[k] if k is not None and k < len(row) and row[k].text else None

    name_cell = at("name")
    if name_cell is None or _vocab().placeholder.match(fold(name_cell.text)):
        return False
    figures = [at(k) for k in ("target", "actual", "weight", "score")]
    if not any(c is not None and parse_number(c.text).value is not None for c in figures):
        return False
    labels = [row[pos[k]] for k in ("level1", "level2") if k in pos and pos[k] < len(row)] + [name_cell]
    name = _labels(t, labels)
    if not name:
        return False
    rec: dict = {"line": name_cell.line}
    for key in ("weight", "score"):
        c = at(key)
        if c is not None and parse_number(c.text).value is not None:
            put_number(rec, key, parse_number(c.text), c.loc())
    comp = at("completion")
    if comp is not None and as_completion(comp.text):
        put_number(rec, "completion", as_completion(comp.text), comp.loc())
    actual = at("actual")
    if actual is not None:
        rec["actual_text"] = actual.text
        an = parse_number(actual.text)
        if an.value is not None:
            put_number(rec, "actual", an, actual.loc())
    reason = at("reason")
    rec["reason"] = reason.text if reason is not None else None
    op = at("operator")
    if op is not None and not parse_operator(op.text):
        _ocr_operator(t, op, at("target"))
    _finish_indicator(t, rec, name[0], op, at("target"), at("unit"))
    return True


# ---------------------------------------------------------------- blocks

@dataclass
class Block:
    kind: str                        # funds | labels | goal | dept_budget | grid | scores
    rows: list[list[Cell]] = field(default_factory=list)
    header: list = field(default_factory=list)   # funds: [(col, field)]; grid: the header texts


def split_blocks(table: RawTable) -> list[Block]:
    """The table's rows, block by block (see the module doc); rows after the end of
    the grid that are not scores, and rows after a closing remark, are left out."""
    blocks: list[Block] = []
    grid: Block | None = None
    fund: Block | None = None
    goal_next = False
    ended = False
    scored = False

    def put(kind: str, row: list[Cell]) -> None:
        if blocks and blocks[-1].kind == kind and kind in ("scores", "labels"):
            blocks[-1].rows.append(row)
        else:
            blocks.append(Block(kind, [row]))

    for row in table.rows:
        texts = _texts(row)
        first = fold(next((x for x in texts if x), ""))
        if not first:
            continue
        if _vocab().stop.match(first) and (grid or scored):
            break
        if _is_score_row(texts):
            put("scores", row)
            scored = True
            if grid:
                ended = True
            continue
        if ended:
            continue
        if grid is not None and _is_grid_header(texts) and _texts(row) != grid.header:
            if sum(1 for r in grid.rows if any(c.text for c in r)) > 0:
                # a second header inside the grid (a scoring table printed under the first)
                grid = Block("grid", [], texts)
                blocks.append(grid)
                continue
        header = _fund_header(row)
        if header and not grid:
            fund = Block("funds", [row], header)
            blocks.append(fund)
            continue
        if not grid and _is_grid_header(texts):
            grid = Block("grid", [], texts)
            blocks.append(grid)
            fund = None
            continue
        if fund is not None and not _vocab().goal_header.match(first):
            if _item_cells(row, fund.header) and _money_values(row, fund.header):
                fund.rows.append(row)
                continue
            if _blank_money_line(row, fund.header):
                continue
            fund = None
        if not grid and _vocab().goal_header.match(first):
            goal_next = True
            continue
        if goal_next and not grid:
            blocks.append(Block("goal", [row]))
            goal_next = False
            continue
        if not grid and _vocab().dept_budget.match(first):
            blocks.append(Block("dept_budget", [row]))
            continue
        if not grid:
            if any(match_label(x) and match_label(x)[0] == "fund_labels" for x in texts if x):
                put("labels", row)
            continue
        grid.rows.append(row)
    return blocks


def _read_funds(t: _Table, b: Block) -> None:
    head = b.rows[0]
    base, declared = split_declared(label_of(next((c.text for c in head if c.text), "")))
    if declared is not None and t.declared_exec is None:
        t.declared_exec = (declared, head[0].loc())
    for c in head:
        wm = _vocab().exec_weight.search(clean(c.text))
        if wm and "exec_weight" not in t.score:
            put_number(t.score, "exec_weight", parse_number(wm.group(1)), c.loc())
    for row in b.rows[1:]:
        _money_line(t, row, b.header)


def _read_goal(t: _Table, b: Block) -> dict:
    row = b.rows[0]
    texts_long = [c for c in row if len(c.text) >= 4 and not match_label(c.text)]
    if texts_long:
        return {"goal": texts_long[0].text, "goal_line": texts_long[0].line,
                "goal_result": texts_long[1].text if len(texts_long) > 1 else None}
    return {}


def _read_dept_budget(t: _Table, b: Block) -> None:
    row = b.rows[0]
    value = next((c for c in row[1:] if c.text and parse_number(c.text).value is not None), None)
    if value is not None:
        t.add("funds", {"row_no": len(t.rows.get("funds", [])) + 1, "line": value.line,
                        "item": label_of(row[0].text), "role": "dept_budget",
                        **_num("budget", parse_number(value.text), value)})


_TOTAL_ROW = re.compile(r"^(合计|总计|总分)$")


def _grid_total(t: _Table, row: list[Cell]) -> bool:
    """The grid's 合计 row: the weights' total (the full score), then the scores' total."""
    cells = [c for c in row if c.text]
    if not cells or not _TOTAL_ROW.match(fold(cells[0].text)):
        return False
    nums = [(parse_number(c.text), c) for c in cells[1:] if parse_number(c.text).value is not None]
    if not nums:
        return True
    if "weight_total" not in t.score:
        put_number(t.score, "weight_total", nums[0][0], nums[0][1].loc())
    if len(nums) >= 2 and "total" not in t.score:
        put_number(t.score, "total", nums[1][0], nums[1][1].loc())
    if t.score.get("line") is None:
        t.score["line"] = cells[0].line
    return True


def _read_grid(t: _Table, b: Block) -> None:
    texts = b.header
    grid = _grid_pattern(texts)
    t.target_span = _target_span(texts)
    first = fold(next((x for x in texts if x), ""))
    if is_level1(first) and not is_block_label(first):
        t.level1 = label_of(texts[0])
    head_cell = next((x for x in texts if x), "")
    declared = split_declared(label_of(head_cell.split(" ")[0]))[1] if head_cell else None
    if declared is not None and t.declared_grid is None and is_block_label(split_declared(head_cell.split(" ")[0])[0]):
        t.declared_grid = (declared, "")
    positions = _positions(texts) if t.aligned else {}
    pending: list[Cell] | None = None   # a row that may continue on the next line
    fragments: list[str] = []   # a label wrapped over several one-cell lines ("管理" / "效率")
    for row in b.rows:
        texts_row = _texts(row)
        if _grid_total(t, row):
            continue
        if positions and _indicator_by_position(t, row, positions):
            continue    # cells under their header: read where the header says
        if grid == "no_scores":
            if _indicator_no_scores(t, row, texts):
                continue
        elif _indicator(t, row, grid):
            if pending is not None and any(parse_number(c.text).value is not None for c in pending):
                t.problem("row_unparsed", pending, "指标行找不到“完成值/分值/得分”等数值列")
            pending = None
            continue
        nonempty = [x for x in texts_row if x]
        if any(_vocab().sub_header.search(fold(x)) for x in nonempty):
            continue
        if positions and _vocab().placeholder.match(fold(nonempty[-1] if len(nonempty) == 1 else "")):
            continue    # 指标2 / …… : an empty line of the template
        if pending is not None and grid != "no_scores":
            # a row split over two lines: labels on the first, values on the second
            joined = pending + [Cell(c.text, c.line, len(pending) + k + 1) for k, c in enumerate(row) if c.text]
            if _indicator(t, joined, grid):
                pending = None
                continue
            t.problem("row_unparsed", pending, "指标行找不到“完成值/分值/得分”等数值列")
            pending = None
        if positions:
            # a header-aligned row that does not parse: its labels may still carry down
            labels = [row[positions[k]] for k in ("level1", "level2") if k in positions and positions[k] < len(row)]
            if any(c.text for c in labels) and not any(parse_number(x).value is not None for x in nonempty):
                _labels(t, labels + [Cell("", None, 0)])
                continue
        if len(nonempty) >= 2 and grid != "no_scores":
            pending = row
            continue
        if len(nonempty) == 1 and parse_number(nonempty[0]).value is None:
            fragments = (fragments + [label_of(nonempty[0])])[-4:]
            for k in range(1, len(fragments) + 1):
                candidate = "".join(fragments[-k:])
                if is_level1(candidate) and not is_block_label(candidate):
                    t.level1, t.level2 = split_declared(candidate)[0], None
                    fragments = []
                    break
            continue
        if any(parse_number(x).value is not None for x in nonempty):
            t.problem("row_unparsed", row, "指标行找不到“完成值/分值/得分”等数值列")
    if pending is not None and any(parse_number(c.text).value is not None for c in pending):
        t.problem("row_unparsed", pending, "指标行找不到“完成值/分值/得分”等数值列")


# ---------------------------------------------------------------- driver

def _normalize(table: RawTable, ctx: TableContext, kind: str) -> Rows:
    t = _Table(ctx=ctx, kind=kind, aligned=table.layout == "stream")
    ident = _identity(table)
    goal: dict = {}
    # a table the text stops inside: its last row is cut off, read no figure of it
    body = RawTable(table.title, table.rows[:-1], table.line, table.headings, table.sheet, table.page,
                    table.layout, table.preamble) if table.truncated and len(table.rows) > 1 else table
    for b in split_blocks(body):
        if b.kind == "funds":
            _read_funds(t, b)
        elif b.kind in ("labels", "scores"):
            for row in b.rows:
                _label_values(t, row)
        elif b.kind == "goal":
            goal = _read_goal(t, b) or goal
        elif b.kind == "dept_budget":
            _read_dept_budget(t, b)
        elif b.kind == "grid":
            _read_grid(t, b)
    if t.funds_total is None:
        t.funds_total = next((f for f in t.rows.get("funds", []) if f.get("role") == "total"), None)
    if t.funds_total is not None and kind == "project":
        # 分值/得分 printed on the money line are the execution-rate weight and score
        for src, dst in (("weight", "exec_weight"), ("score", "exec_score")):
            if t.funds_total.get(src) is not None and t.score.get(dst) is None:
                for suffix in ("", "_raw", "_tol", "_loc"):
                    t.score[dst + suffix] = t.funds_total.get(src + suffix)
    if t.declared_exec is not None and t.score.get("exec_weight") is None:
        put_number(t.score, "exec_weight", t.declared_exec[0], t.declared_exec[1])
    if t.declared_grid is not None and t.score.get("weight_total") is None and t.score.get("exec_weight") is not None:
        # 预算执行情况(10分) + 绩效指标(90分): the table's full score
        full = t.declared_grid[0].value + t.score["exec_weight"]
        put_number(t.score, "weight_total", parse_number(f"{full:g}"), None)
    title = ctx.title
    t.add("tables", {"kind": ctx.kind, "title": title, "name": ident.get("name"), "unit": ident.get("unit"),
                     "year": ctx.year, "line": table.first_line(), **goal})
    if table.truncated:
        last = next((c.line for c in table.rows[-1] if c.line), None)
        t.rows["problems"] = [p for p in t.rows.get("problems", [])
                              if not (p["kind"] == "row_unparsed" and p.get("line") == last)]
        t.problem("truncated", table.rows[-1], "表格在摘录结尾处被截断，缺少的行无法读取；合计与得分未核对")
    elif t.score or t.rows.get("indicators"):
        t.add("scores", {"kind": kind, **t.score})
    if not t.rows.get("indicators") and not t.rows.get("funds"):
        t.problem("unrecognized", table.rows[0], "识别为自评表，但未找到资金行或指标行")
    return t.rows


def normalize_project(table: RawTable, ctx: TableContext) -> Rows:
    return _normalize(table, ctx, "project")


def normalize_department(table: RawTable, ctx: TableContext) -> Rows:
    return _normalize(table, ctx, "department")


def normalize_scoring(table: RawTable, ctx: TableContext) -> Rows:
    """A scoring table (指标 | 标准值 | 实际值 | 评分标准 | 分值 | 自评得分): indicator rows read
    under their header. It has no score block of its own, so no sums are checked on it."""
    t = _Table(ctx=ctx, kind="project", aligned=True)
    header = next((r for r in table.rows if sum(1 for c in r if column_type(c.text)) >= 3), None)
    if header is not None:
        pos = _positions(_texts(header))
        for row in table.rows[table.rows.index(header) + 1:]:
            if _grid_total(t, row):
                continue
            if not _indicator_by_position(t, row, pos) and any(parse_number(c.text).value is not None for c in row
                                                              if c.text):
                t.problem("row_unparsed", row, "评分表的行找不到“标准值/实际值/分值/得分”等数值列")
    t.add("tables", {"kind": ctx.kind, "title": ctx.title, "year": ctx.year, "line": table.first_line()})
    if not t.rows.get("indicators"):
        t.problem("unrecognized", table.rows[0], "识别为评分表，但未找到指标行")
    return t.rows


__all__ = ["normalize_project", "normalize_department", "normalize_scoring", "split_blocks", "Block"]
