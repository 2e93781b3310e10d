"""Performance target tables (表16 department, 表17 project) -> targets rows."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditor.ingest import read_document
from auditor.ingest.text import parse_text
from auditor.normalize import TableContext
from auditor.normalize.targets import normalize_targets
from auditor.recognize import classify

FIXTURE = Path(__file__).parent / "fixtures" / "target_tables.txt"


@pytest.fixture(scope="module")
def tables():
    doc = read_document(FIXTURE)
    out = []
    for k, t in enumerate(doc.tables, 1):
        kind = classify(t)
        out.append(normalize_targets(t, TableContext("D1", f"T{k}", str(FIXTURE), kind, t.title, t.headings, "2024")))
    return out


def row(rows, name):
    return next(r for r in rows if r["name"] == name)


def test_tables_and_counts(tables):
    meta = [t["tables"][0] for t in tables]
    assert [(m["kind"], m["name"]) for m in meta] == [
        ("department_targets", "抚顺市医疗保障事务服务中心"), ("project_targets", "离休干部医药费"),
        ("project_targets", "公务员医疗补助"), ("project_targets", "医保基金运行费"),
        ("project_targets", "下达省财政城乡居民基本医疗保险补助资金"),
        ("project_targets", "下达城乡居民基本医疗保险补助中央资金")]
    assert meta[1]["title"] == "部门预算项目（政策）绩效目标表" and meta[1]["unit"] == "抚顺市医疗保障事务服务中心"
    assert [len(t["targets"]) for t in tables] == [26, 3, 4, 8, 10, 10]


def test_department_tasks_carry_their_budgets(tables):
    rows = tables[0]["targets"]
    tasks = [(r["name"], r["budget"]) for r in rows if r["level1"] == "年度主要任务"]
    assert tasks == [("基本支出人员经费（保工资）", 954.24), ("基本支出人员经费（刚性）", 100.32),
                     ("基本支出公用经费（保运转）", 64.87), ("基本支出公用经费（刚性）", 80.21)]
    assert all(r["project"] == "抚顺市医疗保障事务服务中心" for r in rows)
    assert all(r.get("budget") is None for r in rows if r["level1"] != "年度主要任务")


def test_department_indicators_read_despite_shifted_cells(tables):
    rows = tables[0]["targets"]
    first = row(rows, "重点工作办结率")
    assert (first["level1"], first["level2"], first["operator"], first["target"], first["unit"], first["deadline"]) \
        == ("履职效能", "重点工作履行情况", "=", 100, "%", "2024-12")
    shifted_right = row(rows, "工作完成及时率")     # one empty cell too many before the name
    assert (shifted_right["level1"], shifted_right["level2"], shifted_right["target"]) == ("履职效能", "整体工作完成情况", 100)
    qualitative = row(rows, "预算收入管理规范性")   # value printed in the unit column
    assert (qualitative["level2"], qualitative["operator"], qualitative.get("target"), qualitative["target_text"],
            qualitative["unit"]) == ("预算收支管理", None, None, "管理规范", None)
    assert row(rows, "结转结余变动率")["level1"] == "预算执行" and row(rows, "结转结余变动率")["operator"] == "<="
    assert row(rows, "完善内控制度")["level1"] == "可持续性"
    assert [r["level1"] for r in rows if r["level1"] != "年度主要任务"].count("管理效率") == 6


def test_project_rows_carry_budget_and_labels(tables):
    rows = tables[2]["targets"]
    assert [(r["level1"], r["level2"], r["operator"], r["target"]) for r in rows] == [
        ("产出指标", "数量指标", ">=", 98), ("效益指标", "经济效益指标", ">=", 98), ("效益指标", "社会效益指标", ">=", 98),
        ("满意度指标", "服务对象满意度指", "=", 100)]
    assert {r["budget"] for r in rows} == {3372.44} and rows[0]["budget_raw"] == "3,372.44"
    assert rows[0]["budget_loc"] == "61:2" and rows[0]["target_loc"] == "64:6"
    units = [(r["name"], r["target"], r["unit"]) for r in tables[3]["targets"][:2]]
    assert units == [("宣传月活动", 1, "次"), ("宣传手册、宣传单", 0.5, "万册")]


def test_text_targets_and_rows_shifted_left(tables):
    rows = tables[4]["targets"]
    people = row(rows, "参保人数（人）")
    assert (people.get("target"), people["target_text"], people["unit"], people["operator"]) == (None, "23年目标参保人", "%", ">=")
    last = rows[-1]                                   # printed from the first column, after the 满意度 row
    assert (last["name"], last["target_text"], last["deadline"], last["level1"]) == ("减轻参保人员负担", "成效明显", "2024-12",
                                                                                  "满意度指标")
    rows = tables[5]["targets"]
    assert [(r["name"], r["level1"], r["level2"]) for r in rows[-2:]] == [
        ("减轻参保人员负担", "效益指标", "社会效益指标"), ("参保对象满意度", "满意度指标", "服务对象满意度指")]
    assert rows[-1]["target"] == 90 and rows[-1]["unit"] == "%"


def test_label_only_rows_and_split_rows():
    text = ("# 部门预算项目（政策）绩效目标表\n\n表17\n\n项目(政策)名称\t示例项目\t\t\t\t\t\t\n预算资金情况\t12.50\t\t\t\t\t\t\n"
            "绩效指标\t一级指标\t二级指标\t三级指标\t运算符号\t指标值\t度量单位\t完成时限\n"
            "\t产出指标\t数量指标\t培训人次\t>=\t200\t人次\t2024-12\n"
            "\t\t成本指标\t\t\t\t\t\n"
            "\t\t\t培训成本控制在预算\t\t\t\t\n"
            "\t\t\t\t<=\t12.5\t万元\t2024-12\n"
            "\t效益指标\t社会效益指标\t政策知晓率\t不低于\t90%\t\t2024年底\n")
    doc = parse_text("x.txt", text)
    out = normalize_targets(doc.tables[0], TableContext("D", "T", "x.txt", "project_targets", doc.tables[0].title,
                                                        doc.tables[0].headings, None))
    rows = out["targets"]
    assert [(r["level1"], r["level2"], r["name"], r["operator"], r.get("target"), r["unit"], r["deadline"])
            for r in rows] == [
        ("产出指标", "数量指标", "培训人次", ">=", 200, "人次", "2024-12"),
        ("产出指标", "成本指标", "培训成本控制在预算", "<=", 12.5, "万元", "2024-12"),
        ("效益指标", "社会效益指标", "政策知晓率", ">=", 90, "%", "2024年底")]
    assert {r["budget"] for r in rows} == {12.5}
