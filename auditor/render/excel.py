"""Excel workbook (openpyxl): sheet "findings" (one row per finding) and sheet "documents".

Document text is untrusted: a cell whose text starts with = + - @ (or a tab / CR,
which Excel strips before evaluating) is prefixed with ' so that a spreadsheet
never evaluates it as a formula (CSV/formula injection).
"""
from __future__ import annotations

from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from auditor.findings import Report
from auditor.render.common import SEVERITY_LABELS, by_document, sorted_findings

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60

FINDING_COLUMNS = [
    ("规则", 9), ("名称", 30), ("规则族", 8), ("级别", 6), ("文件", 30), ("表格", 30), ("行", 24),
    ("行号", 6), ("列", 5), ("字段", 12), ("工作表", 10), ("页", 5), ("单元格", 7),
    ("印出值", 14), ("应为", 14), ("说明", 60), ("指纹", 18),
]
DOCUMENT_COLUMNS = [
    ("文件", 40), ("文档编号", 12), ("类型", 14), ("标题", 40), ("年度", 6), ("表格数", 7),
    ("可读", 6), ("错误", 6), ("警告", 6), ("提示", 6), ("合计", 6), ("SHA-256", 20),
]


def safe_cell_text(value):
    """Neutralize formula injection and drop characters an .xlsx cannot hold."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _sheet(wb: Workbook, title: str, columns, rows) -> None:
    ws = wb.create_sheet(title)
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(width, MAX_COLUMN_WIDTH)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name, _ in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        ws.append([safe_cell_text(v) for v in row])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def _finding_rows(report: Report):
    for f in sorted_findings(report.items):
        loc = f.location
        yield [f.rule, f.name, f.family, SEVERITY_LABELS[f.severity.value], loc.file, loc.table, loc.row,
               loc.line, loc.column, loc.field, loc.sheet, loc.page, loc.cell,
               f.printed, f.expected, f.message, f.fingerprint]


def _document_rows(report: Report):
    for d in by_document(report):
        c, info = d.counts, d.info
        yield [d.file, info.doc_id if info else None, info.kind if info else None, d.title or None,
               info.year if info else None, info.tables if info else None,
               ("是" if info.readable else "否") if info else None,
               c["error"], c["warning"], c["info"], len(d.findings), info.sha256 if info else None]


class ExcelRenderer:
    name = "excel"
    human_readable = False
    suffix = ".xlsx"
    binary = True

    def render(self, report: Report, stream: IO, options) -> None:
        wb = Workbook(write_only=True)
        _sheet(wb, "findings", FINDING_COLUMNS, _finding_rows(report))
        _sheet(wb, "documents", DOCUMENT_COLUMNS, _document_rows(report))
        wb.save(stream)


RENDERER = ExcelRenderer()
