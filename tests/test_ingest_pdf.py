"""PDF reading (auditor.ingest.pdf): the fixtures in tests/fixtures/pdf/ were
drawn by scripts/make_pdf_fixtures.py from the .txt next to each of them, so a
PDF must read as its text rendition does."""
from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("pdfplumber", reason="reading PDF needs pdfplumber: pip install -e '.[pdf]'")

from auditor.ingest import pdf as pdfmod
from auditor.ingest import read_document
from auditor.ingest.pdf import (
    ERR_ENCRYPTED,
    ERR_SCANNED,
    ERR_TRUNCATED,
    join_lines,
    page_of_line,
    parse_pdf,
)
from auditor.ingest.raw import Paragraph, RawTable

FIX = Path(__file__).parent / "fixtures" / "pdf"


def _tesseract_chi_sim() -> bool:
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return "chi_sim" in (out.stdout + out.stderr).split()


needs_tesseract = pytest.mark.skipif(not _tesseract_chi_sim(),
                                     reason="OCR test needs tesseract with chi_sim "
                                            "(apt-get install tesseract-ocr tesseract-ocr-chi-sim)")


def shape(doc) -> list:
    """Blocks as comparable values: tables by title, headings and the non-empty
    cell texts of each row; paragraphs by text."""
    out = []
    for b in doc.blocks:
        if isinstance(b, RawTable):
            out.append(("table", b.title, tuple(b.headings), [[c.text for c in r if c.text] for r in b.rows]))
        else:
            out.append(("paragraph", b.text))
    return out


def both(name: str):
    return read_document(FIX / f"{name}.pdf"), read_document(FIX / f"{name}.txt")


@pytest.mark.parametrize("name", ["project_selfeval", "dept_selfeval", "budget_functions", "narrative",
                                  "split_table", "budget_unruled"])
def test_pdf_reads_as_its_text_rendition(name):
    pdf, txt = both(name)
    assert pdf.error is None and txt.error is None
    assert pdf.fmt == "pdf" and pdf.sha256
    assert shape(pdf) == shape(txt)
    assert pdf.title == txt.title


def test_self_evaluation_table_cells():
    pdf, _ = both("project_selfeval")
    (table,) = pdf.tables
    assert table.layout == "pdf" and table.page == 1
    assert table.title == "预算项目(政策)绩效目标自评表"
    by_first = {r[0].text: r for r in table.rows}
    # a merged cell prints its text in its first column and leaves the covered ones empty
    assert [c.text for c in by_first["项目(政策)名称"][:3]] == ["项目(政策)名称", "", "高标准农田建设补助资金"]
    # a cell printed on two lines is joined without a space between CJK characters
    goal = next(r for r in table.rows if any("提升粮食综合生产能力" in c.text for c in r))
    assert any(c.text == "新建高标准农田2.5万亩，配套灌排、田间道路等设施，提升粮食综合生产能力。" for c in goal)
    # the vertically merged 一级指标 label sits on the first row it covers
    output = next(r for r in table.rows if r[2].text == "新建高标准农田面积")
    assert output[0].text == "产出指标"
    assert next(r for r in table.rows if r[2].text == "工程验收合格率")[0].text == ""


def test_lines_count_text_lines_over_the_document():
    pdf, _ = both("project_selfeval")
    (table,) = pdf.tables
    lines = [r[0].line for r in table.rows]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)
    assert all(c.line == r[0].line for r in table.rows for c in r)      # a row is read at its first line
    assert lines[0] == 3                                                # title, (2023年度), then the table
    assert table.line == 3 and table.first_line() == 3
    para = pdf.paragraphs[-1]
    assert para.text.startswith("经自评") and para.line > lines[-1] and para.page == 1


def test_heading_by_font_size():
    pdf, _ = both("narrative")
    assert pdf.title == "2023年度部门整体支出绩效自评报告"      # does not end in 表: found by its size
    assert [p.page for p in pdf.paragraphs] == [1, 1]


def test_table_over_pages_is_joined_and_repeated_header_dropped():
    pdf, txt = both("split_table")
    assert len(pdf.tables) == 1
    (table,) = pdf.tables
    assert table.page == 1
    headers = [r for r in table.rows if r[0].text == "科目编码"]
    assert len(headers) == 1
    assert len(table.rows) == len(txt.tables[0].rows)
    starts = pdf.page_starts
    assert len(starts) == 3 and starts[0] == 1
    pages = {page_of_line(pdf, r[0].line) for r in table.rows}
    assert pages == {1, 2, 3}


def test_table_continuing_without_header_is_joined():
    pdf, _ = both("dept_selfeval")
    assert len(pdf.tables) == 1 and len(pdf.page_starts) > 1
    assert page_of_line(pdf, pdf.tables[0].rows[-1][0].line) == len(pdf.page_starts)


def test_running_headers_and_page_numbers_dropped():
    for name, furniture in [("split_table", "青川市农业农村局 2024年部门预算"),
                            ("dept_selfeval", "2022年度部门整体绩效自评"), ("project_selfeval", "- 1 -"),
                            ("budget_functions", "第 1 页")]:
        pdf, _ = both(name)
        prose = [b.text for b in pdf.blocks if isinstance(b, Paragraph)] + [pdf.title or ""]
        cells = [c.text for t in pdf.tables for r in t.rows for c in r]
        assert not any(furniture in t for t in prose + cells), name
        assert not any(t.strip("- ").isdigit() for t in prose), name


def test_unruled_table_found_by_text_alignment():
    pdf, _ = both("budget_unruled")
    (table,) = pdf.tables
    assert [c.text for c in table.rows[0] if c.text] == ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    assert [c.text for c in table.rows[-1] if c.text] == ["2210201", "住房公积金", "45.72", "45.72"]


def _canonical(path: Path, name: str) -> pd.DataFrame:
    from auditor.pipeline import extract

    frame = extract(path)[name]
    drop = [c for c in frame.columns if c in ("doc_id", "table_id", "line", "loc", "claim_id")
            or c.endswith("_loc")]
    return frame.drop(columns=drop).reset_index(drop=True)


@pytest.mark.parametrize("name,tables", [("project_selfeval", ["indicators", "funds", "scores"]),
                                         ("dept_selfeval", ["indicators", "funds", "scores"]),
                                         ("budget_functions", ["ledger"])])
def test_canonical_values_as_from_text(name, tables):
    for table in tables:
        pdf = _canonical(FIX / f"{name}.pdf", table)
        txt = _canonical(FIX / f"{name}.txt", table)
        assert len(pdf) > 0, table
        pd.testing.assert_frame_equal(pdf, txt, obj=f"{name}.{table}")


def test_join_lines():
    assert join_lines(["新建高标准", "农田"]) == "新建高标准农田"
    assert join_lines(["Page", "3"]) == "Page 3"
    assert join_lines(["803.61", "3134"]) == "803.613134"
    assert join_lines(["全部或基本达成预期指标", "100%-80% (含"]) == "全部或基本达成预期指标100%-80% (含"
    assert join_lines(["年度 主", "要 任务", ""]) == "年度 主要 任务"


# --- hostile and broken files -------------------------------------------------


def test_encrypted():
    doc = read_document(FIX / "encrypted.pdf")
    assert doc.error == ERR_ENCRYPTED


def test_truncated():
    assert read_document(FIX / "truncated.pdf").error == ERR_TRUNCATED


def test_corrupt(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n")
    doc = read_document(bad)
    assert doc.error and doc.error.startswith("PDF 文件已损坏")
    assert parse_pdf("x", tmp_path / "missing.pdf").error.startswith("无法打开文件")


def test_mangled_files_never_raise(tmp_path):
    data = (FIX / "project_selfeval.pdf").read_bytes()
    rng = random.Random(8)
    for k in range(25):
        b = bytearray(data)
        for _ in range(rng.randint(1, 40)):
            b[rng.randrange(len(b) - 10)] = rng.randrange(256)
        f = tmp_path / f"m{k}.pdf"
        f.write_bytes(bytes(b))
        doc = parse_pdf(str(f), f)          # must not raise, whatever it reads
        assert doc.error or doc.blocks is not None


def test_bounded_work():
    f = FIX / "split_table.pdf"
    assert parse_pdf("x", f, max_pages=2).error == "PDF 页数过多（3 页，上限 2 页）"
    assert parse_pdf("x", f, time_budget=0).error.startswith("PDF 读取超时")
    assert parse_pdf("x", f).error is None


def test_scanned_without_ocr():
    assert read_document(FIX / "scanned.pdf").error == ERR_SCANNED


def test_scanned_with_ocr_but_no_tesseract(monkeypatch):
    monkeypatch.setattr(pdfmod.shutil, "which", lambda name: None)
    doc = parse_pdf("x", FIX / "scanned.pdf", ocr=True)
    assert "tesseract" in doc.error and "chi_sim" in doc.error


@needs_tesseract
def test_scanned_with_ocr():
    doc = parse_pdf("x", FIX / "scanned.pdf", ocr=True)
    assert doc.error is None
    (table,) = doc.tables
    assert table.layout == "ocr" and table.page == 1
    texts = [[c.text for c in r if c.text] for r in table.rows]
    flat = [t for r in texts for t in r]
    assert "青川市农业农村局" in flat and "1280.50" in flat and "98.14" in flat
    assert any(r[:2] == ["项目(政策)名称", "高标准农田建设补助资金"] for r in texts)
    assert doc.paragraphs and all(getattr(p, "ocr", False) for p in doc.paragraphs)


def test_module_flag_turns_ocr_on(monkeypatch):
    monkeypatch.setattr(pdfmod, "OCR", True)
    monkeypatch.setattr(pdfmod.shutil, "which", lambda name: None)
    assert "tesseract" in parse_pdf("x", FIX / "scanned.pdf").error


# --- published Jiangsu budget PDFs (single-page excerpts, public disclosures) --------
# Each test names the misreading it guards against (issue 14); the excerpts were cut
# from the corpus PDFs with pypdfium2 (PdfDocument.new().import_pages).

JS = FIX / "jiangsu"


def rows(table: RawTable) -> list[list[str]]:
    return [[c.text for c in r] for r in table.rows]


def test_two_tables_on_a_page_stay_two_tables_with_their_own_titles_numbers_and_totals():
    """Cause 1: the second table's 合计 read as an item of the first."""
    doc = read_document(JS / "high_court_2019_p10.pdf")
    first, second = doc.tables
    assert first.title == "财政拨款收支预算总表" and first.headings[-2:] == ["公开04表", "财政拨款收支预算总表"]
    assert second.title == "财政拨款支出预算表（功能科目）" and second.headings[-2] == "公开05表"
    assert rows(first)[-1] == ["收入合计", "37,188.34", "支出合计", "37,188.34"]
    assert rows(second)[:2] == [["功能科目编码", "功能科目名称", "金 额"], ["合计", "", "37,188.34"]]
    assert first.preamble == ["部门名称：江苏省高级人民法院 单位:万元"]


def test_parent_amount_set_apart_lands_in_its_column_and_the_unit_line_is_no_column():
    """Cause 2: 「301 工资福利支出」 read as blank beside a spurious 单位:万元 column."""
    (table,) = read_document(JS / "high_court_2019_p11.pdf").tables
    assert {len(r) for r in table.rows} == {3}
    amounts = {r[0].text: r[2].text for r in table.rows}
    assert (amounts["合计"], amounts["301"], amounts["30101"], amounts["302"], amounts["303"]) == \
        ("21,968.00", "16,324.07", "2,827.41", "3,580.05", "2,063.88")
    assert not any(c.text.startswith(("单位", "部门")) for r in table.rows for c in r)


def test_three_part_summary_table_is_read_with_its_header_and_summary_lines():
    """Cause 3 (reading side): the 收入 / 功能分类 / 支出用途 parts keep their columns."""
    (table,) = read_document(JS / "cppcc_2017_tables_p1.pdf").tables
    assert rows(table)[:3] == [["收入", "", "支出", "", "", ""], ["项目名称", "金额", "功能分类", "", "支出用途", ""],
                               ["", "", "功能科目名称", "金额", "项目名称", "金额"]]
    assert rows(table)[3] == ["一、财政拨款", "9,066.79", "一、一般公共服务支出", "6,543.55", "一、基本支出", "5,916.27"]
    assert rows(table)[-3:] == [["当年收入小计", "9,146.79", "当年支出小计", "", "", "9,146.79"],
                                ["上年结转资金", "", "结转下年资金", "", "", ""],
                                ["收入合计", "9,146.79", "支出合计", "", "", "9,146.79"]]


def test_table_continued_over_pages_keeps_its_columns_and_labels_wrapped_at_the_break():
    """Causes 4 and 5: a continuation lost, labels split at a page break (八、社会保障和就 / 业支出,
    当年收入 / 小计); the last page draws fewer column rulings than the first."""
    doc = read_document(JS / "npc_2017_p7_9.pdf")
    table = doc.tables[0]
    assert table.title == "收支预算总表" and {len(r) for r in table.rows} == {6}
    labels = [r[2].text for r in table.rows]
    assert "八、社会保障和就业支出" in labels and "十八、住房保障支出" in labels
    assert not {"业支出", "出", "小计"} & {c.text for r in table.rows for c in r[:3]}
    assert rows(table)[-3:] == [["当 年 收 入小计", "13,649.07", "当年支出小计", "", "", "13,649.07"],
                                ["上年结转资金", "", "结转下年资金", "", "", ""],
                                ["收入合计", "13,649.07", "支出合计", "", "", "13,649.07"]]
    assert [page_of_line(doc, table.rows[k][0].line) for k in (3, 23, -1)] == [1, 2, 3]
    assert doc.tables[1].title == "收入预算总表" and doc.tables[1].page == 3


def test_label_wrapped_inside_its_cell_is_one_text():
    """Cause 5: 「1.一般公共预 / 算」 read as two rows, the second named 算."""
    (table, _) = read_document(JS / "npc_2017_p7_9.pdf").tables
    assert rows(table)[3][0] == "一、财政拨款" and rows(table)[5][4] == "三、单位预留机动经费"
    assert rows(table)[6][0] == "二、财政专户管理资金"


def test_continuation_with_other_column_rulings_keeps_code_and_name_apart():
    """Cause 4: codes read as row names after a page break whose table draws its
    code/name ruling in another place."""
    doc = read_document(JS / "procuratorate_2017_p12_13.pdf")
    table = next(t for t in doc.tables if t.title == "六、财政拨款基本支出预算表")
    by_code = {r[0].text: [c.text for c in r] for r in table.rows}
    assert by_code["30104"] == ["30104", "其他社会保障缴费", "75.64"]
    assert by_code["303"] == ["303", "对个人和家庭的补助", "4,366.59"]
    lines = {r[0].text: r[0].line for r in table.rows}
    assert page_of_line(doc, lines["301"]) == 1 and page_of_line(doc, lines["30104"]) == 2


def test_group_label_and_its_subtotal_on_one_line():
    """Cause 6: a part printed on its group's 小计 line (其他资金 | 小计 | 15.00)."""
    table = read_document(JS / "procuratorate_2017_p11.pdf").tables[0]
    assert ["其他资金", "", "小计", "15.00"] in rows(table)
    assert ["", "", "其他收入", "15.00"] in rows(table)


def test_table_number_printed_as_公开表二_is_a_heading():
    (table,) = read_document(JS / "npc_2019_tables_p2.pdf").tables
    assert table.headings == ["公开表二", "收入预算总表"] and table.title == "收入预算总表"


@pytest.mark.parametrize("path", sorted(p for p in FIX.rglob("*.pdf")
                                        if p.stem not in ("encrypted", "truncated", "scanned")),
                         ids=lambda p: p.stem)
def test_pypdfium2_and_pdfplumber_give_the_same_rows(path):
    fast = parse_pdf(str(path), path, source="pdfium")
    slow = parse_pdf(str(path), path, source="pdfplumber")
    assert fast.error is None and slow.error is None
    assert [(t.title, t.headings, rows(t)) for t in fast.tables] == [(t.title, t.headings, rows(t)) for t in slow.tables]
    assert [p.text for p in fast.paragraphs] == [p.text for p in slow.paragraphs]
