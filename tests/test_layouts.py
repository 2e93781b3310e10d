"""Text layouts outside the seeds -> the canonical rows, cell by cell.

Fixtures in tests/fixtures/layouts are excerpts of published documents (web pages,
pdftotext renditions of budget disclosures), one per layout the text reader knows."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auditor.ingest import read_document
from auditor.pipeline import extract

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def records(df: pd.DataFrame, cols: list[str]) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in df[cols].itertuples(index=False)]


def problems(c) -> list[str]:
    return sorted(c["problems"]["kind"].dropna().tolist())


def test_pipe_rows_read_like_tab_rows_and_a_cut_off_last_row_is_reported():
    c = extract(LAYOUTS / "pipes_sichuan.txt")
    funds = c["funds"]
    assert records(funds, ["item", "role", "initial_budget_raw", "budget_raw", "executed_raw", "rate_raw", "weight_raw",
                           "score_raw"]) == [
        ("总额", "total", "0.00", "3.36", "3.36", "100.00%", "10", "10"),
        ("其中:财政资金", "fiscal", "0.00", "3.36", "3.36", "100.00%", None, None),
        ("财政专户管理资金", "line", "0.00", "0.00", "0.00", "0.00%", None, None),
        ("单位资金", "line", "0.00", "0.00", "0.00", "0.00%", None, None)]
    # the rows before the title continue a table of the page before: an indicator grid
    assert records(c["indicators"], ["level1", "level2", "name", "operator", "target_raw", "unit", "actual_text",
                                     "weight_raw", "score_raw"]) == [
        ("产出指标", "经济成本指标", "成本控制数", "<=", "30", "万元", "完成", "90", "90")]
    assert c["scores"]["weight_total"].tolist() == [100]      # 合计 | 100
    assert problems(c) == ["truncated"]                       # the excerpt stops inside the last row
    assert c["problems"]["line"].tolist() == [21]


def test_cells_ending_in_a_pipe_are_cut_into_rows_by_their_header():
    c = extract(LAYOUTS / "bar_cells_sichuan.txt")
    t = c["tables"].iloc[0]
    assert (t["kind"], t["name"], t["unit"], t["year"]) == ("project_selfeval", "51000021R000000019951-工资性支出",
                                                          "青神县发展和改革局", "2023")
    assert records(c["funds"], ["item", "initial_budget_raw", "budget_raw", "executed_raw", "rate_raw", "weight_raw",
                                "budget_loc"]) == [
        ("总额", "238.93", "251.89", "251.89", "100.00%", "10", "33:3"),
        ("其中:财政资金", "238.93", "251.89", "251.89", "100.00%", None, "41:3"),
        ("财政专户管理资金", "0.00", "0.00", "0.00", "0.00%", None, "48:3"),
        ("单位资金", "0.00", "0.00", "0.00", "0.00%", None, "55:3")]
    # 完成值 and 得分 are blank in this table: the weights are read where the header puts them
    assert records(c["indicators"], ["level1", "level2", "name", "operator", "target_raw", "unit", "weight_raw",
                                     "score_raw", "line"]) == [
        ("产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", "%", "60", None, 80),
        ("效益指标", "社会效益指标", "足额保障率(参保率)", "=", "100", "%", "30", None, 90)]
    s = c["scores"].iloc[0]
    assert (s["exec_weight"], s["weight_total"], s["weight_total_loc"]) == (10, 100, "99:8")   # 合计 | 100
    assert problems(c) == []


def test_one_cell_per_paragraph_with_wrapped_header_cells():
    c = extract(LAYOUTS / "paragraph_cells_hebei.txt")
    assert records(c["funds"], ["item", "role", "initial_budget_raw", "budget_raw", "executed_raw", "weight_raw",
                                "rate_raw", "score_raw", "line"]) == [
        ("年度资金总额", "total", "43.2", "43.2", "37.24", "10", "86%", "9", 44),
        ("其中:当年财政拨款", "fiscal", "43.2", "43.2", "37.24", None, None, None, 58)]
    ind = c["indicators"]
    assert records(ind, ["level1", "level2", "name", "target_raw", "actual_raw", "weight_raw", "score_raw"]) == [
        ("产出指标", "数量指标", "工程资金金额", "43.2", "37.24", "10", "9"),      # 指标1 is the template's numbering
        ("产出指标", "质量指标", "工程完工率", "100", "100", "10", "10"),
        ("产出指标", "质量指标", "工程验收合格率", "100", "100", "10", "10")]
    assert ind.iloc[0]["reason"].startswith("已完工")
    s = c["scores"].iloc[0]
    assert (s["exec_weight"], s["exec_score"]) == (10, 9)


def test_rows_separated_by_runs_of_blank_lines_and_a_table_cut_off():
    c = extract(LAYOUTS / "paragraph_rows_yunnan_cut.txt")
    assert records(c["funds"], ["item", "role", "budget_raw", "executed_raw", "rate_raw", "score_raw"]) == [
        ("年度财政资金总额", "total", "50", "10", "20", "4")]
    assert records(c["indicators"], ["level1", "level2", "name", "target_raw", "actual_raw", "weight_raw",
                                     "score_raw"]) == [
        ("产出指标", "数量指标", "公猪舍(≥**平方米)", "22.8", "22.8", None, "1"),
        ("产出指标", "数量指标", "母猪、保育猪舍(≥**平方米)", "180", "180", None, "3"),
        ("产出指标", "数量指标", "育肥猪舍(≥**平方米)", "180", "180", None, "3")]
    assert records(c["sections"], ["level", "label", "declared"]) == [("level1", "产出指标", 40)]
    # the text stops inside 周转猪舍: no scores row (sums cannot be checked), one problem saying so
    assert c["scores"].empty
    assert problems(c) == ["truncated"]


def test_bare_pipe_lines_separate_cells():
    doc = read_document(LAYOUTS / "bar_separators_sangong.txt")
    table = doc.tables[0]
    assert table.layout == "stream" and table.title == "一、2020年一般公共预算“三公”经费支出预算表"
    cells = [c.text for c in table.rows[0]]
    assert cells == ["项目", "预算数", "合计", "0.36", "因公出国(境)费", "", "公务接待费", "0.36", "公务用车购置及运行费",
                     "", "其中:公务用车运行费", "", "公务用车购置费", ""]
    from auditor.recognize.stream import rebuild

    rows = [[c.text for c in r] for r in rebuild(table).rows]
    assert rows == [["项目", "预算数"], ["合计", "0.36"], ["因公出国(境)费", ""], ["公务接待费", "0.36"],
                    ["公务用车购置及运行费", ""], ["其中:公务用车运行费", ""], ["公务用车购置费", ""]]
    assert table.preamble == ["单位:万元"]


def test_space_aligned_columns_give_ledger_rows():
    c = extract(LAYOUTS / "aligned_budget_tables.layout.txt")
    assert c["tables"]["title"].tolist() == ["收支预算总表", "支出预算总表", "财政拨款收支预算总表", "财政拨款支出预算表（功能科目）"]
    led = c["ledger"]
    funcs = led[led["table_id"] == c["tables"]["table_id"].iloc[3]]
    assert records(funcs, ["code", "level", "name", "amount_raw"])[:6] == [
        (None, 0, "合计", "27,664.22"), ("201", 1, "一般公共服务支出", "22,395.50"),
        ("20131", 2, "党委办公厅（室）及相关机构事务", "22,395.50"), ("2013101", 3, "行政运行", "9,370.12"),
        ("2013102", 3, "一般行政管理事务", "13,025.38"), ("208", 1, "社会保障和就业支出", "1,374.63")]
    uses = led[led["table_id"] == c["tables"]["table_id"].iloc[1]]
    assert records(uses, ["name", "amount_raw"]) == [("合计", "27,664.22"), ("基本支出", "11,700.63"),
                                                   ("项目支出", "13,025.38"), ("单位预留机动经费", "2,938.21"),
                                                   ("结转下年资金", None)]


def test_aligned_table_across_a_page_break_drops_the_page_number():
    doc = read_document(LAYOUTS / "aligned_page_break.layout.txt")
    table = doc.tables[0]
    texts = [[c.text for c in r] for r in table.rows]
    assert texts[0] == ["科目编码", "科目名称", "金额"] and texts[1] == ["", "合计", "12,308.48"]
    assert ["30104", "其他社会保障缴费", "75.64"] in texts      # first row of the next page, columns placed anew
    assert not any(r[0] == "12" or "12" in r for r in texts)   # the page number between them
    assert table.preamble == ["部门： 江苏省人民检察院 单位：万元"]


def test_cells_in_a_pdf_reading_order_are_reported_not_guessed():
    c = extract(LAYOUTS / "reading_order_cells.txt")
    assert c["ledger"].empty and c["funds"].empty
    kinds = problems(c)
    assert "unread_layout" in kinds and "mostly_unread" in kinds
    cov = c["coverage"].iloc[0]
    assert cov["figures"] >= 10 and cov["figures_read"] == 0


def test_a_run_on_fragment_without_its_header_is_not_read():
    c = extract(LAYOUTS / "runon_fragment.txt")
    assert c["indicators"].empty
    assert problems(c) == ["unread_layout"]          # an INP warning, not "no tables"


def test_a_run_on_line_with_its_header_is_read_by_labels(tmp_path):
    f = tmp_path / "runon.txt"
    f.write_text("项目支出绩效自评表\n\n项目资金（万元） 年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
                 "年度资金总额: 100 100 90 10 90% 9 其中:本年财政拨款 100 100 90\n", encoding="utf-8")
    c = extract(f)
    assert records(c["funds"], ["item", "role", "initial_budget_raw", "budget_raw", "executed_raw", "weight_raw",
                                "rate_raw", "score_raw"]) == [
        ("年度资金总额", "total", "100", "100", "90", "10", "90%", "9"),
        ("其中:本年财政拨款", "fiscal", "100", "100", "90", None, None, None)]


def test_markdown_table_with_separator_line(tmp_path):
    f = tmp_path / "md.txt"
    f.write_text("# 项目支出绩效自评表\n\n| 项目名称 | 示例项目 | | |\n|---|---|---|---|\n"
                 "| 项目资金（万元） | 全年预算数 | 全年执行数 | 执行率 |\n| 年度资金总额 | 200 | 150 | 75% |\n",
                 encoding="utf-8")
    c = extract(f)
    assert records(c["funds"], ["item", "budget_raw", "executed_raw", "rate_raw", "budget_loc"]) == [
        ("年度资金总额", "200", "150", "75%", "6:2")]
    assert c["tables"]["name"].tolist() == ["示例项目"]


def test_traditional_characters_and_full_width_digits_match_the_labels(tmp_path):
    f = tmp_path / "trad.txt"
    f.write_text("# 項目支出績效自評表\n\n項目名稱\t示例項目\n項目資金（萬元）\t全年預算數\t全年執行數\t執行率\n"
                 "年度資金總額\t２００\t１５０\t７５％\n", encoding="utf-8")
    c = extract(f)
    assert c["tables"]["kind"].tolist() == ["project_selfeval"]
    f0 = c["funds"].iloc[0]
    assert (f0["item"], f0["role"], f0["budget"], f0["executed"], f0["rate"]) == ("年度资金总额", "total", 200, 150, 75)


@pytest.mark.parametrize("name", sorted(p.name for p in LAYOUTS.iterdir()))
def test_every_layout_fixture_reads_without_a_reader_error(name):
    c = extract(LAYOUTS / name)
    assert not c["problems"]["detail"].fillna("").str.contains("解析该表时出错").any()


def test_an_operator_read_by_ocr_as_2_is_repaired_and_reported(tmp_path):
    f = tmp_path / "ocr.txt"
    f.write_text("# 项目支出绩效自评表\n\n项目名称\t示例项目\n"
                 "一级指标\t二级指标\t三级指标\t运算符号\t指标值\t度量单位\t全年完成值\t完成程度\t分值\t得分\n"
                 "产出指标\t质量指标\t验收合格率\t2\t95\t%\t96\t1\t20\t20\n"
                 "产出指标\t数量指标\t培训人次\t≥\t200\t人次\t210\t1\t20\t20\n", encoding="utf-8")
    c = extract(f)
    assert records(c["indicators"], ["name", "operator", "target_raw", "unit"]) == [
        ("验收合格率", ">=", "95", "%"), ("培训人次", ">=", "200", "人次")]
    p = c["problems"]
    assert p["kind"].tolist() == ["repaired"] and p["line"].tolist() == [5]
    assert "“2”" in p["detail"].iloc[0] and "≥" in p["detail"].iloc[0]


def test_named_fund_table_blank_fund_line_and_a_scoring_table_printed_under_it():
    c = extract(LAYOUTS / "named_fund_with_scoring.txt")
    assert c["tables"]["kind"].tolist() == ["transfer_selfeval", "score_table"]
    # the blank 其中：中央财政资金 line does not end the money block: 地方资金 is still read
    assert records(c["funds"], ["item", "role", "budget_raw", "executed_raw"]) == [
        ("年度资金总额", "total", "100", "95"), ("地方资金", "local", "100", "95")]
    ind = c["indicators"]
    t1, t2 = c["tables"]["table_id"].tolist()
    assert records(ind[ind["table_id"] == t1], ["name", "weight_raw", "score_raw"]) == [
        ("保障人数", "45", "45"), ("离休干部满意度", "45", "45")]
    # the scoring table's rows are its own, read under its header, with no scores row to sum
    assert records(ind[ind["table_id"] == t2], ["name", "target_raw", "actual_raw", "reason", "weight_raw",
                                                "score_raw"]) == [
        ("资金到位率", "100%", "100%", "到位即得满分", "10", "10"), ("执行率", "100%", "95%", "按比例得分", "10", "9.5")]
    assert c["scores"]["table_id"].tolist() == [t1]
    assert problems(c) == []


def test_headers_with_a_formula_in_brackets(tmp_path):
    f = tmp_path / "formula.txt"
    f.write_text("# 项目支出绩效自评表\n\n项目名称\t示例项目\n"
                 "项目资金（万元）\t全年预算数（A）\t全年执行数（B）\t预算执行率(B/A×100%)\n"
                 "年度资金总额\t80\t60\t75.00%\n", encoding="utf-8")
    c = extract(f)
    assert records(c["funds"], ["item", "budget_raw", "executed_raw", "rate_raw"]) == [("年度资金总额", "80", "60", "75.00%")]


# --- pdftotext -layout renditions of Jiangsu budget tables: cells printed over several lines ---------

def _texts(path) -> list[list[str]]:
    (table,) = read_document(LAYOUTS / path).tables
    return [[c.text for c in r] for r in table.rows]


def _check(path) -> list[str]:
    from auditor.pipeline import check

    return sorted(check([LAYOUTS / path]).findings["rule"].tolist())


def test_group_label_centred_down_its_group_goes_on_its_subtotal_row():
    """收入预算总表: 其他资金 is printed on the middle line of its group (小计 / 事业收入 /
    经营收入 / 其他收入 / 债务资金), 专项收入 is an item of its own, not the end of the name above."""
    rows = _texts("income_groups_centred.layout.txt")
    assert ["一般公共预算资金", "小计", "10,070.48"] in rows
    assert ["", "公共财政拨款(补助)资金", "10,070.48"] in rows and ["", "专项收入", ""] in rows
    assert ["其他资金", "小计", "80.00"] in rows and ["", "事业收入", ""] in rows and ["", "经营收入", ""] in rows
    assert ["上年结转和结余资金", "小计", ""] in rows
    c = extract(LAYOUTS / "income_groups_centred.layout.txt")
    led = c["ledger"]
    assert records(led, ["level", "role", "name", "amount_raw"])[:4] == [
        (0, "total", "收入总计", "10,150.48"), (1, "subtotal", "一般公共预算资金", "10,070.48"),
        (2, "item", "公共财政拨款(补助)资金", "10,070.48"), (2, "item", "专项收入", None)]
    assert _check("income_groups_centred.layout.txt") == []     # the table balances: 10,070.48 + 80.00


def test_amounts_on_lines_of_their_own_make_the_table_uncertain():
    """小计 / 37,188.34 / 公共财政拨款（补助）资金 / 37,188.34: which label an amount belongs to
    is a guess; the table is reported once as uncertain, its sums are not checked."""
    c = extract(LAYOUTS / "income_amounts_own_lines.layout.txt")
    unsure = c["problems"][c["problems"]["kind"] == "table_uncertain"]
    assert len(unsure) == 1 and "单独成行" in unsure["detail"].iloc[0]
    assert _check("income_amounts_own_lines.layout.txt") == ["INP011"]


def test_name_wrapped_over_five_lines_around_its_figures_is_one_cell():
    rows = _texts("procurement_wrapped_names.layout.txt")
    name = "网络、电子检务、实验室、机要通道、档案数字化系统运行维护费"
    row = next(r for r in rows if name in r)
    assert row[-1] == "100.00" and "信息网络及软件购置更新" in row
    assert not any(t in ("务、实验室、机", "维护费", "更新") for r in rows for t in r)
    assert "办公、办案设备更新购置费" in next(r for r in rows if "131.40" in r)      # three lines
    router = next(r for r in rows if "路由器" in r)
    assert "部门集中采购" in router and router[-1] == "25.00"


def test_a_failing_sum_in_a_space_aligned_table_is_a_reading_doubt(tmp_path):
    """Columns found from runs of spaces: one sum that does not hold makes the table
    uncertain (INP011, naming the sum) rather than an arithmetic error (EXP007)."""
    text = (LAYOUTS / "income_groups_centred.layout.txt").read_text(encoding="utf-8")
    assert "10,150.48" in text
    path = tmp_path / "planted.layout.txt"
    path.write_text(text.replace("10,150.48", "10,105.48", 1), encoding="utf-8")
    assert _check(path) == ["INP011"]
    c = extract(path)
    detail = c["problems"][c["problems"]["kind"] == "table_uncertain"]["detail"].iloc[0]
    assert "收入总计" in detail and "10,105.48" in detail and "按空格对齐" in detail


def test_names_wrapped_in_a_narrow_column_of_a_two_sided_table_are_joined():
    """1.一般公共预 / 17,981.68 / 算 and 二、财政专户管理 / 资金 (the name fills its column,
    so the short line under it ends it), 三、单位预留机 / 140.20 / 动经费."""
    rows = _texts("two_sided_wrapped_names.layout.txt")
    names = [r[0] for r in rows] + [r[4] for r in rows]
    assert {"1.一般公共预算", "2.政府性基金预算", "二、财政专户管理资金", "三、单位预留机动经费"} <= set(names)
    assert not {"算", "资金", "预算", "动经费"} & set(names)
    assert _check("two_sided_wrapped_names.layout.txt") == []


def test_a_page_continuing_a_table_keeps_its_name_columns_apart():
    """Page 2 of a 政府采购 list has no header: 会议费 (经济科目) and 会议服务 (采购物品名称)
    never share a line there, yet are two columns; the page's rows line up with page 1's."""
    rows = _texts("procurement_page_break.layout.txt")
    assert ["全国人代会江苏代表团工作经费", "会议费", "", "", "126.25"] in rows
    assert ["", "", "会议服务", "分散自行组织", "126.25"] in rows
    assert ["专职人员活动费", "印刷费", "", "", "30.00"] in rows
    assert _check("procurement_page_break.layout.txt") == []    # 59.00 + 2,005.25 = 2,064.25 and each group


def test_a_letter_spaced_total_word_is_one_cell():
    from auditor.ingest.aligned import tokens

    assert [t.text for t in tokens("  合   计                                 2,744.84")] == ["合计", "2,744.84"]
    assert [t.text for t in tokens("类  款  项   金额")] == ["类", "款", "项", "金额"]
    rows = _texts("procurement_wrapped_names.layout.txt")
    assert rows[1][0] == "合计" and rows[1][-1] == "2,744.84"


def test_names_of_their_own_around_an_amount_are_not_joined(tmp_path):
    """事业收入 / 其他收入 100.00 / 上级补助: as wide as each other, but narrower than
    their column (附属单位上缴收入), so none of them wrapped."""
    path = tmp_path / "own_names.layout.txt"
    path.write_text("                 收入预算总表\n单位：万元\n"
                    "        项目名称                      金额\n"
                    "        收入总计                     100.00\n"
                    "        事业收入\n"
                    "        其他收入                     100.00\n"
                    "        上级补助\n"
                    "        附属单位上缴收入                0.00\n", encoding="utf-8")
    names = [r[0] for r in _texts(path)]
    assert ["事业收入", "其他收入", "上级补助", "附属单位上缴收入"] == names[2:]


def test_a_subtotal_printed_last_keeps_the_labels_where_they_are(tmp_path):
    """单位甲 above the first 小计: each 小计 closes its group, so 单位乙 (below it) is not
    moved onto it."""
    path = tmp_path / "subtotal_last.layout.txt"
    path.write_text("                 项目支出预算表\n单位：万元\n"
                    "        单位名称        项目名称          金额\n"
                    "        合计                            150.00\n"
                    "        单位甲          项目一           60.00\n"
                    "                        项目二           40.00\n"
                    "                        小计            100.00\n"
                    "        单位乙          项目三           50.00\n"
                    "                        小计             50.00\n", encoding="utf-8")
    rows = _texts(path)
    assert ["单位乙", "项目三", "50.00"] in rows and ["", "小计", "100.00"] in rows
