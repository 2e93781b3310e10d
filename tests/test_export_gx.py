"""Great Expectations export: the exported suites, run by GX on one SQLite file, find
the rows DuckDB finds (seed excerpts + 100k synthetic indicator rows)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

HAVE_GX = all(importlib.util.find_spec(m) is not None for m in ("great_expectations", "sqlalchemy", "sqlglot"))
pytestmark = pytest.mark.skipif(not HAVE_GX, reason="the GX export needs the gx extra "
                                "(pip install -e '.[gx]': great-expectations, sqlalchemy, sqlglot)")

ROOT = Path(__file__).resolve().parent.parent
EXCERPTS = sorted((ROOT / "tests" / "fixtures" / "excerpts").glob("*.txt"))


@pytest.fixture(scope="module")
def canonical():
    from auditor.export.synthetic import synthetic_canonical
    from auditor.model.tables import Canonical
    from auditor.pipeline import build

    _, seed = build(EXCERPTS)
    return Canonical.concat([seed, synthetic_canonical(100_000)])


@pytest.fixture(scope="module")
def rules():
    from auditor.engine.catalog import load_catalog

    return [r for r in load_catalog() if r.query]


@pytest.fixture(scope="module")
def exported(tmp_path_factory, rules):
    from auditor.export.gx import export_gx

    return export_gx(rules, tmp_path_factory.mktemp("gx"))


def test_export_writes_suites_manifest_and_lists_what_sqlite_cannot_express(exported, rules):
    out = exported.output_dir
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    exported_ids = {e["rule"] for e in manifest["expectations"]}
    listed = {r["rule"]: r["reason"] for r in manifest["not_expressible"]}
    # every rule is either exported or listed with its reason, never dropped
    assert exported_ids | set(listed) == {r.id for r in rules}
    assert not exported_ids & set(listed)
    assert all(reason for reason in listed.values())
    report = exported.report()
    for rid in listed:
        assert rid in report
    in_suites = set()
    for table, name in manifest["suites"].items():
        suite = json.loads((out / name).read_text(encoding="utf-8"))
        assert suite["name"] == f"auditor.{table}"
        for e in suite["expectations"]:
            assert e["type"] == "unexpected_rows_expectation"
            assert "{batch}" in e["kwargs"]["unexpected_rows_query"]
            in_suites.add(e["meta"]["rule"])
    assert in_suites == exported_ids
    for f in ("params.csv", "cap_bands.csv", "lexicon.csv", "run_suite.py"):
        assert (out / f).is_file()
    # the suites load in GX as they are, with nothing refused
    import great_expectations as gx

    for name in manifest["suites"].values():
        data = json.loads((out / name).read_text(encoding="utf-8"))
        assert len(gx.ExpectationSuite(**data).expectations) == len(data["expectations"])


def test_auditor_does_not_import_great_expectations():
    code = ("import sys, auditor, auditor.pipeline, auditor.export.gx, auditor.export.transpile, auditor.engine.spark;"
            "assert 'great_expectations' not in sys.modules, 'great_expectations imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _key(rule, docs, tables, row):
    doc = str(row.get("doc_id") or "")
    table_id = row.get("table_id")
    table = tables.get((doc, str(table_id))) if table_id is not None else None
    key = row.get("row_key")
    return (rule, docs.get(doc, doc or "<canonical>"), table, None if key is None else str(key), row.get("field"))


def test_gx_finds_the_rows_duckdb_finds(tmp_path, canonical, rules, exported):
    from auditor.engine.run import run_rules
    from auditor.export.gx import run_gx, write_sqlite

    db = write_sqlite(canonical, tmp_path / "canonical.sqlite")
    result = run_gx(exported.output_dir, db, rows=True)
    assert os.environ.get("GX_ANALYTICS_ENABLED") == "false"
    seconds = result.pop("_seconds")

    docs = {str(r.doc_id): str(r.file) for r in canonical["documents"].itertuples()}
    tables = {}
    for r in canonical["tables"].itertuples():
        label = str(r.title) if r.title is not pd.NA and r.title is not None else str(r.kind)
        if r.name is not pd.NA and r.name:
            label += f" · {r.name}"
        tables[(str(r.doc_id), str(r.table_id))] = label
    duck = Counter((f.rule, f.location.file, f.location.table, f.row_key, f.location.field)
                   for f in run_rules(canonical, rules))
    listed = {r["rule"] for r in exported.not_expressible}
    compared = 0
    for rule in rules:
        if rule.id in listed:
            assert rule.id not in result
            continue
        entry = result[rule.id]
        assert not entry.get("error"), f"{rule.id}: {entry.get('error')}"
        got = Counter(_key(rule.id, docs, tables, row) for row in entry["rows"])
        want = Counter({k: n for k, n in duck.items() if k[0] == rule.id})
        assert entry["count"] == sum(want.values()), rule.id
        assert got == want, f"{rule.id}: only DuckDB {list((want - got).items())[:3]}, only GX {list((got - want).items())[:3]}"
        compared += 1
    assert compared == len(rules) - len(listed)
    assert sum(duck.values()) > 1000       # the synthetic set does violate rules
    print(f"GX: {compared} rules compared, {len(listed)} not expressible, {seconds:.1f} s")


def test_gx_export_applies_the_configuration_like_the_engines(tmp_path):
    """The word lists, options and severity overrides of auditor.toml reach the exported
    suites: GX then finds what DuckDB finds with the same configuration."""
    from auditor.config import load_config
    from auditor.engine.catalog import load_catalog
    from auditor.export.gx import export_gx, run_gx, write_sqlite
    from auditor.export.synthetic import synthetic_canonical
    from auditor.model.tables import Canonical
    from auditor.pipeline import build, run_catalog

    _, seed = build(EXCERPTS + sorted((ROOT / "tests" / "fixtures").glob("budget*.txt")))
    canonical = Canonical.concat([seed, synthetic_canonical(20_000)])
    rules = [r for r in load_catalog() if r.family in ("EXP", "FSR", "TGT")]
    default = run_catalog(canonical, rules, load_config(None, start=tmp_path))
    item = sorted({f.row_key.split()[0] for f in default if f.rule == "EXP005"})[0]
    toml = tmp_path / "auditor.toml"
    toml.write_text(f'personnel_302_items = ["30239", "{item}"]\n[severity]\nFSR001 = "info"\n'
                    '[options.TGT003]\nceiling = 60\n', encoding="utf-8")
    cfg = load_config(toml)
    duck = run_catalog(canonical, rules, cfg)
    out = export_gx(rules, tmp_path / "gx", params=cfg.params(), cap_bands=cfg.cap_bands, lexicon=cfg.lexicon(),
                    rule_options=cfg.rule_options(), severity=cfg.severity)
    db = write_sqlite(canonical, tmp_path / "c.sqlite", params=cfg.params(), cap_bands=cfg.cap_bands,
                      lexicon=cfg.lexicon())
    result = run_gx(out.output_dir, db, rows=True)
    result.pop("_seconds")
    listed = {r["rule"] for r in out.not_expressible}
    for rule in rules:
        if rule.id in listed:
            continue
        want = Counter((f.row_key, f.location.field) for f in duck if f.rule == rule.id)
        got = Counter((None if r.get("row_key") is None else str(r["row_key"]), r.get("field"))
                      for r in result[rule.id]["rows"])
        assert got == want, f"{rule.id}: only DuckDB {list((want - got).items())[:3]}, only GX {list((got - want).items())[:3]}"
    severities = {e["meta"]["rule"]: e["meta"]["severity"]
                  for p in out.suites.values() for e in json.loads(p.read_text(encoding="utf-8"))["expectations"]}
    assert severities["FSR001"] == "info" and {f.severity.value for f in duck if f.rule == "FSR001"} == {"info"}
    assert not any(f.rule == "EXP005" and f.row_key.split()[0] == item for f in duck)
    assert "EXP005" not in listed
