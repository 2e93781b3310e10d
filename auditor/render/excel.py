"""Excel workbook (openpyxl) a finance bureau files as it is:

- 问题清单: one row per finding with 单位, 文件, 表格, 位置, 规则, 说明, 印数, 应为, and the
  review's own columns 状态 (a drop-down), 处理意见, 责任人 left empty for the reviewer;
- 单位汇总: one row per unit (单位), with its files and counts by severity;
- 文件汇总: one row per file, with what was read and why a file was not;
- 规则说明: every rule that reported, with its Chinese summary.

Sheet and column names are Chinese and cells hold what a reader understands (表格类型 in
Chinese, never `project_selfeval` or a canonical column name such as `actual`); long text
wraps. Document text is untrusted: a cell whose text starts with = + - @ (or a tab / CR,
which Excel strips before evaluating) is prefixed with ' so that a spreadsheet never
evaluates it as a formula (CSV/formula injection).
"""
from __future__ import annotations

from collections import Counter
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from auditor.findings import Finding, Report
from auditor.render.common import (
    LEGEND,
    SEVERITY_LABELS,
    by_document,
    chinese_title,
    family_titles,
    kind_label,
    natural_key,
    not_read,
    read_summary,
    sorted_findings,
)
from auditor.render.ruledoc import rule_doc
from auditor.textsafe import formula_safe, printable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60
REVIEW_STATES = ("待核实", "已修改", "已说明", "不是问题")
NO_UNIT = "（未识别单位）"

FINDING_COLUMNS = [
    ("序号", 6), ("单位", 22), ("文件", 28), ("表格", 28), ("位置", 14), ("规则", 9), ("规则名称", 26),
    ("级别", 6), ("说明", 60), ("印数", 14), ("应为", 16), ("状态", 10), ("处理意见", 30), ("责任人", 10),
    ("指纹", 18),
]
UNIT_COLUMNS = [("单位", 30), ("文件数", 8), ("错误", 6), ("警告", 6), ("提示", 6), ("合计", 6), ("主要问题（规则族）", 40)]
DOCUMENT_COLUMNS = [
    ("文件", 40), ("单位", 24), ("标题", 36), ("类型", 16), ("年度", 6), ("读取情况", 30), ("错误", 6), ("警告", 6),
    ("提示", 6), ("合计", 6),
]
RULE_COLUMNS = [("规则", 9), ("规则名称", 30), ("规则族", 14), ("级别", 6), ("问题数", 7), ("说明", 60), ("修改方法", 60)]
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SEVERITY_FONTS = {"error": Font(color="B00020", bold=True), "warning": Font(color="9A6700", bold=True),
                  "info": Font(color="0969DA")}


def safe_cell_text(value):
    """Neutralize formula injection and drop characters an .xlsx cannot hold."""
    if not isinstance(value, str):
        return value
    # control characters, lone surrogates and U+FFFE/U+FFFF shown escaped (an .xlsx cannot hold
    # them); what is left that XML refuses is dropped
    value = ILLEGAL_CHARACTERS_RE.sub("", printable(value))
    return formula_safe(value)


def units_by_file(report: Report) -> dict[str, str]:
    """file -> 单位: the unit the document's tables name most often (实施单位, 部门名称), else
    the documents table's unit; files of no known unit get none."""
    canonical = getattr(report, "canonical", None)
    if canonical is None:
        return {}
    try:
        docs, tables = canonical["documents"], canonical["tables"]
    except (KeyError, TypeError):
        return {}
    files = {d: printable(f) for d, f in zip(docs["doc_id"], docs["file"]) if isinstance(f, str)}
    votes: dict[str, Counter] = {}
    if "unit" in tables.columns:
        for doc_id, unit in zip(tables["doc_id"], tables["unit"]):
            if isinstance(unit, str) and unit.strip() and doc_id in files:
                votes.setdefault(files[doc_id], Counter())[unit.strip()] += 1
    out = {file: c.most_common(1)[0][0] for file, c in votes.items()}
    if "unit" in docs.columns:
        for file, unit in zip(docs["file"], docs["unit"]):
            if isinstance(file, str) and isinstance(unit, str) and unit.strip():
                out.setdefault(printable(file), unit.strip())
    return out


def position(f: Finding) -> str:
    loc = f.location
    if loc.sheet:
        return f"{loc.sheet}!{loc.cell}" if loc.cell else f"工作表 {loc.sheet}"
    parts = []
    if loc.page:
        parts.append(f"第 {loc.page} 页")
    if loc.line:
        parts.append(f"第 {loc.line} 行" + (f"第 {loc.column} 列" if loc.column else ""))
    return "，".join(parts)


class _Sheet:
    def __init__(self, wb: Workbook, title: str, columns, wrap: set[str] = frozenset()):
        self.ws = wb.create_sheet(title)
        self.columns = columns
        self.wrap = {i for i, (name, _) in enumerate(columns) if name in wrap}
        for i, (_, width) in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = min(width, MAX_COLUMN_WIDTH)
        self.ws.freeze_panes = "A2"
        header = []
        for name, _ in columns:
            cell = WriteOnlyCell(self.ws, value=name)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = TOP
            header.append(cell)
        self.ws.append(header)
        self.rows = 0

    def append(self, values, fonts: dict[int, Font] | None = None) -> None:
        cells = []
        for i, v in enumerate(values):
            cell = WriteOnlyCell(self.ws, value=safe_cell_text(v))
            cell.alignment = WRAP if i in self.wrap else TOP
            if fonts and i in fonts:
                cell.font = fonts[i]
            cells.append(cell)
        self.ws.append(cells)
        self.rows += 1

    def close(self) -> None:
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.rows + 1}"


def _findings(wb: Workbook, report: Report, units: dict[str, str]) -> None:
    sheet = _Sheet(wb, "问题清单", FINDING_COLUMNS, wrap={"单位", "文件", "表格", "说明", "印数", "应为", "处理意见"})
    state = DataValidation(type="list", formula1='"' + ",".join(REVIEW_STATES) + '"', allow_blank=True,
                           showErrorMessage=False)
    state.promptTitle, state.prompt = "状态", "选择：" + "、".join(REVIEW_STATES)
    sheet.ws.data_validations.append(state)
    severity_col = [name for name, _ in FINDING_COLUMNS].index("级别")
    for k, f in enumerate(_ordered(report), start=1):
        sheet.append([k, units.get(f.location.file, NO_UNIT), f.location.file, f.location.table, position(f),
                      f.rule, f.name, SEVERITY_LABELS[f.severity.value], f.message.rsplit(" [", 1)[0],
                      f.printed, f.expected, None, None, None, f.fingerprint],
                     fonts={severity_col: SEVERITY_FONTS[f.severity.value]})
    state_col = get_column_letter([name for name, _ in FINDING_COLUMNS].index("状态") + 1)
    if sheet.rows:
        state.add(f"{state_col}2:{state_col}{sheet.rows + 1}")
    sheet.close()


def _ordered(report: Report) -> list[Finding]:
    out = []
    for doc in by_document(report):
        out += doc.findings
    return out


def _units(wb: Workbook, report: Report, units: dict[str, str], titles: dict[str, str]) -> None:
    sheet = _Sheet(wb, "单位汇总", UNIT_COLUMNS, wrap={"单位", "主要问题（规则族）"})
    groups: dict[str, list] = {}
    for doc in by_document(report):
        groups.setdefault(units.get(doc.file, NO_UNIT), []).append(doc)
    for unit in sorted(groups, key=lambda u: (u == NO_UNIT, natural_key(u))):
        docs = groups[unit]
        counts = Counter()
        families = Counter()
        for d in docs:
            counts.update(d.counts)
            families.update(f.family for f in d.findings)
        top = "，".join(f"{chinese_title(titles.get(fam, fam)) or fam} {n}" for fam, n in families.most_common(3))
        sheet.append([unit, len(docs), counts["error"], counts["warning"], counts["info"], sum(counts.values()), top])
    sheet.close()


def _documents(wb: Workbook, report: Report, units: dict[str, str]) -> None:
    sheet = _Sheet(wb, "文件汇总", DOCUMENT_COLUMNS, wrap={"文件", "单位", "标题", "读取情况"})
    reasons = {n.file: f"{n.status}：{n.reason}" for n in not_read(report)}
    for d in by_document(report):
        c, info = d.counts, d.info
        read = reasons.get(d.file) or (read_summary(info).removeprefix("读取：") if info else "")
        sheet.append([d.file, units.get(d.file, NO_UNIT), d.title or None, kind_label(info.kind) if info else None,
                      info.year if info else None, read, c["error"], c["warning"], c["info"], len(d.findings)])
    listed = {d.file for d in by_document(report)}
    for n in not_read(report):
        if n.file not in listed:
            sheet.append([n.file, None, None, None, None, f"{n.status}：{n.reason}", 0, 0, 0, 0])
    sheet.close()


def _rules(wb: Workbook, report: Report, options, titles: dict[str, str]) -> None:
    sheet = _Sheet(wb, "规则说明", RULE_COLUMNS, wrap={"说明", "修改方法", "规则名称"})
    counts = Counter(f.rule for f in report.items)
    first = {}
    for f in sorted_findings(report.items):
        first.setdefault(f.rule, f)
    catalog = getattr(options, "catalog", None)
    for rule_id in sorted(counts):
        f = first[rule_id]
        rule = catalog.get(rule_id) if catalog is not None else None
        doc = rule_doc(rule_id, rule)
        sheet.append([rule_id, f.name, chinese_title(titles.get(f.family, f.family)) or f.family,
                      SEVERITY_LABELS[f.severity.value], counts[rule_id], doc.summary, doc.fix])
    sheet.append([None, None, None, None, None, LEGEND, None])
    sheet.close()


class ExcelRenderer:
    name = "excel"
    human_readable = False
    suffix = ".xlsx"
    binary = True

    def render(self, report: Report, stream: IO, options) -> None:
        wb = Workbook(write_only=True)
        wb.properties.creator = "auditor"    # how a later run knows this file is a report, not an input
        units = units_by_file(report)
        titles = family_titles(report, getattr(options, "catalog", None))
        _findings(wb, report, units)
        _units(wb, report, units, titles)
        _documents(wb, report, units)
        _rules(wb, report, options, titles)
        wb.save(stream)


RENDERER = ExcelRenderer()
