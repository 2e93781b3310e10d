"""Every rule's fail and pass examples, discovered from the catalog: a new rule
needs no new test code (sqlfluff/ruff style)."""
from __future__ import annotations

import re

import pytest

from auditor.engine.catalog import load_catalog
from auditor.engine.examples import run_example
from auditor.findings import Severity

CATALOG = load_catalog()
QUERIES = [r for r in CATALOG if r.query]


def pytest_generate_tests(metafunc):
    if "rule_side" in metafunc.fixturenames:
        # fail and pass, and any further fail_<what> / pass_<what> a rule pack gives
        params = [(r, side) for r in QUERIES for side in r.examples]
        metafunc.parametrize("rule_side", params, ids=[f"{r.id}-{s}" for r, s in params])


def test_rule_example(rule_side):
    rule, side = rule_side
    found = run_example(rule, side)
    crashes = [f for f in found if f.rule == "AUD001"]
    assert not crashes, crashes[0].message
    if side.startswith("fail"):
        assert len(found) == rule.examples[side].get("expect", 1), [f.message for f in found]
        assert all(f.rule == rule.id and f.severity == rule.severity for f in found)
        for f in found:
            assert "{" not in f.message and "?" not in f.message.split("[")[0], f.message
            assert f.message.endswith(f"[{rule.name}]")
    else:
        assert found == []


def test_ids_and_names_are_unique_and_well_formed():
    ids = [r.id for r in CATALOG]
    names = [r.name for r in CATALOG]
    assert len(ids) == len(set(ids)) and len(names) == len(set(names))
    for r in CATALOG:
        assert re.fullmatch(r"[A-Z]{3}\d{3}", r.id) and r.id.startswith(r.family)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name)
        assert not r.name.startswith(("check-", "no-"))
        assert isinstance(r.severity, Severity)


def test_summaries_are_one_short_line_and_rationales_exist():
    for r in CATALOG:
        assert "\n" not in r.summary and len(r.summary) <= 100, r.id
        assert len(r.rationale) > 40, r.id


def test_only_internal_findings_have_no_query():
    """The AUD family (faults of the run itself) is catalog data without a query: the
    engine emits it. Every other rule is a query with its examples."""
    internal = [r for r in CATALOG if not r.query]
    assert {r.family for r in internal} == {"AUD"}
    assert {r.id for r in internal} >= {"AUD001", "AUD002", "AUD003"}
    assert all(not r.examples for r in internal)


def test_message_placeholders_are_query_columns():
    for r in QUERIES:
        select_part = r.query
        for placeholder in r.placeholders():
            assert re.search(rf"\b{placeholder}\b", select_part), f"{r.id}: {{{placeholder}}} not produced by the query"


def test_queries_return_location_columns():
    for r in QUERIES:
        for col in ("doc_id", "row_key", "field", "loc", "printed", "expected"):
            assert re.search(rf"\b{col}\b", r.query), f"{r.id} does not return {col}"
