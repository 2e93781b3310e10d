"""Run rules as SQL over the canonical tables in one sandboxed DuckDB connection.

The tables are registered once; each rule is one query returning the violating
rows. A rule that fails or runs past its time limit becomes an AUD001 finding,
and the run goes on.
"""
from __future__ import annotations

import bisect
import math
import threading
import duckdb
import pandas as pd

from auditor.engine.catalog import Rule, builtin_checks_dir
from auditor.findings import Finding, Location, Severity
from auditor.model.tables import SPEC, Canonical

DEFAULT_RULE_SECONDS = 30.0


def macros_sql() -> str:
    return (builtin_checks_dir() / "_macros.sql").read_text(encoding="utf-8")


def lexicon_frame(overrides: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """checks/_lexicon*.yaml: named word lists (meanings of indicator names, units ...)
    as a table `lexicon(list, term)`, so rules keep vocabulary in data, not in SQL."""
    import yaml

    rows = []
    for path in sorted(builtin_checks_dir().glob("_lexicon*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, terms in data.items():
            if overrides and name in overrides:
                continue
            rows += [{"list": str(name), "term": str(t)} for t in terms or []]
    for name, terms in (overrides or {}).items():
        rows += [{"list": name, "term": str(t)} for t in terms]
    return pd.DataFrame(rows, columns=["list", "term"], dtype="string")


def connect(canonical: Canonical, params: dict | None = None, cap_bands: list[dict] | None = None,
            lexicon: dict[str, list[str]] | None = None):
    """A DuckDB connection holding the canonical tables, with file, network and
    extension access disabled and the configuration locked, since rule packs may
    come from strangers."""
    con = duckdb.connect(database=":memory:", config={"threads": 2})
    for name in SPEC:
        con.register(f"_{name}_df", canonical[name])
        con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM "_{name}_df"')
    p = {"exec_weight": 10.0, "project_weight_total": 90.0, "department_weight_total": 100.0,
         "full_tolerance": 0.0, "grade_excellent": 90.0, "grade_good": 80.0, "grade_fair": 60.0}
    p.update(params or {})
    con.register("_params_df", pd.DataFrame([{k: float(v) for k, v in p.items()}]))
    con.execute("CREATE VIEW params AS SELECT * FROM _params_df")
    if cap_bands is None:
        from auditor.config import DEFAULTS
        cap_bands = DEFAULTS["cap_bands"]
    bands = pd.DataFrame(cap_bands, columns=["rate_from", "rate_to", "max_total"], dtype="float64")
    con.register("_cap_bands_df", bands)
    con.execute("CREATE VIEW cap_bands AS SELECT * FROM _cap_bands_df")
    con.register("_lexicon_df", lexicon_frame(lexicon))
    con.execute("CREATE VIEW lexicon AS SELECT * FROM _lexicon_df")
    con.execute(macros_sql())
    for stmt in ("SET enable_external_access=false", "SET autoinstall_known_extensions=false",
                 "SET autoload_known_extensions=false", "SET allow_community_extensions=false",
                 "SET lock_configuration=true"):
        con.execute(stmt)
    return con


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "空"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if abs(v) < 1e15 else f"{v:g}"
    return str(v)


class _Row(dict):
    def __missing__(self, key):
        return "?"


def _loc(value) -> tuple[int | None, int | None, str | None, str | None]:
    """ "line:col" or "line:col:Sheet!C7" -> (line, col, sheet, cell)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None, None, None, None
    parts = str(value).split(":", 2)
    line = int(parts[0]) if parts[0].isdigit() and int(parts[0]) > 0 else None
    col = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    sheet = cell = None
    if len(parts) > 2 and "!" in parts[2]:
        sheet, _, cell = parts[2].rpartition("!")
    return line, col, sheet or None, cell or None


def run_rule(con, rule: Rule, docs: dict[str, str], tables: dict[tuple[str, str], str],
             seconds: float = DEFAULT_RULE_SECONDS, pages: dict[str, list[int]] | None = None) -> list[Finding]:
    timer = threading.Timer(seconds, con.interrupt)
    timer.start()
    try:
        result = con.execute(rule.query)
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    except Exception as e:  # noqa: BLE001 - any rule failure becomes a finding
        timed_out = not timer.is_alive()
        why = f"超过时限 {seconds:g} 秒被终止" if timed_out else f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"
        return [crash_finding(rule, why)]
    finally:
        timer.cancel()
    out = []
    for values in rows:
        row = _Row({k: v for k, v in zip(names, values)})
        doc_id = str(row.get("doc_id") or "")
        file = docs.get(doc_id, doc_id or "<canonical>")
        table_id = row.get("table_id")
        table = tables.get((doc_id, str(table_id))) if table_id is not None else None
        line, col, sheet, cell = _loc(row.get("loc", row.get("line")))
        starts = (pages or {}).get(doc_id)
        page = bisect.bisect_right(starts, line) if starts and line else None
        printed = row.get("printed")
        expected = row.get("expected")
        msg_values = _Row({k: _fmt(v) for k, v in row.items()})
        try:
            text = rule.message.format_map(msg_values)
        except (ValueError, IndexError) as e:
            text = f"{rule.message} (message template error: {e})"
        row_key = row.get("row_key")
        out.append(Finding(
            rule=rule.id, name=rule.name, family=rule.family, severity=rule.severity,
            message=f"{text} [{rule.name}]",
            location=Location(file=file, table=table, row=None if row_key is None else str(row_key),
                              line=line, column=col, field=row.get("field"), sheet=sheet, cell=cell,
                              page=page),
            printed=None if printed is None else _fmt(printed),
            expected=None if expected is None else _fmt(expected),
            row_key=None if row_key is None else str(row_key),
            table_key=table))
    return out


def crash_finding(rule: Rule, why: str) -> Finding:
    return Finding(rule="AUD001", name="rule-crashed", family="AUD", severity=Severity.ERROR,
                   message=f"规则 {rule.id} ({rule.name}) 运行失败：{why} [rule-crashed]",
                   location=Location(file=rule.source or "<rules>"), row_key=rule.id)


def run_rules(canonical: Canonical, rules: list[Rule], params: dict | None = None,
              cap_bands: list[dict] | None = None, seconds: float = DEFAULT_RULE_SECONDS,
              lexicon: dict[str, list[str]] | None = None) -> list[Finding]:
    con = connect(canonical, params, cap_bands, lexicon)
    docs = {str(r.doc_id): str(r.file) for r in canonical["documents"].itertuples()}
    pages = {str(r.doc_id): [int(x) for x in str(r.page_starts).split(",")]
             for r in canonical["documents"].itertuples() if isinstance(r.page_starts, str) and r.page_starts}
    tables = {}
    for r in canonical["tables"].itertuples():
        label = str(r.title) if r.title is not pd.NA and r.title is not None else str(r.kind)
        if r.name is not pd.NA and r.name:
            label += f" · {r.name}"
        tables[(str(r.doc_id), str(r.table_id))] = label
    findings: list[Finding] = []
    try:
        for rule in rules:
            findings += run_rule(con, rule, docs, tables, seconds, pages)
    finally:
        con.close()
    return findings

