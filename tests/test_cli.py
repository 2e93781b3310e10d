"""The CLI is a thin layer: exit codes, unreadable input, every command documented."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.engine.catalog import load_catalog

EXCERPTS = Path(__file__).parent / "fixtures" / "excerpts"
runner = CliRunner()

CLEAN = """# 预算项目(政策)绩效目标自评表

项目(政策)名称\t\t示例项目
项目预算金额(万元)\t\t100.00\t\t全年执行数\t\t80.00\t\t执行率\t\t80.00%
绩效指标\t一级指标\t二级指标\t三级指标\t年度目标值\t\t\t全年完成值\t完成程度\t分值\t得分
\t\t\t\t运算符号\t内容\t度量单位
\t产出指标\t数量指标\t培训人次\t>=\t100\t人次\t120\t100%\t50\t50
\t效益指标\t社会效益指标\t政策知晓率\t>=\t90\t%\t92\t100%\t30\t30
\t满意度指标\t服务对象满意度指标\t满意度\t>=\t85\t%\t90\t100%\t10\t10
指标自评得分小计\t\t90\t\t预算执行率得分\t\t8\t\t减分项\t\t0\t\t绩效自评总得分\t\t98
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_clean_document_exits_0(tmp_path):
    result = runner.invoke(app, ["check", str(write(tmp_path, "clean.txt", CLEAN))])
    assert result.exit_code == 0, result.output


def test_findings_exit_1_and_fail_on_never_exits_0(tmp_path):
    bad = write(tmp_path, "bad.txt", CLEAN.replace("80.00%", "90.00%"))
    assert runner.invoke(app, ["check", str(bad)]).exit_code == 1
    assert runner.invoke(app, ["check", str(bad), "--fail-on", "never"]).exit_code == 0


def test_json_report_names_rule_location_printed_and_expected(tmp_path):
    bad = write(tmp_path, "bad.txt", CLEAN.replace("80.00%", "90.00%"))
    result = runner.invoke(app, ["check", str(bad), "--format", "json"])
    data = json.loads(result.stdout)
    f = next(x for x in data["findings"] if x["rule"] == "EXR001")
    assert f["printed"] == "90.00%" and f["expected"] == "80.00%" and f["location"]["line"] == 4
    assert f["file"].endswith("bad.txt") and f["fingerprint"]


@pytest.mark.parametrize("content", [b"", bytes(range(256)) * 4, "这是一封普通的信，没有任何表格。\n".encode()])
def test_unreadable_or_unrelated_input_exits_2_with_an_input_finding(tmp_path, content):
    p = tmp_path / "doc.txt"
    p.write_bytes(content)
    result = runner.invoke(app, ["check", str(p), "--format", "json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["findings"][0]["family"] == "INP"


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    write(tmp_path, "a_bad.txt", "")
    write(tmp_path, "b_good.txt", CLEAN.replace("80.00%", "90.00%"))
    result = runner.invoke(app, ["check", str(tmp_path), "--format", "json"])
    data = json.loads(result.stdout)
    assert {f["rule"] for f in data["findings"]} >= {"INP001", "EXR001"}
    assert result.exit_code == 1


def test_usage_errors_exit_2(tmp_path):
    good = write(tmp_path, "clean.txt", CLEAN)
    assert runner.invoke(app, ["check", str(tmp_path / "missing.txt")]).exit_code == 2
    result = runner.invoke(app, ["check", str(good), "--select", "EXR99"])
    assert result.exit_code == 2
    assert runner.invoke(app, ["check", str(good), "--format", "nope"]).exit_code == 2
    assert runner.invoke(app, ["explain", "NOPE001"]).exit_code == 2


def test_select_and_ignore(tmp_path):
    bad = write(tmp_path, "bad.txt", CLEAN.replace("80.00%", "90.00%"))
    assert runner.invoke(app, ["check", str(bad), "--ignore", "EXR001,SCR003"]).exit_code == 0
    assert runner.invoke(app, ["check", str(bad), "--select", "FSR"]).exit_code == 0


def test_explain_works_for_every_rule():
    for rule in load_catalog():
        result = runner.invoke(app, ["explain", rule.id])
        assert result.exit_code == 0 and rule.name in result.output


def test_rules_json_lists_the_catalog():
    data = json.loads(runner.invoke(app, ["rules", "--format", "json"]).stdout)
    assert [r["code"] for r in data] == [r.id for r in load_catalog()]


def test_extract_writes_canonical_csv(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(EXCERPTS / "selfeval_rows.txt"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "indicators.csv").read_text(encoding="utf-8").count("\n") == 40


def test_every_command_has_help():
    for command in ("check", "extract", "rules", "explain", "baseline", "schema"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and len(result.output) > 100


def test_several_formats_in_one_run(tmp_path):
    bad = write(tmp_path, "bad.txt", CLEAN.replace("80.00%", "90.00%"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["check", str(bad), "-f", "json", "-f", "html", "-f", "sarif", "-f", "junit",
                                 "--output-dir", str(out)])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["auditor-report.html", "auditor-report.json",
                                                     "auditor-report.sarif", "auditor-report.xml"]


def test_baseline_survives_a_line_inserted_at_the_top(tmp_path):
    doc = write(tmp_path, "bad.txt", CLEAN.replace("80.00%", "90.00%"))
    baseline = tmp_path / "baseline.json"
    assert runner.invoke(app, ["baseline", str(doc), "--output", str(baseline), "--reason", "已说明"]).exit_code == 0
    doc.write_text("说明：本表于次日重新导出。\n" + doc.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["check", str(doc), "--baseline", str(baseline), "--format", "json"])
    assert result.exit_code == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["findings"] == [] and data["summary"]["suppressed"] >= 2


def test_max_findings_gates(tmp_path):
    bad = write(tmp_path, "bad.txt", CLEAN.replace("80.00%", "90.00%"))
    assert runner.invoke(app, ["check", str(bad), "--fail-on", "never", "--max-findings", "0"]).exit_code == 1
    assert runner.invoke(app, ["check", str(bad), "--fail-on", "never", "--max-findings", "5"]).exit_code == 0


def test_export_gx_lists_what_it_cannot_express(tmp_path):
    pytest.importorskip("sqlglot", reason="the GX export needs sqlglot (pip install -e '.[gx]')")
    result = runner.invoke(app, ["export", "gx", "--output", str(tmp_path / "gx")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "gx" / "manifest.json").read_text(encoding="utf-8"))
    exported = {e["rule"] for e in manifest["expectations"]}
    skipped = {e["rule"] for e in manifest["not_expressible"]}
    assert exported and not exported & skipped
    assert exported | skipped == {r.id for r in load_catalog() if r.query}
    for rule in skipped:
        assert rule in result.output


def test_spark_engine_needs_canonical_tables(tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path), "--engine", "spark"])
    assert result.exit_code == 2
