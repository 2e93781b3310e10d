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
import re
import threading
import time
from contextlib import contextmanager

from auditor.config import DEFAULTS
from auditor.engine.base import (
    DEFAULT_MAX_ROWS,
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
from auditor.engine.shapes import ShapeCache
from auditor.engine.views import View, needed
from auditor.findings import Finding
from auditor.model.tables import SPEC, Canonical, _as_bool, column_kind, columns

LOCKDOWN = ("SET enable_external_access=false", "SET autoinstall_known_extensions=false",
            "SET autoload_known_extensions=false", "SET allow_community_extensions=false",
            "SET lock_configuration=true")


@functools.lru_cache(maxsize=1)
def macros_sql() -> str:
    return (builtin_checks_dir() / "_macros.sql").read_text(encoding="utf-8")


def _na(v) -> bool:
    return v is None or type(v).__name__ == "NAType"


def lexicon_frame(overrides: dict[str, list[str]] | None = None):
    """checks/_lexicon*.yaml as a table `lexicon(list, term)` (see base.lexicon_rows)."""
    import pandas as pd

    rows = lexicon_rows(overrides)
    return pd.DataFrame(rows, columns=["list", "term"], dtype="string")


def _threads() -> int:
    return max(1, min(os.cpu_count() or 2, int(DEFAULTS["duckdb_threads"])))


DEFAULT_MEMORY_MB = float(DEFAULTS["duckdb_memory_mb"])
FETCH_CHARS = 1000          # characters of a text value fetched (messages quote at most MAX_VALUE_CHARS)
DEFAULT_RULE_MEMORY_MB = float(DEFAULTS["memory_mb"])


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            m = re.search(r"^VmSize:\s+(\d+) kB", f.read(), re.M)
    except OSError:
        return None
    return int(m.group(1)) * 1024 if m else None


@contextmanager
def memory_guard(extra_mb: float | None):
    """While the block runs, the process may map at most `extra_mb` more than it has now (an
    address-space limit: an allocation past it fails with MemoryError or DuckDB's out-of-memory
    error, which the rule's run turns into AUD001). DuckDB's memory_limit bounds its buffers, not
    every allocation (a `repeat('x', 1e9)` string is outside it); this bounds the rest. Linux
    only; elsewhere, or without a usable limit, the block runs unguarded."""
    try:
        import resource
    except ImportError:         # pragma: no cover - not POSIX
        yield
        return
    now = _vm_size()
    if not extra_mb or now is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = now + int(extra_mb * 1024 * 1024)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield                   # already tighter
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class NotOneSelect(ValueError):
    pass


def one_select(con, sql: str) -> str:
    """The rule's query if it is exactly one SELECT statement (a WITH … SELECT included), without
    its trailing semicolon. Anything else (CREATE, DROP, SET, ATTACH, several statements) is
    refused, so that a rule pack cannot change what the rules after it see."""
    import duckdb

    statements = con.extract_statements(sql)
    if len(statements) != 1:
        raise NotOneSelect(f"规则的 query 必须是一条 SELECT 查询，这里有 {len(statements)} 条语句")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise NotOneSelect(f"规则的 query 必须是一条 SELECT 查询，不能是 {statements[0].type.name} 语句"
                           "（规则不能建表、删表、建视图或设置变量）")
    return statements[0].query.strip().rstrip(";").rstrip()


COPY_ROWS = 200_000
DUCK_TYPES = {"float": "DOUBLE", "int": "BIGINT", "bool": "BOOLEAN", "string": "VARCHAR"}


def _coerce(kind: str, v):
    """A value of a row dict as the canonical frames would hold it (see model.tables.frame)."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    if kind in ("float", "int"):
        try:
            x = float(v)
        except (TypeError, ValueError):
            return None
        return int(x) if kind == "int" and x == int(x) else (None if kind == "int" else x)
    if kind == "bool":
        return _as_bool(v)
    return str(v)


def _load_rows(con, rows: dict[str, list[dict]]) -> None:
    """Canonical tables from row dicts (rule examples): typed DuckDB tables, no pandas."""
    for name in SPEC:
        cols = columns(name)
        kinds = [column_kind(name, c) for c in cols]
        con.execute(f'CREATE TABLE "{name}" ({", ".join(f"{chr(34)}{c}{chr(34)} {DUCK_TYPES[k]}" for c, k in zip(cols, kinds))})')
        data = [tuple(_coerce(k, r.get(c)) for c, k in zip(cols, kinds)) for r in rows.get(name, [])]
        if data:
            con.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(cols))})', data)


def connect(canonical: Canonical | dict, params: dict | None = None, cap_bands: list[dict] | None = None,
            lexicon: dict[str, list[str]] | None = None, views: list[View] = (), memory_mb: float | None = None,
            threads: int | None = None):
    """A DuckDB connection holding the canonical tables (a Canonical of pandas frames,
    registered without copying, or row dicts), with file, network and extension access
    disabled, an explicit memory limit and thread count (`duckdb_memory_mb`,
    `duckdb_threads`) and the configuration locked, since rule packs may come from strangers.
    `views`: shared views to create now (see auditor.engine.views)."""
    import duckdb

    mb = DEFAULT_MEMORY_MB if memory_mb is None else float(memory_mb)
    con = duckdb.connect(database=":memory:", config={
        "threads": max(1, int(threads)) if threads else _threads(), "memory_limit": f"{max(16, int(mb))}MB"})
    if isinstance(canonical, Canonical):
        # a few documents: copied into DuckDB once (each query on a pandas frame pays for
        # looking at its columns); many: views over the frames, which are read without a copy
        small = sum(len(canonical[name]) for name in SPEC) <= COPY_ROWS
        for name in SPEC:
            con.register(f"_{name}_df", canonical[name])
            con.execute(f'CREATE {"TABLE" if small else "VIEW"} "{name}" AS SELECT * FROM "_{name}_df"')
            if small:
                con.unregister(f"_{name}_df")
    else:
        _load_rows(con, canonical)
    p, bands = aux_params(params, cap_bands)
    con.execute(f"CREATE TABLE params AS SELECT {', '.join(f'?::DOUBLE AS {k}' for k in p)}", list(p.values()))
    con.execute("CREATE TABLE cap_bands (rate_from DOUBLE, rate_to DOUBLE, max_total DOUBLE)")
    if bands:
        con.executemany("INSERT INTO cap_bands VALUES (?, ?, ?)", bands)
    lex = lexicon_rows(lexicon)
    if isinstance(canonical, Canonical):        # pandas is loaded: a frame registers in a millisecond
        import pandas as pd

        con.register("_lexicon_df", pd.DataFrame(lex, columns=["list", "term"], dtype="string"))
        con.execute("CREATE VIEW lexicon AS SELECT * FROM _lexicon_df")
    else:
        con.execute('CREATE TABLE lexicon ("list" VARCHAR, term VARCHAR)')
        con.executemany("INSERT INTO lexicon VALUES (?, ?)", lex)
    con.execute(macros_sql())
    for stmt in LOCKDOWN:
        con.execute(stmt)
    for v in views:
        con.execute(f'CREATE TEMP {"TABLE" if v.materialize else "VIEW"} "{v.name}" AS {v.body}')
    return con


class DuckDBEngine:
    """Rules over in-memory canonical tables (pandas), in process."""

    name = "duckdb"

    def __init__(self, canonical: Canonical | dict, params: dict | None = None, cap_bands: list[dict] | None = None,
                 lexicon: dict[str, list[str]] | None = None, rule_options: dict[str, dict] | None = None,
                 memory_mb: float | None = None, threads: int | None = None, max_rows: int = DEFAULT_MAX_ROWS,
                 rule_memory_mb: float | None = DEFAULT_RULE_MEMORY_MB):
        self.canonical = canonical
        self.con = connect(canonical, params, cap_bands, lexicon, memory_mb=memory_mb, threads=threads)
        self.rule_options = rule_options or {}
        self.max_rows = max(1, int(max_rows))
        self.rule_memory_mb = rule_memory_mb
        self._views_made: set[str] = set()
        self.shapes = ShapeCache()
        self._source = "frames" if isinstance(canonical, Canonical) else "rows"

    def _ensure_views(self, sql: str) -> None:
        for v in needed([sql]):
            if v.name not in self._views_made:
                self.con.execute(f'CREATE TEMP {"TABLE" if v.materialize else "VIEW"} "{v.name}" AS {v.body}')
                self._views_made.add(v.name)

    def run(self, rule: Rule, seconds: float = DEFAULT_RULE_SECONDS) -> RuleRows | Finding:
        """The rule's rows: one SELECT (see one_select), at most max_rows + 1 of them fetched (the
        extra one tells that there were more), within `seconds` and the memory guard."""
        start = time.monotonic()
        timer = threading.Timer(seconds, self.con.interrupt)
        timer.start()
        try:
            with memory_guard(self.rule_memory_mb):
                sql = one_select(self.con, rule_sql(rule, self.rule_options.get(rule.id)))
                self._ensure_views(sql)
                inner = f"(\n{sql}\n) AS _rule"
                shape = self.shapes.get(sql, self._source)
                result = None
                if shape is not None:       # remembered: the query is planned once
                    result = self._fetch(inner, shape, timer)
                if result is None:
                    shape = [(d[0], str(d[1])) for d in self.con.execute(f"SELECT * FROM {inner} LIMIT 0").description]
                    self.shapes.put(sql, self._source, shape)
                    result = self.con.execute(f"SELECT {_columns(shape)} FROM {inner} LIMIT {self.max_rows + 1}")
                names = [n for n, _ in shape]
                rows = result.fetchall()
        except Exception as e:  # noqa: BLE001 - any rule failure becomes a finding (MemoryError included)
            timed_out = not timer.is_alive()
            return crash_finding(rule, _why(e, seconds, timed_out))
        finally:
            timer.cancel()
        return RuleRows(rule, names, rows, elapsed=time.monotonic() - start)

    def _fetch(self, inner: str, shape: list[tuple[str, str]], timer: threading.Timer):
        """The query run with a remembered shape, or None when its result does not have that
        shape (or fails, unless the time limit stopped it): the caller then asks DuckDB."""
        import duckdb

        try:
            result = self.con.execute(f"SELECT {_columns(shape)} FROM {inner} LIMIT {self.max_rows + 1}")
        except duckdb.Error:
            if not timer.is_alive():
                raise
            return None
        got = [(d[0], str(d[1])) for d in result.description]
        return result if _fetched(got) == _fetched(shape) else None

    def labels(self, doc_ids: set[str], table_keys: set[tuple[str, str]]) -> Labels:
        """File names, page starts and table labels of the documents and tables that findings name."""
        docs, pages, tables = {}, {}, {}
        if isinstance(self.canonical, Canonical):
            # the few documents and tables findings name, found by DuckDB in the registered frames
            doc_rows = self.con.execute(
                "SELECT doc_id, file, page_starts FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted(doc_ids)]).fetchall() if doc_ids else []
            table_rows = self.con.execute(
                "SELECT doc_id, table_id, title, kind, name FROM tables "
                "WHERE table_id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted({k[1] for k in table_keys})]).fetchall() if table_keys else []
        else:
            doc_rows = ((r.get("doc_id"), r.get("file"), r.get("page_starts")) for r in self.canonical.get("documents", []))
            table_rows = ((r.get("doc_id"), r.get("table_id"), r.get("title"), r.get("kind"), r.get("name"))
                          for r in self.canonical.get("tables", []))
        for doc_id, file, starts in doc_rows:
            if str(doc_id) in doc_ids:
                docs[str(doc_id)] = str(file)
                if isinstance(starts, str) and starts:
                    pages[str(doc_id)] = [int(x) for x in starts.split(",")]
        for doc_id, table_id, title, kind, name in table_rows:
            key = (str(doc_id), str(table_id))
            if key in table_keys:
                tables[key] = label_of_table(None if _na(title) else title, kind, None if _na(name) else name)
        return Labels(docs, tables, pages)

    def close(self) -> None:
        self.shapes.save()
        self.con.close()


def _is_text(type_name: str) -> bool:
    return type_name in ("STRING", "VARCHAR")


def _fetched(shape: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(n, "VARCHAR" if _is_text(t) else t) for n, t in shape]


def _has_duplicates(shape: list[tuple[str, str]]) -> bool:
    return len({n for n, _ in shape}) != len(shape)


def _columns(shape: list[tuple[str, str]]) -> str:
    """The select list that fetches a result of this shape: long texts cut inside DuckDB (a row
    of 1 GB strings never reaches Python); with duplicate column names, as the query gives them."""
    texts = [n.replace('"', '""') for n, t in shape if _is_text(t)]
    if _has_duplicates(shape) or not texts:
        return "*"
    # every column (one the shape lacks is seen in the result), the texts replaced by their start
    return "* REPLACE (" + ", ".join(f'left("{n}", {FETCH_CHARS}) AS "{n}"' for n in texts) + ")"


def _why(e: BaseException, seconds: float, timed_out: bool) -> str:
    import duckdb

    if timed_out:
        return f"超过时限 {seconds:g} 秒被终止（rule_timeout）"
    if isinstance(e, MemoryError) or isinstance(e, getattr(duckdb, "OutOfMemoryException", ())):
        return "内存超出上限（duckdb_memory_mb / memory_mb），已停止该规则"
    if isinstance(e, NotOneSelect):
        return str(e)
    first = (str(e).splitlines() or [""])[0]
    return f"{type(e).__name__}: {first[:300]}"


def run_rules(canonical: Canonical | dict, rules: list[Rule], params: dict | None = None,
              cap_bands: list[dict] | None = None, seconds: float = DEFAULT_RULE_SECONDS,
              lexicon: dict[str, list[str]] | None = None,
              rule_options: dict[str, dict] | None = None, memory_mb: float | None = None,
              threads: int | None = None, max_rows: int = DEFAULT_MAX_ROWS,
              rule_memory_mb: float | None = DEFAULT_RULE_MEMORY_MB) -> list[Finding]:
    """The findings of `rules` over `canonical`, in rule order (see auditor.engine.base.evaluate
    for the whole orchestration: configuration, severities, roots, order)."""
    from auditor.engine.base import run_engine

    engine = DuckDBEngine(canonical, params, cap_bands, lexicon, rule_options, memory_mb=memory_mb,
                          threads=threads, max_rows=max_rows, rule_memory_mb=rule_memory_mb)
    try:
        return run_engine(engine, rules, seconds, max_rows=max_rows)
    finally:
        engine.close()
