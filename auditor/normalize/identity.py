"""Which unit a document is about: the key that ties documents of one unit together
(the same project in two files, last year's figures in last year's document).

The tables say it best (部门：江苏省政协办公厅, 实施单位); a narrative volume has no table
and names its unit on the cover (江苏省人民检察院 / 2018年部门预算) or in its title
(红河州数据发展中心2024年度项目支出绩效单位自评报告, 2018 年度江苏省高级人民法院部门预算公开).
"""
from __future__ import annotations

import re
from collections import Counter

# what an organization's name ends with
ORG_END = (r"(?:委员会|办公厅|办公室|人民法院|人民检察院|检察院|法院|政府|中心|协会|联合会|常委会|"
           r"学校|学院|大学|小学|中学|幼儿园|医院|监狱|街道|集团|公司|院|局|厅|委|办|会|部|处|所|站|馆|队|社|署|室)")
# what follows the unit's name in a title: the kind of document
AFTER_UNIT = r"(?:部门|单位|本级|预算|决算|整体|项目|绩效|财政|政府采购|[\"“”]?三公)"
UNIT_IN_TITLE = re.compile(rf"^(.{{2,30}}?{ORG_END}){AFTER_UNIT}")
YEAR = re.compile(r"(?:19|20)\d{2}\s*年度?")
PART = re.compile(r"^第[一二三四五六七八九十\d]+部分")
CONTENTS = re.compile(r"^目\s*录")


def _unit_in(text: str) -> str | None:
    s = PART.sub("", re.sub(r"\s+", "", YEAR.sub("", text)))
    m = UNIT_IN_TITLE.match(s)
    return m.group(1) if m else None


def document_unit(titles: list[str | None], cover: list[str], tables: list[dict]) -> str | None:
    """The unit the tables name most often; else the one a title names (the document's
    title, then the reader's first heading); else the one the cover names (the paragraphs
    before 目录, read as one line: covers wrap)."""
    votes = Counter(str(t["unit"]).strip() for t in tables if t.get("unit") and str(t["unit"]).strip())
    if votes:
        return votes.most_common(1)[0][0]
    for title in titles:
        if title and (u := _unit_in(title)):
            return u
    lines = []
    for text in cover[:4]:
        if CONTENTS.match(text.strip()):
            break
        lines.append(text)
    return _unit_in("".join(lines)) if lines else None
