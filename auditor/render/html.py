"""Self-contained HTML report (template: reports/report.html.j2, autoescape on).

No network: inline CSS, an inline SVG chart and a small inline script; a
Content-Security-Policy forbids anything else. Rows beyond MAX_ROWS are not
rendered (a browser table of 100k rows is unusable); the page says so.
"""
from __future__ import annotations

from collections import Counter
from typing import IO

from auditor.findings import Report
from auditor.render.common import (
    SEVERITY_LABELS,
    by_document,
    family_titles,
    sorted_findings,
    template_env,
    tool_version,
)

MAX_ROWS = 5000
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#999999"]
LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT = 300, 460, 22
LEGEND_WIDTH, LEGEND_PER_ROW = 205, 4


def _short_label(text: str, max_cells: int = 40) -> str:
    out, cells = "", 0
    for ch in text:
        cells += 2 if ord(ch) > 0x2E7F else 1
        if cells > max_cells:
            return out + "…"
        out += ch
    return out


def _chart(report: Report, docs, titles: dict[str, str]) -> dict:
    families = sorted({f.family for f in report.items})
    colors = {fam: PALETTE[i % len(PALETTE)] for i, fam in enumerate(families)}
    labels = {fam: fam if titles.get(fam, fam) == fam else f"{fam} {titles[fam]}" for fam in families}
    biggest = max((len(d.findings) for d in docs), default=0) or 1
    rows = []
    for i, d in enumerate(docs):
        per_family = Counter(f.family for f in d.findings)
        x, segments = LABEL_WIDTH, []
        for fam in families:
            if per_family[fam]:
                width = round(per_family[fam] * BAR_WIDTH / biggest, 1)
                segments.append({"x": x, "width": width, "color": colors[fam], "label": labels[fam],
                                 "count": per_family[fam]})
                x += width
        rows.append({"y": i * ROW_HEIGHT, "label": _short_label(d.file), "file": d.file,
                     "total": len(d.findings), "total_x": x + 4, "segments": segments})
    top = len(rows) * ROW_HEIGHT + 8
    legend = [{"x": (i % LEGEND_PER_ROW) * LEGEND_WIDTH, "y": top + (i // LEGEND_PER_ROW) * ROW_HEIGHT,
               "label": labels[fam], "color": colors[fam]}
              for i, fam in enumerate(families)]
    legend_rows = -(-len(legend) // LEGEND_PER_ROW)
    return {"rows": rows, "legend": legend, "height": top + legend_rows * ROW_HEIGHT,
            "width": LABEL_WIDTH + BAR_WIDTH + 60}


def _rule_help(options) -> dict[str, str]:
    if options.catalog is None:
        return {}
    return {r.id: r.summary for r in options.catalog}


def _view(report: Report, options) -> dict:
    docs = by_document(report)
    titles = family_titles(report, options.catalog)
    findings = sorted_findings(report.items)
    return {
        "version": tool_version(), "report": report, "docs": docs, "counts": report.counts(),
        "labels": SEVERITY_LABELS, "chart": _chart(report, docs, titles),
        "rows": findings[:MAX_ROWS], "total": len(findings), "max_rows": MAX_ROWS,
        "help": _rule_help(options), "provenance": report.provenance,
    }


class HtmlRenderer:
    name = "html"
    human_readable = True
    suffix = ".html"
    binary = False

    def render(self, report: Report, stream: IO, options) -> None:
        env = template_env(autoescape=True)
        stream.write(env.get_template("report.html.j2").render(**_view(report, options)))


RENDERER = HtmlRenderer()
