"""Performance target tables -> `targets` rows and a `tables` row.

- 部门预算项目(政策)绩效目标表 (表17, kind project_targets): an identity block
  (项目(政策)名称, 主管部门/实施单位, 预算资金情况, 总体目标), then indicator rows
  ``一级指标 | 二级指标 | 三级指标 | 运算符号 | 指标值 | 度量单位 | 完成时限``. Each
  indicator is a row with ``project`` = the project name and ``budget`` = the
  project's 预算资金情况.
- 部门(单位)整体绩效目标表 (表16, kind department_targets): the unit's name, a
  block of 年度主要任务 rows (对应项目 and its 预算资金情况), the 年度绩效目标 text,
  then the same indicator grid. A task row becomes a targets row with
  ``level1`` = '年度主要任务', ``name`` = the task/project and ``budget`` = its
  amount (no target); indicator rows have ``budget`` NULL.

Indicator rows are read by content, not by column number, because extracted
rows are shifted left or right: the 完成时限 is the rightmost date-like cell, the
运算符号 the cell that is an operator (>=, ≤, 不低于, 不晚于 …), the 指标值 the cell
after it (or, without an operator, the last cell), the 度量单位 a unit-like cell
after the value; the cells before are, from the right, the 三级指标 name, the
二级指标 and the 一级指标. 一级/二级 labels carry down from the last row that had
one; a row holding only labels (成本指标 with nothing after it) sets them and
gives no target; a name left on such a row is joined to the next row when that
row has a value but no name (a row split over two lines).

A target is numeric (``target``) only when its unit is empty, % or a real unit
(“23年目标参保人” is text); ``target_text`` always keeps the printed value.
"""
from __future__ import annotations

import re
from functools import lru_cache

from auditor.ingest.raw import Cell, RawTable
from auditor.model.numbers import clean, parse_number, parse_operator
from auditor.model.tables import put_number
from auditor.normalize import Rows, TableContext
from auditor.normalize.cells import is_level1, is_unit
from auditor.normalize.ledger import real_title
from auditor.recognize import fold, vocabulary

TAG = re.compile(r"</?[a-zA-Z][^>]*>")
UNIT_CODE = re.compile(r"^\d{4,}\s*|[-－]\s*\d{4,}$")


class _Words:
    """The target tables' words, from the vocabulary (section `targets`)."""

    def __init__(self) -> None:
        v = vocabulary()["targets"]
        for key in ("identity", "unit_label", "skip_label", "budget", "goal", "tasks", "header_words", "block",
                    "level2", "date"):
            setattr(self, key, re.compile(v[key]))
        self.deadline_operators = {fold(tok): op for op, toks in vocabulary()["deadline_operators"].items()
                                   for tok in toks}


@lru_cache(maxsize=1)
def _words() -> _Words:
    return _Words()


def _text(cell: Cell) -> str:
    return TAG.sub("", cell.text or "").strip()


def _name(text: str) -> str:
    """A name for display, as printed but for the spaces PDF wrapping leaves between Chinese
    characters (labels are matched by their fold, auditor.recognize.fold; names keep their brackets
    so that the same project reads the same in every table)."""
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text.strip())


def _operator(text: str) -> str | None:
    s = clean(text)
    return parse_operator(s) or _words().deadline_operators.get(s)


def _is_amount(text: str) -> bool:
    n = parse_number(text)
    return n.value is not None and n.operator is None and n.unit is None


def _target(text: str):
    """(Number or None, unit) of a printed 指标值: numeric only with a real unit."""
    n = parse_number(text)
    if n.value is None:
        return None, None
    if n.percent:
        return n, "%"
    if n.unit is None or is_unit(n.unit):
        return n, n.unit
    return None, None


class _Targets:
    def __init__(self, table: RawTable, ctx: TableContext):
        self.table, self.ctx = table, ctx
        self.project: str | None = None
        self.unit: str | None = None
        self.budget: tuple | None = None       # (Number, loc)
        self.level1: str | None = None
        self.level2: str | None = None
        self.pending: str | None = None
        self.rows: list[dict] = []

    def add(self, line, level1, level2, name, operator=None, target=None, target_loc=None, target_text=None,
            unit=None, deadline=None, budget=None) -> None:
        row = {"doc_id": self.ctx.doc_id, "table_id": self.ctx.table_id, "row_no": len(self.rows) + 1, "line": line,
               "project": self.project, "level1": level1, "level2": level2, "name": name, "operator": operator,
               "unit": unit, "target_text": target_text, "deadline": deadline}
        if target is not None:
            put_number(row, "target", target, target_loc)
        if budget is not None:
            put_number(row, "budget", budget[0], budget[1])
        self.rows.append(row)

    def task(self, cells: list[Cell], line) -> None:
        texts = [(c, _text(c)) for c in cells if _text(c)]
        amount = next(((c, t) for c, t in texts if _is_amount(t)), None)
        labels = [_name(t) for c, t in texts if not _is_amount(t) and (amount is None or c.col < amount[0].col)]
        if not labels:
            return
        budget = (parse_number(amount[1]), amount[0].loc()) if amount else None
        self.add(line, "年度主要任务", labels[0] if len(labels) > 1 else None, labels[-1], budget=budget)

    def indicator(self, cells: list[Cell], line) -> None:
        items = [(c, _text(c)) for c in cells if _text(c) and not _words().block.match(fold(_text(c)))]
        deadline = None
        if items and _words().date.match(clean(items[-1][1])):
            deadline = items.pop()[1]
        op_i = next((i for i, (_, t) in enumerate(items) if _operator(t)), None)
        value_cells: list[tuple[Cell, str]] = []
        if op_i is not None:
            labels, value_cells = items[:op_i], items[op_i + 1:]
            operator = _operator(items[op_i][1])
        else:
            operator = None
            numeric_tail = bool(items) and _target(items[-1][1])[0] is not None
            if deadline is None and not numeric_tail:
                self.section([t for _, t in items])
                return
            if len(items) >= 2 and is_unit(items[-1][1]) and _target(items[-2][1])[0] is not None:
                labels, value_cells = items[:-2], items[-2:]
            elif len(items) >= 2 or (items and deadline):
                labels, value_cells = items[:-1], items[-1:]
            else:
                labels, value_cells = items, []
        labels_t = [_name(t) for _, t in labels]
        name = labels_t[-1] if labels_t else self.pending
        if len(labels_t) >= 3:
            self.level1, self.level2 = labels_t[-3], labels_t[-2]
        elif len(labels_t) == 2:
            if is_level1(labels_t[0]):
                self.level1, self.level2 = labels_t[0], None
            else:
                self.level2 = labels_t[0]
        self.pending = None
        target = unit = target_text = None
        target_loc = None
        if value_cells:
            vc, vt = value_cells[0]
            target_text = vt
            target, unit = _target(vt)
            target_loc = vc.loc()
            if target is not None and target.operator and operator is None:
                operator = target.operator
            if target is None and operator is None:
                operator = parse_number(vt).operator
            rest = [t for _, t in value_cells[1:]]
            if rest and (is_unit(rest[0]) or unit is None):
                unit = clean(rest[0]) if is_unit(rest[0]) or target is None else unit
        budget = self.budget if self.ctx.kind == "project_targets" else None
        self.add(line, self.level1, self.level2, name, operator, target, target_loc, target_text, unit, deadline,
                 budget)

    def section(self, labels: list[str]) -> None:
        """A row of labels only: sets 一级/二级, or holds a name whose value is on the next line."""
        for t in labels:
            t = _name(t)
            if is_level1(t):
                self.level1, self.level2 = t, None
            elif _words().level2.search(t) and len(t) <= 12:
                self.level2 = t
            else:
                self.pending = t


def normalize_targets(table: RawTable, ctx: TableContext) -> Rows:
    t = _Targets(table, ctx)
    mode = None
    for row in table.rows:
        cells = [c for c in row if _text(c)]
        if not cells:
            continue
        first = fold(_text(cells[0]))
        line = next((c.line for c in row if c.line), None)
        folded = [fold(_text(c)) for c in cells]
        if _words().identity.match(first) and len(cells) > 1:
            t.project = _name(UNIT_CODE.sub("", _text(cells[1])).strip()) or None
            mode = None
            continue
        if any(_words().unit_label.match(f) for f in folded):
            i = next(i for i, f in enumerate(folded) if _words().unit_label.match(f))
            if i + 1 < len(cells):
                t.unit = _name(_text(cells[i + 1]))
        if _words().skip_label.match(first):
            continue
        if any(_words().tasks.match(f) for f in folded):
            mode = "tasks"
            continue
        if _words().budget.match(first) and mode != "tasks":
            amount = next((c for c in cells[1:] if _is_amount(_text(c))), None)
            if amount is not None:
                t.budget = (parse_number(_text(amount)), amount.loc())
            continue
        if _words().goal.match(first):
            mode = None
            continue
        if sum(1 for f in folded if _words().header_words.match(f)) >= 2:
            mode = "indicators"
            continue
        if mode == "tasks":
            t.task(cells, line)
        elif mode == "indicators":
            t.indicator(cells, line)
    title = real_title(ctx.headings or table.headings) or ctx.title or table.title
    tables = [{"doc_id": ctx.doc_id, "table_id": ctx.table_id, "kind": ctx.kind, "title": title, "name": t.project,
               "unit": t.unit or (t.project if ctx.kind == "department_targets" else None), "year": ctx.year,
               "line": table.first_line()}]
    return {"targets": t.rows, "tables": tables}


__all__ = ["normalize_targets"]
