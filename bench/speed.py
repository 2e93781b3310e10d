"""Speed of auditor: end to end on generated documents, rule evaluation alone on large
synthetic canonical tables, and the same five core checks in pandera and Great Expectations.

    python bench/speed.py            # 1k and 10k documents; 100k, 1M, 10M indicator rows (long: ~40 min)
    python bench/speed.py --quick    # 200 documents; 100k rows (a couple of minutes)
    python bench/speed.py --only e2e|rules|compare|cli|profile [--rows 1000000] [--repeat 3]

Every rule-evaluation measurement runs in its own subprocess, so its peak RSS (VmHWM of
/proc/self/status) is its own; the canonical tables are built before the clock starts and
their RSS is printed beside the peak. CPU seconds and the load average are printed beside
wall-clock times, since the machine may be shared.

The five core checks (as auditor's rules EXR001, SCR003, SCR001, SCR002, FSR001):
  1. execution-rate mismatch   printed rate outside the interval executed ÷ budget
  2. execution score           预算执行率得分 vs weight × rate (capped)
  3. indicator scores vs 小计   Σ indicator scores vs the printed subtotal
  4. total arithmetic          total vs subtotal + exec score − deduction
  5. full rating on a miss     full score or 100% completion on a surely missed target
Each engine returns the violating rows.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORE5 = ["EXR001", "SCR003", "SCR001", "SCR002", "FSR001"]


def rss_mb(field: str = "VmHWM") -> float:
    """Peak (VmHWM) or current (VmRSS) resident set of this process, in MB. Read from
    /proc/self/status: getrusage's ru_maxrss survives exec, so a child started from a
    large parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- synthetic canonical tables

def _strings(pool, codes, mask=None):
    """A canonical text column from a pool of distinct strings and one code per row, as
    the model stores it (Arrow-backed `string` when pyarrow is installed), built without
    one Python object per row."""
    import numpy as np
    import pandas as pd

    codes = np.asarray(codes, dtype=np.int32)
    try:
        import pyarrow as pa
    except ImportError:
        values = np.asarray(list(pool), dtype=object)[codes]
        if mask is not None:
            values = np.where(mask, None, values)
        return pd.array(values, dtype="string")
    idx = pa.array(codes, mask=None if mask is None else np.asarray(mask, dtype=bool))
    arr = pa.DictionaryArray.from_arrays(idx, pa.array([str(x) for x in pool], type=pa.string())).dictionary_decode()
    return pd.arrays.ArrowStringArray(arr)


def _raw(values, dp, suffix=""):
    """Printed forms of numbers at dp decimals: a pool of distinct strings and codes."""
    import numpy as np

    fmt = f"{{:.{dp}f}}{suffix}"
    uniq, inv = np.unique(np.round(values, dp), return_inverse=True)
    return _strings([fmt.format(v) for v in uniq], inv)


def canonical(n_rows: int, seed: int = 0, rows_per_table: int = 9):
    """Canonical tables (auditor.model.tables dtypes) with about n_rows indicator rows:
    project tables of `rows_per_table` indicators, one fund line and one score row each,
    five tables per document, about 1% of rows, funds and scores wrong."""
    import numpy as np
    import pandas as pd

    from auditor.model.tables import BOOL_COLUMNS, INT_COLUMNS, SPEC, TABLE_INT_COLUMNS, Canonical, columns

    rng = np.random.default_rng(seed)
    T = max(1, n_rows // rows_per_table)
    N = T * rows_per_table
    n_docs = (T + 4) // 5
    t_idx = np.arange(T)
    doc_of_t = t_idx // 5
    zeros_t, zeros_n = np.zeros(T, np.int32), np.zeros(N, np.int32)

    doc_pool = [f"D{i}" for i in range(n_docs)]
    table_pool = [f"D{d}.T{t}" for d, t in zip(doc_of_t, t_idx % 5 + 1)]
    names_pool = [f"指标{i:04d}覆盖率" if i % 3 == 0 else f"开展工作{i:04d}次数" if i % 3 == 1 else
                  f"服务对象{i:04d}满意度" for i in range(5000)]
    loc_pool = [f"{ln}:{c}" for ln in range(1, 1001) for c in range(1, 11)]

    def loc(k):
        return _strings(loc_pool, rng.integers(0, len(loc_pool), k))

    frames: dict[str, dict] = {}
    # documents / tables
    frames["documents"] = {"doc_id": _strings(doc_pool, np.arange(n_docs)),
                           "file": _strings([f"doc_{i:06d}.txt" for i in range(n_docs)], np.arange(n_docs)),
                           "kind": _strings(["project_selfeval"], np.zeros(n_docs))}
    frames["tables"] = {"doc_id": _strings(doc_pool, doc_of_t), "table_id": _strings(table_pool, t_idx),
                        "kind": _strings(["project_selfeval"], zeros_t),
                        "title": _strings(["预算项目(政策)绩效目标自评表 (2023年度)"], zeros_t),
                        "name": _strings([f"项目{i}" for i in range(T)], t_idx), "line": (t_idx % 50) * 40 + 1}
    # funds: one total line per table
    budget = np.round(10 ** rng.uniform(0, 4, T), 2)
    rate_true = np.where(rng.random(T) < 0.3, 1.0, rng.uniform(0.5, 0.999, T))
    executed = np.round(budget * rate_true, 2)
    rate = np.round(executed / budget * 100, 2)
    bad = rng.random(T) < 0.01
    rate = np.where(bad, np.round(rate * 0.8, 2), rate)
    frames["funds"] = {"doc_id": _strings(doc_pool, doc_of_t), "table_id": _strings(table_pool, t_idx),
                       "row_no": np.ones(T, int), "line": (t_idx % 50) * 40 + 5,
                       "item": _strings(["项目预算金额(万元)"], zeros_t), "role": _strings(["total"], zeros_t),
                       "budget": budget, "budget_raw": _raw(budget, 2), "budget_tol": np.full(T, 0.005),
                       "budget_loc": loc(T),
                       "executed": executed, "executed_raw": _raw(executed, 2), "executed_tol": np.full(T, 0.005),
                       "executed_loc": loc(T),
                       "rate": rate, "rate_raw": _raw(rate, 2, "%"), "rate_tol": np.full(T, 0.005), "rate_loc": loc(T)}
    # indicators
    ti = np.repeat(t_idx, rows_per_table)
    seq = np.tile(np.arange(rows_per_table), T)
    weight = np.tile(np.array([10.0] * rows_per_table), T)
    weight = weight / weight.reshape(T, rows_per_table).sum(1).repeat(rows_per_table) * 90
    weight = np.round(weight, 1)
    fix = 90 - weight.reshape(T, rows_per_table).sum(1)
    weight[seq == 0] += fix
    name_idx = (ti * 7 + seq) % len(names_pool)
    kind = name_idx % 3                      # 0 覆盖率 (%), 1 次数 (次), 2 满意度 (%)
    target = np.select([kind == 0, kind == 1], [rng.choice([90.0, 95.0, 98.0, 100.0], N),
                                                rng.choice([5.0, 10.0, 50.0, 100.0], N)], rng.choice([80.0, 85.0, 90.0], N))
    met = rng.random(N) > 0.1
    actual = np.where(met, target, np.round(target * rng.uniform(0.8, 0.97, N), 1))
    completion = np.where(met, 100.0, np.round(actual / target * 100, 2))
    score = np.where(met, weight, np.round(weight * completion / 100, 2))
    full_bad = rng.random(N) < 0.01
    score = np.where(full_bad, weight, score)
    completion = np.where(full_bad, 100.0, completion)
    frames["indicators"] = {
        "doc_id": _strings(doc_pool, doc_of_t[ti]), "table_id": _strings(table_pool, ti), "row_no": seq + 1,
        "line": (ti % 50) * 40 + 10 + seq, "level1": _strings(["产出指标", "效益指标"], seq >= 5),
        "level2": _strings(["数量指标", "质量指标"], seq >= 3), "name": _strings(names_pool, name_idx),
        "operator": _strings([">=", "="], (kind == 0) & (target == 100)), "unit": _strings(["%", "次"], kind == 1),
        "reason": _strings(["部分对象迁出"], zeros_n, mask=met), "qualitative": np.zeros(N, bool),
        "target": target, "target_raw": _raw(target, 0), "target_tol": np.full(N, 0.005), "target_loc": loc(N),
        "actual": actual, "actual_raw": _raw(actual, 1), "actual_tol": np.full(N, 0.05), "actual_loc": loc(N),
        "completion": completion, "completion_raw": _raw(completion, 2, "%"),
        "completion_tol": np.full(N, 0.005), "completion_loc": loc(N),
        "weight": weight, "weight_raw": _raw(weight, 1), "weight_tol": np.full(N, 0.05), "weight_loc": loc(N),
        "score": score, "score_raw": _raw(score, 2), "score_tol": np.full(N, 0.005), "score_loc": loc(N)}
    # scores
    sub = score.reshape(T, rows_per_table).sum(1)
    sub = np.where(rng.random(T) < 0.01, sub + 2, sub)
    exec_score = np.round(np.minimum(10, rate / 10), 2)
    exec_score = np.where(rng.random(T) < 0.01, 10.0, exec_score)
    raw = np.round(sub + exec_score, 2)
    cap = np.select([rate < 60, rate < 70, rate < 80], [59.0, 79.0, 89.0], np.inf)
    deduction = np.round(np.maximum(raw - cap, 0), 2)       # the default rate bands, applied through 减分项
    total = np.round(raw - deduction, 2)
    total = np.where(rng.random(T) < 0.01, total - 1.5, total)
    frames["scores"] = {"doc_id": _strings(doc_pool, doc_of_t), "table_id": _strings(table_pool, t_idx),
                        "line": (t_idx % 50) * 40 + 30, "kind": _strings(["project"], zeros_t),
                        "subtotal": sub, "subtotal_raw": _raw(sub, 2), "subtotal_tol": np.full(T, 0.005),
                        "subtotal_loc": loc(T),
                        "exec_score": exec_score, "exec_score_raw": _raw(exec_score, 2),
                        "exec_score_tol": np.full(T, 0.005), "exec_score_loc": loc(T),
                        "deduction": deduction, "deduction_raw": _raw(deduction, 2),
                        "deduction_tol": np.where(deduction == 0, 0.0, 0.005), "deduction_loc": loc(T),
                        "total": total, "total_raw": _raw(total, 2), "total_tol": np.full(T, 0.005),
                        "total_loc": loc(T)}
    out = {}
    for name in SPEC:
        data = frames.pop(name, {})
        n = len(next(iter(data.values()))) if data else 0
        cols = {}
        for c in columns(name):
            v = data.pop(c, None)
            numbers = set(SPEC[name][1])
            if c in numbers or c.endswith("_tol"):
                cols[c] = pd.array(v if v is not None else np.full(n, np.nan), dtype="float64")
            elif c in INT_COLUMNS or c in TABLE_INT_COLUMNS.get(name, ()):
                cols[c] = pd.array(v if v is not None else [pd.NA] * n, dtype="Int64")
            elif c in BOOL_COLUMNS:
                cols[c] = pd.array(v if v is not None else [pd.NA] * n, dtype="boolean")
            elif v is not None:
                cols[c] = v
            else:
                cols[c] = _strings([""], np.zeros(n), mask=np.ones(n, bool))
        out[name] = pd.DataFrame(cols)
    return Canonical(out)


# ----------------------------------------------------------------------------- the five checks elsewhere

def _derive(c):
    """pandas frames with the derived columns the five checks need (shared by pandera and GX)."""
    import numpy as np
    import pandas as pd

    f = c["funds"]
    f = f[f["role"] == "total"]
    b, bt = f["budget"].to_numpy(float), f["budget_tol"].fillna(0).to_numpy(float)
    e, et = f["executed"].to_numpy(float), f["executed_tol"].fillna(0).to_numpy(float)
    r, rt = f["rate"].to_numpy(float), f["rate_tol"].fillna(0).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.maximum(e - et, 0) / (b + bt) * 100
        hi = np.where(b - bt > 0, (e + et) / (b - bt), np.inf) * 100
    eps = 1e-9 * (1 + np.abs(r) + np.abs(lo))
    rate_gap = np.maximum(lo - eps - (r + rt), (r - rt) - (hi + eps))
    rate_gap = np.where((b > 0) & ~np.isnan(e) & ~np.isnan(r), rate_gap, np.nan)
    funds = pd.DataFrame({"doc_id": f["doc_id"].to_numpy(), "table_id": f["table_id"].to_numpy(), "rate": r,
                          "rate_lo": lo, "rate_hi": hi, "rate_tol": rt, "rate_gap": rate_gap})
    s = c["scores"]
    ind = c["indicators"]
    g = ind.groupby(["doc_id", "table_id"], sort=False).agg(s_sum=("score", "sum"), s_tol=("score_tol", "sum"))
    sc = s.merge(g, on=["doc_id", "table_id"], how="left").merge(funds, on=["doc_id", "table_id"], how="left")
    w = 10.0
    x_lo = np.minimum(w, w * (sc["rate"] - sc["rate_tol"]) / 100)
    x_hi = np.minimum(w, w * (sc["rate"] + sc["rate_tol"]) / 100)
    es, et_ = sc["exec_score"], sc["exec_score_tol"]
    e1 = 1e-9 * (1 + es.abs() + w)
    sc["exec_gap"] = np.maximum((x_lo - e1 - 2 * et_) - (es + et_), (es - et_) - (x_hi + e1))
    sc["sum_gap"] = (sc["subtotal"] - sc["s_sum"]).abs() - sc["subtotal_tol"].fillna(0) - sc["s_tol"].fillna(0) \
        - 1e-9 * (1 + sc["subtotal"].abs() + sc["s_sum"].abs())
    expect = sc["subtotal"].fillna(sc["s_sum"]) + sc["exec_score"].fillna(0) - sc["deduction"].fillna(0)
    expect_tol = sc["subtotal_tol"].fillna(sc["s_tol"]).fillna(0) + sc["exec_score_tol"].fillna(0) \
        + sc["deduction_tol"].fillna(0)
    sc["total_gap"] = (sc["total"] - expect).abs() - sc["total_tol"].fillna(0) - expect_tol \
        - 1e-9 * (1 + sc["total"].abs() + expect.abs())
    op = ind["operator"].astype(object).to_numpy()
    a, at = ind["actual"].to_numpy(float), ind["actual_tol"].fillna(0).to_numpy(float)
    t, tt = ind["target"].to_numpy(float), ind["target_tol"].fillna(0).to_numpy(float)
    eps_i = 1e-9 * (1 + np.abs(a) + np.abs(t))
    unmet = np.select([op == ">=", op == ">", op == "<=", op == "<", op == "="],
                      [a + at < t - tt - eps_i, a + at <= t - tt - eps_i, a - at > t + tt + eps_i,
                       a - at >= t + tt + eps_i,
                       (np.abs(a - t) > at + tt + eps_i) & ((a < t) | (t == 0))], False)
    full = ((ind["score"] >= ind["weight"]).fillna(False).to_numpy()) | (ind["completion"] >= 100).fillna(False).to_numpy()
    inds = pd.DataFrame({"doc_id": ind["doc_id"].to_numpy(), "table_id": ind["table_id"].to_numpy(),
                         "name": ind["name"].to_numpy(), "full_on_unmet": (unmet & full).astype(int)})
    return funds, sc, inds


HAND_SQL = {
    "rate": """
        WITH f AS (SELECT doc_id, table_id, item, rate, coalesce(rate_tol, 0) AS rt,
                          100 * greatest(executed - coalesce(executed_tol, 0), 0) / (budget + coalesce(budget_tol, 0)) AS lo,
                          CASE WHEN budget - coalesce(budget_tol, 0) > 0
                               THEN 100 * (executed + coalesce(executed_tol, 0)) / (budget - coalesce(budget_tol, 0))
                               ELSE 'inf'::DOUBLE END AS hi
                   FROM funds WHERE role = 'total' AND rate IS NOT NULL AND budget > 0 AND executed IS NOT NULL)
        SELECT doc_id, table_id, item FROM f
        WHERE rate + rt < lo - 1e-9 * (1 + abs(rate) + abs(lo)) OR rate - rt > hi + 1e-9 * (1 + abs(rate) + abs(hi))""",
    "exec_score": """
        WITH x AS (SELECT s.doc_id, s.table_id, s.exec_score AS es, s.exec_score_tol AS et,
                          least(10, 10 * (f.rate - coalesce(f.rate_tol, 0)) / 100) AS x_lo,
                          least(10, 10 * (f.rate + coalesce(f.rate_tol, 0)) / 100) AS x_hi
                   FROM scores s JOIN funds f ON f.doc_id = s.doc_id AND f.table_id = s.table_id AND f.role = 'total'
                   WHERE s.exec_score IS NOT NULL AND f.rate IS NOT NULL)
        SELECT doc_id, table_id FROM x
        WHERE es + et < x_lo - 1e-9 * (1 + abs(es) + 10) - 2 * et OR es - et > x_hi + 1e-9 * (1 + abs(es) + 10)""",
    "subtotal": """
        WITH i AS (SELECT doc_id, table_id, sum(score) AS s, sum(coalesce(score_tol, 0)) AS st
                   FROM indicators GROUP BY doc_id, table_id)
        SELECT sc.doc_id, sc.table_id FROM scores sc JOIN i ON i.doc_id = sc.doc_id AND i.table_id = sc.table_id
        WHERE abs(sc.subtotal - i.s) > coalesce(sc.subtotal_tol, 0) + i.st + 1e-9 * (1 + abs(sc.subtotal) + abs(i.s))""",
    "total": """
        WITH i AS (SELECT doc_id, table_id, sum(score) AS s, sum(coalesce(score_tol, 0)) AS st
                   FROM indicators GROUP BY doc_id, table_id),
        x AS (SELECT sc.doc_id, sc.table_id, sc.total, sc.total_tol,
                     coalesce(sc.subtotal, i.s) + coalesce(sc.exec_score, 0) - coalesce(sc.deduction, 0) AS e,
                     coalesce(sc.subtotal_tol, i.st, 0) + coalesce(sc.exec_score_tol, 0) + coalesce(sc.deduction_tol, 0) AS et
              FROM scores sc LEFT JOIN i ON i.doc_id = sc.doc_id AND i.table_id = sc.table_id WHERE sc.total IS NOT NULL)
        SELECT doc_id, table_id FROM x
        WHERE abs(total - e) > coalesce(total_tol, 0) + et + 1e-9 * (1 + abs(total) + abs(e))""",
    "full_on_unmet": """
        SELECT doc_id, table_id, name FROM indicators
        WHERE ((score >= weight) OR completion >= 100)
          AND CASE operator
                WHEN '>=' THEN actual + coalesce(actual_tol, 0) < target - coalesce(target_tol, 0) - 1e-9 * (1 + abs(actual) + abs(target))
                WHEN '>' THEN actual + coalesce(actual_tol, 0) <= target - coalesce(target_tol, 0) - 1e-9 * (1 + abs(actual) + abs(target))
                WHEN '<=' THEN actual - coalesce(actual_tol, 0) > target + coalesce(target_tol, 0) + 1e-9 * (1 + abs(actual) + abs(target))
                WHEN '<' THEN actual - coalesce(actual_tol, 0) >= target + coalesce(target_tol, 0) + 1e-9 * (1 + abs(actual) + abs(target))
                WHEN '=' THEN abs(actual - target) > coalesce(actual_tol, 0) + coalesce(target_tol, 0)
                                                     + 1e-9 * (1 + abs(actual) + abs(target)) AND (actual < target OR target = 0)
                ELSE FALSE END""",
}


def run_duckdb_hand(c) -> tuple[int, dict]:
    """The five checks written by hand in DuckDB SQL over the same pandas frames (no
    auditor: no macros, no catalog, no findings), each returning its violating rows."""
    import duckdb

    con = duckdb.connect(config={"threads": os.cpu_count() or 2})
    for name in ("funds", "scores", "indicators"):
        con.register(name, c[name])
    n = sum(len(con.execute(sql).fetchall()) for sql in HAND_SQL.values())
    con.close()
    return n, {}


def run_pandera(c) -> tuple[int, dict]:
    import pandera.pandas as pa

    t0 = time.perf_counter()
    funds, sc, inds = _derive(c)
    prep = time.perf_counter() - t0
    schemas = [
        (funds, pa.DataFrameSchema({"rate_gap": pa.Column(float, pa.Check.le(0), nullable=True)})),
        (sc, pa.DataFrameSchema({"exec_gap": pa.Column(float, pa.Check.le(0), nullable=True),
                                 "sum_gap": pa.Column(float, pa.Check.le(0), nullable=True),
                                 "total_gap": pa.Column(float, pa.Check.le(0), nullable=True)})),
        (inds, pa.DataFrameSchema({"full_on_unmet": pa.Column(int, pa.Check.eq(0))})),
    ]
    n = 0
    for df, schema in schemas:
        try:
            schema.validate(df, lazy=True)
        except pa.errors.SchemaErrors as err:
            n += len(err.failure_cases)
    return n, {"prep": prep}


def run_gx(c) -> tuple[int, dict]:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    t0 = time.perf_counter()
    import logging

    import great_expectations as gx
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    imp = time.perf_counter() - t0
    t1 = time.perf_counter()
    funds, sc, inds = _derive(c)
    prep = time.perf_counter() - t1
    t2 = time.perf_counter()
    ctx = gx.get_context(mode="ephemeral")
    ds = ctx.data_sources.add_pandas("canonical")
    setup = time.perf_counter() - t2
    n = 0
    plan = [("funds", funds, [gx.expectations.ExpectColumnValuesToBeBetween(column="rate_gap", max_value=0)]),
            ("scores", sc, [gx.expectations.ExpectColumnValuesToBeBetween(column="exec_gap", max_value=0),
                            gx.expectations.ExpectColumnValuesToBeBetween(column="sum_gap", max_value=0),
                            gx.expectations.ExpectColumnValuesToBeBetween(column="total_gap", max_value=0)]),
            ("indicators", inds, [gx.expectations.ExpectColumnValuesToBeInSet(column="full_on_unmet", value_set=[0])])]
    for name, df, exps in plan:
        asset = ds.add_dataframe_asset(name)
        bd = asset.add_batch_definition_whole_dataframe(name)
        batch = bd.get_batch(batch_parameters={"dataframe": df})
        for e in exps:
            r = batch.validate(e, result_format={"result_format": "COMPLETE",
                                                 "unexpected_index_column_names": ["doc_id", "table_id"]})
            n += len(r.result.get("unexpected_index_list") or [])
    return n, {"import": imp, "prep": prep, "setup": setup}


def load_rules(only: list[str] | None):
    from auditor.engine.catalog import load_catalog
    from auditor.engine.select import select_rules
    return [r for r in select_rules(load_catalog([]), only or [], []) if r.query]   # AUD entries have none


def run_auditor_rules(c, rules) -> tuple[int, dict]:
    from auditor.engine.run import run_rules

    fs = run_rules(c, rules, seconds=3600)
    crashed = [f for f in fs if f.rule == "AUD001"]
    return len(fs) - len(crashed), {"rules": len(rules), "crashed": len(crashed)}


def child(tool: str, rows: int) -> None:
    """One measurement in this process: build the tables, then time the tool."""
    warnings.filterwarnings("ignore")
    t0 = time.perf_counter()
    c = canonical(rows)
    build = time.perf_counter() - t0
    rules = load_rules(None if tool == "auditor_all" else CORE5) if tool.startswith("auditor") else None
    base_rss = rss_mb("VmRSS")
    load = os.getloadavg()[0]
    c1 = time.process_time()
    t1 = time.perf_counter()
    if tool.startswith("auditor"):
        n, extra = run_auditor_rules(c, rules)
    elif tool == "duckdb_hand":
        n, extra = run_duckdb_hand(c)
    elif tool == "pandera":
        n, extra = run_pandera(c)
    elif tool == "gx":
        n, extra = run_gx(c)
    else:
        raise SystemExit(f"unknown tool {tool}")
    secs = time.perf_counter() - t1
    cpu = time.process_time() - c1
    print(json.dumps({"tool": tool, "rows": len(c["indicators"]), "tables": len(c["scores"]), "build_s": build,
                      "seconds": secs, "cpu_s": cpu, "load": max(load, os.getloadavg()[0]), "violations": n,
                      "rss_base_mb": base_rss, "rss_peak_mb": rss_mb(), **extra}))


def measure_median(tool: str, rows: int, repeat: int = 3) -> dict:
    """`repeat` runs of one measurement (each in its own subprocess): the median run by
    wall-clock time, with every run's seconds beside it (the machine may be shared)."""
    runs = [measure(tool, rows) for _ in range(max(1, repeat))]
    ok = sorted((r for r in runs if "seconds" in r), key=lambda r: r["seconds"])
    if not ok:
        return runs[0]
    mid = dict(ok[(len(ok) - 1) // 2] if len(ok) % 2 == 0 else ok[len(ok) // 2])
    mid["runs_s"] = [round(r["seconds"], 3) for r in runs if "seconds" in r]
    mid["runs_rss_mb"] = [round(r["rss_peak_mb"]) for r in runs if "rss_peak_mb" in r]
    return mid


def cli_times(seed: str | None = None, repeat: int = 7) -> dict:
    """`auditor --help` and `auditor check` on one seed file: median wall-clock of `repeat` runs."""
    import shutil
    import statistics

    exe = shutil.which("auditor", path=str(Path(sys.executable).parent)) or "auditor"
    seeds = sorted(Path("/work/shared/seeds").glob("*.txt")) if seed is None else [Path(seed)]
    seed_file = str(seeds[0]) if seeds else str(ROOT / "sample_data" / "selfeval_excerpt_rows.txt")
    out = {}
    for label, args in (("help", [exe, "--help"]), ("check_seed", [exe, "check", seed_file, "--format", "json"])):
        subprocess.run(args, capture_output=True, check=False)      # warm the catalog cache and the OS cache
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(args, capture_output=True, check=False)
            times.append(time.perf_counter() - t)
        out[label] = {"median_s": statistics.median(times), "runs_s": [round(x, 3) for x in times],
                      "command": " ".join(Path(a).name if i == 0 else a for i, a in enumerate(args))}
    return out


def measure(tool: str, rows: int, timeout: int = 7200) -> dict:
    cmd = [sys.executable, __file__, "--child", tool, "--child-rows", str(rows)]
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false", PYTHONWARNINGS="ignore")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    for line in reversed(p.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"tool": tool, "rows": rows, "error": (p.stderr or p.stdout).strip().splitlines()[-1:] or ["failed"]}


# ----------------------------------------------------------------------------- end to end

def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(module, name: str, acc: dict):
    """Wrap module.name so that check() reports how long its stages took (no other effect)."""
    fn = getattr(module, name)

    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            acc[name] = acc.get(name, 0.0) + time.perf_counter() - t
    setattr(module, name, wrapper)
    return fn


def end_to_end(n_docs: int, jobs_list=(1, 2), keep: str | None = None) -> list[dict]:
    from auditor import pipeline
    from bench import synth
    out = []
    with tempfile.TemporaryDirectory(prefix="auditor-speed-") as tmp:
        folder = Path(keep or tmp)
        t0 = time.perf_counter()
        synth.generate(folder, n_docs, seed=1, anomaly_rate=0.3, formats=("txt",))
        gen = time.perf_counter() - t0
        paths = sorted(str(p) for p in folder.glob("doc_*.txt"))
        size = sum(Path(p).stat().st_size for p in paths)
        for jobs in jobs_list:
            warnings.filterwarnings("ignore")
            stages: dict = {}
            orig = {n: _timed(pipeline, n, stages) for n in ("build", "run_rules")}
            load = os.getloadavg()[0]
            c1 = time.process_time() + _children_cpu()
            t1 = time.perf_counter()
            try:
                rep = pipeline.check(paths, jobs=jobs)
            finally:
                for n, fn in orig.items():
                    setattr(pipeline, n, fn)
            secs = time.perf_counter() - t1
            cpu = time.process_time() + _children_cpu() - c1
            load = max(load, os.getloadavg()[0])
            c = rep.canonical
            n_ind = len(c["indicators"])
            n_tab = len(c["tables"])
            n_proj = int((c["tables"]["kind"] == "project_selfeval").sum())
            out.append({"docs": len(paths), "jobs": jobs, "seconds": secs, "docs_per_s": len(paths) / secs,
                        "tables_per_s": n_tab / secs, "project_tables_per_s": n_proj / secs,
                        "indicator_rows_per_s": n_ind / secs, "indicator_rows": n_ind, "tables": n_tab,
                        "findings": len(rep.items), "generate_s": gen, "mb": size / 1e6,
                        "read_normalize_s": stages.get("build"), "rules_s": stages.get("run_rules"),
                        "cpu_s": cpu, "load": load})
            print(f"  {len(paths):>6} docs  jobs={jobs}  {secs:7.1f} s  {len(paths) / secs:7.1f} docs/s  "
                  f"{n_proj / secs:7.1f} project tables/s  {n_tab / secs:7.1f} tables/s  "
                  f"{n_ind / secs:8.0f} indicator rows/s  ({n_ind} rows, {len(rep.items)} findings; "
                  f"read+normalize {stages.get('build', 0):.1f} s, rules {stages.get('run_rules', 0):.1f} s; "
                  f"CPU {cpu:.1f} s = {len(paths) / cpu:.1f} docs per CPU-second; load avg {load:.1f})",
                  flush=True)
    return out


def profile(n_docs: int = 200) -> str:
    """Where the time of reading documents goes (cProfile, jobs=1), and of the rules."""
    import cProfile
    import io
    import pstats

    from auditor.engine.catalog import load_catalog
    from auditor.engine.run import run_rules
    from auditor.engine.select import select_rules
    from auditor.pipeline import build
    from bench import synth
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory(prefix="auditor-prof-") as tmp:
        synth.generate(tmp, n_docs, seed=2, anomaly_rate=0.3)
        paths = sorted(str(p) for p in Path(tmp).glob("doc_*.txt"))
        pr = cProfile.Profile()
        t0 = time.perf_counter()
        pr.enable()
        _docs, c = build(paths, jobs=1)
        pr.disable()
        t_build = time.perf_counter() - t0
        rules = select_rules(load_catalog([]), [], [])
        t1 = time.perf_counter()
        run_rules(c, rules)
        t_rules = time.perf_counter() - t1
        buf = io.StringIO()
        st = pstats.Stats(pr, stream=buf).sort_stats("cumulative")
        st.print_stats(28)
        text = buf.getvalue()
        buf2 = io.StringIO()
        pstats.Stats(pr, stream=buf2).sort_stats("tottime").print_stats(15)
        head = (f"profile: {len(paths)} documents, {len(c['tables'])} tables: build (read+normalize) "
                f"{t_build:.2f} s, run_rules {t_rules:.2f} s ({len(rules)} rules)\n")
        return head + text + buf2.getvalue()


# ----------------------------------------------------------------------------- main

def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal")), 0) / 1024 / 1024
    return f"nproc {os.cpu_count()}, CPU {cpu}, RAM {mem:.1f} GiB, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--only", choices=["e2e", "rules", "compare", "cli", "profile"])
    ap.add_argument("--rows", dest="sizes", help="comma-separated row counts for rules/compare (e.g. 1000000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    ap.add_argument("--cli-repeat", type=int, default=7, help="runs of each command-line timing")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-rows", dest="rows", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.child, a.rows)
        return 0
    print(machine(), flush=True)
    results: dict = {"machine": machine()}
    doc_sizes = [200] if a.quick else [1000, 10000]
    row_sizes = [100_000] if a.quick else [100_000, 1_000_000, 10_000_000]
    cmp_sizes = [100_000] if a.quick else [100_000, 1_000_000]
    if a.sizes:
        row_sizes = cmp_sizes = [int(x) for x in a.sizes.split(",")]
    if a.only in (None, "e2e"):
        print("\nend to end (files -> report, auditor.pipeline.check):", flush=True)
        results["e2e"] = [r for n in doc_sizes for r in end_to_end(n)]
    if a.only in (None, "rules"):
        print(f"\nrule evaluation alone (run_rules over synthetic canonical tables, all rules; subprocess each, "
              f"median of {a.repeat}):", flush=True)
        results["rules"] = []
        for n in row_sizes:
            r = measure_median("auditor_all", n, a.repeat)
            results["rules"].append(r)
            if "error" in r:
                print(f"  {n:>10,} rows: failed: {r['error']}", flush=True)
                continue
            print(f"  {r['rows']:>10,} rows ({r['tables']:,} tables): {r['seconds']:7.2f} s (CPU {r['cpu_s']:.1f} s, "
                  f"load avg {r['load']:.1f}; runs {r['runs_s']}) for {r['rules']} rules, "
                  f"{r['violations']:,} findings, {r['crashed']} crashed; RSS peak {r['rss_peak_mb']:,.0f} MB "
                  f"(tables alone {r['rss_base_mb']:,.0f} MB); building the tables took {r['build_s']:.1f} s",
                  flush=True)
    if a.only in (None, "compare"):
        print(f"\nfive core checks, same tables (auditor = its DuckDB rules EXR001 SCR003 SCR001 SCR002 FSR001; "
              f"median of {a.repeat}):", flush=True)
        results["compare"] = []
        for n in cmp_sizes:
            row = {}
            for tool in ("auditor_core5", "duckdb_hand", "pandera", "gx"):
                r = measure_median(tool, n, a.repeat)
                row[tool] = r
                if "error" in r:
                    print(f"  {n:>10,} rows {tool:14}: failed: {r['error']}", flush=True)
                    continue
                extra = ", ".join(f"{k} {v:.2f} s" for k, v in r.items() if k in ("import", "prep", "setup"))
                print(f"  {r['rows']:>10,} rows {tool:14}: {r['seconds']:7.2f} s (CPU {r['cpu_s']:6.2f} s, load "
                      f"{r['load']:.1f}; runs {r['runs_s']})  {r['violations']:>7,} violations  "
                      f"RSS peak {r['rss_peak_mb']:,.0f} MB" + (f"  (of which {extra})" if extra else ""), flush=True)
            base = row.get("auditor_core5", {}).get("seconds")
            if base:
                ratios = {t: row[t]["seconds"] / base for t in ("duckdb_hand", "pandera", "gx") if "seconds" in row[t]}
                print("  " + " " * 10 + "       auditor vs: " +
                      ", ".join(f"{t} {v:.2f}x" for t, v in ratios.items()) +
                      "  (hand-written DuckDB / auditor: >= 0.67 means auditor within 1.5x)", flush=True)
                row["ratios"] = ratios
            results["compare"].append(row)
    if a.only in (None, "cli"):
        print(f"\ncommand line (median of {a.cli_repeat} runs):", flush=True)
        results["cli"] = cli_times(repeat=a.cli_repeat)
        for k, v in results["cli"].items():
            print(f"  {v['command']}: {v['median_s']:.3f} s (runs {v['runs_s']})", flush=True)
    if a.only == "profile" or (a.only is None and not a.quick):
        print("\n" + profile(200 if a.quick else 500), flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
