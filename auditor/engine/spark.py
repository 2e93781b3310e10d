"""Run the rule packs on Spark SQL over canonical Parquet (national-scale audits).

    from auditor.engine.spark import run_rules_spark
    findings = run_rules_spark("canonical/", rules, params=cfg.params(), cap_bands=cfg.cap_bands)

Each rule's DuckDB query is transpiled to Spark SQL with sqlglot
(auditor.export.transpile: macros of checks/_macros.sql expanded, DuckDB-only
functions rewritten); params, cap_bands and lexicon are temporary views next to
the canonical tables. A rule that cannot be transpiled, or whose Spark SQL
uses a function this Spark lacks, becomes an AUD003 `rule-not-transpilable`
warning; a rule that fails while running becomes AUD001 as on DuckDB. Rows
become findings exactly as on DuckDB (auditor.engine.run.run_rule).

The views live in a new session of the given SparkSession (`spark.newSession()`:
same cluster and cache, its own temporary views and SQL settings), so the
caller's views named `funds`, `params` ... are left alone. See docs/spark.md.
pyspark is the optional extra `spark`.
"""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from auditor.engine.catalog import Rule
from auditor.engine.run import crash_finding, lexicon_frame, run_rule
from auditor.findings import Finding, Location, Severity
from auditor.model.tables import SPEC, column_kind, columns

DEFAULT_SPARK_RULE_SECONDS = 600.0
DEFAULT_PARAMS = {"exec_weight": 10.0, "project_weight_total": 90.0, "department_weight_total": 100.0,
                  "full_tolerance": 0.0}
# Spark analysis errors that mean "this Spark cannot run the transpiled SQL", not "the rule is broken"
NOT_TRANSPILABLE_CONDITIONS = ("UNRESOLVED_ROUTINE", "UNSUPPORTED_FEATURE", "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY",
                               "UNSUPPORTED_CORRELATED", "PARSE_SYNTAX_ERROR", "INVALID_SUBQUERY_EXPRESSION",
                               "DATATYPE_MISMATCH", "INVALID_IDENTIFIER")


SPARK_TYPES = {"float": "double", "int": "bigint", "bool": "boolean", "string": "string"}


def spark_type(table: str, column: str) -> str:
    return SPARK_TYPES[column_kind(table, column)]


def not_transpilable_finding(rule: Rule, why: str) -> Finding:
    return Finding(rule="AUD003", name="rule-not-transpilable", family="AUD", severity=Severity.WARNING,
                   message=f"规则 {rule.id} ({rule.name}) 无法转换为 Spark SQL，未在 Spark 上运行：{why} [rule-not-transpilable]",
                   location=Location(file=rule.source or "<rules>"), row_key=rule.id)


def default_session(master: str | None = None):
    """A local SparkSession for laptops and tests (`local[*]` unless `master` is given);
    on a cluster pass your own session or use spark-submit (docs/spark.md)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("auditor")
    if master:
        builder = builder.master(master)
    builder = (builder.config("spark.sql.shuffle.partitions", "2")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.ui.enabled", "false"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _remote(location) -> bool:
    return "://" in str(location)


def _read_table(session, location, table: str):
    from pyspark.sql import functions as F

    cols = columns(table)
    path = f"{str(location).rstrip('/')}/{table}.parquet" if _remote(location) else Path(location) / f"{table}.parquet"
    df = None
    if _remote(location):
        try:
            df = session.read.parquet(path)
        except Exception as e:
            if "PATH_NOT_FOUND" not in _analysis_condition(e) and "Path does not exist" not in str(e):
                raise
    elif path.exists():          # a file, or a folder of part files
        df = session.read.parquet(str(path))
    if df is not None:
        present = set(df.columns)
        unknown = present - set(cols)
        if unknown:
            raise ValueError(f"{path}: unknown column(s) {', '.join(sorted(unknown))} for table '{table}'")
        exprs = [(F.col(f"`{c}`") if c in present else F.lit(None)).cast(spark_type(table, c)).alias(c) for c in cols]
        return df.select(*exprs)
    schema = ", ".join(f"`{c}` {spark_type(table, c)}" for c in cols)
    return session.createDataFrame([], schema)


def register_views(session, canonical_dir: str | Path, params: dict | None = None,
                   cap_bands: list[dict] | None = None, cache: bool = True) -> list:
    """Canonical tables (<table>.parquet, missing tables empty, missing columns NULL,
    types cast to the canonical ones) and params / cap_bands / lexicon as temporary views.
    `canonical_dir` is a local folder or a URL Spark reads (hdfs://, s3a:// ...)."""
    if not _remote(canonical_dir):
        directory = Path(canonical_dir)
        if not directory.is_dir():
            raise FileNotFoundError(f"{directory}: not a folder of canonical Parquet tables")
        if not any((directory / f"{t}.parquet").exists() for t in SPEC):
            raise FileNotFoundError(f"{directory}: no canonical Parquet tables (write them with "
                                    f"`auditor extract --format parquet`)")
    frames = []
    for table in SPEC:
        df = _read_table(session, canonical_dir, table)
        if cache:
            df = df.cache()
        df.createOrReplaceTempView(table)
        frames.append(df)
    p = dict(DEFAULT_PARAMS)
    p.update(params or {})
    names = list(p)
    session.createDataFrame([tuple(float(p[k]) for k in names)],
                            ", ".join(f"`{k}` double" for k in names)).createOrReplaceTempView("params")
    if cap_bands is None:
        from auditor.config import DEFAULTS

        cap_bands = DEFAULTS["cap_bands"]
    bands = [tuple(None if b.get(k) is None else float(b[k]) for k in ("rate_from", "rate_to", "max_total"))
             for b in cap_bands]
    session.createDataFrame(bands, "rate_from double, rate_to double, max_total double").createOrReplaceTempView("cap_bands")
    lex = [(str(a), str(b)) for a, b in lexicon_frame().itertuples(index=False, name=None)]
    session.createDataFrame(lex, "`list` string, term string").createOrReplaceTempView("lexicon")
    return frames


class _Result:
    def __init__(self, names, rows):
        self.description = [(n,) for n in names]
        self._rows = rows

    def fetchall(self):
        return self._rows


class _SparkConnection:
    """What auditor.engine.run.run_rule needs of a connection: execute() with
    .description / .fetchall(), and interrupt() for the time limit."""

    def __init__(self, session, frame):
        self.session = session
        self.frame = frame
        self.group = f"auditor-{uuid.uuid4().hex}"

    def execute(self, _query):
        sc = self.session.sparkContext
        sc.setJobGroup(self.group, "auditor rule", interruptOnCancel=True)
        rows = self.frame.collect()
        return _Result(self.frame.columns, [tuple(r) for r in rows])

    def interrupt(self):
        self.session.sparkContext.cancelJobGroup(self.group)


def _analysis_condition(e: Exception) -> str:
    get = getattr(e, "getCondition", None) or getattr(e, "getErrorClass", None)
    try:
        return (get() if get else "") or ""
    except Exception:  # noqa: BLE001
        return ""


def run_rules_spark(canonical_dir: str | Path, rules: list[Rule], params: dict | None = None,
                    cap_bands: list[dict] | None = None, spark=None, seconds: float = DEFAULT_SPARK_RULE_SECONDS,
                    threads: int = 8) -> list[Finding]:
    """Findings of `rules` over the canonical Parquet tables in `canonical_dir`, computed by Spark.

    `spark`: a SparkSession (a cluster's, or `default_session("local[2]")`); None uses
    `SparkSession.builder.getOrCreate()`. Rules run `threads` at a time (Spark schedules
    their jobs side by side); findings come back in rule order."""
    from auditor.export.transpile import NotTranspilable, to_spark

    session = (spark or default_session()).newSession()
    frames = register_views(session, canonical_dir, params, cap_bands)
    lexicon: dict[str, list[str]] = {}
    for name, term in lexicon_frame().itertuples(index=False, name=None):
        lexicon.setdefault(str(name), []).append(str(term))
    try:
        docs = {str(r["doc_id"]): str(r["file"]) for r in session.sql("SELECT doc_id, file FROM documents").collect()}
        tables = {}
        for r in session.sql("SELECT doc_id, table_id, kind, title, name FROM tables").collect():
            label = str(r["title"]) if r["title"] is not None else str(r["kind"])
            if r["name"]:
                label += f" · {r['name']}"
            tables[(str(r["doc_id"]), str(r["table_id"]))] = label

        def one(rule: Rule) -> list[Finding]:
            try:
                sql = to_spark(rule.query, lexicon).sql
            except NotTranspilable as e:
                return [not_transpilable_finding(rule, str(e))]
            except Exception as e:  # noqa: BLE001 - a transpiler bug must not stop the run
                return [not_transpilable_finding(rule, f"{type(e).__name__}: {e}")]
            try:
                frame = session.sql(sql)
            except Exception as e:  # noqa: BLE001
                cond = _analysis_condition(e)
                first = next((line.strip() for line in str(e).splitlines() if line.strip()), type(e).__name__)[:300]
                if type(e).__name__ == "ParseException" or any(cond.startswith(c) for c in NOT_TRANSPILABLE_CONDITIONS):
                    return [not_transpilable_finding(rule, f"Spark: {first}")]
                return [crash_finding(rule, f"{type(e).__name__}: {first}")]
            return run_rule(_SparkConnection(session, frame), replace(rule, query=sql), docs, tables, seconds)

        if threads > 1 and len(rules) > 1:
            with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="auditor-spark") as pool:
                parts = list(pool.map(one, rules))
        else:
            parts = [one(r) for r in rules]
    finally:
        for f in frames:
            try:
                f.unpersist()
            except Exception:  # noqa: BLE001, S110 - the session may already be stopped
                pass
    return [f for part in parts for f in part]

