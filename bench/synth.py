"""Seeded generator of synthetic self-evaluation documents with known anomalies.

    python bench/synth.py --out DIR --docs N --seed S --anomaly-rate R [--formats txt,xlsx]

Writes DIR/doc_00001.txt ... (and .xlsx with --formats txt,xlsx), DIR/truth.csv (one
row per injected anomaly: file, table, row_key, family, rule, line, ...) and
DIR/documents.csv (one row per document: tables, indicator rows, injected or clean).

The documents have the shapes the parser reads today:
- project self-evaluations (预算项目(政策)绩效目标自评表) in the row text layout of
  seed 000: one row per line, tab-separated cells, `# …`/`## … (YYYY年度)` headings,
  page-break continuations (the heading repeated, the indicator grid continued without
  the identity rows), rows split over two lines, a 结果应用建议 block after the scores;
- project self-evaluations (项目支出绩效自评表) in the cell text layout of seed 002's
  attachments: one cell per line, wrapped labels, fund lines by source, declared
  section weights 产出指标(50分) / 数量指标（15）, 总分 | 100 | total;
- department-overall self-evaluations (部门（单位）整体绩效自评表) in the row layout:
  年度主要任务 rows with 项目下达金额/项目执行金额/项目执行率/分值/得分, then the
  indicator grid with 完成程度 as fractions, 总评价得分.

Every clean table is arithmetically consistent under interval rounding: amounts are
printed to 2 (sometimes 3) decimals, some computed from unrounded values (1.6948
printed 1.69 beside a rate computed from 1.6948), rates and scores derived from the
printed values the way a form filler derives them, totals capped by the default rate
bands through 减分项. Anomalies are injected one family at a time (EXR, SCR, FSR,
TGT, CPY) at places recorded in truth.csv. Names are invented from word lists.
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from itertools import count
from pathlib import Path

D = Decimal
_uid = count(1)

# ----------------------------------------------------------------------------- numbers


def dq(x, dp: int = 2, rounding=ROUND_HALF_UP) -> Decimal:
    return D(x).quantize(D(1).scaleb(-dp), rounding)


def sdec(x: Decimal) -> str:
    """A score/weight as a form prints it: no trailing zeros (86, 12.5, 8.61)."""
    t = format(D(x), "f")
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    return "0" if t in ("", "-0") else t


def samt(x: Decimal, dp: int = 2, thousands: bool = False, integer_ok: bool = False) -> str:
    """An amount printed with `dp` decimals (3000 as "3000" when integer_ok)."""
    x = D(x)
    if integer_ok and x == x.to_integral_value():
        return f"{int(x):,}" if thousands else str(int(x))
    q = dq(x, dp)
    return f"{q:,.{dp}f}" if thousands else f"{q:.{dp}f}"


def spct(x: Decimal, dp: int = 2) -> str:
    """A rate in percent: 63.71%, 79.7%, 100%."""
    x = D(x)
    if x == 100 and dp <= 2:
        return "100%"
    if x == 0:
        return "0.0%" if dp else "0%"
    return f"{dq(x, dp)}%"


def ptol(s: str) -> Decimal:
    """Half a unit of the last printed digit, as the reader takes it (integers: 0.005, "0": exact)."""
    t = s.replace(",", "").replace("%", "").strip()
    if "." in t:
        return D(5).scaleb(-len(t.split(".")[1]) - 1)
    return D(0) if D(t) == 0 else D("0.005")


def pval(s: str) -> Decimal:
    return D(s.replace(",", "").replace("%", "").replace("％", ""))


# ----------------------------------------------------------------------------- word lists
# Invented; no seed unit, project or number is used.

CITIES = ["云溪", "临江", "北原", "东屏", "南陵", "西岭", "安平", "河阳", "松岩", "枫桥", "长垣", "石门", "白沙",
          "清水", "明湖", "新丰", "嘉禾", "泰宁", "永和", "望川", "宁远", "凤台", "金沙", "玉田", "青原", "桐城",
          "兴隆", "瑞安", "平湖", "荷塘"]
LEVELS = ["市", "县", "区"]
BUREAUS = ["教育局", "民政局", "卫生健康委员会", "农业农村局", "文化和旅游局", "人力资源和社会保障局", "自然资源局",
           "生态环境局", "交通运输局", "水利局", "市场监督管理局", "应急管理局", "住房和城乡建设局", "司法局",
           "体育局", "林业局", "退役军人事务局", "医疗保障局", "残疾人联合会", "科学技术局"]
UNIT_SUFFIX = ["本级", "事务服务中心", "综合执法大队", "技术推广站", "信息中心", "服务中心", "管理所", "监测站",
               "综合保障中心", "发展研究中心"]
TOPICS = ["农村饮水安全巩固提升", "义务教育薄弱环节改善", "城乡居民养老保险", "困难群众临时救助", "基层医疗卫生机构能力建设",
          "公共文化服务体系建设", "高标准农田建设", "农机购置补贴", "森林防火", "河道综合治理", "老旧小区改造",
          "残疾人康复服务", "就业创业补贴", "职业技能提升培训", "食品安全抽检", "安全生产监管", "应急物资储备",
          "退役军人优抚", "全民健身设施", "非遗保护传承", "地质灾害防治", "生态环境监测", "污水处理设施运维",
          "农村公路养护", "城乡公交运营", "学生资助", "校舍维修改造", "预防接种服务", "家庭医生签约服务", "法律援助",
          "人民调解", "档案数字化", "政务信息化运维", "市场主体培育", "消费者权益保护", "特色产业发展", "乡村振兴衔接",
          "水土保持治理", "病媒生物防制", "计量检定", "特种设备安全监察", "文物保护修缮", "图书馆免费开放",
          "社区养老服务", "孤儿基本生活保障", "防汛抗旱", "农产品质量安全监测", "动物疫病防控", "耕地质量提升",
          "林业有害生物防治", "城市绿化管护", "背街小巷整治", "公共法律服务", "科普宣传", "人才引进"]
PROJECT_SUFFIX = ["专项资金", "补助资金", "项目", "工作经费", "运行费", "奖补资金", "建设项目", "以奖代补资金", "专项经费"]
PROJECT_PREFIX = ["", "", "", "", "市级", "中央财政", "省级", "{year}年度"]
OBJ = ["困难群众", "农户", "学生", "参训学员", "救助对象", "服务对象", "企业", "老年人", "残疾人", "退役军人", "居民",
       "经营主体", "就业人员", "参保群众", "患者", "游客", "村民", "新市民"]
ACT = ["培训", "宣传", "巡查", "督导检查", "应急演练", "入户走访", "技术指导", "政策宣讲", "专题调度", "业务指导"]
THING = ["道路", "设施", "校舍", "站点", "设备", "档案", "监测点", "管网", "服务网点", "场馆", "机井", "护栏"]
AID = ["补助资金", "救助金", "奖补资金", "慰问金", "生活补贴"]
CROP = ["粮食作物", "经济作物", "蔬菜", "中药材", "茶叶"]
POLICY = ["惠民", "救助", "补贴", "医保", "就业", "防灾减灾", "普法", "安全生产"]
ECO = ["水质", "空气质量", "土壤环境", "饮用水源"]
QUAL_TARGET = ["逐步推开", "有效提升", "明显改善", "稳步提高", "持续改善", "逐步建立", "长期有效", "规范运行",
               "管理规范", "制度有效", "有效保障", "稳步推进"]
QUAL_ACTUAL = ["全部或基本达成预期指标 100%-80% (含)", "达到预期目标", "基本实现", "效果明显", "运行良好",
               "已建立并运行", "成效显著"]
REASONS = ["受疫情影响部分工作延期", "实际需求人数少于预期", "项目实施进度滞后", "资金下达较晚", "部分对象迁出",
           "统计口径调整", "天气原因工期延后", "招标流程延长", "上级政策调整"]
IMPROVE = ["加强项目调度", "提前谋划下年度工作", "完善绩效监控", "加快资金拨付进度"]
GOALS = ["围绕{topic}，按期完成年度建设任务，提升{obj}公共服务水平。", "保障{topic}平稳运行，资金使用规范高效。",
         "完成{topic}年度目标任务，{obj}满意度进一步提高。", "落实{topic}各项政策，确保资金及时足额发放到{obj}。",
         "加强{topic}日常管理，提升服务{obj}的质量和效率。"]
DONES = ["{topic}年度各项工作任务已按计划推进，项目运行平稳。", "{topic}年度任务基本完成，资金使用规范。",
         "{topic}各项指标总体达成，{obj}反映良好。", "{topic}按计划推进实施，取得预期成效。"]
DEPT_GOALS = ["保障{unit}人员及公用经费支出，确保机关正常运转，完成年度重点工作。",
              "履行{unit}职能职责，推进重点任务落实，提升服务效能。",
              "完成{unit}年度工作计划，规范预算管理，提高资金使用效益。"]
DEPT_DONES = ["{unit}各项工作有序开展，保障了机关正常运行。", "{unit}年度重点工作全面推进，预算管理进一步规范。"]

# Indicator templates: (level1, level2, name pattern, unit, kind)
#   kind: count (>=, integer), hi (a rate the higher the better: >= t or = 100), lo (a rate
#   the lower the better: <= t), time (<= days), cost (<= 万元, at most the budget), per (per-unit
#   元), money (>= 万元, not a cost), zero (= 0 events), years (>= years), qual (words)
PROJECT_TEMPLATES = [
    ("产出指标", "数量指标", "{obj}受益人数", "人", "count"),
    ("产出指标", "数量指标", "开展{act}场次", "场", "count"),
    ("产出指标", "数量指标", "{act}次数", "次", "count"),
    ("产出指标", "数量指标", "新建{thing}数量", "个", "count"),
    ("产出指标", "数量指标", "{thing}改造数量", "处", "count"),
    ("产出指标", "数量指标", "发放{aid}人次", "人次", "count"),
    ("产出指标", "数量指标", "{crop}种植面积", "亩", "count"),
    ("产出指标", "数量指标", "服务{obj}户数", "户", "count"),
    ("产出指标", "数量指标", "覆盖乡镇(街道)个数", "个", "count"),
    ("产出指标", "质量指标", "{thing}验收合格率", "%", "hi"),
    ("产出指标", "质量指标", "{aid}发放准确率", "%", "hi"),
    ("产出指标", "质量指标", "{obj}覆盖率", "%", "hi"),
    ("产出指标", "质量指标", "{thing}完好率", "%", "hi"),
    ("产出指标", "质量指标", "档案资料规范率", "%", "hi"),
    ("产出指标", "质量指标", "业务差错率", "%", "lo"),
    ("产出指标", "时效指标", "项目完成时间", "天", "time"),
    ("产出指标", "时效指标", "资金拨付及时率", "%", "hi"),
    ("产出指标", "时效指标", "{act}完成时限", "天", "time"),
    ("产出指标", "时效指标", "问题整改及时率", "%", "hi"),
    ("产出指标", "成本指标", "项目成本控制", "万元", "cost"),
    ("产出指标", "成本指标", "人均补助标准", "元", "per"),
    ("产出指标", "成本指标", "{thing}单位成本", "元", "per"),
    ("产出指标", "成本指标", "{act}费用控制", "万元", "cost"),
    ("效益指标", "经济效益指标", "带动{obj}增收", "万元", "money"),
    ("效益指标", "经济效益指标", "{obj}人均增收", "元", "per"),
    ("效益指标", "社会效益指标", "{policy}政策知晓率", "%", "hi"),
    ("效益指标", "社会效益指标", "{obj}受益覆盖率", "%", "hi"),
    ("效益指标", "社会效益指标", "群众投诉率", "%", "lo"),
    ("效益指标", "社会效益指标", "安全事故发生次数", "次", "zero"),
    ("效益指标", "社会效益指标", "{obj}获得感", "", "qual"),
    ("效益指标", "社会效益指标", "{policy}工作水平", "", "qual"),
    ("效益指标", "生态效益指标", "{eco}达标率", "%", "hi"),
    ("效益指标", "生态效益指标", "{eco}状况", "", "qual"),
    ("效益指标", "可持续影响指标", "长效管理机制", "", "qual"),
    ("效益指标", "可持续影响指标", "{thing}持续发挥效益", "", "qual"),
    ("效益指标", "可持续影响指标", "{thing}设计使用年限", "年", "years"),
    ("满意度指标", "服务对象满意度指标", "{obj}满意度", "%", "hi"),
    ("满意度指标", "服务对象满意度指标", "{obj}满意率", "%", "hi"),
]
LEVEL2_ORDER = ["数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
                "可持续影响指标", "服务对象满意度指标"]
DEPT_TEMPLATES = [
    ("履职效能", "重点工作履行情况", "重点工作办结率", "%", "full"),
    ("履职效能", "重点工作履行情况", "督办事项按时完成率", "%", "full"),
    ("履职效能", "整体工作完成情况", "年度工作计划完成率", "%", "hi"),
    ("履职效能", "整体工作完成情况", "{act}任务完成率", "%", "hi"),
    ("履职效能", "基础管理", "依法行政能力", "", "qual"),
    ("履职效能", "基础管理", "综合管理水平", "", "qual"),
    ("管理效率", "预算收支管理", "预算收入管理规范性", "", "qual"),
    ("管理效率", "预算收支管理", "预算支出管理规范性", "", "qual"),
    ("管理效率", "财务管理", "内控制度有效性", "", "qual"),
    ("管理效率", "资产管理", "固定资产利用率", "%", "hi"),
    ("管理效率", "业务管理", "政府采购违规发生次数", "次", "zero"),
    ("管理效率", "预算编制管理", "预算绩效目标覆盖率", "%", "full"),
    ("管理效率", "预算编制管理", "预算调整率", "%", "lo"),
    ("运行成本", "成本控制成效", "“三公”经费变动率", "%", "le0"),
    ("运行成本", "成本控制成效", "在职人员控制率", "%", "le100"),
    ("社会效应", "社会效益", "{policy}政策知晓率", "%", "hi"),
    ("社会效应", "社会效益", "群众投诉率", "%", "lo"),
    ("社会效应", "服务对象满意度", "服务对象满意度", "%", "hi"),
    ("可持续性", "体制机制改革", "{policy}领域改革", "", "qual"),
    ("可持续性", "创新驱动发展", "业务流程优化", "", "qual"),
]
DEPT_LEVEL1_ORDER = ["履职效能", "预算执行", "管理效率", "运行成本", "社会效应", "可持续性"]
# Realistic units outside the reader's unit list (auditor/normalize/cells.py UNIT); one row in
# about one project table in ten uses one of them (see README, parser gaps).
EXT_TEMPLATES = [
    ("产出指标", "时效指标", "{act}办结时限", "个工作日", "time"),
    ("效益指标", "经济效益指标", "{crop}亩均增产", "公斤", "money"),
    ("效益指标", "社会效益指标", "{policy}服务覆盖面提高", "百分点", "money"),
]


def fill(rng: random.Random, pattern: str, year: int = 2023) -> str:
    return pattern.format(obj=rng.choice(OBJ), act=rng.choice(ACT), thing=rng.choice(THING), aid=rng.choice(AID),
                          crop=rng.choice(CROP), policy=rng.choice(POLICY), eco=rng.choice(ECO), year=year)


def norm(s: str) -> str:
    """Names as the rules compare them: no whitespace, full-width folded, trailing punctuation dropped."""
    import unicodedata
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))
    return re.sub(r"[.,;:。，；：、]+$", "", t)


# ----------------------------------------------------------------------------- model

@dataclass
class Ind:
    level1: str
    level2: str
    name: str
    unit: str
    kind: str
    weight: Decimal = D(0)
    op: str = ""
    target: str = ""
    actual: str = ""
    completion: Decimal | None = None     # percent
    score: Decimal = D(0)
    reason: str = ""
    met: bool = True
    uid: int = field(default_factory=lambda: next(_uid))
    no_target: bool = False               # qualitative row printed without a target text

    def key(self, what: str) -> tuple:
        return ("ind", self.uid, what)


@dataclass
class Source:
    item: str
    role: str
    initial: Decimal
    budget: Decimal
    executed: Decimal
    rate: str = ""
    uid: int = field(default_factory=lambda: next(_uid))


@dataclass
class Project:
    name: str
    dept: str
    unit: str
    year: int
    layout: str                     # row | cell
    budget: Decimal
    executed_true: Decimal
    amount_dp: int = 2
    budget_label: str = "项目预算金额(万元)"
    initial: Decimal | None = None
    sources: list[Source] = field(default_factory=list)
    rate_dp: int = 2
    inds: list[Ind] = field(default_factory=list)
    goal: str = ""
    done: str = ""
    ov: dict = field(default_factory=dict)      # printed values pinned by an injection
    # derived printed values
    budget_s: str = ""
    executed_s: str = ""
    rate_s: str = ""
    exec_score: Decimal = D(0)
    subtotal: Decimal = D(0)
    deduction: Decimal = D(0)
    deduction_s: str = "0"
    total: Decimal = D(0)
    l1_declared: dict = field(default_factory=dict)     # cell layout: 产出指标 -> "50"
    l2_declared: dict = field(default_factory=dict)     # cell layout: (level1, level2) -> "15"
    uid: int = field(default_factory=lambda: next(_uid))
    # layout quirks
    heading_style: int = 0
    page_break_after: int | None = None
    repeat_header: bool = True
    split_rows: set = field(default_factory=set)
    l1_split: set = field(default_factory=set)          # cell layout: level1 label on its own row (seed 002, 3-2)
    thousands: bool = False
    int_amounts: bool = False
    ded3: bool = False
    sym_ops: bool = False             # ≥ / ≤ in the operator column
    fullwidth: bool = False           # some numbers in full-width digits (１２．５)
    blank_break_after: int | None = None   # a page break that left only blank lines
    kind: str = "project"

    @property
    def label(self) -> str:
        return self.name

    def key(self, what: str) -> tuple:
        return ("t", self.uid, what)


@dataclass
class Task:
    item: str
    budget: Decimal
    executed_true: Decimal
    weight: Decimal
    budget_dp: int = 2
    rate_s: str = ""
    score: Decimal = D(0)
    basic: bool = False
    uid: int = field(default_factory=lambda: next(_uid))

    def key(self, what: str) -> tuple:
        return ("task", self.uid, what)

    @property
    def executed_s(self) -> str:
        if self.executed_true == self.budget:
            return samt(self.budget, self.budget_dp)
        return samt(self.executed_true, 2)


@dataclass
class Dept:
    name: str                       # as printed: 403012某某局本级-330700000
    year: int
    tasks: list[Task] = field(default_factory=list)
    inds: list[Ind] = field(default_factory=list)
    goal: str = ""
    done: str = ""
    ov: dict = field(default_factory=dict)
    budget_out: Decimal = D(0)
    total: Decimal = D(0)
    uid: int = field(default_factory=lambda: next(_uid))
    heading_style: int = 0
    page_break_after: int | None = None
    spaced: bool = False
    sym_ops: bool = False
    blank_break_after: int | None = None
    kind: str = "department"

    @property
    def label(self) -> str:
        return re.sub(r"[-－]+$", "", self.name).strip()

    def key(self, what: str) -> tuple:
        return ("t", self.uid, what)


@dataclass
class Truth:
    table: object
    row_key: str
    family: str
    rule: str
    locator: tuple
    injection: str
    severity: str


@dataclass
class Doc:
    index: int
    layout: str                     # row | cell
    year: int
    tables: list = field(default_factory=list)
    truth: list[Truth] = field(default_factory=list)
    bureau: str = ""
    gaps: bool = True             # include the shapes the reader is known to misread (README, parser gaps)


# ----------------------------------------------------------------------------- indicator values

def split_weights(rng: random.Random, total: Decimal, n: int, dp: int = 1) -> list[Decimal]:
    """n positive weights with `dp` decimals adding up to exactly `total`."""
    if n == 1:
        return [D(total)]
    unit = D(1).scaleb(-dp)
    for _ in range(100):
        raw = [rng.uniform(0.6, 1.4) for _ in range(n)]
        s = sum(raw)
        parts = [dq(D(total) * D(r) / D(s), dp) for r in raw[:-1]]
        last = D(total) - sum(parts)
        if all(p >= unit * 5 for p in parts) and last >= unit * 5:
            return parts + [last]
    base = dq(D(total) / n, dp, ROUND_DOWN)
    return [base] * (n - 1) + [D(total) - base * (n - 1)]


def even_weights(rng: random.Random, total: Decimal, n: int) -> list[Decimal]:
    """Template-like weights: equal shares (12.5 × 4), the remainder on the first rows (16.6, 16.8 ...)."""
    if rng.random() < 0.5:
        return split_weights(rng, total, n, dp=rng.choice([0, 1]) if total >= 5 * n else 1)
    base = dq(D(total) / n, 1, ROUND_DOWN)
    parts = [base] * n
    rest = D(total) - base * n
    parts[0] += rest
    return parts


def set_numeric(ind: Ind, rng: random.Random, met: bool, budget: Decimal | None = None) -> None:
    """Choose operator, target and actual for the indicator's kind; met or surely missed."""
    k = ind.kind
    ind.met = met
    ind.reason = ""
    if k == "qual":
        ind.op = ""
        ind.target = "" if ind.no_target else rng.choice(QUAL_TARGET)
        ind.actual = rng.choice(QUAL_ACTUAL)
        ind.met = True
        ind.completion = D(100)
        return
    if k == "count":
        if ind.unit in ("场", "次", "个", "处"):
            t = rng.choice([rng.randint(1, 12), rng.randint(10, 120)])
        else:
            t = rng.choice([rng.randint(10, 300), rng.randint(200, 20000)])
        ind.op, ind.target = ">=", str(t)
        a = rng.randint(t, int(t * 1.25) + 1) if met else rng.randint(max(0, int(t * 0.55)), t - 1) if t > 1 else 0
        ind.actual = str(a)
        comp = D(100) if met else D(a) / D(t) * 100
    elif k in ("hi", "full"):
        if k == "full" or rng.random() < 0.35:
            ind.op, t = "=", D(100)
            ind.target = "100"
            a = D(100) if met else dq(D(rng.uniform(85, 98.9)), 1)
        else:
            t = D(rng.choice([80, 85, 90, 92, 95, 96, 98, 99]))
            ind.op, ind.target = ">=", str(t)
            a = dq(D(rng.uniform(float(t), 100)), rng.choice([0, 1])) if met else \
                dq(t - D(rng.uniform(1.5, 9)), 1)
        ind.actual = sdec(a)
        comp = D(100) if met else a / t * 100
    elif k == "lo":
        t = D(rng.choice([1, 2, 3, 5, 8, 10]))
        ind.op, ind.target = "<=", str(t)
        a = dq(D(rng.uniform(0, float(t))), 1) if met else dq(t + D(rng.uniform(0.5, 4)), 1)
        ind.actual = sdec(a)
        comp = D(100) if met else t / a * 100
    elif k == "le0":
        ind.op, ind.target, ind.actual = "<=", "0", "0" if met else sdec(dq(D(rng.uniform(-8, -0.5)), 1))
        ind.met = True            # a fall in 三公 spending meets "<= 0"
        comp = D(100)
    elif k == "le100":
        ind.op, ind.target = "<=", "100"
        ind.actual = sdec(dq(D(rng.uniform(85, 100)), rng.choice([0, 1])))
        ind.met = True
        comp = D(100)
    elif k == "time":
        t = rng.choice([3, 5, 7, 10, 15]) if ind.unit == "个工作日" else \
            rng.choice([15, 30, 60, 90, 120, 180, 240, 300, 365])
        ind.op, ind.target = "<=", str(t)
        a = rng.randint(int(t * 0.6), t) if met else t + rng.randint(3, 30)
        ind.actual = str(a)
        comp = D(100) if met else D(t) / D(a) * 100
    elif k == "cost":
        b = budget if budget and budget > 0 else D(10)
        t = dq(b * D(rng.uniform(0.55, 1.0)), 2, ROUND_DOWN)
        if t <= 0:
            t = dq(b, 2, ROUND_DOWN)
        ind.op, ind.target = "<=", sdec(t)
        ind.actual = sdec(dq(t * D(rng.uniform(0.6, 1.0)), 2, ROUND_DOWN))
        ind.met = True
        comp = D(100)
    elif k == "per":
        t = D(rng.choice([120, 200, 300, 500, 800, 1000, 1500, 2400, 3600]))
        if rng.random() < 0.5:
            ind.op, ind.target, ind.actual = "=", str(t), str(t)
            ind.met, comp = True, D(100)
        else:
            ind.op, ind.target = ">=", str(t)
            a = t + rng.choice([0, 10, 50, 100]) if met else t - rng.choice([20, 50, 100])
            ind.actual = str(a)
            comp = D(100) if met else D(a) / t * 100
    elif k == "money":
        t = D(rng.choice([1, 2, 3, 5])) if ind.unit == "百分点" else D(rng.choice([5, 10, 20, 50, 80, 100, 200]))
        ind.op, ind.target = ">=", str(t)
        a = dq(t * D(rng.uniform(1.0, 1.4)), 1) if met else dq(t * D(rng.uniform(0.5, 0.9)), 1)
        ind.actual = sdec(a)
        comp = D(100) if met else a / t * 100
    elif k == "zero":
        ind.op, ind.target, ind.actual = "=", "0", "0"
        ind.met, comp = True, D(100)
    elif k == "years":
        t = rng.choice([5, 8, 10, 15, 20])
        ind.op, ind.target, ind.actual = ">=", str(t), str(t + rng.choice([0, 0, 5]))
        ind.met, comp = True, D(100)
    else:
        raise ValueError(k)
    ind.completion = D(100) if ind.met else min(dq(comp, 2), D("99.99"))
    if not ind.met:
        ind.reason = rng.choice(REASONS)


def rescore(ind: Ind) -> None:
    """Score from weight and completion: full weight when met, weight × completion otherwise."""
    if ind.met:
        ind.score = ind.weight
    else:
        ind.score = min(dq(ind.weight * ind.completion / 100, 2), ind.weight - D("0.01"))


# ----------------------------------------------------------------------------- builders

def unique_name(rng: random.Random, used: set, make) -> str:
    for _ in range(200):
        n = make()
        if norm(n) not in used:
            used.add(norm(n))
            return n
    n = make() + str(len(used))
    used.add(norm(n))
    return n


def band_cap(rate: Decimal) -> Decimal | None:
    """The default cap bands of auditor's configuration (SCR007)."""
    if rate < 60:
        return D(59)
    if rate < 70:
        return D(79)
    if rate < 80:
        return D(89)
    return None


def project_indicators(rng: random.Random, n: int, budget: Decimal, year: int, gaps: bool = True) -> list[Ind]:
    sections = rng.choice([(50, 30, 10), (40, 40, 10), (60, 20, 10), (50, 30, 10), (45, 35, 10)])
    n = max(3, n)
    n_sat = 1 if n < 7 else rng.choice([1, 1, 2])
    n_out = max(1, (n - n_sat) // 2 + rng.choice([0, 0, 1]))
    n_eff = max(1, n - n_sat - n_out)
    n_out = n - n_sat - n_eff
    rows: list[Ind] = []
    names: set = set()
    for level1, k, total in (("产出指标", n_out, sections[0]), ("效益指标", n_eff, sections[1]),
                             ("满意度指标", n_sat, sections[2])):
        pool = [t for t in PROJECT_TEMPLATES if t[0] == level1]
        picked = []
        for _ in range(k):
            for _try in range(60):
                tpl = rng.choice(pool)
                nm = fill(rng, tpl[2], year)
                if norm(nm) not in names:
                    names.add(norm(nm))
                    picked.append(Ind(tpl[0], tpl[1], nm, tpl[3], tpl[4]))
                    break
        picked.sort(key=lambda i: LEVEL2_ORDER.index(i.level2))
        for ind, w in zip(picked, even_weights(rng, D(total), len(picked))):
            ind.weight = w
        rows += picked
    if rng.random() < 0.1 and gaps:
        tpl = rng.choice(EXT_TEMPLATES)
        same = [k for k, i in enumerate(rows) if i.level1 == tpl[0]]
        if same:
            k = rng.choice(same)
            nm = fill(rng, tpl[2], year)
            if norm(nm) not in names:
                rows[k] = Ind(rows[k].level1, rows[k].level2, nm, tpl[3], tpl[4], weight=rows[k].weight)
    for ind in rows:
        set_numeric(ind, rng, met=rng.random() > 0.12, budget=budget)
        if ind.kind == "hi" and ind.op == ">=" and ind.target == "100":
            ind.op = "="
        rescore(ind)
    return rows


def new_project(rng: random.Random, doc: Doc, layout: str, used: set) -> Project:
    year = doc.year
    name = unique_name(rng, used, lambda: rng.choice(PROJECT_PREFIX).format(year=year) + rng.choice(TOPICS)
                       + rng.choice(PROJECT_SUFFIX))
    dept = doc.bureau
    unit = dept + rng.choice(UNIT_SUFFIX) if rng.random() < 0.7 else dept.replace("局", "") + rng.choice(UNIT_SUFFIX)
    mag = rng.choice([(0.5, 20), (10, 300), (100, 5000), (1000, 60000)])
    budget = D(str(round(10 ** rng.uniform(*(__import__("math").log10(m) for m in mag)), 2)))
    int_amounts = rng.random() < 0.25
    if int_amounts and budget > 50:
        budget = D(int(budget))
    amount_dp = 3 if layout == "cell" and rng.random() < 0.25 else 2
    if amount_dp == 3:
        budget = dq(budget + D(rng.randint(0, 9)) / 1000, 3)
    low = 0.8 if layout == "cell" else 0.45
    if rng.random() < 0.3:
        rate_true = D(1)
    else:
        rate_true = D(str(rng.uniform(low, 0.995)))
    if rng.random() < 0.3:
        executed = dq(budget * rate_true, 4)                # unrounded (1.6948 printed 1.69)
    else:
        executed = dq(budget * rate_true, amount_dp)
    if rate_true == 1 or (layout == "cell" and executed / budget < D("0.8")):
        executed = budget           # no rate bands in the cell-layout region: keep its rates at 80% or more
    p = Project(name=name, dept=dept, unit=unit, year=year, layout=layout, budget=budget, executed_true=executed,
                amount_dp=amount_dp, rate_dp=rng.choice([2, 2, 2, 2, 1]))
    p.int_amounts = int_amounts
    p.thousands = rng.random() < 0.15 and budget >= 1000
    p.budget_label = rng.choice(["项目预算金额(万元)", "项目预算金额(万元)", "项目预算金额（万元）", "全年预算数(万元)"])
    topic = name if rng.random() < 0.8 else "“" + name + "”"
    obj = rng.choice(OBJ)
    p.goal = rng.choice(GOALS).format(topic=topic, obj=obj)
    p.done = rng.choice(DONES).format(topic=topic, obj=obj)
    p.ded3 = rng.random() < 0.3
    n = rng.randint(3, 12)
    p.inds = project_indicators(rng, n, budget, year, doc.gaps)
    p.heading_style = rng.randint(0, 1)
    p.sym_ops = rng.random() < 0.2
    p.fullwidth = rng.random() < 0.05 and doc.gaps
    if len(p.inds) >= 3 and rng.random() < 0.15:
        p.blank_break_after = rng.randint(0, len(p.inds) - 2)
    if layout == "row":
        if len(p.inds) >= 4 and rng.random() < 0.25:
            p.page_break_after = rng.randint(1, len(p.inds) - 2)
            p.repeat_header = rng.random() < 0.6
        for i, ind in enumerate(p.inds):
            first_of_l2 = i == 0 or p.inds[i - 1].level2 != ind.level2
            if first_of_l2 and rng.random() < 0.06:
                p.split_rows.add(ind.uid)
    else:
        p.initial = budget if rng.random() < 0.7 else dq(budget * D(rng.uniform(0.7, 1.0)), amount_dp)
        carry = D(0) if rng.random() < 0.7 else dq(budget * D(rng.uniform(0.05, 0.3)), amount_dp)
        other = D(0) if rng.random() < 0.75 else dq(budget * D(rng.uniform(0.02, 0.2)), amount_dp)
        p.sources = [Source("其中：当年财政拨款", "fiscal", D(0), D(0), D(0)),
                     Source("上年结转资金", "carryover", D(0), carry, D(0)),
                     Source("其他资金", "other", D(0), other, D(0))]
        for i, ind in enumerate(p.inds):
            if i == 0 or p.inds[i - 1].level1 != ind.level1:
                if ind.level1 == "产出指标" and rng.random() < 0.35 and doc.gaps:
                    p.l1_split.add(ind.level1)
        p.satisfaction_under_benefit = rng.random() < 0.5
    return p


def split_sources(p: Project, rng: random.Random) -> None:
    """Cell layout: 当年财政拨款 + 上年结转 + 其他 = 年度资金总额 in both columns, exactly as printed."""
    dp = p.amount_dp
    ex = dq(p.executed_true, dp)
    fiscal, carry, other = p.sources
    for s in (carry, other):
        s.initial = s.budget if p.initial == p.budget else dq(s.budget * p.initial / p.budget, dp) if p.budget else D(0)
        if s.executed == 0 and s.budget > 0:
            s.executed = dq(min(s.budget, ex) * D(rng.uniform(0.5, 1.0)), dp)
    if carry.executed + other.executed > ex:
        carry.executed = other.executed = D(0)
    fiscal.budget = p.budget - carry.budget - other.budget
    fiscal.initial = (p.initial or p.budget) - carry.initial - other.initial
    fiscal.executed = ex - carry.executed - other.executed


def finalize_project(p: Project) -> None:
    """Derive every printed figure from the base values, as a form filler does; values
    pinned in p.ov by an injection are kept as they are."""
    dp = p.amount_dp
    ov = p.ov
    p.budget_s = ov.get("budget_s") or samt(p.budget, dp, p.thousands, p.int_amounts)
    p.executed_s = ov.get("executed_s") or samt(p.executed_true, dp, p.thousands,
                                                p.int_amounts and p.executed_true == p.budget)
    if "rate_s" in ov:
        p.rate_s = ov["rate_s"]
    else:
        r = p.executed_true / p.budget * 100 if p.budget else D(0)
        p.rate_s = spct(r, p.rate_dp)
    rate = pval(p.rate_s)
    w = D(10)
    p.exec_score = ov["exec_score"] if "exec_score" in ov else dq(min(w, w * rate / 100), 2)
    sub = sum((i.score for i in p.inds), D(0))
    p.subtotal = sub + ov.get("subtotal_delta", D(0))
    raw = p.subtotal + p.exec_score
    cap = None if (p.layout == "cell" or ov.get("nocap")) else band_cap(rate)
    if cap is not None and raw > cap:
        if p.ded3 and not ov:
            exact = p.subtotal + w * p.executed_true / p.budget - cap
            p.deduction = dq(exact, 3)
            p.deduction_s = f"{p.deduction:.3f}"
        else:
            p.deduction = raw - cap
            p.deduction_s = sdec(p.deduction)
        p.total = cap
    else:
        p.deduction = D(0)
        p.deduction_s = "0"
        p.total = raw
    if "total" in ov:
        p.total = ov["total"]
    if p.layout == "cell":
        # declared section weights = the rows' weights
        p.l1_declared, p.l2_declared = {}, {}
        for ind in p.inds:
            l1 = "效益指标" if ind.level1 == "满意度指标" and getattr(p, "satisfaction_under_benefit", False) \
                else ind.level1
            p.l1_declared[l1] = p.l1_declared.get(l1, D(0)) + ind.weight
            p.l2_declared[(l1, ind.level2)] = p.l2_declared.get((l1, ind.level2), D(0)) + ind.weight
        for k, v in ov.get("l1_declared", {}).items():
            p.l1_declared[k] = v
        for k, v in ov.get("l2_declared", {}).items():
            p.l2_declared[k] = v


def new_dept(rng: random.Random, doc: Doc, used: set) -> Dept:
    code = f"{rng.randint(100, 999)}{rng.randint(0, 999):03d}"
    region = f"{rng.randint(11, 65)}{rng.randint(0, 9999):04d}000"
    unit = unique_name(rng, used, lambda: doc.bureau + rng.choice(["本级", "本级", "事务服务中心", "综合保障中心",
                                                                  "信息中心", "服务中心"]))
    d = Dept(name=f"{code}{unit}-{region}", year=doc.year)
    d.goal = rng.choice(DEPT_GOALS).format(unit=unit)
    d.done = rng.choice(DEPT_DONES).format(unit=unit)
    d.spaced = rng.random() < 0.5
    d.heading_style = rng.randint(0, 2)
    n_proj = rng.choice([0, 1, 1, 2, 3])
    items = [("部门预算基本支出人员经费", True), ("部门预算基本支出公用经费", True)]
    for _ in range(n_proj):
        items.append((unique_name(rng, used, lambda: rng.choice(TOPICS) + "项目"), False))
    wt = D(rng.choice([20, 30, 40])) if len(items) <= 3 else D(rng.choice([30, 40, 50]))
    weights = split_weights(rng, wt, len(items), dp=0 if wt % len(items) == 0 and rng.random() < 0.7 else 1)
    all_full = rng.random() < 0.3
    for (item, basic), w in zip(items, weights):
        if basic and "人员" in item:
            b = D(str(round(rng.uniform(150, 3000), 2)))
        elif basic:
            b = D(str(round(rng.uniform(8, 300), 2)))
        else:
            b = D(str(round(10 ** rng.uniform(0.5, 3.8), 2)))
        bdp = 6 if basic and rng.random() < 0.15 else 2
        if bdp == 6:
            b = dq(b + D(rng.randint(0, 9999)) / 1000000, 6)
        r = D(1) if all_full or rng.random() < 0.35 else D(str(rng.uniform(0.6, 0.995)))
        e = b if r == 1 else dq(b * r, 2)
        d.tasks.append(Task(item=item, budget=b, executed_true=e, weight=w, budget_dp=bdp, basic=basic))
    # an execution rate that is either exactly 100% or surely below it
    sb = sum((t.budget for t in d.tasks), D(0))
    se = sum((t.executed_true for t in d.tasks), D(0))
    if se != sb and se / sb > D("0.995"):
        t = d.tasks[0]
        t.executed_true = dq(t.budget * D("0.9"), 2)
    # indicators
    n = rng.randint(6, 14)
    names: set = set()
    picked: list[Ind] = [Ind("预算执行", "预算执行效率", "预算执行率", "%", "exec")]
    names.add("预算执行率")
    pool = list(DEPT_TEMPLATES)
    while len(picked) < n and pool:
        tpl = pool.pop(rng.randrange(len(pool)))
        nm = fill(rng, tpl[2], doc.year)
        if norm(nm) in names:
            continue
        names.add(norm(nm))
        picked.append(Ind(tpl[0], tpl[1], nm, tpl[3], tpl[4]))
    picked.sort(key=lambda i: (DEPT_LEVEL1_ORDER.index(i.level1),
                               [t[1] for t in DEPT_TEMPLATES].index(i.level2) if i.level2 in
                               [t[1] for t in DEPT_TEMPLATES] else 0))
    rest = D(100) - sum(weights, D(0))
    for ind, w in zip(picked, split_weights(rng, rest, len(picked), dp=1)):
        ind.weight = w
    for ind in picked:
        if ind.kind == "qual" and rng.random() < 0.1 and doc.gaps:
            ind.no_target = True
        if ind.kind != "exec":
            set_numeric(ind, rng, met=rng.random() > 0.1)
            rescore(ind)
    d.inds = picked
    if d.spaced and rng.random() < 0.5 and len(picked) >= 6:
        d.page_break_after = rng.randint(2, len(picked) - 2)
    d.sym_ops = rng.random() < 0.2
    if rng.random() < 0.15:
        d.blank_break_after = rng.randint(0, len(picked) - 2)
    return d


def finalize_dept(d: Dept, rng: random.Random | None = None) -> None:
    ov = d.ov
    for t in d.tasks:
        if t.uid in ov.get("task_rate", {}):
            t.rate_s = ov["task_rate"][t.uid]
        else:
            r = t.executed_true / t.budget * 100 if t.budget else D(0)
            t.rate_s = spct(r, 2) if t.budget else ("100%" if t.executed_true else "0%")
        if t.uid not in ov.get("task_score", {}):
            r = pval(t.rate_s)
            t.score = dq(min(t.weight, t.weight * r / 100), 2)
        else:
            t.score = ov["task_score"][t.uid]
    sb = sum((pval(samt(t.budget, t.budget_dp)) for t in d.tasks), D(0))
    se = sum((pval(t.executed_s) for t in d.tasks), D(0))
    d.budget_out = ov.get("budget_out", sb)
    for ind in d.inds:
        if ind.kind == "exec" and "exec_ind" not in ov:
            ind.op, ind.target, ind.unit = "=", "100", "%"
            if se == sb:
                ind.actual, ind.met, ind.completion, ind.reason = "100", True, D(100), ""
            else:
                r = dq(se / sb * 100, 2)
                ind.actual, ind.met, ind.completion = sdec(r), False, r
                ind.reason = ind.reason or "部分项目支出进度滞后，年底尚有结余"
            rescore(ind)
    d.total = sum((t.score for t in d.tasks), D(0)) + sum((i.score for i in d.inds), D(0))
    if "total" in ov:
        d.total = ov["total"]


# ----------------------------------------------------------------------------- injections
# Each returns the truth rows it planted, or None when it does not apply to the table.

def _t(tbl, row_key, family, rule, locator, inj, sev="error") -> Truth:
    return Truth(tbl, row_key, family, rule, locator, inj, sev)


def _numeric_rows(tbl, kinds=None, met=None) -> list[Ind]:
    out = []
    for i in tbl.inds:
        if i.kind in ("qual",) or not i.op:
            continue
        if getattr(tbl, "layout", "") == "cell" and cell_target(i)[:1] not in ("≥", "≤", "="):
            continue          # printed without an operator (a bare 100%): nothing to compare
        if kinds and i.kind not in kinds:
            continue
        if met is not None and i.met != met:
            continue
        out.append(i)
    return out


def _fund_item(p) -> str:
    return "年度资金总额" if p.layout == "cell" else p.budget_label


def _rate_typo(rng: random.Random, p_true: Decimal, budget: Decimal, executed: Decimal, dp: int) -> str | None:
    """A printed rate that is surely wrong and not the inverted ratio."""
    for _ in range(50):
        choice = rng.random()
        if choice < 0.4:
            s = f"{dq(p_true, 2):.2f}"
            digits = s.replace(".", "")
            if len(digits) >= 3:
                i = rng.randrange(len(digits) - 1)
                d2 = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
                cand = D(d2[:-2] + "." + d2[-2:])
            else:
                continue
        else:
            cand = dq(p_true + D(rng.choice([-1, 1])) * D(rng.uniform(2, 25)), 2)
        if cand <= 0 or cand >= 100 or abs(cand - p_true) < 1:
            continue
        if executed > 0 and abs(cand - budget / executed * 100) < 2:
            continue
        return spct(cand, dp)
    return None


def inj_exr001(doc, p, rng):
    if p.kind == "department":
        cands = [t for t in p.tasks if t.budget > 0 and t.executed_true > 0]
        if not cands:
            return None
        t = rng.choice(cands)
        s = _rate_typo(rng, t.executed_true / t.budget * 100, t.budget, t.executed_true, 2)
        if not s:
            return None
        p.ov.setdefault("task_rate", {})[t.uid] = s
        return [_t(p, t.item, "EXR", "EXR001", t.key("rate"), "exr001-task-rate")]
    if p.executed_true <= 0:
        return None
    r = p.executed_true / p.budget * 100
    if rng.random() < 0.5 and r < 100:
        # the executed amount mistyped; rate and scores derived from the real one
        for _ in range(30):
            f = D(str(rng.uniform(0.55, 0.93)))
            e2 = dq(p.executed_true * f, p.amount_dp)
            if e2 > 0 and abs(e2 / p.budget * 100 - r) > 2 and p.budget / e2 * 100 > 110:
                finalize_project(p)
                p.ov["rate_s"] = p.rate_s
                p.ov["executed_s"] = samt(e2, p.amount_dp, p.thousands)
                if p.layout == "cell":
                    return None if p.sources[1].executed or p.sources[2].executed else \
                        _exr001_cell(p, e2)
                return [_t(p, _fund_item(p), "EXR", "EXR001", p.key("rate"), "exr001-executed-typo")]
        return None
    s = _rate_typo(rng, r, p.budget, p.executed_true, p.rate_dp)
    if not s:
        return None
    p.ov["rate_s"] = s
    return [_t(p, _fund_item(p), "EXR", "EXR001", p.key("rate"), "exr001-rate-typo")]


def _exr001_cell(p, e2):
    # keep the source lines adding up to the mistyped total
    p.sources[0].executed = e2
    p.ov["sources_fixed"] = True
    return [_t(p, _fund_item(p), "EXR", "EXR001", p.key("rate"), "exr001-executed-typo")]


def inj_exr002(doc, p, rng):
    if p.kind == "department":
        cands = [t for t in p.tasks if t.budget > 0 and 0 < t.executed_true < t.budget * D("0.97")]
        if not cands:
            return None
        t = rng.choice(cands)
        p.ov.setdefault("task_rate", {})[t.uid] = spct(t.budget / t.executed_true * 100, 2)
        return [_t(p, t.item, "EXR", "EXR002", t.key("rate"), "exr002-task-inverted")]
    if not (0 < p.executed_true < p.budget * D("0.97")) or p.budget < 5:
        return None
    p.ov["rate_s"] = spct(p.budget / p.executed_true * 100, 2)
    p.ov["nocap"] = True
    return [_t(p, _fund_item(p), "EXR", "EXR002", p.key("rate"), "exr002-inverted")]


def inj_exr003(doc, p, rng):
    if p.kind == "department":
        t = rng.choice(p.tasks)
        t.budget = D(0)
        if t.executed_true == 0:
            t.executed_true = D("12.5")
        p.ov.setdefault("task_rate", {})[t.uid] = "100%"
        return [_t(p, t.item, "EXR", "EXR003", t.key("budget"), "exr003-task-no-budget")]
    if p.layout == "cell":
        other = p.sources[2]
        other.budget = D(0)
        extra = dq(p.budget * D(rng.uniform(0.01, 0.05)), p.amount_dp) or D("0.5")
        if p.executed_true + extra >= p.budget:
            return None
        other.executed = extra
        p.executed_true = dq(p.executed_true, p.amount_dp) + extra
        p.ov["other_rate"] = rng.choice(["100%", ""])
        return [_t(p, "其他资金", "EXR", "EXR003", other.uid, "exr003-other-no-budget")]
    if p.executed_true <= 0:
        return None
    p.ov["budget_s"] = "0"
    p.ov["rate_s"] = "100%"
    return [_t(p, _fund_item(p), "EXR", "EXR003", p.key("budget"), "exr003-no-budget")]


def inj_exr004(doc, p, rng):
    if p.kind != "project" or p.layout != "cell" or p.sources[1].budget != 0:
        return None
    p.ov["carry_rate"] = rng.choice(["100%", "100.00%"])
    return [_t(p, "上年结转资金", "EXR", "EXR004", ("rate", p.sources[1].uid), "exr004-rate-without-amounts",
               "warning")]


def inj_exr005(doc, p, rng):
    if p.kind != "project":
        return None
    p.executed_true = dq(p.budget * D(str(rng.uniform(1.02, 1.2))), p.amount_dp)
    return [_t(p, _fund_item(p), "EXR", "EXR005", p.key("exec_score"), "exr005-overspent-full", "warning")]


def inj_exr006(doc, p, rng):
    if p.kind != "project" or p.layout != "cell":
        return None
    col = rng.choice(["budget", "executed"])
    delta = max(D(1), dq(p.budget * D(str(rng.uniform(0.01, 0.1))), 0))
    p.ov["source_delta"] = (col, delta * rng.choice([-1, 1]) if p.sources[0].budget > delta * 2 else delta)
    return [_t(p, "年度资金总额", "EXR", "EXR006", p.key(col), "exr006-sources-not-total")]


def inj_exr008(doc, p, rng):
    if p.kind != "department":
        return None
    p.tasks = [t for t in p.tasks if t.basic]
    # the basic-expense tasks keep their weights; the project weights move to the indicators
    missing = D(100) - sum((t.weight for t in p.tasks), D(0)) - sum((i.weight for i in p.inds), D(0))
    p.inds[-1].weight += missing
    rescore(p.inds[-1])
    sb = sum((t.budget for t in p.tasks), D(0))
    p.ov["budget_out"] = dq(sb * D(str(rng.uniform(1.5, 8))), 2)
    return [_t(p, "部门年初预算支出金额", "EXR", "EXR008", p.key("dept_budget"), "exr008-basic-only", "warning")]


def _score_tol(scores) -> Decimal:
    return sum((ptol(sdec(x)) for x in scores), D(0))


def inj_scr001(doc, p, rng):
    if p.kind != "project" or p.layout != "row":
        return None
    tol = _score_tol(i.score for i in p.inds) + D("0.05")
    delta = D(rng.choice([-1, 1])) * D(rng.choice([x for x in ["0.5", "1", "2", "3.5", "5", "10"] if D(x) > 2 * tol] or ["10"]))
    sub = sum((i.score for i in p.inds), D(0))
    if sub + delta > 90 or sub + delta <= 0:
        delta = -abs(delta)
    p.ov["subtotal_delta"] = delta
    return [_t(p, "指标自评得分小计", "SCR", "SCR001", p.key("subtotal"), "scr001-subtotal")]


def inj_scr002(doc, p, rng):
    if p.kind == "department":
        finalize_dept(p)
        tol = _score_tol([i.score for i in p.inds] + [t.score for t in p.tasks]) + D("0.05")
        delta = D(rng.choice([x for x in ["0.5", "1", "1.5", "2", "3", "5"] if D(x) > 2 * tol] or ["5"])) * \
            rng.choice([-1, 1])
        if p.total + delta > 100:
            delta = -abs(delta)
        p.ov["total"] = p.total + delta
        return [_t(p, "总得分", "SCR", "SCR002", p.key("total"), "scr002-dept-total")]
    finalize_project(p)
    if p.layout == "cell":      # total = Σ indicator scores + execution score: every printed score's rounding
        tol = _score_tol([i.score for i in p.inds] + [p.exec_score, p.total])
    else:
        tol = _score_tol([p.subtotal, p.exec_score, p.total]) + ptol(p.deduction_s)
    delta = D(rng.choice([x for x in ["0.5", "1", "1.5", "2", "3", "5", "10"] if D(x) > 2 * tol] or ["10"])) * \
        rng.choice([-1, 1])
    if p.total + delta > 100 or (band_cap(pval(p.rate_s)) is not None and p.total + delta > band_cap(pval(p.rate_s))):
        delta = -abs(delta)
    p.ov["total"] = p.total + delta
    return [_t(p, "总得分", "SCR", "SCR002", p.key("total"), "scr002-total")]


def inj_scr003(doc, p, rng):
    if p.kind != "project":
        return None
    finalize_project(p)
    rate = pval(p.rate_s)
    if rate <= 95:
        p.ov["exec_score"] = D(10)
    else:
        p.ov["exec_score"] = p.exec_score - D(rng.choice(["1", "2", "3.5", "5"]))
    return [_t(p, "预算执行率得分", "SCR", "SCR003", p.key("exec_score"), "scr003-exec-score")]


def inj_scr004(doc, p, rng):
    if p.kind != "project" or p.layout != "cell":
        return None
    finalize_project(p)
    delta = D(rng.choice([1, 2, 3, 5])) * rng.choice([-1, 1])
    if rng.random() < 0.5:
        l1 = rng.choice(list(p.l1_declared))
        p.ov.setdefault("l1_declared", {})[l1] = max(p.l1_declared[l1] + delta, D(1)) \
            if p.l1_declared[l1] + delta > 0 else p.l1_declared[l1] + abs(delta)
        return [_t(p, l1, "SCR", "SCR004", p.key("l1:" + l1), "scr004-level1-declared")]
    k = rng.choice(list(p.l2_declared))
    v = p.l2_declared[k] + delta
    p.ov.setdefault("l2_declared", {})[k] = v if v > 0 else p.l2_declared[k] + abs(delta)
    return [_t(p, k[1], "SCR", "SCR004", p.key("l2:" + k[0] + "/" + k[1]), "scr004-level2-declared")]


def inj_scr005(doc, p, rng):
    if len(p.inds) < 4:
        return None
    cands = [i for i in p.inds if i.kind != "exec"]
    if rng.random() < 0.5:
        drop = rng.choice(cands)
        p.inds.remove(drop)
        if not any(i.level1 == drop.level1 for i in p.inds):
            return None
        how = "scr005-row-dropped"
    else:
        ind = rng.choice(cands)
        ind.weight = max(D(1), ind.weight + D(rng.choice([-5, -3, -2, 2, 3, 5])))
        rescore(ind)
        how = "scr005-weight-changed"
    loc = p.key("subtotal") if p.kind == "project" and p.layout == "row" else p.key("total")
    return [_t(p, "权重合计", "SCR", "SCR005", loc, how)]


def inj_scr006(doc, p, rng):
    if p.kind == "department" and rng.random() < 0.4:
        t = rng.choice(p.tasks)
        p.ov.setdefault("task_score", {})[t.uid] = t.weight + D(rng.choice(["0.5", "1", "2", "5"]))
        return [_t(p, t.item, "SCR", "SCR006", t.key("score"), "scr006-task-score")]
    cands = [i for i in p.inds if i.met and i.kind != "exec"]
    if not cands:
        return None
    ind = rng.choice(cands)
    ind.score = ind.weight + D(rng.choice(["0.5", "1", "2", "5", "10"]))
    ind.met = True
    return [_t(p, ind.name, "SCR", "SCR006", ind.key("score"), "scr006-score-above-weight")]


def inj_scr007(doc, p, rng):
    if p.kind != "project" or p.layout != "row":
        return None
    rate = D(str(rng.uniform(0.4, 0.79)))
    p.executed_true = dq(p.budget * rate, p.amount_dp)
    if p.executed_true <= 0:
        return None
    p.ov["nocap"] = True
    finalize_project(p)
    cap = band_cap(pval(p.rate_s))
    if cap is None or p.total <= cap + 1:
        return None
    return [_t(p, "总得分", "SCR", "SCR007", p.key("total"), "scr007-uncapped", "warning")]


def _set_unmet(p, ind, rng) -> None:
    """Make the row miss its target; in the cell layout keep an operator that gets printed."""
    for _ in range(20):
        set_numeric(ind, rng, met=False)
        if getattr(p, "layout", "") != "cell" or cell_target(ind)[:1] in ("≥", "≤", "="):
            return


def inj_fsr001(doc, p, rng):
    cands = [i for i in _numeric_rows(p, kinds=("count", "hi", "lo", "time", "money", "full")) if i.kind != "exec"]
    if not cands:
        return None
    ind = rng.choice(cands)
    _set_unmet(p, ind, rng)
    ind.met, ind.completion, ind.score, ind.reason = True, D(100), ind.weight, ""
    return [_t(p, ind.name, "FSR", "FSR001", ind.key("score"), "fsr001-full-on-unmet")]


def inj_fsr002(doc, p, rng):
    if p.kind != "project" or p.layout != "row":
        return None
    p.executed_true = D(0)
    p.rate_dp = rng.choice([1, 2, 0])
    return [_t(p, _fund_item(p), "FSR", "FSR002", p.key("executed"), "fsr002-nothing-spent")]


def inj_fsr003(doc, p, rng):
    if p.kind != "department":
        return None
    sb = sum((t.budget for t in p.tasks), D(0))
    se = sum((t.executed_true for t in p.tasks), D(0))
    if se / sb > D("0.99"):
        t = max(p.tasks, key=lambda t: t.budget)
        t.executed_true = dq(t.budget * D(str(rng.uniform(0.6, 0.9))), 2)
    ind = next(i for i in p.inds if i.kind == "exec")
    ind.op, ind.target, ind.unit, ind.actual, ind.met, ind.completion, ind.reason = "=", "100", "%", "100", True, \
        D(100), ""
    rescore(ind)
    p.ov["exec_ind"] = True
    return [_t(p, ind.name, "FSR", "FSR003", ind.key("actual"), "fsr003-exec-indicator-full")]


def inj_fsr004(doc, p, rng):
    if p.kind == "project" and p.layout == "cell":
        return None
    cands = [i for i in _numeric_rows(p, met=True) if i.kind != "exec" and i.weight >= 2]
    if not cands:
        return None
    ind = rng.choice(cands)
    ind.score = ind.weight - dq(ind.weight * D(str(rng.uniform(0.1, 0.5))), 1)
    ind.reason = ""
    return [_t(p, ind.name, "FSR", "FSR004", ind.key("score"), "fsr004-partial-on-met", "warning")]


def inj_fsr005(doc, p, rng):
    cands = [i for i in _numeric_rows(p, kinds=("count", "hi", "lo", "time", "money", "full")) if i.kind != "exec"]
    if not cands:
        return None
    ind = rng.choice(cands)
    if ind.met:
        _set_unmet(p, ind, rng)
        rescore(ind)
    ind.reason = ""
    return [_t(p, ind.name, "FSR", "FSR005", ind.key("actual"), "fsr005-unmet-without-reason", "warning")]


def _replace_row(p, rng, make) -> Ind | None:
    """Swap a numeric row for a new one (same level and weight) built by `make`."""
    cands = [i for i in p.inds if i.kind not in ("exec",)]
    if not cands:
        return None
    old = rng.choice(cands)
    new = make(old)
    if new is None:
        return None
    if any(norm(i.name) == norm(new.name) for i in p.inds if i is not old):
        return None
    new.weight = old.weight
    p.inds[p.inds.index(old)] = new
    rescore(new)
    return new


def _mk(old: Ind, name: str, unit: str, kind: str) -> Ind:
    return Ind(old.level1, old.level2, name, unit, kind)


def inj_tgt001(doc, p, rng):
    def make(old):
        ind = _mk(old, rng.choice(["{o}覆盖率", "{o}满意度", "资金到位率", "{o}知晓率"]).format(o=rng.choice(OBJ)),
                  "%", "hi")
        t = rng.choice([80, 85, 90, 95])
        ind.op, ind.target, ind.actual, ind.met, ind.completion = "<=", str(t), str(t), True, D(100)
        return ind
    ind = _replace_row(p, rng, make)
    return ind and [_t(p, ind.name, "TGT", "TGT001", ind.key("op"), "tgt001-higher-capped", "warning")]


def inj_tgt002(doc, p, rng):
    def make(old):
        ind = _mk(old, rng.choice(["群众投诉率", "业务差错率", "审核差错率"]), "%", "lo")
        t = rng.choice([1, 2, 3, 5])
        ind.op, ind.target, ind.actual, ind.met, ind.completion = ">=", str(t), str(t), True, D(100)
        return ind
    ind = _replace_row(p, rng, make)
    return ind and [_t(p, ind.name, "TGT", "TGT002", ind.key("op"), "tgt002-lower-floored", "warning")]


def inj_tgt003(doc, p, rng):
    def make(old):
        ind = _mk(old, rng.choice(["服务被投诉率", "群众投诉率", "业务差错率"]), "%", "lo")
        t = rng.choice([60, 80, 90, 95, 96])
        ind.op, ind.target, ind.actual, ind.met, ind.completion = "<=", str(t), str(rng.randint(0, 3)), True, D(100)
        return ind
    ind = _replace_row(p, rng, make)
    return ind and [_t(p, ind.name, "TGT", "TGT003", ind.key("target"), "tgt003-loose-ceiling", "warning")]


def inj_tgt004(doc, p, rng):
    def make(old):
        ind = _mk(old, rng.choice(["{o}覆盖率", "资金拨付到位率", "{o}参保率"]).format(o=rng.choice(OBJ)), "%", "hi")
        ind.op, ind.target, ind.actual, ind.met, ind.completion = ">=", "100", "100", True, D(100)
        return ind
    ind = _replace_row(p, rng, make)
    return ind and [_t(p, ind.name, "TGT", "TGT004", ind.key("op"), "tgt004-floor-at-full", "info")]


def inj_tgt005(doc, p, rng):
    def make(old):
        ind = _mk(old, rng.choice(["{o}覆盖率", "{o}知晓率", "验收合格率"]).format(o=rng.choice(OBJ)), "%", "hi")
        t = rng.choice([105, 110, 120, 150])
        a = rng.choice([96, 98, 100])
        ind.op, ind.target, ind.actual, ind.met = ">=", str(t), str(a), False
        ind.completion = dq(D(a) / D(t) * 100, 2)
        ind.reason = rng.choice(REASONS)
        return ind
    ind = _replace_row(p, rng, make)
    return ind and [_t(p, ind.name, "TGT", "TGT005", ind.key("target"), "tgt005-rate-above-full", "warning")]


def inj_tgt006(doc, p, rng):
    def make(old):
        ind = _mk(old, fill(rng, rng.choice(["{obj}获得感", "{policy}工作水平", "服务效能"])), "", "qual")
        ind.op, ind.target, ind.actual, ind.met, ind.completion = rng.choice([">=", "="]), \
            rng.choice(["逐步推开", "明显提高", "有效提升", "稳步提高"]), rng.choice(QUAL_ACTUAL), True, D(100)
        return ind
    ind = _replace_row(p, rng, make)
    return ind and [_t(p, ind.name, "TGT", "TGT006", ind.key("target"), "tgt006-operator-on-words", "warning")]


def inj_tgt007(doc, p, rng):
    def make(old):
        if rng.random() < 0.5:
            ind = _mk(old, fill(rng, rng.choice(["{obj}受益人数", "培训人次", "服务{obj}户数"])), "%", "count")
            t = rng.choice([90, 95, 98])
            ind.op, ind.target, ind.actual = ">=", str(t), str(t + rng.choice([0, 1]))
        else:
            ind = _mk(old, fill(rng, rng.choice(["{obj}覆盖率", "{thing}验收合格率"])), "人", "count")
            t = rng.choice([300, 500, 1200])
            ind.op, ind.target, ind.actual = ">=", str(t), str(t + rng.choice([0, 20]))
        ind.met, ind.completion = True, D(100)
        return ind
    ind = _replace_row(p, rng, make)
    return ind and [_t(p, ind.name, "TGT", "TGT007", ind.key("unit"), "tgt007-unit-contradicts-name", "warning")]


def inj_tgt008(doc, p, rng):
    if p.kind != "project":
        return None
    budget = p.budget

    def make(old):
        ind = Ind(old.level1, "成本指标" if old.level1 == "产出指标" else old.level2,
                  rng.choice(["项目成本控制", "项目总成本", "运行经费控制"]), "万元", "cost")
        t = dq(budget * D(str(rng.uniform(1.2, 3))) + 1, 2)
        ind.op, ind.target, ind.actual, ind.met, ind.completion = "<=", sdec(t), sdec(dq(budget * D("0.9"), 2)), \
            True, D(100)
        return ind
    ind = _replace_row(p, rng, make)
    return ind and [_t(p, ind.name, "TGT", "TGT008", ind.key("target"), "tgt008-cost-above-budget", "warning")]


def inj_tgt009(doc, p, rng):
    band = rng.random() < 0.5

    def make(old):
        ind = _mk(old, rng.choice(["资金拨付到位率", "{o}覆盖率", "{o}建档率"]).format(o=rng.choice(OBJ)), "%", "hi")
        ind.target, ind.met, ind.completion = "100", True, D(100)
        if band:        # "=" 100 % rated full on a band that admits 80 %
            ind.op, ind.actual = "=", rng.choice(["全部或基本达成预期指标 100%-80% (含)", "基本完成 90%-100%"])
        else:           # no operator, a numeric actual below 100
            ind.op, ind.actual = "", sdec(dq(D(str(rng.uniform(88, 98.5))), 1))
        return ind
    ind = _replace_row(p, rng, make)
    return ind and [_t(p, ind.name, "TGT", "TGT009", ind.key("actual"), "tgt009-full-without-evidence"
                       + ("-band" if band else ""), "warning")]


def inj_cpy001(doc, p, rng):
    if p.kind != "project":
        return None
    earlier = [t for t in doc.tables if t.kind == "project" and t is not p and doc.tables.index(t) < doc.tables.index(p)
               and not getattr(t, "_injected", False) and len(t.inds) >= 3]
    if not earlier:
        return None
    src = rng.choice(earlier)
    rows = []
    for i in src.inds:
        c = Ind(i.level1, i.level2, i.name, i.unit, i.kind, weight=i.weight)
        c.no_target = i.no_target
        set_numeric(c, rng, met=rng.random() > 0.12, budget=p.budget)
        if c.kind == "hi" and c.op == ">=" and c.target == "100":
            c.op = "="
        rescore(c)
        rows.append(c)
    p.inds = rows
    src._cpy_source = True
    return [_t(p, p.name, "CPY", "CPY001", p.key("first_ind"), "cpy001-indicator-set-copied", "warning")]


def inj_cpy002(doc, p, rng):
    cands = [i for i in p.inds if i.kind != "exec" and i.weight >= 2]
    if not cands:
        return None
    ind = rng.choice(cands)
    w1 = dq(ind.weight / 2, 1)
    dup = Ind(ind.level1, ind.level2, ind.name, ind.unit, ind.kind, weight=ind.weight - w1)
    dup.no_target = ind.no_target
    ind.weight = w1
    set_numeric(dup, rng, met=True, budget=getattr(p, "budget", None))
    if dup.kind == "hi" and dup.op == ">=" and dup.target == "100":
        dup.op = "="
    rescore(ind)
    rescore(dup)
    p.inds.insert(p.inds.index(ind) + 1, dup)
    return [_t(p, ind.name, "CPY", "CPY002", dup.key("name"), "cpy002-duplicate-row", "warning")]


def inj_cpy003(doc, p, rng):
    cands = [i for i in p.inds if i.kind == "qual" and not i.no_target]
    if not cands:
        return None
    ind = rng.choice(cands)
    ind.actual = rng.choice(["完成", "已完成", "全部完成"]) + ind.target
    return [_t(p, ind.name, "CPY", "CPY003", ind.key("actual"), "cpy003-completion-restates-target", "info")]


def inj_cpy004(doc, p, rng):
    groups = []
    for i in p.inds:
        if i.kind != "exec" and i.level2 not in groups:
            groups.append(i.level2)
    if len(groups) < 2:
        return None
    a_l2, b_l2 = rng.sample(groups, 2)
    a = rng.choice([i for i in p.inds if i.level2 == a_l2 and i.kind != "exec"])
    b = rng.choice([i for i in p.inds if i.level2 == b_l2 and i.kind != "exec"])
    first, second = (a, b) if p.inds.index(a) < p.inds.index(b) else (b, a)
    copy = Ind(second.level1, second.level2, first.name, first.unit, first.kind, weight=second.weight)
    copy.no_target = first.no_target
    set_numeric(copy, rng, met=True, budget=getattr(p, "budget", None))
    if copy.kind == "hi" and copy.op == ">=" and copy.target == "100":
        copy.op = "="
    rescore(copy)
    p.inds[p.inds.index(second)] = copy
    return [_t(p, first.name, "CPY", "CPY004", copy.key("name"), "cpy004-under-two-headings", "info")]


def inj_cpy005(doc, p, rng):
    earlier = [t for t in doc.tables if t is not p and doc.tables.index(t) < doc.tables.index(p)
               and norm(t.label) != norm(p.label)]
    if not earlier:
        return None
    src = rng.choice(earlier)
    p.goal = src.goal
    return [_t(p, p.label, "CPY", "CPY005", p.key("goal"), "cpy005-goal-copied", "warning")]


def inj_cpy006(doc, p, rng):
    p.done = rng.choice(["已完成", "完成", "已完成"]) + p.goal
    return [_t(p, p.label, "CPY", "CPY006", p.key("goal"), "cpy006-result-restates-goal", "info")]


INJECTIONS = {
    "EXR": [inj_exr001, inj_exr002, inj_exr003, inj_exr004, inj_exr005, inj_exr006, inj_exr008],
    "SCR": [inj_scr001, inj_scr002, inj_scr003, inj_scr004, inj_scr005, inj_scr006, inj_scr007],
    "FSR": [inj_fsr001, inj_fsr002, inj_fsr003, inj_fsr004, inj_fsr005],
    "TGT": [inj_tgt001, inj_tgt002, inj_tgt003, inj_tgt004, inj_tgt005, inj_tgt006, inj_tgt007, inj_tgt008,
            inj_tgt009],
    "CPY": [inj_cpy001, inj_cpy002, inj_cpy003, inj_cpy004, inj_cpy005, inj_cpy006],
}
FAMILIES = list(INJECTIONS)


# ----------------------------------------------------------------------------- documents

def build_doc(index: int, seed: int, anomaly_rate: float, families: list[str] | None = None,
              gaps: bool = True) -> Doc:
    rng = random.Random(f"synth-{seed}-{index}")
    layout = "cell" if rng.random() < 0.25 else "row"
    year = rng.randint(2019, 2024)
    doc = Doc(index=index, layout=layout, year=year, gaps=gaps)
    doc.bureau = rng.choice(CITIES) + rng.choice(LEVELS) + rng.choice(BUREAUS)
    used: set = set()
    if layout == "row":
        n_dept = rng.choice([0, 1, 1, 1, 2])
        for k in range(n_dept):
            doc.tables.append(new_dept(rng, doc, used))
        for _ in range(rng.randint(1 if n_dept else 2, 7)):
            doc.tables.append(new_project(rng, doc, "row", used))
    else:
        for _ in range(rng.randint(2, 5)):
            doc.tables.append(new_project(rng, doc, "cell", used))
    for t in doc.tables:
        if t.kind == "project" and t.layout == "cell":
            split_sources(t, rng)
    # anomalies: a selected document gets one or two, each in its own table, one family each
    if rng.random() < anomaly_rate:
        n_inj = 1 if rng.random() < 0.7 or len(doc.tables) < 2 else 2
        order = rng.sample(range(len(doc.tables)), len(doc.tables))
        planted = 0
        for ti in order:
            if planted >= n_inj:
                break
            tbl = doc.tables[ti]
            if getattr(tbl, "_cpy_source", False):
                continue
            fams = list(families or FAMILIES)
            rng.shuffle(fams)
            done = None
            for fam in fams:
                fns = list(INJECTIONS[fam])
                rng.shuffle(fns)
                for fn in fns:
                    snapshot = _snapshot(tbl)
                    res = fn(doc, tbl, rng)
                    if res:
                        done = res
                        break
                    _restore(tbl, snapshot)
                if done:
                    break
            if done:
                tbl._injected = True
                doc.truth += done
                planted += 1
    for t in doc.tables:
        if t.kind == "project":
            if t.layout == "cell" and not t.ov.get("sources_fixed"):
                _fix_sources_total(t)
            finalize_project(t)
        else:
            finalize_dept(t)
    return doc


def _snapshot(tbl):
    import copy
    return copy.deepcopy(tbl.__dict__)


def _restore(tbl, snap):
    tbl.__dict__.clear()
    tbl.__dict__.update(snap)


def _fix_sources_total(p: Project) -> None:
    """After an injection changed the executed amount, keep 当年财政拨款 the balancing line."""
    dp = p.amount_dp
    ex = dq(p.executed_true, dp)
    fiscal, carry, other = p.sources
    if carry.executed + other.executed > ex:
        carry.executed = D(0)
        if other.budget > 0:
            other.executed = D(0)
    fiscal.executed = ex - carry.executed - other.executed
    fiscal.budget = p.budget - carry.budget - other.budget


# ----------------------------------------------------------------------------- rendering

class Emitter:
    """Lines of a text document; remembers the line of every keyed cell."""

    def __init__(self):
        self.lines: list[str] = []
        self.loc: dict = {}

    def text(self, s: str = "") -> None:
        self.lines.append(s)

    def row(self, cells: list) -> int:
        n = len(self.lines) + 1
        self.lines.append("\t".join(t for t, _ in cells))
        for _, k in cells:
            if k is not None:
                self.loc.setdefault(k, n)
        return n

    def cells(self, cells: list) -> None:
        """Cell layout: a blank line, then one cell per line, each starting with a tab;
        a wrapped label continues on lines without a tab."""
        self.lines.append("")
        for text, k in cells:
            parts = text.split("\n")
            n = len(self.lines) + 1
            self.lines.append("\t" + parts[0])
            for part in parts[1:]:
                if part == "":
                    self.lines.append("")
                else:
                    self.lines.append(part)
            if k is not None:
                self.loc.setdefault(k, n)


def C(text, key=None):
    return (text, key)


_FW = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
SYM = {">=": "≥", "<=": "≤"}


def fullwidth(rng: random.Random, cells: list) -> list:
    """Word/PDF output with full-width digits in some numeric cells."""
    return [(t.translate(_FW), k) if re.fullmatch(r"[\d.,%]+", t) and rng.random() < 0.5 else (t, k)
            for t, k in cells]


def spaced(rng: random.Random, s: str, on: bool) -> str:
    """PDF wrapping: spaces inside words (预算 执行 率)."""
    if not on or len(s) < 3:
        return s
    out, i = [], 0
    while i < len(s):
        k = rng.choice([1, 2, 2, 3])
        out.append(s[i:i + k])
        i += k
    return " ".join(out)


def pad(cells: list, n: int) -> list:
    return cells + [C("")] * max(0, n - len(cells))


def project_heading(p: Project) -> list[str]:
    if p.heading_style == 0:
        return ["# 预算项目(政策)绩效目标自评表", "", f"({p.year}年度)", ""]
    return [f"## 预算项目(政策)绩效目标自评表 ({p.year}年度)", ""]


def project_row_rows(p: Project, rng: random.Random) -> list:
    """Logical rows of a row-layout project table (seed 000 shape)."""
    W = 19
    rows = []
    rows.append(("id", pad([C("项目(政策)名称"), C(""), C(p.name)], W)))
    rows.append(("id", pad([C("主管部门"), C(""), C(p.dept + "-")], W)))
    rows.append(("id", pad([C("实施单位"), C(""), C(p.unit + "-")], W)))
    rows.append(("fund", pad([C(p.budget_label), C(""), C(p.budget_s, p.key("budget")), C(""), C(""), C(""),
                              C("全年执行数"), C(""), C(""), C(""), C(p.executed_s, p.key("executed")), C(""), C(""),
                              C(""), C("执行率"), C(""), C(p.rate_s, p.key("rate"))], W)))
    rows.append(("goal", pad([C("年度总体目标"), C("年初设定目标")] + [C("")] * 7 + [C("全年实际完成情况")], W)))
    rows.append(("goal", pad([C(""), C(p.goal, p.key("goal"))] + [C("")] * 7 + [C(p.done)], W)))
    rows.append(("header", grid_header_rows()[0]))
    rows.append(("header", grid_header_rows()[1]))
    prev_l1 = prev_l2 = None
    for i, ind in enumerate(p.inds):
        l1 = ind.level1 if ind.level1 != prev_l1 else ""
        l2 = ind.level2 if ind.level2 != prev_l2 or l1 else ""
        prev_l1, prev_l2 = ind.level1, ind.level2
        rows.append((("ind", ind, i), project_ind_cells(p, ind, l1, l2, rng)))
    rows.append(("score", pad([C("指标自评得分小计"), C(""), C(sdec(p.subtotal), p.key("subtotal")), C(""), C(""), C(""),
                               C("预算执行率得分"), C(""), C(""), C(""), C(sdec(p.exec_score), p.key("exec_score")),
                               C(""), C("减分项"), C(""), C(p.deduction_s, p.key("deduction")), C(""),
                               C("绩效自评总得分"), C(""), C(sdec(p.total), p.key("total"))], W)))
    rows.append(("tail", pad([C("结果应用建议"), C(""), C("结果应用建议选项")] + [C("")] * 6 + [C("具体建议内容")], W)))
    rows.append(("tail", pad([C(""), C(""), C("改进预算项目管理(改进措施和方式)")] + [C("")] * 6 + [C("√")], W)))
    rows.append(("tail", pad([C(""), C(""), C("规范财政资金管理")], W)))
    rows.append(("tail", pad([C("其他建议")], W)))
    return rows


def grid_header_rows() -> list:
    W = 19
    h1 = pad([C("绩效指标"), C("一级指标"), C("二级指标"), C("三级指标"), C("年度目标值"), C(""), C(""), C("全年完成值"),
              C("完成程度"), C("分值"), C("得分"), C("未完成原因分析"), C(""), C(""), C(""), C(""), C(""), C("改进措施")], W)
    h2 = pad([C(""), C(""), C(""), C(""), C("运算符号"), C("内容"), C("度量单位"), C(""), C(""), C(""), C(""),
              C("经费保障"), C("制度保障"), C("人员保障"), C("硬件条件保障"), C("其他"), C("原因说明"), C("")], W)
    return [h1, h2]


def project_ind_cells(p: Project, ind: Ind, l1: str, l2: str, rng: random.Random) -> list:
    comp = "100%" if ind.completion is None or ind.completion >= 100 else f"{sdec(ind.completion)}%"
    op = SYM.get(ind.op, ind.op) if p.sym_ops else ind.op
    reason = [C("")] * 6
    if ind.reason:
        reason = [C("")] * 4 + [C("√"), C(ind.reason)]
    cells = [C(""), C(l1, ind.key("level1")), C(l2, ind.key("level2")), C(ind.name, ind.key("name")),
             C(op, ind.key("op")), C(ind.target, ind.key("target")), C(ind.unit, ind.key("unit")),
             C(ind.actual, ind.key("actual")), C(comp, ind.key("completion")), C(sdec(ind.weight), ind.key("weight")),
             C(sdec(ind.score), ind.key("score"))] + reason + [C(rng.choice(IMPROVE) if ind.reason else "")]
    return cells


def render_project_row(em: Emitter, p: Project, rng: random.Random) -> None:
    for line in project_heading(p):
        em.text(line)
    em.loc.setdefault(p.key("table"), len(em.lines) + 1)
    rows = project_row_rows(p, rng)
    for tag, cells in rows:
        if isinstance(tag, tuple) and tag[0] == "ind":
            ind, i = tag[1], tag[2]
            if i == 0:
                em.loc.setdefault(p.key("first_ind"), len(em.lines) + 1)
            if ind.uid in p.split_rows and (cells[1][0] or cells[2][0]):
                # a row split over two lines: labels first, values on the next line
                em.row(cells[:4])
                em.row([C("")] + cells[4:])
            else:
                if not cells[1][0] and rng.random() < 0.15:
                    cells = cells[1:]            # PDF extraction dropped the leading empty cell
                em.row(fullwidth(rng, cells) if p.fullwidth else cells)
            if p.blank_break_after is not None and i == p.blank_break_after:
                em.text("")
                em.text("")
            if p.page_break_after is not None and i == p.page_break_after:
                em.text("")
                em.text(f"## 预算项目(政策)绩效目标自评表 ({p.year}年度)")
                em.text("")
                if p.repeat_header:
                    em.row(grid_header_rows()[0])
                    if rng.random() < 0.5:
                        em.row(grid_header_rows()[1])
        else:
            em.row(cells)
    em.text("")
    em.row([C("主管部门审核意见"), C("改进预算项目管理"), C(""), C("")])
    em.row([C(""), C("规范财政资金管理"), C(""), C("")])
    em.row([C("财政部门审核意见"), C("建议继续全额安排"), C("√"), C("加强资金监管，提高资金使用效益。")])
    em.text("")


def dept_heading(d: Dept) -> list[str]:
    if d.heading_style == 0:
        return ["", "**部门（单位）整体绩效自评表**  ", f"({d.year}年度)", ""]
    return [f"## 部门（单位）整体绩效自评表 ({d.year}年度)", ""]


def render_dept(em: Emitter, d: Dept, rng: random.Random) -> None:
    for line in dept_heading(d):
        em.text(line)
    em.loc.setdefault(d.key("table"), len(em.lines) + 1)
    sp = lambda s: spaced(rng, s, d.spaced)
    W = 16
    bsum = samt(d.budget_out, max([t.budget_dp for t in d.tasks] + [2]))
    bsum = sdec(pval(bsum)) if rng.random() < 0.5 else bsum
    em.row(pad([C("部门（单位）名称"), C(""), C(d.name)], W))
    em.row(pad([C("部门年初预算收入金额"), C(""), C(bsum)], W))
    em.row(pad([C("部门年初预算支出金额"), C(""), C(bsum, d.key("dept_budget"))], W))
    em.row(pad([C(sp("年度主要任务")), C("对应项目"), C(""), C(""), C(""), C(""), C("项目下达金额"),
                C("项目执行金额"), C("项目执行率"), C("分值"), C("得分")], W))
    for t in d.tasks:
        em.row(pad([C(""), C(t.item, t.key("item")), C(""), C(""), C(""), C(""),
                    C(samt(t.budget, t.budget_dp), t.key("budget")), C(t.executed_s, t.key("executed")),
                    C(t.rate_s, t.key("rate")), C(sdec(t.weight), t.key("weight")), C(sdec(t.score), t.key("score"))],
                   W))
    em.row(pad([C(sp("年度目标")), C("年初总体目标"), C(""), C(""), C(""), C(""), C("全年完成情况")], W))
    em.row(pad([C(""), C(d.goal, d.key("goal")), C(""), C(""), C(""), C(""), C(d.done)], W))
    header = pad([C(sp("一级指标")), C(sp("二级指标")), C(sp("三级指标")), C(sp("运算符号")), C(sp("指标值")),
                  C(sp("度量单位")), C(sp("全年完成值")), C(sp("完成程度")), C("分值"), C("得分"), C("偏差原因分析"),
                  C(""), C(""), C(""), C(""), C("改进措施")], W)
    em.row(header)
    em.row(pad([C("")] * 10 + [C(sp("经费保障原因分析")), C(sp("制度保障原因分析")), C(sp("人员保障原因分析")),
                              C(sp("硬件条件保障原因分析")), C(sp("其他原因分析")), C("")], W))
    prev_l1 = prev_l2 = None
    for i, ind in enumerate(d.inds):
        l1 = ind.level1 if ind.level1 != prev_l1 else ""
        l2 = ind.level2 if ind.level2 != prev_l2 or l1 else ""
        prev_l1, prev_l2 = ind.level1, ind.level2
        comp = "1" if ind.completion is None or ind.completion >= 100 else \
            sdec(dq(ind.completion / 100, 2, ROUND_DOWN))
        name = sp(ind.name) if rng.random() < 0.5 else ind.name
        cells = [C(sp(l1), ind.key("level1")), C(sp(l2), ind.key("level2")), C(name, ind.key("name")),
                 C(SYM.get(ind.op, ind.op) if d.sym_ops else ind.op, ind.key("op")), C(ind.target, ind.key("target")),
                 C(ind.unit, ind.key("unit")), C(ind.actual, ind.key("actual")), C(comp, ind.key("completion")),
                 C(sdec(ind.weight), ind.key("weight")), C(sdec(ind.score), ind.key("score"))]
        cells += [C("")] * 4 + [C(ind.reason)] + [C(rng.choice(IMPROVE) if ind.reason else "")]
        em.row(cells)
        if d.blank_break_after is not None and i == d.blank_break_after:
            em.text("")
            em.text("")
            em.text("")
        if d.page_break_after is not None and i == d.page_break_after:
            em.text("")
            em.text(f"## 部门（单位）整体绩效自评表 ({d.year}年度)")
            em.text("")
    em.text("")
    em.row(pad([C("总评价得分"), C(""), C(sdec(d.total), d.key("total"))], 3))
    em.row(pad([C("结果应用建议"), C("结果应用建议选项"), C("具体建议内容")], 3))
    em.row(pad([C(""), C("建议进一步规范预算管理"), C("按照年初既定目标，加强资金管理。")], 3))
    em.row(pad([C("主管部门审核意见"), C("建议继续全额安排"), C("")], 3))
    em.text("")


def cell_rows(p: Project) -> list:
    """Logical rows of a cell-layout project table (seed 002 shape); '\n' marks a
    label wrapped over lines, '\n\n' with a blank line between."""
    dp = p.amount_dp
    fiscal, carry, other = p.sources
    delta_col, delta = p.ov.get("source_delta", (None, D(0)))

    def a(x):
        return "\u3000" + samt(x, dp)
    rows = [
        [C("项目支\n\n出名称"), C(p.name + "\u3000")],
        [C("主管部门"), C("\u3000" + p.dept), C("实施单位"), C("\u3000" + p.unit)],
        [C("项目资金\n（万元）"), C("\u3000"), C("年初\n\n预算数"), C("全年\n\n预算数"), C("全年\n\n执行数"), C("分值"),
         C("执行率"), C("得分")],
        [C(""), C("年度资金总额\u3000"), C(a(p.initial if p.initial is not None else p.budget)),
         C("\u3000" + p.budget_s, p.key("budget")), C("\u3000" + p.executed_s, p.key("executed")), C("\u3000" + "10"),
         C(p.rate_s, p.key("rate")), C(sdec(p.exec_score), p.key("exec_score"))],
        [C(""), C("其中：当年财政拨款\u3000"), C(a(fiscal.initial)),
         C(a(fiscal.budget + (delta if delta_col == "budget" else 0)), fiscal.uid),
         C(a(fiscal.executed + (delta if delta_col == "executed" else 0))), C("\u3000"), C("\u3000"), C("\u3000")],
        [C(""), C("上年结转资金\u3000"), C(samt(carry.initial, dp) if carry.initial else "0"),
         C(samt(carry.budget, dp) if carry.budget else "0", carry.uid),
         C(samt(carry.executed, dp) if carry.executed else "0"), C("\u3000"),
         C(p.ov.get("carry_rate", "\u3000"), ("rate", carry.uid)), C("\u3000")],
        [C(""), C("其他资金"), C(samt(other.initial, dp) if other.initial else "0"),
         C(samt(other.budget, dp) if other.budget else "0", other.uid),
         C(samt(other.executed, dp) if other.executed else "0"), C("\u3000"),
         C(p.ov.get("other_rate", "\u3000") or "\u3000"), C("\u3000")],
        [C("年度总体目标"), C("预期目标"), C("实际完成情况\u3000")],
        [C(""), C(p.goal, p.key("goal")), C(p.done)],
        [C("绩\n\n效\n\n指\n\n标"), C("一级指标"), C("二级指标"), C("三级指标"), C("年度\n\n指标值"), C("实际\n\n完成值"),
         C("分值"), C("得分"), C("偏差原因\n\n分析及\n\n改进措施")],
    ]
    under = getattr(p, "satisfaction_under_benefit", False)
    prev_l1 = prev_l2 = None
    for i, ind in enumerate(p.inds):
        l1 = "效益指标" if ind.level1 == "满意度指标" and under else ind.level1
        first_l1 = l1 != prev_l1
        first_l2 = first_l1 or ind.level2 != prev_l2
        prev_l1, prev_l2 = l1, ind.level2
        l1_text = ""
        if first_l1:
            l1_text = f"{l1}\n\n({sdec(p.l1_declared[l1])}分)"
        l2_text = f"{ind.level2}（{sdec(p.l2_declared[(l1, ind.level2)])}）" if first_l2 else ""
        if first_l2 and len(ind.level2) > 5:
            l2_text = l2_text[:3] + "\n\n" + l2_text[3:]
        target, actual = cell_target(ind), cell_actual(ind)
        value_cells = [C(ind.name, ind.key("name")), C(target, ind.key("target")), C(actual, ind.key("actual")),
                       C(sdec(ind.weight), ind.key("weight")), C(sdec(ind.score), ind.key("score")),
                       C(ind.reason or "\u3000")]
        key1 = p.key("l1:" + l1) if first_l1 else None
        key2 = p.key("l2:" + l1 + "/" + ind.level2) if first_l2 else None
        if first_l1 and l1 in p.l1_split:
            rows.append([C(""), C(l1_text, key1)])
            rows.append([C(l2_text, key2)] + value_cells)
        else:
            rows.append([C(""), C(l1_text, key1), C(l2_text, key2)] + value_cells)
    rows.append([C("总分"), C("100"), C(sdec(p.total), p.key("total")), C("\u3000")])
    return rows


def cell_target(ind: Ind) -> str:
    sym = {">=": "≥", "<=": "≤", "=": "", "": ""}[ind.op]
    if ind.kind == "qual":
        return ({"=": "="}.get(ind.op, sym) + ind.target) if ind.op else ind.target
    if ind.op == "=" and ind.target == "100" and ind.unit == "%":
        return "100%"               # seed 002 prints a full target without its operator
    if ind.op == "=":
        return f"={ind.target}{ind.unit}"
    if not ind.op:
        return f"{ind.target}{ind.unit}"
    return f"{sym}{ind.target}{ind.unit}"


def cell_actual(ind: Ind) -> str:
    if ind.kind == "qual":
        return ind.actual
    return f"{ind.actual}{ind.unit}"


def render_project_cell(em: Emitter, p: Project, k: int) -> None:
    em.text(f"附件3-{k}")
    em.text(f"{p.year}年项目支出绩效自评表")
    em.text("               单位：万元")
    em.loc.setdefault(p.key("table"), len(em.lines) + 2)
    for i, row in enumerate(cell_rows(p)):
        if i == 10:
            em.loc.setdefault(p.key("first_ind"), len(em.lines) + 2)
        em.cells(row)
    em.text("")


def render_txt(doc: Doc) -> tuple[str, dict]:
    em = Emitter()
    rng = random.Random(f"render-{doc.index}-{doc.year}")
    k = 0
    for t in doc.tables:
        if t.kind == "department":
            render_dept(em, t, rng)
        elif t.layout == "row":
            render_project_row(em, t, rng)
        else:
            k += 1
            render_project_cell(em, t, k)
    return "\n".join(em.lines) + "\n", em.loc


# ----------------------------------------------------------------------------- xlsx

def typed(s: str):
    """Printed text -> (cell value, number format) that Excel prints identically."""
    t = s.strip().replace("\u3000", "")
    m = re.fullmatch(r"-?\d+(?:\.(\d+))?%", t)
    if m:
        dp = len(m.group(1) or "")
        return float(D(t[:-1]) / 100), "0" + ("." + "0" * dp if dp else "") + "%"
    m = re.fullmatch(r"-?[\d,]+\.(\d+)", t)
    if m and ("," in t or t.endswith("0")):
        return float(t.replace(",", "")), ("#,##0." if "," in t else "0.") + "0" * len(m.group(1))
    m = re.fullmatch(r"-?\d{1,3}(,\d{3})+", t)
    if m:
        return int(t.replace(",", "")), "#,##0"
    if re.fullmatch(r"-?\d+", t) and len(t) < 12:
        return int(t), "General"
    if re.fullmatch(r"-?\d+\.\d+", t):
        v = float(t)
        return v, "General" if repr(v) == t else "0." + "0" * len(t.split(".")[1])
    return s.replace("\u3000", " ").strip(), "General"


def xlsx_rows(t, rng: random.Random) -> tuple[list[str], list]:
    """Titles and logical rows of a table for a workbook (no text-extraction artefacts)."""
    if t.kind == "department":
        em = Emitter()
        d = t
        saved = d.page_break_after, d.spaced
        d.page_break_after, d.spaced = None, False
        render_dept(em, d, rng)
        d.page_break_after, d.spaced = saved
        titles = ["部门（单位）整体绩效自评表", f"({d.year}年度)"]
        rows = [ln for ln in _rows_of(em) if ln]
        return titles, rows
    if t.layout == "row":
        rows = [cells for _, cells in project_row_rows(t, rng)]
        return ["预算项目(政策)绩效目标自评表", f"({t.year}年度)"], rows
    rows = []
    for row in cell_rows(t):
        rows.append([(re.sub(r"\n+", "", txt), k) for txt, k in row])
    # the label row split off by a text extraction is one row in the workbook
    merged = []
    for r in rows:
        if merged and len(merged[-1]) == 2 and merged[-1][0][0] == "" and re.search(r"\(\d+(\.\d+)?分\)$",
                                                                                    merged[-1][1][0]):
            merged[-1] = merged[-1] + r
        else:
            merged.append(r)
    return [f"{t.year}年项目支出绩效自评表", "单位：万元"], merged


def _rows_of(em: Emitter) -> list:
    """Rows of an Emitter (row layout) back as cells, keys re-attached by line."""
    by_line: dict[int, list] = {}
    for k, n in em.loc.items():
        by_line.setdefault(n, []).append(k)
    out = []
    for n, line in enumerate(em.lines, 1):
        if "\t" not in line:
            continue
        texts = line.split("\t")
        keys = by_line.get(n, [])
        out.append((texts, keys))
    return out


def write_xlsx(doc: Doc, path: Path) -> dict:
    """The same tables as a workbook: one sheet per table or all stacked on one sheet."""
    from openpyxl import Workbook

    rng = random.Random(f"xlsx-{doc.index}")
    wb = Workbook()
    wb.properties.creator = "auditor bench synth"
    import datetime as dt
    wb.properties.created = wb.properties.modified = dt.datetime(2024, 1, 1)
    one_sheet = rng.random() < 0.5 or not doc.gaps
    ws = wb.active
    ws.title = "自评表" if one_sheet else "表1"
    loc: dict = {}
    row = 1
    for n, t in enumerate(doc.tables, 1):
        if not one_sheet and n > 1:
            ws = wb.create_sheet(f"表{n}")
            row = 1
        elif one_sheet and n > 1:
            row += 1
        titles, rows = xlsx_rows(t, random.Random(f"xlsx-{doc.index}-{n}"))
        for title in titles:
            ws.cell(row, 1, title)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=10)
            row += 1
        loc.setdefault(t.key("table"), (ws.title, row))
        first_ind = True
        for cells in rows:
            if isinstance(cells, tuple):            # department rows from an Emitter: (texts, keys)
                texts, keys = cells
                for k in keys:
                    loc.setdefault(k, (ws.title, row))
                values = texts
            else:
                values = [txt for txt, _ in cells]
                for _, k in cells:
                    if k is not None:
                        loc.setdefault(k, (ws.title, row))
                if first_ind and any(isinstance(k, tuple) and k[0] == "ind" for _, k in cells):
                    loc.setdefault(t.key("first_ind"), (ws.title, row))
                    first_ind = False
            for c, txt in enumerate(values, 1):
                if txt.strip().replace("\u3000", ""):
                    v, fmt = typed(txt)
                    cell = ws.cell(row, c, v)
                    if isinstance(v, str) and v.startswith("="):
                        cell.data_type = "s"          # an operator cell ("=", "=100%"), not a formula
                    if fmt != "General":
                        cell.number_format = fmt
            row += 1
    wb.save(path)
    return loc


# ----------------------------------------------------------------------------- corpus

TRUTH_FIELDS = ["file", "table", "row_key", "family", "rule", "line", "sheet", "severity", "injection"]
DOC_FIELDS = ["file", "format", "layout", "tables", "project_tables", "indicator_rows", "injected", "families"]


def generate(out: str | Path, docs: int, seed: int = 0, anomaly_rate: float = 0.3,
             formats: tuple[str, ...] = ("txt",), families: list[str] | None = None,
             start: int = 1, gaps: bool = True) -> dict:
    """Write `docs` documents to `out` with truth.csv and documents.csv; returns counts.
    gaps=False leaves out the shapes the reader is known to misread (see README), to
    measure everything else; the default keeps them, as real documents have them."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    truth_rows, doc_rows = [], []
    for i in range(start, start + docs):
        doc = build_doc(i, seed, anomaly_rate, families, gaps)
        stem = f"doc_{i:05d}"
        n_ind = sum(len(t.inds) for t in doc.tables)
        n_proj = sum(1 for t in doc.tables if t.kind == "project")
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            if fmt == "txt":
                text, loc = render_txt(doc)
                path.write_text(text, encoding="utf-8")
                where = {k: ("", v) for k, v in loc.items()}
            elif fmt == "xlsx":
                where = write_xlsx(doc, path)
            else:
                raise ValueError(f"unknown format {fmt}")
            for tr in doc.truth:
                sheet, line = where.get(tr.locator) or where.get(tr.table.key("table")) or ("", "")
                truth_rows.append({"file": path.name, "table": tr.table.label, "row_key": tr.row_key,
                                   "family": tr.family, "rule": tr.rule, "line": line, "sheet": sheet,
                                   "severity": tr.severity, "injection": tr.injection})
            doc_rows.append({"file": path.name, "format": fmt, "layout": doc.layout, "tables": len(doc.tables),
                             "project_tables": n_proj, "indicator_rows": n_ind, "injected": int(bool(doc.truth)),
                             "families": " ".join(sorted({t.family for t in doc.truth}))})
    for name, fields, rows in (("truth.csv", TRUTH_FIELDS, truth_rows), ("documents.csv", DOC_FIELDS, doc_rows)):
        append = start > 1 and (out / name).exists()     # generate(start=k) continues a corpus
        with open(out / name, "a" if append else "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            if not append:
                w.writeheader()
            w.writerows(rows)
    return {"documents": docs, "files": len(doc_rows), "anomalies": len(truth_rows) // max(1, len(formats))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--anomaly-rate", type=float, default=0.3)
    ap.add_argument("--formats", default="txt", help="comma-separated: txt, xlsx")
    ap.add_argument("--families", default="", help="restrict injections to these families (EXR,SCR,...)")
    ap.add_argument("--without-gap-shapes", action="store_true",
                    help="leave out the shapes the reader is known to misread (README: parser gaps)")
    a = ap.parse_args(argv)
    formats = tuple(f.strip() for f in a.formats.split(",") if f.strip())
    fams = [f.strip().upper() for f in a.families.split(",") if f.strip()] or None
    res = generate(a.out, a.docs, a.seed, a.anomaly_rate, formats, fams, gaps=not a.without_gap_shapes)
    print(f"wrote {res['files']} files ({res['documents']} documents, {res['anomalies']} anomalies) to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
