"""Readers refuse before they expand past the memory budget (issue 18): a text line, a CSV's
columns, an Excel shared-strings part, a Word part or its cells after gridSpan, a PDF's
characters. Each test builds a small hostile file and lowers the budget (memory_mb) instead."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

import auditor
from auditor import readpool
from auditor.config import DEFAULTS, Config
from auditor.ingest import read_document
from auditor.ingest.limits import Budget

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def tiny(monkeypatch):
    """Read as a worker with memory_mb = 1 would: the smallest sizes (Budget's floors)."""
    monkeypatch.setattr(readpool, "WORKER_MEMORY_MB", 1.0)
    return Budget(1.0)


def _refused(path, *words):
    doc = read_document(path)
    assert doc.error, f"{path} was read"
    for w in words:
        assert w in doc.error, doc.error
    return doc.error


def test_budget_sizes_scale_with_memory_mb():
    small, big = Budget(256.0), Budget(2048.0)
    for size in ("line_chars", "text_chars", "cells", "xml_part_bytes", "pdf_chars"):
        assert abs(getattr(big, size) - 8 * getattr(small, size)) <= 8


def test_a_text_line_past_the_budget_is_refused(tmp_path, tiny):
    f = tmp_path / "one_line.txt"
    f.write_text("# 预算表\n" + "甲" * (tiny.line_chars + 1) + "\n", encoding="utf-8")
    _refused(f, "第 2 行过长", f"{tiny.line_chars:,}", "memory_mb = 1 MB")
    ok = tmp_path / "ok.txt"
    ok.write_text("# 预算表\n" + "甲" * (tiny.line_chars - 10) + "\n", encoding="utf-8")
    assert "过长" not in (read_document(ok).error or "")


def test_a_whole_text_past_the_budget_is_refused(tmp_path, tiny):
    f = tmp_path / "long.txt"
    f.write_text("一二三\t1\n" * (tiny.text_chars // 5 + 1), encoding="utf-8")
    _refused(f, "过长", f"{tiny.text_chars:,}")


def test_a_csv_with_too_many_columns_is_refused(tmp_path):
    f = tmp_path / "wide.csv"
    f.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n", encoding="utf-8")
    _refused(f, "20,000 列", "16,384")


def test_a_csv_with_too_many_cells_is_refused(tmp_path, tiny):
    f = tmp_path / "many.csv"
    f.write_text("项目,金额\n" + "x,1\n" * (tiny.cells // 2 + 5), encoding="utf-8")
    _refused(f, "单元格过多", f"{tiny.cells:,}")


def _rewrite_zip(src: Path, dst: Path, member: str, data: bytes) -> None:
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            out.writestr(info, data if info.filename == member else z.read(info.filename))
        if member not in z.namelist():
            out.writestr(member, data)


def test_an_xlsx_shared_strings_part_past_the_budget_is_refused(tmp_path, tiny):
    src = SAMPLES / "budget_tables.xlsx"
    strings = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + \
        b"<si><t>x</t></si>" * (tiny.xml_part_bytes // 17 + 10) + b"</sst>"
    dst = tmp_path / "strings.xlsx"
    _rewrite_zip(src, dst, "xl/sharedStrings.xml", strings)
    _refused(dst, "xl/sharedStrings.xml", "过大", "memory_mb")


def test_an_xlsx_sheet_with_cells_past_the_budget_is_refused(tmp_path, tiny):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, tiny.cells // 10 + 5):
        ws.append([f"v{r}"] * 10)
    path = tmp_path / "cells.xlsx"
    wb.save(path)
    _refused(path, "过大", f"{tiny.cells:,}")


def test_a_docx_part_past_the_budget_is_refused(tmp_path, tiny):
    src = SAMPLES / "project_selfeval.docx"
    styles = b'<?xml version="1.0"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' + \
        b"<!-- -->" * (tiny.xml_part_bytes // 8 + 10) + b"</w:styles>"
    dst = tmp_path / "styles.docx"
    _rewrite_zip(src, dst, "word/styles.xml", styles)
    _refused(dst, "word/styles.xml", "过大", "memory_mb")


def test_a_docx_gridspan_bomb_is_refused(tmp_path, monkeypatch):
    import docx

    monkeypatch.setattr(readpool, "WORKER_MEMORY_MB", 16.0)      # parts fit, cells do not
    tiny = Budget(16.0)
    d = docx.Document()
    table = d.add_table(rows=60, cols=2)
    for row in table.rows:
        row.cells[0].text = "指标"
        row.cells[1].text = "1"
    path = tmp_path / "spans.docx"
    d.save(path)
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode("utf-8")
    body = body.replace("<w:tcPr>", '<w:tcPr><w:gridSpan w:val="1000"/>', )
    bomb = tmp_path / "bomb.docx"
    _rewrite_zip(path, bomb, "word/document.xml", body.encode("utf-8"))
    _refused(bomb, "gridSpan", f"{tiny.cells:,}")


def test_a_pdf_with_characters_past_the_budget_is_refused(tiny):
    pytest.importorskip("pypdfium2")
    _refused(FIXTURES / "pdf" / "split_table.pdf", "字符过多", "memory_mb = 1 MB")


def test_a_refused_file_is_one_inp001_and_the_other_files_run(tmp_path):
    hostile = tmp_path / "one_line.txt"
    budget = Budget(64.0)
    hostile.write_text("甲" * (budget.line_chars + 1), encoding="utf-8")
    shutil.copy(FIXTURES / "excerpts" / "selfeval_rows.txt", tmp_path / "good.txt")
    report = auditor.check([hostile, tmp_path / "good.txt"], config=Config({**DEFAULTS, "memory_mb": 64.0}))
    inp = [f for f in report.items if f.rule == "INP001"]
    assert len(inp) == 1 and inp[0].location.file.endswith("one_line.txt") and "memory_mb = 64 MB" in inp[0].message
    assert any(f.location.file.endswith("good.txt") for f in report.items)
