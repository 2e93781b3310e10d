"""Text layouts -> RawDocument: segmentation, row layout, cell layout."""
from __future__ import annotations

from pathlib import Path

from auditor.ingest import read_document
from auditor.ingest.text import parse_text

EXCERPTS = Path(__file__).parent / "fixtures" / "excerpts"


def test_headings_split_tables_and_keep_their_titles():
    text = "# 预算项目(政策)绩效目标自评表\n\n项目(政策)名称\t\t甲项目\n项目预算金额\t10\n\n## 预算项目(政策)绩效目标自评表 (2022年度)\n\n项目(政策)名称\t\t乙项目\n"
    doc = parse_text("x.txt", text)
    assert [t.title for t in doc.tables] == ["预算项目(政策)绩效目标自评表", "预算项目(政策)绩效目标自评表 (2022年度)"]
    assert doc.tables[0].rows[0][2].text == "甲项目"
    assert doc.tables[0].rows[0][2].line == 3 and doc.tables[0].rows[0][2].col == 3


def test_row_layout_keeps_empty_cells_and_positions():
    doc = parse_text("x.txt", "# 表\n\n\ta\t\tb\n")
    row = doc.tables[0].rows[0]
    assert [c.text for c in row] == ["", "a", "", "b"]
    assert row[3].loc() == "3:4"


def test_cell_layout_rows_are_runs_separated_by_blank_lines():
    text = "附件2\n2020年项目支出绩效自评表\n\n\t一级指标\n\t年度\n\n指标值\n\t分值\n\n\t\n\t产出指标\n\n(50分)\n\t15\n\u3000\n\t13\n"
    doc = parse_text("x.txt", text)
    t = doc.tables[0]
    assert t.layout == "cell"
    assert [c.text for c in t.rows[0]] == ["一级指标", "年度指标值", "分值"]
    assert [c.text for c in t.rows[1]] == ["", "产出指标(50分)", "15", "13"]


def test_blank_cell_groups_join_the_row_before():
    text = "# 表\n\n\t上年结转资金\n\t0\n\n\t\u3000\n\t\u3000\n\n\t其他资金\n\t0\n"
    rows = parse_text("x.txt", text).tables[0].rows
    assert [c.text for c in rows[0]] == ["上年结转资金", "0", "", ""]
    assert rows[1][0].text == "其他资金"


def test_prose_lines_become_paragraphs():
    long = "2020年部门决算整体收入8254.56万元，支出8254.56万元，其中基本支出608.81万元，占总支出的7.38%。"
    doc = parse_text("x.txt", "报告\n\n" + long + "\n")
    assert doc.paragraphs[-1].text == long and doc.paragraphs[-1].line == 3


def test_excerpts_segment_into_their_tables():
    rows_doc = read_document(EXCERPTS / "selfeval_rows.txt")
    assert len(rows_doc.tables) == 4 and all(t.layout == "row" for t in rows_doc.tables)
    cells_doc = read_document(EXCERPTS / "selfeval_cells.txt")
    assert [t.layout for t in cells_doc.tables] == ["cell", "cell"]


def test_unreadable_inputs_become_errors_not_exceptions(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 10)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("# 项目支出绩效自评表\n\n项目名称\t甲\n".encode("gb18030"))
    assert read_document(empty).error == "空文件"
    assert "二进制" in read_document(binary).error
    assert read_document(gbk).tables[0].rows[0][1].text == "甲"
    assert "无法打开" in read_document(tmp_path / "missing.txt").error
