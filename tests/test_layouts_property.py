"""Property: the separator does not change what is read. A self-evaluation table
written with tabs, with pipes, as a markdown table or with columns aligned by spaces
gives the same canonical rows."""
from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.pipeline import extract

NAMES = ["培训人次", "覆盖率", "验收合格率", "完成及时率", "群众满意度", "资金到位率"]
LEVEL2 = ["数量指标", "质量指标", "时效指标", "满意度指标"]


@st.composite
def tables(draw) -> list[list[str]]:
    budget = draw(st.integers(100, 99999)) / 100
    executed = round(budget * draw(st.integers(50, 100)) / 100, 2)
    rate = f"{executed / budget * 100:.2f}%"
    rows = [["项目名称", draw(st.sampled_from(["示例项目", "培训补助资金", "信息化运维"])), "", "", "", "", "", ""],
            ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", ""],
            ["年度资金总额", f"{budget:.2f}", f"{budget:.2f}", f"{executed:.2f}", "10", rate,
             f"{10 * executed / budget:.2f}", ""],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]]
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    for k, name in enumerate(names):
        weight = draw(st.integers(5, 30))
        score = draw(st.integers(0, weight))
        level1 = "产出指标" if k == 0 else ""
        rows.append([level1, draw(st.sampled_from(LEVEL2)), name, str(draw(st.integers(80, 100))),
                     str(draw(st.integers(60, 100))), str(weight), str(score), ""])
    return rows


def as_tabs(rows):
    return "\n".join("\t".join(r) for r in rows)


def as_pipes(rows):
    return "\n".join(" | ".join(r) + " |" for r in rows)


def as_markdown(rows):
    lines = ["| " + " | ".join(r) + " |" for r in rows]
    lines.insert(1, "|" + "---|" * len(rows[0]))
    return "\n".join(lines)


def as_aligned(rows):
    """Fixed columns, as pdftotext -layout prints them: every cell of a column starts at the same offset."""
    widths = [max(len(r[j]) for r in rows) + 4 for j in range(len(rows[0]))]
    return "\n".join("".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def read(text: str, tmp_path, name: str):
    f = tmp_path / name
    f.write_text("# 项目支出绩效自评表\n\n" + text + "\n", encoding="utf-8")
    c = extract(f)
    funds = c["funds"][["item", "role", "initial_budget_raw", "budget_raw", "executed_raw", "weight_raw", "rate_raw",
                        "score_raw"]]
    ind = c["indicators"][["level1", "level2", "name", "target_raw", "actual_raw", "weight_raw", "score_raw"]]
    scores = c["scores"][["exec_weight", "exec_score"]]
    return [df.astype(object).where(df.notna(), None).values.tolist() for df in (funds, ind, scores)] + \
        [c["problems"]["kind"].tolist(), c["tables"]["name"].tolist()]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tables())
def test_tabs_pipes_markdown_and_aligned_spaces_read_the_same(rows, tmp_path):
    base = read(as_tabs(rows), tmp_path, "tabs.txt")
    assert base[0] and base[1] and base[3] == []
    assert read(as_pipes(rows), tmp_path, "pipes.txt") == base
    assert read(as_markdown(rows), tmp_path, "markdown.txt") == base
    assert read(as_aligned(rows), tmp_path, "aligned.txt") == base
