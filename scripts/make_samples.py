"""Write the sample documents in sample_data/: the same project self-evaluation
table as an Excel fill-in template, a Word table and a text extraction, plus a
budget workbook. Everything is embedded here (invented units, projects and
numbers in the shape of real documents), so the samples can be rebuilt anywhere:

    python scripts/make_samples.py [OUTDIR]

Deliberate defects, so that `auditor check sample_data/` has something to say:
- 高标准农田建设补助资金: 工程验收合格率 misses its target (92 < 95) yet is
  rated 100% with the full 15 points;
- 农村人居环境整治专项资金: the execution rate is printed inverted
  (356.00 / 298.72 = 119.18%, where 298.72 / 356.00 = 83.91%) and scored 10;
- 支出预算总表: 21301 农业农村 prints 合计 1,971.31, but its items and its own
  基本支出 + 项目支出 give 1,961.31.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal
from pathlib import Path

TITLE = "预算项目(政策)绩效目标自评表"
YEAR = "(2023年度)"
NCOLS = 12
FIXED_TIME = dt.datetime(2024, 3, 15, 9, 0, 0)

PROJECTS = [
    {
        "name": "高标准农田建设补助资金",
        "dept": "青川市农业农村局",
        "unit": "青川市农田建设服务中心",
        "budget": "1280.50", "executed": "1106.34", "rate": "86.40%",
        "goal": "新建高标准农田2.5万亩，配套灌排、田间道路等设施，提升粮食综合生产能力。",
        "done": "完成新建高标准农田2.62万亩，灌排及田间道路工程全部完工并通过验收。",
        "indicators": [
            ("产出指标", "数量指标", "新建高标准农田面积", ">=", "2.5", "万亩", "2.62", "100%", "15", "15", ""),
            ("产出指标", "质量指标", "工程验收合格率", ">=", "95", "%", "92", "100%", "15", "15", ""),
            ("产出指标", "时效指标", "项目完工时间", "<=", "2023-11-30", "", "2023-11-25", "100%", "10", "10", ""),
            ("产出指标", "成本指标", "亩均建设成本", "<=", "0.15", "万元/亩", "0.1478", "100%", "10", "10", ""),
            ("效益指标", "经济效益指标", "项目区粮食亩均增产", ">=", "50", "公斤", "56", "100%", "15", "15", ""),
            ("效益指标", "可持续影响指标", "工程设施设计使用年限", ">=", "15", "年", "15", "100%", "15", "15", ""),
            ("满意度指标", "服务对象满意度指标", "受益农户满意度", ">=", "90", "%", "93.5", "100%", "10", "9.5",
             "个别农户对田间道路宽度有意见"),
        ],
        "subtotal": "89.5", "exec_score": "8.64", "deduction": "0", "total": "98.14",
    },
    {
        "name": "农村人居环境整治专项资金",
        "dept": "青川市农业农村局",
        "unit": "青川市乡村振兴服务中心",
        "budget": "356.00", "executed": "298.72", "rate": "119.18%",
        "goal": "完成农村户厕改造1200户，提高农村卫生厕所普及率和生活污水治理率。",
        "done": "完成农村户厕改造1236户，卫生厕所普及率提高3.4个百分点。",
        "indicators": [
            ("产出指标", "数量指标", "农村户厕改造数量", ">=", "1200", "户", "1236", "100%", "20", "20", ""),
            ("产出指标", "质量指标", "改厕验收合格率", ">=", "95", "%", "97.2", "100%", "15", "15", ""),
            ("产出指标", "时效指标", "资金拨付及时率", "=", "100", "%", "100", "100%", "15", "15", ""),
            ("效益指标", "社会效益指标", "农村卫生厕所普及率提升", ">=", "3", "百分点", "3.4", "100%", "15", "15", ""),
            ("效益指标", "生态效益指标", "农村生活污水治理率", ">=", "40", "%", "42", "100%", "15", "15", ""),
            ("满意度指标", "服务对象满意度指标", "群众满意度", ">=", "90", "%", "91", "100%", "10", "10", ""),
        ],
        "subtotal": "90", "exec_score": "10", "deduction": "0", "total": "100",
    },
]

NARRATIVE = ("经自评，高标准农田建设补助资金全年预算1280.50万元，实际支出1106.34万元，预算执行率86.40%；"
             "指标自评得分89.5分，绩效自评总得分98.14分，评价等级为“优”。")

BUDGET_UNIT = "青川市农业农村局"
# code, name, 合计, 基本支出小计, 人员经费, 公用经费, 项目支出
LEDGER = [
    ("", "合计", "2,506.68", "870.18", "787.40", "82.78", "1,636.50"),
    ("208", "社会保障和就业支出", "86.42", "86.42", "86.42", "", ""),
    ("20805", "行政事业单位养老支出", "86.42", "86.42", "86.42", "", ""),
    ("2080505", "机关事业单位基本养老保险缴费支出", "86.42", "86.42", "86.42", "", ""),
    ("210", "卫生健康支出", "38.15", "38.15", "38.15", "", ""),
    ("21011", "行政事业单位医疗", "38.15", "38.15", "38.15", "", ""),
    ("2101101", "行政单位医疗", "38.15", "38.15", "38.15", "", ""),
    ("213", "农林水支出", "2,317.31", "680.81", "598.03", "82.78", "1,636.50"),
    ("21301", "农业农村", "1,971.31", "680.81", "598.03", "82.78", "1,280.50"),
    ("2130101", "行政运行", "412.36", "412.36", "356.20", "56.16", ""),
    ("2130104", "事业运行", "268.45", "268.45", "241.83", "26.62", ""),
    ("2130153", "农田建设", "1,280.50", "", "", "", "1,280.50"),
    ("21305", "巩固脱贫攻坚成果衔接乡村振兴", "356.00", "", "", "", "356.00"),
    ("2130599", "其他巩固脱贫攻坚成果衔接乡村振兴支出", "356.00", "", "", "", "356.00"),
    ("221", "住房保障支出", "64.80", "64.80", "64.80", "", ""),
    ("22102", "住房改革支出", "64.80", "64.80", "64.80", "", ""),
    ("2210201", "住房公积金", "64.80", "64.80", "64.80", "", ""),
]
PROJECT_LIST = [
    ("合计", "", "", "1,636.50", "1,636.50", ""),
    ("高标准农田建设补助资金", "2130153", "农田建设", "1,280.50", "1,280.50", ""),
    ("农村人居环境整治专项资金", "2130599", "其他巩固脱贫攻坚成果衔接乡村振兴支出", "356.00", "356.00", ""),
]


# ---------------------------------------------------------------------------
# one template grid -> three renditions

def ref(row: int, col: int) -> str:
    return f"{chr(64 + col)}{row}"


def span(r1: int, c1: int, r2: int | None = None, c2: int | None = None) -> tuple[int, int, int, int]:
    return (r1, c1, r2 or r1, c2 or c1)


def project_block(p: dict) -> list[tuple[tuple[int, int, int, int], str]]:
    """The project table as (merged range, printed text), rows numbered from 1,
    merged as the fill-in template merges them."""
    cells = [
        (span(1, 1, 1, 2), "项目(政策)名称"), (span(1, 3, 1, 12), p["name"]),
        (span(2, 1, 2, 2), "主管部门"), (span(2, 3, 2, 12), p["dept"]),
        (span(3, 1, 3, 2), "实施单位"), (span(3, 3, 3, 12), p["unit"]),
        (span(4, 1, 4, 2), "项目预算金额(万元)"), (span(4, 3, 4, 4), p["budget"]),
        (span(4, 5, 4, 6), "全年执行数"), (span(4, 7, 4, 8), p["executed"]),
        (span(4, 9, 4, 10), "执行率"), (span(4, 11, 4, 12), p["rate"]),
        (span(5, 1, 6, 1), "年度总体目标"), (span(5, 2, 5, 6), "年初设定目标"), (span(5, 7, 5, 12), "全年实际完成情况"),
        (span(6, 2, 6, 6), p["goal"]), (span(6, 7, 6, 12), p["done"]),
        (span(7, 1, 8, 1), "一级指标"), (span(7, 2, 8, 2), "二级指标"), (span(7, 3, 8, 3), "三级指标"),
        (span(7, 4, 7, 6), "年度目标值"), (span(7, 7, 8, 7), "全年完成值"), (span(7, 8, 8, 8), "完成程度"),
        (span(7, 9, 8, 9), "分值"), (span(7, 10, 8, 10), "得分"), (span(7, 11, 8, 12), "偏差原因分析及改进措施"),
        (span(8, 4), "运算符号"), (span(8, 5), "指标值"), (span(8, 6), "度量单位"),
    ]
    row = 9
    inds = p["indicators"]
    i = 0
    while i < len(inds):
        j = i
        while j + 1 < len(inds) and inds[j + 1][0] == inds[i][0]:
            j += 1
        cells.append((span(row + i, 1, row + j, 1), inds[i][0]))
        i = j + 1
    for k, ind in enumerate(inds):
        r = row + k
        for c, text in enumerate(ind[1:10], start=2):
            cells.append((span(r, c), text))
        cells.append((span(r, 11, r, 12), ind[10]))
    r = row + len(inds)
    cells += [
        (span(r, 1, r, 2), "指标自评得分小计"), (span(r, 3), p["subtotal"]),
        (span(r, 4, r, 5), "预算执行率得分"), (span(r, 6), p["exec_score"]),
        (span(r, 7), "减分项"), (span(r, 8), p["deduction"]),
        (span(r, 9, r, 10), "绩效自评总得分"), (span(r, 11, r, 12), p["total"]),
    ]
    return [((r1, c1, r2, c2), t) for (r1, c1, r2, c2), t in cells]


def grid(cells, ncols: int = NCOLS) -> list[list[str]]:
    """Printed rows as a text extraction lays them out: the text in the top-left
    cell of its merged range, every other cell of the range empty."""
    nrows = max(r2 for (_, _, r2, _), _ in cells)
    rows = [[""] * ncols for _ in range(nrows)]
    for (r1, c1, _r2, _c2), text in cells:
        rows[r1 - 1][c1 - 1] = text
    return rows


def typed(printed: str, money: bool = False):
    """Printed text -> (cell value, number format) that Excel prints identically."""
    s = printed
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return dt.datetime.strptime(s, "%Y-%m-%d"), "yyyy-mm-dd"
    m = re.fullmatch(r"-?\d+(?:\.(\d+))?%", s)
    if m:
        decimals = len(m.group(1) or "")
        return float(Decimal(s[:-1]) / 100), "0" + ("." + "0" * decimals if decimals else "") + "%"
    m = re.fullmatch(r"-?[\d,]+\.(\d+)", s)
    if m and (money or "," in s):
        return float(s.replace(",", "")), "#,##0." + "0" * len(m.group(1))
    if re.fullmatch(r"-?\d+", s) and len(s) < 6:
        return int(s), "General"
    m = re.fullmatch(r"-?\d+\.(\d+)", s)
    if m:
        v = float(s)
        return v, "General" if repr(v) == s else "0." + "0" * len(m.group(1))
    return s, "General"


# ---------------------------------------------------------------------------
# writers

def _xlsx_styles():
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    return {"border": Border(left=thin, right=thin, top=thin, bottom=thin),
            "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
            "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
            "title": Font(name="宋体", size=16, bold=True), "bold": Font(name="宋体", bold=True),
            "plain": Font(name="宋体", size=10)}


def put_block(ws, cells, top: int, money_cols: set[int] = frozenset(), border: bool = True, header_rows: int = 0):
    st = _xlsx_styles()
    for (r1, c1, r2, c2), text in cells:
        r1, r2 = r1 + top - 1, r2 + top - 1
        if border:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    ws.cell(r, c).border = st["border"]
        cell = ws.cell(r1, c1)
        if text != "":
            value, fmt = typed(text, money=c1 in money_cols and r1 - top + 1 > header_rows)
            cell.value = value
            cell.number_format = fmt
        cell.alignment = st["left"] if len(text) > 16 else st["center"]
        cell.font = st["plain"]
        if (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def put_title(ws, row: int, text: str, ncols: int, size: str = "title"):
    st = _xlsx_styles()
    ws.cell(row, 1, text).font = st[size]
    ws.cell(row, 1).alignment = st["center"]
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)


def write_selfeval_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "项目自评"
    for col, width in zip("ABCDEFGHIJKL", (12, 14, 20, 9, 11, 9, 11, 9, 7, 7, 12, 12)):
        ws.column_dimensions[col].width = width
    row = 1
    for k, p in enumerate(PROJECTS):
        if k:
            row += 1                      # one blank row between the two tables
        put_title(ws, row, TITLE, NCOLS)
        put_title(ws, row + 1, YEAR, NCOLS, "bold")
        block = project_block(p)
        put_block(ws, block, row + 2)
        row += 2 + max(r2 for (_, _, r2, _), _ in block)
    _stamp(wb)
    wb.save(path)


def write_budget_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "支出预算总表"
    for col, width in zip("ABCDEFG", (10, 34, 12, 12, 12, 12, 12)):
        ws.column_dimensions[col].width = width
    put_title(ws, 1, "支出预算总表", 7)
    ws.cell(2, 1, f"单位名称：{BUDGET_UNIT}")
    ws.merge_cells("A2:C2")
    ws.cell(2, 7, "单位：万元")
    header = [(span(1, 1, 2, 1), "科目编码"), (span(1, 2, 2, 2), "科目名称"), (span(1, 3, 2, 3), "合计"),
              (span(1, 4, 1, 6), "基本支出"), (span(1, 7, 2, 7), "项目支出"),
              (span(2, 4), "小计"), (span(2, 5), "人员经费"), (span(2, 6), "公用经费")]
    body = [(span(3 + i, c), text) for i, line in enumerate(LEDGER) for c, text in enumerate(line, 1) if text]
    put_block(ws, header + body, 3, money_cols={3, 4, 5, 6, 7}, header_rows=2)

    ws2 = wb.create_sheet("项目支出预算表")
    for col, width in zip("ABCDEF", (28, 10, 34, 12, 16, 16)):
        ws2.column_dimensions[col].width = width
    put_title(ws2, 1, "项目支出预算表", 6)
    ws2.cell(2, 6, "单位：万元")
    head = ["项目名称", "科目编码", "科目名称", "合计", "一般公共预算拨款", "政府性基金预算拨款"]
    cells = [(span(1, c), t) for c, t in enumerate(head, 1)]
    cells += [(span(2 + i, c), t) for i, line in enumerate(PROJECT_LIST) for c, t in enumerate(line, 1) if t]
    put_block(ws2, cells, 3, money_cols={4, 5, 6}, header_rows=1)
    row = 3 + 1 + len(PROJECT_LIST)
    # the next table's title follows at once, with no blank row: the title row alone must split them
    put_title(ws2, row, "政府性基金预算支出表", 6)
    fund = [(span(1, c), t) for c, t in enumerate(["科目编码", "科目名称", "合计", "基本支出", "项目支出"], 1)]
    fund += [(span(2, 2), "合计"), (span(2, 3), "0.00"), (span(2, 4), "0.00"), (span(2, 5), "0.00")]
    put_block(ws2, fund, row + 1, money_cols={3, 4, 5}, header_rows=1)
    _stamp(wb)
    wb.save(path)


def _stamp(wb) -> None:
    wb.properties.creator = "auditor sample generator"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME


def write_selfeval_docx(path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = PROJECTS[0]
    block = project_block(p)
    nrows = max(r2 for (_, _, r2, _), _ in block)
    document = docx.Document()
    document.core_properties.author = "auditor sample generator"
    document.core_properties.created = FIXED_TIME
    document.core_properties.modified = FIXED_TIME
    document.add_heading(TITLE, level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(YEAR).alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=nrows, cols=NCOLS)
    table.style = "Table Grid"
    for (r1, c1, r2, c2), _text in block:
        if (r1, c1) != (r2, c2):
            table.cell(r1 - 1, c1 - 1).merge(table.cell(r2 - 1, c2 - 1))
    for (r1, c1, _r2, _c2), text in block:
        cell = table.cell(r1 - 1, c1 - 1)
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.font.size = Pt(9)
    document.add_paragraph(NARRATIVE)
    document.save(str(path))


def write_selfeval_txt(path: Path) -> None:
    rows = grid(project_block(PROJECTS[0]))
    lines = [f"# {TITLE}", "", YEAR, ""] + ["\t".join(r) for r in rows] + ["", NARRATIVE, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "sample_data"
    out.mkdir(parents=True, exist_ok=True)
    write_selfeval_xlsx(out / "project_selfeval.xlsx")
    write_budget_xlsx(out / "budget_tables.xlsx")
    write_selfeval_docx(out / "project_selfeval.docx")
    write_selfeval_txt(out / "project_selfeval.txt")
    for name in ("project_selfeval.xlsx", "budget_tables.xlsx", "project_selfeval.docx", "project_selfeval.txt"):
        print(f"{out / name}  {(out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
