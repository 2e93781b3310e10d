"""Run the rule packs on Spark SQL over canonical Parquet (national-scale audits).

    from auditor.engine.spark import run_rules_spark
    findings = run_rules_spark("canonical/", rules, params=cfg.params(), cap_bands=cfg.cap_bands,
                               lexicon=cfg.lexicon())

or, with the configuration, severities, roots and report applied as on DuckDB,
`auditor.check(canonical="canonical/", engine="spark")`.

Each rule's DuckDB query is transpiled to Spark SQL with sqlglot
(auditor.export.transpile: macros of checks/_macros.sql expanded, DuckDB-only
functions rewritten); params, cap_bands and lexicon (with the configured word
lists) are temporary views next to the canonical tables, and so are the shared
views of checks/_views.sql the rules read (the derived ones cached). A rule that cannot be transpiled, or whose Spark SQL
uses a function this Spark lacks, becomes an AUD003 `rule-not-transpilable`
warning; a rule that fails while running becomes AUD001 as on DuckDB. Rows
become findings exactly as on DuckDB (auditor.engine.base.findings_from_rows).

The views live in a new session of the given SparkSession (`spark.newSession()`:
same cluster and cache, its own temporary views and SQL settings), so the
caller's views named `funds`, `params` ... are left alone. See docs/spark.md.
pyspark is the optional extra `spark`.
"""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from auditor.engine.base import (
    Labels,
    RuleRows,
    aux_params,
    crash_finding,
    label_of_table,
    lexicon_lists,
    lexicon_rows,
    not_transpilable_finding,
    rule_sql,
    run_engine,
)
from auditor.config import DEFAULTS
from auditor.engine.catalog import Rule
from auditor.engine.views import needed
from auditor.findings import Finding
from auditor.model.tables import SPEC, column_kind, columns

DEFAULT_SPARK_RULE_SECONDS = float(DEFAULTS["spark_rule_timeout"])
# Spark analysis errors that mean "this Spark cannot run the transpiled SQL", not "the rule is broken"
NOT_TRANSPILABLE_CONDITIONS = ("UNRESOLVED_ROUTINE", "UNSUPPORTED_FEATURE", "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY",
                               "UNSUPPORTED_CORRELATED", "PARSE_SYNTAX_ERROR", "INVALID_SUBQUERY_EXPRESSION",
                               "DATATYPE_MISMATCH", "INVALID_IDENTIFIER")


SPARK_TYPES = {"float": "double", "int": "bigint", "bool": "boolean", "string": "string"}


def spark_type(table: str, column: str) -> str:
    return SPARK_TYPES[column_kind(table, column)]


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
                   cap_bands: list[dict] | None = None, cache: bool = True,
                   lexicon: dict[str, list[str]] | None = None) -> list:
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
    p, bands = aux_params(params, cap_bands)
    names = list(p)
    session.createDataFrame([tuple(p[k] for k in names)],
                            ", ".join(f"`{k}` double" for k in names)).createOrReplaceTempView("params")
    session.createDataFrame(bands, "rate_from double, rate_to double, max_total double").createOrReplaceTempView("cap_bands")
    session.createDataFrame(lexicon_rows(lexicon), "`list` string, term string").createOrReplaceTempView("lexicon")
    return frames


def _analysis_condition(e: Exception) -> str:
    get = getattr(e, "getCondition", None) or getattr(e, "getErrorClass", None)
    try:
        return (get() if get else "") or ""
    except Exception:  # noqa: BLE001
        return ""


def _first_line(e: Exception) -> str:
    return next((line.strip() for line in str(e).splitlines() if line.strip()), type(e).__name__)[:300]


class SparkEngine:
    """Rules over canonical Parquet tables, computed by Spark SQL (the engine interface of
    auditor.engine.base). The views live in a new session of the given SparkSession
    (`spark.newSession()`: same cluster and cache, its own temporary views and SQL
    settings), so the caller's views named `funds`, `params` ... are left alone."""

    name = "spark"

    def __init__(self, canonical_dir: str | Path, params: dict | None = None, cap_bands: list[dict] | None = None,
                 lexicon: dict[str, list[str]] | None = None, rule_options: dict[str, dict] | None = None,
                 spark=None):
        self.session = (spark or default_session()).newSession()
        self.frames = register_views(self.session, canonical_dir, params, cap_bands, lexicon=lexicon)
        self.lexicon = lexicon_lists(lexicon)
        self.rule_options = rule_options or {}
        self._views_made: set[str] = set()
        self._lock = threading.Lock()

    def _ensure_views(self, sql: str) -> None:
        from auditor.export.transpile import to_spark

        with self._lock:
            for v in needed([sql]):
                if v.name in self._views_made:
                    continue
                frame = self.session.sql(to_spark(v.body, self.lexicon).sql)
                if v.materialize:
                    frame = frame.cache()
                    self.frames.append(frame)
                frame.createOrReplaceTempView(v.name)
                self._views_made.add(v.name)

    def run(self, rule: Rule, seconds: float = DEFAULT_SPARK_RULE_SECONDS) -> RuleRows | Finding:
        from auditor.export.transpile import NotTranspilable, to_spark

        try:
            query = rule_sql(rule, self.rule_options.get(rule.id))
            sql = to_spark(query, self.lexicon).sql
            self._ensure_views(query)
        except NotTranspilable as e:
            return not_transpilable_finding(rule, str(e))
        except ValueError as e:
            return crash_finding(rule, str(e))
        except Exception as e:  # noqa: BLE001 - a transpiler bug must not stop the run
            return not_transpilable_finding(rule, f"{type(e).__name__}: {_first_line(e)}")
        try:
            frame = self.session.sql(sql)
        except Exception as e:  # noqa: BLE001
            cond = _analysis_condition(e)
            if type(e).__name__ == "ParseException" or any(cond.startswith(c) for c in NOT_TRANSPILABLE_CONDITIONS):
                return not_transpilable_finding(rule, f"Spark: {_first_line(e)}")
            return crash_finding(rule, f"{type(e).__name__}: {_first_line(e)}")
        group = f"auditor-{uuid.uuid4().hex}"
        sc = self.session.sparkContext
        timer = threading.Timer(seconds, lambda: sc.cancelJobGroup(group))
        timer.start()
        try:
            sc.setJobGroup(group, f"auditor rule {rule.id}", interruptOnCancel=True)
            rows = [tuple(r) for r in frame.collect()]
        except Exception as e:  # noqa: BLE001 - any rule failure becomes a finding
            why = f"超过时限 {seconds:g} 秒被终止" if not timer.is_alive() else f"{type(e).__name__}: {_first_line(e)}"
            return crash_finding(rule, why)
        finally:
            timer.cancel()
        return RuleRows(rule, list(frame.columns), rows)

    def labels(self, doc_ids: set[str], table_keys: set[tuple[str, str]]) -> Labels:
        docs, pages, tables = {}, {}, {}
        for r in self.session.sql("SELECT doc_id, file, page_starts FROM documents").collect():
            if str(r["doc_id"]) in doc_ids:
                docs[str(r["doc_id"])] = str(r["file"])
                if r["page_starts"]:
                    pages[str(r["doc_id"])] = [int(x) for x in str(r["page_starts"]).split(",")]
        if table_keys:
            for r in self.session.sql("SELECT doc_id, table_id, kind, title, name FROM tables").collect():
                key = (str(r["doc_id"]), str(r["table_id"]))
                if key in table_keys:
                    tables[key] = label_of_table(r["title"], r["kind"], r["name"])
        return Labels(docs, tables, pages)

    def close(self) -> None:
        for f in self.frames:
            try:
                f.unpersist()
            except Exception:  # noqa: BLE001, S110 - the session may already be stopped
                pass


def run_rules_spark(canonical_dir: str | Path, rules: list[Rule], params: dict | None = None,
                    cap_bands: list[dict] | None = None, spark=None, seconds: float = DEFAULT_SPARK_RULE_SECONDS,
                    threads: int = 8, lexicon: dict[str, list[str]] | None = None,
                    rule_options: dict[str, dict] | None = None) -> list[Finding]:
    """Findings of `rules` over the canonical Parquet tables in `canonical_dir`, computed by Spark.

    `spark`: a SparkSession (a cluster's, or `default_session("local[2]")`); None uses
    `SparkSession.builder.getOrCreate()`. Rules run `threads` at a time (Spark schedules
    their jobs side by side); findings come back in rule order."""
    engine = SparkEngine(canonical_dir, params, cap_bands, lexicon, rule_options, spark)

    def run_all(runnable: list[Rule]):
        if threads > 1 and len(runnable) > 1:
            with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="auditor-spark") as pool:
                return list(pool.map(lambda r: engine.run(r, seconds), runnable))
        return [engine.run(r, seconds) for r in runnable]

    try:
        return run_engine(engine, rules, seconds, run=run_all)
    finally:
        engine.close()
