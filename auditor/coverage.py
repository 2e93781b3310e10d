"""What was read of a document: the figures it prints and the ones that reached a
canonical row.

A *figure* is a number a check could use: an amount, a percent, a score, in a
table cell of its own (``1,250.00``, ``86.06%``, ``≥95%``, ``10``) or in a sentence
with its unit (``增加 2248.37 万元``, ``增长16.47 %``, ``得 90 分``). Years, dates,
classification codes (``2080505`` beside its name), row numbers and document
numbers are not figures. A figure is *read* when a canonical row holds it in a
role (a fund line's budget, an indicator's weight, a claim's value or base …):
its location (``line:col``) is one of the row's ``*_loc`` columns, or, for cells
that moved when a stream was cut into rows and for figures of a sentence, the
row's printed value on that line is the same number.

`measure` gives the document's Coverage (auditor.findings), one `coverage` row
and the `unread` rows (one per figure not read, with its line and what was
printed around it) that `auditor extract --coverage` lists by region.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.findings import Coverage
from auditor.ingest.raw import Paragraph, RawDocument, RawTable
from auditor.textfold import fold_chars, match_key

NOT_READING = {"documents", "tables", "problems", "coverage", "unread"}
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
CELL_FIGURE = re.compile(rf"^(?:[<>≤≥=]=?)?[-+]?({_NUMBER})\s*(?:%|‰|万元|亿元|千元|元|分)?$")
PROSE_FIGURE = re.compile(rf"(?<![\d.,])({_NUMBER})\s*(万元|亿元|千元|元|%|‰|个百分点|百分点|分(?![之钟别配类析管解期局行项批散]))")
YEAR = re.compile(r"^(19|20)\d{2}$")
CODE = re.compile(r"^\d{3}(?:\d{2}){0,3}$")
NUM_IN = re.compile(_NUMBER)
REGION_GAP = 3      # unread figures this many lines apart or closer are one region


def _key(num: str) -> str:
    try:
        return f"{float(num.replace(',', '')):.6f}"
    except ValueError:
        return num


@dataclass
class Figure:
    line: int | None
    col: int | None          # cell position (tables) or character column (prose)
    number: str              # the digits as printed
    text: str                # the cell, or the words around the figure
    kind: str                # table | prose
    where: str | None = None  # the table's title

    @property
    def key(self) -> str:
        return _key(self.number)


RUN_ON_FIGURE = re.compile(rf"(?<![\d.,])({_NUMBER})%?(?![\d年月日号])")


def _cell_figures(table: RawTable) -> list[Figure]:
    out = []
    if table.layout == "runon":
        for row in table.rows:
            for c in row:
                text = fold_chars(c.text)
                for m in RUN_ON_FIGURE.finditer(text):
                    if not YEAR.match(m.group(1)):
                        out.append(Figure(c.line, c.col + m.start(1), m.group(1), text[max(0, m.start() - 16):m.end() + 4],
                                          "table", table.title))
        return out
    for row in table.rows:
        texts = [match_key(c.text) for c in row]
        first = next((k for k, t in enumerate(texts) if t), None)
        for k, c in enumerate(row):
            t = texts[k]
            if not t:
                continue
            m = CELL_FIGURE.match(t)
            if not m:
                continue
            digits = m.group(1)
            plain = re.fullmatch(r"\d+", t) is not None
            nxt = next((x for x in texts[k + 1:] if x), "")
            if plain and YEAR.match(t):
                continue
            if plain and CODE.match(t) and nxt and not CELL_FIGURE.match(nxt):
                continue     # a classification code beside its name
            if plain and k == first and len(t) <= 3 and nxt and not CELL_FIGURE.match(nxt) and len(row) > 2:
                continue     # a row number
            context = " | ".join(x.text for x in row if x.text)[:120]
            out.append(Figure(c.line, c.col, digits, context, "table", table.title))
    return out


def _prose_figures(p: Paragraph) -> list[Figure]:
    out = []
    text = fold_chars(p.text)
    for m in PROSE_FIGURE.finditer(text):
        line, col = p.where(m.start(1))
        a, b = max(0, m.start() - 24), min(len(p.text), m.end() + 8)
        out.append(Figure(line, col, m.group(1), p.text[a:b], "prose"))
    return out


def figures(raw: RawDocument) -> list[Figure]:
    """The figures printed in a document, in reading order."""
    out: list[Figure] = []
    seen: set[tuple] = set()
    for b in raw.blocks:
        for f in (_cell_figures(b) if isinstance(b, RawTable) else _prose_figures(b)):
            # a continuation joined to the table before it is still printed once
            key = (f.kind, f.line, f.col, f.number)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _read_locations(rows: dict[str, list[dict]]) -> tuple[set[tuple[int, int]], set[tuple[int, str]]]:
    exact: set[tuple[int, int]] = set()
    loose: set[tuple[int, str]] = set()
    for name, records in rows.items():
        if name in NOT_READING:
            continue
        for r in records:
            for k, v in r.items():
                if not k.endswith("_loc") or not v:
                    continue
                parts = str(v).split(":")
                if not parts[0].isdigit():
                    continue
                line = int(parts[0])
                if len(parts) > 1 and parts[1].isdigit():
                    exact.add((line, int(parts[1])))
                raw = r.get(k[:-4] + "_raw")
                spread = (line - 1, line, line + 1) if name == "claims" else (line,)
                for n in NUM_IN.findall(match_key(raw) if raw else ""):
                    for ln in spread:
                        loose.add((ln, _key(n)))
    return exact, loose


def measure(raw: RawDocument, rows: dict[str, list[dict]], doc_id: str,
            kinds: list[str]) -> tuple[Coverage, list[dict], list[dict]]:
    """Coverage of one document, its `coverage` row and its `unread` rows."""
    exact, loose = _read_locations(rows)
    found = figures(raw)
    unread: list[dict] = []
    read = 0
    for f in found:
        hit = f.line is not None and ((f.kind == "table" and (f.line, f.col) in exact) or (f.line, f.key) in loose)
        if hit:
            read += 1
        else:
            unread.append({"doc_id": doc_id, "line": f.line, "col": f.col, "kind": f.kind, "where": f.where,
                           "figure": f.number, "text": f.text})
    by_kind: dict[str, int] = {}
    for k in kinds:
        by_kind[k] = by_kind.get(k, 0) + 1
    n_rows = sum(len(v) for k, v in rows.items() if k not in NOT_READING and k != "claims")
    cov = Coverage(tables_by_kind=by_kind, rows=n_rows, claims=len(rows.get("claims", [])), figures=len(found),
                   figures_read=read)
    row = {"doc_id": doc_id, "tables_by_kind": ",".join(f"{k}:{v}" for k, v in sorted(by_kind.items())) or None,
           "tables": len(kinds), "rows": cov.rows, "claims": cov.claims, "figures": cov.figures,
           "figures_read": cov.figures_read, "share": cov.share}
    return cov, [row], unread


MOSTLY_UNREAD = 0.5     # below this share of its figures read, a document gets a problem row (INP007)
MIN_FIGURES = 10


def measure_coverage(raw: RawDocument, rows: dict[str, list[dict]], doc_id: str, kinds: list[str], info) -> None:
    """The pipeline's hook: fills `info.coverage` and the document's coverage, unread and problems rows."""
    cov, cov_rows, unread = measure(raw, rows, doc_id, kinds)
    info.coverage = cov
    rows["coverage"] = cov_rows
    rows["unread"] = unread
    if info.readable and cov.figures >= MIN_FIGURES and cov.share is not None and cov.share < MOSTLY_UNREAD:
        first = next((u["line"] for u in unread if u.get("line")), None)
        rows.setdefault("problems", []).append({
            "doc_id": doc_id, "line": first, "kind": "mostly_unread", "text": f"{cov.figures_read}/{cov.figures}",
            "detail": f"文件中印有 {cov.figures} 个数字（金额、百分比、分值），只有 {cov.figures_read} 个"
                      f"（{cov.share:.0%}）读入了表格或叙述的数据行；其余未经任何规则检查"
                      f"（{len(kinds)} 张表，{cov.claims} 条叙述数字）"})


def unread_layout_problem(doc_id: str, table_id: str, table: RawTable) -> dict:
    """A table whose layout cannot be read without guessing (cells in a PDF text layer's reading order)."""
    cells = [c for r in table.rows for c in r if c.text]
    nums = sum(1 for c in cells if CELL_FIGURE.match(match_key(c.text)))
    return {"doc_id": doc_id, "table_id": table_id, "line": table.first_line(), "kind": "unread_layout",
            "text": " | ".join(c.text for c in cells[:8])[:200],
            "detail": f"“{table.title or '无标题'}”的单元格在文本中逐个排列，行列顺序无法可靠还原（共 {len(cells)} 格，"
                      f"{nums} 个数字），未读取、未检查"}


def regions(unread: list[dict]) -> list[dict]:
    """Unread figures grouped into regions of nearby lines: first and last line, count, a sample."""
    out: list[dict] = []
    for u in sorted((u for u in unread if u.get("line") is not None), key=lambda u: (str(u["doc_id"]), u["line"])):
        cur = out[-1] if out else None
        if cur and cur["doc_id"] == u["doc_id"] and cur["kind"] == u["kind"] and u["line"] - cur["last"] <= REGION_GAP:
            cur["last"] = u["line"]
            cur["figures"] += 1
            if len(cur["sample"]) < 6:
                cur["sample"].append(u["figure"])
        else:
            out.append({"doc_id": u["doc_id"], "kind": u["kind"], "where": u.get("where"), "first": u["line"],
                        "last": u["line"], "figures": 1, "sample": [u["figure"]], "text": u.get("text")})
    return out


__all__ = ["measure", "measure_coverage", "unread_layout_problem", "figures", "regions", "Figure"]
