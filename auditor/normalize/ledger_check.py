"""Does a budget table, as read, hold together? A published table balances: its
合计 rows equal their items and its parent codes their children. When most of
those identities fail on one table, the table was misread (columns shifted,
parts merged, rows lost) far more likely than printed wrong in a dozen places;
reporting each identity as a document error would bury the one real problem.
So the normalizer checks the table's own structure once, and a table that
does not hold gets a `problems` row of kind `table_uncertain` naming what did
not fit: INP011 reports it, and the arithmetic rules (EXP) stand down on it.

The checks mirror the rules on purpose, in their simplest form (one table, no
page-break grouping): a total against the top-level items since the previous
total (or after it, when printed first), a coded parent against the codes one
level below it, an uncoded parent against the items one level below it.

A table read from text aligned by spaces (``layout == "aligned"``, pdftotext
-layout) has every cell's column and row inferred from the spacing, and is read
whole (its pages joined): there one failing identity is enough, a total printed
first is checked against the items after it, and the table's end closes its last
parent. Amounts printed on lines of their own, on no item's row, make any table
uncertain: which item they belong to is a guess.
"""
from __future__ import annotations

from collections import defaultdict

from auditor.ingest.raw import RawTable
from auditor.normalize import Rows, TableContext

MIN_FAILED_ROWS = 3    # a wrong cell breaks its own line and its parent's: the document's own error
SHARE = 0.5            # more than this share of the identities failing: the reading is in doubt
EPS = 1e-6


def _apart(a: float | None, at: float | None, b: float, bt: float) -> bool:
    return abs((a or 0.0) - b) > (at or 0.0) + bt + EPS


def _identities(rows: list[dict], whole: bool = False) -> list[tuple[dict, float, float, int]]:
    """(printed row, expected sum, its tolerance, number of parts) for every
    identity the rows of one column should satisfy and that lies wholly inside
    this table: a page of a longer table read as a table of its own (a text
    rendition's page break) may lack the end of a total's or a parent's items,
    so a total counts only when printed below its items, and a parent only when
    an item of its level or above follows its children. A table read whole
    (`whole`: a text rendition's pages joined by the reader) also has a total
    printed first checked against the items after it."""
    out = []
    rows = [r for r in rows if r.get("level") is not None and r.get("role") != "of_which"]
    if not rows:
        return out
    levels = [r["level"] for r in rows if r["level"] > 0]
    top = min(levels) if levels else None
    totals = [k for k, r in enumerate(rows) if r["level"] == 0]
    if top is not None:
        for n, k in enumerate(totals):
            prev = totals[n - 1] if n else -1
            before = [r for r in rows[prev + 1:k] if r["level"] == top]
            if before:
                parts = before + ([rows[prev]] if prev >= 0 else [])
                out.append((rows[k], sum(p.get("amount") or 0.0 for p in parts),
                            sum(p.get("amount_tol") or 0.0 for p in parts), len(parts)))
            elif n == 0 and whole:
                # a total printed first (收入总计 over its groups): the items after it, up to the next total
                nxt = totals[1] if len(totals) > 1 else len(rows)
                parts = [r for r in rows[k + 1:nxt] if r["level"] == top]
                if parts:
                    out.append((rows[k], sum(p.get("amount") or 0.0 for p in parts),
                                sum(p.get("amount_tol") or 0.0 for p in parts), len(parts)))
    for k, p in enumerate(rows):
        if p["level"] < 1:
            continue
        scope, closed = [], False
        for r in rows[k + 1:]:
            if r["level"] <= p["level"] and not (p.get("code") and r.get("code") and r["code"].startswith(p["code"])):
                closed = True
                break
            scope.append(r)
        if p.get("code"):
            kids = [r for r in scope if r.get("code") and r["level"] == p["level"] + 1
                    and r["code"].startswith(p["code"])]
        else:
            depth = min((r["level"] for r in scope if not r.get("code")), default=None)
            kids = [r for r in scope if not r.get("code") and r["level"] == depth]
        if kids and (closed or whole):      # the end of a table read whole closes it too
            out.append((p, sum(c.get("amount") or 0.0 for c in kids), sum(c.get("amount_tol") or 0.0 for c in kids),
                        len(kids)))
    return out


def check_structure(out: Rows, table: RawTable, ctx: TableContext, title: str | None,
                    unplaced: list[int | None] = ()) -> None:
    """Add a `table_uncertain` problem to `out` when the table as read does not hold, or
    when amounts were printed on lines of their own (`unplaced`) between items: which item
    such an amount belongs to is a guess (a text rendition prints a figure centred between
    the lines of its row), so the table's sums are not to be checked as read."""
    by_column: dict[str, list[dict]] = defaultdict(list)
    for r in out.get("ledger", []):
        by_column[r["column"]].append(r)
    checks = failures = 0
    failed_rows: set[int] = set()
    example = None
    # columns found from runs of spaces (pdftotext -layout): which column and which row a
    # cell belongs to was inferred, and a wrapped name or a shifted column breaks the sums
    # the printed table keeps; one identity that fails there is first a doubt about the reading
    inferred = table.layout == "aligned"
    min_rows, share = (1, 0.0) if inferred else (MIN_FAILED_ROWS, SHARE)
    for column, rows in by_column.items():
        rows.sort(key=lambda r: r["row_no"])
        for row, total, tol, n in _identities(rows, whole=inferred):
            if row.get("amount") is None and total == 0:
                continue
            checks += 1
            if _apart(row.get("amount"), row.get("amount_tol"), total, tol):
                failures += 1
                failed_rows.add(row["row_no"])
                if example is None:
                    example = (row, column, total, n)
    orphans = _orphan_codes(out.get("ledger", []))
    why = None
    if unplaced:
        at = "、".join(str(n) for n in unplaced[:3] if n) + ("…" if len(unplaced) > 3 else "")
        why = (f"{len(unplaced)} 个金额单独成行、不在任何项目的行上（第 {at} 行），无法确定其所属项目"
               if at else f"{len(unplaced)} 个金额单独成行、不在任何项目的行上，无法确定其所属项目")
    elif len(failed_rows) >= min_rows and failures > share * checks:
        row, column, total, n = example
        why = (f"{checks} 处合计或上级金额中有 {failures} 处与其明细不符（如「{row['name']}」{column}印为 "
               f"{row.get('amount_raw') or '空'}，其 {n} 项明细之和为 {total:.2f}）"
               + ("；表格由按空格对齐的文本读出，行列归属为推断" if inferred else ""))
    elif orphans:
        why = orphans
    if why is None:
        return
    out.setdefault("problems", []).append({
        "doc_id": ctx.doc_id, "table_id": ctx.table_id, "line": table.first_line(), "kind": "table_uncertain",
        "text": title or table.title or "", "detail": why})


def _orphan_codes(rows: list[dict]) -> str | None:
    """A coded table with a 合计 row whose sub-codes find none of their parents:
    the codes were misread (their columns or levels), not printed that way."""
    coded = {}
    for r in rows:
        if r.get("code") and r.get("level"):
            coded.setdefault(r["code"], r["level"])
    if not any(r.get("level") == 0 for r in rows):
        return None       # a continuation (or a part of a table) may start with children
    lower = [c for c, lv in coded.items() if lv >= 2]
    if len(lower) < 3:
        return None
    found = sum(1 for c in lower if any(p != c and c.startswith(p) and coded[p] == coded[c] - 1 for p in coded))
    if found:
        return None
    return f"{len(lower)} 个下级科目编码都找不到上级科目（编码层级读取有误）"


__all__ = ["check_structure"]
