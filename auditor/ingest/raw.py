"""What every reader produces: a RawDocument of blocks (tables and paragraphs),
each cell keeping where it came from. Readers know file formats, nothing about
budget tables; recognizing what a table is happens in auditor.recognize.
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field

REPORT_TITLE = re.compile(r"(报告|说明|自评表|批复表|决算|预算)$")


@dataclass(slots=True)
class Cell:
    text: str                 # as printed, stripped of surrounding whitespace
    line: int | None = None   # 1-based line in a text file
    col: int = 0              # 1-based cell position in its row (text) or sheet column number
    cell: str | None = None   # spreadsheet reference, "C7"
    sheet: str | None = None  # spreadsheet sheet name

    def loc(self) -> str:
        """"line:col", or "line:col:Sheet!C7" for spreadsheet cells (parsed back by the engine)."""
        base = f"{self.line or 0}:{self.col}"
        if self.cell:
            return f"{base}:{self.sheet or ''}!{self.cell}"
        return base


@dataclass
class RawTable:
    title: str | None               # nearest heading before the table ("预算项目(政策)绩效目标自评表")
    rows: list[list[Cell]]
    line: int | None = None          # first line of the table
    headings: list[str] = field(default_factory=list)  # heading lines before it, nearest last
    sheet: str | None = None
    page: int | None = None
    layout: str = "row"              # row | cell | sheet | docx | csv
    preamble: list[str] = field(default_factory=list)   # short lines between the heading and the table (单位：万元)
    truncated: bool = False          # the text ends inside the table (a page stored cut off): rows are missing

    def first_line(self) -> int | None:
        for row in self.rows:
            for c in row:
                if c.line:
                    return c.line
        return self.line


@dataclass
class Paragraph:
    """Prose: one paragraph, reflowed from its physical lines (auditor.ingest.prose).

    `marks` maps offsets of `text` back to where they were printed: sorted
    (offset, line, col) triples, each starting a run of characters printed one
    after another on one line. Empty for a paragraph that is one printed line."""
    text: str
    line: int | None = None
    sheet: str | None = None
    page: int | None = None
    marks: list[tuple[int, int | None, int]] = field(default_factory=list)
    # what the reader moved back into place, as said to the user (a reading-order repair)
    repairs: list[str] = field(default_factory=list)

    def where(self, offset: int) -> tuple[int | None, int]:
        """(line, 1-based column) of the character at `offset` of `text`."""
        if not self.marks:
            return self.line, offset + 1
        k = bisect.bisect_right(self.marks, (offset, math.inf, math.inf)) - 1
        if k < 0:
            return self.line, offset + 1
        start, line, col = self.marks[k]
        return line, col + (offset - start)


@dataclass
class RawDocument:
    file: str
    blocks: list[RawTable | Paragraph] = field(default_factory=list)
    title: str | None = None        # first heading of the document
    first_heading: str | None = None  # the reader's first heading, kept when a report-title line becomes the title
    error: str | None = None         # set when the file could not be read at all
    sha256: str | None = None
    fmt: str = "text"

    @property
    def tables(self) -> list[RawTable]:
        return [b for b in self.blocks if isinstance(b, RawTable)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def settle_title(self) -> "RawDocument":
        """The document's title, the same way for every reader: a report-title line
        before the first table (2020年部门整体支出绩效自评报告) wins over a heading such as
        附件1; else the reader's first heading; else the first paragraph."""
        self.first_heading = self.first_heading or self.title
        leading = []
        for b in self.blocks:
            if not isinstance(b, Paragraph):
                break
            leading.append(b)
        named = next((b.text for b in leading if len(b.text) <= 60 and REPORT_TITLE.search(b.text)), None)
        if named:
            self.title = named
        if self.title is None:
            first = next((b for b in self.blocks if isinstance(b, Paragraph)), None)
            self.title = first.text[:80] if first else None
        return self
