"""Ruled tables rebuilt from their ruling lines.

A table is a set of horizontal and vertical rulings that touch each other; its
column boundaries are the vertical rulings of the whole table (positions a
point or two apart are one boundary), its row boundaries the horizontal ones.
That gives a grid of atomic cells; two neighbouring atomic cells are one
printed cell when no ruling separates them (a merged header, a 合计 spanning the
code and name columns, a label spanning three rows). A character belongs to the
cell that holds its centre, so an amount set a few points left of its column's
other amounts still lands in that column, and a label wrapped inside its cell
is one text. A printed cell's text goes to its first row and column, the cells
it covers stay empty (as a text rendition of the table would print it).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from auditor.ingest.pdf.layout import cell_lines, join_lines
from auditor.ingest.pdf.source import Char, PageData

POS_TOL = 1.2      # rulings this close (pt) across are one line
JOIN_GAP = 2.5     # pieces of one ruling with a gap this small are one ruling
TOUCH = 2.5        # a vertical and a horizontal ruling this close touch
COL_TOL = 3.0      # vertical rulings this close are one column boundary
ROW_TOL = 1.5
COVER = 0.6        # a ruling separates two atomic cells when it covers this share of their border


@dataclass
class GridCell:
    r0: int
    r1: int
    c0: int
    c1: int
    x0: float
    x1: float
    top: float
    bottom: float
    chars: list[Char] = field(default_factory=list)
    lines: list[tuple[str, list[Char]]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_lines([t for t, _ in self.lines])

    def wrapped_to_edge(self) -> bool:
        """Whether the cell's last text line runs up to the cell's right border
        (the text may continue on the next line or page)."""
        if not self.lines:
            return False
        last = [c for c in self.lines[-1][1] if c.text.strip()]
        if not last:
            return False
        size = max(c.size for c in last)
        room = self.x1 - max(c.x1 for c in last)
        centred = room - (min(c.x0 for c in last) - self.x0) < 0.5 * size
        return room < 0.75 * size or (not centred and room < 1.6 * size)


@dataclass
class Grid:
    xs: list[float]
    ys: list[float]
    cells: list[GridCell]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    @property
    def ncols(self) -> int:
        return len(self.xs) - 1


def _merge(segs: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Collinear pieces -> rulings: (position, start, end). Pieces whose
    positions chain within POS_TOL are on one line; on a line, pieces that
    overlap or nearly touch are one ruling."""
    out: list[tuple[float, float, float]] = []
    group: list[tuple[float, float, float]] = []

    def flush() -> None:
        if not group:
            return
        pos = sum(g[0] for g in group) / len(group)
        current: list[float] | None = None
        for a, b in sorted((min(a, b), max(a, b)) for _, a, b in group):
            if current is not None and a <= current[1] + JOIN_GAP:
                current[1] = max(current[1], b)
            else:
                if current is not None:
                    out.append((pos, current[0], current[1]))
                current = [a, b]
        if current is not None:
            out.append((pos, current[0], current[1]))
        group.clear()

    for seg in sorted(segs):
        if group and seg[0] - group[-1][0] > POS_TOL:
            flush()
        group.append(seg)
    flush()
    return out


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _components(h: list[tuple], v: list[tuple]) -> list[tuple[list[tuple], list[tuple]]]:
    parent = list(range(len(h) + len(v)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for j, (x, y0, y1) in enumerate(v):
        for i, (y, x0, x1) in enumerate(h):
            if x0 - TOUCH <= x <= x1 + TOUCH and y0 - TOUCH <= y <= y1 + TOUCH:
                ra, rb = find(i), find(len(h) + j)
                if ra != rb:
                    parent[ra] = rb
    groups: dict[int, tuple[list, list]] = {}
    for i, s in enumerate(h):
        groups.setdefault(find(i), ([], []))[0].append(s)
    for j, s in enumerate(v):
        groups.setdefault(find(len(h) + j), ([], []))[1].append(s)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _covered(segs: list[tuple[float, float, float]], pos: float, tol: float, a: float, b: float) -> bool:
    span = b - a
    if span <= 0:
        return True
    got = 0.0
    for p, s, e in segs:
        if abs(p - pos) <= tol:
            got += max(0.0, min(b, e) - max(a, s))
    return got >= COVER * span


def find_grids(page: PageData) -> list[Grid]:
    h = [s for s in _merge(page.hsegs) if s[2] - s[1] >= 3]
    v = [s for s in _merge(page.vsegs) if s[2] - s[1] >= 3]
    grids = []
    for hs, vs in _components(h, v):
        xs = _cluster([s[0] for s in vs], COL_TOL)
        ys = _cluster([s[0] for s in hs], ROW_TOL)
        left, right = min(s[1] for s in hs), max(s[2] for s in hs)
        top, bottom = min(s[1] for s in vs), max(s[2] for s in vs)
        if left < xs[0] - COL_TOL:
            xs.insert(0, left)      # an open frame (no outer vertical ruling)
        if right > xs[-1] + COL_TOL:
            xs.append(right)
        if top < ys[0] - ROW_TOL:
            ys.insert(0, top)
        if bottom > ys[-1] + ROW_TOL:
            ys.append(bottom)
        if len(xs) < 2 or len(ys) < 2 or xs[-1] - xs[0] < 20 or ys[-1] - ys[0] < 8:
            continue
        grid = _cells(xs, ys, hs, vs)
        if len(grid.cells) >= 2:
            grids.append(grid)
    grids.sort(key=lambda g: g.ys[0])
    return grids


def _cells(xs: list[float], ys: list[float], hs: list[tuple], vs: list[tuple]) -> Grid:
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for i in range(nr):
        for j in range(nc - 1):
            if not _covered(vs, xs[j + 1], COL_TOL, ys[i], ys[i + 1]):
                union(i * nc + j, i * nc + j + 1)
    for i in range(nr - 1):
        for j in range(nc):
            if not _covered(hs, ys[i + 1], ROW_TOL + 0.5, xs[j], xs[j + 1]):
                union(i * nc + j, (i + 1) * nc + j)
    spans: dict[int, list[int]] = {}
    for i in range(nr):
        for j in range(nc):
            r = find(i * nc + j)
            s = spans.get(r)
            if s is None:
                spans[r] = [i, i, j, j]
            else:
                s[0], s[1], s[2], s[3] = min(s[0], i), max(s[1], i), min(s[2], j), max(s[3], j)
    cells = [GridCell(r0, r1 + 1, c0, c1 + 1, xs[c0], xs[c1 + 1], ys[r0], ys[r1 + 1])
             for r0, r1, c0, c1 in sorted(spans.values())]
    return Grid(xs, ys, cells)


def fill(grid: Grid, chars: list[Char], ocr: bool = False) -> set[int]:
    """Put the characters inside the grid into its cells; returns the ids of
    the characters used."""
    xs, ys = grid.xs, grid.ys
    nc = grid.ncols
    index: dict[tuple[int, int], GridCell] = {}
    for cell in grid.cells:
        for i in range(cell.r0, cell.r1):
            for j in range(cell.c0, cell.c1):
                index[(i, j)] = cell
    used: set[int] = set()
    x_lo, y_lo, x_hi, y_hi = grid.bbox
    for c in chars:
        cx, cy = c.cx, c.cy
        if not (x_lo <= cx < x_hi and y_lo <= cy < y_hi):
            continue
        j = min(bisect_right(xs, cx) - 1, nc - 1)
        i = min(bisect_right(ys, cy) - 1, len(ys) - 2)
        cell = index.get((i, j))
        if cell is not None:
            cell.chars.append(c)
            used.add(id(c))
    for cell in grid.cells:
        if cell.chars:
            cell.lines = cell_lines(cell.chars, ocr)
    return used


def grid_rows(grid: Grid) -> list[tuple[int, list[GridCell | None]]]:
    """Rows with text: (atomic row index, the cell starting at each column or None)."""
    by_row: dict[int, list[GridCell | None]] = {}
    for cell in grid.cells:
        if not cell.lines:
            continue
        row = by_row.setdefault(cell.r0, [None] * grid.ncols)
        row[cell.c0] = cell
    return sorted(by_row.items())
