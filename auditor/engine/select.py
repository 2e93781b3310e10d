"""--select / --ignore: by id, family prefix, name, tag or ALL (ruff/sqlfluff style)."""
from __future__ import annotations

import difflib

from auditor.engine.catalog import Catalog, Rule


class UnknownSelector(ValueError):
    pass


def _matches(rule: Rule, selector: str) -> bool:
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    return (rule.id.upper().startswith(s.upper()) or rule.name == s or s in rule.tags
            or rule.family.upper() == s.upper())


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [p for p in v.replace(";", ",").split(",") if p.strip()]
    return out


def select_rules(catalog: Catalog, select: list[str] | None = None, ignore: list[str] | None = None) -> list[Rule]:
    sel, ign = _split(select), _split(ignore)
    for s in sel + ign:
        if not any(_matches(r, s) for r in catalog):
            choices = [r.id for r in catalog] + [r.name for r in catalog] + sorted({r.family for r in catalog})
            hint = difflib.get_close_matches(s, choices, n=1)
            raise UnknownSelector(f"unknown rule selector '{s}'" + (f"; did you mean '{hint[0]}'?" if hint else ""))
    rules = [r for r in catalog if not sel or any(_matches(r, s) for s in sel)]
    return [r for r in rules if not any(_matches(r, s) for s in ign)]
