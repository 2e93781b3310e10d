"""Project and department self-evaluation tables -> funds, indicators, scores,
sections and tables rows.

Cells are found by their labels, not by column numbers (PDF extraction shifts
columns): header blocks are read as label -> next value; indicator rows are read
from the right, where the cells are most regular (… 完成值 完成程度 分值 得分),
names from the left, with 一级/二级 labels carried down from the last row that had
one. A row inside the indicator grid that does not parse becomes a problem row
(INP004), never a silent skip.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.ingest.raw import Cell, RawTable
from auditor.model.tables import put_number
from auditor.normalize import Rows, TableContext
from auditor.normalize.cells import (as_completion, is_block_label, is_level1, is_operator, is_plain_number,
                                     is_unit, label_of, match_label, split_declared)
from auditor.normalize.numbers import Number, clean, parse_number, parse_operator
from auditor.recognize import fold

ROLE_WORDS = [  # item label -> role of a money line; first match wins
    ("年度资金总额", "total"), ("资金总额", "total"), ("合计", "total"), ("总计", "total"),
    ("中央", "central"), ("当年财政拨款", "fiscal"), ("财政拨款", "fiscal"), ("上年结转", "carryover"),
    ("其他资金", "other"), ("其他", "other"), ("地方", "local"), ("省级", "local"), ("市级", "local"),
    ("县级", "local"), ("基本支出", "basic"), ("项目支出", "project"), ("人员经费", "personnel"),
    ("公用经费", "public"),
]
INDICATOR_HEADER = re.compile(r"三级指标|指标值|完成值")
STOP = re.compile(r"^(结果应用|主管部门审核|财政部门审核|主管部门总体|财政部门总体|备注|说明)")
SUB_HEADER = re.compile(r"运算符号|度量单位|经费保障|制度保障|一级指标|二级指标|三级指标|偏差原因|未完成原因")
EXEC_WEIGHT_IN_LABEL = re.compile(r"(\d+(?:\.\d+)?)分\*执行率")
GOAL_HEADER = re.compile(r"^(年度总体目标|年度目标|总体目标|年度绩效目标)")
DEPT_BUDGET = re.compile(r"^(部门|单位).{0,6}预算支出(金额|总额|数)")


@dataclass
class _Table:
    ctx: TableContext
    kind: str                       # project | department
    rows: Rows = field(default_factory=dict)
    score: dict = field(default_factory=dict)
    funds_total: dict | None = None
    level1: str | None = None
    level2: str | None = None
    row_no: int = 0
    target_span: int = 3    # header cells between 三级指标 and 完成值 (运算符号, 指标值, 度量单位)

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
    for word, role in ROLE_WORDS:
        if word in f:
            return role
    return "task" if kind == "department" else "line"


# ---------------------------------------------------------------- header block

def _identity(t: _Table, table: RawTable) -> dict:
    ident: dict = {}
    for row in table.rows[:12]:
        for i, c in enumerate(row):
            m = match_label(c.text)
            if m and m[0] == "identity_labels" and m[1] not in ident:
                v = _next_value(row, i)
                if v and match_label(v.text) is None:
                    ident[m[1]] = re.sub(r"[-－]+$", "", v.text.strip()).strip()
    return ident


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


def _money_row(t: _Table, row: list[Cell], header: list[tuple[int, str]]) -> bool:
    """One money line under a fund header, mapped by position (the header and its
    rows come from the same grid)."""
    first_col = min(i for i, _ in header)
    item_cells = [c for c in row[:max(first_col, 1)] if c.text and parse_number(c.text).value is None]
    if not item_cells:
        item_cells = [c for c in row if c.text and parse_number(c.text).value is None][:1]
    values = {}
    for i, fname in header:
        if i < len(row) and row[i].text and fname not in values:
            n = parse_number(row[i].text)
            if n.value is not None:
                values[fname] = (n, row[i])
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
            wm = EXEC_WEIGHT_IN_LABEL.search(clean(c.text))
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
    joined = "|".join(fold(h) for h in header)
    if "分值" not in joined and "得分" not in joined and "权重" not in joined:
        return "no_scores"       # transfer-payment tables: … 指标值 全年实际完成值 未完成原因
    if "完成程度" in joined:
        return "completion"      # … 指标值 单位 完成值 完成程度 分值 得分
    if "权重" in joined and "分值" not in joined:
        return "weight_first"    # 一级指标 权重 二级 三级 年度指标值(=权重) 完成值 得分
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
        if pattern == "completion" and i + 2 < n:
            if as_completion(cells[i]) and is_plain_number(cells[i + 1]) and is_plain_number(cells[i + 2]):
                return i
        elif pattern == "weight_first" and i + 2 < n:
            if is_plain_number(cells[i]) and cells[i + 1] and is_plain_number(cells[i + 2]):
                return i
        elif pattern == "target_actual" and i + 1 < n:
            if is_plain_number(cells[i]) and is_plain_number(cells[i + 1]) and i >= 2:
                return i
    return None


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
    return [result.get("name")] if "name" in result else []


def _num(name: str, n: Number, c: Cell) -> dict:
    row: dict = {}
    put_number(row, name, n, c.loc())
    return row


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
    else:
        actual_i, weight_i, score_i, left = i - 1, i, i + 1, row[:i - 1]
    if actual_i < 0:
        return False
    actual = row[actual_i]
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
        if cells and is_unit(cells[-1].text):
            unit = cells.pop()
            while cells and not cells[-1].text:
                cells.pop()
        # a label followed by the whole (empty) 运算符号/指标值/度量单位 span is the name of a
        # qualitative row without a target, not its target
        gap = actual_i - len(cells)
        if cells and not is_operator(cells[-1].text) and (unit is not None or gap < t.target_span):
            target = cells.pop()
            if cells and is_operator(cells[-1].text):
                op = cells.pop()
            elif len(cells) >= 2 and not cells[-1].text and is_operator(cells[-2].text):
                cells.pop()
                op = cells.pop()
    elif pattern == "target_actual" and cells:
        target = cells.pop()
    name = _labels(t, cells)
    if not name:
        if target is not None and pattern != "completion":
            name = [label_of(target.text)]
        else:
            return False
    rec["level1"], rec["level2"], rec["name"] = t.level1, t.level2, name[0]
    rec["unit"] = clean(unit.text) if unit is not None else None
    if target is not None:
        tn = parse_number(target.text)
        rec["target_text"] = target.text
        if tn.value is not None:
            put_number(rec, "target", tn, target.loc())
        rec["operator"] = parse_operator(op.text) if op is not None else tn.operator
        if rec["unit"] is None and tn.unit:
            rec["unit"] = tn.unit
    rec["qualitative"] = rec.get("target") is None
    t.row_no += 1
    rec["row_no"] = t.row_no
    t.add("indicators", rec)
    return True


# ---------------------------------------------------------------- driver

def _normalize(table: RawTable, ctx: TableContext, kind: str) -> Rows:
    t = _Table(ctx=ctx, kind=kind)
    ident = _identity(t, table)
    fund_header = None
    grid = None           # indicator pattern once the grid header was seen
    grid_header: list[str] = []
    pending: list[Cell] | None = None   # a row that may continue on the next line
    goal: dict = {}
    goal_next = False
    ended = False
    fragments: list[str] = []   # a label wrapped over several one-cell lines ("管理" / "效率")
    for row in table.rows:
        texts = _texts(row)
        first = fold(next((x for x in texts if x), ""))
        if not first:
            continue
        if STOP.match(first) and (grid or t.score):
            break
        has_score_label = any(match_label(x) and match_label(x)[0] == "score_labels" for x in texts if x)
        if has_score_label and any(parse_number(x).value is not None for x in texts if x):
            _label_values(t, row)
            if grid:
                ended = True
            continue
        if ended:
            continue
        header = _fund_header(row)
        if header and not grid:
            fund_header = header
            continue
        if not grid and sum(1 for x in texts if x and INDICATOR_HEADER.search(fold(x))) >= 2:
            grid = _grid_pattern(texts)
            grid_header = texts
            t.target_span = _target_span(texts)
            fund_header = None
            if is_level1(first) and not is_block_label(first):
                t.level1 = label_of(texts[0])
            continue
        if fund_header:
            if _money_row(t, row, fund_header):
                continue
            fund_header = None
        if not grid and GOAL_HEADER.match(first):
            goal_next = True
            continue
        if goal_next and not grid:
            texts_long = [c for c in row if len(c.text) >= 4 and not match_label(c.text)]
            if texts_long:
                goal = {"goal": texts_long[0].text, "goal_line": texts_long[0].line,
                        "goal_result": texts_long[1].text if len(texts_long) > 1 else None}
            goal_next = False
            continue
        if not grid and DEPT_BUDGET.match(first):
            value = next((c for c in row[1:] if c.text and parse_number(c.text).value is not None), None)
            if value is not None:
                t.add("funds", {"row_no": len(t.rows.get("funds", [])) + 1, "line": value.line,
                                "item": label_of(texts[0]), "role": "dept_budget",
                                **_num("budget", parse_number(value.text), value)})
            continue
        if not grid:
            if any(match_label(x) and match_label(x)[0] == "fund_labels" for x in texts if x):
                _label_values(t, row)
            continue
        if grid == "no_scores":
            if _indicator_no_scores(t, row, grid_header):
                continue
        elif _indicator(t, row, grid):
            if pending is not None and any(parse_number(c.text).value is not None for c in pending):
                t.problem("row_unparsed", pending, "指标行找不到“完成值/分值/得分”等数值列")
            pending = None
            continue
        nonempty = [x for x in texts if x]
        if any(SUB_HEADER.search(fold(x)) for x in nonempty):
            continue
        if pending is not None and grid != "no_scores":
            # a row split over two lines: labels on the first, values on the second
            joined = pending + [Cell(c.text, c.line, len(pending) + k + 1) for k, c in enumerate(row) if c.text]
            if _indicator(t, joined, grid):
                pending = None
                continue
            t.problem("row_unparsed", pending, "指标行找不到“完成值/分值/得分”等数值列")
            pending = None
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
    if t.funds_total is None:
        t.funds_total = next((f for f in t.rows.get("funds", []) if f.get("role") == "total"), None)
    if t.funds_total is not None and kind == "project":
        # 分值/得分 printed on the money line are the execution-rate weight and score
        for src, dst in (("weight", "exec_weight"), ("score", "exec_score")):
            if t.funds_total.get(src) is not None and t.score.get(dst) is None:
                for suffix in ("", "_raw", "_tol", "_loc"):
                    t.score[dst + suffix] = t.funds_total.get(src + suffix)
    title = ctx.title
    t.add("tables", {"kind": ctx.kind, "title": title, "name": ident.get("name"), "unit": ident.get("unit"),
                     "year": ctx.year, "line": table.first_line(), **goal})
    if t.score or t.rows.get("indicators"):
        t.add("scores", {"kind": kind, **t.score})
    if not t.rows.get("indicators") and not t.rows.get("funds"):
        t.problem("unrecognized", table.rows[0], "识别为自评表，但未找到资金行或指标行")
    return t.rows


def normalize_project(table: RawTable, ctx: TableContext) -> Rows:
    return _normalize(table, ctx, "project")


def normalize_department(table: RawTable, ctx: TableContext) -> Rows:
    return _normalize(table, ctx, "department")
