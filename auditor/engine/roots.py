"""Root causes first: one wrong figure often breaks several identities (a wrong
执行数 breaks the rate, the execution score and the total). A rule declares in its
pack which rules' findings explain its own (`consequence_of`); a finding with
such an explanation in the same table (or the same row, `RULE/row`) points at it
through `root`, and renderers fold it under its root."""
from __future__ import annotations

from dataclasses import replace

from auditor.engine.catalog import Rule
from auditor.findings import Finding


def link_roots(findings: list[Finding], rules: list[Rule]) -> list[Finding]:
    causes = {r.id: r.consequence_of for r in rules if r.consequence_of}
    if not causes:
        return findings
    by_table: dict[tuple, list[Finding]] = {}
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
