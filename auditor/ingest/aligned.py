"""Tables whose columns are aligned with runs of spaces (``pdftotext -layout``,
fixed-width reports) -> rows of cells in consistent columns.

A line is cut into tokens at runs of two or more spaces (and at the single space
that ``pdftotext`` leaves between a right-aligned amount and the next column's
text: ``27,664.22 一、一般公共服务支出``). Column boundaries come from the
whitespace the body lines share: the tokens of the body (the lines from the first
amount on) are clustered by the horizontal extent they occupy. A token starts at
its character offset (pdftotext pads each word to its x position, one position per
character) and covers its printed width (Chinese characters two positions).

Header lines (before the first amount) are centred over the columns they head:
each header token goes to the contiguous run of columns whose extent is centred
nearest to it and placed in the first of them, the way a merged cell is (a
``收入`` over 项目名称 | 金额, a ``支出`` over four columns). A header cell printed
on several lines beside a one-line header (``单位预留机动经`` / ``费``) is joined
into one cell.

Body cells printed over several lines are joined back (`join_wrapped_rows`): a name
centred beside its figures (one line above and below, or several: 网络、电子检 /
务、实验室、机 / 要通道、档案数 … 100.00 / 字化系统运行 / 维护费), and a short line
under a cell that fills its column (二、财政专户管理 / 资金; 专项收入 under a narrower
name is an item of its own). A group label merged down its rows is printed on their
middle line; it is put on the group's 小计 row (`place_group_labels`).

Nothing here knows budget words beyond 合计 / 总计 / 小计; only digits, spaces and widths.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from auditor.ingest.raw import Cell

# an amount or a percent, as printed in a column (22,395.50  13.6%  -5)
AMOUNT = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
_TOKEN = re.compile(r"\S+(?: \S+)*")
# a right-aligned amount followed, one space on, by the next column's text
_AMOUNT_THEN_TEXT = re.compile(r"(?<!\S)([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+|\d{1,3}(?:,\d{3})+) (?=[^\x00-\x7f])")
_TEXT_THEN_AMOUNT = re.compile(r"(?<=[^\x00-\x7f]) (?=[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+(?:\s|$))")
_SPACED_TOTAL = re.compile(r"^(合计|总计|小计)$")
LETTER_SPACED = re.compile(r"^(?:[^\x00-\x7f] )+[^\x00-\x7f]$")


def width(text: str) -> int:
    """Printed width: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(slots=True)
class Token:
    text: str
    start: int     # printed position of the first character
    end: int       # printed position after the last character
    char: int      # 0-based character offset in the line (for Cell.col of prose positions)

    @property
    def center(self) -> float:
        return (self.start + self.end) / 2

    @property
    def amount(self) -> bool:
        return bool(AMOUNT.match(self.text))


def tokens(line: str) -> list[Token]:
    """The cells of one aligned line, with their printed extents."""
    out: list[Token] = []
    for m in _TOKEN.finditer(line):
        pieces = [(m.start(), m.group())]
        for rx in (_AMOUNT_THEN_TEXT, _TEXT_THEN_AMOUNT):
            split = []
            for off, text in pieces:
                last = 0
                for s in rx.finditer(text):
                    cut = s.end(1) if rx is _AMOUNT_THEN_TEXT else s.start()
                    split.append((off + last, text[last:cut]))
                    last = cut + 1
                split.append((off + last, text[last:]))
            pieces = [(o, t) for o, t in split if t]
        for off, text in pieces:
            # pdftotext pads to each word's x position counting every character as one
            # position, so a start is the character offset; a wide character still
            # covers two positions on paper
            out.append(Token(text, off, off + width(text), off))
    # a total word letter-spaced across its cell (合   计): one word, not two cells
    k = 0
    while k + 1 < len(out):
        a, b = out[k], out[k + 1]
        if len(a.text) == 1 and len(b.text) == 1 and not a.text.isascii() and not b.text.isascii() \
                and b.start - (a.start + 1) <= 6 and _SPACED_TOTAL.match(a.text + b.text):
            out[k] = Token(a.text + b.text, a.start, b.end, a.char)
            del out[k + 1]
        k += 1
    # how wide a Chinese character prints varies (1 to 2 positions); tokens of one line never overlap
    for a, b in zip(out, out[1:]):
        a.end = max(a.start + len(a.text), min(a.end, b.start - 1))
    return out


def is_row(toks: list[Token]) -> bool:
    """A line of at least two cells (not a letter-spaced heading: 江 苏 省  人 民 检 察 院)."""
    return len(toks) >= 2 and not all(LETTER_SPACED.match(t.text) or len(t.text) == 1 for t in toks)


def _clusters(body: list[list[Token]]) -> list[list[tuple[int, Token]]]:
    """Tokens grouped by the horizontal extent they share (row index kept)."""
    items = sorted(((r, t) for r, ts in enumerate(body) for t in ts), key=lambda x: x[1].start)
    out: list[list[tuple[int, Token]]] = []
    reach = None
    for r, t in items:
        if out and t.start < reach:
            out[-1].append((r, t))
            reach = max(reach, t.end)
        else:
            out.append([(r, t)])
            reach = t.end
    split: list[list[tuple[int, Token]]] = []
    for c in out:
        split += _split(c)
    return split


def _split(cluster: list[tuple[int, Token]], depth: int = 0) -> list[list[tuple[int, Token]]]:
    """A cluster holding two tokens of one row is two columns (a centred name that
    reaches over the amounts beside it glued them): cut where the most such pairs
    part and the fewest tokens straddle; a straddling token joins the side of its kind."""
    by_row: dict[int, list[Token]] = {}
    for r, t in cluster:
        by_row.setdefault(r, []).append(t)
    pairs = [(a, b) for ts in by_row.values() for a, b in zip(sorted(ts, key=lambda t: t.start),
                                                              sorted(ts, key=lambda t: t.start)[1:])]
    if not pairs or depth > 6:
        return [cluster]
    best = None
    for a, b in pairs:
        x = (a.end + b.start) / 2 if a.end <= b.start else (a.center + b.center) / 2
        parted = sum(1 for p, q in pairs if p.center < x < q.center)
        straddle = sum(1 for _, t in cluster if t.start < x < t.end)
        key = (parted, -straddle)
        if best is None or key > best[0]:
            best = (key, x)
    x = best[1]
    left = [(r, t) for r, t in cluster if t.end <= x or (t.center < x and not t.start < x < t.end)]
    right = [(r, t) for r, t in cluster if t.start >= x or (t.center >= x and not t.start < x < t.end)]
    for r, t in cluster:
        if t.start < x < t.end:
            lk = sum(u.amount == t.amount for _, u in left) / max(1, len(left))
            rk = sum(u.amount == t.amount for _, u in right) / max(1, len(right))
            (left if lk > rk or (lk == rk and t.center < x) else right).append((r, t))
    if not left or not right:
        return [cluster]
    return _split(left, depth + 1) + _split(right, depth + 1)


MERGE_GAP = 8


def _merge_neighbours(clusters: list[list[tuple[int, Token]]], leaf: list[Token],
                      headless: bool = False) -> list[list[tuple[int, Token]]]:
    """Neighbouring clusters of one kind that never share a row are one column whose
    cells drifted (right-aligned amounts of different widths, a header over them).
    Without a header (`headless`: a page continuing a table) words are never merged so:
    two name columns that happen to share no row on that page (经济科目 | 采购物品名称
    of a list whose items alternate) are told apart by no header there."""
    def kind(c):
        body = [t for r, t in c if r >= 0]
        return None if not body else sum(t.amount for t in body) * 2 >= len(body)

    def leaf_cols(c):
        return {id(t) for t in leaf if any(min(u.end, t.end) > max(u.start, t.start) for _, u in c)}

    out = [clusters[0]] if clusters else []
    for c in clusters[1:]:
        prev = out[-1]
        gap = min(t.start for _, t in c) - max(t.end for _, t in prev)
        rows_a = {r for r, _ in prev if r >= 0}
        rows_b = {r for r, _ in c if r >= 0}
        ka, kb = kind(prev), kind(c)
        same = ka is None or kb is None or ka == kb
        head_a, head_b = leaf_cols(prev), leaf_cols(c)
        head_clash = bool(head_a and head_b and head_a != head_b) and not (head_a & head_b)
        words = headless and not (ka and kb)
        if same and gap <= MERGE_GAP and not rows_a & rows_b and not head_clash and not words:
            out[-1] = prev + c
        else:
            out.append(c)
    return out


def _overlaps(a: Token, b: Token) -> bool:
    return min(a.end, b.end) > max(a.start, b.start)


def _merge_wrapped(head: list[list[Token]]) -> list[list[Token]]:
    """A header cell printed on the lines above and below a one-line header
    (单位预留机动经 / 合计 基本支出 项目支出 / 费): one token on the main line."""
    if len(head) < 3:
        return head
    main = max(range(len(head)), key=lambda k: len(head[k]))
    lines = [list(ts) for ts in head]
    for i in range(main):
        for t in list(lines[i]):
            if any(_overlaps(t, m) for m in lines[main]):
                continue
            below = [(j, u) for j in range(main + 1, len(lines)) for u in lines[j] if _overlaps(t, u)]
            if not below or any(_overlaps(u, m) for _, u in below for m in lines[main]):
                continue
            parts = [t] + [u for _, u in below]
            for j, u in below:
                lines[j].remove(u)
            lines[i].remove(t)
            merged = Token("".join(p.text for p in parts), min(p.start for p in parts),
                           max(p.end for p in parts), t.char)
            lines[main] = sorted(lines[main] + [merged], key=lambda x: x.start)
    return [ts for ts in lines if ts]


def _match(toks: list[Token], cols: list[int], centers: list[float]) -> list[int]:
    """Order-keeping assignment of header tokens to distinct columns, nearest centres."""
    n, m = len(toks), len(cols)
    if n == 0:
        return []
    if m == 0:
        pool = list(range(len(centers)))
        return [min(pool, key=lambda j: abs(centers[j] - t.center)) for t in toks]
    if n > m:
        return [min(cols, key=lambda j: abs(centers[j] - t.center)) for t in toks]
    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    take = [[False] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        best[0][j] = 0.0
    for i in range(1, n + 1):
        for j in range(i, m + 1):
            skip = best[i][j - 1]
            use = best[i - 1][j - 1] + abs(centers[cols[j - 1]] - toks[i - 1].center)
            if use <= skip:
                best[i][j], take[i][j] = use, True
            else:
                best[i][j] = skip
    out, j = [], m
    for i in range(n, 0, -1):
        while not take[i][j]:
            j -= 1
        out.append(cols[j - 1])
        j -= 1
    return out[::-1]


def _place_header(head: list[list[Token]], centers: list[float]) -> list[dict[int, Token]]:
    """Column of every header token: a token heads the columns of the tokens under it
    (the nearest lower line with tokens in its region, each token's region reaching
    halfway to its neighbours); the tokens of a line with nothing under them take
    distinct columns in order, nearest their centres."""
    placed: list[dict[int, Token]] = [dict() for _ in head]

    def put(line: int, col: int, t: Token) -> None:
        if col in placed[line]:
            prev = placed[line][col]
            t = Token(prev.text + " " + t.text, prev.start, t.end, prev.char)
        placed[line][col] = t

    def assign(lo: float, hi: float, k: int) -> list[int]:
        for line in range(k, len(head)):
            toks = [t for t in head[line] if lo <= t.center < hi]
            if toks:
                break
        else:
            return []
        cols: list[int] = []
        bounds = [lo] + [(a.center + b.center) / 2 for a, b in zip(toks, toks[1:])] + [hi]
        leaves: list[Token] = []
        for t, a, b in zip(toks, bounds, bounds[1:]):
            span = assign(a, b, line + 1)
            if span:
                put(line, min(span), t)
                cols += span
            else:
                leaves.append(t)
        free = [j for j, c in enumerate(centers) if lo <= c < hi and j not in cols] or \
            [j for j in range(len(centers)) if j not in cols]
        for t, j in zip(leaves, _match(leaves, free, centers)):
            put(line, j, t)
            cols.append(j)
        return sorted(set(cols))

    assign(float("-inf"), float("inf"), 0)
    return placed


def grid(lines: list[tuple[int, str]], header_rows: int | None = None) -> list[list[Cell]]:
    """Rows of cells (one per printed line, empty cells filled in) of an aligned table.

    `lines` are (line number, text) of the table, blank lines left out. The header
    is the lines before the first one holding an amount, unless `header_rows` says."""
    toks = [(no, tokens(text)) for no, text in lines]
    toks = [(no, t) for no, t in toks if t]
    if not toks:
        return []
    first = next((k for k, (_, t) in enumerate(toks) if any(x.amount for x in t)), 0)
    if header_rows is not None:
        first = header_rows
    head, body = toks[:first], toks[first:]
    head_nos = [no for no, _ in head]
    head_toks = _merge_wrapped([t for _, t in head])
    if len(head_toks) < len(head_nos):      # merged lines: the rows keep the main line's number
        keep = max(range(len(head)), key=lambda k: len(head[k][1]))
        head_nos = [head_nos[keep]] if len(head_toks) == 1 else head_nos[:len(head_toks)]
    clusters = _clusters([t for _, t in body])
    # a column headed but empty in every body row (结转下年资金): its header label is its extent
    leaf = max(head_toks, key=len) if head_toks else []
    for t in leaf:
        if not any(min(u.end, t.end) > max(u.start, t.start) for c in clusters for _, u in c):
            clusters.append([(-1, t)])
    clusters.sort(key=lambda c: min(t.start for _, t in c))
    clusters = _merge_neighbours(clusters, leaf, headless=header_rows == 0)
    column = {id(t): j for j, c in enumerate(clusters) for r, t in c if r >= 0}
    centers = [sum(t.center for _, t in c) / len(c) for c in clusters]
    ncols = len(clusters)
    rows: list[list[Cell]] = []
    for no, placed in zip(head_nos, _place_header(head_toks, centers)):
        cells = [Cell("", no, j + 1) for j in range(ncols)]
        for j, t in placed.items():
            cells[j].text = t.text
        rows.append(cells)
    numeric = [sum(t.amount for r, t in c if r >= 0) * 2 > sum(1 for r, _ in c if r >= 0) for c in clusters]
    body_rows: list[list[Cell]] = []
    for no, ts in body:
        cells = [Cell("", no, j + 1) for j in range(ncols)]
        for t in ts:
            j = column[id(t)]
            # a label centred in a merged cell over a name and an amount column (支出合计)
            if numeric[j] and not t.amount and j > 0 and not numeric[j - 1] and not cells[j - 1].text \
                    and not any(column[id(u)] == j - 1 for u in ts):
                j -= 1
            c = cells[j]
            c.text = (c.text + " " + t.text).strip() if c.text else t.text
        body_rows.append(cells)
    return rows + join_wrapped_rows(body_rows)


NUMBERED = re.compile(r"^([一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d))")
TOTAL_WORD = re.compile(r"(合计|总计|小计)$")


def _text_only(row: list[Cell]) -> bool:
    return any(c.text for c in row) and not any(AMOUNT.match(c.text) for c in row if c.text)


def _fragment(text: str, first: bool) -> bool:
    return bool(text) and not AMOUNT.match(text) and not TOTAL_WORD.search(text) and \
        (first or not NUMBERED.match(text))


def _join_centred_cells(rows: list[list[Cell]], widest: dict[int, int]) -> list[list[Cell]]:
    """A name wrapped over several lines and centred on its row's figures (网络、电子检 /
    务、实验室、机 / 要通道、档案数 … 100.00 / 字化系统运行 / 维护费): the lines of words
    only just above and below the figures' line, as many above as below (one more on
    either side), each filling the column (as wide as its widest printed cell, `widest`,
    within a character) but the last, are the one cell: names of their own (事业收入 /
    经营收入 / 其他收入 80.00 / 上级补助收入) are narrower than their column. A line of
    words is taken whole or not at all; anything less regular is left as printed."""
    rows = [list(r) for r in rows]
    gone: set[int] = set()
    for i, row in enumerate(rows):
        if _text_only(row) or not any(AMOUNT.match(c.text) for c in row if c.text):
            continue
        above, below = [], []
        k = i - 1
        while k >= 0 and k not in gone and _text_only(rows[k]):
            above.append(k)
            k -= 1
        k = i + 1
        while k < len(rows) and _text_only(rows[k]):
            below.append(k)
            k += 1
        if not above or not below:
            continue
        joined: dict[int, str] = {}
        used: set[tuple[int, int]] = set()
        for j in range(len(row)):
            if row[j].text and AMOUNT.match(row[j].text):
                continue
            up = []
            for k in above:
                if j < len(rows[k]) and rows[k][j].text:
                    up.append(k)
                else:
                    break
            down = []
            for k in below:
                if j < len(rows[k]) and rows[k][j].text:
                    down.append(k)
                else:
                    break
            n = min(len(up), len(down))
            up, down = up[:n + 1], down[:n + 1]
            if not up or not down:
                continue
            lines = up[::-1] + down
            parts = [rows[k][j].text for k in up[::-1]] + ([row[j].text] if row[j].text else []) + \
                [rows[k][j].text for k in down]
            if len(parts) < 3 or not all(_fragment(t, n == 0) for n, t in enumerate(parts)):
                continue
            widths = [width(t) for t in parts]
            if any(w < max(widths) - 2 or w < widest.get(j, 0) - 2 for w in widths[:-1]):
                continue
            joined[j] = "".join(parts)
            used.update((k, j) for k in lines)
        if not joined:
            continue
        touched = {k for k, _ in used}
        if any((k, j) not in used for k in touched for j in range(len(rows[k])) if rows[k][j].text):
            continue        # a line partly of this cell, partly of another: not rebuilt
        for j, text in joined.items():
            row[j] = Cell(text, row[j].line if row[j].text else rows[min(k for k, jj in used if jj == j)][j].line,
                          j + 1)
        gone.update(touched)
    return [r for k, r in enumerate(rows) if k not in gone]


def join_wrapped_rows(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Cells printed over several lines: a name centred beside its amounts (1.一般公共预 /
    17,981.68 / 算) goes into the amounts' row; a short fragment under a cell (资金 under
    二、财政专户管理) continues it."""
    rows = [list(r) for r in rows]
    # a cell wraps only when its text fills the column: the widest cell of a column (as
    # printed, one line) shows how wide the column is, and a cell narrower than that by a
    # character or more did not wrap (专项收入 under 公共财政拨款(补助)资金 is an item of its own)
    widest: dict[int, int] = {}
    for row in rows:
        for j, c in enumerate(row):
            if c.text and not AMOUNT.match(c.text):
                widest[j] = max(widest.get(j, 0), width(c.text))
    gone: set[int] = set()
    for i, row in enumerate(rows):
        if _text_only(row) or i == 0 or i + 1 >= len(rows):
            continue
        above, below = rows[i - 1], rows[i + 1]
        if i - 1 in gone or not _text_only(above) or not _text_only(below):
            continue
        cols = [j for j in range(len(row)) if not row[j].text and j < len(above) and j < len(below)
                and above[j].text and below[j].text]
        if cols and all(not above[j].text or j in cols for j in range(len(above))) and \
                all(not below[j].text or j in cols for j in range(len(below))):
            for j in cols:
                row[j] = Cell(above[j].text + below[j].text, above[j].line, j + 1)
            gone.update({i - 1, i + 1})
    rows = [r for k, r in enumerate(rows) if k not in gone]
    rows = _join_centred_cells(rows, widest)
    out: list[list[Cell]] = []
    for row in rows:
        filled = [j for j, c in enumerate(row) if c.text]
        if out and _text_only(row) and all(
                len(row[j].text) <= 4 and not NUMBERED.match(row[j].text) and not TOTAL_WORD.search(row[j].text)
                and j < len(out[-1]) and out[-1][j].text and not AMOUNT.match(out[-1][j].text)
                and width(out[-1][j].text) + width(row[j].text[0]) > widest[j] for j in filled):
            for j in filled:
                out[-1][j] = Cell(out[-1][j].text + row[j].text, out[-1][j].line, j + 1)
            continue
        out.append(row)
    return out


SUBTOTAL_CELL = re.compile(r"^小\s*计$")


def place_group_labels(rows: list[list[Cell]]) -> list[list[Cell]]:
    """A group label in a cell merged down the rows of its group (其他资金 over 小计 /
    事业收入 / 经营收入 / 其他收入) is printed on the middle line of the group, where the
    text keeps it on the row of an item: it belongs on the group's first row, its 小计
    (``其他资金 | 小计 | 80.00``), as a ruled table reads it. A group runs from a 小计 in
    the next column to the line before the next 小计; a group holding one label, off its
    小计 line, gets it moved there. Groups with several labels are left as printed, and so
    is a table with a label above its first 小计 (there a 小计 ends its group)."""
    width_ = max((len(r) for r in rows), default=0)
    for j in range(width_ - 1):
        starts = [k for k, r in enumerate(rows) if j + 1 < len(r) and SUBTOTAL_CELL.match(r[j + 1].text)]
        if len(starts) < 2:
            continue
        body = next((k for k, r in enumerate(rows) if any(AMOUNT.match(c.text) for c in r if c.text)), len(rows))
        if any(j < len(rows[k]) and rows[k][j].text and not AMOUNT.match(rows[k][j].text)
               and not TOTAL_WORD.search(rows[k][j].text) for k in range(body, starts[0])):
            continue        # a label above the first 小计: each 小计 closes its group, printed last
        moves = []
        for n, s in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(rows)
            labels = [k for k in range(s, end) if j < len(rows[k]) and rows[k][j].text
                      and not AMOUNT.match(rows[k][j].text)]
            if len(labels) == 1 and labels[0] != s and not rows[s][j].text and \
                    not TOTAL_WORD.search(rows[labels[0]][j].text):
                moves.append((labels[0], s))
        for k, s in moves:
            cell = rows[k][j]
            rows[s][j] = Cell(cell.text, rows[s][j + 1].line, j + 1)   # the row's line keeps the printed order
            rows[k][j] = Cell("", rows[k][j].line, j + 1)
    return rows


__all__ = ["Token", "tokens", "is_row", "grid", "width", "AMOUNT", "join_wrapped_rows", "place_group_labels"]
