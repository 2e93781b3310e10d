"""Self-contained HTML report a reviewer hands to a colleague (template: reports/report.html.j2,
autoescape on).

Findings are grouped by document, then by table; a root cause carries the findings that
follow from it; each finding opens to its rule's explanation and how to fix it (Chinese,
from the rule metadata). Filters by rule family, file and severity, and a search box.
Every family has its own colour, fixed across reports.

No network: inline CSS, an inline SVG chart and a small inline script; a
Content-Security-Policy forbids anything else. Findings beyond MAX_ROWS are not
rendered (a page of 100k findings is unusable); the page says so.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from auditor.findings import Finding, Report
from auditor.render.common import (
    LEGEND,
    SEVERITY_LABELS,
    by_document,
    by_table,
    chinese_title,
    family_titles,
    not_read,
    read_summary,
    sorted_findings,
    template_env,
    tool_version,
)
from auditor.render.ruledoc import rule_doc

MAX_ROWS = 5000
# one colour per family, fixed so a family looks the same in every report (Okabe-Ito and
# Tol's muted scheme: distinguishable with the common colour-vision deficiencies)
FAMILY_COLORS = {
    "EXR": "#E69F00", "SCR": "#56B4E9", "FSR": "#009E73", "EXP": "#0072B2", "NAR": "#D55E00",
    "TGT": "#CC79A7", "CPY": "#882255", "XTB": "#44AA99", "CMP": "#999933", "INP": "#888888",
    "AUD": "#332288",
}
SPARE_COLORS = ["#117733", "#AA4499", "#DDCC77", "#661100", "#6699CC", "#AA4466", "#4477AA", "#228833"]
LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT = 300, 460, 22
LEGEND_WIDTH, LEGEND_PER_ROW = 190, 4


def family_colors(families) -> dict[str, str]:
    out, spare = {}, iter(SPARE_COLORS)
    for fam in sorted(families):
        out[fam] = FAMILY_COLORS.get(fam) or next(spare, "#777777")
    return out


def _short_label(text: str, max_cells: int = 40) -> str:
    out, cells = "", 0
    for ch in text:
        cells += 2 if ord(ch) > 0x2E7F else 1
        if cells > max_cells:
            return out + "…"
        out += ch
    return out


def _chart(report: Report, docs, labels: dict[str, str], colors: dict[str, str]) -> dict:
    families = sorted({f.family for f in report.items})
    biggest = max((len(d.findings) for d in docs), default=0) or 1
    rows = []
    for d in [d for d in docs if d.findings]:
        per_family = Counter(f.family for f in d.findings)
        x, segments = LABEL_WIDTH, []
        for fam in families:
            if per_family[fam]:
                width = round(per_family[fam] * BAR_WIDTH / biggest, 1)
                segments.append({"x": x, "width": width, "color": colors[fam], "label": labels[fam],
                                 "count": per_family[fam]})
                x += width
        rows.append({"y": len(rows) * ROW_HEIGHT, "label": _short_label(d.file), "file": d.file,
                     "total": len(d.findings), "total_x": x + 4, "segments": segments})
    top = len(rows) * ROW_HEIGHT + 8
    legend = [{"x": (i % LEGEND_PER_ROW) * LEGEND_WIDTH, "y": top + (i // LEGEND_PER_ROW) * ROW_HEIGHT,
               "label": labels[fam], "color": colors[fam]}
              for i, fam in enumerate(families)]
    legend_rows = -(-len(legend) // LEGEND_PER_ROW)
    return {"rows": rows, "legend": legend, "height": top + legend_rows * ROW_HEIGHT,
            "width": LABEL_WIDTH + BAR_WIDTH + 60}


@dataclass
class _Item:
    f: Finding
    doc: object
    consequences: list[Finding] = field(default_factory=list)


def _documents(report: Report, budget: int) -> tuple[list[dict], int]:
    """Documents -> tables -> root findings (each with its consequences), at most `budget` findings."""
    out, shown = [], 0
    for k, d in enumerate(by_document(report)):
        if not d.findings:
            continue
        present = {f.fingerprint for f in d.findings}
        follows: dict[str, list[Finding]] = {}
        roots = []
        for f in d.findings:
            if f.root and f.root in present:
                follows.setdefault(f.root, []).append(f)
            else:
                roots.append(f)
        tables = []
        for table, findings in by_table(roots):
            items = []
            for f in findings:
                cons = follows.get(f.fingerprint, [])
                if shown + 1 + len(cons) > budget:
                    break
                shown += 1 + len(cons)
                items.append(_Item(f, d, cons))
            if items:
                tables.append({"title": table or "（不属于某张表）", "findings": items})
        if tables:
            out.append({"anchor": f"doc-{k}", "doc": d, "read": read_summary(d.info), "tables": tables,
                        "families": sorted({f.family for f in d.findings})})
        if shown >= budget:
            break
    return out, shown


def _where(f: Finding) -> str:
    loc = f.location
    if loc.sheet:
        return f"{loc.sheet}!{loc.cell}" if loc.cell else loc.sheet
    parts = []
    if loc.page:
        parts.append(f"第 {loc.page} 页")
    if loc.line:
        parts.append(f"第 {loc.line} 行" + (f" 第 {loc.column} 列" if loc.column else ""))
    return " ".join(parts)


def _view(report: Report, options) -> dict:
    docs = by_document(report)
    titles = family_titles(report, options.catalog)
    families = sorted({f.family for f in report.items})
    labels = {fam: f"{fam} {chinese_title(titles.get(fam, fam))}".strip() if chinese_title(titles.get(fam, fam)) != fam
              else fam for fam in families}
    colors = family_colors(families)
    catalog = options.catalog
    rule_ids = sorted({f.rule for f in report.items})
    docs_of_rules = {rid: rule_doc(rid, catalog.get(rid) if catalog is not None else None) for rid in rule_ids}
    grouped, shown = _documents(report, MAX_ROWS)
    return {
        "version": tool_version(), "report": report, "docs": docs, "counts": report.counts(),
        "labels": SEVERITY_LABELS, "chart": _chart(report, docs, labels, colors), "grouped": grouped,
        "shown": shown, "total": len(report.items), "max_rows": MAX_ROWS, "rules": docs_of_rules,
        "families": [{"code": fam, "label": labels[fam], "color": colors[fam],
                      "count": sum(1 for f in report.items if f.family == fam)} for fam in families],
        "colors": colors, "files": [d.file for d in docs if d.findings], "not_read": not_read(report),
        "read": {d.file: read_summary(d.info) for d in docs}, "legend": LEGEND, "where": _where,
        "provenance": report.provenance, "message": lambda f: f.message.rsplit(" [", 1)[0],
        "worst": sorted_findings(report.items)[:1],
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
