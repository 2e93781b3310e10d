"""Rule examples (tiny canonical tables of printed values) -> Canonical, and running them.

Used by `auditor explain` to show what a rule reports, and by the tests, which
run every rule's fail and pass example, so a new rule needs no new test code.
"""
from __future__ import annotations

from auditor.engine.catalog import Rule
from auditor.engine.run import run_rules
from auditor.findings import Finding
from auditor.model.tables import SPEC, Canonical, number_fields, put_number
from auditor.normalize.numbers import parse_number

RESERVED = {"expect", "params"}


def example_canonical(example: dict) -> Canonical:
    return Canonical.from_rows(example_rows(example))


def example_rows(example: dict) -> dict[str, list[dict]]:
    """The example's tables as canonical row dicts (numbers parsed as the readers do)."""
    rows: dict[str, list[dict]] = {"documents": [{"doc_id": "d1", "file": "example.txt", "kind": "example"}],
                                   "tables": [{"doc_id": "d1", "table_id": "t1", "kind": "example", "title": "示例表"}]}
    for table, items in example.items():
        if table in RESERVED:
            continue
        if table not in SPEC:
            raise KeyError(f"example names unknown table '{table}'")
        numbers = set(number_fields(table))
        out = []
        for i, item in enumerate(items, 1):
            row: dict = {"doc_id": "d1"}
            if "table_id" in {c for c in SPEC[table][0]}:
                row["table_id"] = "t1"
            if "row_no" in SPEC[table][0]:
                row["row_no"] = i
            if "line" in SPEC[table][0]:
                row["line"] = i
            for key, value in item.items():
                if key in numbers:
                    put_number(row, key, parse_number(None if value is None else str(value)), f"{i}:1")
                else:
                    row[key] = value
            out.append(row)
        rows[table] = rows.get(table, []) + out if table not in ("documents", "tables") else out
    return rows


def run_example(rule: Rule, side: str) -> list[Finding]:
    example = rule.examples[side]
    return [f for f in run_rules(example_rows(example), [rule], params=example.get("params"))
            if f.rule == rule.id or f.rule == "AUD001"]
