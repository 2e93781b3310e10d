"""CSV/TSV bytes -> RawDocument. The rows are cut into blocks by the grid
segmenter every grid reader shares (auditor.ingest.grid)."""
from __future__ import annotations

import csv
import io
import re
from pathlib import PurePath

from auditor.ingest.decode import decode
from auditor.ingest.grid import (META_CELL, MAX_TITLE, NOTE, STRONG_TITLE, FormatError, GridRow,  # noqa: F401
                                 Segmenter, clean_cell)
from auditor.ingest.raw import Cell, RawDocument


def sniff_delimiter(text: str, name: str = "") -> str:
    """Tab, comma or semicolon. A tab that occurs on most lines wins (numbers
    such as 58,149.15 put commas into tab-separated files); then csv.Sniffer,
    accepted only when its choice occurs on most lines; then the most frequent."""
    if PurePath(name).suffix.lower() == ".tsv":
        return "\t"
    sample = text[:65536]
    if len(text) > 65536 and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    lines = [ln for ln in sample.splitlines() if ln.strip()][:200]
    if not lines:
        return ","

    def share(d: str) -> float:
        return sum(1 for ln in lines if d in _unquoted(ln)) / len(lines)

    if share("\t") >= 0.5:
        return "\t"
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=",\t;").delimiter
        if found in ",\t;" and share(found) >= 0.5:
            return found
    except csv.Error:
        pass
    best = max(",;\t", key=lambda d: (share(d), sum(_unquoted(ln).count(d) for ln in lines)))
    return best if share(best) > 0 else ","


def _unquoted(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def parse_csv(file: str, data: bytes) -> RawDocument:
    """Decode (BOM / UTF-8 / GB18030 / UTF-16), sniff the delimiter, one Cell per
    field with `line` = the CSV line the record starts on. Leading single-cell
    rows (a title line above the table) become headings."""
    from auditor.ingest.limits import MAX_COLUMNS, check_text, current

    text, _enc = decode(data)
    text = text.lstrip("\ufeff")
    check_text(text, "CSV 文件")
    budget = current()
    cells_seen = 0
    delimiter = sniff_delimiter(text, file)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=False)
    doc = RawDocument(file=file, fmt="csv")
    seg = Segmenter(doc, layout="csv", leading_headings=True)
    start = 1
    try:
        for record in reader:
            if len(record) > MAX_COLUMNS:
                raise FormatError(f"CSV 第 {start} 行有 {len(record):,} 列，超过上限 {MAX_COLUMNS:,} 列（Excel 的最大列数），"
                                  "已拒绝读取")
            cells_seen += len(record)
            if cells_seen > budget.cells:
                raise FormatError(f"CSV 文件单元格过多（超过 {budget.cells:,} 个）{budget.note()}，已拒绝读取")
            cells = [Cell(clean_cell(v), start, i + 1) for i, v in enumerate(record)]
            seg.add(GridRow(start, cells))
            start = reader.line_num + 1
    except csv.Error as e:
        raise FormatError(f"CSV 第 {reader.line_num} 行格式错误：{e}") from None
    seg.flush()
    return doc
