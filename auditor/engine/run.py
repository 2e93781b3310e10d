"""Run rules as SQL over the canonical tables in one sandboxed DuckDB connection.

The tables are registered once (views over the pandas frames, no copy); the shared
views of checks/_views.sql that the selected rules read are created once, the
`CREATE TABLE` ones computed once; each rule is one query returning the violating
rows. A rule that fails or runs past its time limit becomes an AUD001 finding,
and the run goes on. Labels and locations (file name, table title, page) are
looked up afterwards, for the rows that produced findings only.

`DuckDBEngine` is one implementation of the engine interface
(auditor.engine.base); `auditor.engine.spark.SparkEngine` is the other.
"""
from __future__ import annotations

import functools
import os
import threading

from auditor.engine.base import (
    DEFAULT_RULE_SECONDS,
    Labels,
    RuleRows,
    aux_params,
    crash_finding,
    findings_from_rows,
    label_of_table,
    lexicon_rows,
    rule_sql,
)
from auditor.engine.catalog import Rule, builtin_checks_dir
from auditor.engine.views import View, needed
from auditor.findings import Finding
from auditor.model.tables import SPEC, Canonical

LOCKDOWN = ("SET enable_external_access=false", "SET autoinstall_known_extensions=false",
            "SET autoload_known_extensions=false", "SET allow_community_extensions=false",
            "SET lock_configuration=true")


@functools.lru_cache(maxsize=1)
def macros_sql() -> str:
    return (builtin_checks_dir() / "_macros.sql").read_text(encoding="utf-8")


def lexicon_frame(overrides: dict[str, list[str]] | None = None):
    """checks/_lexicon*.yaml as a table `lexicon(list, term)` (see base.lexicon_rows)."""
    import pandas as pd

    rows = lexicon_rows(overrides)
    return pd.DataFrame(rows, columns=["list", "term"], dtype="string")


def _threads() -> int:
    return max(1, min(os.cpu_count() or 2, 8))


def connect(canonical: Canonical, params: dict | None = None, cap_bands: list[dict] | None = None,
            lexicon: dict[str, list[str]] | None = None, views: list[View] = ()):
    """A DuckDB connection holding the canonical tables, with file, network and
    extension access disabled and the configuration locked, since rule packs may
    come from strangers. `views`: shared views to create (see auditor.engine.views)."""
    import duckdb
    import pandas as pd

    con = duckdb.connect(database=":memory:", config={"threads": _threads()})
    for name in SPEC:
        con.register(f"_{name}_df", canonical[name])
        con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM "_{name}_df"')
    p, bands = aux_params(params, cap_bands)
    con.register("_params_df", pd.DataFrame([p]))
    con.execute("CREATE VIEW params AS SELECT * FROM _params_df")
    con.register("_cap_bands_df", pd.DataFrame(bands, columns=["rate_from", "rate_to", "max_total"], dtype="float64"))
    con.execute("CREATE VIEW cap_bands AS SELECT * FROM _cap_bands_df")
    con.register("_lexicon_df", lexicon_frame(lexicon))
    con.execute("CREATE VIEW lexicon AS SELECT * FROM _lexicon_df")
    con.execute(macros_sql())
    for stmt in LOCKDOWN:
        con.execute(stmt)
    for v in views:
        con.execute(f'CREATE TEMP {"TABLE" if v.materialize else "VIEW"} "{v.name}" AS {v.body}')
    return con


class DuckDBEngine:
    """Rules over in-memory canonical tables (pandas), in process."""

    name = "duckdb"

    def __init__(self, canonical: Canonical, params: dict | None = None, cap_bands: list[dict] | None = None,
                 lexicon: dict[str, list[str]] | None = None, rule_options: dict[str, dict] | None = None):
        self.canonical = canonical
        self.con = connect(canonical, params, cap_bands, lexicon)
        self.rule_options = rule_options or {}
        self._views_made: set[str] = set()

    def _ensure_views(self, sql: str) -> None:
        for v in needed([sql]):
            if v.name not in self._views_made:
                self.con.execute(f'CREATE TEMP {"TABLE" if v.materialize else "VIEW"} "{v.name}" AS {v.body}')
                self._views_made.add(v.name)

    def run(self, rule: Rule, seconds: float = DEFAULT_RULE_SECONDS) -> RuleRows | Finding:
        timer = threading.Timer(seconds, self.con.interrupt)
        timer.start()
        try:
            sql = rule_sql(rule, self.rule_options.get(rule.id))
            self._ensure_views(sql)
            result = self.con.execute(sql)
            names = [d[0] for d in result.description]
            rows = result.fetchall()
        except Exception as e:  # noqa: BLE001 - any rule failure becomes a finding
            timed_out = not timer.is_alive()
            why = f"超过时限 {seconds:g} 秒被终止" if timed_out else f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"
            return crash_finding(rule, why)
        finally:
            timer.cancel()
        return RuleRows(rule, names, rows)

    def labels(self, doc_ids: set[str], table_keys: set[tuple[str, str]]) -> Labels:
        """File names, page starts and table labels of the documents and tables that findings name."""
        import pandas as pd

        docs, pages, tables = {}, {}, {}
        d = self.canonical["documents"]
        if doc_ids and len(d):
            d = d[d["doc_id"].isin(list(doc_ids))]
            for doc_id, file, starts in zip(d["doc_id"], d["file"], d["page_starts"]):
                docs[str(doc_id)] = str(file)
                if isinstance(starts, str) and starts:
                    pages[str(doc_id)] = [int(x) for x in starts.split(",")]
        t = self.canonical["tables"]
        if table_keys and len(t):
            t = t[t["table_id"].isin(list({k[1] for k in table_keys}))]
            for doc_id, table_id, title, kind, name in zip(t["doc_id"], t["table_id"], t["title"], t["kind"], t["name"]):
                tables[(str(doc_id), str(table_id))] = label_of_table(
                    None if title is pd.NA else title, kind, None if name is pd.NA else name)
        return Labels(docs, tables, pages)

    def close(self) -> None:
        self.con.close()


def run_rules(canonical: Canonical, rules: list[Rule], params: dict | None = None,
              cap_bands: list[dict] | None = None, seconds: float = DEFAULT_RULE_SECONDS,
              lexicon: dict[str, list[str]] | None = None,
              rule_options: dict[str, dict] | None = None) -> list[Finding]:
    """The findings of `rules` over `canonical`, in rule order (see auditor.engine.base.evaluate
    for the whole orchestration: configuration, severities, roots, order)."""
    from auditor.engine.base import run_engine

    engine = DuckDBEngine(canonical, params, cap_bands, lexicon, rule_options)
    try:
        return run_engine(engine, rules, seconds)
    finally:
        engine.close()
