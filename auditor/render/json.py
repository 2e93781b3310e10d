"""JSON report: the stable contract described by reports/report.schema.json."""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import IO

from auditor.findings import Report
from auditor.render.common import REPORT_FORMAT_VERSION, TOOL_NAME, by_document, tool_version


def report_dict(report: Report) -> dict:
    counts = {d.file: d.counts for d in by_document(report)}
    documents = []
    for doc in report.documents:
        row = {**asdict(doc), "counts": counts.get(doc.file, {"error": 0, "warning": 0, "info": 0})}
        row["coverage"] = doc.coverage.to_dict() if doc.coverage is not None else None
        documents.append(row)
    return {
        "version": REPORT_FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version()},
        "documents": documents,
        "rules_run": list(report.rules_run),
        "findings": [f.to_dict() for f in report.items],
        "skipped": [{"file": s.file, "reason": s.reason} for s in getattr(report, "skipped", [])],
        "summary": report.summary(),
        "provenance": report.provenance,
    }


class JsonRenderer:
    name = "json"
    human_readable = False
    suffix = ".json"
    binary = False

    def render(self, report: Report, stream: IO, options) -> None:
        json.dump(report_dict(report), stream, ensure_ascii=False, indent=2, default=str)
        stream.write("\n")


RENDERER = JsonRenderer()
