"""SARIF 2.1.0 for code-scanning tools.

Rule metadata comes from the catalog passed in RenderOptions; rules it does not
know (the AUD00x findings the tool raises about itself, or a run without a
catalog) get a descriptor built from what the findings carry.

Note: `region.startColumn` carries Location.column, which is the 1-based *cell*
column of the extracted line, not a character offset.
"""
from __future__ import annotations

import json
from pathlib import PurePath
from typing import IO
from urllib.parse import quote

from auditor.findings import Finding, Report
from auditor.render.common import META_RULES, TOOL_NAME, not_read, rule_ids, tool_version

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "auditorFingerprint/v1"


def artifact_uri(file: str) -> str:
    """Relative paths stay relative (code scanning resolves them against the repo); others become file: URIs."""
    path = PurePath(file)
    if path.is_absolute():
        return path.as_uri()
    return quote(file.replace("\\", "/"), safe="/")


def _descriptor(rule_id: str, catalog, findings_by_rule: dict[str, Finding]) -> dict:
    rule = catalog.get(rule_id) if catalog is not None else None
    if rule is not None:
        name, level = rule.name, LEVELS[rule.severity.value]
        short, full = rule.summary, rule.rationale
        props = {"family": rule.family, "familyTitle": rule.family_title, "tags": list(rule.tags)}
    elif rule_id in META_RULES:
        name, severity, short, full = META_RULES[rule_id][:4]
        level, props = LEVELS[severity], {"family": "AUD"}
    else:
        f = findings_by_rule.get(rule_id)
        name = f.name if f else rule_id
        level = LEVELS[f.severity.value] if f else "warning"
        short, full, props = name, name, {"family": f.family if f else rule_id[:3]}
    help_text = f"{short}\n\n{full}\n\n查看详情：auditor explain {rule_id}"
    return {
        "id": rule_id, "name": name,
        "shortDescription": {"text": short}, "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": level},
        "properties": props,
    }


def _result(f: Finding, index: int) -> dict:
    loc = f.location
    physical: dict = {"artifactLocation": {"uri": artifact_uri(loc.file)}}
    if loc.line:
        region = {"startLine": loc.line}
        if loc.column:
            region["startColumn"] = loc.column
        physical["region"] = region
    location: dict = {"physicalLocation": physical}
    logical = [part for part in (loc.table, loc.row) if part]
    if logical:
        location["logicalLocations"] = [{"name": logical[-1], "fullyQualifiedName": " / ".join(logical)}]
    props = {k: v for k, v in (("printed", f.printed), ("expected", f.expected), ("field", loc.field),
                               ("sheet", loc.sheet), ("cell", loc.cell), ("page", loc.page)) if v is not None}
    result = {
        "ruleId": f.rule, "ruleIndex": index, "level": LEVELS[f.severity.value],
        "message": {"text": f.message}, "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    }
    if props:
        result["properties"] = props
    return result


def _not_read_notification(n) -> dict:
    return {"level": "note", "message": {"text": f"未读取的文件（{n.status}）：{n.reason}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(n.file)}}}]}


def sarif_dict(report: Report, catalog=None) -> dict:
    first_by_rule: dict[str, Finding] = {}
    for f in report.items:
        first_by_rule.setdefault(f.rule, f)
    ids = rule_ids(report)
    index = {rid: i for i, rid in enumerate(ids)}
    crashed = any(f.rule == "AUD001" for f in report.items)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": TOOL_NAME, "version": tool_version(),
                "rules": [_descriptor(rid, catalog, first_by_rule) for rid in ids],
            }},
            "invocations": [{"executionSuccessful": not crashed,
                             "toolExecutionNotifications": [_not_read_notification(n) for n in not_read(report)]}],
            "results": [_result(f, index[f.rule]) for f in report.items],
            "properties": {"suppressed": report.suppressed},
        }],
    }


class SarifRenderer:
    name = "sarif"
    human_readable = False
    suffix = ".sarif"
    binary = False

    def render(self, report: Report, stream: IO, options) -> None:
        json.dump(sarif_dict(report, options.catalog), stream, ensure_ascii=False, indent=2)
        stream.write("\n")


RENDERER = SarifRenderer()
