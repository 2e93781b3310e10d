"""Deterministic synthetic canonical tables for engine comparisons and benchmarks.

`synthetic_canonical(100_000)` gives about 100k indicator rows (50 per project
table, about 2,000 documents) with funds, scores, sections, targets, ledger,
claims and problems around them, and a few percent of seeded defects of the
kinds the rule packs look for (wrong or inverted rates, sums that do not add up,
full scores on missed targets, capped "higher is better" rates, duplicated
indicators, copied indicator sets and goals, ledger rows that do not add up ...).
The same seed always gives the same tables.
"""
from __future__ import annotations

import random

from auditor.model.tables import Canonical

PER_TABLE = 50

_HIGHER = ["参保率", "覆盖率", "知晓率", "到位率", "及时率", "满意度", "合格率", "办结率", "报销比例", "发放率"]
_LOWER = ["投诉率", "差错率", "事故发生率", "重复参保率", "不合格率"]
_COUNT = ["受益人数", "培训人次", "救助户数", "检查次数", "服务场次"]
_TIME = ["办理时限", "完成时间", "审核时长"]
_COST = ["项目成本控制", "印刷费用", "人均补助标准"]
_TEXT_TARGETS = ["明显提高", "逐年提高", "不低于上年", "2024年12月", "上年目标人数", "3年平均水平", "—", "有效保障"]
_LEVEL2 = [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"), ("产出指标", "成本指标"),
           ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]


def _n(v: float | None, dp: int = 2, suffix: str = "", line: int = 1, col: int = 1) -> dict:
    if v is None:
        return {"value": None, "raw": None, "tol": None, "loc": None}
    return {"value": float(round(v, dp)), "raw": f"{v:.{dp}f}{suffix}", "tol": 0.5 * 10 ** -dp, "loc": f"{line}:{col}"}


def _put(row: dict, name: str, num: dict) -> dict:
    row[name] = num["value"]
    row[name + "_raw"] = num["raw"]
    row[name + "_tol"] = num["tol"]
    row[name + "_loc"] = num["loc"]
    return row


def synthetic_canonical(n_indicators: int = 100_000, seed: int = 7) -> Canonical:
    rng = random.Random(seed)
    rows: dict[str, list[dict]] = {t: [] for t in ("documents", "tables", "funds", "indicators", "scores", "sections",
                                                   "ledger", "claims", "targets", "problems")}
    n_tables = max(1, n_indicators // PER_TABLE)
    tables_per_doc = 2
    n_docs = (n_tables + tables_per_doc - 1) // tables_per_doc
    t_made = 0
    goals = ["提升信息化水平，保障系统安全运行。", "完成困难群众参保资助，减轻个人负担。", "保障机构正常运转，提高服务质量。"]
    for d in range(1, n_docs + 1):
        doc = f"S{d}"
        rows["documents"].append({"doc_id": doc, "file": f"synthetic/doc{d:05d}.txt", "title": f"2023年度项目支出绩效自评表 {d}",
                                  "year": "2023", "unit": f"单位{d % 97}", "kind": "project_selfeval", "sha256": f"{d:064x}"})
        copied_names: list[str] | None = None
        for k in range(1, tables_per_doc + 1):
            if t_made >= n_tables:
                break
            t_made += 1
            tid = f"{doc}.T{k}"
            base_line = 100 * k
            dept = k == 1 and rng.random() < 0.1
            project = f"项目{(d * 7 + k) % 500}"
            goal = goals[(d + k) % 3] if rng.random() < 0.5 else f"完成{project}年度任务{d}-{k}。"
            rows["tables"].append({"doc_id": doc, "table_id": tid, "kind": "department_selfeval" if dept else "project_selfeval",
                                   "title": "部门整体支出绩效自评表" if dept else "项目支出绩效自评表", "name": project,
                                   "unit": "万元", "year": "2023", "line": base_line, "goal": goal,
                                   "goal_result": ("已完成" + goal) if rng.random() < 0.05 else "按计划完成。",
                                   "goal_line": base_line + 2})
            # ---- funds
            budget = round(rng.uniform(5, 5000), 2)
            executed = round(budget * (rng.uniform(0.3, 1.15) if rng.random() < 0.1 else rng.uniform(0.85, 1.0)), 2)
            rate = 100 * executed / budget
            r = rng.random()
            if r < 0.03:
                rate_v = rate + rng.choice([-7.0, 5.0, 12.5])          # EXR001
            elif r < 0.05:
                rate_v = 100 * budget / executed                        # EXR002
            else:
                rate_v = rate
            line = base_line + 5
            total = {"doc_id": doc, "table_id": tid, "row_no": 1, "line": line, "item": "年度资金总额", "role": "total"}
            _put(total, "budget", _n(budget, 2, line=line, col=3))
            _put(total, "executed", _n(executed, 2, line=line, col=4))
            _put(total, "rate", _n(rate_v, 2, "%", line=line, col=5))
            _put(total, "weight", _n(10, 0, line=line, col=6))
            exec_score = min(10.0, 10 * rate / 100)
            if rng.random() < 0.04:
                exec_score = 10.0                                        # EXR005 / SCR003
            _put(total, "score", _n(exec_score, 2, line=line, col=7))
            rows["funds"].append(total)
            central = round(budget * rng.uniform(0.4, 0.9), 2)
            local = round(budget - central + (rng.choice([0, 0, 0, 0, 0, 0, 0, 0, 3.0, -2.5])), 2)   # EXR006
            for j, (item, role, b) in enumerate([("中央财政资金", "central", central), ("地方财政资金", "local", local)], 2):
                fr = {"doc_id": doc, "table_id": tid, "row_no": j, "line": line + j, "item": item, "role": role}
                _put(fr, "budget", _n(b, 2, line=line + j, col=3))
                _put(fr, "executed", _n(b * executed / budget, 2, line=line + j, col=4))
                rows["funds"].append(fr)
            if rng.random() < 0.05:
                fr = {"doc_id": doc, "table_id": tid, "row_no": 4, "line": line + 4, "item": "其他资金", "role": "other"}
                _put(fr, "budget", _n(0, 0, line=line + 4, col=3))
                _put(fr, "executed", _n(rng.choice([0, 567]), 0, line=line + 4, col=4))      # EXR003
                _put(fr, "rate", _n(100, 0, "%", line=line + 4, col=5))                      # EXR004
                rows["funds"].append(fr)
            if dept:
                for j, (item, b) in enumerate([("部门预算基本支出人员经费", budget * 0.3), ("部门预算基本支出公用经费", budget * 0.05)], 5):
                    fr = {"doc_id": doc, "table_id": tid, "row_no": j, "line": line + j, "item": item, "role": "task"}
                    _put(fr, "budget", _n(b, 2, line=line + j, col=3))
                    _put(fr, "executed", _n(b * 0.9, 2, line=line + j, col=4))
                    _put(fr, "rate", _n(90, 2, "%", line=line + j, col=5))
                    _put(fr, "weight", _n(10, 0, line=line + j, col=6))
                    _put(fr, "score", _n(rng.choice([9, 9, 9, 11]), 0, line=line + j, col=7))   # SCR006
                    rows["funds"].append(fr)
                fr = {"doc_id": doc, "table_id": tid, "row_no": 8, "line": line + 8, "item": "部门年初预算支出金额",
                      "role": "dept_budget"}
                _put(fr, "budget", _n(budget, 2, line=line + 8, col=3))
                rows["funds"].append(fr)
            # ---- indicators
            ind_line = base_line + 20
            total_w = 0.0
            total_s = 0.0
            sec_w: dict[tuple[str, str], float] = {}
            names_here: list[str] = []
            if copied_names is not None and rng.random() < 0.05:
                names_plan = list(copied_names)                             # CPY001
            else:
                names_plan = []
            for i in range(PER_TABLE):
                l1, l2 = _LEVEL2[i % len(_LEVEL2)]
                ln = ind_line + i
                kind = rng.random()
                unit = ""
                op = ">="
                weight = 2.0 if i < PER_TABLE - 5 else 0.0
                if i == PER_TABLE - 1:
                    weight = 90.0 - 2.0 * (PER_TABLE - 5) if not dept else 100.0 - 2.0 * (PER_TABLE - 5)
                target_text = None
                odd = rng.random() < 0.03                                      # a seeded defect on this row
                if kind < 0.45:
                    name = rng.choice(_HIGHER)
                    unit = "%"
                    target = rng.choice([90, 95, 98, 100, 105 if odd else 100])                     # TGT005
                    op = "<=" if odd and rng.random() < 0.5 else ("=" if target == 100 and not odd else ">=")  # TGT001/4
                    actual = target - (rng.choice([1.5, 5]) if odd else 0)                          # FSR001/5
                elif kind < 0.6:
                    name = rng.choice(_LOWER)
                    unit = "%"
                    target = rng.choice([60, 90]) if odd else rng.choice([1, 2, 5])                 # TGT003
                    op = ">=" if odd and rng.random() < 0.5 else rng.choice(["<=", "<"])            # TGT002
                    actual = target * rng.choice([0.5, 1])
                elif kind < 0.8:
                    name = rng.choice(_COUNT)
                    unit = "%" if odd else rng.choice(["人", "人次", "户", "次"])                  # TGT007
                    target = float(rng.randrange(10, 30000))
                    actual = target * rng.choice([1, 1.1]) * (0.95 if odd else 1)
                elif kind < 0.9:
                    name = rng.choice(_TIME)
                    unit = "%" if odd else rng.choice(["天", "个工作日"])
                    op = "<="
                    target = float(rng.randrange(3, 30))
                    actual = target - rng.choice([0, 1]) + (2 if odd else 0)
                elif kind < 0.98:
                    name = rng.choice(_COST)
                    unit = rng.choice(["万元", "元"])
                    op = "<="
                    target = budget * (1.5 if odd else rng.choice([0.5, 0.9])) * (10000 if unit == "元" else 1)  # TGT008
                    actual = target * 0.9
                else:
                    name = f"服务效果{i % 7}"
                    op = rng.choice(["=", ">=", None])
                    target_text = rng.choice(_TEXT_TARGETS)                                          # TGT006
                    target = None
                    actual = None
                if names_plan and i < len(names_plan):
                    name = names_plan[i]
                elif rng.random() < 0.005 and names_here:
                    name = rng.choice(names_here)                                                    # CPY002/004
                else:
                    name = f"{name}{i}"
                names_here.append(name)
                ind = {"doc_id": doc, "table_id": tid, "row_no": i + 1, "line": ln, "level1": l1, "level2": l2,
                       "name": name, "operator": op, "unit": unit or None}
                if target is not None:
                    _put(ind, "target", _n(target, 0 if target == int(target) else 2, line=ln, col=5))
                else:
                    ind["target_raw"] = target_text
                    ind["target_text"] = target_text
                if actual is not None:
                    _put(ind, "actual", _n(actual, 2 if actual != int(actual) else 0, line=ln, col=7))
                    if rng.random() < 0.02:
                        ind["actual_text"] = "基本完成 90%-100%"
                elif rng.random() < 0.3:
                    ind["actual_text"] = ("已完成" + target_text) if target_text else "已完成"             # CPY003
                    ind["actual_raw"] = ind["actual_text"]
                met = actual is None or actual >= (target or 0) or op in ("<=", "<")
                completion = 100.0 if met or odd else round(rng.uniform(50, 99), 2)
                _put(ind, "completion", _n(completion, 2, "%", line=ln, col=8))
                score = weight if completion >= 100 and rng.random() < 0.97 else round(weight * rng.choice([0.3, 0.8, 0.95, 1.6]), 2)  # FSR/SCR006
                _put(ind, "weight", _n(weight, 0 if weight == int(weight) else 2, line=ln, col=9))
                _put(ind, "score", _n(score, 2, line=ln, col=10))
                if completion < 100 or rng.random() < 0.5:
                    ind["reason"] = "受客观因素影响"
                rows["indicators"].append(ind)
                total_w += weight
                total_s += round(score, 2)
                sec_w[(l1, l2)] = sec_w.get((l1, l2), 0) + weight
            if copied_names is None:
                copied_names = names_here[:5]
            # ---- scores and sections
            sline = ind_line + PER_TABLE + 2
            sc = {"doc_id": doc, "table_id": tid, "line": sline, "kind": "department" if dept else "project", "grade": "优"}
            subtotal = total_s + rng.choice([0] * 19 + [3])                                         # SCR001
            _put(sc, "subtotal", _n(subtotal, 2, line=sline, col=9))
            if not dept:
                _put(sc, "exec_score", _n(exec_score, 2, line=sline + 1, col=9))
            deduction = 0.0
            _put(sc, "deduction", _n(deduction, 0, line=sline + 2, col=9))
            tot = (subtotal + (0 if dept else exec_score) - deduction) + rng.choice([0] * 24 + [1.5])  # SCR002/SCR007
            _put(sc, "total", _n(tot, 2, line=sline + 3, col=9))
            rows["scores"].append(sc)
            for (l1, l2), w in sec_w.items():
                declared = w + rng.choice([0] * 30 + [2])                                             # SCR004
                sec = {"doc_id": doc, "table_id": tid, "line": ind_line - 1, "level": "level2", "label": l2, "parent": l1}
                _put(sec, "declared", _n(declared, 0 if declared == int(declared) else 2, line=ind_line - 1, col=2))
                rows["sections"].append(sec)
            # ---- targets (表16/17), a few rows on some tables
            if rng.random() < 0.2:
                for i in range(3):
                    ln = base_line + 80 + i
                    nm = rng.choice(_HIGHER + _LOWER + _COUNT)
                    tg = {"doc_id": doc, "table_id": tid + "g", "row_no": i + 1, "line": ln, "project": project,
                          "level1": "产出指标", "level2": "数量指标", "name": nm,
                          "operator": rng.choice([">=", "<=", ">", "<"]), "unit": rng.choice(["%", "人", None])}
                    _put(tg, "target", _n(rng.choice([80, 100, 105, 30]), 0, line=ln, col=5))
                    _put(tg, "budget", _n(budget, 2, line=ln, col=8))
                    rows["targets"].append(tg)
        # ---- ledger rows on some documents
        if rng.random() < 0.3:
            lt = f"{doc}.L1"
            rows["tables"].append({"doc_id": doc, "table_id": lt, "kind": "ledger", "title": "支出预算总表", "unit": "万元",
                                   "line": 900})
            kids = [round(rng.uniform(1, 500), 2) for _ in range(3)]
            parent = sum(kids) + rng.choice([0] * 9 + [1.0])                                    # EXP003
            entries = [("210", 1, "卫生健康支出", parent)] + [(f"2101{j}", 2, f"款{j}", k) for j, k in enumerate(kids, 1)]
            row_no = 0
            for code, level, name, amount in entries:
                row_no += 1
                ln = 900 + row_no
                basic = round(amount * 0.4, 2)
                proj = round(amount - basic + rng.choice([0] * 14 + [0.5]), 2)                  # EXP001
                for col, val in (("合计", amount), ("基本支出", basic), ("项目支出", proj)):
                    lg = {"doc_id": doc, "table_id": lt, "row_no": row_no, "line": ln, "code": code,
                          "code_kind": "function", "level": level, "name": name, "column": col}
                    _put(lg, "amount", _n(val, 2, line=ln, col=3))
                    rows["ledger"].append(lg)
            for col, val in (("合计", parent), ("基本支出", round(parent * 0.4, 2)), ("项目支出", None)):
                row_no += 1
                if val is None:
                    val = parent - round(parent * 0.4, 2)
                lg = {"doc_id": doc, "table_id": lt, "row_no": row_no, "line": 899, "code": None, "level": 0,
                      "name": "合计", "column": col}
                _put(lg, "amount", _n(val + rng.choice([0] * 9 + [2.0]), 2, line=899, col=3))     # EXP007/EXP008
                rows["ledger"].append(lg)
            income = round(rng.uniform(100, 900), 2)
            for name, col, val in (("收入总计", "收入", income), ("支出总计", "支出", income + rng.choice([0] * 9 + [45.0]))):
                row_no += 1
                lg = {"doc_id": doc, "table_id": lt, "row_no": row_no, "line": 950 + row_no, "code": None, "level": 0,
                      "name": name, "column": col}
                _put(lg, "amount", _n(val, 2, line=950 + row_no, col=3))                               # EXP006
                rows["ledger"].append(lg)
            econ = [("30101", "基本工资", "公用经费" if rng.random() < 0.1 else "人员经费"),         # EXP004
                    ("30201", "办公费", "人员经费" if rng.random() < 0.1 else "公用经费")]           # EXP005
            for code, name, col in econ:
                row_no += 1
                lg = {"doc_id": doc, "table_id": lt, "row_no": row_no, "line": 900 + row_no, "code": code,
                      "code_kind": "economic", "level": 2, "name": name, "column": col}
                _put(lg, "amount", _n(rng.uniform(1, 99), 2, line=900 + row_no, col=4))
                rows["ledger"].append(lg)
        # ---- narrative claims on some documents
        if rng.random() < 0.2:
            other, base = round(rng.uniform(1, 900), 2), round(rng.uniform(1000, 9000), 2)
            share = 100 * other / base + rng.choice([0, 0, 0, 0.5, 3])                           # NAR001/002
            cl = {"doc_id": doc, "claim_id": f"{doc}.c1", "line": 50, "kind": "share", "subject": "基本支出",
                  "sentence": "1", "text": f"占总支出的{share:.2f}%"}
            _put(cl, "value", _n(share, 2, "%", line=50, col=10))
            _put(cl, "other", _n(other, 2, line=50, col=3))
            _put(cl, "base", _n(base, 2, line=50, col=6))
            rows["claims"].append(cl)
            prev, chg = round(rng.uniform(1, 100), 2), round(rng.uniform(0.1, 0.9), 2)
            pct = 100 * chg / prev * rng.choice([1, 1, 1.3])                                       # NAR003/004
            cl = {"doc_id": doc, "claim_id": f"{doc}.c2", "line": 51, "kind": "change", "subject": "三公经费",
                  "sentence": "2", "text": f"减少{chg}万元，下降{pct:.2f}%"}
            _put(cl, "value", _n(pct, 2, "%", line=51, col=12))
            _put(cl, "other", _n(-chg, 2, line=51, col=4))
            _put(cl, "base", _n(prev, 2, line=51, col=1))
            rows["claims"].append(cl)
            parts = [round(rng.uniform(10, 500), 2) for _ in range(2)]
            whole = sum(parts) + rng.choice([0, 0, 50, -50])                                       # NAR005/006
            for j, p in enumerate(parts, 3):
                cl = {"doc_id": doc, "claim_id": f"{doc}.c{j}", "line": 52, "kind": "total_parts", "subject": "支出",
                      "sentence": "3", "text": "其中"}
                _put(cl, "value", _n(p, 2, "万元", line=52, col=10 * j))
                _put(cl, "base", _n(whole, 2, "万元", line=52, col=5))
                rows["claims"].append(cl)
            if rng.random() < 0.1:
                cl = {"doc_id": doc, "claim_id": f"{doc}.c9", "line": 53, "kind": "share_blank", "subject": "项目支出",
                      "sentence": "4", "text": "占总支出的 %"}                                          # NAR007
                rows["claims"].append(cl)
            if any(t["doc_id"] == doc and t["kind"].startswith("department") for t in rows["tables"][-3:]):
                cl = {"doc_id": doc, "claim_id": f"{doc}.c8", "line": 54, "kind": "score", "subject": "总分",
                      "sentence": "5", "text": "得分"}
                _put(cl, "value", _n(rng.choice([97.49, 95.0]), 2, line=54, col=3))                    # NAR008
                rows["claims"].append(cl)
        if rng.random() < 0.02:
            kind = rng.choice(["unreadable", "no_tables", "unrecognized", "row_unparsed", "schema"])  # INP
            rows["problems"].append({"doc_id": doc, "table_id": None if kind in ("unreadable", "no_tables") else f"{doc}.T9",
                                     "line": 999, "kind": kind, "detail": "synthetic", "text": "序号 | 名称"})
    return Canonical.from_rows(rows)
