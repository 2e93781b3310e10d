"""Baseline of accepted findings: keyed by fingerprint, never by line number."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sample_report import SELF_EVAL, sample_report

from auditor.engine.baseline import BaselineError, apply_baseline, write_baseline
from auditor.findings import Finding, Location, Severity


def test_baseline_suppresses_the_same_findings_when_lines_shift(tmp_path):
    path = tmp_path / "baseline.json"
    before = sample_report()
    write_baseline(before, path)
    after = apply_baseline(sample_report(line_shift=7), path)
    assert after.items == []
    assert after.suppressed == len(before.items)


def test_only_new_findings_remain(tmp_path):
    path = tmp_path / "baseline.json"
    report = sample_report()
    write_baseline(replace(report, items=report.items[1:]), path)
    after = apply_baseline(report, path)
    assert after.items == [report.items[0]]
    assert after.suppressed == len(report.items) - 1
    assert report.suppressed == 0 and len(report.items) == 10     # the input report is left alone


def test_a_changed_printed_value_is_reported_again(tmp_path):
    path = tmp_path / "baseline.json"
    report = sample_report()
    write_baseline(report, path)
    changed = replace(report.items[0], printed="102.50%")
    after = apply_baseline(replace(report, items=[changed] + report.items[1:]), path)
    assert changed in after.items
    stale = [f for f in after.items if f.rule == "AUD002"]
    assert len(stale) == 1 and "101.13%" in stale[0].message and "102.50%" in stale[0].message
    assert after.suppressed == len(report.items) - 1


def test_entries_no_longer_found_become_unused_baseline_entry_findings(tmp_path):
    path = tmp_path / "baseline.json"
    report = sample_report()
    write_baseline(report, path)
    fixed = replace(report, items=[f for f in report.items if f.rule != "SCR001"])
    after = apply_baseline(fixed, path)
    assert [(f.rule, f.name, f.severity) for f in after.items] == [
        ("AUD002", "unused-baseline-entry", Severity.INFO)]
    stale = after.items[0]
    assert stale.location.file == SELF_EVAL and stale.location.row == "指标自评得分小计"
    assert stale.message.endswith("[unused-baseline-entry]")
    assert "AUD002" in after.rules_run


def test_entries_for_files_or_rules_not_checked_are_not_stale(tmp_path):
    path = tmp_path / "baseline.json"
    report = sample_report()
    write_baseline(report, path)
    one_file = replace(report, items=[f for f in report.items if f.location.file == SELF_EVAL],
                       documents=[d for d in report.documents if d.file == SELF_EVAL])
    assert apply_baseline(one_file, path).items == []
    no_scr = replace(report, items=[f for f in report.items if f.rule != "SCR001"],
                     rules_run=[r for r in report.rules_run if r != "SCR001"])
    assert apply_baseline(no_scr, path).items == []


def test_two_findings_with_one_fingerprint_need_two_entries(tmp_path):
    path = tmp_path / "baseline.json"
    twin = Finding(rule="INP004", name="unparsed-row", family="INP", severity=Severity.WARNING,
                   message="无法解析的行 [unparsed-row]", location=Location(file="a.txt", line=3), printed="x")
    write_baseline(replace(sample_report(), items=[twin], documents=[]), path)
    later = replace(twin, location=replace(twin.location, line=9))
    after = apply_baseline(replace(sample_report(), items=[twin, later], documents=[]), path)
    assert after.items == [later] and after.suppressed == 1


def test_baseline_file_records_what_was_accepted_and_by_whom(tmp_path):
    path = tmp_path / "sub" / "baseline.json"
    count = write_baseline(sample_report(), path, reason="2023 年报已定稿", accepted_by="张三")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 1 and len(data["entries"]) == count == 10
    entry = next(e for e in data["entries"] if e["rule"] == "EXR001")
    assert entry == {"fingerprint": sample_report().items[0].fingerprint, "rule": "EXR001", "file": SELF_EVAL,
                     "table": "项目支出绩效自评表 · 服务质量考核费", "row": "服务质量考核费", "printed": "101.13%",
                     "expected": "98.88%", "message": sample_report().items[0].message,
                     "reason": "2023 年报已定稿", "accepted_by": "张三", "accepted_at": entry["accepted_at"]}
    assert "line" not in entry
    assert [p.name for p in path.parent.iterdir()] == ["baseline.json"]


def test_stale_entry_notices_are_not_written_into_a_new_baseline(tmp_path):
    path = tmp_path / "baseline.json"
    report = sample_report()
    write_baseline(report, path)
    with_stale = apply_baseline(replace(report, items=report.items[1:]), path)
    assert [f.rule for f in with_stale.items] == ["AUD002"]
    assert write_baseline(with_stale, tmp_path / "again.json") == 0


@pytest.mark.parametrize("content, message", [
    ("not json", "不是有效的 JSON"),
    ('{"version": 2, "entries": []}', "不支持的基线版本"),
    ('{"version": 1, "entries": [{"rule": "EXR001"}]}', "fingerprint"),
])
def test_a_bad_baseline_file_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=message):
        apply_baseline(sample_report(), path)


def test_a_missing_baseline_file_is_a_clear_error(tmp_path):
    with pytest.raises(BaselineError, match="不存在"):
        apply_baseline(sample_report(), tmp_path / "nope.json")


# ---- issue 17: merge, per-entry reason/who/when, prune ------------------------------------------

from auditor.engine.baseline import load_baseline, update_baseline  # noqa: E402


def test_rerunning_baseline_keeps_each_entrys_own_reason_who_and_when(tmp_path):
    path = tmp_path / "baseline.json"
    report = sample_report()
    first = update_baseline(replace(report, items=report.items[:3]), path, reason="已在决算说明中解释",
                            accepted_by="张三", accepted_at="2024-03-01")
    assert (first.added, first.kept, first.total) == (3, 0, 3)
    second = update_baseline(report, path, reason="新发现，复核后接受", accepted_by="李四", accepted_at="2024-05-20")
    assert (second.added, second.kept, second.total) == (len(report.items) - 3, 3, len(report.items))
    entries = {e["fingerprint"]: e for e in load_baseline(path)}
    for f in report.items[:3]:
        assert (entries[f.fingerprint]["reason"], entries[f.fingerprint]["accepted_by"],
                entries[f.fingerprint]["accepted_at"]) == ("已在决算说明中解释", "张三", "2024-03-01")
    for f in report.items[3:]:
        assert entries[f.fingerprint]["accepted_by"] == "李四" and entries[f.fingerprint]["accepted_at"] == "2024-05-20"


def test_new_entries_are_dated_today(tmp_path):
    import datetime

    path = tmp_path / "baseline.json"
    update_baseline(sample_report(), path)
    assert {e["accepted_at"] for e in load_baseline(path)} == {datetime.date.today().isoformat()}


def test_prune_drops_stale_entries_of_checked_files_only(tmp_path):
    path = tmp_path / "baseline.json"
    report = sample_report()
    update_baseline(report, path, reason="r")
    fixed = replace(report, items=[f for f in report.items if f.rule != "SCR001"])
    kept = update_baseline(fixed, path)
    assert kept.stale == 1 and kept.pruned == 0 and kept.total == len(report.items)
    pruned = update_baseline(fixed, path, prune=True)
    assert pruned.pruned == 1 and pruned.total == len(report.items) - 1
    assert "SCR001" not in {e["rule"] for e in load_baseline(path)}
    # entries of a file this run did not check are never pruned
    one_file = replace(fixed, items=[f for f in fixed.items if f.location.file == SELF_EVAL],
                       documents=[d for d in fixed.documents if d.file == SELF_EVAL])
    result = update_baseline(one_file, path, prune=True)
    assert result.pruned == 0 and result.total == len(report.items) - 1


def test_baseline_command_merges_and_prunes(tmp_path):
    from typer.testing import CliRunner

    from auditor.cli import app

    runner = CliRunner()
    doc = tmp_path / "bad.txt"
    from test_cli import CLEAN

    doc.write_text(CLEAN.replace("80.00%", "90.00%"), encoding="utf-8")
    path = tmp_path / "b.json"
    assert runner.invoke(app, ["baseline", str(doc), "-o", str(path), "--reason", "甲", "--accepted-by", "张三"]).exit_code == 0
    result = runner.invoke(app, ["baseline", str(doc), "-o", str(path), "--reason", "乙", "--accepted-by", "李四"])
    assert result.exit_code == 0 and "新增 0" in result.output
    assert {(e["reason"], e["accepted_by"]) for e in load_baseline(path)} == {("甲", "张三")}
    doc.write_text(CLEAN, encoding="utf-8")
    result = runner.invoke(app, ["baseline", str(doc), "-o", str(path)])
    assert "可用 --prune 删除" in result.output and load_baseline(path)
    result = runner.invoke(app, ["baseline", str(doc), "-o", str(path), "--prune"])
    assert result.exit_code == 0 and load_baseline(path) == []
