"""Markdown report for a review ticket or PR comment (template: reports/report.md.j2)."""
from __future__ import annotations

import re
from typing import IO

from auditor.findings import Report
from auditor.render.common import (
    LEGEND,
    SEVERITY_LABELS,
    by_document,
    not_read,
    printed_expected,
    read_summary,
    template_env,
    tool_version,
)

# GitHub caps a comment at 65,536 characters; a long report still has to be readable there.
PER_DOCUMENT_LIMIT = 200

_BACKSLASH = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text) -> str:
    """Quote document text inside a table cell: no formatting, links, HTML or cell breaks."""
    if text is None:
        return ""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _BACKSLASH.sub(r"\\\1", s)
    return re.sub(r"\s*[\r\n]+\s*", " ", s).strip()


def _view(report: Report, options) -> dict:
    docs = []
    for d in by_document(report):
        shown = d.findings if options.verbose else d.findings[:PER_DOCUMENT_LIMIT]
        docs.append({"file": d.file, "title": d.title, "counts": d.counts,
                     "readable": d.info.readable if d.info else True,
                     "read": read_summary(d.info).removeprefix("读取：") if d.info else "",
                     "findings": [{"f": f, "where": f.location.short(), "pe": printed_expected(f)}
                                  for f in shown],
                     "hidden": len(d.findings) - len(shown)})
    return {"report": report, "docs": docs, "counts": report.counts(), "labels": SEVERITY_LABELS,
            "version": tool_version(), "not_read": not_read(report), "legend": LEGEND}


class MarkdownRenderer:
    name = "markdown"
    human_readable = True
    suffix = ".md"
    binary = False

    def render(self, report: Report, stream: IO, options) -> None:
        env = template_env(autoescape=False)
        env.filters["md"] = md_escape
        stream.write(env.get_template("report.md.j2").render(**_view(report, options)))


RENDERER = MarkdownRenderer()
