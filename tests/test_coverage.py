"""Reading coverage: the figures a document prints, the ones that reached a canonical
row, the unread regions, and the INP finding for a document mostly not read."""
from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

import auditor
from auditor.cli import app
from auditor.coverage import figures, regions
from auditor.ingest.text import parse_text
from auditor.pipeline import extract, read_rows
from auditor.render import RenderOptions, get_renderer

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"

DOC = """# 项目支出绩效自评表

项目名称\t示例项目
项目资金（万元）\t全年预算数\t全年执行数\t执行率
年度资金总额\t200.00\t150.00\t75.00%

# 人员名单

序号\t姓名\t补助金额
1\t张三\t1,200.00
2\t李四\t800.50
"""


def test_figures_are_amounts_percents_and_scores_not_years_codes_or_row_numbers():
    doc = parse_text("x.txt", "2019年支出预算 1,374.63 万元，比上年增长 16.47%，详见第 3 页所列各表。\n\n# 支出表\n\n"
                              "科目编码\t科目名称\t金额\n2080505\t养老保险缴费\t785.06\n")
    assert sorted(f.number for f in figures(doc)) == ["1,374.63", "16.47", "785.06"]


def test_coverage_counts_what_reached_a_row(tmp_path):
    f = tmp_path / "doc.txt"
    f.write_text(DOC, encoding="utf-8")
    info, rows = read_rows(f, "D1")
    cov = info.coverage
    # 200.00, 150.00 and 75.00% sit in a fund line; the two amounts of the unknown list do not
    assert (cov.figures, cov.figures_read, cov.tables_by_kind) == (5, 3, {"project_selfeval": 1})
    assert [(u["line"], u["figure"], u["kind"]) for u in rows["unread"]] == [(10, "1,200.00", "table"),
                                                                            (11, "800.50", "table")]
    assert rows["unread"][0]["text"] == "1 | 张三 | 1,200.00"
    assert rows["coverage"][0]["share"] == 0.6
    assert [r["first"] for r in regions(rows["unread"])] == [10] and regions(rows["unread"])[0]["last"] == 11


def test_a_mostly_unread_document_gets_its_inp_finding():
    report = auditor.check([LAYOUTS / "reading_order_cells.txt"])
    rules = {f.rule for f in report.items}
    assert "INP007" in rules                     # most figures read by nothing: never a silent "0 problems"
    assert "INP009" in rules                     # the table whose cells come in reading order
    msg = next(f.message for f in report.items if f.rule == "INP007")
    assert "mostly-unread-document" in msg and "个数字" in msg


def test_a_document_read_whole_gets_no_coverage_finding():
    report = auditor.check([LAYOUTS / "bar_cells_sichuan.txt"])
    assert not any(f.rule == "INP007" for f in report.items)
    assert report.documents[0].coverage.share == 1.0


def test_coverage_appears_in_the_json_report(tmp_path):
    report = auditor.check([LAYOUTS / "paragraph_cells_hebei.txt"])
    out = io.StringIO()
    get_renderer("json").render(report, out, RenderOptions())
    data = json.loads(out.getvalue())
    schema = json.loads((ROOT / "reports" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    cov = data["documents"][0]["coverage"]
    assert cov["figures"] == 23 and cov["figures_read"] == 21 and cov["tables_by_kind"] == {"project_selfeval": 1}
    assert abs(cov["share"] - 21 / 23) < 1e-9


def test_coverage_and_unread_are_canonical_tables():
    c = extract(LAYOUTS / "reading_order_cells.txt")
    assert list(c["coverage"].columns) == ["doc_id", "tables_by_kind", "tables", "rows", "claims", "figures",
                                           "figures_read", "share"]
    assert len(c["unread"]) == c["coverage"]["figures"].iloc[0]


def test_extract_coverage_lists_the_unread_regions(tmp_path):
    result = CliRunner().invoke(app, ["extract", str(LAYOUTS / "reading_order_cells.txt"), "--out",
                                      str(tmp_path / "out"), "--coverage"])
    assert result.exit_code == 0, result.output
    assert "未读取的数字区域" in result.output and "已读" in result.output
    assert (tmp_path / "out" / "unread.csv").exists()
