"""Spark engine: the rule packs transpiled to Spark SQL find exactly what DuckDB finds
(rule, document, table, row, field, printed and expected values) on the seed
excerpts' canonical Parquet plus 100k synthetic indicator rows, in local mode."""
from __future__ import annotations

import importlib.util
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

HAVE_PYSPARK = all(importlib.util.find_spec(m) is not None for m in ("pyspark", "sqlglot"))
HAVE_JAVA = bool(shutil.which("java") or os.environ.get("JAVA_HOME"))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_PYSPARK, reason="the Spark engine needs the spark extra "
                       "(pip install -e '.[spark]': pyspark, sqlglot)"),
    pytest.mark.skipif(not HAVE_JAVA, reason="Spark needs a Java runtime (17+) on PATH or JAVA_HOME"),
]

ROOT = Path(__file__).resolve().parent.parent
EXCERPTS = sorted((ROOT / "tests" / "fixtures" / "excerpts").glob("*.txt"))


@pytest.fixture(scope="module")
def spark():
    from auditor.engine.spark import default_session

    session = default_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def rules():
    from auditor.engine.catalog import load_catalog

    return [r for r in load_catalog() if r.query]


def _key(f):
    return (f.rule, f.location.file, f.location.table, f.row_key, f.location.field, f.printed, f.expected)


def test_spark_findings_equal_duckdb(tmp_path, spark, rules):
    from auditor.engine.run import run_rules
    from auditor.engine.spark import run_rules_spark
    from auditor.export.synthetic import synthetic_canonical
    from auditor.model.io import write_canonical
    from auditor.model.tables import Canonical
    from auditor.pipeline import build

    _, seed = build(EXCERPTS)
    canonical = Canonical.concat([seed, synthetic_canonical(100_000)])
    write_canonical(canonical, tmp_path, "parquet")
    duck = run_rules(canonical, rules)      # the same tables DuckDB-side (Parquet keeps the values exactly)
    found = run_rules_spark(tmp_path, rules, spark=spark)

    crashed = [f.message for f in found if f.rule == "AUD001"]
    assert not crashed, crashed
    # rules Spark cannot run are reported, never skipped silently; none of today's packs is one
    skipped = {f.row_key for f in found if f.rule == "AUD003"}
    assert not skipped, [f.message for f in found if f.rule == "AUD003"]
    want = Counter(_key(f) for f in duck)
    got = Counter(_key(f) for f in found)
    for rule in rules:
        w = Counter({k: n for k, n in want.items() if k[0] == rule.id})
        g = Counter({k: n for k, n in got.items() if k[0] == rule.id})
        assert g == w, f"{rule.id}: only DuckDB {list((w - g).items())[:3]}, only Spark {list((g - w).items())[:3]}"
    assert got == want
    assert len(duck) > 1000
    # the same messages too, apart from the order of unordered string_agg listings
    same = Counter((_key(f), f.message) for f in duck) & Counter((_key(f), f.message) for f in found)
    assert sum(same.values()) > 0.95 * len(duck)


def test_untranspilable_rule_becomes_aud003(tmp_path, spark, rules):
    from dataclasses import replace

    from auditor.engine.spark import run_rules_spark
    from auditor.model.io import write_canonical
    from auditor.pipeline import build

    _, seed = build(EXCERPTS)
    write_canonical(seed, tmp_path, "parquet")
    base = rules[0]
    odd = [replace(base, id="ZZZ001", name="duckdb-only", query="SELECT doc_id FROM funds WHERE list_has_all([1, 2], [1]) AND"),
           replace(base, id="ZZZ002", name="unknown-function", query="SELECT doc_id, NULL AS table_id FROM funds WHERE no_such_fn(item)")]
    found = run_rules_spark(tmp_path, odd, spark=spark)
    assert [(f.rule, f.name, f.severity.value, f.row_key) for f in found] == [
        ("AUD003", "rule-not-transpilable", "warning", "ZZZ001"), ("AUD003", "rule-not-transpilable", "warning", "ZZZ002")]


def _config_for(tmp_path, duck_findings):
    """An auditor.toml that changes what the engines report: one more 302 item counted as
    personnel (EXP005 then accepts it) and a severity override."""
    exp5 = sorted({f.row_key.split()[0] for f in duck_findings if f.rule == "EXP005"})
    assert exp5, "the test data should have an EXP005 finding for the configured word list to remove"
    items = ", ".join(f'"{x}"' for x in ["30239", "其他交通费用", exp5[0]])
    toml = tmp_path / "auditor.toml"
    toml.write_text(f"personnel_302_items = [{items}]\n[severity]\nFSR001 = \"info\"\n", encoding="utf-8")
    return toml, exp5[0]


def test_spark_and_duckdb_report_the_same_with_the_same_configuration(tmp_path, spark):
    """One orchestration: configuration (word lists, severity overrides), root linking and
    order are applied the same whichever engine runs."""
    from auditor.export.synthetic import synthetic_canonical
    from auditor.model.io import write_canonical
    from auditor.model.tables import Canonical
    from auditor.pipeline import build, check

    _, seed = build(EXCERPTS + sorted((ROOT / "tests" / "fixtures").glob("budget*.txt")))
    canonical = Canonical.concat([seed, synthetic_canonical(20_000)])
    data = tmp_path / "canonical"
    write_canonical(canonical, data, "parquet")
    # the families the configuration changes (FSR severity, EXP005 word list) and a root link
    # (FSR005 → FSR001); every rule's Spark findings are compared in the first test
    families = ["FSR", "EXP"]
    default = check(canonical=data, select=families)
    toml, item = _config_for(tmp_path, default.items)
    duck = check(canonical=data, config=toml, select=families)
    sparked = check(canonical=data, config=toml, engine="spark", spark=spark, select=families)

    def key(f):
        return (f.rule, f.severity.value, f.location.file, f.location.table, f.row_key, f.location.field,
                f.printed, f.expected, f.root is not None)

    assert [key(f) for f in sparked.items] == [key(f) for f in duck.items]
    assert sparked.rules_run == duck.rules_run
    assert any(f.root is not None for f in duck.items), "the data should link a consequence to its root"
    assert any(f.rule == "FSR001" for f in duck.items)
    assert all(f.severity.value == "info" for f in duck.items if f.rule == "FSR001")
    assert not any(f.rule == "EXP005" and f.row_key.split()[0] == item for f in duck.items)
    assert any(f.rule == "EXP005" and f.row_key.split()[0] == item for f in default.items)
