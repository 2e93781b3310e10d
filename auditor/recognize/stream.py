"""A table flattened into a stream of cells -> rows, read by its header.

Web pages and Word exports often print a table one cell per line or per
paragraph (``layout="stream"``): where a row ends is lost. The template says it
again: the header words (vocabulary ``stream_columns``) tell how many columns a
row has and what each holds (a label, an operator, a unit, an amount, a rate, a
text), so the cells after a header are cut into the rows that fit them best:

- a row is its labels (a suffix of the label columns: a 一级/二级 label spans the
  rows below it and is printed once) followed by its values in template order,
  the trailing ones possibly missing (a merged cell);
- the cut is the best-scoring one over the whole run (dynamic programming), so a
  text that could be a reason or the next row's label is decided by what
  follows it: ``财政专户管理资金`` followed by ``0.00`` starts a row, ``完成``
  followed by ``90`` is a 完成值;
- a header cell wrapped over two paragraphs (``年初`` / ``预算数``, ``得分`` /
  ``(20分*执行率)``, ``经济效益`` / ``指标``) is joined first;
- outside the header blocks (identity, goals, conclusions) a row starts at each
  known label (项目名称, 主管部门, 评价结论 …) and holds the cells after it.

The rows come out aligned on their header: the header row and every data row
have the label columns first (blank where a spanning label was printed above),
then one cell per value column, so the normalizers read them like any grid.
Row boundaries that the text did show (a longer run of blank lines) are kept.
A stream whose last row stops short of its header (a page stored truncated) is
marked ``truncated`` on the table: its arithmetic is not to be trusted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from auditor.ingest.raw import Cell, RawTable
from auditor.recognize import fold, vocabulary
from auditor.recognize.labels import (column_type, is_level1, is_level2, is_row_label, is_stop,
                                      match_label)

LABEL_TYPES = ("group", "code", "level1", "level2", "name", "item")
_NUM = re.compile(r"^(?:[<>≤≥=]=?)?[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_PCT = re.compile(r"^(?:[<>≤≥=]=?)?[-+]?\d+(?:\.\d+)?%$")
_DASH = re.compile(r"^[-—－/／–~～…·.]+$")
_CODE = re.compile(r"^\d{3}(?:\d{2}){0,3}$")
_OPERATOR = re.compile(r"^(>=|<=|=|>|<|≥|≤|≧|≦|＞|＜|＝|不低于|不少于|不高于|不超过|不大于|不小于|大于等于|小于等于|定性|定量)$")
_UNIT = re.compile(r"^(%|‰|百分点|[万千百亿]?(元|人次|人|户|家|个|次|天|日|月|年|小时|项|件|册|篇|场|所|台|套|公里|米|平方米|亩|"
                   r"吨|公斤|条|份|辆|张|批|期|座|处|名|例|床|课时|学时|本|页|分|立方米|头|只|株|棵|个工作日|工作日))$")
_PAREN = re.compile(r"^[(（][^()（）]{1,16}[)）]$")
TOTAL = re.compile(r"^(合计|总计|小计|总分)")
_TAILS = {"指标", "预算数", "执行数", "完成值", "指标值", "预算", "目标值", "分析", "措施"}


def is_total(text: str) -> bool:
    return bool(TOTAL.match(fold(text)))


def kind_of(text: str) -> str:
    """What a cell looks like: blank, dash, num, pct, op, unit, label, stop, text."""
    f = fold(text)
    if not f:
        return "blank"
    if _DASH.match(f):
        return "dash"
    if _PCT.match(f):
        return "pct"
    if _NUM.match(f):
        return "num"
    if _OPERATOR.match(f):
        return "op"
    if _UNIT.match(f):
        return "unit"
    if is_stop(f):
        return "stop"
    if is_level1(f):
        return "level1"
    if is_level2(f):
        return "level2"
    return "text"


NEG = -1e9
# score of a cell of a kind under a value column of a type
VALUE_SCORE = {
    "number": {"num": 2, "pct": 0.5, "blank": 1, "dash": 1, "text": -4, "op": -4, "unit": -3},
    "rate": {"pct": 2, "num": 1.5, "blank": 1, "dash": 1, "text": -4, "op": -4, "unit": -3},
    "operator": {"op": 2, "blank": 0.5, "dash": 0.5, "text": -3, "num": -3, "pct": -3, "unit": -3},
    "unit": {"unit": 2, "blank": 0.5, "dash": 0.5, "text": -2, "num": -3, "pct": -3, "op": -3},
    "any": {"num": 1.5, "pct": 1.5, "text": 1, "blank": 0.5, "dash": 0.5, "op": -1, "unit": -1},
    "text": {"text": 1, "blank": 0.5, "dash": 0.5, "num": 0, "pct": 0, "op": -1, "unit": -1},
}
LABEL_SCORE = {
    "level1": {"level1": 3, "text": -1},
    "level2": {"level2": 3, "text": 0.5},
    "name": {"text": 1, "level2": -1, "level1": -1, "unit": -1},
    "item": {"text": 1, "level1": 0, "level2": 0, "unit": -1},
    "code": {"num": 2},
}
MISSING = 0.8      # per value column a short row leaves out


@dataclass
class _Header:
    labels: list[str]          # types of the label columns (level1, level2, name / code, item)
    values: list[str]          # types of the value columns
    cells: list[Cell]          # the header cells, aligned: one per label column, then one per value column

    @property
    def width(self) -> int:
        return len(self.labels) + len(self.values)


def _join_fragments(cells: list[Cell]) -> list[Cell]:
    """Cells wrapped over two paragraphs: `年初` + `预算数`, `得分` + `(20分*执行率)`, `经济效益` + `指标`."""
    out: list[Cell] = []
    for c in cells:
        if out and c.text and out[-1].text:
            prev = out[-1]
            a, b = fold(prev.text), fold(c.text)
            kb = kind_of(c.text)
            joined = a + b
            glue = (_PAREN.match(b) and kind_of(prev.text) not in ("num", "pct", "dash") and not _NUM.match(a)) \
                or (b in _TAILS and column_type(joined) is not None and column_type(a) is None) \
                or (b == "指标" and kind_of(prev.text) in ("text", "level1", "level2")) \
                or (column_type(a) is None and kb == "text" and column_type(joined) is not None
                    and column_type(b) is None and len(a) <= 4)
            if glue:
                out[-1] = Cell(prev.text + c.text, prev.line, prev.col, prev.cell, prev.sheet)
                continue
        out.append(c)
    return out


def _header_at(cells: list[Cell], i: int) -> tuple[_Header, int] | None:
    """A header run starting at cells[i]: consecutive header words (blanks inside
    allowed), at least two, at least one of them a value column."""
    run: list[tuple[Cell, str]] = []
    j = i
    while j < len(cells):
        c = cells[j]
        if not c.text:
            j += 1
            continue
        t = column_type(c.text)
        if t is None:
            break
        if is_row_label(c.text) and j + 1 < len(cells) and kind_of(cells[j + 1].text) in ("num", "pct"):
            break
        run.append((c, t))
        j += 1
    while j > i and not cells[j - 1].text:
        j -= 1
    types = [t for _, t in run]
    if len(run) < 2 or not any(t not in LABEL_TYPES for t in types):
        return None
    # leading groups head the whole block when label columns follow them, else the item column
    k = 0
    while k < len(run) and types[k] == "group":
        k += 1
    groups, rest = run[:k], run[k:]
    label_cells = [(c, t) for c, t in rest if t in LABEL_TYPES]
    value_cells = [(c, t) for c, t in rest if t not in LABEL_TYPES]
    if not label_cells:
        # the row-label column: headed by the group label, or by nothing (a blank header cell)
        label_cells = [(groups[0][0] if groups else Cell("", run[0][0].line, 0), "item")]
    labels = [t if t != "group" else "item" for _, t in label_cells]
    header_cells = [Cell(c.text, c.line, 0) for c, _ in label_cells] + [Cell(c.text, c.line, 0) for c, _ in value_cells]
    if groups and len(label_cells) > 1 or groups and label_cells[0][0] is not groups[0][0]:
        # the block label (绩效指标(90分)) heads the label columns: kept on the first of them
        header_cells[0] = Cell(groups[0][0].text + " " + header_cells[0].text, groups[0][0].line, 0)
    for k2, c in enumerate(header_cells, 1):
        c.col = k2
    return _Header(labels, [t for _, t in value_cells], header_cells), j


def _label_score(col: str, kind: str) -> float:
    return LABEL_SCORE.get(col, {}).get(kind, NEG if kind in ("num", "pct", "blank", "dash", "stop", "op") else -2)


def _rows(cells: list[Cell], h: _Header, forced: set[int]) -> list[tuple[list[Cell | None], list[Cell], bool]]:
    """Best cut of `cells` into rows of `h`: (labels aligned to the label columns, values, short)."""
    n = len(cells)
    kinds = [kind_of(c.text) for c in cells]
    nl, nv = len(h.labels), len(h.values)
    best = [NEG] * (n + 1)
    choice: list[tuple[int, int, int] | None] = [None] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        if best[i] <= NEG / 2:
            continue
        for ln in range(1, nl + 1):
            cols = h.labels[nl - ln:]
            if i + ln > n:
                break
            s = 0.0
            ok = True
            for k, col in enumerate(cols):
                if k > 0 and i + k in forced:
                    ok = False
                    break
                sc = _label_score(col, kinds[i + k])
                if sc <= NEG / 2:
                    ok = False
                    break
                s += sc
            if not ok:
                continue
            total = s
            for v in range(0, nv + 1):
                end = i + ln + v
                if end > n:
                    break
                if v > 0:
                    if end - 1 in forced and end - 1 > i:
                        break
                    kv = kinds[end - 1]
                    if kv == "stop" or kv in ("level1",) and h.values[v - 1] != "any":
                        break
                    total += VALUE_SCORE[h.values[v - 1]].get(kv, -4)
                if end < n and end not in forced and kinds[end] in ("blank",) and v == nv:
                    pass
                score = best[i] + total - MISSING * (nv - v)
                if score > best[end]:
                    best[end] = score
                    choice[end] = (i, ln, v)
        # a cell no row can start with: kept alone (reported as unparsed downstream)
        if best[i] - 5 > best[i + 1]:
            best[i + 1] = best[i] - 5
            choice[i + 1] = (i, 0, 0)
    out: list[tuple[list[Cell | None], list[Cell], bool]] = []
    end = n
    while end > 0:
        i, ln, v = choice[end]
        labels: list[Cell | None] = [None] * (nl - ln) + cells[i:i + ln]
        if ln == 0:
            labels = [None] * (nl - 1) + [cells[i]]
        out.append((labels, cells[i + ln:i + ln + v], v < nv))
        end = i
    return out[::-1]


def _emit(labels: list[Cell | None], values: list[Cell], h: _Header, line: int | None) -> list[Cell]:
    row: list[Cell] = []
    for k, c in enumerate(labels):
        row.append(Cell(c.text, c.line, k + 1, c.cell, c.sheet) if c else Cell("", line, k + 1))
    base = len(labels)
    vals = list(values)
    if labels and labels[-1] is not None and is_total(labels[-1].text) and len(vals) < len(h.values) \
            and "item" not in h.labels:
        # 合计 | 100: a total row's figures stand under the last columns (the weights and scores)
        numeric = [k for k, t in enumerate(h.values) if t in ("number", "rate", "text")]
        tail = numeric[-len(vals):] if len(numeric) >= len(vals) else list(range(len(vals)))
        placed = {k: c for k, c in zip(tail, vals)}
        vals = [placed.get(k) for k in range(len(h.values))]
    for k in range(len(h.values)):
        c = vals[k] if k < len(vals) else None
        row.append(Cell(c.text, c.line, base + k + 1, c.cell, c.sheet) if c else Cell("", line, base + k + 1))
    return row


def _free_rows(cells: list[Cell], forced: set[int]) -> list[list[Cell]]:
    """Cells outside header blocks: a row at every known label, the cells after it its values."""
    rows: list[list[Cell]] = []
    for k, c in enumerate(cells):
        starts = not rows or k in forced or (c.text and (match_label(c.text) is not None or is_stop(c.text)))
        if starts:
            rows.append([])
        rows[-1].append(Cell(c.text, c.line, len(rows[-1]) + 1, c.cell, c.sheet))
    return [r for r in rows if any(x.text for x in r)]


@lru_cache(maxsize=1)
def _known_labels() -> list[str]:
    v = vocabulary()
    words = set(v["level1_labels"]) | set(v.get("level2_labels", [])) | set(v.get("stream_stops", [])) | \
        set(v.get("stream_row_labels", [])) | {"合计", "总计", "小计"}
    for group in ("fund_labels", "score_labels", "identity_labels"):
        for variants in v[group].values():
            words |= {x for x in variants if "\\" not in x}
    return sorted({fold(w) for w in words if w}, key=len, reverse=True)


_VALUE_TAIL = re.compile(r"^(.*?)(>=|<=|≥|≤|=|>|<)?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?[^\d\s]{0,3})$")


def split_run_on(text: str, line: int | None) -> list[Cell]:
    """Cells run together on one line, cut at the labels the template prints and at the
    figures standing alone: `产出指标数量指标足额保障率=100% 22.5` -> 产出指标 | 数量指标 |
    足额保障率 | = | 100% | 22.5."""
    cells: list[str] = []
    labels = _known_labels()
    for token in text.split():
        rest = token
        while rest:
            f = fold(rest)
            hit = next((w for w in labels if f.startswith(w)), None)
            if hit:
                cut = _prefix_length(rest, hit)
                if hit in ("其中", "其中:") and cut < len(rest):
                    # 其中:本年财政拨款 names the line that follows it: one cell
                    m = re.match(r"[^\d\s]*", rest[cut:])
                    cut += m.end() if m else 0
                cells.append(rest[:cut])
                rest = rest[cut:].lstrip(":：")
                continue
            # the text up to the next known label
            nxt = len(rest)
            depth = 0
            for k in range(1, len(rest)):
                depth += (rest[k - 1] in "(（") - (rest[k - 1] in ")）")
                if depth <= 0 and any(fold(rest[k:]).startswith(w) for w in labels):
                    nxt = k
                    break
            piece, rest = rest[:nxt], rest[nxt:]
            m = _VALUE_TAIL.match(piece)
            if m and m.group(1):
                cells += [x for x in (m.group(1), m.group(2), m.group(3)) if x]
            else:
                cells.append(piece)
    return _join_fragments([Cell(t, line, k + 1) for k, t in enumerate(cells)])


def _prefix_length(text: str, key: str) -> int:
    """Characters of `text` whose fold is `key` (folding drops spaces)."""
    for k in range(len(key), len(text) + 1):
        if fold(text[:k]) == key:
            return k
    return len(key)


def has_header(cells: list[Cell]) -> bool:
    return any(_header_at(cells, i) is not None for i in range(len(cells)) if cells[i].text)


def rebuild(table: RawTable) -> RawTable:
    """The rows of a stream table (layout "stream"), cut by its headers; other tables as they are."""
    if table.layout != "stream":
        return table
    cells: list[Cell] = []
    forced: set[int] = set()
    for row in table.rows:
        joined = _join_fragments(row)
        if cells:
            forced.add(len(cells))
        cells.extend(joined)
    out: list[list[Cell]] = []
    truncated = False
    header: _Header | None = None
    i = 0
    free_start = 0

    def flush_free(upto: int) -> None:
        if upto > free_start:
            sub = cells[free_start:upto]
            out.extend(_free_rows(sub, {k - free_start for k in forced if free_start <= k < upto}))

    while i < len(cells):
        found = _header_at(cells, i) if cells[i].text else None
        if found is None:
            i += 1
            continue
        flush_free(i)
        header, j = found
        out.append(header.cells)
        # the data: up to a stop word, the next header or the end
        k = j
        while k < len(cells):
            c = cells[k]
            if c.text and (kind_of(c.text) == "stop" or (match_label(c.text) and match_label(c.text)[0] ==
                                                         "identity_labels")):
                break
            if c.text and _header_at(cells, k) is not None and column_type(c.text) not in ("item", "name"):
                break
            k += 1
        region = cells[j:k]
        while region and not region[0].text and j in forced:
            region = region[1:]
            j += 1
        local = {x - j for x in forced if j <= x < k}
        parts = _rows(region, header, local) if region else []
        for n, (labels, values, short) in enumerate(parts):
            line = next((c.line for c in labels + values if c is not None and c.line), None)
            row = _emit(labels, values, header, line)
            if any(c.text for c in row):
                out.append(row)
        if len(parts) >= 3 and k >= len(cells):
            # the text ends in a row shorter than the rows before it were: a table cut off
            labels, values, short = parts[-1]
            filled = [c for c in values if c.text]
            full = sum(1 for _, _, s in parts[:-1] if not s)
            if short and filled and full * 2 > len(parts) - 1 and \
                    not (labels[-1] is not None and is_total(labels[-1].text)):
                truncated = True     # the last row is the one the text stops inside
        i = free_start = k
    flush_free(len(cells))
    return RawTable(title=table.title, rows=out, line=table.line, headings=table.headings, sheet=table.sheet,
                    page=table.page, layout="stream", preamble=table.preamble, truncated=truncated or table.truncated)


__all__ = ["rebuild", "kind_of", "split_run_on", "has_header"]
