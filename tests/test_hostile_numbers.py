"""Issue 18, money never silently dropped: budgets printed (100.00), with U+2212, with a
zero-width space or an RLM inside their digits are read; a cell printed as a number that no
float holds (1e309) is an INP004 finding, never a silent drop."""
from __future__ import annotations

from hostile_util import check_json, write_doc

TABLE = ("# 预算项目(政策)绩效目标自评表\n\n项目(政策)名称\t\t测试项目\n"
         "项目预算金额(万元)\t\t{budget}\t\t全年执行数\t\t{executed}\t\t执行率\t\t90.00%\n"
         "绩效指标\t一级指标\t二级指标\t三级指标\t年度目标值\t\t\t全年完成值\t完成程度\t分值\t得分\n"
         "\t\t\t\t运算符号\t内容\t度量单位\n"
         "\t产出指标\t数量指标\t培训人次\t>=\t100\t人次\t100\t100%\t50\t50\n"
         "指标自评得分小计\t\t50\t\t预算执行率得分\t\t9\t\t减分项\t\t0\t\t绩效自评总得分\t\t59\n")


def _rules(report):
    return sorted(f["rule"] for f in report["findings"])


def test_amounts_with_invisible_marks_reach_the_rate_check(tmp_path):
    # 50 / 100 printed as 90 %: EXR001 runs only if both amounts were read
    for budget, executed in (("100.00", "50.00"), ("1\u200b00.00", "5\u200f0.00"), ("\u200e100.00", "50\ufeff.00")):
        doc = write_doc(tmp_path, "doc.txt", TABLE.format(budget=budget, executed=executed))
        _, report = check_json(doc)
        assert "EXR001" in _rules(report), (budget, executed, _rules(report))


def test_accounting_negatives_are_read_not_dropped(tmp_path):
    # a negative amount is read (and reported as a negative budget), not taken for text
    for executed in ("(50.00)", "\u221250.00", "（50.00）"):
        doc = write_doc(tmp_path, "doc.txt", TABLE.format(budget="100.00", executed=executed))
        _, report = check_json(doc)
        inp = [f for f in report["findings"] if f["rule"] in ("INP005", "EXR001")]
        assert inp, (executed, _rules(report))


def test_a_number_no_float_holds_is_an_inp_finding(tmp_path):
    for budget in ("1e309", "9" * 400):
        doc = write_doc(tmp_path, "doc.txt", TABLE.format(budget=budget, executed="50.00"))
        code, report = check_json(doc)
        inp = [f for f in report["findings"] if f["rule"] == "INP004"]
        assert inp and "超出可表示的范围" in inp[0]["message"], _rules(report)
        assert inp[0]["location"]["line"] == 4
