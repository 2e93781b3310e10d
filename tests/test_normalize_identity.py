"""Which unit a document is about (auditor.normalize.identity)."""
from __future__ import annotations

import pytest

from auditor.normalize.identity import document_unit


def test_the_tables_name_the_unit_first():
    tables = [{"unit": "中共江苏省委办公厅"}, {"unit": "中共江苏省委办公厅"}, {"unit": "省委办公厅"}, {"unit": None}]
    assert document_unit(["江苏省某某厅2019年度部门预算"], [], tables) == "中共江苏省委办公厅"


@pytest.mark.parametrize("title, unit", [
    ("第三部分江苏省人民检察院2017年度部门预算情况说明", "江苏省人民检察院"),
    ("2018 年度江苏省高级人民法院部门预算公开", "江苏省高级人民法院"),
    ("红河州数据发展中心2024年度项目支出绩效单位自评报告", "红河州数据发展中心"),
    ("浏阳市医疗保障局2020年部门整体支出绩效自评报告", "浏阳市医疗保障局"),
    ("第三部分 2018年度部门预算情况说明", None),
    ("部门预算项目支出绩效自评表(2023年度)", None),
])
def test_a_title_names_the_unit_before_the_kind_of_document(title, unit):
    assert document_unit([title], [], []) == unit


def test_a_wrapped_cover_is_read_as_one_line_and_stops_at_the_contents():
    cover = ["2018 年度江苏省高级", "人民法院预算公开", "目 录", "第一部分 部门概况"]
    assert document_unit(["第三部分 2018年度部门预算情况说明", None], cover, []) == "江苏省高级人民法院"
    assert document_unit([None], ["目录", "江苏省人民检察院部门预算"], []) is None
