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
    # the first finding of each (file, table, rule) and (file, table, rule, row) that is no
    # consequence itself, so that each finding finds its root in constant time (a scan of the
    # table's findings per finding was quadratic in the findings of one table)
    first: dict[tuple, list[Finding]] = {}
    for f in findings:
        if f.root is not None:
            continue
        for key in ((f.location.file, f.table_key, f.rule, "table", None),
                    (f.location.file, f.table_key, f.rule, "row", f.row_key)):
            candidates = first.setdefault(key, [])
            if len(candidates) < 2:         # the second stands in when the first is the finding itself
                candidates.append(f)
    out = []
    for f in findings:
        root = None
        for cause in causes.get(f.rule, ()):
            rule_id, _, scope = cause.partition("/")
            key = (f.location.file, f.table_key, rule_id, "row", f.row_key) if scope == "row" else \
                (f.location.file, f.table_key, rule_id, "table", None)
            root = next((g for g in first.get(key, ()) if g is not f), None)
            if root is not None:
                break
        out.append(replace(f, root=root.fingerprint) if root is not None else f)
    return out
