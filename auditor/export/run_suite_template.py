"""Run auditor's exported expectation suites with Great Expectations 1.x on SQLite.

    pip install 'great-expectations>=1.0' sqlalchemy
    python run_suite.py canonical.sqlite            # violations per rule
    python run_suite.py canonical.sqlite --rows     # and every violating row, as JSON

canonical.sqlite holds the canonical tables (documents, tables, funds, indicators,
scores, sections, ledger, claims, targets, problems) with the columns of
`auditor schema`; `auditor.export.gx.write_sqlite(canonical, path)` writes one.
This script (written by `auditor export gx`) loads params.csv, cap_bands.csv and
lexicon.csv from its folder into that database, registers the REGEXP function
some rules need, and validates each suite_<table>.json against its table. GX's
usage analytics are off. Rules that could not be expressed in SQLite are listed
in manifest.json ("not_expressible").
"""
from __future__ import annotations

import csv
import functools
import json
import os
import re
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_aux(db: str | Path, folder: Path = HERE) -> None:
    """params / cap_bands / lexicon from the CSV files beside this script into the database."""
    con = sqlite3.connect(db)
    try:
        for name in ("params", "cap_bands", "lexicon"):
            with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
            header, data = rows[0], rows[1:]
            kind = "TEXT" if name == "lexicon" else "REAL"
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
            con.execute(f'CREATE TABLE "{name}" ({", ".join(f"{chr(34)}{h}{chr(34)} {kind}" for h in header)})')
            conv = (lambda v: v) if kind == "TEXT" else (lambda v: None if v == "" else float(v))
            con.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(header))})',
                            [tuple(conv(v) for v in r) for r in data])
        con.execute("CREATE INDEX IF NOT EXISTS lexicon_list ON lexicon(list, term)")
        con.commit()
    finally:
        con.close()


@functools.lru_cache(maxsize=256)
def _compile(pattern: str):
    """RE2 (the rules' dialect) -> Python re: \\s is [\\t\\n\\f\\r ], `$` the end of the text."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            out.append(("\\t\\n\\f\\r " if in_class else "[\\t\\n\\f\\r ]") if e == "s" else
                       ("\\Z" if e == "z" else c + e))
            i += 2
            continue
        if in_class and c == "]":
            in_class = False
        elif not in_class and c == "[":
            in_class = True
        elif not in_class and c == "$":
            c = "\\Z"
        out.append(c)
        i += 1
    return re.compile("".join(out))


def _regexp(pattern, value):
    if pattern is None or value is None:
        return None
    return 1 if _compile(pattern).search(str(value)) else 0


def _register_regexp() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if getattr(_register_regexp, "done", False):
        return

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.create_function("regexp", 2, _regexp, deterministic=True)

    _register_regexp.done = True


def _context():
    os.environ["GX_ANALYTICS_ENABLED"] = "false"      # before great_expectations is imported
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(), analytics_enabled=False,
                               progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False))
    return gx, gx.get_context(mode="ephemeral", project_config=config)


def _raised(info) -> str | None:
    """The exception message in a GX result's exception_info (flat, or one per metric)."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception")
    for v in info.values():
        if isinstance(v, dict) and v.get("raised_exception"):
            return str(v.get("exception_message") or "exception")
    return None


def run(db: str | Path, rows: bool = False, folder: Path = HERE) -> dict[str, dict]:
    """{rule id: {"count": violating rows, "rows": [...] when rows=True, "table": main table}}."""
    db = Path(db).resolve()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    load_aux(db, folder)
    _register_regexp()
    gx, context = _context()
    source = context.data_sources.add_sqlite("auditor", connection_string=f"sqlite:///{db}")
    out: dict[str, dict] = {}
    for table, file in manifest["suites"].items():
        data = json.loads((folder / file).read_text(encoding="utf-8"))
        suite = gx.ExpectationSuite(**data)
        if len(suite.expectations) != len(data["expectations"]):
            raise RuntimeError(f"{file}: GX refused {len(data['expectations']) - len(suite.expectations)} expectations")
        suite = context.suites.add(suite)
        batch = source.add_table_asset(table, table_name=table).add_batch_definition_whole_table("all")
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"auditor.{table}", data=batch, suite=suite))
        result = validation.run(result_format="BASIC")
        by_id = {e.id: e for e in suite.expectations}
        for r in result.results:
            cfg = r.expectation_config
            rule = cfg.meta["rule"]
            error = _raised(r.exception_info)
            if error:
                out[rule] = {"count": None, "table": table, "error": error}
                continue
            count = r.result.get("observed_value", 0)
            entry = {"count": count, "table": table}
            if rows:
                entry["rows"] = validation.get_unexpected_rows(by_id[cfg.id]) if count else []
            out[rule] = entry
    return out


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    result = run(argv[0], rows="--rows" in argv)
    if "--rows" in argv:
        print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    else:
        for rule, entry in sorted(result.items()):
            print(f"{rule}\t{entry['table']}\t{entry.get('error') or entry['count']}")
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    for r in manifest.get("not_expressible", []):
        print(f"{r['rule']}\tnot exported: {r['reason']}", file=sys.stderr)
    return 1 if any(e.get("count") for e in result.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
