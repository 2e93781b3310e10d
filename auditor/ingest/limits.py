"""The memory budget of reading one file, as sizes the readers check before they expand.

`memory_mb` (auditor.config) is what reading one file may take. The reading worker runs under
an address-space limit of that size (auditor.readpool), which stops any reader; these sizes let
each reader refuse earlier, with a message naming what was too large and the limit, before it
builds the objects that would take the memory: a text line, a CSV's columns, an Excel
shared-strings or styles part, a Word XML part or its cells after gridSpan, a PDF's characters.
Each is the budget divided by what one unit costs once read (measured on the readers, rounded
up), so that a file within all of them stays within the budget.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.config import DEFAULTS

MAX_COLUMNS = 16_384             # Excel's last column (XFD); a CSV row wider is not a table


@dataclass(frozen=True)
class Budget:
    memory_mb: float = float(DEFAULTS["memory_mb"])

    @property
    def bytes(self) -> int:
        return int(self.memory_mb * 1024 * 1024)

    @property
    def line_chars(self) -> int:
        """characters of one text line (a line becomes cells, words and their positions)"""
        return max(1_000, self.bytes // 400)

    @property
    def text_chars(self) -> int:
        """characters of a whole text or CSV file"""
        return max(10_000, self.bytes // 100)

    @property
    def cells(self) -> int:
        """cells of a document (Word cells after gridSpan, CSV fields)"""
        return max(1_000, self.bytes // 1_000)

    @property
    def xml_part_bytes(self) -> int:
        """an XML part parsed whole (Word parts, Excel shared strings and styles)"""
        return max(1 << 16, self.bytes // 32)

    @property
    def pdf_chars(self) -> int:
        """characters of a PDF, all pages"""
        return max(1_000, self.bytes // 600)

    @property
    def pdf_page_chars(self) -> int:
        """characters of one PDF page (a dense A4 page holds about 5,000)"""
        return min(200_000, self.pdf_chars)

    def note(self) -> str:
        return f"（由 memory_mb = {self.memory_mb:g} MB 决定）"


def current() -> Budget:
    """The budget of the file being read: the reading worker's memory_mb, else the default."""
    from auditor import readpool

    return Budget(float(readpool.WORKER_MEMORY_MB)) if readpool.WORKER_MEMORY_MB else Budget()


def check_text(text: str, what: str = "文本") -> None:
    """Refuse a text with a line or a total length past the budget (FormatError)."""
    from auditor.ingest.grid import FormatError

    b = current()
    if len(text) > b.text_chars:
        raise FormatError(f"{what}过长（{len(text):,} 个字符，上限 {b.text_chars:,} 个字符）{b.note()}，已拒绝读取")
    lines = re.split(r"[\r\n]", text)
    if max(map(len, lines)) > b.line_chars:
        longest = next(i for i, line in enumerate(lines) if len(line) > b.line_chars)
        raise FormatError(f"{what}第 {longest + 1} 行过长（{len(lines[longest]):,} 个字符，上限 {b.line_chars:,} 个字符）"
                          f"{b.note()}，已拒绝读取")
