"""xlsx / docx / csv readers: the committed samples, merged cells, printed number
formats, encodings, and files that must fail with a clear message, never a crash."""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
import os
import re
import zipfile
from pathlib import Path

import pytest

from auditor.ingest import read_document
from auditor.ingest.csvfile import parse_csv, sniff_delimiter
from auditor.ingest.docx import parse_docx
from auditor.ingest.raw import RawTable
from auditor.ingest.xlsx import format_datetime, format_number, guard_zip, parse_xlsx
from auditor.recognize import classify

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
CJK = re.compile(r"[\u4e00-\u9fff]")


def texts(table: RawTable) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def comparable(table: RawTable) -> list[list[str]]:
    """Rows as printed, fully empty columns dropped, cells stripped."""
    rows = [[c.text.strip() for c in row] for row in table.rows]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    keep = [j for j in range(width) if any(r[j] for r in rows)]
    return [[r[j] for j in keep] for r in rows]


def row_starting(table: RawTable, label: str) -> list:
    return next(r for r in table.rows if any(c.text == label for c in r))


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def rewrite_zip(path: Path, edit) -> None:
    """Apply edit(name, bytes) -> bytes to every member of an existing zip."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    path.write_bytes(zip_bytes({n: edit(n, d) for n, d in members.items()}))


def assert_clear_error(doc) -> None:
    assert doc.error, "expected RawDocument.error to be set"
    assert CJK.search(doc.error), f"error should be a Chinese message: {doc.error!r}"


# ---------------------------------------------------------------------------
# xlsx: the committed samples


@pytest.fixture(scope="module")
def selfeval_xlsx():
    return read_document(SAMPLES / "project_selfeval.xlsx")


@pytest.fixture(scope="module")
def budget_xlsx():
    return read_document(SAMPLES / "budget_tables.xlsx")


def test_xlsx_two_project_tables_on_one_sheet_split_by_blank_row(selfeval_xlsx):
    doc = selfeval_xlsx
    assert doc.error is None and doc.fmt == "xlsx"
    assert doc.title == "预算项目(政策)绩效目标自评表"
    assert len(doc.tables) == 2
    for t in doc.tables:
        assert t.sheet == "项目自评" and t.layout == "sheet"
        assert t.title == "预算项目(政策)绩效目标自评表"
        assert classify(t) == "project_selfeval"
    assert [t.rows[0][2].text for t in doc.tables] == ["高标准农田建设补助资金", "农村人居环境整治专项资金"]
    years = [p for p in doc.paragraphs if p.text == "(2023年度)"]
    assert [p.line for p in years] == [2, 21] and all(p.sheet == "项目自评" for p in years)


def test_xlsx_cells_carry_sheet_coordinates_and_row_numbers(selfeval_xlsx):
    t = selfeval_xlsx.tables[0]
    assert t.line == 3
    first = t.rows[0]
    assert [(c.cell, c.line, c.col) for c in first[:3]] == [("A3", 3, 1), ("B3", 3, 2), ("C3", 3, 3)]
    rate = next(c for c in row_starting(t, "执行率") if c.text == "86.40%")
    assert (rate.cell, rate.line, rate.col) == ("K6", 6, 11)
    second = selfeval_xlsx.tables[1]
    assert second.rows[0][0].cell == "A22" and second.line == 22


def test_xlsx_merged_value_sits_in_top_left_cell_rest_empty(selfeval_xlsx):
    t = selfeval_xlsx.tables[0]
    name_row = texts(t)[0]
    assert name_row[:3] == ["项目(政策)名称", "", "高标准农田建设补助资金"]
    assert name_row[3:] == [""] * 9                   # C3:L3 merged: one value, nine empty cells
    rows = texts(t)
    goal = rows.index(next(r for r in rows if r[0] == "年度总体目标"))
    assert rows[goal + 1][0] == "" and rows[goal + 1][1].startswith("新建高标准农田")   # A7:A8 merged vertically
    level1 = [r[0] for r in rows if r[1].endswith("指标") and r[1] != "二级指标"]
    assert level1 == ["产出指标", "", "", "", "效益指标", "", "满意度指标"]


def test_xlsx_multi_row_header_is_kept_as_rows(budget_xlsx):
    t = budget_xlsx.tables[0]
    assert t.sheet == "支出预算总表" and classify(t) == "ledger"
    assert texts(t)[0] == ["科目编码", "科目名称", "合计", "基本支出", "", "", "项目支出"]
    assert texts(t)[1] == ["", "", "", "小计", "人员经费", "公用经费", ""]
    assert texts(t)[2] == ["", "合计", "2,506.68", "870.18", "787.40", "82.78", "1,636.50"]


def test_xlsx_numbers_keep_their_printed_form(selfeval_xlsx, budget_xlsx):
    t = selfeval_xlsx.tables[0]
    funds = [c.text for c in row_starting(t, "项目预算金额(万元)") if c.text]
    assert funds == ["项目预算金额(万元)", "1280.50", "全年执行数", "1106.34", "执行率", "86.40%"]  # 0.00 and 0.00%
    assert [c.text for c in row_starting(t, "项目完工时间") if c.text][3:6] == ["2023-11-30", "2023-11-25", "100%"]
    cost = [c.text for c in row_starting(t, "亩均建设成本") if c.text]
    assert cost[3:5] == ["0.15", "万元/亩"] and cost[5] == "0.1478"       # General floats: shortest form
    assert [c.text for c in row_starting(t, "受益农户满意度") if c.text][-3:] == ["10", "9.5", "个别农户对田间道路宽度有意见"]
    ledger = texts(budget_xlsx.tables[0])
    assert ["21301", "农业农村", "1,971.31", "680.81", "598.03", "82.78", "1,280.50"] in ledger   # '#,##0.00'


def test_xlsx_sheets_and_title_rows_split_tables(budget_xlsx):
    doc = budget_xlsx
    assert [(t.sheet, t.title) for t in doc.tables] == [
        ("支出预算总表", "支出预算总表"), ("项目支出预算表", "项目支出预算表"), ("项目支出预算表", "政府性基金预算支出表")]
    fund = doc.tables[2]
    assert fund.line == 8 and texts(fund)[0][:2] == ["科目编码", "科目名称"]   # no blank row before its title
    assert fund.headings[-1] == "政府性基金预算支出表"


def test_xlsx_unit_lines_above_a_table_are_paragraphs_not_rows(budget_xlsx):
    paras = [(p.sheet, p.line, p.text) for p in budget_xlsx.paragraphs]
    assert ("支出预算总表", 2, "单位名称：青川市农业农村局") in paras
    assert ("支出预算总表", 2, "单位：万元") in paras
    assert all(not any("单位：万元" == c.text for r in t.rows for c in r) for t in budget_xlsx.tables)


# ---------------------------------------------------------------------------
# xlsx: built in the test


def _workbook(tmp_path: Path, name: str, fill) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    fill(wb)
    path = tmp_path / name
    wb.save(path)
    return path


@pytest.mark.parametrize(("value", "fmt", "printed"), [
    (58149.15, "0.00", "58149.15"),
    (58149.0, "0.00", "58149.00"),
    (0.8279, "0.00%", "82.79%"),
    (0.86405, "0.00%", "86.41%"),          # Excel rounds its 15-digit decimal half up
    (1, "0%", "100%"),
    (58149.15, "#,##0.00", "58,149.15"),
    (-1234.5, "#,##0.00_);(#,##0.00)", "(1,234.50)"),
    (-1234.5, "#,##0.00;[Red]-#,##0.00", "-1,234.50"),
    (0, '#,##0.00;-#,##0.00;"-"', "-"),
    (2.675, "0.00", "2.68"),
    (1234567, "#,##0,", "1,235"),
    (12.3, '0.00"万元"', "12.30万元"),
    (5, "[$¥-804]#,##0.00", "¥5.00"),
    (0.125, "0.0#", "0.13"),
    (0.1, "0.0#", "0.1"),
    (58149.15, "0.00E+00", "5.81E+04"),
    (459.207016, "General", "459.207016"),
    (58149.0, "General", "58149"),
    (0.1 + 0.2, "General", "0.3"),
    (1e-05, "General", "0.00001"),
    (45260, 'yyyy"年"m"月"d"日"', "2023年11月30日"),
])
def test_number_format_renders_what_excel_prints(value, fmt, printed):
    assert format_number(value, fmt) == printed


def test_dates_render_with_their_format():
    assert format_datetime(dt.datetime(2023, 11, 30), "yyyy-mm-dd") == "2023-11-30"
    assert format_datetime(dt.datetime(2023, 1, 5), "yyyy/m/d") == "2023/1/5"
    assert format_datetime(dt.datetime(2023, 11, 30, 14, 5), 'yyyy"年"m"月"d"日" hh:mm') == "2023年11月30日 14:05"
    assert format_datetime(dt.datetime(2023, 11, 30), None) == "2023-11-30"


def test_xlsx_round_trips_printed_forms_through_real_cells(tmp_path):
    cases = [(0.8279, "0.00%", "82.79%"), (58149.15, "#,##0.00", "58,149.15"), (4635, "General", "4635"),
             (1.6948, "0.00", "1.69"), (dt.datetime(2022, 12, 31), "yyyy-mm-dd", "2022-12-31"),
             (True, "General", "TRUE"), ("  全部公开\n", "General", "全部公开"), ("预算\n执行率", "General", "预算执行率")]

    def fill(wb):
        ws = wb.active
        for i, (value, fmt, _) in enumerate(cases, 1):
            ws.cell(i, 1, "值")
            ws.cell(i, 2, value).number_format = fmt

    doc = read_document(_workbook(tmp_path, "fmt.xlsx", fill))
    assert [r[1].text for r in doc.tables[0].rows] == [p for _, _, p in cases]


def test_xlsx_values_left_in_merged_away_cells_are_dropped(tmp_path):
    def fill(wb):
        ws = wb.active
        ws["A1"], ws["B1"], ws["C1"] = "项目名称", "重复值", "尾"
        ws["A2"], ws["B2"], ws["C2"] = "甲", "乙", "丙"

    path = _workbook(tmp_path, "stale.xlsx", fill)
    # Some producers (WPS, scripts) store the value in every cell of a merge; declare A1:B1 merged by hand.
    rewrite_zip(path, lambda n, d: d.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                             b'<mergeCell ref="A1:B1"/></mergeCells>')
                if n == "xl/worksheets/sheet1.xml" else d)
    t = read_document(path).tables[0]
    assert texts(t) == [["项目名称", "", "尾"], ["甲", "乙", "丙"]]


def test_xlsx_hidden_sheets_are_skipped(tmp_path):
    def fill(wb):
        wb.active.title = "表1"
        wb.active.append(["科目编码", "科目名称", "合计"])
        lists = wb.create_sheet("下拉选项")
        lists.append([">=", "<=", "="])
        lists.sheet_state = "hidden"

    doc = read_document(_workbook(tmp_path, "hidden.xlsx", fill))
    assert [t.sheet for t in doc.tables] == ["表1"]
    assert parse_xlsx("x", tmp_path / "hidden.xlsx", include_hidden=True).tables[-1].sheet == "下拉选项"


def test_xlsx_chinese_builtin_date_format_prints_as_date(tmp_path):
    def fill(wb):
        ws = wb.active
        ws.append(["完成时限", dt.datetime(2023, 12, 31)])
        ws["B1"].number_format = 'yyyy"年"m"月"d"日"'

    path = _workbook(tmp_path, "zhdate.xlsx", fill)

    # Chinese Excel stores this format as built-in id 31, which openpyxl does not know
    def to_builtin(name, data):
        if name != "xl/styles.xml":
            return data
        data = re.sub(rb'<numFmt numFmtId="164"[^>]*/>', b"", data)
        return data.replace(b'numFmtId="164"', b'numFmtId="31"')

    rewrite_zip(path, to_builtin)
    assert texts(read_document(path).tables[0]) == [["完成时限", "2023年12月31日"]]


def test_xlsx_wrong_dimension_neither_cuts_nor_pads(tmp_path):
    def fill(wb):
        for i in range(1, 11):
            wb.active.append([f"科目{i}", i])

    path = _workbook(tmp_path, "dim.xlsx", fill)
    rewrite_zip(path, lambda n, d: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B2"', d)
                if n.startswith("xl/worksheets/") else d)
    t = read_document(path).tables[0]
    assert len(t.rows) == 10 and texts(t)[-1] == ["科目10", "10"]


def test_xlsx_note_under_a_table_is_a_paragraph_and_a_stray_far_cell_is_not_padded(tmp_path):
    def fill(wb):
        ws = wb.active
        ws.append(["科目编码", "科目名称", "合计"])
        ws.append(["210", "卫生健康支出", 38.15])
        ws.append(["注：本表金额单位为万元，保留两位小数。"])
        ws.append([])
        ws.append(["孤立单元格", "值"])
        ws.cell(5, 16384, "XFD")

    doc = read_document(_workbook(tmp_path, "note.xlsx", fill))
    assert [p.text for p in doc.paragraphs] == ["注：本表金额单位为万元，保留两位小数。"]
    assert texts(doc.tables[0]) == [["科目编码", "科目名称", "合计"], ["210", "卫生健康支出", "38.15"]]
    stray = doc.tables[1].rows[0]
    assert len(stray) == 16384 and stray[-1].cell == "XFD5"     # padded: 1 row × 16384 is small


def test_workbook_and_word_file_with_the_wrong_extension_are_read_by_content(tmp_path):
    xls = tmp_path / "budget.xls"
    xls.write_bytes((SAMPLES / "budget_tables.xlsx").read_bytes())
    doc = read_document(xls)
    assert doc.error is None and doc.fmt == "xlsx" and len(doc.tables) == 3
    word = tmp_path / "selfeval.doc"
    word.write_bytes((SAMPLES / "project_selfeval.docx").read_bytes())
    assert read_document(word).fmt == "docx"


def test_xlsx_sheet_over_the_cell_limit_is_refused(tmp_path, monkeypatch):
    def fill(wb):
        for i in range(30):
            wb.active.append([i] * 10)

    path = _workbook(tmp_path, "big.xlsx", fill)
    with pytest.raises(ValueError, match="过大"):
        parse_xlsx("big.xlsx", path, max_cells=100)
    import auditor.ingest.xlsx as xlsx_module

    monkeypatch.setattr(xlsx_module, "DEFAULT_MAX_CELLS", 100)
    doc = read_document(path)
    assert_clear_error(doc)
    assert "过大" in doc.error


# ---------------------------------------------------------------------------
# docx


@pytest.fixture(scope="module")
def selfeval_docx():
    return read_document(SAMPLES / "project_selfeval.docx")


def test_docx_blocks_in_document_order_with_heading_from_style(selfeval_docx):
    doc = selfeval_docx
    assert doc.error is None and doc.fmt == "docx"
    assert doc.title == "预算项目(政策)绩效目标自评表"
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "RawTable", "Paragraph"]
    year, table, narrative = doc.blocks
    assert year.text == "(2023年度)" and year.line == 2              # the heading is block 1
    assert table.title == "预算项目(政策)绩效目标自评表" and table.layout == "docx"
    assert classify(table) == "project_selfeval"
    assert narrative.text.startswith("经自评") and narrative.line == 3 + len(table.rows)


def test_docx_line_is_the_ordinal_of_paragraphs_and_rows(selfeval_docx):
    t = selfeval_docx.tables[0]
    assert t.line == 3
    assert [r[0].line for r in t.rows] == list(range(3, 3 + len(t.rows)))
    assert all(c.line == row[0].line for row in t.rows for c in row)
    assert [c.col for c in t.rows[0]] == list(range(1, 13))


def test_docx_merged_cells_print_once_in_the_first_cell(selfeval_docx):
    rows = texts(selfeval_docx.tables[0])
    assert rows[0] == ["项目(政策)名称", "", "高标准农田建设补助资金"] + [""] * 9     # gridSpan
    goal = next(i for i, r in enumerate(rows) if r[0] == "年度总体目标")
    assert rows[goal + 1][0] == ""                                                  # vMerge continuation
    assert [r[0] for r in rows if r[1] in ("质量指标", "时效指标", "成本指标")] == ["", "", ""]


def test_docx_paragraph_heading_patterns_tracked_insertions_and_grid_before(tmp_path):
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    d.add_paragraph("支出预算总表")                         # Normal style, but reads as a title
    table = d.add_table(rows=2, cols=3)
    for i, text in enumerate(["科目编码", "科目名称", "合计"]):
        table.cell(0, i).text = text
    table.cell(1, 1).text = "卫生健康支出"
    table.cell(1, 2).text = "38.15"
    run = table.cell(1, 2).paragraphs[0].runs[0]._r           # wrap "38.15" in a tracked insertion
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "1")
    ins.set(qn("w:author"), "审核人")
    run.addprevious(ins)
    ins.append(run)
    tr = table.rows[1]._tr                                    # row 2 starts one grid column late
    tr.remove(tr.tc_lst[0])
    trpr = tr.get_or_add_trPr()
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    trpr.append(before)
    path = tmp_path / "ins.docx"
    d.save(path)
    doc = read_document(path)
    assert doc.title == "支出预算总表"
    assert texts(doc.tables[0]) == [["科目编码", "科目名称", "合计"], ["", "卫生健康支出", "38.15"]]
    assert classify(doc.tables[0]) == "ledger"


# ---------------------------------------------------------------------------
# the three renditions of one table agree


def test_xlsx_docx_and_text_renditions_have_the_same_rows(selfeval_xlsx, selfeval_docx):
    text = read_document(SAMPLES / "project_selfeval.txt")
    assert text.error is None
    expected = comparable(text.tables[0])
    assert len(expected) == 16
    assert comparable(selfeval_xlsx.tables[0]) == expected
    assert comparable(selfeval_docx.tables[0]) == expected
    assert selfeval_xlsx.tables[0].title == selfeval_docx.tables[0].title == text.tables[0].title


def test_samples_are_what_the_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["make_samples.py", str(tmp_path)]) == 0
    assert (tmp_path / "project_selfeval.txt").read_bytes() == (SAMPLES / "project_selfeval.txt").read_bytes()
    for name in ("project_selfeval.xlsx", "budget_tables.xlsx", "project_selfeval.docx"):
        fresh, committed = read_document(tmp_path / name), read_document(SAMPLES / name)
        assert [texts(t) for t in fresh.tables] == [texts(t) for t in committed.tables], name
        assert (tmp_path / name).stat().st_size < 64_000


# ---------------------------------------------------------------------------
# csv and encodings

BUDGET_CSV = '支出预算总表\n单位：万元\n科目编码,科目名称,合计\n210,卫生健康支出,"58,149.15"\n2101102,事业单位医疗,57.32\n'


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-16-le", "utf-8-sig", "utf-8"])
def test_csv_decodes_every_common_encoding(tmp_path, encoding):
    path = tmp_path / "budget.csv"
    path.write_bytes(BUDGET_CSV.encode(encoding))
    doc = read_document(path)
    assert doc.error is None and doc.fmt == "csv"
    assert doc.title == "支出预算总表"
    t = doc.tables[0]
    assert t.layout == "csv" and t.title == "支出预算总表" and classify(t) == "ledger"
    assert texts(t) == [["科目编码", "科目名称", "合计"], ["210", "卫生健康支出", "58,149.15"],
                        ["2101102", "事业单位医疗", "57.32"]]
    assert [r[0].line for r in t.rows] == [3, 4, 5]
    assert [p.text for p in doc.paragraphs] == ["单位：万元"]


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig"])
def test_text_files_decode_gbk_utf16_and_bom(tmp_path, encoding):
    path = tmp_path / "selfeval.txt"
    path.write_bytes((SAMPLES / "project_selfeval.txt").read_text(encoding="utf-8").encode(encoding))
    doc = read_document(path)
    assert doc.error is None
    assert doc.title == "预算项目(政策)绩效目标自评表"
    assert texts(doc.tables[0])[0][2] == "高标准农田建设补助资金"


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "t.csv"), (";", "s.csv"), (",", "c.csv"), ("\t", "x.tsv")])
def test_csv_delimiter_is_sniffed(tmp_path, delimiter, name):
    rows = [["项目名称", "预算数", "执行数", "执行率"], ["甲项目", "1,280.50", "1,106.34", "86.40%"],
            ["乙项目", "356.00", "298.72", "83.91%"]]

    def field(v):
        return f'"{v}"' if delimiter in v else v

    path = tmp_path / name
    path.write_text("\n".join(delimiter.join(field(v) for v in r) for r in rows) + "\n", encoding="utf-8")
    doc = read_document(path)
    assert texts(doc.tables[0]) == rows


def test_tab_wins_over_commas_inside_numbers():
    assert sniff_delimiter("科目\t合计\n210\t58,149.15\n21011\t3,429.76\n") == "\t"
    assert sniff_delimiter("单独一行\n") == ","


def test_csv_line_is_where_the_record_starts(tmp_path):
    data = '指标,说明\n"满意度","第一行\n第二行"\n质量,合格\n'.encode()
    doc = parse_csv("x.csv", data)
    t = doc.tables[0]
    assert [r[0].line for r in t.rows] == [1, 2, 4]
    assert t.rows[1][1].text == "第一行第二行"
    assert [(c.col, c.cell) for c in t.rows[2]] == [(1, None), (2, None)]


def test_csv_blank_line_and_title_start_a_second_table(tmp_path):
    data = "项目支出预算表\n项目,金额\n甲,1.00\n\n政府性基金预算支出表\n科目,金额\n合计,0.00\n".encode()
    doc = parse_csv("two.csv", data)
    assert [(t.title, t.line) for t in doc.tables] == [("项目支出预算表", 2), ("政府性基金预算支出表", 6)]


# ---------------------------------------------------------------------------
# files that must fail with a clear message and never raise


def test_corrupt_xlsx_gives_an_error(tmp_path):
    good = (SAMPLES / "project_selfeval.xlsx").read_bytes()
    cases = {
        "garbage.xlsx": b"PK\x03\x04" + os.urandom(2000),
        "truncated.xlsx": good[: len(good) // 2],
        "badxml.xlsx": zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook><sheets>",
                                  "xl/_rels/workbook.xml.rels": "<Relationships/>"}),
        "noworkbook.xlsx": zip_bytes({"[Content_Types].xml": "<Types/>", "xl/styles.xml": "<styleSheet/>"}),
        "badxml.docx": zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document>"}),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        doc = read_document(path)
        assert_clear_error(doc)


def test_crc_damaged_sheet_gives_an_error(tmp_path):
    path = tmp_path / "crc.xlsx"
    path.write_bytes((SAMPLES / "budget_tables.xlsx").read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert_clear_error(read_document(path))


def _bomb(path: Path, member: str, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml" if member.startswith("xl/") else "word/styles.xml", "<x/>")
        with z.open(member, "w") as f:
            chunk = b" " * (1 << 20)
            for _ in range(size >> 20):
                f.write(chunk)
    return path


def test_zip_bomb_disguised_as_xlsx_is_refused_before_inflating(tmp_path):
    path = _bomb(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", 24 << 20)
    assert path.stat().st_size < 200_000
    doc = read_document(path)
    assert_clear_error(doc)
    assert "压缩炸弹" in doc.error


def test_zip_bomb_disguised_as_docx_is_refused(tmp_path):
    doc = read_document(_bomb(tmp_path / "bomb.docx", "word/document.xml", 24 << 20))
    assert_clear_error(doc)
    assert "压缩炸弹" in doc.error


def test_zip_over_the_absolute_limit_is_refused(tmp_path):
    path = (SAMPLES / "budget_tables.xlsx")
    guard_zip(path)
    with pytest.raises(ValueError, match="超过上限"):
        guard_zip(path, max_bytes=10_000)


def test_docx_that_is_really_html_does_not_crash(tmp_path):
    path = tmp_path / "report.docx"
    path.write_text("<html><body><h1>部门整体支出绩效自评报告</h1><table><tr><td>项目</td></tr></table>"
                    "</body></html>", encoding="utf-8")
    with pytest.raises(ValueError, match="HTML"):
        parse_docx("report.docx", path)
    doc = read_document(path)                  # read_document sniffs the content, not the name
    assert_clear_error(doc)
    assert "HTML" in doc.error


def test_docx_zip_without_document_xml_says_so(tmp_path):
    path = tmp_path / "empty_word.docx"
    path.write_bytes(zip_bytes({"[Content_Types].xml": "<Types/>", "word/styles.xml": "<w:styles/>"}))
    doc = read_document(path)
    assert_clear_error(doc)
    assert "document.xml" in doc.error


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.docx", "empty.csv", "empty.txt"])
def test_empty_file_gives_an_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    assert_clear_error(read_document(path))


@pytest.mark.parametrize("name", ["blob.xlsx", "blob.docx", "blob.csv", "blob.txt"])
def test_binary_file_gives_an_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 64 + b"\x00\x01\x02\xff" * 100)
    assert_clear_error(read_document(path))


def test_password_protected_office_file_gives_an_error(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)
    doc = read_document(path)
    assert_clear_error(doc)
    assert "密码" in doc.error

