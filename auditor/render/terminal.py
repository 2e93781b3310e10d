"""Terminal report (rich), in the house style of ruff and pytest.

    auditor 0.1.0 · 8 个文件 · 30 条问题：错误 21 · 警告 9 · 提示 0
    文件（问题多的在前）                    错误  警告  提示  读取
    sample_data/selfeval_excerpt_cells.txt    10     0     0  读取：3 张表（部门整体自评表）
    …
    sample_data/project_selfeval.txt（预算项目(政策)绩效目标自评表）  错误 1 · 警告 1 · 读取：1 张表
      预算项目(政策)绩效目标自评表 · 高标准农田建设补助资金
        14:10  FSR001 错误  「工程验收合格率」完成值 92 未达到目标 >= 95，却评为得分 15  印数 15 → 应为 低于满分 [full-score-on-unmet-target]

- the path is printed once, in the header of its group; a finding's line holds its place in
  the file (line:col, sheet!cell, p.N), code, severity, message and values;
- piped or saved output has one finding per line (never wrapped, easy to grep); on a terminal
  a long finding wraps under its message (a hanging indent measured in terminal cells);
- Chinese for the reader (severities, labels), codes and English rule names for machines;
- files in natural order (d1, d2, d10); a ranked table puts the worst first and counts the clean ones;
- the last lines: totals, how to read a rule's explanation, and a one-line legend.

All document text goes through `rich.text.Text` (never markup), so a `[bold]` in a
document is printed as is.
"""
from __future__ import annotations

import io
import os
import re
from collections import Counter
from dataclasses import replace
from typing import IO

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from auditor.findings import Finding, Report
from auditor.render.common import (
    LEGEND,
    SEVERITIES,
    SEVERITY_LABELS,
    by_document,
    by_table,
    chinese_title,
    family_titles,
    not_read,
    read_summary,
    sorted_findings,
    tool_version,
)

PER_DOCUMENT_LIMIT = 20
DOCUMENT_LIMIT = 50        # documents listed finding by finding without --verbose
RANKED_LIMIT = 10          # rows of the ranked table without --verbose
SEVERITY_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
LABEL_WIDTH = 4            # 错误 / 警告 / 提示: two CJK characters
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


def where(f: Finding) -> str:
    """The place inside the file (the file itself is the group's header)."""
    loc = f.location
    if loc.sheet:
        return f"{loc.sheet}!{loc.cell}" if loc.cell else loc.sheet
    out = f"p.{loc.page}" + (":" if loc.line else "") if loc.page else ""
    if loc.line:
        out += f"{loc.line}" + (f":{loc.column}" if loc.column else "")
    return out or "-"


def values_text(f: Finding) -> str:
    if f.printed is not None and f.expected is not None:
        return f"印数 {f.printed} → 应为 {f.expected}"
    if f.printed is not None:
        return f"印数 {f.printed}"
    if f.expected is not None:
        return f"应为 {f.expected}"
    return ""


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - cell_len(text), 0)


class _Lines:
    """Finding lines: one per finding when `wrap` is None, else wrapped under the message."""

    def __init__(self, console: Console, wrap: int | None):
        self.console = console
        self.wrap = wrap

    def finding(self, f: Finding, indent: int, where_width: int, prefix: str = "", mark: str = "") -> Text:
        sev = f.severity.value
        head = Text(" " * indent + mark)
        head.append(_pad(where(f), where_width - cell_len(mark)), style="cyan")
        head.append("  ")
        head.append(f.rule, style=SEVERITY_STYLES[sev])
        head.append(" ")
        head.append(_pad(SEVERITY_LABELS[sev], LABEL_WIDTH), style=SEVERITY_STYLES[sev])
        head.append("  ")
        # a message quoting a multi-line cell stays on its line
        body = Text(prefix + re.sub(r"\s*[\r\n]+\s*", " ", f.message.rsplit(" [", 1)[0]))
        values = values_text(f)
        if values:
            body.append("  ")
            body.append(values)
        name = f.message.rsplit(" [", 1)[1] if " [" in f.message and f.message.endswith("]") else None
        if name:
            body.append(" [" + name, style="dim")
        if self.wrap is None:
            return head + body
        hang = cell_len(head.plain)
        available = max(self.wrap - hang, MIN_MESSAGE_WIDTH)
        wrapped = body.wrap(self.console, available, overflow="fold")
        out = Text()
        for i, line in enumerate(wrapped):
            out.append_text(head if i == 0 else Text(" " * hang))
            out.append_text(line)
            if i < len(wrapped) - 1:
                out.append("\n")
        return out


def _print(console: Console, text: Text) -> None:
    console.print(text, soft_wrap=True, crop=False)


def _family_line(report: Report, options) -> Text | None:
    titles = family_titles(report, options.catalog)
    families = Counter(f.family for f in report.items)
    if not families:
        return None
    line = Text("按规则族：")
    for i, (fam, count) in enumerate(sorted(families.items(), key=lambda kv: (-kv[1], kv[0]))):
        title = chinese_title(titles.get(fam, fam))
        line.append(("，" if i else "") + (f"{fam} {title}" if title and title != fam else fam) + f" {count}")
    return line


def _ranked(console: Console, docs, options) -> None:
    """Documents worst first, with their counts and what was read; the clean ones counted."""
    with_findings = sorted((d for d in docs if d.findings), key=lambda d: d.worst_key(), reverse=True)
    clean = [d for d in docs if not d.findings and (d.info is None or d.info.readable)]
    rows = with_findings + clean
    if not rows:
        return
    shown = rows if options.verbose else rows[:RANKED_LIMIT]
    width = max(cell_len(d.file) for d in shown)
    width = max(width, cell_len("文件（问题多的在前）"))
    _print(console, Text(_pad("文件（问题多的在前）", width) + "  错误  警告  提示  读取", style="bold"))
    for d in shown:
        c = d.counts
        line = Text(_pad(d.file, width))
        for sev in SEVERITIES:
            line.append(f"  {c[sev]:>4}", style=SEVERITY_STYLES[sev] if c[sev] else "dim")
        line.append("  " + (read_summary(d.info).removeprefix("读取：") if d.info else "-"), style="dim")
        _print(console, line)
    more = len(rows) - len(shown)
    tail = []
    if more:
        tail.append(f"另有 {more} 个文件未列出（--verbose 列出全部）")
    tail.append(f"{len(clean)} 个文件没有问题" if clean else "每个文件都有问题")
    _print(console, Text("；".join(tail), style="dim"))


def _not_read(console: Console, report: Report) -> None:
    missing = not_read(report)
    if not missing:
        return
    console.print()
    _print(console, Text(f"未读取的文件（{len(missing)}）：", style="bold"))
    width = max(cell_len(n.file) for n in missing)
    for n in missing:
        _print(console, Text("  ") + Text(_pad(n.file, width)) + Text(f"  {n.status}：{n.reason}", style="dim"))


def _document(console: Console, lines: _Lines, doc, options) -> None:
    header = Text(doc.file, style="bold")
    if doc.title:
        header += Text(f"（{doc.title}）")
    header += Text("  ") + _counts_text(doc.counts)
    read = read_summary(doc.info)
    if read:
        header += Text(f" · {read}", style="dim")
    _print(console, header)
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
    consequences = {id(c) for group in follows.values() for c in group}
    where_width = max((cell_len(where(f)) + (2 if id(f) in consequences else 0) for f in doc.findings), default=1)
    for table, findings in by_table(shown):
        _print(console, Text("  " + (table or "（不属于某张表）"), style="underline"))
        for f in findings:
            _print(console, lines.finding(f, 4, where_width))
            for c in follows.get(f.fingerprint, []):
                _print(console, lines.finding(c, 4, where_width, prefix=f"由 {f.rule} 引起：", mark="↳ "))
    hidden = len(roots) - len(shown)
    if hidden:
        _print(console, Text(f"    … 另有 {hidden} 条未显示，使用 --verbose 查看全部", style="dim"))


def _footer(console: Console, report: Report) -> None:
    c = report.counts()
    total = Text(f"共 {len(report.items)} 条问题（错误 {c['error']}，警告 {c['warning']}，提示 {c['info']}）",
                 style="bold")
    if report.suppressed:
        total.append(f"，另有 {report.suppressed} 条已被基线抑制", style="dim")
    _print(console, total)
    if report.items:
        code = sorted_findings(report.items)[0].rule
        _print(console, Text(f"规则说明与修改方法：auditor explain <规则编码>，例如 auditor explain {code}", style="dim"))
        _print(console, Text(LEGEND, style="dim"))


def one_line_summary(report: Report, fail_on: str = "error") -> str:
    """What a CI log needs when the reports go to files: counts and whether the gate failed."""
    c = report.counts()
    text = (f"auditor: {len(report.documents)} 个文件，{len(report.items)} 条问题"
            f"（错误 {c['error']}，警告 {c['warning']}，提示 {c['info']}）")
    if report.suppressed:
        text += f"，基线已抑制 {report.suppressed}"
    skipped = len(getattr(report, "skipped", []))
    if skipped:
        text += f"，{skipped} 个文件跳过未读取（类型不支持或为以前的报告）"
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
        tty = bool(getattr(stream, "isatty", lambda: False)())
        if console.color_system is None:
            # plain text (a pipe, a file, NO_COLOR): one finding per line and no trailing blanks;
            # wrapped only when it is a terminal after all (NO_COLOR on a TTY)
            wrap = console.width if tty else None
            buffer = io.StringIO()
            plain = make_console(buffer, replace(options, color=False, width=console.width))
            self._render(report, plain, options, wrap)
            stream.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))
        else:
            self._render(report, console, options, console.width if tty else None)

    def _render(self, report: Report, console: Console, options, wrap: int | None) -> None:
        if options.quiet:
            counts = _counts_text(report.counts(), report.suppressed)
            _print(console, Text(f"{len(report.documents)} 个文件 · ") + counts)
            return
        docs = by_document(report)
        n = len(report.items)
        head = Text(f"auditor {tool_version()} · {len(report.documents)} 个文件 · {n} 条问题：", style="bold")
        _print(console, head + _counts_text(report.counts(), report.suppressed))
        family = _family_line(report, options)
        if family is not None:
            _print(console, family)
        console.print()
        _ranked(console, docs, options)
        _not_read(console, report)
        with_findings = [d for d in docs if d.findings]
        shown = with_findings
        if not options.verbose and len(with_findings) > DOCUMENT_LIMIT:
            # a large run stays readable: the worst documents, finding by finding (in path order)
            worst = sorted(with_findings, key=lambda d: d.worst_key(), reverse=True)[:DOCUMENT_LIMIT]
            shown = [d for d in with_findings if d in worst]
        lines = _Lines(console, wrap)
        for doc in shown:
            console.print()
            _document(console, lines, doc, options)
        if len(shown) < len(with_findings):
            console.print()
            _print(console, Text(f"… 另有 {len(with_findings) - len(shown)} 个文件有问题未逐条列出（已按严重程度列出前 "
                                 f"{DOCUMENT_LIMIT} 个）；使用 --verbose 或 --format html/json/excel 查看全部", style="dim"))
        console.print()
        _footer(console, report)


RENDERER = TerminalRenderer()
