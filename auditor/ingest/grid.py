"""Grids (spreadsheet sheets, CSV rows, Word tables) -> blocks.

A grid is cut into blocks the way the text reader cuts lines: a fully blank row
ends a table, a single-cell row that looks like a title is a heading, a
single-cell row outside a table is a paragraph, and the rows in between form a
table. Cells keep their position (`col`) and line. Shared by the csv, xlsx, xls
and docx readers.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from auditor.ingest.raw import Cell, Paragraph, RawDocument, RawTable
from auditor.ingest.text import heading_text

# Titles strong enough to start a new table even without a blank row before them.
STRONG_TITLE = re.compile(
    r"(自评表|目标表|预算表|决算表|总表|明细表|情况表|支出表|收入表|基础数据表|批复表|汇总表)"
    r"(\s*[(（]\s*\d{4}\s*年度?\s*[)）])?$")
# "单位：万元", "单位名称：某局", "编制单位:" – metadata printed above a table, never a table row of its own.
META_CELL = re.compile(r"^[^\s：:]{1,12}[：:]")
MAX_TITLE = 60
# "注：1. 本表…" under a table: a note, not a row of it
NOTE = re.compile(r"^(注|说明|填报说明)\s*[:：0-9１-９]")
# Rows are padded to the table's width only while rows × width stays below this; a stray
# cell far to the right (column XFD) must not turn into millions of empty cells.
MAX_PADDED_CELLS = 4_000_000


class FormatError(ValueError):
    """A file a reader refuses or cannot read; the message is for the user (Chinese)."""


def clean_cell(text: str) -> str:
    """A cell's printed text on one line: inner line breaks joined (with a space
    only between two ASCII characters, as a PDF extraction joins wrapped words),
    tabs and ideographic spaces made plain spaces, surrounding whitespace removed."""
    if not text:
        return ""
    s = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").replace("\u3000", " ")
    if "\n" in s:
        out = ""
        for part in (p.strip() for p in s.split("\n")):
            if not part:
                continue
            if out and out[-1].isascii() and part[0].isascii() and out[-1].isalnum() and part[0].isalnum():
                out += " "
            out += part
        s = out
    return s.strip()


@dataclass
class GridRow:
    """One row of a grid as a reader sees it, before segmentation."""

    line: int
    cells: list[Cell]
    span: int = 1                 # columns covered by the widest merged cell anchored in this row
    covered: bool = False         # the row lies inside a vertical merge started above (never a table break)
    extent: tuple[int, int] | None = None   # (first, last) column the row occupies, merges included

    def filled(self) -> list[Cell]:
        return [c for c in self.cells if c.text]


@dataclass
class Segmenter:
    """Cuts a stream of GridRows into RawTables and Paragraphs, appended to `doc`."""

    doc: RawDocument
    layout: str
    sheet: str | None = None
    headings: list[str] = field(default_factory=list)
    leading_headings: bool = False          # CSV: single-cell rows before the first table are headings
    cell_ref: Callable[[int, int], str] | None = None   # (col, line) -> "C7" for padding cells
    _run: list[GridRow] = field(default_factory=list)
    _tables: int = 0

    def feed(self, rows: Iterable[GridRow]) -> None:
        for row in rows:
            self.add(row)
        self.flush()

    def add(self, row: GridRow) -> None:
        filled = row.filled()
        if not filled:
            if row.covered and self._run:
                self._run.append(row)
            else:
                self.flush()
            return
        if len(filled) == 1:
            text = filled[0].text
            kind = self._single_kind(text, row)
            if kind == "heading":
                self.flush()
                self._heading(text)
                return
            if kind == "paragraph":
                self.doc.blocks.append(Paragraph(text, row.line, sheet=self.sheet))
                return
        elif not self._run and len(filled) <= 3 and all(META_CELL.match(c.text) and len(c.text) <= 40 for c in filled):
            for c in filled:
                self.doc.blocks.append(Paragraph(c.text, row.line, sheet=self.sheet))
            return
        self._run.append(row)

    def _single_kind(self, text: str, row: GridRow) -> str:
        short = len(text) <= MAX_TITLE and not re.search(r"[。；;！？]$", text)
        strong = short and bool(STRONG_TITLE.search(text))
        looks = heading_text(text) is not None
        if self._run:
            width = self._width()
            wide = row.span >= max(2, (width + 1) // 2)
            if strong or (looks and wide):
                return "heading"
            if NOTE.match(text):
                self.flush()
                return "paragraph"
            return "row"
        if META_CELL.match(text) and not strong:
            return "paragraph"
        if strong or looks:
            return "heading"
        if self.leading_headings and self._tables == 0 and short:
            return "heading"
        return "paragraph"

    def _width(self) -> int:
        lo, hi = self._bounds(self._run)
        return hi - lo + 1 if hi >= lo else 0

    @staticmethod
    def _bounds(rows: list[GridRow]) -> tuple[int, int]:
        lo, hi = 10 ** 9, 0
        for r in rows:
            for c in r.cells:
                if c.text:
                    lo, hi = min(lo, c.col), max(hi, c.col)
            if r.extent and any(c.text for c in r.cells):
                lo, hi = min(lo, r.extent[0]), max(hi, r.extent[1])
        return lo, hi

    def _heading(self, text: str) -> None:
        title = heading_text(text) or text
        if not self.headings or self.headings[-1] != title:
            self.headings.append(title)
        if self.doc.title is None:
            self.doc.title = title

    def flush(self) -> None:
        rows = [r for r in self._run if r.filled()]
        self._run = []
        if not rows:
            return
        lo, hi = self._bounds(rows)
        if len(rows) * (hi - lo + 1) > MAX_PADDED_CELLS:
            out = [[c for c in r.cells if c.text] for r in rows]      # too wide to pad: keep the cells as found
            self._emit(out, rows[0].line)
            return
        out: list[list[Cell]] = []
        for r in rows:
            by_col = {c.col: c for c in r.cells if lo <= c.col <= hi}
            line = r.line
            out.append([by_col.get(col) or Cell("", line, col, self.cell_ref(col, line) if self.cell_ref else None)
                        for col in range(lo, hi + 1)])
        self._emit(out, rows[0].line)

    def _emit(self, rows: list[list[Cell]], line: int) -> None:
        self.doc.blocks.append(RawTable(title=self.headings[-1] if self.headings else None, rows=rows,
                                        line=line, headings=list(self.headings[-4:]),
                                        sheet=self.sheet, layout=self.layout))
        self._tables += 1


__all__ = ["FormatError", "clean_cell", "GridRow", "Segmenter", "STRONG_TITLE", "META_CELL", "NOTE"]
