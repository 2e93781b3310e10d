"""Terminal report (rich): a one-screen summary, then findings per document and table.

All document text goes through `rich.text.Text` (never markup), so a `[bold]` in
a document is printed as is, and column widths are measured in terminal cells,
so CJK text keeps the layout.
"""
from __future__ import annotations

import io
import os
from collections import Counter
from dataclasses import replace
from typing import IO

from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from auditor.findings import Finding, Report
from auditor.render.common import (
    SEVERITIES,
    SEVERITY_LABELS,
    by_document,
    by_table,
    family_titles,
    printed_expected,
    sorted_findings,
    tool_version,
)

PER_DOCUMENT_LIMIT = 20
DOCUMENT_LIMIT = 50        # documents listed finding by finding without --verbose
WORST_DOCUMENTS = 3
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_WIDTH = max(len(s) for s in SEVERITY_STYLES)
MIN_MESSAGE_WIDTH = 20


def make_console(stream: IO, options) -> Console:
    color = options.color
    if color is None and os.environ.get("NO_COLOR"):
        color = False
    if color is False:
        return Console(file=stream, width=options.width, color_system=None, force_terminal=False,
                       highlight=False, emoji=False, markup=False, soft_wrap=False)
    return Console(file=stream, width=options.width, force_terminal=True if color else None,
                   highlight=False, emoji=False, markup=False, soft_wrap=False)


def _counts_text(counts: dict[str, int], suppressed: int = 0) -> Text:
    text = Text()
    for i, sev in enumerate(SEVERITIES):
        if i:
            text.append(" · ")
        style = SEVERITY_STYLES[sev] if counts[sev] else "dim"
        text.append(f"{SEVERITY_LABELS[sev]} {counts[sev]}", style=style)
    if suppressed:
        text.append(f" · 基线已抑制 {suppressed}", style="dim")
    return text


def _summary(console: Console, report: Report, docs, options) -> None:
    n = len(report.items)
    head = Text(f"auditor {tool_version()} · 检查了 {len(report.documents)} 个文件 · {n} 条问题：", style="bold")
    console.print(head + _counts_text(report.counts(), report.suppressed))
    titles = family_titles(report, options.catalog)
    families = Counter(f.family for f in report.items)
    if families:
        line = Text("按规则族：")
        for i, (fam, count) in enumerate(sorted(families.items(), key=lambda kv: (-kv[1], kv[0]))):
            title = titles.get(fam, fam)
            line.append(("，" if i else "") + (f"{fam} {title}" if title != fam else fam) + f" {count}")
        console.print(line)
    worst = sorted((d for d in docs if d.findings), key=lambda d: d.worst_key(), reverse=True)[:WORST_DOCUMENTS]
    if worst:
        console.print(Text("问题最多的文件："))
        for d in worst:
            console.print(Text("  ") + Text(d.file, style="bold") + Text("  ") + _counts_text(d.counts))
    unreadable = [d.file for d in report.documents if not d.readable]
    if unreadable:
        console.print(Text(f"无法读取：{'，'.join(unreadable)}", style="bold red"))


def _finding_lines(console: Console, findings: list[Finding], indent: int) -> Text:
    """Rule and severity in fixed columns; location, values and message wrap under themselves
    (a hanging indent measured in terminal cells), so a long Chinese message keeps the layout."""
    rule_width = max(cell_len(f.rule) for f in findings)
    hang = indent + rule_width + 1 + SEVERITY_WIDTH + 1
    available = max(console.width - hang, MIN_MESSAGE_WIDTH)
    out = Text()
    for f in findings:
        sev = f.severity.value
        body = Text(f.location.short(), style="dim")
        values = printed_expected(f)
        if values:
            body.append("  ")
            body.append(values, style="bold")
        body.append("  ")
        body.append(f.message)
        for i, line in enumerate(body.wrap(console, available, overflow="fold")):
            if i == 0:
                out.append(" " * indent)
                out.append(f.rule + " " * (rule_width - cell_len(f.rule) + 1), style="bold")
                out.append(sev + " " * (SEVERITY_WIDTH - len(sev) + 1), style=SEVERITY_STYLES[sev])
            else:
                out.append(" " * hang)
            out.append_text(line)
            out.append("\n")
    return out


def _document(console: Console, doc, options) -> None:
    header = Text("── ", style="dim") + Text(doc.file, style="bold")
    if doc.title:
        header += Text(f"（{doc.title}）")
    console.print(header + Text("  ") + _counts_text(doc.counts))
    # root causes first: a finding explained by another one is folded under it
    present = {f.fingerprint for f in doc.findings}
    follows: dict[str, list[Finding]] = {}
    roots = []
    for f in doc.findings:
        if f.root and f.root in present:
            follows.setdefault(f.root, []).append(f)
        else:
            roots.append(f)
    shown = roots if options.verbose else roots[:PER_DOCUMENT_LIMIT]
    for table, findings in by_table(shown):
        console.print(Padding(Text(table or "（不属于某张表）", style="underline"), (0, 0, 0, 2), expand=False))
        for f in findings:
            console.print(_finding_lines(console, [f], indent=4), end="", no_wrap=True, crop=True)
            consequences = [replace(c, message=f"↳ 由 {f.rule} 引起：{c.message}") for c in follows.get(f.fingerprint, [])]
            if consequences:
                console.print(_finding_lines(console, consequences, indent=6), end="", no_wrap=True, crop=True)
    hidden_roots = len(roots) - len(shown)
    hidden = hidden_roots
    if hidden:
        more = Text(f"… 另有 {hidden} 条未显示，使用 --verbose 查看全部", style="dim")
        console.print(Padding(more, (0, 0, 0, 4), expand=False))


def _footer(console: Console, report: Report) -> None:
    c = report.counts()
    total = Text(f"共 {len(report.items)} 条问题（错误 {c['error']}，警告 {c['warning']}，提示 {c['info']}）")
    total.stylize("bold")
    if report.suppressed:
        total.append(f"，另有 {report.suppressed} 条已被基线抑制", style="dim")
    console.print(total)
    if report.items:
        code = sorted_findings(report.items)[0].rule
        console.print(Text(f"查看规则说明：auditor explain <CODE>，例如 auditor explain {code}", style="dim"))


def one_line_summary(report: Report, fail_on: str = "error") -> str:
    """What a CI log needs when the reports go to files: counts and whether the gate failed."""
    c = report.counts()
    text = (f"auditor: {len(report.documents)} 个文件，{len(report.items)} 条问题"
            f"（错误 {c['error']}，警告 {c['warning']}，提示 {c['info']}）")
    if report.suppressed:
        text += f"，基线已抑制 {report.suppressed}"
    code = report.exit_code(fail_on)
    text += f"；--fail-on {fail_on}：" + ("通过" if code == 0 else ("未通过" if code == 1 else "没有可读取的文件"))
    return text


class TerminalRenderer:
    name = "terminal"
    human_readable = True
    suffix = ".txt"
    binary = False

    def render(self, report: Report, stream: IO, options) -> None:
        console = make_console(stream, options)
        if console.color_system is None:
            # rich pads table cells to the column width; a report saved to a file needs no trailing blanks
            buffer = io.StringIO()
            self._render(report, make_console(buffer, replace(options, color=False, width=console.width)), options)
            stream.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))
        else:
            self._render(report, console, options)

    def _render(self, report: Report, console: Console, options) -> None:
        if options.quiet:
            counts = _counts_text(report.counts(), report.suppressed)
            console.print(Text(f"{len(report.documents)} 个文件 · ") + counts)
            return
        docs = by_document(report)
        _summary(console, report, docs, options)
        with_findings = [d for d in docs if d.findings]
        shown = with_findings
        if not options.verbose and len(with_findings) > DOCUMENT_LIMIT:
            # a large run stays one readable screenful per document: the worst ones first
            shown = sorted(with_findings, key=lambda d: d.worst_key(), reverse=True)[:DOCUMENT_LIMIT]
        for doc in shown:
            console.print()
            _document(console, doc, options)
        if len(shown) < len(with_findings):
            console.print()
            console.print(Text(f"… 另有 {len(with_findings) - len(shown)} 个文件有问题未逐条列出（已按严重程度列出前 "
                               f"{DOCUMENT_LIMIT} 个）；使用 --verbose 或 --format html/json/excel 查看全部", style="dim"))
        console.print()
        _footer(console, report)


RENDERER = TerminalRenderer()
