"""Narrative text -> `claims` rows: every numeric statement a rule can check.

A claim row is one statement found in a sentence. Money is stored in 万元 (a
printed `0元` or `1.5亿元` is converted, the `_raw` column keeps what was printed),
percentages in percent units. `loc` is "line:character" (1-based) for
paragraphs, "line:cell" for text inside a table cell.

Kinds and what their numbers mean:

- ``total_parts`` — a stated total and the parts listed after it (“支出8254.56万元，
  其中基本支出608.81万元……；项目支出7645.75万元”, “按功能科目分：…”, or a
  breakdown in brackets “物业及运行费2万元（物业费1万元，电费0.5万元…）”). One
  claim **per part**: ``value`` = the part, ``base`` = the total, ``subject`` = the
  total's label. All parts of one total share ``base_loc`` (the printed total's
  position), so a rule checks a list with
  ``GROUP BY doc_id, base_loc`` and compares ``sum(value)`` with ``base``.
  A single listed part is a claim too (其中 lists need not be exhaustive).
- ``share`` — “占总支出的7.38%”: ``value`` = the percent, ``other`` = the part
  amount (the amount just before 占), ``base`` = the whole when the text states
  it (the total the 其中 list hangs from, or an earlier amount in the paragraph
  whose label names the same whole), else NULL.
- ``change`` — “较上年减少0.42万元，下降73.01%”: ``value`` = the percent change,
  ``other`` = the amount change, both signed (negative for 减少/下降/压缩…),
  ``base`` = the previous-year amount. When the text states the previous-year
  amount it is used as printed; when it only states the current amount (the
  latest amount labelled with the change's subject, else the total the paragraph
  reports, e.g. “共支出0.15万元”), ``base`` is derived as current − change and
  ``base_raw`` shows the derivation (“0.15+0.42”), its tolerance the sum of both.
  A rule checks |value| against |other| ÷ base (an error only for a printed base).
- ``score`` — “得分97.94分”, “项目产出得分48分”: ``value`` = the score,
  ``subject`` = what was scored (“总分” when the sentence does not say).
- ``year`` — the year a document is about: a title line (subject ``title``), a
  phrase such as “2020年部门整体支出绩效自评” (subject ``evaluated``), the year in
  a quoted notice title 《关于提前下达2024年…》 (subject = that title).
- ``docno`` — a document number 〔2023〕658号 / [2022]705号: ``value`` = its year,
  ``subject`` = the quoted title before it, else the issuer prefix.
- ``score_part`` — “总得分95分，其中项目决策18分、项目过程19分…”: ``value`` = a
  section's score, ``base`` = the total score (all sections of one total share
  ``base_loc``), ``subject`` = the section (决策, 过程, 产出, 效益, 满意度, 预算执行).
- ``flat`` — “…266.8 万元，与上年一致”: ``value`` = ``base`` = the amount said to be
  unchanged (``base_how`` derived), keyed like an ``amount``.
- ``count_rate`` — “共设置绩效指标15个，已完成14个，完成率93.33%”: ``value`` = the
  rate, ``other`` = the count done, ``base`` = the count in all.
- ``absent`` — “…0万元，主要原因是本部门无此项收入”: ``value`` = the amount printed for
  the item the unit says it does not have (the nearest current amount before the phrase,
  or the last of the sentence before a sentence that gives the reason), ``text`` = the
  phrase. A phrase naming a kind of budget (“本部门无政府性基金预算收支”) gives ``subject``
  = the kind and what of it (政府性基金预算收支, 国有资本经营预算支出) and ``value`` NULL: the
  table of that kind is held against it.
- ``empty_table`` — a note printed with a table saying it is empty (此表为空, 本部门无政府性
  基金预算收支，此表无数据), read by auditor.normalize.ledger: ``table_id`` = the table,
  ``text`` = the note, ``subject`` = the table's title.
- ``budget_direction`` — “完成年初预算的96.49%，决算数大于年初预算数的主要原因是…”:
  ``value`` = the rate of the ``budget_rate`` it follows (same sentence or the next),
  ``text`` = the direction words (大于/小于/持平…); an amount after them is NAR010's.
- ``<kind>_blank`` — the same statements with the number left out (“占 %”,
  “减少 万元”, “得分为 分”): ``value`` NULL, ``text`` the blank span.

The extraction is deliberately conservative: a statement it cannot read
completely is emitted with NULL numbers rather than guessed.
"""
from __future__ import annotations

import bisect
import math

import re
from dataclasses import dataclass, field

from auditor.ingest.raw import Paragraph
from auditor.model.tables import put_number
from auditor.normalize.claim_wholes import WHOLE_KEY, bind_earlier_wholes
from auditor.normalize import DocContext, Rows
from auditor.normalize.numbers import Number, parse_number
from auditor.textfold import fold_chars

# full-width ASCII -> ASCII, one character for one, so offsets stay valid
_FW = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FW.update({0x3000: 0x20})
_PAREN = str.maketrans({"（": "(", "）": ")"})

NUM = r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
MONEY = re.compile(NUM + r"\s*(亿元|万元|元|万)(?![人册次户个家件名亩吨套台项条床份/])")
PERCENT = re.compile(NUM + r"\s*%")
SCALE = {"亿元": 10000.0, "万元": 1.0, "万": 1.0, "元": 0.0001}
SENTENCE_END = re.compile(r"[。！？!?]")
CLAUSE_SEP = set("，,；;：:、")
LIST_MARKER = re.compile(r"其中[:：,，]?|按.{1,8}分[:：]|分别为[:：]?|包括[:：]|具体(?:如下|为)[:：]")
COMPARE = re.compile(r"较|比上|比去年|比年初|比预算|比调整|同比|环比|与.{0,12}相比|相比|比\s*(?:19|20)\d\d")
DOWN = "减少|下降|降低|压缩|节约|节省|缩减|降幅|减幅|减"
UP = "增加|增长|上升|提高|增幅|增"
CHANGE = re.compile(rf"({DOWN}|{UP})(?:了|约|为|幅度为|幅度达|幅为|幅达)?\s*" + NUM + r"\s*(亿元|万元|元|万|%)")
# 完成年初预算的100% / 为预算的98.9% / 完成调整预算的 95%
BUDGET_RATE = re.compile(r"(?:完成|为|达到|是|占)(年初预算|调整预算|全年预算|调整后预算|预算)(?:数)?的?\s*" + NUM + r"\s*%")
BUDGET_STATED = re.compile(r"(年初预算|调整预算|全年预算|调整后预算|预算)(?:数)?(?:为|是|安排)?\s*" + NUM
                           + r"\s*(亿元|万元|元|万)")
# 决算数大于预算数55.93万元: the budget is the executed amount minus (or plus) the difference
OVER_BUDGET = re.compile(r"决算数?(大于|高于|超过|多于|超出|小于|低于|少于)(?:年初)?预算数?\s*" + NUM + r"\s*(亿元|万元|元|万)")
# 决算数大于年初预算数的主要原因是…: a direction word with no amount after it
BUDGET_DIRECTION = re.compile(r"决算数?\s*(大于|高于|超过|多于|超出|小于|低于|少于|等于|持平于|与(?:年初|调整)?预算数?持平)"
                              r"\s*(?:年初|调整后?|全年)?(?:预算数?)?")
RESIDUE = re.compile(r"(增加|增长|上升|提高|减少|下降|降低)\s*[(（]\s*(增加|增长|上升|提高|减少|下降|降低)\s*[)）]")
PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:(?:19|20)[XxＸｘ×]{2}\s*年|[XxＸｘ×]{2,}(?=[\u4e00-\u9fff%％])|[XxＸｘ×]{2,}\s*(?:万元|元|%|％))")
GRADE = re.compile(r"(?:评价|评定|自评|绩效)?(?:等级|结果|结论|等次)(?:评定)?(?:为|是|:|：)\s*[“\"]?(优秀|优|良好|良|中等|中|合格|及格|不合格|差)(?![\u4e00-\u9fff]{2})")
GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "及格": "中", "不合格": "差"}
COMPARED_YEAR = re.compile(r"(?:比|较|与)\s*((?:19|20)\d{2})\s*年")
OPENS_WITH_COMPARISON = re.compile(r"^(?:与|较|比|同比|相比|环比)")
PREVIOUS = re.compile(r"(?:上年|去年|上一年度?|上年度)(?:同期)?(?:决算数|决算|支出|为|是|的)*\s*" + NUM
                      + r"\s*(亿元|万元|元|万)")
FROM_TO = re.compile(r"由\s*" + NUM + r"\s*(亿元|万元|元|万)?.{0,6}?(?:到|至)\s*" + NUM + r"\s*(亿元|万元|元|万)")
SCORE = re.compile(r"(得分|总分|评分|自评得分|评价得分|综合得分)(?:为|是|:|：|达)?\s*" + NUM + r"\s*分")
DOCNO = re.compile(r"([\u4e00-\u9fff]{1,12})?[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*(\d{1,5})\s*号")
QUOTED = re.compile(r"《([^《》]{2,120})》")
UNQUOTED_TITLE = re.compile(r"(关于[^《》。;；]{2,100}?的?(?:通知|意见|办法|批复|决定|方案|函))\s*[(（]?\s*$")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
EVALUATED = re.compile(r"((?:19|20)\d{2})\s*年度?\s*(?:部门|单位|项目)?(?:整体)?(?:支出|预算|决算)*"
                       r"(?:绩效)?(?:自评|评价|绩效报告|决算情况)")
TITLE_LINE = re.compile(r"(报告|评价表|自评表|说明|情况|批复表|预算表|决算表)$")
BLANK_FILL = r"(?:\s+|[_＿]+|\s*[_＿]+\s*)"
BLANKS = [
    ("share_blank", re.compile(r"占[^，。；;,\d%]{0,12}?" + BLANK_FILL + r"%")),
    ("change_blank", re.compile(rf"(?:{DOWN}|{UP})(?:了)?" + BLANK_FILL + r"(?:%|万元|亿元|元)")),
    ("score_blank", re.compile(r"(?:得分|总分)(?:为|是)?" + BLANK_FILL + r"分")),
    ("total_parts_blank", re.compile(r"(?:共计|合计|总计|共支出|总额为?|支出|收入)" + BLANK_FILL + r"(?:万元|亿元|元)")),
]
SUBJECT_TRIM = re.compile(r"^(?:\d{4}\s*年度?|截至\d{4}年末?|本年度?|全年|我局|我单位|本单位|本部门|我部门|"
                          r"年终决算|部门决算数?|其中|另外|此外|[一二三四五六七八九十]+[、.]|\d+[、.]|[,，:：；;])+")
TOTALISH = re.compile(r"总|合计|共|全部|整体|全年")
SANGONG = re.compile(r"三公")
SANGONG_ITEMS = (r"因公出国", r"公务用车", r"公务接待")


@dataclass
class _Num:
    start: int
    end: int
    value: float
    tol: float
    raw: str
    num_start: int
    depth: int
    sentence: int
    clause: int
    label: str = ""


@dataclass
class _Para:
    text: str                          # full-width folded, same length as printed
    printed: str
    sentences: list[tuple[int, int]] = field(default_factory=list)
    clauses: list[tuple[int, int]] = field(default_factory=list)
    depth: list[int] = field(default_factory=list)


def _fold(text: str) -> str:
    # one character for one (offsets stay valid); traditional characters read as simplified
    return fold_chars(text).translate(_PAREN)


def _segment(printed: str) -> _Para:
    text = _fold(printed)
    p = _Para(text, printed)
    d = 0
    start = cstart = 0
    for i, ch in enumerate(text):
        if ch in "(《[":
            d += 1
        elif ch in ")》]" and d > 0:
            d -= 1
        p.depth.append(d)
        if SENTENCE_END.match(ch):
            p.sentences.append((start, i + 1))
            p.clauses.append((cstart, i + 1))
            start = cstart = i + 1
        elif ch in CLAUSE_SEP and d == 0:
            p.clauses.append((cstart, i + 1))
            cstart = i + 1
    if start < len(text):
        p.sentences.append((start, len(text)))
    if cstart < len(text):
        p.clauses.append((cstart, len(text)))
    return p


def _index(spans: list[tuple[int, int]], pos: int) -> int:
    """The span (sentence or clause, sorted and disjoint) holding pos; binary search, so a
    long paragraph is read in n·log n, not n²."""
    k = bisect.bisect_right(spans, (pos, math.inf)) - 1
    if k >= 0 and spans[k][0] <= pos < spans[k][1]:
        return k
    return len(spans) - 1


# the first-level sections a performance evaluation scores (决策/过程/产出/效益, 投入/过程/
# 产出/效果, or 预算执行 for a self-evaluation): “项目决策得分18分”, “产出指标（满分50分）得分48分”, “效益20分”
SECTION_SCORE = re.compile(r"(?:项目)?(决策|投入|过程|产出|效益|效果|满意度|预算执行率?)(?:类|方面)?(?:指标)?"
                           r"(?:[(（][^()（）]{0,12}[)）])?(?:得分|得|为|评分)?[:：]?\s*" + NUM + r"\s*分(?!值)")
SECTION_WORDS = {"预算执行率": "预算执行"}
DEDUCTION = re.compile(r"扣分|减分|扣除|扣减")
# an amount said to be unchanged: 与上年数一致, 与上年持平, 同上年持平, 较上年无变化
FLAT = re.compile(r"(?:与|和|同|较|比)(?:上年|去年|上一年度?)(?:数|预算数?|决算数?)?(?:相比)?(?:持平|一致|相同|无变化|没有变化|未变)")
# counts with their rate: “共设置绩效指标15个，已完成14个，完成率93.33%”
COUNT = r"(\d{1,5})\s*(个|项|条)"
COUNT_TOTAL = re.compile(r"(?:共|总共|合计|总计)(?:设置|设定|确定|制定|安排|有|计|涉及)?了?[\u4e00-\u9fff]{0,8}?" + COUNT)
COUNT_DONE = re.compile(r"(?:已|均|全部)?(?:完成|达成|实现|达到|达标)(?:了)?(?:[\u4e00-\u9fff]{0,8}?)" + COUNT)
COUNT_RATE = re.compile(r"(完成|达成|实现|达标)率(?:为|达|是|达到)?\s*" + NUM + r"\s*%")
# a unit saying it has no such item: 本部门无此项收入, 本单位没有该项支出
ABSENT = re.compile(r"(?:无|没有)(?:此项|该项|这项|此类|该类)(?:预算)?(?:收入|支出|收支|经费|资金|安排|预算收支安排)?")
# a unit saying it has none of a kind of budget: 本部门无政府性基金预算收支, 本单位没有国有资本经营预算支出,
# 无使用政府性基金预算安排的支出 (the kind and what of it: 收入 / 支出 / 收支 / nothing said)
ABSENT_KIND = re.compile(r"(?:无|没有)(?:使用)?(政府性基金|国有资本经营)(?:预算)?(?:财政拨款)?(?:相关|安排的?)?(?:财政拨款)?"
                         r"(?:安排的?)?(收入支出|收入和支出|收支|收入|支出)?")
# what may stand before it in its clause: the unit itself, the year, a connective (也无…)
ABSENT_KIND_LEAD = re.compile(r"^(?:(?:19|20)\d{2}\s*年度?|本年度?|当年|全年|本部门|本单位|我部门|我单位|本级|部门|单位|"
                              r"也|并|且|同时|均|亦|故|因此|所以|[\s,，、;；:：])*$")
# …无政府性基金预算收支增减变化 is about a change; 如无…/若无… is a condition
ABSENT_KIND_NOT = re.compile(r"变化|变动|增减|增加|减少|结转|结余|调整|以外|之外")
CONDITIONAL = re.compile(r"如果|假如|倘若|若|如(?=无|没有|本部门|本单位)")
REASON_OPENING = re.compile(r"^(?:主要)?(?:原因|是因为|因为)")


def _r(x: float) -> float:
    return round(x, 10)


def _number(raw_num: str, unit: str | None, printed: str) -> Number:
    n = parse_number(raw_num)
    scale = SCALE.get(unit or "万元", 1.0)
    if n.value is None:
        return Number(raw=printed)
    tol = n.tol
    if n.decimals == 0 and n.value:
        # prose drops trailing zeros and rounds freely (“项目支出5,573万元”): a whole amount
        # in a sentence stands for ±half its unit, unlike a typed table cell
        tol = 0.5
    return Number(raw=printed, value=_r(n.value * scale), tol=_r(tol * scale), decimals=n.decimals, unit="万元")


def _bare(raw: str) -> str:
    """A printed amount without its unit, for derivations such as 110+317.8+156.55."""
    return re.sub(r"\s*(亿元|万元|元|万|亿)\s*$", "", fold_chars(raw).strip())


def _percent(raw_num: str, printed: str, sign: float = 1.0) -> Number:
    n = parse_number(raw_num + "%")
    return Number(raw=printed, value=None if n.value is None else sign * n.value, tol=n.tol, decimals=n.decimals,
                  percent=True, unit="%")


def _signed(n: Number, sign: float) -> Number:
    return Number(raw=n.raw, value=None if n.value is None else sign * n.value, tol=n.tol, decimals=n.decimals,
                  unit=n.unit)


QUANTITY_TRIM = re.compile(r"(预算数|预算|决算数|决算|支出数|数额|金额|数|为|是|达|约|共|合计|总计|共计|安排|总额)+$")
PAST = re.compile(r"上年|去年|上一年|同期|以前年度|年初结转")


def quantity_key(label: str) -> str | None:
    """What an amount is the amount of, as a key two statements of the same quantity
    share (“此外，基本支出预算数为12323.46万元” and “基本支出12323.48万元，占68.48%”
    both give 基本支出). None for amounts of earlier years or without a named subject."""
    s = _subject(label)
    if not s or PAST.search(s):
        return None
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"^.{2,14}?(?=(?:19|20)\d{2}年|本年)", "", s)   # the unit's name before the year
    s = re.sub(r"(?:19|20)\d{2}年度?|本年度?|全年", "", s)
    s = re.sub(r"^[(（][一二三四五六七八九十\d]+[)）]|^[一二三四五六七八九十\d]+[、.．]", "", s)
    s = re.sub(r"预算(?=支出|收入)", "", QUANTITY_TRIM.sub("", s))
    return s if len(s) >= 2 else None


def _subject(text: str) -> str:
    s = SUBJECT_TRIM.sub("", text.strip()).strip(" ，,：:；;")
    s = re.sub(r"(共|合计|总计|为|是|达|约)+$", "", s)
    return s[-30:] if s else ""


def _label_key(label: str) -> str:
    """A label reduced to the words that name a quantity, for matching one label
    against another (经费支出 in “三公”经费共支出)."""
    return re.sub(r"[\s“”\"'‘’「」]|共计|合计|总计|共|的|为|是|达|约", "", label)


class _Extractor:
    def __init__(self, printed: str, loc):
        self.p = _segment(printed)
        self.loc = loc                 # character offset -> "line:col"
        self.out: list[dict] = []
        self.money = self._money()
        self.groups: list[tuple[_Num, list[_Num]]] = []
        t = self.p.text
        # amounts that state a change or a previous-year figure, never a current amount
        self.change_amounts = {m.start(2) for m in CHANGE.finditer(t) if m.group(3) != "%"}
        self.previous_amounts = {m.start(1) for m in PREVIOUS.finditer(t)}
        # an amount its own clause compares (同比增加 X, 比预算数减少 X): never a current amount
        self.previous_amounts |= {n.start for n in self.money if COMPARE.search(n.label)}
        for m in FROM_TO.finditer(t):
            self.previous_amounts.add(m.start(1))
            self.previous_amounts.add(m.start(3))

    # ---- pieces -------------------------------------------------------------
    def _money(self) -> list[_Num]:
        t = self.p.text
        out = []
        for m in MONEY.finditer(t):
            before = t[max(0, m.start() - 1):m.start()]
            after = t[m.end():m.end() + 1]
            if before in ("*", "×", "/", "+", "-") or after in ("*", "×", "+", "-", "="):
                continue  # an operand of a formula, not a stated amount
            n = _number(m.group(1), m.group(2), self.p.printed[m.start():m.end()])
            ci = _index(self.p.clauses, m.start())
            clause_start = self.p.clauses[ci][0]
            out.append(_Num(m.start(), m.end(), n.value, n.tol, n.raw, m.start(), self.p.depth[m.start()],
                            _index(self.p.sentences, m.start()), ci, t[clause_start:m.start()]))
        return out

    def _sentence(self, k: int) -> str:
        a, b = self.p.sentences[k]
        return self.p.printed[a:b].strip()

    def _emit(self, kind: str, start: int, end: int, subject: str | None, value: Number | None = None,
              value_pos: int | None = None, base: tuple[Number, int] | None = None,
              other: tuple[Number, int] | None = None) -> dict:
        row = {"kind": kind, "subject": subject or None, "sentence": self._sentence(_index(self.p.sentences, start)),
               "text": self.p.printed[start:end].strip(), "_pos": start}
        if value is not None:
            put_number(row, "value", value, self.loc(value_pos if value_pos is not None else start))
        if base is not None:
            put_number(row, "base", base[0], self.loc(base[1]))
        if other is not None:
            put_number(row, "other", other[0], self.loc(other[1]))
        self.out.append(row)
        return row

    @staticmethod
    def _as_number(n: _Num) -> Number:
        return Number(raw=n.raw, value=n.value, tol=n.tol, unit="万元")

    # ---- kinds ----------------------------------------------------------------
    def _amount_before_semicolon(self, top: list[_Num], start: int) -> bool:
        stop = re.compile(r"[;；。]").search(self.p.text, start)
        end = stop.start() if stop else len(self.p.text)
        return any(start <= n.start < end for n in top)

    def total_parts(self) -> None:
        t = self.p.text
        markers = [m for m in LIST_MARKER.finditer(t) if self.p.depth[m.start()] == 0]
        top = [n for n in self.money if n.depth == 0 and not self._in_change(n)]
        totals: list[tuple[_Num, int]] = []
        for m in markers:
            s = _index(self.p.sentences, m.start())
            before = [n for n in top if n.end <= m.start() and n.sentence in (s, s - 1)]
            # a list opening its sentence hangs from the previous sentence's last amount
            opening = t[self.p.sentences[s][0]:m.start()]
            if not self._amount_before_semicolon(top, m.end()):
                continue   # 人员经费…，主要包括：基本工资、津贴补贴；公用经费…: a list of words
            if before and (before[-1].sentence == s or len(opening.strip()) <= 30):
                totals.append((before[-1], m.end()))
        for i, (total, start) in enumerate(totals):
            s = _index(self.p.sentences, start)
            limit = self.p.sentences[s][1]
            if i + 1 < len(totals) and totals[i + 1][0].start >= start:
                limit = min(limit, totals[i + 1][0].start)   # the next list's total ends this one
            parts: list[_Num] = []
            seen_clauses = set()
            # items separated by ；: each item's first amount is the part, the rest is about it
            itemized = bool(re.search(r"[;；]", t[start:limit]))
            for n in self.money:
                if n.start < start or n.start >= limit or n.depth:
                    continue
                clause = t[self.p.clauses[n.clause][0]:n.start]
                item = len(re.findall(r"[;；]", t[start:n.start])) if itemized else n.clause
                if self._in_change(n) or COMPARE.search(clause) or re.search(rf"({DOWN}|{UP})了?\s*$", clause):
                    if itemized:
                        seen_clauses.add(item)
                        continue
                    break  # a year-on-year clause ends the list
                if item in seen_clauses:
                    continue
                seen_clauses.add(item)
                parts.append(n)
            if parts:
                self.groups.append((total, parts))
        # a breakdown in brackets right after an amount: 2万元（物业费1万元，电费0.5万元…）
        for n in top:
            m = re.match(r"\s*\(([^()]*)\)", t[n.end:])
            if not m or re.search(r"[*×=]", m.group(1)):
                continue
            a, b = n.end + m.start(1), n.end + m.end(1)
            inner = [x for x in self.money if a <= x.start < b]
            if len(inner) >= 2:
                self.groups.append((n, inner))
        for total, parts in self.groups:
            subject = _subject(total.label) or _subject(t[self.p.sentences[total.sentence][0]:total.start])
            for part in parts:
                label_start = self.p.clauses[part.clause][0] if part.depth == 0 else part.start
                if part.depth:
                    k = part.start
                    while k > 0 and t[k - 1] not in "(,，;；、":
                        k -= 1
                    label_start = k
                self._emit("total_parts", label_start, part.end, subject, self._as_number(part), part.start,
                           base=(self._as_number(total), total.start))

    def _whole_core(self, name: str) -> str:
        return re.sub(r"的|总额|总计|合计|共计|总|全年度?|本年度?|年度|整体|全部|为|达", "", name).strip()

    def shares(self) -> None:
        t = self.p.text
        found = []
        for m in PERCENT.finditer(t):
            ci = _index(self.p.clauses, m.start())
            cstart = self.p.clauses[ci][0]
            head = t[cstart:m.start()]
            om = re.search(r"占(.{0,15}?)(?:的)?(?:比重|比例|比)?(?:为|达)?\s*$", head)
            pm = re.search(r"(?:占比|所占比重|比重|所占比例)(?:为|达)?\s*$", head)
            if not om and not pm:
                continue
            whole = om.group(1) if om else ""
            s = _index(self.p.sentences, m.start())
            part = next((n for n in reversed(self.money) if n.end <= m.start() and n.sentence == s
                         and n.depth == 0 and not self._in_change(n)), None)
            base, how = (None, None) if part is None else self._whole_for(part, self._whole_core(whole))
            subject = _subject(part.label) if part is not None else _subject(head)
            row = self._emit("share", cstart, m.end(), subject,
                             _percent(m.group(1), self.p.printed[m.start():m.end()]), m.start(),
                             base=None if base is None else (self._as_number(base), base.start),
                             other=None if part is None else (self._as_number(part), part.start))
            row["base_how"] = how
            if base is None and part is not None:
                row[WHOLE_KEY] = self._whole_key(whole, m.start())
            found.append((row, whole, part, s, _percent(m.group(1), ""), m.end()))
        self._sibling_shares(found)

    def _nested_after(self, previous: tuple, item: tuple) -> bool:
        """占总额的 a%，其中：授予小微企业 … 占总额的 b%: a part introduced by 其中 after
        another share is a part of that part, not its sibling."""
        start = item[2].start if item[2] is not None else item[0]["_pos"]
        return bool(re.search(r"其中", self.p.text[previous[5]:start]))

    def _sibling_shares(self, found: list) -> None:
        """Shares of one named whole listed together (占“三公”经费的 a%；… b%；… c%) are
        siblings. When the text never states the whole, the parts give it: the three
        “三公” items are the 三公 total by definition, and parts whose printed shares add
        up to 100% exhaust their whole. A sibling group also gets a group_id, so a
        rule can add up its shares."""
        runs: list[list] = []
        for item in found:
            row, whole, part, s, pct, _ = item
            key = self._whole_core(whole)
            if runs and runs[-1][-1][3] in (s, s - 1) and self._whole_core(runs[-1][-1][1]) == key \
                    and (key or runs[-1][-1][0].get("base_loc") == row.get("base_loc")) \
                    and not self._nested_after(runs[-1][-1], item):
                runs[-1].append(item)
            else:
                if runs and self._nested_after(runs[-1][-1], item):
                    row["group_id"] = f"N{row['_pos']}"   # not grouped with its whole's other shares
                runs.append([item])
        for run in runs:
            if len(run) < 2:
                continue
            gid = f"S{run[0][0]['_pos']}"
            for row, *_ in run:
                row["group_id"] = gid
            parts = [p for _, _, p, _, _, _ in run]
            if any(p is None for p in parts) or len({p.start for p in parts}) < len(parts) \
                    or any(r.get("base") is not None for r, *_ in run):
                continue
            key = self._whole_core(run[0][1])
            labels = [_label_key(p.label) for p in parts]
            exhaust = False
            if SANGONG.search(key):
                exhaust = len(parts) == 3 and all(any(re.search(w, lab) for lab in labels) for w in SANGONG_ITEMS)
            if not exhaust:
                total = sum(x[4].value for x in run if x[4].value is not None)
                slack = sum(x[4].tol for x in run) + 0.011
                exhaust = abs(total - 100) <= slack and all(x[4].value is not None for x in run)
            if not exhaust:
                continue
            value = _r(sum(p.value for p in parts))
            tol = _r(sum(p.tol for p in parts))
            raw = "+".join(_bare(p.raw) for p in parts)
            for row, *_ in run:
                put_number(row, "base", Number(raw=raw, value=value, tol=tol, unit="万元"), self.loc(parts[0].start))
                row["base_how"] = "sum"

    def _whole_for(self, part: _Num, core: str) -> tuple[_Num | None, str | None]:
        t = self.p.text
        for total, parts in self.groups:
            if part in parts:
                prefix = t[self.p.sentences[total.sentence][0]:total.start]
                if not core or core in prefix:
                    return total, "list"
        if not core:
            return None, None
        for n in reversed(self.money):
            if n.end > part.start or n is part or n.depth or self._in_change(n):
                continue
            if core in n.label and n.value > part.value and (TOTALISH.search(n.label) or n.label.endswith(core)):
                return n, "named"
        return None, None

    def _change_mentions(self, a: int, b: int) -> list:
        t = self.p.text
        return [m for m in CHANGE.finditer(t, a, b) if COMPARE.search(t[a:m.start()])]

    def _in_change(self, n: _Num) -> bool:
        return n.start in self.change_amounts or n.start in self.previous_amounts

    def changes(self) -> None:
        t = self.p.text
        for s, (a, b) in enumerate(self.p.sentences):
            mentions = self._change_mentions(a, b)
            i = 0
            while i < len(mentions):
                m = mentions[i]
                sign = -1.0 if re.fullmatch(DOWN, m.group(1)) else 1.0
                amount = pct = None
                if m.group(3) == "%":
                    pct = m
                else:
                    amount = m
                    if i + 1 < len(mentions) and mentions[i + 1].group(3) == "%":
                        nsign = -1.0 if re.fullmatch(DOWN, mentions[i + 1].group(1)) else 1.0
                        if nsign == sign:
                            pct = mentions[i + 1]
                            i += 1
                i += 1
                first = amount or pct
                last = pct or amount
                cstart = self.p.clauses[_index(self.p.clauses, first.start())][0]
                head = re.split(r"由", t[cstart:first.start()])[0]
                cm = COMPARE.search(head)
                own = _subject(head[:cm.start()] if cm else head) or None
                other = None
                if amount is not None:
                    pos = amount.start(2)
                    other = (_signed(_number(amount.group(2), amount.group(3),
                                             self.p.printed[pos:amount.end()]), sign), pos)
                base, how, current = self._previous(s, first.start(), other, own)
                if other is None and base is not None and self._current_stated is not None:
                    cur, cur_at = self._current_stated
                    other = (Number(raw=f"{_bare(cur.raw)}-{_bare(base[0].raw)}",
                                    value=_r(cur.value - base[0].value), tol=_r(cur.tol + base[0].tol), unit="万元"), cur_at)
                value = None
                if pct is not None:
                    pos = pct.start(2)
                    value = _percent(pct.group(2), self.p.printed[pos:pct.end()], sign)
                subject = own or (_subject(current.label) if current is not None else None) or None
                row = self._emit("change", first.start(), last.end(), subject, value,
                                 pct.start(2) if pct is not None else None, base=base, other=other)
                row["base_how"] = how if base is not None else None
                # the quantity whose previous-year amount `base` is: another document's figure for it
                if how == "derived" and current is not None:
                    row["subject_key"] = self._key(current)

    def _previous(self, s: int, pos: int, other, own: str | None):
        """The previous-year amount of a change at `pos` in sentence `s`, how it was
        found, and the current amount it was derived from. Stated: 上年…X万元, 由X…到Y,
        or an amount labelled with the year the sentence compares with (比2025年…);
        else derived as current − change. Sets _current_stated for 由X到Y."""
        t = self.p.text
        a = self.p.sentences[s][0]
        seg = t[a:pos]
        self._current_stated = None
        pm = None
        for pm in PREVIOUS.finditer(seg):
            pass
        if pm is not None:
            at = a + pm.start(1)
            return (_number(pm.group(1), pm.group(2), self.p.printed[at:a + pm.end()]), at), "stated", None
        fm = None
        for fm in FROM_TO.finditer(seg):
            pass
        if fm is not None:
            at = a + fm.start(1)
            unit = fm.group(2) or fm.group(4)
            cat = a + fm.start(3)
            self._current_stated = (_number(fm.group(3), fm.group(4), self.p.printed[cat:a + fm.end(4)]), cat)
            return ((_number(fm.group(1), unit, self.p.printed[at:a + fm.end(2) if fm.group(2) else a + fm.end(1)]),
                     at), "stated", None)
        ym = None
        for ym in COMPARED_YEAR.finditer(seg):
            pass
        if ym is not None:
            year = ym.group(1)
            named = [n for n in self.money if a <= n.start < pos and n.depth == 0 and not self._in_change(n)
                     and re.search(year + r"\s*年", n.label)]
            if named:
                n = named[-1]
                return (self._as_number(n), n.start), "stated", None
        if other is None or other[0].value is None:
            return None, None, None
        current = self._current(s, pos, own)
        if current is None or current.value is None:
            return None, None, None   # no current amount, or one too long to be a number
        amt = other[0]
        value = current.value - amt.value
        op = "+" if amt.value < 0 else "-"
        raw = f"{_bare(current.raw)}{op}{_bare(amt.raw)}"
        return (Number(raw=raw, value=_r(value), tol=_r(current.tol + amt.tol), unit="万元"), current.start), \
            "derived", current

    def _amounts_before(self, pos: int, lo: int = 0) -> list[_Num]:
        return [n for n in self.money if lo <= n.start and n.end <= pos and n.depth == 0 and not self._in_change(n)]

    def _amount_before(self, pos: int) -> _Num | None:
        """The nearest current amount before `pos` in its sentence (what a phrase such as
        本部门无此项收入 or 与上年一致 is about), or None."""
        before = self._amounts_before(pos, self.p.sentences[_index(self.p.sentences, pos)][0])
        return before[-1] if before else None

    def _current(self, s: int, pos: int, own: str | None = None) -> _Num | None:
        """The current amount a change at `pos` is about: the latest amount labelled
        with the change's own subject (与上年相比，人员经费减少…); else the nearest
        amount before it in its sentence; else, for a sentence that opens with the
        comparison (与上年相比增加…), the leading amount of the sentence before;
        else the total of the list the change follows."""
        if own and len(own) >= 2:
            key = _label_key(own)
            named = [n for n in self._amounts_before(pos) if key and key in _label_key(n.label)]
            if named:
                return named[-1]
        a = self.p.sentences[s][0]
        here = self._amounts_before(pos, a)
        if here:
            return here[-1]
        if s > 0 and OPENS_WITH_COMPARISON.match(self.p.text[a:pos].strip()):
            prev = self._amounts_before(a, self.p.sentences[s - 1][0])
            if prev:
                return prev[0]
        groups = [g for g in self.groups if g[0].start < pos]
        if groups:
            return max(groups, key=lambda g: g[0].start)[0]
        return None

    def amounts(self) -> None:
        """Every amount the text states for a named quantity (kind `amount`): the
        figures that other statements and the tables must agree with."""
        for n in self.money:
            if n.depth or self._in_change(n) or n.value is None:
                continue
            key = self._key(n)
            if key is None:
                continue
            row = self._emit("amount", n.start, n.end, _subject(n.label) or None, self._as_number(n), n.start)
            row["subject_key"] = key

    def _whole_key(self, whole: str, at: int) -> str | None:
        """The quantity key of a share's named whole (占本年支出合计的 → 支出), with the
        year its sentence names, as `_key` gives the amounts."""
        key = quantity_key(self._whole_core(whole) or "")
        if key is None:
            return None
        years = YEAR.findall(self.p.text[self.p.sentences[_index(self.p.sentences, at)][0]:at])
        return f"{years[-1]}|{key}" if years else key

    def _key(self, n: _Num) -> str | None:
        """The quantity an amount is of (`quantity_key`), with the year its sentence
        speaks of when it names one (2010年…预算中，公务用车…1229.65万元)."""
        key = quantity_key(n.label)
        if key is None:
            return None
        a = self.p.sentences[n.sentence][0]
        years = YEAR.findall(self.p.text[a:n.start])
        return f"{years[-1]}|{key}" if years else key

    def budget_rates(self) -> None:
        """“支出1741.75万元，完成年初预算100%”: value = the rate, other = the executed
        amount (the amount the sentence reports), base = the budget the sentence names:
        stated (年初预算1685.82万元), or derived from 决算数大于预算数X万元."""
        t = self.p.text
        for m in BUDGET_RATE.finditer(t):
            s = _index(self.p.sentences, m.start())
            a, b = self.p.sentences[s]
            current = self._current(s, m.start())
            if current is None or current.value is None:
                continue
            base = how = None
            over = [(om.start(), om.end()) for om in OVER_BUDGET.finditer(t, a, b)]
            for bm in BUDGET_STATED.finditer(t, a, b):
                if any(x <= bm.start() < y for x, y in over):
                    continue
                if bm.start(2) != current.start and bm.start() != m.start():
                    at = bm.start(2)
                    base, how = (_number(bm.group(2), bm.group(3), self.p.printed[at:bm.end()]), at), "stated"
                    break
            if base is None:
                om = OVER_BUDGET.search(t, a, b)
                if om:
                    diff = _number(om.group(2), om.group(3), self.p.printed[om.start(2):om.end()])
                    sign = -1.0 if om.group(1) in ("大于", "高于", "超过", "多于", "超出") else 1.0
                    op = "-" if sign < 0 else "+"
                    base = (Number(raw=f"{_bare(current.raw)}{op}{_bare(diff.raw)}",
                                   value=_r(current.value + sign * diff.value), tol=_r(current.tol + diff.tol),
                                   unit="万元"), current.start)
                    how = "derived"
            rate = _percent(m.group(2), self.p.printed[m.start(2):m.end()])
            row = self._emit("budget_rate", m.start(), m.end(), _subject(current.label) or None,
                             rate, m.start(2), base=base, other=(self._as_number(current), current.start))
            row["base_how"] = how
            self._budget_direction(m, s, rate, _subject(current.label) or None)

    def _budget_direction(self, rate_match: re.Match, s: int, rate: Number, subject: str | None) -> None:
        """“完成年初预算的96.49%，决算数大于年初预算数的主要原因是…”: the direction word
        (in the rate's sentence, or opening the next one) against the rate.
        Kind `budget_direction`: value = the rate, text = the words."""
        t = self.p.text
        end = self.p.sentences[min(s + 1, len(self.p.sentences) - 1)][1]
        following = BUDGET_RATE.search(t, rate_match.end(), end)
        dm = BUDGET_DIRECTION.search(t, rate_match.end(), following.start() if following else end)
        if dm and dm.start() >= self.p.sentences[s][1] and t[self.p.sentences[s + 1][0]:dm.start()].strip():
            dm = None   # in the next sentence only as its opening words: else it may be another line's
        if dm and not OVER_BUDGET.match(t, dm.start()):   # with an amount it is NAR010's
            self._emit("budget_direction", dm.start(), dm.end(), subject, rate, rate_match.start(2))

    def _points(self, m: re.Match) -> Number:
        """The score a match's group 2 prints (its text up to the match's end, 分 included)."""
        n = parse_number(m.group(2))
        return Number(raw=self.p.printed[m.start(2):m.end()], value=n.value, tol=n.tol, decimals=n.decimals, unit="分")

    def scores(self) -> None:
        t = self.p.text
        for m in SCORE.finditer(t):
            cstart = self.p.clauses[_index(self.p.clauses, m.start())][0]
            subject = _subject(t[cstart:m.start()]) or "总分"
            self._emit("score", cstart if subject != "总分" else m.start(), m.end(), subject, self._points(m),
                       m.start(2))

    def score_parts(self) -> None:
        """“总得分95分，其中项目决策18分、项目过程19分、项目产出38分、项目效益20分”: one
        claim per section score (``value``), ``base`` = the total score of its sentence or
        of the sentence before, ``subject`` = the section. Sections are counted once; a
        paragraph that deducts points (扣分, 减分) is left out: its sections need not add up."""
        t = self.p.text
        if DEDUCTION.search(t):
            return
        totals = [m for m in SCORE.finditer(t) if not self.p.depth[m.start()]
                  and not SECTION_SCORE.search(t[self.p.clauses[_index(self.p.clauses, m.start())][0]:m.end()])]
        for s, (a, b) in enumerate(self.p.sentences):
            parts = {}
            for m in SECTION_SCORE.finditer(t, a, b):
                words = re.sub(r"[(（][^()（）]*[)）]", "", t[max(a, m.start() - 4):m.start(2)])  # (满分20分) is no weight of its own
                if self.p.depth[m.start()] or re.search(r"分值|满分|权重|占", words):
                    continue
                parts.setdefault(SECTION_WORDS.get(m.group(1), m.group(1)), m)
            prev = self.p.sentences[s - 1][0] if s else a
            near = [m for m in totals if prev <= m.start() < b]
            if len(parts) < 2 or not near:
                continue
            here = [m for m in near if m.start() >= a]
            total = here[0] if here else near[-1]
            base = (self._points(total), total.start(2))
            for section, m in parts.items():
                self._emit("score_part", m.start(), m.end(), section, self._points(m), m.start(2), base=base)

    def docnos(self) -> None:
        t = self.p.text
        quoted = list(QUOTED.finditer(t))
        for m in DOCNO.finditer(t):
            prefix = m.group(1) or ""
            start = m.start(1) if m.group(1) else m.start(2) - 1
            title = next((q.group(1) for q in reversed(quoted) if 0 <= start - q.end() <= 3), None)
            if title is None:
                left = max(0, start - 120)
                um = UNQUOTED_TITLE.search(t[left:start])
                title = self.p.printed[left + um.start(1):left + um.end(1)] if um else None
            n = parse_number(m.group(2))
            self._emit("docno", start, m.end(), title or prefix or None,
                       Number(raw=m.group(2), value=n.value, tol=0.0), m.start(2))
        for q in quoted:
            y = YEAR.search(q.group(1))
            if y:
                pos = q.start(1) + y.start(1)
                self._emit("year", q.start(), q.end(), q.group(1),
                           Number(raw=y.group(1), value=float(y.group(1)), tol=0.0), pos)

    def years(self, title_like: bool) -> None:
        t = self.p.text
        if title_like:
            y = YEAR.search(t)
            if y:
                self._emit("year", 0, len(t), "title", Number(raw=y.group(1), value=float(y.group(1)), tol=0.0),
                           y.start(1))
            return
        for m in EVALUATED.finditer(t):
            if self.p.depth[m.start()]:
                continue
            self._emit("year", m.start(), m.end(), "evaluated",
                       Number(raw=m.group(1), value=float(m.group(1)), tol=0.0), m.start(1))
        for m in COMPARED_YEAR.finditer(t):     # 较2021年决算数 / 与2022年决算数持平: the year compared with
            start = max(t.rfind("。", 0, m.start()), t.rfind("；", 0, m.start())) + 1
            head = re.split(r"\d[\d,.]*\s*(?:亿元|万元|元)", _fold(t[start:m.start()]))[0]
            self._emit("compared_year", m.start(), m.end(), _subject(head) or None,
                       Number(raw=m.group(1), value=float(m.group(1)), tol=0.0), m.start(1))

    def blanks(self) -> None:
        t = self.p.text
        for kind, pattern in BLANKS:
            for m in pattern.finditer(t):
                cstart = self.p.clauses[_index(self.p.clauses, m.start())][0]
                row = self._emit(kind, m.start(), m.end(), _subject(t[cstart:m.start()]) or None)
                row["value_loc"] = self.loc(m.start())

    def wording(self) -> None:
        """Statements whose words betray an unfinished template: 下降（增长）, XX局, 20XX年."""
        t = self.p.text
        for m in RESIDUE.finditer(t):
            row = self._emit("template_residue", m.start(), m.end(), None)
            row["value_loc"] = self.loc(m.start())
        for m in PLACEHOLDER.finditer(t):
            cstart = self.p.clauses[_index(self.p.clauses, m.start())][0]
            row = self._emit("placeholder", m.start(), m.end(), _subject(t[cstart:m.start()]) or None)
            row["value_loc"] = self.loc(m.start())

    def direction_conflicts(self) -> None:
        """减少 X 万元，增长 Y%: the amount and the percent of one change point opposite ways."""
        t = self.p.text
        for a, b in self.p.sentences:
            mentions = self._change_mentions(a, b)
            for x, y in zip(mentions, mentions[1:]):
                if x.group(3) == "%" or y.group(3) != "%" or y.start() - x.end() > 12:
                    continue
                if bool(re.fullmatch(DOWN, x.group(1))) != bool(re.fullmatch(DOWN, y.group(1))):
                    cstart = self.p.clauses[_index(self.p.clauses, x.start())][0]
                    row = self._emit("direction_conflict", x.start(), y.end(),
                                     _subject(re.split(COMPARE, t[cstart:x.start()])[0]) or None)
                    row["value_loc"] = self.loc(y.start(1))

    def absences(self) -> None:
        """“其他资金收入预算50万元，主要原因是本部门无此项收入”: the item the unit says it
        does not have, with the amount printed for it — the nearest current amount before
        the phrase in its sentence, else (for a sentence giving the reason) the last one
        of the sentence before. A change or a previous-year amount is never that amount."""
        t = self.p.text
        for m in ABSENT.finditer(t):
            if self.p.depth[m.start()]:
                continue
            s = _index(self.p.sentences, m.start())
            a = self.p.sentences[s][0]
            n = self._amount_before(m.start())
            if n is None and s > 0 and REASON_OPENING.match(t[a:m.start()].strip(" ，,")):
                before = self._amounts_before(a, self.p.sentences[s - 1][0])
                n = before[-1] if before else None
            if n is None:
                continue
            row = self._emit("absent", m.start(), m.end(), _subject(n.label) or None, self._as_number(n), n.start)
            row["sentence"] = self._sentence(_index(self.p.sentences, n.start))
            if row["sentence"] != self._sentence(s):
                row["sentence"] += self._sentence(s)

    def absent_kinds(self) -> None:
        """“本部门无政府性基金预算收支”: a kind of budget the unit says it has none of — an
        ``absent`` claim with ``subject`` the kind and what of it (政府性基金预算支出, 政府性基金预算收支,
        国有资本经营预算) and no ``value``, held against the table of that kind. Only the unit's own
        statement (the clause names no other subject before it), never a condition or a change."""
        t = self.p.text
        for m in ABSENT_KIND.finditer(t):
            if self.p.depth[m.start()]:
                continue
            c = self.p.clauses[_index(self.p.clauses, m.start())]
            s = self.p.sentences[_index(self.p.sentences, m.start())]
            if not ABSENT_KIND_LEAD.match(t[c[0]:m.start()]) or ABSENT_KIND_NOT.search(t[m.end():c[1]]) \
                    or CONDITIONAL.search(t[s[0]:m.start()]):
                continue
            what = {"收入支出": "收支", "收入和支出": "收支"}.get(m.group(2) or "", m.group(2) or "")
            self._emit("absent", m.start(), m.end(), f"{m.group(1)}预算{what}")

    def unchanged(self) -> None:
        """“公务用车运行维护费预算支出 266.8 万元，与上年一致”: the amount (the nearest
        current amount before the phrase in its sentence) is also last year's (``base``,
        how ``derived``), so another document's figure for last year can be asked for it."""
        t = self.p.text
        for m in FLAT.finditer(t):
            if self.p.depth[m.start()]:
                continue
            n = self._amount_before(m.start())
            if n is None:
                continue
            row = self._emit("flat", n.start, m.end(), _subject(n.label) or None, self._as_number(n), n.start,
                             base=(self._as_number(n), n.start))
            row["base_how"] = "derived"
            row["subject_key"] = self._key(n)

    def count_rates(self) -> None:
        """“共设置绩效指标15个，已完成14个，完成率93.33%”: ``value`` = the rate, ``other`` =
        the count done, ``base`` = the count in all, when the sentence states one of each
        (one total, one count done in the same measure word after it, one rate)."""
        t = self.p.text
        for a, b in self.p.sentences:
            totals = list(COUNT_TOTAL.finditer(t, a, b))
            rates = list(COUNT_RATE.finditer(t, a, b))
            if len(totals) != 1 or len(rates) != 1:
                continue
            total, rate = totals[0], rates[0]
            done = [m for m in COUNT_DONE.finditer(t, total.end(), rate.start()) if m.group(2) == total.group(2)]
            if len(done) != 1 or self.p.depth[total.start()] or self.p.depth[rate.start()]:
                continue
            d = done[0]
            cnt = lambda m: Number(raw=self.p.printed[m.start(1):m.end(2)], value=float(m.group(1)), tol=0.0)
            self._emit("count_rate", total.start(), rate.end(), rate.group(1) + "率",
                       _percent(rate.group(2), self.p.printed[rate.start(2):rate.end()]), rate.start(2),
                       base=(cnt(total), total.start(1)), other=(cnt(d), d.start(1)))

    def grades(self) -> None:
        """“总得分97.94分，评价等级为优”: the grade with the score it is given for."""
        t = self.p.text
        for m in GRADE.finditer(t):
            s = _index(self.p.sentences, m.start())
            a, b = self.p.sentences[s]
            sm = None
            for sm in SCORE.finditer(t, a, m.start()):
                pass
            if sm is None:
                sm = SCORE.search(t, m.end(), b)
            if sm is None:
                continue
            row = self._emit("grade", m.start(), m.end(), GRADE_WORDS.get(m.group(1), m.group(1)),
                             self._points(sm), sm.start(2))
            row["sentence"] = self._sentence(s)

    def run(self, title_like: bool = False, narrative: bool = True) -> list[dict]:
        self.total_parts()
        if narrative:
            self.shares()
            self.changes()
            self.budget_rates()
            self.amounts()
            self.scores()
            self.score_parts()
            self.years(title_like)
            self.blanks()
            self.wording()
            self.direction_conflicts()
            self.grades()
            self.absences()
            self.absent_kinds()
            self.unchanged()
            self.count_rates()
        self.docnos()
        self.out.sort(key=lambda r: r["_pos"])
        for r in self.out:
            del r["_pos"]
        return self.out


def claims_from_text(text: str, loc, title_like: bool = False, narrative: bool = True,
                     whole_keys: bool = False) -> list[dict]:
    """Claims of one block of text; `loc(offset)` gives the "line:col" of a character.
    Rows lack doc_id, claim_id and line, which the caller adds. `whole_keys` keeps, on
    shares left without a whole, the key of the whole they name (for bind_earlier_wholes)."""
    if not text or not re.search(r"\d|%|分|[XxＸｘ×]{2}|[优良中差]|政府性基金|国有资本经营", text):
        return []
    rows = _Extractor(text, loc).run(title_like, narrative)
    if not whole_keys:
        for r in rows:
            r.pop(WHOLE_KEY, None)
    return rows


def _is_title_line(p: Paragraph, k: int) -> bool:
    s = p.text.strip()
    return k < 6 and len(s) <= 40 and bool(YEAR.search(s)) and bool(TITLE_LINE.search(s))


def normalize_claims(paragraphs: list[Paragraph], ctx: DocContext) -> Rows:
    rows: list[dict] = []
    problems: list[dict] = []
    title_is_a_paragraph = any(ctx.title and p.text.strip() == ctx.title.strip() for p in paragraphs[:6])
    if ctx.title and YEAR.search(ctx.title) and TITLE_LINE.search(ctx.title.strip()) and not title_is_a_paragraph:
        y = YEAR.search(ctx.title)
        row = {"doc_id": ctx.doc_id, "claim_id": "H.1", "line": None, "kind": "year", "subject": "title",
               "sentence": ctx.title, "text": ctx.title}
        put_number(row, "value", Number(raw=y.group(1), value=float(y.group(1))), None)
        rows.append(row)
    for k, p in enumerate(paragraphs):
        line = p.line

        def loc(offset: int, p=p) -> str:
            at_line, col = p.where(offset)
            return f"{at_line or 0}:{col}"

        for said in p.repairs:
            problems.append({"doc_id": ctx.doc_id, "table_id": None, "line": line, "kind": "reordered",
                             "detail": said, "text": p.text[:80]})
        found = claims_from_text(p.text, loc, title_like=_is_title_line(p, k), whole_keys=True)
        for j, r in enumerate(found, 1):
            if r.get("group_id"):       # ids name an offset in the paragraph: make them the document's
                r["group_id"] = f"P{k}.{r['group_id']}"
            rows.append({"doc_id": ctx.doc_id, "claim_id": f"L{line or 0}.{j}", "line": line, **r})
    bind_earlier_wholes(rows)
    return {"claims": rows, "problems": problems}


__all__ = ["normalize_claims", "claims_from_text"]
