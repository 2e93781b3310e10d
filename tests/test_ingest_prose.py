"""Physical prose lines -> paragraphs of whole sentences (auditor.ingest.prose).

The claims of a sentence must not depend on where the PDF happened to wrap it:
the property test re-wraps real disclosure sentences at every width and checks the
claims read from the reflowed text are the claims of the unwrapped text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.ingest.prose import Line, is_heading, lines_of, reflow
from auditor.normalize.claims import claims_from_text

# sentences as Jiangsu and other budget disclosures print them (amounts, shares, changes)
SENTENCES = [
    "2019年收入预算合计21955.35万元，其中一般公共预算收入21940.96万元，占99.93%；其他资金14.39万元，占0.07%。",
    "社会保障和就业支出类科目116433.12元，占支出总预算10.73%，同比增加16803.36元，增长14.43%。",
    "一般公共预算当年拨款规模比2018年增加1508.06万元，增长7.36%，主要原因是人员经费增加。",
    "“三公”经费预算数为183.60万元，比上年减少12.00万元，下降6.13%。",
    "基本支出608.81万元，占7.38%；项目支出7645.75万元，占92.62%。",
    "项目全年预算数为50万元，全年执行数为48.5万元，预算执行率为97%。",
]


def _wrap(text: str, width: int, first_line: int = 1) -> list[Line]:
    return [Line(text[i:i + width], first_line + k) for k, i in enumerate(range(0, len(text), width))]


def _claims(*texts: str) -> list[tuple]:
    """Claims of consecutive paragraphs without positions: what was read, not where."""
    groups: dict[tuple, int] = {}
    out = []
    for k, text in enumerate(texts):
        for c in claims_from_text(text, lambda offset: f"1:{offset + 1}"):
            row = {key: v for key, v in c.items() if not key.endswith("_loc")}
            if row.get("group_id") is not None:      # ids name offsets; keep only who shares one
                row["group_id"] = groups.setdefault((k, row["group_id"]), len(groups))
            out.append(tuple(sorted(row.items(), key=lambda kv: kv[0])))
    return sorted(out)


def test_wrapped_figures_join_into_one_sentence():
    lines = lines_of("社会保障和就业支出类科目 116433.12 元,占支\n出总预算 10.73 %,同比增加 16803.36 元,增长 14.43%。")
    paras = reflow(lines)
    assert len(paras) == 1
    assert "占支出总预算" in paras[0].text
    shares = [c for c in claims_from_text(paras[0].text, lambda o: o) if c["kind"] == "share"]
    assert [(c["value"], c["other_raw"]) for c in shares] == [(10.73, "116433.12 元")]


def test_sentences_of_two_paragraphs_are_not_joined():
    text = ("一般公共预算支出716052.51元。\n"
            "二、政府性基金预算支出情况\n"
            "政府性基金预算支出166271.4元，占支出总预算的\n"
            "15.33%。")
    paras = [p.text for p in reflow(lines_of(text))]
    assert paras == ["一般公共预算支出716052.51元。", "二、政府性基金预算支出情况",
                     "政府性基金预算支出166271.4元，占支出总预算的15.33%。"]


def test_a_page_number_inside_a_sentence_is_dropped_and_the_sentence_goes_on():
    text = ("第一部分 部门概况\n1\n本部门2019年收入预算合计21955.35万元，比上年增加40\n\n2\n\n"
            "24.00万元，增长22.46%。\n")
    paras = [p.text for p in reflow(lines_of(text))]
    assert paras == ["第一部分部门概况", "本部门2019年收入预算合计21955.35万元，比上年增加4024.00万元，增长22.46%。"]


def test_each_character_remembers_its_printed_line_and_column():
    text = "其中：基本支出 608.81 万元，占支\n出总额的 7.38%。"
    (para,) = reflow(lines_of(text, first_line=10))
    at = para.text.index("7.38")
    assert para.where(at) == (11, text.split("\n")[1].index("7.38") + 1)
    assert para.where(para.text.index("608.81")) == (10, text.index("608.81") + 1)


def test_headings_stand_alone_and_sentences_do_not():
    assert is_heading("一、收入支出预算总体情况")
    assert is_heading("第三部分 名词解释")
    assert not is_heading("2019年收入预算合计21955.35万元，")
    assert not is_heading("一般公共预算支出为")


def test_justification_spaces_between_chinese_are_removed_but_template_blanks_kept():
    (para,) = reflow(lines_of("一 般 公 共 预 算 支 出 增加 万元。"))
    assert para.text == "一般公共预算支出增加 万元。"


def test_blank_lines_between_sentences_of_a_web_page_are_paragraph_breaks():
    text = "本单位共有三个处室。\n\n机关运行经费12.5万元\n\n二、预算情况说明\n\n收入合计100万元。"
    paras = [p.text for p in reflow(lines_of(text))]
    assert paras[0] == "本单位共有三个处室。"
    assert "二、预算情况说明" in paras


@settings(max_examples=150, deadline=None, derandomize=True)   # the same examples in every run: CI never flakes
@given(picked=st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3),
       width=st.integers(min_value=8, max_value=90),
       page_at=st.one_of(st.none(), st.integers(min_value=1, max_value=40)))
def test_claims_do_not_depend_on_where_the_text_was_wrapped(picked, width, page_at):
    text = "".join(picked)
    lines = _wrap(text, width)
    if page_at is not None and page_at < len(lines):
        # a page break: the page number on a line of its own between two halves of a sentence
        lines.insert(page_at, Line("7", None, blank_before=True))
        lines[page_at + 1].blank_before = True
    assert _claims(*(p.text for p in reflow(lines))) == _claims(text)


def test_percentages_a_pdf_put_after_their_items_go_back_to_their_share():
    text = ("省检察院本年支出预算合计\n21,955.35 万元，其中：\n基本支出\n13,994.31 万元，占\n项目支出\n5,573 万元，占\n"
            "单位预留机动经费\n63.75%；\n25.38 %；\n2,388.04 万元，占\n10.87 %。")
    (para,) = reflow(lines_of(text, first_line=100))
    assert "基本支出13,994.31 万元，占63.75%；项目支出5,573 万元，占25.38 %；单位预留机动经费2,388.04 万元，占10.87 %。" \
        in para.text
    assert para.where(para.text.index("63.75")) == (107, 1)     # still points at the printed figure
    assert para.repairs and "63.75%、25.38%" in para.repairs[0]
    shares = {c["subject"]: c["value"] for c in claims_from_text(para.text, lambda o: o) if c["kind"] == "share"}
    assert shares == {"基本支出": 63.75, "项目支出": 25.38, "单位预留机动经费": 10.87}


def test_a_column_of_percentages_that_starts_at_the_last_share_goes_back_in_order():
    # the last 占 printed the first percentage of the column; the next follows it
    text = ("省检察院本年支出预算合计\n17996.68 万元，其中：\n基本支出\n12323.48 万元，占\n项目支出\n5533 万元，占\n"
            "68.48 %；\n30.74 %；\n单位预留机动经费 140.2 万元，占\n0.78 %")
    (para,) = reflow(lines_of(text))
    assert "基本支出12323.48 万元，占68.48 %；项目支出5533 万元，占30.74 %；单位预留机动经费 140.2 万元，占0.78 %" in para.text
    assert para.where(para.text.index("68.48")) == (7, 1) and para.repairs
    shares = {c["subject"]: c["value"] for c in claims_from_text(para.text, lambda o: o) if c["kind"] == "share"}
    assert shares == {"基本支出": 68.48, "项目支出": 30.74, "单位预留机动经费": 0.78}


def test_a_share_printed_in_place_is_left_alone():
    text = "基本支出100万元，占50%；项目支出100万元，占50%；"
    (para,) = reflow(lines_of(text))
    assert para.text == text and not para.repairs


def test_no_reordering_when_more_than_one_reading_is_possible():
    # one loose percentage, two open shares: which one it belongs to is a guess
    (para,) = reflow(lines_of("基本支出100万元，占项目支出50万元，占机动经费60%；"))
    assert para.text == "基本支出100万元，占项目支出50万元，占机动经费60%；" and not para.repairs


def test_an_amount_and_its_rate_verb_stranded_in_the_next_sentence_go_back():
    text = ("2．一般行政管理事务（项）支出 3,666 万元，与上年\n相比增加\n\n0.06 %。主要原因是省检察\n\n21.8 万元，增长\n\n"
            "院本级增加安排了办公办案设备购置费预算支出。")
    (para,) = reflow(lines_of(text))
    assert para.text.startswith("2．一般行政管理事务（项）支出 3,666 万元，与上年相比增加21.8 万元，增长0.06 %。主要原因是省检察院本级")
    assert para.where(para.text.index("21.8")) == (6, 1) and para.repairs
    (change,) = [c for c in claims_from_text(para.text, lambda o: o) if c["kind"] == "change"]
    assert (change["value"], change["other"]) == (0.06, 21.8)


def test_a_rate_verb_that_says_how_is_not_stranded():
    text = "收入100万元，比上年增加0.5%。主要原因是拨款增加，其中事业收入20万元，增长较快。"
    (para,) = reflow(lines_of(text))
    assert para.text == text and not para.repairs
