"""docs/govbudgetchecker.md maps GovBudgetChecker's rules to ours; it must not rot:
every auditor rule code it names exists in the catalog, a code followed by a
`name` carries that rule's name, and every row has a known status."""
from __future__ import annotations

import re
from pathlib import Path

from auditor.engine.catalog import load_catalog

DOC = Path(__file__).resolve().parent.parent / "docs" / "govbudgetchecker.md"
STATUSES = {"covered", "partly", "not covered"}
# an auditor code: three capitals and three digits, not part of a longer token
# (GovBudgetChecker's own ids are V33-001, BUD-101, CMM-001 …)
CODE = re.compile(r"(?<![A-Za-z0-9_-])([A-Z]{3}\d{3})(?![0-9A-Za-z_-])")
CODE_NAME = re.compile(r"(?<![A-Za-z0-9_-])([A-Z]{3}\d{3})\s*`([^`]+)`")


def _rows() -> list[dict[str, str]]:
    """Every data row of every table whose header has the mapping columns."""
    rows, header = [], None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        assert len(cells) == len(header), f"row has {len(cells)} cells, header {len(header)}: {line}"
        if "auditor 规则" in header:
            rows.append(dict(zip(header, cells)))
    return rows


def test_mapping_table_is_present():
    rows = _rows()
    assert len(rows) >= 50
    ids = [r["GBC 规则"] for r in rows]
    assert len(ids) == len(set(ids)), "a GovBudgetChecker rule is listed twice"


def test_every_named_auditor_rule_exists():
    rules = {r.id: r for r in load_catalog().rules}
    for row in _rows():
        for cell in row.values():
            for code in CODE.findall(cell):
                assert code in rules, f"{row['GBC 规则']}: {code} is not an auditor rule"
            for code, name in CODE_NAME.findall(cell):
                assert rules[code].name == name, f"{row['GBC 规则']}: {code} is `{rules[code].name}`, not `{name}`"


def test_status_and_reason():
    for row in _rows():
        status, codes = row["状态"], CODE.findall(row["auditor 规则"])
        assert status in STATUSES, f"{row['GBC 规则']}: unknown status {status!r}"
        if status == "not covered":
            assert not codes and row["说明"] not in ("", "—"), f"{row['GBC 规则']}: say why nothing covers it"
        else:
            assert codes, f"{row['GBC 规则']}: {status} but names no auditor rule"
        if status == "partly":
            assert row["说明"] not in ("", "—"), f"{row['GBC 规则']}: say what is missing"
