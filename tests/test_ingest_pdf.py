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
