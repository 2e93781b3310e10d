"""Budget approval tables (表1–表9) and self-evaluation basic data -> ledger rows,
and the EXP rules over them, on excerpts of real documents."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditor.engine.catalog import load_catalog
from auditor.engine.run import run_rules
from auditor.ingest import read_document
from auditor.ingest.text import parse_text
from auditor.model.tables import Canonical
from auditor.normalize import NORMALIZERS, DocContext, TableContext, merge_rows, resolve
from auditor.normalize.basic_data import normalize_basic_data
from auditor.normalize.claims import normalize_claims
from auditor.normalize.ledger import normalize_ledger
from auditor.recognize import classify

FIXTURES = Path(__file__).parent / "fixtures"
BUDGET = FIXTURES / "budget_approval_tables.txt"
REPORT = FIXTURES / "overall_selfeval_report.txt"


def normalize_text(text: str, doc_id: str = "D1") -> dict:
    """Every recognized table normalized on its own (page continuations stay separate tables)."""
    doc = parse_text("fixture.txt", text)
    rows: dict = {"documents": [{"doc_id": doc_id, "file": "fixture.txt"}]}
    for k, table in enumerate(doc.tables, 1):
        kind = classify(table)
        if kind not in NORMALIZERS:
            continue
        fn = resolve(NORMALIZERS[kind])
        merge_rows(rows, fn(table, TableContext(doc_id, f"{doc_id}.T{k}", "fixture.txt", kind, table.title,
                                                table.headings, None)))
    merge_rows(rows, normalize_claims(doc.paragraphs, DocContext(doc_id, "fixture.txt", doc.title)))
    return rows


def findings(rows: dict, family: str) -> list:
    rules = [r for r in load_catalog() if r.family == family]
    return run_rules(Canonical.from_rows(rows), rules)


@pytest.fixture(scope="module")
def tables():
    doc = read_document(BUDGET)
    out = []
    for k, t in enumerate(doc.tables, 1):
        if classify(t) == "ledger":
            out.append(normalize_ledger(t, TableContext("D1", f"T{k}", str(BUDGET), "ledger", t.title, t.headings,
                                                        "2024")))
    return out


def items(rows: list[dict]) -> list[tuple]:
    """(code, level, name) of every ledger line, in order, once per line."""
    seen, out = set(), []
    for r in rows:
        if (r["table_id"], r["row_no"]) not in seen:
            seen.add((r["table_id"], r["row_no"]))
            out.append((r["code"], r["level"], r["name"]))
    return out


def test_every_budget_table_is_read_with_its_real_title(tables):
    titles = [t["tables"][0]["title"] for t in tables]
    assert titles == ["收支预算总表", "支出预算总表", "支出预算总表", "财政拨款收支预算总表", "一般公共预算支出表",
                      "一般公共预算支出表", "一般公共预算基本支出表", "一般公共预算基本支出表",
                      "财政拨款预算“三公”经费支出表", "政府性基金预算支出表", "项目支出预算表", "项目支出预算表",
                      "项目支出预算表"]
    assert [len(t["ledger"]) for t in tables] == [19, 75, 35, 15, 70, 40, 45, 27, 6, 3, 36, 45, 36]
    assert all(t["tables"][0]["kind"] == "ledger" and t["tables"][0]["name"] is None for t in tables)
    assert [t["tables"][0]["line"] for t in tables][:3] == [13, 39, 65]


def test_function_codes_have_levels_across_page_break(tables):
    first, second = tables[1]["ledger"], tables[2]["ledger"]
    assert items(first) == [
        (None, 0, "合计"), ("208", 1, "社会保障和就业支出"), ("20805", 2, "行政事业单位养老支出"),
        ("2080502", 3, "事业单位离退休"), ("2080505", 3, "机关事业单位基本养老保险缴费支出"),
        ("2080506", 3, "机关事业单位职业年金缴费支出"), ("210", 1, "卫生健康支出"), ("21011", 2, "行政事业单位医疗"),
        ("2101102", 3, "事业单位医疗"), ("2101103", 3, "公务员医疗补助"), ("21012", 2, "财政对基本医疗保险基金的补助"),
        ("2101202", 3, "财政对城乡居民基本医疗保险基金的补助"), ("21013", 2, "医疗救助"), ("2101301", 3, "城乡医疗救助"),
        ("21015", 2, "医疗保障管理事务")]
    assert items(second) == [
        ("2101550", 3, "事业运行"), ("2101599", 3, "其他医疗保障管理事务支出"), ("21099", 2, "其他卫生健康支出"),
        ("2109999", 3, "其他卫生健康支出"), ("221", 1, "住房保障支出"), ("22102", 2, "住房改革支出"),
        ("2210201", 3, "住房公积金")]
    assert {r["code_kind"] for r in first + second if r["code"]} == {"function"}


def test_multi_row_header_gives_canonical_columns(tables):
    row = [r for r in tables[1]["ledger"] if r["code"] == "21011"]
    assert [(r["column"], r.get("amount")) for r in row] == [
        ("合计", 3429.76), ("基本支出", 57.32), ("人员经费", 57.32), ("公用经费", None), ("项目支出", 3372.44)]
    blank = row[3]
    assert blank["amount_raw"] is None and blank["amount_loc"] == "48:6"
    assert row[0]["amount_raw"] == "3,429.76" and row[0]["amount_tol"] == pytest.approx(0.005)
    assert row[0]["amount_loc"] == "48:3" and row[0]["line"] == 48
    # 本年一般公共预算支出 spans every amount column: dropped from the labels
    assert [r["column"] for r in tables[4]["ledger"][:5]] == ["合计", "基本支出", "人员经费", "公用经费", "项目支出"]


def test_economic_codes_and_basic_expense_columns(tables):
    econ = tables[6]["ledger"] + tables[7]["ledger"]
    assert {r["code_kind"] for r in econ if r["code"]} == {"economic"}
    assert {r["column"] for r in econ} == {"合计", "人员经费", "公用经费"}
    lines = items(econ)
    assert lines[:3] == [(None, 0, "合计"), ("301", 1, "工资福利支出"), ("30101", 2, "基本工资")]
    assert [c for c, level, _ in lines if level == 1] == ["301", "302", "303"]
    assert len(lines) == 24
    other_transport = {r["column"]: r.get("amount") for r in econ if r["code"] == "30239"}
    assert other_transport == {"合计": 15.12, "人员经费": 15.12, "公用经费": None}


def test_two_sided_table_gives_both_sides_with_levels(tables):
    rows = tables[0]["ledger"]
    income = [(r["name"], r["level"], r.get("amount")) for r in rows if r["column"] == "收入"]
    spending = [(r["name"], r["level"], r.get("amount")) for r in rows if r["column"] == "支出"]
    assert income[0] == ("一、一般公共预算拨款收入", 1, 58149.15)
    assert income[5] == ("（一）事业收入", 2, None)
    assert income[-3:] == [("本年收入合计", 0, 58149.15), ("上年结转结余", 1, None), ("收入总计", 0, 58149.15)]
    assert spending == [("一、社会保障和就业支出", 1, 138.46), ("二、卫生健康支出", 1, 57918.77),
                        ("三、住房保障支出", 1, 91.92), ("本年支出合计", 0, 58149.15), ("年终结转结余", 1, None),
                        ("支出总计", 0, 58149.15)]
    assert len(income) == 13
    fiscal = tables[3]["ledger"]
    assert [(r["name"], r["level"]) for r in fiscal if r["column"] == "支出"] == [
        ("一、本年支出", 1), ("（一）社会保障和就业支出", 2), ("（二）卫生健康支出", 2), ("（三）住房保障支出", 2),
        ("二、年终结转结余", 1), ("支出总计", 0)]


def test_header_only_three_public_table(tables):
    rows = tables[8]["ledger"]
    assert [(r["name"], r["level"], r.get("amount_raw")) for r in rows] == [
        ("“三公”经费合计", 0, "4.35"), ("因公出国（境）费", 1, None), ("公务用车购置及运行费", 1, "4.35"),
        ("公务用车购置费", 2, None), ("公务用车运行费", 2, "4.35"), ("公务接待费", 1, None)]
    assert {r["column"] for r in rows} == {"金额"}


def test_empty_fund_table_keeps_its_total_row_and_drops_the_note(tables):
    rows = tables[9]["ledger"]
    assert [(r["name"], r["column"], r.get("amount")) for r in rows] == [
        ("合计", "合计", None), ("合计", "基本支出", None), ("合计", "项目支出", None)]


def test_project_list_levels_columns_and_content_claims(tables):
    first = tables[10]
    assert [r["column"] for r in first["ledger"][:9]] == [
        "总计", "本年收入", "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "单位资金",
        "上年结转结余", "上年结转结余一般公共预算"]
    assert items(first["ledger"]) == [(None, 0, "合计"), (None, 1, "抚顺市医疗保障事务服务中心"),
                                      (None, 2, "物业费、水电费（保运转）"), (None, 2, "离休干部医药费")]
    projects = [r for t in tables[10:] for r in t["ledger"] if r["level"] == 2 and r["column"] == "总计"]
    assert len(projects) == 11 and round(sum(r["amount"] for r in projects), 2) == 56949.51
    docnos = [(c["value"], c["line"]) for t in tables[10:] for c in t["claims"] if c["kind"] == "docno"]
    assert docnos == [(2022, 243), (2023, 244), (2021, 245), (2023, 257), (2023, 258)]
    parts = [c for c in first["claims"] if c["kind"] == "total_parts"]
    assert [(c["subject"], c["value"], c["base"]) for c in parts[:3]] == [
        ("新宾分中心物业及运行费", 1, 2), ("新宾分中心物业及运行费", 0.5, 2), ("新宾分中心物业及运行费", 0.5, 2)]
    assert len(parts) == 9


def test_split_code_columns_and_note_lines():
    text = ("# 一般公共预算财政拨款支出决算表\n\n科目编码\t\t\t科目名称\t本年支出\t\t\n类\t款\t项\t\t合计\t基本支出\t项目支出\n"
            "\t\t\t合计\t100.00\t60.00\t40.00\n208\t\t\t社会保障和就业支出\t100.00\t60.00\t40.00\n"
            "\t05\t\t行政事业单位养老支出\t100.00\t60.00\t40.00\n\t\t02\t事业单位离退休\t100.00\t60.00\t40.00\n"
            "注：本表无数据的栏目为空。\n")
    doc = parse_text("x.txt", text)
    out = normalize_ledger(doc.tables[0], TableContext("D", "T", "x.txt", "ledger", doc.tables[0].title,
                                                       doc.tables[0].headings, None))
    assert items(out["ledger"]) == [(None, 0, "合计"), ("208", 1, "社会保障和就业支出"),
                                    ("20805", 2, "行政事业单位养老支出"), ("2080502", 3, "事业单位离退休")]


def test_basic_data_items_years_and_levels():
    doc = read_document(REPORT)
    table = next(t for t in doc.tables if classify(t) == "basic_data")
    out = normalize_basic_data(table, TableContext("D1", "T1", str(REPORT), "basic_data", table.title,
                                                   table.headings, "2020"))
    rows = out["ledger"]
    assert out["tables"][0]["title"] == "部门整体支出绩效自评基础数据表" and out["tables"][0]["kind"] == "basic_data"
    assert len(rows) == 48
    assert {r["column"] for r in rows} == {"编制数", "2020年实际在职人数", "控制率", "2019年决算数", "2020年预算数",
                                           "2020年决算数"}
    three = {(r["name"], r["column"]): r.get("amount") for r in rows}
    assert three[("三公经费", "2019年决算数")] == 0.57 and three[("三公经费", "2020年决算数")] == 0.15
    assert three[("公务接待", "2020年预算数")] == 4 and three[("公用经费", "2020年决算数")] == 31.04
    levels = {r["name"]: r["level"] for r in rows}
    assert (levels["三公经费"], levels["公务用车购置和维护经费"], levels["公车购置"], levels["公车运行维护"],
            levels["出国经费"], levels["项目支出"], levels["办公经费"], levels["会议费、培训费"],
            levels["政府采购金额"]) == (1, 2, 3, 3, 2, 1, 2, 2, 1)
    assert all(r["code"] is None for r in rows)
    dash = next(r for r in rows if r["name"] == "政府采购金额" and r["column"] == "2019年决算数")
    assert dash.get("amount") is None and dash["amount_raw"] == "——"


def test_correct_budget_tables_give_no_expense_findings():
    assert findings(normalize_text(BUDGET.read_text(encoding="utf-8")), "EXP") == []


@pytest.mark.parametrize("old,new,rules", [
    ("2101599\t其他医疗保障管理事务支出\t121.07", "2101599\t其他医疗保障管理事务支出\t112.07",
     ["EXP001", "EXP003"]),
    ("30101\t基本工资\t396.22\t396.22\t", "30101\t基本工资\t396.22\t\t396.22", ["EXP003", "EXP003", "EXP004"]),
    ("30207\t邮电费\t3.00\t\t3.00", "30207\t邮电费\t3.00\t3.00\t", ["EXP003", "EXP003", "EXP005"]),
    ("收 入 总 计\t58,149.15\t支 出 总 计\t58,149.15\n\n\n", "收 入 总 计\t58,149.15\t支 出 总 计\t58,194.15\n\n\n",
     ["EXP006", "EXP007"]),
    ("4.35\t\t4.35\t\t4.35\t", "4.35\t\t4.35\t\t4.53\t", ["EXP008"]),
    ("\t合计\t58,149.15\t1,199.64\t1,054.56", "\t合计\t58,149.15\t58,149.15\t1,054.56",
     ["EXP001", "EXP002", "EXP007", "EXP009"]),
])
def test_seeded_defects_are_found(old, new, rules):
    text = BUDGET.read_text(encoding="utf-8")
    assert old in text
    found = findings(normalize_text(text.replace(old, new, 1)), "EXP")
    assert sorted(f.rule for f in found) == rules


# --- published Jiangsu budget PDFs (tests/fixtures/pdf/jiangsu, issue 14) ------------

JS = FIXTURES / "pdf" / "jiangsu"


def canonical(path):
    from auditor.pipeline import extract

    return extract(path)


def ledger_rows(path, title=None) -> list[dict]:
    can = canonical(path)
    tables = can["tables"]
    ids = set(tables["table_id"] if title is None else tables.loc[tables["title"] == title, "table_id"])
    frame = can["ledger"]
    frame = frame[frame["table_id"].isin(ids)].astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def check_pdf(path, family: str | None = None) -> list:
    import auditor

    report = auditor.check([path])
    return [f for f in report.items if family is None or f.rule.startswith(family)]


def test_three_part_summary_table_splits_into_its_parts_with_subtotals_known():
    """Cause 3: the 收入 / 功能分类 / 支出用途 parts of a 收支预算总表 read as one
    two-sided table (小计 lines taken for items, sums coming out 2× or 3×)."""
    rows = ledger_rows(JS / "cppcc_2017_tables_p1.pdf")
    parts = {}
    for r in rows:
        parts.setdefault(r["column"], []).append((r["name"], r["level"], r["role"], r["amount"]))
    assert set(parts) == {"收入", "支出（功能分类）", "支出（支出用途）"}
    assert parts["收入"][:2] == [("一、财政拨款", 1, "item", 9066.79), ("1.一般公共预算", 2, "item", 9066.79)]
    assert parts["收入"][-3:] == [("当年收入小计", 0, "subtotal", 9146.79), ("上年结转资金", 1, "item", None),
                                 ("收入合计", 0, "total", 9146.79)]
    usage = parts["支出（支出用途）"]
    assert usage == [("一、基本支出", 1, "item", 5916.27), ("二、项目支出", 1, "item", 3123.68),
                     ("三、单位预留机动经费", 1, "item", 106.84), ("当年支出小计", 0, "subtotal", 9146.79),
                     ("结转下年资金", 1, "item", None), ("支出合计", 0, "total", 9146.79)]
    functions = parts["支出（功能分类）"]
    assert len(functions) == 23 and functions[-3:] == [("当年支出小计", 0, "subtotal", 9146.79),
                                                       ("结转下年资金", 1, "item", None), ("支出合计", 0, "total", 9146.79)]
    assert {r["column_role"] for r in rows} == {"amount"}


def test_summary_totals_of_every_document_are_read():
    """Each document's 收入合计 and 支出合计 of its 收支总表 reach the canonical tables."""
    for name, total in [("cppcc_2017_tables_p1.pdf", 9146.79), ("npc_2017_p7_9.pdf", 13649.07)]:
        rows = ledger_rows(JS / name, "收支预算总表")
        totals = {(r["column"], r["name"]): r["amount"] for r in rows if r["role"] == "total"}
        assert totals == {("收入", "收入合计"): total, ("支出（功能分类）", "支出合计"): total,
                          ("支出（支出用途）", "支出合计"): total}, name


def test_group_subtotal_lines_and_of_which_lines_of_the_income_table():
    """Cause 6: a part printed on its group's 小计 line (其他资金 | 小计 | 15.00)."""
    rows = ledger_rows(JS / "procuratorate_2017_p11.pdf", "二、收入预算总表")
    got = [(r["name"], r["level"], r["role"], r["amount"]) for r in rows]
    assert got[:3] == [("收入总计", 0, "total", 17996.68), ("一般公共预算资金", 1, "subtotal", 17981.68),
                       ("公共财政拨款(补助)资金", 2, "item", 17981.68)]
    assert ("其他资金", 1, "subtotal", 15.0) in got and ("其他收入", 2, "item", 15.0) in got
    assert got[-1] == ("其中：动用上年结转和结余资金", 2, "of_which", None)


def test_every_part_of_a_total_counts_whatever_it_is_called():
    """Cause 6: 单位预留机动经费 and 结转下年资金 are parts of 合计 beside 基本支出 and 项目支出."""
    rows = ledger_rows(JS / "procuratorate_2017_p11.pdf", "三、支出预算总表")
    assert [(r["name"], r["level"], r["role"], r["amount"]) for r in rows] == [
        ("合计", 0, "total", 17996.68), ("基本支出", 1, "item", 12323.48), ("项目支出", 1, "item", 5533.0),
        ("单位预留机动经费", 1, "item", 140.2), ("结转下年资金", 1, "item", None)]
    text = ("# 支出预算总表\n\n单位：万元\n\n科目编码\t科目名称\t合计\t基本支出\t项目支出\t单位预留机动经费\n"
            "\t合计\t100.00\t60.00\t30.00\t10.00\n201\t一般公共服务支出\t100.00\t60.00\t30.00\t10.00\n")
    rows = normalize_text(text)
    assert {r["column"]: r["column_role"] for r in rows["ledger"]} == {
        "合计": "total", "基本支出": "basic", "项目支出": "project", "单位预留机动经费": "part"}
    assert findings(rows, "EXP") == []
    broken = normalize_text(text.replace("201\t一般公共服务支出\t100.00", "201\t一般公共服务支出\t90.00"))
    (f,) = [f for f in findings(broken, "EXP") if f.rule == "EXP001"]
    assert "单位预留机动经费 10.00" in f.message and f.printed == "90.00" and f.expected == "100.00"


def test_three_public_expenses_table_nests_its_header():
    rows = ledger_rows(JS / "cppcc_2017_tables_p11.pdf")
    assert [(r["name"], r["level"], r["role"], r["amount"]) for r in rows] == [
        ("合计", 0, "total", 1852.32), ("“三公”经费", 1, "subtotal", 676.1), ("因公出国（境）费", 2, "item", 76.0),
        ("公务用车购置及运行维护费", 2, "subtotal", 156.6), ("公务用车购置费", 3, "item", None),
        ("公务用车运行维护费", 3, "item", 156.6), ("公务接待费", 2, "item", 443.5), ("会议费", 1, "item", 1094.62),
        ("培训费", 1, "item", 81.6)]


def test_code_printed_in_the_name_cell_becomes_the_code_with_its_level():
    """Cause 4: codes read as row names (all level 1, parents' children lost)."""
    text = ("# 一般公共预算基本支出表\n\n科目编码\t科目名称\t金额\n\t合计\t100.00\n301\t工资福利支出\t100.00\n"
            "\t30101 基本工资\t60.00\n\t30102 津贴补贴\t40.00\n")
    rows = normalize_text(text)["ledger"]
    assert [(r["code"], r["level"], r["name"]) for r in rows] == [
        (None, 0, "合计"), ("301", 1, "工资福利支出"), ("30101", 2, "基本工资"), ("30102", 2, "津贴补贴")]
    assert findings(normalize_text(text), "EXP") == []


def test_table_forms_by_meaning():
    from auditor.normalize.ledger import table_form

    assert table_form("一般公共预算基本支出预算表（经济科目）") == "一般公共预算基本支出表"
    assert table_form("公开09表“三公”经费、会议费、培训费支出预算表") == "三公经费支出表"
    assert table_form("十、2018年度江苏省高级人民法院政府性基金预算财政拨款支出预算表") == "政府性基金预算支出表"
    assert table_form("三、2018年度江苏省高级人民法院支出预算总表") == "支出预算总表"
    assert table_form("财政拨款支出预算表（功能科目）") == "财政拨款支出表"
    assert table_form("一般公共预算财政拨款基本支出决算表") == "一般公共预算财政拨款基本支出决算表"
    assert table_form("收入支出决算总表") == "收入支出决算总表"
    assert table_form("部门整体支出绩效自评表") is None
    tables = canonical(JS / "high_court_2019_p10.pdf")["tables"]
    assert list(tables["form"]) == ["财政拨款收支预算总表", "财政拨款支出表"]
    assert set(tables["money_unit"]) == {"万元"}


def test_published_excerpts_give_no_arithmetic_or_reading_errors():
    for path in sorted(JS.glob("*.pdf")):
        found = [f for f in check_pdf(path) if f.severity.value == "error" or f.rule in ("INP011", "CMP001")]
        assert found == [], path.name


def test_table_that_does_not_add_up_as_read_is_one_input_finding_and_no_arithmetic_errors(tmp_path):
    """A table whose amounts came out one row off (a misreading): most of its identities
    fail. One INP011 names the table; the EXP rules stand down on it."""
    body = [("201", "一般公共服务支出", "600.00"), ("20101", "人大事务", "600.00"), ("2010101", "行政运行", "400.00"),
            ("2010102", "一般行政管理事务", "200.00"), ("208", "社会保障和就业支出", "300.00"),
            ("20805", "行政事业单位离退休", "300.00"), ("2080505", "机关事业单位基本养老保险缴费支出", "300.00"),
            ("221", "住房保障支出", "100.00"), ("22102", "住房改革支出", "100.00"), ("2210201", "住房公积金", "100.00")]
    amounts = [a for _, _, a in body]
    shifted = amounts[1:] + [""]                 # every amount read one row up
    lines = ["# 一般公共预算支出表", "", "单位：万元", "", "科目编码\t科目名称\t金额", "\t合计\t1000.00"]
    lines += [f"{c}\t{n}\t{a}" for (c, n, _), a in zip(body, shifted)]
    path = tmp_path / "misread.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = check_pdf(path)
    inp = [f for f in found if f.rule == "INP011"]
    assert len(inp) == 1 and "一般公共预算支出表" in inp[0].message and "已暂停" in inp[0].message
    assert [f for f in found if f.rule.startswith("EXP")] == []
    right = tmp_path / "right.txt"
    right.write_text("\n".join(lines[:6] + [f"{c}\t{n}\t{a}" for c, n, a in body]) + "\n", encoding="utf-8")
    assert [f.rule for f in check_pdf(right) if f.rule.startswith(("EXP", "INP"))] == []


def test_missing_table_beside_an_unrecognized_one_folds_under_it():
    """CMP001 never contradicts INP003: a required table missing while a table could
    not be recognized points at that INP003 finding as its root."""
    from auditor.engine.roots import link_roots

    titles = ["收支预算总表", "收入预算总表", "支出预算总表", "财政拨款收支预算总表", "一般公共预算支出表",
              "一般公共预算基本支出表", "政府性基金预算支出表"]
    rows = {"documents": [{"doc_id": "D1", "file": "x.pdf", "title": "2019年部门预算公开"}],
            "tables": [{"doc_id": "D1", "table_id": f"D1.T{k}", "kind": "ledger", "title": t, "line": k}
                       for k, t in enumerate(titles, 1)],
            "problems": [{"doc_id": "D1", "table_id": "D1.T9", "line": 90, "kind": "unrecognized",
                          "text": "合计 | “三公”经费 | 会议费", "detail": "标题“无”，表头不含已知字段"}]}
    rules = [r for r in load_catalog() if r.id in ("CMP001", "INP003")]
    found = link_roots(run_rules(Canonical.from_rows(rows), rules), rules)
    (cmp,) = [f for f in found if f.rule == "CMP001"]
    (inp,) = [f for f in found if f.rule == "INP003"]
    assert "三公经费支出表" in cmp.message and "INP003" in cmp.message and cmp.root == inp.fingerprint


# ---------------------------------------------------------------------------
# notes printed with a table that say it is empty (此表为空) -> claims of kind empty_table


@pytest.mark.parametrize("note", ["此表为空", "本表为空表", "本部门无政府性基金预算收支，此表无数据",
                                  "本单位2023年度无国有资本经营预算财政拨款支出，故本表为空",
                                  "注：本单位无此项支出，此表为空表", "（无政府性基金支出）", "说明：本部门无相关收支项目。"])
def test_a_note_saying_the_table_is_empty(note):
    from auditor.normalize.ledger import says_empty

    assert says_empty(note, "2023年政府性基金预算支出表" if "政府性基金" in note else
                      "国有资本经营预算支出表" if "国有资本" in note else "“三公”经费支出表")


@pytest.mark.parametrize("note", ["备注：如此表为空表，则表示部门无政府性基金预算安排的支出。", "如本单位无此项支出，此表为空",
                                  "注：本表为空的，应说明原因", "注：“科目编码”和“科目名称”为必填项", "注：本表金额单位为万元",
                                  "注：此表为空表示本单位无此项支出", "注：此表无数据时以空表公开",
                                  "注：本单位无此项支出", "注：因公出国（境）费为0，本单位无此项支出。"])
def test_a_condition_or_another_note_is_not_an_empty_note(note):
    from auditor.normalize.ledger import says_empty

    assert not says_empty(note)


def test_a_note_naming_another_kind_of_table_is_not_this_tables():
    from auditor.normalize.ledger import says_empty

    assert not says_empty("本单位无国有资本经营预算支出，故本表为空", "政府性基金预算支出表")
    assert not says_empty("本单位无国有资本经营预算支出，故本表为空", "财政拨款收支总表")
    assert not says_empty("本单位无国有资本经营预算支出，故本表为空", None)
    assert says_empty("本单位无国有资本经营预算支出，故本表为空", "国有资本经营预算支出表")


EMPTY_NOTES = """政府性基金预算支出表

单位：万元

科目编码\t科目名称\t金额
\t合计\t120.00
229\t其他支出\t120.00

注：本部门无政府性基金预算收支，此表无数据。

国有资本经营预算支出表

单位：万元

科目编码\t科目名称\t金额
\t合计\t

注：本单位无国有资本经营预算支出，故本表为空。

“三公”经费支出预算表

单位：万元

合计\t因公出国（境）费\t公务接待费
0.00\t0.00\t0.00

此表为空
"""


def test_empty_notes_are_attached_to_their_table_and_held_against_its_figures():
    rows = normalize_text(EMPTY_NOTES)
    notes = [(c["table_id"], c["line"], c["text"]) for c in rows["claims"] if c["kind"] == "empty_table"]
    assert notes == [("D1.T1", 9, "注：本部门无政府性基金预算收支，此表无数据。"),
                     ("D1.T2", 18, "注：本单位无国有资本经营预算支出，故本表为空。"), ("D1.T3", 27, "此表为空")]
    # the note rows are no ledger items
    assert not any("此表" in (r["name"] or "") for r in rows["ledger"])
    found = [f for f in findings(rows, "NAR") if f.rule == "NAR023"]
    assert len(found) == 1 and "政府性基金预算支出表" in found[0].message   # the 国有资本 and 三公 tables print 0 or nothing
    assert "此表无数据" in found[0].message and found[0].printed == "120.00" and found[0].location.line == 6


def test_a_conditional_note_under_an_empty_table_gives_no_claim(tables):
    fund = next(t for t in tables if t["tables"][0]["title"] == "政府性基金预算支出表")
    assert [c for c in fund["claims"] if c["kind"] == "empty_table"] == []


def test_a_genuinely_empty_table_gives_its_note_and_no_item_for_it():
    """As a PDF reader gives 政府性基金预算财政拨款支出预算表 of a published document: the header, a
    blank 合计 and 此表为空 in the name column."""
    from auditor.ingest.raw import Cell, RawTable

    rows = [[Cell("功能科目编码", 10, 1), Cell("功能科目名称", 10, 2), Cell("金额", 10, 3)],
            [Cell("", 11, 1), Cell("合计", 11, 2), Cell("", 11, 3)],
            [Cell("", 12, 1), Cell("此表为空", 12, 2), Cell("", 12, 3)]]
    table = RawTable("政府性基金预算财政拨款支出预算表", rows, line=10, headings=["政府性基金预算财政拨款支出预算表"])
    out = normalize_ledger(table, TableContext("D1", "D1.T1", "x.pdf", "ledger", table.title, table.headings, "2019"))
    assert [(r["name"], r["role"], r["amount"] if "amount" in r else None) for r in out["ledger"]] == [("合计", "total", None)]
    assert [(c["kind"], c["line"], c["text"]) for c in out["claims"]] == [("empty_table", 12, "此表为空")]
    out.setdefault("documents", []).append({"doc_id": "D1", "file": "x.pdf"})
    assert [f for f in findings(out, "NAR") if f.rule == "NAR023"] == []


# a kind of budget the text says the unit has none of (本部门无政府性基金预算收支) vs the table of that kind
KIND_AND_TABLE = """政府性基金预算情况说明

本部门无政府性基金预算收支。

政府性基金预算支出表

单位：万元

科目编码\t科目名称\t金额
\t合计\t120.00
229\t其他支出\t120.00
"""


def test_a_kind_of_budget_said_absent_is_held_against_its_table():
    found = [f for f in findings(normalize_text(KIND_AND_TABLE), "NAR") if f.rule == "NAR020"]
    assert len(found) == 1 and found[0].printed == "120.00" and found[0].location.line == 10
    assert "表「政府性基金预算支出表」中「合计」印为 120.00" in found[0].message and "第 3 行的文字却称“无政府性基金预算收支”" in found[0].message
    empty = KIND_AND_TABLE.replace("\t合计\t120.00\n229\t其他支出\t120.00", "\t合计\t")
    assert not [f for f in findings(normalize_text(empty), "NAR") if f.rule == "NAR020"]
    other = KIND_AND_TABLE.replace("政府性基金预算收支。", "国有资本经营预算收支。")
    assert not [f for f in findings(normalize_text(other), "NAR") if f.rule == "NAR020"]
