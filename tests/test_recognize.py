"""RawTable -> kind, from the vocabulary."""
from __future__ import annotations

from auditor.ingest.raw import Cell, RawTable
from auditor.recognize import classify, fold


def table(title, *rows, headings=None):
    return RawTable(title=title, rows=[[Cell(t) for t in r] for r in rows], headings=headings or ([title] if title else []))


def test_titles_decide_the_kind():
    assert classify(table("预算项目(政策)绩效目标自评表", ["项目(政策)名称", "甲"])) == "project_selfeval"
    assert classify(table("部门（单位）整体绩效自评表", ["部门（单位）名称", "甲"])) == "department_selfeval"
    assert classify(table("表3", ["科目编码", "科目名称", "合计"], headings=["支出预算总表", "表3"])) == "ledger"


def test_labels_decide_when_the_title_is_unknown():
    t = table("附表", ["项目支出名称", "甲项目"], ["项目资金", "全年执行数", "执行率", "得分"])
    assert classify(t) == "project_selfeval"


def test_unknown_tables_are_none():
    assert classify(table("人员名单", ["序号", "姓名", "备注"])) is None


def test_fold_normalizes_width_and_spaces():
    assert fold("预算 执行 率（％）") == "预算执行率(%)"
