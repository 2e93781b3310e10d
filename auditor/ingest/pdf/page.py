"""One page -> items top to bottom: text lines outside tables, and tables (ruled
grids, or failing rulings, runs of lines whose words align in columns)."""
from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from auditor.ingest.pdf.grid import Grid, GridCell, fill, find_grids, grid_rows
from auditor.ingest.pdf.layout import cluster_lines, line_text
from auditor.ingest.pdf.source import Char, PageData
from auditor.ingest.raw import Cell

CHUNK_GAP = 1.5      # ems: a gap this wide inside a line separates aligned columns
MIN_ALIGNED_ROWS = 3


@dataclass
class Line:
    no: int
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    page: int
    ocr: bool = False
    drop: bool = False
    lead_w: float = 0.0     # width of the first word (an ASCII run, or one character)


@dataclass
class Table:
    rows: list[list[Cell]]
    top: float
    bottom: float
    xs: list[float]              # column boundaries, to tell a continuation on the next page
    page: int
    layout: str
    line: int | None = None
    grid_cells: list[list[GridCell | None]] = field(default_factory=list)   # per row, for ruled tables


@dataclass
class Page:
    no: int
    width: float
    height: float
    items: list = field(default_factory=list)     # Line | Table, top to bottom
    chars: int = 0


def read_page(data: PageData, counter: list[int]) -> Page:
    chars = [] if data.undecodable else data.chars
    out = Page(data.no, data.width, data.height, chars=sum(1 for c in chars if c.text.strip()))
    if not out.chars:
        return out
    lines = cluster_lines(chars)
    numbered = []
    for line in lines:
        if not any(c.text.strip() for c in line):
            continue
        counter[0] += 1
        for c in line:
            c.ln = counter[0]
        numbered.append(line)
    for line in lines:                      # space-only lines
        for c in line:
            if not c.ln:
                c.ln = counter[0]
    layout = "ocr" if data.ocr else "pdf"
    used: set[int] = set()
    tables: list[Table] = []
    for grid in find_grids(data):
        taken = fill(grid, [c for c in chars if id(c) not in used], data.ocr)
        table = _grid_table(grid, data.no, layout)
        if table is None:
            continue
        used |= taken
        tables.append(table)
    rest_lines = []
    for line in numbered:
        rest = [c for c in line if id(c) not in used]
        if any(c.text.strip() for c in rest):
            rest_lines.append(rest)
    if not data.ocr:
        for table, consumed in _aligned_tables(rest_lines, data.no):
            tables.append(table)
            used |= consumed
    for rest in rest_lines:
        rest = [c for c in rest if id(c) not in used]
        vis = [c for c in rest if c.text.strip()]
        if not vis:
            continue
        text = line_text(rest, data.ocr)
        if not text:
            continue
        k = 0
        while k + 1 < len(vis) and vis[k].text.isascii() and vis[k + 1].text.isascii() \
                and vis[k + 1].x0 - vis[k].x1 < 0.2 * vis[k].size:
            k += 1
        out.items.append(Line(vis[0].ln, text, min(c.top for c in vis), max(c.bottom for c in vis),
                              min(c.x0 for c in vis), max(c.x1 for c in vis),
                              median(c.size for c in vis), data.no, data.ocr, lead_w=vis[k].x1 - vis[0].x0))
    out.items += tables
    out.items.sort(key=lambda it: (it.top, 0 if isinstance(it, Table) else 1))
    return out


def _grid_table(grid: Grid, pno: int, layout: str) -> Table | None:
    rows: list[list[Cell]] = []
    metas: list[list[GridCell | None]] = []
    for _, cells in grid_rows(grid):
        line = min((c.ln for cell in cells if cell for c in cell.chars if c.text.strip()), default=None)
        rows.append([Cell(cell.text if cell else "", line, k + 1) for k, cell in enumerate(cells)])
        metas.append(cells)
    if not rows:
        return None
    x0, top, x1, bottom = grid.bbox
    return Table(rows, top, bottom, list(grid.xs), pno, layout,
                 line=min((c.line for r in rows for c in r if c.line), default=None), grid_cells=metas)


def _chunks(line: list[Char]) -> list[list[Char]]:
    out: list[list[Char]] = []
    last: Char | None = None
    for c in line:
        if c.text == " " or not c.text.strip():
            continue
        if last is not None:
            size = c.size if c.size > last.size else last.size
            if c.x0 - last.x1 < CHUNK_GAP * size:
                out[-1].append(c)
                last = c
                continue
        out.append([c])
        last = c
    return out


def _aligned_tables(lines: list[list[Char]], pno: int) -> list[tuple[Table, set[int]]]:
    """Unruled tables: runs of three or more consecutive lines of two or more
    word groups, columns from the union of the groups' extents over the run."""
    found = []
    run: list[list[list[Char]]] = []

    def flush() -> None:
        if len(run) >= MIN_ALIGNED_ROWS:
            table = _aligned(run, pno)
            if table is not None:
                found.append(table)
        run.clear()

    prev_bottom = None
    for line in lines:
        chunks = _chunks(line)
        if len(chunks) < 2:
            if run:
                flush()
            prev_bottom = None
            continue
        size = chunks[0][0].size
        top = min(ch[0].top for ch in chunks)
        if run and prev_bottom is not None and top - prev_bottom > 2.5 * size:
            flush()
        run.append(chunks)
        prev_bottom = max(c.bottom for ch in chunks for c in ch)
    flush()
    return found


def _aligned(run: list[list[list[Char]]], pno: int) -> tuple[Table, set[int]] | None:
    spans = sorted((ch[0].x0, ch[-1].x1) for chunks in run for ch in chunks)
    cols: list[list[float]] = []
    for a, b in spans:
        if cols and a <= cols[-1][1] + 2:
            cols[-1][1] = max(cols[-1][1], b)
        else:
            cols.append([a, b])
    if len(cols) < 2:
        return None
    rows: list[list[Cell]] = []
    used: set[int] = set()
    for chunks in run:
        texts = [""] * len(cols)
        line = min(c.ln for ch in chunks for c in ch)
        for ch in chunks:
            mid = (ch[0].x0 + ch[-1].x1) / 2
            k = next((i for i, (a, b) in enumerate(cols) if a - 1 <= mid <= b + 1), None)
            if k is None:
                continue
            texts[k] = (texts[k] + " " + line_text(ch)).strip()
            used.update(id(c) for c in ch)
        rows.append([Cell(t, line, k + 1) for k, t in enumerate(texts)])
    xs = [a for a, _ in cols] + [cols[-1][1]]
    top = min(c.top for ch in run[0] for c in ch)
    bottom = max(c.bottom for ch in run[-1] for c in ch)
    return Table(rows, top, bottom, xs, pno, "pdf", line=rows[0][0].line), used
