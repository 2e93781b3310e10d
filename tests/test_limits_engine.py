"""Engine robustness (issue 18): hostile rule packs are findings for their rule, never the run's end."""
from __future__ import annotations

import random
import textwrap
import time

import pytest

import auditor
from auditor.config import DEFAULTS, Config
from auditor.engine.base import MAX_MESSAGE_CHARS, findings_from_rows, Labels, RuleRows
from auditor.engine.catalog import RulePackError, compile_template, load_catalog
from auditor.engine.roots import link_roots
from auditor.engine.run import run_rules
from auditor.findings import Finding, Location, Severity
from auditor.model.tables import Canonical



def rule(query: str, code: str = "ZZZ001", message: str = "m {printed}"):
    from auditor.engine.catalog import Rule

    return Rule(id=code, name=f"r-{code.lower()}", family=code[:3], family_title="x", severity=Severity.ERROR,
                summary="s", rationale="r", query=query, message=message, source="hostile.yaml")

ROWS = Canonical.from_rows({"documents": [{"doc_id": f"D{i}", "file": f"f{i}.txt"} for i in range(39)]})


def _pack(folder, family, rules_yaml: str, name: str | None = None):
    folder.mkdir(exist_ok=True)
    (folder / (name or f"{family.lower()}.yaml")).write_text(
        f"family: {family}\ntitle: t\nrules:\n" + textwrap.indent(textwrap.dedent(rules_yaml), "  "), encoding="utf-8")
    return folder


def _rule_yaml(code: str, query: str, message: str = "m {doc_id}") -> str:
    return (f"- id: {code}\n  name: r-{code.lower()}\n  severity: error\n  summary: s\n  rationale: r\n"
            f"  message: \"{message}\"\n  query: |\n" + textwrap.indent(query, "    ") +
            "\n  examples: {fail: {expect: 1}, pass: {}}\n")


@pytest.mark.parametrize("template", ["{x.__init__.__globals__}", "{x[key]}", "{x.missing}", "{0}", "{}",
                                      "{x!r}", "{x:>100000000}", "{x", "x}"])
def test_templates_allow_named_placeholders_only(template):
    with pytest.raises(ValueError):
        compile_template(template)
    from auditor.engine.base import render_message

    parts = compile_template("印数 {printed} → {{应为}} {expected}")
    assert [n for _, n in parts if n] == ["printed", "expected"]
    assert render_message("印数 {printed} → {{应为}} {expected} {other}", {"printed": "1", "expected": "2"}) == \
        "印数 1 → {应为} 2 ?"


def test_a_bad_template_is_an_aud004_finding_and_the_other_rules_run(tmp_path):
    q = "SELECT doc_id, 'x' AS x FROM documents"
    folder = _pack(tmp_path / "rules", "ZZT", _rule_yaml("ZZT001", q, "{x.__init__.__globals__}")
                   + _rule_yaml("ZZT002", q, "好 {doc_id}"))
    catalog = load_catalog([folder], include_builtin=False)
    found = run_rules(ROWS, list(catalog))
    assert [f.rule for f in found if f.rule == "AUD004"] == ["AUD004"]
    aud = next(f for f in found if f.rule == "AUD004")
    assert "ZZT001" in aud.message and "__init__" in aud.message
    assert sum(f.rule == "ZZT002" for f in found) == 39
    assert not any(f.rule == "ZZT001" for f in found)


def test_duplicate_yaml_keys_name_the_file_and_key(tmp_path):
    folder = tmp_path / "rules"
    _pack(folder, "ZZD", _rule_yaml("ZZD001", "SELECT 1 AS doc_id") + "  query: SELECT 2 AS doc_id\n")
    with pytest.raises(RulePackError, match=r"zzd\.yaml.*duplicate key 'query'"):
        load_catalog([folder], include_builtin=False)


@pytest.mark.parametrize("statement", [
    "CREATE VIEW documents AS SELECT * FROM documents WHERE false",
    "DROP TABLE documents",
    "SET VARIABLE x = 1",
    "SELECT 1 AS doc_id; DROP TABLE documents",
    "CREATE TEMP TABLE x AS SELECT 1",
])
def test_a_pack_cannot_change_what_a_later_pack_sees(tmp_path, statement):
    folder = tmp_path / "rules"
    _pack(folder, "ZZA", _rule_yaml("ZZA001", statement))
    _pack(folder, "ZZB", _rule_yaml("ZZB001", "SELECT doc_id FROM documents WHERE coalesce(getvariable('x'), 0) = 0"))
    catalog = load_catalog([folder], include_builtin=False)
    found = run_rules(ROWS, list(catalog))
    assert sum(f.rule == "ZZB001" for f in found) == 39
    crash = [f for f in found if f.rule == "AUD001"]
    assert len(crash) == 1 and "ZZA001" in crash[0].message and "SELECT" in crash[0].message


def test_results_are_capped_per_rule_with_an_aud005_note():
    found = run_rules(Canonical(), [rule("SELECT range AS row_key FROM range(50000000)")], max_rows=50)
    assert sum(f.rule == "ZZZ001" for f in found) == 50
    note = [f for f in found if f.rule == "AUD005"]
    assert len(note) == 1 and "50" in note[0].message and note[0].severity == Severity.WARNING


def test_a_query_past_duckdbs_memory_limit_is_aud001_and_the_others_run():
    hog = rule("SELECT length(list(range::VARCHAR)) AS n FROM range(20000000)")
    good = rule("SELECT 'D1' AS doc_id", code="ZZZ002")
    found = run_rules(Canonical(), [hog, good], memory_mb=32)
    crash = [f for f in found if f.rule == "AUD001"]
    assert len(crash) == 1 and "内存" in crash[0].message
    assert any(f.rule == "ZZZ002" for f in found)


def test_an_allocation_outside_duckdbs_buffers_is_stopped_by_the_memory_guard():
    # a 4 GB string is refused by the address-space guard at once, never allocated
    start = time.monotonic()
    found = run_rules(Canonical(), [rule("SELECT repeat('x', 4000000000) AS printed")], rule_memory_mb=256)
    assert [f.rule for f in found] == ["AUD001"] and "内存" in found[0].message
    assert time.monotonic() - start < 5


def test_the_memory_guard_is_lifted_after_the_rules():
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    run_rules(Canonical(), [rule("SELECT 1 AS n")], rule_memory_mb=256)
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_recursive_cte_is_stopped_by_the_time_limit():
    q = "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) AS n FROM t"
    start = time.monotonic()
    found = run_rules(Canonical(), [rule(q)], seconds=1)
    assert [f.rule for f in found] == ["AUD001"] and "rule_timeout" in found[0].message
    assert time.monotonic() - start < 5


def test_building_findings_counts_against_the_rule_time_limit(monkeypatch):
    import auditor.engine.base as base

    clock = iter(range(0, 10**9, 100))
    monkeypatch.setattr(base.time, "monotonic", lambda: next(clock))
    r = rule("SELECT 1")
    result = RuleRows(r, ["doc_id"], [("D1",)] * 1000)
    with pytest.raises(base.RuleTimeout):
        findings_from_rows(result, Labels(), deadline=50)


def test_messages_and_values_are_capped():
    found = run_rules(Canonical(), [rule("SELECT repeat('x', 1000000) AS printed, repeat('y', 100000) AS row_key")])
    (f,) = found
    assert len(f.message) <= MAX_MESSAGE_CHARS + 100
    assert len(f.printed) < 1000 and len(f.row_key) < 1000


def test_limits_are_configuration_keys(tmp_path):
    for key in ("memory_mb", "duckdb_memory_mb", "duckdb_threads", "max_rows_per_rule"):
        assert key in DEFAULTS
    cfg = Config({**DEFAULTS, "max_rows_per_rule": 2.0})
    doc = tmp_path / "a.txt"
    doc.write_text("随便写点什么\n", encoding="utf-8")
    report = auditor.check([doc], config=cfg)
    assert report.items      # the run finishes and reports


def _naive_roots(findings, rules):
    """The former quadratic implementation, as the reference."""
    from dataclasses import replace

    causes = {r.id: r.consequence_of for r in rules if r.consequence_of}
    by_table = {}
    for f in findings:
        by_table.setdefault((f.location.file, f.table_key), []).append(f)
    out = []
    for f in findings:
        root = None
        for cause in causes.get(f.rule, ()):
            rule_id, _, scope = cause.partition("/")
            for g in by_table.get((f.location.file, f.table_key), []):
                if g is f or g.rule != rule_id or g.root is not None:
                    continue
                if scope == "row" and g.row_key != f.row_key:
                    continue
                root = g
                break
            if root is not None:
                break
        out.append(replace(f, root=root.fingerprint) if root is not None else f)
    return out


def test_root_linking_agrees_with_the_reference():
    from dataclasses import replace as dc_replace

    base_rule = rule("SELECT 1")
    rules = [dc_replace(base_rule, id="R1"), dc_replace(base_rule, id="R2", consequence_of=("R1/row", "R3")),
             dc_replace(base_rule, id="R3", consequence_of=("R3",)), dc_replace(base_rule, id="R4")]
    rng = random.Random(3)
    findings = [Finding(rule=rng.choice(["R1", "R2", "R3", "R4"]), name="n", family="ZZZ", severity=Severity.ERROR,
                        message=str(i), location=Location(file=rng.choice(["a", "b"])),
                        row_key=rng.choice([None, "k1", "k2", "k3"]), table_key=rng.choice([None, "T1", "T2"]))
                for i in range(600)]
    assert link_roots(findings, rules) == _naive_roots(findings, rules)
