"""Self-evaluation tables -> canonical rows, on seed excerpts (row and cell layouts)."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditor.pipeline import extract

EXCERPTS = Path(__file__).parent / "fixtures" / "excerpts"


@pytest.fixture(scope="module")
def rows():
    return extract(EXCERPTS / "selfeval_rows.txt")


@pytest.fixture(scope="module")
def cells():
    return extract(EXCERPTS / "selfeval_cells.txt")


def test_row_layout_counts(rows):
    assert rows.counts()["tables"] == 4
    ind = rows["indicators"]
    assert ind.groupby("table_id").size().tolist() == [21, 7, 9, 2]
    assert rows["problems"].empty


def test_department_tasks_are_scored_money_lines(rows):
    tasks = rows["funds"][rows["funds"]["role"] == "task"]
    assert tasks["item"].tolist() == ["部门预算基本支出人员经费", "部门预算基本支出公用经费"]
    first = tasks.iloc[0]
    assert first["budget_raw"] == "803.613134" and first["rate"] == 79.7 and first["rate_tol"] == pytest.approx(0.05)
    assert first["weight"] == 20 and first["score"] == 15.94


def test_project_header_block_by_labels(rows):
    total = rows["funds"][rows["funds"]["role"] == "total"].iloc[0]
    assert (total["budget"], total["executed"], total["rate_raw"]) == (2.66, 1.69, "63.71%")
    score = rows["scores"].set_index("table_id").iloc[1]
    assert (score["subtotal"], score["exec_score"], score["deduction"], score["total"]) == (86, 6.37, 13.371, 79)


def test_indicator_rows_read_from_the_right(rows):
    ind = rows["indicators"]
    cost = ind[ind["name"] == "预算成本控制"].iloc[0]
    assert (cost["operator"], cost["target"], cost["unit"], cost["actual"]) == ("<=", 3.12, "万元", 1.6948)
    assert (cost["completion"], cost["weight"], cost["score"]) == (100, 12.5, 10.5)
    assert cost["level1"] == "产出指标" and cost["level2"] == "成本指标"
    qual = ind[ind["name"] == "依法行政能力"].iloc[0]
    assert qual["qualitative"] and qual["target_text"] == "管理规范" and qual["operator"] is pd_na()


def pd_na():
    import pandas as pd

    return pd.NA


def test_split_labels_carry_down(rows):
    ind = rows["indicators"]
    row = ind[ind["name"] == "预决算公开情况"].iloc[0]
    assert row["level1"] == "管理效率"          # "管理" / "效率" wrapped over two lines
    every = ind[ind["table_id"] == ind["table_id"].iloc[0]]
    assert every["level2"].notna().sum() >= 18


def test_cell_layout_department_table(cells):
    funds = cells["funds"]
    assert funds[funds["table_id"] == funds["table_id"].iloc[0]]["role"].tolist() == ["fiscal", "other", "basic", "project"]
    sec = cells["sections"]
    quality = sec[(sec["label"] == "质量指标") & (sec["parent"] == "产出指标")].iloc[0]
    assert quality["declared"] == 8
    score = cells["scores"].iloc[0]
    assert (score["weight_total"], score["total"]) == (100, 97.94)


def test_cell_layout_project_table_execution_line(cells):
    funds = cells["funds"]
    total = funds[funds["role"] == "total"].iloc[0]
    assert (total["budget"], total["executed"], total["rate_raw"]) == (613.075, 606.225, "101.13%")
    score = cells["scores"].iloc[1]
    assert (score["exec_weight"], score["exec_score"]) == (10, 10)
    ind = cells["indicators"]
    people = ind[ind["name"] == "符合政策规定的贫困对象数"].iloc[0]
    assert (people["target"], people["actual"], people["reason"]) == (24523, 24249, "需要资助人员减少")
