"""Text extracted from PDF/Word -> RawDocument.

Two layouts occur (domain.md): the row layout, one table row per line with
tab-separated cells; and the cell layout, one cell per line, each starting with
a tab, rows separated by blank lines. Sections start at headings; a table is
the run of table lines after a heading. Long lines without tabs are prose.
"""
from __future__ import annotations

import re

from auditor.ingest.prose import Line, reflow
from auditor.ingest.raw import Cell, RawDocument, RawTable

_HEADING = re.compile(
    r"^(#{1,6}\s+.+|\*\*.+\*\*|表\s*\d+|附件\s*[\d\-－]+|.{2,60}(表|表\s*[(（]\s*\d{4}\s*年度?\s*[)）]))$")
PROSE_MIN = 40


def heading_text(line: str) -> str | None:
    s = line.strip()
    if not s or "\t" in line.strip("\n").lstrip("\t") and line.count("\t") > 1:
        return None
    if _HEADING.match(s):
        return re.sub(r"^#+\s*|\*\*", "", s).strip()
    return None


def _is_cell_line(line: str) -> bool:
    return line.startswith("\t") and "\t" not in line[1:]


def _cell_rows(lines: list[tuple[int, str]]) -> list[list[Cell]]:
    """Cell layout: a tab line after a blank starts a row; a line without a tab
    continues the previous cell; a group of blank cells belongs to the row before."""
    rows: list[list[Cell]] = []
    current: list[Cell] = []
    blank_before = True
    for no, line in lines:
        if not line.strip(" \r\n"):
            # only a truly empty line separates rows; a lone ideographic space continues a cell
            blank_before = True
            continue
        if line.startswith("\t"):
            text = line[1:].strip().replace("\u3000", " ").strip()
            if blank_before and current:
                rows.append(current)
                current = []
            current.append(Cell(text, no, len(current) + 1))
        elif current:
            prev = current[-1]
            add = line.strip().replace("\u3000", " ").strip()
            sep = " " if prev.text and add and prev.text[-1].isascii() and add[0].isascii() else ""
            prev.text = (prev.text + sep + add).strip()
        else:
            current.append(Cell(line.strip(), no, 1))
        blank_before = False
    if current:
        rows.append(current)
    merged: list[list[Cell]] = []
    for row in rows:
        if merged and all(not c.text for c in row):
            for c in row:
                c.col = len(merged[-1]) + 1
                merged[-1].append(c)
        else:
            merged.append(row)
    return merged


def _row_cells(no: int, line: str) -> list[Cell]:
    parts = line.rstrip("\r\n").split("\t")
    return [Cell(p.strip().replace("\u3000", " ").strip(), no, i + 1) for i, p in enumerate(parts)]


def parse_text(file: str, text: str) -> RawDocument:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    doc = RawDocument(file=file)
    headings: list[str] = []
    preamble: list[str] = []       # prose lines since the last heading
    run: list[tuple[int, str]] = []
    run_start: int | None = None
    prose: list[Line] = []         # prose lines since the last heading or table, reflowed into paragraphs
    blank = False

    def flush_prose() -> None:
        nonlocal prose
        if prose:
            doc.blocks.extend(reflow(prose))
        prose = []

    def flush() -> None:
        nonlocal run, run_start
        if run:
            flush_prose()
        table_lines = [(n, l) for n, l in run if "\t" in l]
        if table_lines:
            cell_like = sum(1 for _, l in table_lines if _is_cell_line(l))
            if cell_like >= 0.8 * len(table_lines):
                rows, layout = _cell_rows(run), "cell"
            else:
                rows = [_row_cells(n, l) if "\t" in l else [Cell(l.strip(), n, 1)]
                        for n, l in run if l.strip()]
                layout = "row"
            rows = [r for r in rows if any(c.text for c in r)]
            if rows:
                doc.blocks.append(RawTable(title=headings[-1] if headings else None, rows=rows,
                                           line=run_start, headings=list(headings[-4:]), layout=layout,
                                           preamble=list(preamble[-6:])))
        run, run_start = [], None

    for no, line in enumerate(lines, 1):
        stripped = line.strip()
        head = heading_text(line) if not line.startswith("\t") else None
        if head:
            flush()
            flush_prose()
            headings.append(head)
            preamble = []
            if doc.title is None:
                doc.title = head
            continue
        if "\t" in line:
            if run_start is None:
                run_start = no
            run.append((no, line))
            continue
        if not stripped:
            if run:
                run.append((no, line))
            blank = True
            continue
        if len(stripped) >= PROSE_MIN or (not run and re.search(r"[。；！？]$", stripped)):
            flush()
            prose.append(Line(line, no, blank_before=blank))
            preamble.append(stripped)
        elif run:
            run.append((no, line))
        else:
            prose.append(Line(line, no, blank_before=blank))
            preamble.append(stripped)
        blank = False
    flush()
    flush_prose()
    return doc.settle_title()
