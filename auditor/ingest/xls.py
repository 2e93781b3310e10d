"""Legacy Excel workbooks (.xls, BIFF8) -> RawDocument, through python-calamine.

The sheets go through the same grid segmenter as .xlsx, with merged ranges blanked
except their top-left cell. calamine gives cell values, not number formats: a
rate stored as 0.864 and shown as 86.40% reads as 0.864, and a money cell shown
to two decimals reads as its stored value. Findings on such cells quote what the
file stores; save as .xlsx to have the printed precision.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from auditor.ingest.grid import FormatError, GridRow, Segmenter, clean_cell
from auditor.ingest.raw import Cell, RawDocument
from auditor.ingest.text import heading_text
from auditor.ingest.xlsx import DEFAULT_MAX_CELLS, _column_letter, format_general


def _text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return format_general(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return clean_cell(str(value))


def _rows(sheet, max_cells: int):
    grid = sheet.to_python(skip_empty_area=False)
    if sum(len(r) for r in grid) > max_cells:
        raise FormatError(f"工作表“{sheet.name}”过大（超过 {max_cells:,} 个单元格），已拒绝读取")
    merges = [((r0 + 1, c0 + 1), (r1 + 1, c1 + 1)) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
    hidden = {(r, c) for (r0, c0), (r1, c1) in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
              if (r, c) != (r0, c0)}
    for rowno, values in enumerate(grid, 1):
        cells = []
        for col, value in enumerate(values, 1):
            if (rowno, col) in hidden:
                continue
            text = _text(value)
            if text:
                cells.append(Cell(text, rowno, col, f"{_column_letter(col)}{rowno}"))
        anchored = [m for m in merges if m[0][0] == rowno]
        span = max((m[1][1] - m[0][1] + 1 for m in anchored), default=1)
        covered = any(m[0][0] < rowno <= m[1][0] for m in merges)
        cols = [c.col for c in cells] + [m[0][1] for m in anchored] + [m[1][1] for m in anchored]
        yield GridRow(rowno, cells, span=span, covered=covered, extent=(min(cols), max(cols)) if cols else None)


def parse_xls(file: str, path: str | Path, *, max_cells: int | None = None) -> RawDocument:
    """Read every visible sheet of an .xls. Raises FormatError (Chinese message) for a damaged or
    password-protected file; read_document turns that into RawDocument.error."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise FormatError("读取 .xls 需要 python-calamine（pip install python-calamine），或将文件另存为 .xlsx") from None
    max_cells = DEFAULT_MAX_CELLS if max_cells is None else max_cells
    doc = RawDocument(file=file, fmt="xls")
    try:
        with open(path, "rb") as handle:
            wb = CalamineWorkbook.from_filelike(handle)
            visible = {m.name for m in wb.sheets_metadata if str(m.visible).endswith("Visible")
                       and "Hidden" not in str(m.visible)}
            for name in wb.sheet_names:
                if name not in visible:
                    continue
                sheet = wb.get_sheet_by_name(name)
                headings = []
                title = heading_text(name)
                if title:
                    headings.append(title)
                seg = Segmenter(doc, layout="sheet", sheet=name, headings=headings,
                                cell_ref=lambda col, line: f"{_column_letter(col)}{line}")
                seg.feed(_rows(sheet, max_cells))
    except FormatError:
        raise
    except Exception as e:  # noqa: BLE001 - calamine reports damage and passwords with its own types
        kind = type(e).__name__
        if kind == "PasswordError":
            raise FormatError(".xls 文件设有密码保护，无法读取；请去掉密码后另存为 .xlsx") from None
        raise FormatError(f"旧版 Excel（.xls）文件已损坏或不是 Excel 文件，无法解析（{kind}：{str(e)[:120]}）") from None
    return doc
