"""Rule packs -> Great Expectations 1.x expectation suites (SQLite).

    from auditor.export.gx import export_gx
    result = export_gx(rules, "gx_out/")
    print(result.report())

Each rule becomes an `UnexpectedRowsExpectation` whose `unexpected_rows_query` is
the rule's DuckDB query transpiled to SQLite (auditor.export.transpile: macros
expanded, DuckDB functions rewritten into exact SQLite forms). GX substitutes
`{batch}` with the batch being validated, so every query reads its main table
(the first canonical table it selects from) through a CTE over `{batch}`, and
the rules are grouped into one suite per main table (`suite_<table>.json`), each
validated against that table. The other canonical tables and the rule data
(params, cap_bands, lexicon: CSV files written beside the suites) are read by
name from the same database. Rules with no exact SQLite form are listed in
manifest.json and by `report()`, never dropped silently.

Writing the export needs sqlglot only; `run_suite.py` (written beside the suites)
and `run_gx()` need great_expectations and SQLAlchemy (the `gx` extra). GX's usage
analytics are switched off whenever auditor drives GX.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from auditor import __version__
from auditor.engine.base import aux_params, lexicon_rows, rule_sql
from auditor.engine.catalog import Rule
from auditor.model.tables import SPEC, Canonical, columns

GX_SEVERITY = {"error": "critical", "warning": "warning", "info": "info"}
RUN_SCRIPT = Path(__file__).with_name("run_suite_template.py")
# SQLAlchemy's text() reads ":name" as a bind parameter, even inside string literals
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")


@dataclass
class ExportResult:
    output_dir: Path
    suites: dict[str, Path] = field(default_factory=dict)             # main table -> suite JSON
    exported: list[dict] = field(default_factory=list)                # {rule, name, table, requires}
    not_expressible: list[dict] = field(default_factory=list)         # {rule, name, reason}
    manifest: Path | None = None
    run_script: Path | None = None

    def report(self) -> str:
        lines = [(f"Great Expectations export: {len(self.exported)} rules in {len(self.suites)} suites "
                  f"-> {self.output_dir}")]
        for table, path in sorted(self.suites.items()):
            n = sum(1 for e in self.exported if e["table"] == table)
            lines.append(f"  {path.name}: {n} expectations on table {table}")
        needs = sorted({r for e in self.exported for r in e["requires"]})
        if needs:
            lines.append(f"  needs SQL functions registered on the connection: {', '.join(needs)} (run_suite.py does it)")
        if self.not_expressible:
            lines.append(f"Not expressible in SQLite ({len(self.not_expressible)} rules, not exported):")
            lines += [f"  {r['rule']} {r['name']}: {r['reason']}" for r in self.not_expressible]
        return "\n".join(lines)


def _gx_text(sql: str) -> str:
    """Escape what GX's str.format and SQLAlchemy's text() would otherwise read."""
    sql = sql.replace("{", "{{").replace("}", "}}")
    return _BIND.sub(lambda m: "\\:" + m.group(1), sql)


def gx_query(rule: Rule, sqlite_version: tuple[int, ...] | None = None,
             options: dict | None = None) -> tuple[str, str, set[str]]:
    """(unexpected_rows_query, main table, required functions) for one rule; raises
    NotTranspilable when the rule has no exact SQLite form. The shared views the rule
    reads are expanded into it as CTEs, its options written in."""
    from auditor.export import transpile as T

    try:
        query = rule_sql(rule, options)
    except ValueError as e:
        raise T.NotTranspilable(str(e)) from None
    tree, requires = T.sqlite_tree(T.inline_views(query), sqlite_version)
    main = T.main_table(tree)
    if main is None:
        raise T.NotTranspilable("the query reads no canonical table")
    plain = T.generate(tree, "sqlite")
    T.rename_table(tree, main, T.BATCH_CTE)
    body = T.generate(tree, "sqlite")
    cte = f"{T.BATCH_CTE} AS (SELECT * FROM {{batch}})"
    m = re.match(r"WITH\s+(RECURSIVE\s+)?", body, re.IGNORECASE)
    head = f"WITH {m.group(1) or ''}{cte}, " if m else f"WITH {cte} "
    rest = body[m.end():] if m else body
    query = head + _gx_text(rest)
    if sqlite_version is None or sqlite_version <= T.sqlite_library_version():
        T.check_sqlite(plain)
        T.check_sqlite(_BIND.sub(lambda mm: ":" + mm.group(1), query.replace("\\:", ":")).format(batch=main))
    return query, main, requires


def expectation(rule: Rule, query: str, table: str, requires: set[str], severity: str | None = None) -> dict:
    """One UnexpectedRowsExpectation in GX 1.x's suite JSON (`severity`: the configured override)."""
    sev = severity or rule.severity.value
    return {
        "type": "unexpected_rows_expectation",
        "kwargs": {"unexpected_rows_query": query},
        "meta": {"rule": rule.id, "name": rule.name, "family": rule.family, "severity": sev,
                 "table": table, "message": rule.message, "requires": sorted(requires), "source": rule.source},
        "description": f"{rule.id} {rule.name}: {rule.summary}",
        "severity": GX_SEVERITY.get(sev, "critical"),
    }


def _write_csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def aux_rows(params: dict | None = None, cap_bands: list[dict] | None = None,
             lexicon: dict[str, list[str]] | None = None) -> dict[str, tuple[list[str], list[tuple]]]:
    p, bands = aux_params(params, cap_bands)
    return {"params": (list(p), [tuple(p.values())]),
            "cap_bands": (["rate_from", "rate_to", "max_total"], bands),
            "lexicon": (["list", "term"], lexicon_rows(lexicon))}


def export_gx(rules: list[Rule], output_dir: str | Path, params: dict | None = None,
              cap_bands: list[dict] | None = None, sqlite_version: tuple[int, ...] | None = None,
              lexicon: dict[str, list[str]] | None = None, rule_options: dict[str, dict] | None = None,
              severity: dict[str, str] | None = None) -> ExportResult:
    """Write suite_<table>.json (one suite per main table), params.csv, cap_bands.csv,
    lexicon.csv, manifest.json and run_suite.py into output_dir."""
    from auditor.export.transpile import NotTranspilable, sqlite_library_version

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    version = sqlite_version or sqlite_library_version()
    result = ExportResult(out)
    suites: dict[str, list[dict]] = {}
    for rule in rules:
        if not rule.query:
            continue
        try:
            query, table, requires = gx_query(rule, version, (rule_options or {}).get(rule.id))
        except NotTranspilable as e:
            result.not_expressible.append({"rule": rule.id, "name": rule.name, "reason": str(e)})
            continue
        override = {k.upper(): v for k, v in (severity or {}).items()}.get(rule.id)
        suites.setdefault(table, []).append(expectation(rule, query, table, requires, override))
        result.exported.append({"rule": rule.id, "name": rule.name, "table": table, "requires": sorted(requires)})
    for table, exps in suites.items():
        path = out / f"suite_{table}.json"
        suite = {"name": f"auditor.{table}", "expectations": exps,
                 "meta": {"generated_by": f"auditor {__version__}", "table": table, "dialect": "sqlite"},
                 "notes": f"auditor rules whose main table is {table}; validate against the {table} table. "
                          f"Generated from the rule packs; edit the packs, not this file."}
        path.write_text(json.dumps(suite, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        result.suites[table] = path
    for name, (header, rows) in aux_rows(params, cap_bands, lexicon).items():
        _write_csv(out / f"{name}.csv", header, rows)
    result.run_script = out / "run_suite.py"
    shutil.copyfile(RUN_SCRIPT, result.run_script)
    manifest = {
        "generated_by": f"auditor {__version__}",
        "great_expectations": ">=1.0",
        "dialect": "sqlite",
        "sqlite_version": ".".join(map(str, version)),
        "suites": {t: p.name for t, p in sorted(result.suites.items())},
        "aux_tables": {n: f"{n}.csv" for n in ("params", "cap_bands", "lexicon")},
        "functions": {"REGEXP": ("x REGEXP p calls regexp(p, x): register a function with RE2's meaning "
                                 "(run_suite.py does)")},
        "expectations": result.exported,
        "not_expressible": result.not_expressible,
    }
    result.manifest = out / "manifest.json"
    result.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


# ----------------------------------------------------------------------------- data for the suites

def sqlite_create(con: sqlite3.Connection) -> None:
    from auditor.export.transpile import sqlite_schema_sql

    for stmt in sqlite_schema_sql():
        name = stmt.split('"')[1] if stmt.startswith('CREATE TABLE "') else stmt.split()[2]
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
        con.execute(stmt)


def write_sqlite(canonical: Canonical, db_path: str | Path, params: dict | None = None,
                 cap_bands: list[dict] | None = None, lexicon: dict[str, list[str]] | None = None) -> Path:
    """The canonical tables and params / cap_bands / lexicon in one SQLite file, with the
    column types the exported queries were checked against."""
    db = Path(db_path)
    con = sqlite3.connect(db)
    try:
        sqlite_create(con)
        for name in SPEC:
            df = canonical[name]
            cols = columns(name)
            df = df.reindex(columns=cols).astype(object)
            df = df.where(df.notna(), None)
            quoted = ", ".join(f'"{c}"' for c in cols)
            con.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({", ".join("?" * len(cols))})',
                            df.itertuples(index=False, name=None))
        for name, (header, rows) in aux_rows(params, cap_bands, lexicon).items():
            con.executemany(f'INSERT INTO {name} VALUES ({", ".join("?" * len(header))})', rows)
        con.execute("CREATE INDEX IF NOT EXISTS lexicon_list ON lexicon(list, term)")
        con.commit()
    finally:
        con.close()
    return db


def run_gx(output_dir: str | Path, db_path: str | Path, rows: bool = True) -> dict[str, dict]:
    """Run the exported suites with Great Expectations on a SQLite file (see write_sqlite):
    {rule id: {"count": n, "rows": [...] (all of them, when rows=True)}}. Uses the
    run_suite.py written by export_gx, so the example is what gets tested."""
    import importlib.util

    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    script = Path(output_dir) / "run_suite.py"
    spec = importlib.util.spec_from_file_location("auditor_gx_run_suite", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    t = time.perf_counter()
    out = module.run(db_path, rows=rows)
    out["_seconds"] = time.perf_counter() - t
    return out
