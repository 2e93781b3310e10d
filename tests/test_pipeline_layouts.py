"""Whole-pipeline behaviour on small documents: transfer tables, page-break
continuations, rows split over two lines."""
from __future__ import annotations

from pathlib import Path

import auditor

DOCS = Path(__file__).parent / "fixtures" / "documents"


def test_transfer_table_continuation_and_split_row():
    report = auditor.check([DOCS / "transfer_and_continuation.txt"])
    c = report.canonical
    assert c["tables"]["kind"].tolist() == ["transfer_selfeval", "project_selfeval"]
    assert c["tables"]["name"].tolist() == ["城乡居民医疗保险补助", "示例培训项目"]
    ind = c["indicators"]
    doc = c["documents"]["doc_id"].iloc[0]       # ids come from the file (issue 18), not the order
    transfer = ind[ind["table_id"] == f"{doc}.T1"]
    assert transfer["name"].tolist() == ["参保人数", "参保率", "个人负担", "参保群众满意度"]
    assert transfer.iloc[1][["operator", "target", "actual"]].tolist() == [">=", 95, 96.2]
    project = ind[ind["table_id"] == f"{doc}.T2"]
    assert project["name"].tolist() == ["培训人次", "培训合格率", "政策知晓率", "满意度"]   # continued after the break
    assert project.iloc[1][["level2", "target", "actual", "weight"]].tolist() == ["质量指标", 90, 95, 10]  # split row
    assert c["problems"].empty
    rules = sorted((f.rule, f.location.line) for f in report.items if f.rule[:3] in ("EXR", "SCR", "FSR"))
    assert rules == [("EXR001", 9), ("EXR006", 7), ("FSR001", 32), ("FSR005", 32)]


def test_seed_like_excerpts_report_what_domain_md_describes():
    rows = auditor.check([DOCS.parent / "excerpts" / "selfeval_rows.txt"], select=["EXR", "SCR", "FSR"])
    got = {(f.rule, f.row_key) for f in rows.items}
    assert ("FSR003", "预算执行率") in got                 # 预算执行率 says 100 while the tasks show 80.95%
    assert ("SCR005", "权重合计") in got                   # only 40 points of indicators
    assert any(r == "FSR002" for r, _ in got)              # nothing spent, every indicator full
    assert not any(r in ("EXR001", "EXR002") for r, _ in got)   # 1.69 / 2.66 printed as 63.71% is fine
    cells = auditor.check([DOCS.parent / "excerpts" / "selfeval_cells.txt"], select=["EXR", "SCR", "FSR"])
    inverted = {f.row_key: (f.printed, f.expected) for f in cells.items if f.rule == "EXR002"}
    assert inverted["年度资金总额"] == ("101.13%", "98.88%")
    assert {f.rule for f in cells.items} >= {"EXR003", "EXR007", "SCR002", "SCR004", "SCR005"}
