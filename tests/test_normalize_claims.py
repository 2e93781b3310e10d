"""Narrative text -> claims rows, and the NAR rules over them."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from auditor.engine.catalog import load_catalog
from auditor.engine.run import run_rules
from auditor.ingest import Paragraph, read_document
from auditor.ingest.text import parse_text
from auditor.model.tables import Canonical
from auditor.normalize import DocContext
from auditor.normalize.claims import claims_from_text, normalize_claims

REPORT = Path(__file__).parent / "fixtures" / "overall_selfeval_report.txt"


def claims_of(text: str) -> list[dict]:
    return claims_from_text(text, lambda offset: f"1:{offset + 1}")


def nar_findings(text: str) -> list:
    doc = parse_text("report.txt", text)
    rows = normalize_claims(doc.paragraphs, DocContext("D1", "report.txt", doc.title))
    rows["documents"] = [{"doc_id": "D1", "file": "report.txt"}]
    return run_rules(Canonical.from_rows(rows), [r for r in load_catalog() if r.family == "NAR"])


@pytest.fixture(scope="module")
def claims():
    doc = read_document(REPORT)
    return normalize_claims(doc.paragraphs, DocContext("D1", str(REPORT), doc.title))["claims"]


def test_claims_by_kind(claims):
    assert Counter(c["kind"] for c in claims) == {"total_parts": 22, "share": 6, "year": 3, "docno": 2, "change": 1,
                                                  "score": 1, "amount": 38}
    assert len({c["claim_id"] for c in claims}) == len(claims)
    assert all(c["doc_id"] == "D1" and c["sentence"] and c["text"] for c in claims)


def test_total_and_parts_share_the_printed_total(claims):
    groups: dict = {}
    for c in claims:
        if c["kind"] == "total_parts":
            groups.setdefault((c["base_loc"], c["subject"]), []).append(c)
    sums = {k: (round(sum(c["value"] for c in v), 2), v[0]["base"]) for k, v in groups.items()}
    assert sums == {("11:26", "支出"): (8254.56, 8254.56), ("19:57", "支出总额"): (608.81, 608.81),
                    ("23:44", "“三公”经费共支出"): (0.15, 0.15), ("28:21", "项目资金收入总额"): (7645.75, 7645.75),
                    ("28:67", "项目资金支出总额"): (7645.75, 7645.75), ("32:28", "支出"): (7078.75, 7078.75),
                    ("54:25", "总资产净值共计"): (29.79, 29.79), ("59:16", "支出资金总额"): (7687.56, 8254.56)}
    zero = next(c for c in claims if c["text"] == "公务用车购置和维护费用0元")
    assert (zero["value"], zero["value_raw"], zero["value_tol"]) == (0, "0元", 0)


def test_shares_with_part_and_whole(claims):
    shares = [(c["subject"], c["value"], c.get("other"), c.get("base")) for c in claims if c["kind"] == "share"]
    assert shares == [("基本支出", 7.38, 608.81, 8254.56), ("项目支出", 92.62, 7645.75, 8254.56),
                      ("人员经费支出", 94.9, 577.77, 608.81), ("日常公用经费支出", 5.1, 31.04, 608.81),
                      ("基本支出", 7.38, 608.81, 8254.56), ("共支出项目资金", 92.62, 7645.75, None)]
    first = next(c for c in claims if c["kind"] == "share")
    assert (first["value_raw"], first["value_tol"], first["value_loc"]) == ("7.38%", pytest.approx(0.005), "11:56")


def test_change_derives_previous_year_from_current_total(claims):
    change = next(c for c in claims if c["kind"] == "change")
    assert (change["subject"], change["value"], change["value_raw"], change["other"], change["other_raw"]) == (
        "经费支出", -73.01, "73.01%", -0.42, "0.42万元")
    assert (change["base"], change["base_raw"], change["base_tol"]) == (0.57, "0.15+0.42", pytest.approx(0.01))
    assert change["line"] == 23 and change["value_loc"] == "23:132"


def test_score_year_and_document_numbers(claims):
    score = next(c for c in claims if c["kind"] == "score")
    assert (score["subject"], score["value"], score["value_loc"]) == ("总分", 97.94, "81:114")
    assert [(c["subject"], c["value"]) for c in claims if c["kind"] == "year"] == [
        ("title", 2020), ("evaluated", 2020), ("evaluated", 2020)]
    docnos = [(c["text"], c["value"]) for c in claims if c["kind"] == "docno"]
    assert docnos == [("中发〔2018〕34号", 2018), ("湘办发〔2019〕10号", 2019)]
    assert next(c for c in claims if c["kind"] == "docno")["subject"] == "中共中央国务院关于全面实施预算绩效管理的意见"


@pytest.mark.parametrize("text,expected", [
    ("与上年相比，减少12.5万元，下降10.2%。", (-10.2, -12.5, None)),
    ("上年支出100万元，本年支出80万元，较上年减少20万元，下降20%。", (-20, -20, 100)),
    ("本年支出合计500万元，比上年增加50万元，增长11.11%。", (11.11, 50, 450)),
    ("三公经费支出由0.57万元下降到0.15万元，较上年下降73.01%。", (-73.01, -0.42, 0.57)),
    ("收入总额100万元，其中人员经费60万元，公用经费40万元；与上年相比，人员经费减少10万元，下降14.29%。", (-14.29, -10, 70)),
])
def test_change_statements(text, expected):
    (change,) = [c for c in claims_of(text) if c["kind"] == "change"]
    assert (change.get("value"), change.get("other"), change.get("base")) == expected


def test_blank_numbers_are_claims_without_values():
    found = claims_of("人员经费占 %，较上年减少 万元，得分为 分。")
    assert [(c["kind"], c["text"], c.get("value")) for c in found] == [
        ("share_blank", "占 %", None), ("change_blank", "减少 万元", None), ("score_blank", "得分为 分", None)]
    assert all(c["value_loc"] for c in found)
    assert claims_of("金额单位为万元，占比%见附表。") == []


def test_part_scores_and_money_units():
    found = [c for c in claims_of("项目产出得分48分，项目效益得分为38.5分。收入1.2亿元，其中财政拨款8000万元，其他收入4000万元。")
             if c["kind"] != "amount"]
    assert [(c["kind"], c["subject"], c.get("value")) for c in found] == [
        ("score", "项目产出", 48), ("score", "项目效益", 38.5), ("total_parts", "收入", 8000), ("total_parts", "收入", 4000)]
    assert found[2]["base"] == 12000 and found[2]["base_raw"] == "1.2亿元"


def test_bracketed_breakdowns_and_notice_numbers_in_cells():
    text = ("二、新宾分中心物业及运行费2万元（物业费1万元，电费0.5万元，水费及其他0.5万元）；三、人员食堂管理费174人*22天*8元*12月=36.75万元。"
            "《关于提前下达2024年省财政补助资金的通知》（辽财指社[2022]705号），关于下达2024年中央资金的通知（辽财指社〔2023〕748号）")
    found = claims_of(text)
    assert [(c["kind"], c.get("value"), c.get("base")) for c in found if c["kind"] == "total_parts"] == [
        ("total_parts", 1, 2), ("total_parts", 0.5, 2), ("total_parts", 0.5, 2)]
    assert [(c["kind"], c["subject"], c["value"]) for c in found if c["kind"] in ("docno", "year")] == [
        ("year", "关于提前下达2024年省财政补助资金的通知", 2024), ("docno", "关于提前下达2024年省财政补助资金的通知", 2022),
        ("docno", "关于下达2024年中央资金的通知", 2023)]


def test_paragraph_claims_get_line_and_ids():
    rows = [c for c in normalize_claims([Paragraph("支出100万元，其中基本支出60万元，项目支出40万元。", 7)],
                                        DocContext("D9", "x.txt", "2021年度部门决算情况说明"))["claims"]
            if c["kind"] != "amount"]
    assert [(c["claim_id"], c["line"], c["kind"]) for c in rows] == [
        ("H.1", None, "year"), ("L7.2", 7, "total_parts"), ("L7.4", 7, "total_parts")]
    assert rows[0]["value"] == 2021 and rows[1]["base_loc"] == "7:3" and rows[1]["value_loc"] == "7:15"


def test_report_change_percent_is_flagged():
    found = nar_findings(REPORT.read_text(encoding="utf-8"))
    assert [(f.rule, f.location.line, f.printed, f.expected) for f in found] == [("NAR004", 23, "73.01%", "73.68%")]
    assert "0.57（0.15+0.42）" in found[0].message and "71.55%–75.89%" in found[0].message


@pytest.mark.parametrize("old,new,rules", [
    # 7.83% + 92.62% of one whole is also more than 100% (NAR013, folded under NAR001)
    ("占总支出的7.38%", "占总支出的7.83%", ["NAR001", "NAR013"]),
    ("其他收入567万元", "其他收入467万元", ["NAR006"]),
    ("卫生健康类支出4965.98万元", "卫生健康类支出5965.98万元", ["NAR005"]),
    ("占基本支出总额的5.1%", "占基本支出总额的 %", ["NAR007"]),
])
def test_seeded_narrative_defects_are_found(old, new, rules):
    text = REPORT.read_text(encoding="utf-8")
    assert old in text
    found = [f.rule for f in nar_findings(text.replace(old, new, 1))]
    assert sorted(found) == sorted(["NAR004", *rules])


def test_stated_amounts_carry_the_quantity_they_name():
    found = [c for c in claims_of("此外，基本支出预算数为 12323.46 万元。省检察院 2017 年度财政拨款基本支出预算 12308.48万元，"
                                  "与上年相比增加 1483.8 万元。上年支出 100 万元。")
             if c["kind"] == "amount"]
    assert [(c["subject_key"], c["value"]) for c in found] == [("基本支出", 12323.46), ("2017|财政拨款基本支出", 12308.48)]


def test_same_quantity_printed_twice_differently_is_flagged():
    text = ("一、收支预算总表情况说明\n此外，基本支出预算数为 12323.46 万元。与上年相比增加 1483.8 万元。\n"
            "三、支出预算情况说明\n本年支出预算合计 17996.68 万元，其中：基本支出 12323.48 万元，占 68.48 %；"
            "项目支出 5533 万元，占 30.74 %；单位预留机动经费 140.2 万元，占 0.78 %。\n")
    found = [f for f in nar_findings(text) if f.rule == "NAR012"]
    assert [(f.printed, f.expected) for f in found] == [("12323.48 万元", "12323.46 万元")]
    assert not [f for f in nar_findings(text.replace("12323.46", "12323.48")) if f.rule == "NAR012"]


def test_derived_change_is_keyed_by_the_quantity_of_its_current_amount():
    """A derived previous-year amount carries the key of the current amount it came
    from, so last year's document can be asked for the same quantity (XTB006)."""
    rows = claims_of("2018年财政拨款支出预算21,940.96万元，比上年增加3,958.98万元，增长22%。")
    change = next(c for c in rows if c["kind"] == "change")
    amount = next(c for c in rows if c["kind"] == "amount")
    assert change["base_how"] == "derived" and change["base_raw"] == "21,940.96-3,958.98"
    assert change["subject_key"] == amount["subject_key"] == "2018|财政拨款支出"


@pytest.mark.parametrize("text, amount", [
    ("（2）政府性基金收入预算0万元，与上年相比增加（减少）0万元，增长（减少）0%。主要原因是本部门无此项收入。", "0万元"),
    ("2．财政专户管理资金收入预算总计 50 万元，与上年数一致，本部门无此项收入。", "50 万元"),
    ("收入预算总计500万元，其中：财政拨款500万元，其他资金收入0万元，本部门无此项收入。", "0万元"),
    ("政府性基金支出预算0万元，比上年减少50万元，主要原因是本年无此项支出。", "0万元"),
])
def test_an_absent_item_is_tied_to_its_own_amount_never_to_a_change(text, amount):
    absent = [c for c in claims_of(text) if c["kind"] == "absent"]
    assert [c["value_raw"] for c in absent] == [amount]


def test_absent_item_with_an_amount_is_reported():
    found = nar_findings("财政专户管理资金收入预算总计50万元，与上年数一致，本部门无此项收入。\n")
    assert [f.rule for f in found if f.rule == "NAR020"] == ["NAR020"]
    assert not [f for f in nar_findings("其他资金收入预算0万元，本部门无此项收入。\n") if f.rule == "NAR020"]


@pytest.mark.parametrize("text, subjects", [
    ("本部门无政府性基金预算。", ["政府性基金预算"]),
    ("省检察院 2017 年政府性基金支出预算支出 0 万元，本部门无政府性基金预算。", ["政府性基金预算"]),
    ("2018 年本部门无国有资本经营预算收入。", ["国有资本经营预算收入"]),
    ("本单位无政府性基金预算财政拨款收入，也无使用政府性基金预算财政拨款安排的支出。", ["政府性基金预算收入", "政府性基金预算支出"]),
    ("本部门2019年度没有国有资本经营预算收入和支出。", ["国有资本经营预算收支"]),
    # not the unit's own statement about the kind: a condition, a change, another subject
    ("如无政府性基金预算支出，此表为空。", []),
    ("本部门无政府性基金预算收支增减变化。", []),
    ("XX中心无政府性基金预算支出。", []),
])
def test_a_kind_of_budget_the_unit_has_none_of(text, subjects):
    absent = [c for c in claims_of(text) if c["kind"] == "absent" and c.get("value") is None]
    assert [c["subject"] for c in absent] == subjects


@pytest.mark.parametrize("text, parts", [
    ("经评价，该项目综合得分95分，其中项目决策18分、项目过程19分、项目产出38分、项目效益20分，评价等级为优。",
     [("决策", 18.0), ("过程", 19.0), ("产出", 38.0), ("效益", 20.0)]),
    ("项目决策指标（满分20分）得分18分，项目过程指标得分19分，项目产出指标得分38分，项目效益指标得分25分，总得分100分。",
     [("决策", 18.0), ("过程", 19.0), ("产出", 38.0), ("效益", 25.0)]),
    ("自评得分98.61分。其中预算执行率得分8.61分，产出指标得分50分，效益指标得分40分。",
     [("预算执行", 8.61), ("产出", 50.0), ("效益", 40.0)]),
    ("总得分90分，其中扣分2分，决策18分，过程20分。", []),          # deductions: parts need not add up
    ("产出指标分值50分，效益指标分值40分，总分90分。", []),           # weights, not scores
    ("产出数量得分20分，产出质量得分20分，总得分90分。", []),         # second-level indicators
])
def test_section_scores_hang_from_the_total_score(text, parts):
    rows = [c for c in claims_of(text) if c["kind"] == "score_part"]
    assert [(c["subject"], c["value"]) for c in rows] == parts
    assert len({c["base_loc"] for c in rows}) <= 1


def test_section_scores_that_miss_the_total_are_reported():
    bad = "经评价，该项目综合得分95分，其中项目决策18分、项目过程19分、项目产出38分、项目效益25分。\n"
    good = "经评价，该项目综合得分95分，其中项目决策18分、项目过程19分、项目产出38分、项目效益20分。\n"
    assert [f.rule for f in nar_findings(bad) if f.rule == "NAR021"] == ["NAR021"]
    assert not [f for f in nar_findings(good) if f.rule == "NAR021"]


def test_an_unchanged_amount_is_also_last_years():
    rows = claims_of("（2）公务用车运行维护费预算支出 266.8 万元，与上年一致；公务用车购置费 0 万元，与上年数一致。")
    flat = [(c["value_raw"], c["base"], c["base_how"], c["subject_key"]) for c in rows if c["kind"] == "flat"]
    assert flat == [("266.8 万元", 266.8, "derived", "公务用车运行维护费支出"), ("0 万元", 0.0, "derived", "公务用车购置费")]


@pytest.mark.parametrize("text, found", [
    ("本项目共设置绩效指标15个，已完成14个，完成率93.33%。", [(93.33, 14.0, 15.0)]),
    ("共设置三级指标12项，全部完成12项，完成率100%。", [(100.0, 12.0, 12.0)]),
    ("项目共15个，完成14项，完成率93%。", []),                   # 个 and 项: not one measure
    ("实施项目共15个，年初批复预算8个项目，年中增加8个项目。", []),  # no rate
])
def test_a_rate_is_tied_to_its_counts_only_when_the_sentence_has_one_of_each(text, found):
    rows = [c for c in claims_of(text) if c["kind"] == "count_rate"]
    assert [(c["value"], c["other"], c["base"]) for c in rows] == found


def test_a_rate_that_is_not_its_counts_is_reported():
    assert [f.rule for f in nar_findings("本项目共设置绩效指标15个，已完成14个，完成率100%。\n") if f.rule == "NAR022"] == ["NAR022"]
    assert not [f for f in nar_findings("本项目共设置绩效指标15个，已完成14个，完成率93.33%。\n") if f.rule == "NAR022"]


TEMPLATE = Path(__file__).parent / "fixtures" / "final_accounts_template.txt"


def _template_findings(text: str) -> list:
    return [(f.rule, f.printed) for f in nar_findings(text)]


def test_the_national_final_accounts_template_filled_in_consistently_gives_nothing():
    """The sentences of the national 部门决算 template, every figure consistent: no finding
    (before, 授予小微企业合同金额 — a part of 授予中小企业合同金额 introduced by 其中 — was
    added to it as a sibling share of 政府采购支出总额: 70.45% + 44.03% > 100%)."""
    assert _template_findings(TEMPLATE.read_text(encoding="utf-8")) == []


def test_a_share_of_a_whole_stated_in_an_earlier_section_is_checked():
    text = TEMPLATE.read_text(encoding="utf-8").replace("占本年支出合计的94.90%", "占本年支出合计的95.90%")
    assert _template_findings(text) == [("NAR001", "95.90%")]


def test_an_earlier_whole_is_taken_only_when_every_earlier_statement_agrees():
    text = ("2023年度本年支出合计3456.78万元。\n\n2023年度本年支出合计3450.00万元。\n\n"
            "2023年度一般公共预算财政拨款支出3280.50万元，占本年支出合计的95.90%。\n")
    doc = parse_text("report.txt", text)
    rows = normalize_claims(doc.paragraphs, DocContext("D1", "report.txt", doc.title))["claims"]
    share = next(r for r in rows if r["kind"] == "share")
    assert share.get("base") is None and "_whole_key" not in share


def test_shares_bound_to_one_earlier_whole_are_not_siblings():
    text = ("2017年度本年支出合计9,146.79万元。\n\n2017年度财政拨款预算支出9,066.79万元，占本年支出合计的99.13%。\n\n"
            "2017年度一般公共预算财政拨款支出9,066.79万元，占本年支出合计的99.13%。\n")
    assert _template_findings(text) == []


@pytest.mark.parametrize("old, new, expected", [
    # the direction words against the rate they follow (NAR024)
    ("年初预算为3100.00万元，支出决算为3280.50万元，完成年初预算的105.82%",
     "年初预算为3400.00万元，支出决算为3280.50万元，完成年初预算的96.49%", [("NAR024", "96.49%，决算数大于年初预算数")]),
    # a list whose items each say what they include (主要包括：…；) still lists the parts (NAR005)
    ("人员经费2001.23万元", "人员经费2101.23万元", [("NAR005", "2345.67万元")]),
    ("社会保障和就业支出1000.00万元，占30.48%", "社会保障和就业支出1000.00万元，占31.48%", [("NAR013", "69.52% + 31.48%")]),
])
def test_planted_errors_in_the_national_final_accounts_template_are_found(old, new, expected):
    text = TEMPLATE.read_text(encoding="utf-8")
    assert old in text
    assert _template_findings(text.replace(old, new, 1)) == expected


@pytest.mark.parametrize("text, words", [
    ("支出决算为45.60万元，完成预算的91.20%，决算数小于预算数的主要原因是厉行节约。", "决算数小于预算数"),
    ("支出决算为3280.50万元，完成年初预算的96.49%。决算数大于年初预算数的主要原因是追加。", "决算数大于年初预算数"),
    # another line's words in the next sentence, and a difference with its amount (NAR010's), are not taken
    ("支出决算为3280.50万元，完成年初预算的96.49%。教育支出50万元，决算数大于预算数的主要原因是追加。", None),
    ("支出1741.75万元，完成年初预算的103%，决算数大于年初预算数55.93万元。", None),
])
def test_budget_direction_words_are_read_after_their_rate(text, words):
    found = [r["text"] for r in claims_of(text) if r["kind"] == "budget_direction"]
    assert found == ([words] if words else [])
