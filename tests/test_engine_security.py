"""Rule packs may come from strangers: SQL cannot reach files, databases,
extensions or the network; YAML bombs are refused; runaway rules are stopped."""
from __future__ import annotations

import time

import pytest

from auditor.engine.catalog import Rule, RulePackError, load_catalog, load_pack
from auditor.engine.run import run_rules
from auditor.findings import Severity
from auditor.model.tables import Canonical


def rule(query: str) -> Rule:
    return Rule(id="XXX001", name="hostile-rule", family="XXX", family_title="x", severity=Severity.ERROR,
                summary="s", rationale="r", query=query, message="m", source="hostile.yaml")


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "ATTACH '/tmp/evil.duckdb' AS evil",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SELECT * FROM read_parquet('https://example.com/x.parquet')",
    "COPY (SELECT 1) TO '/tmp/auditor-pwned.csv'",
    "SET enable_external_access = true",
])
def test_hostile_sql_becomes_a_crash_finding(query, tmp_path):
    findings = run_rules(Canonical(), [rule(query)])
    assert [f.rule for f in findings] == ["AUD001"]
    assert "XXX001" in findings[0].message


def test_runaway_rule_is_stopped_by_the_time_limit():
    start = time.monotonic()
    findings = run_rules(Canonical(), [rule("SELECT count(*) AS n FROM range(100000000000) a")], seconds=1)
    assert time.monotonic() - start < 20
    assert findings[0].rule == "AUD001" and "时限" in findings[0].message


def test_a_crashing_rule_does_not_hide_the_others():
    good = load_catalog().get("EXR001")
    findings = run_rules(Canonical(), [rule("SELECT nonsense FROM nowhere"), good])
    assert [f.rule for f in findings] == ["AUD001"]


def test_yaml_aliases_are_refused(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text('a: &a ["x","x","x"]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n', encoding="utf-8")
    with pytest.raises(RulePackError, match="aliases"):
        load_pack(bomb)


def test_python_tags_are_not_executed(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text("family: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(RulePackError):
        load_pack(evil)


def test_invalid_pack_names_the_file_and_place(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("family: ABC\ntitle: t\nrules:\n  - id: abc1\n", encoding="utf-8")
    with pytest.raises(RulePackError, match=r"bad\.yaml: rules/0"):
        load_pack(bad)
