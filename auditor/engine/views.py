"""Shared views (checks/_views.sql): what several rules derive, defined once.

`CREATE VIEW name AS …` is a plain view; `CREATE TABLE name AS …` is derived once
per run (engines materialize it). Each engine creates only the views the selected
rules read, directly or through another view, in the order of the file.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from auditor.engine.catalog import builtin_checks_dir

VIEW_RE = re.compile(r"CREATE\s+(VIEW|TABLE)\s+(\w+)\s+AS\s+(.*?);\s*(?=CREATE\s|\Z)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class View:
    name: str
    materialize: bool
    body: str


def parse_views(text: str) -> dict[str, View]:
    text = re.sub(r"--[^\n]*", "", text)
    return {name.lower(): View(name.lower(), kind.upper() == "TABLE", body.strip())
            for kind, name, body in VIEW_RE.findall(text)}


@functools.lru_cache(maxsize=1)
def builtin_views() -> dict[str, View]:
    return parse_views((builtin_checks_dir() / "_views.sql").read_text(encoding="utf-8"))


def _reads(sql: str, views: dict[str, View]) -> set[str]:
    words = set(re.findall(r"[A-Za-z_]\w*", sql.lower()))
    return words & set(views)


def needed(queries: list[str], views: dict[str, View] | None = None) -> list[View]:
    """The views `queries` read, directly or through other views, in definition order."""
    views = builtin_views() if views is None else views
    want: set[str] = set()
    todo = set().union(*(_reads(q, views) for q in queries)) if queries else set()
    while todo:
        name = todo.pop()
        if name in want:
            continue
        want.add(name)
        todo |= _reads(views[name].body, views) - want - {name}
    return [v for v in views.values() if v.name in want]
