"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=docs/a.txt,line=12,col=3,title=EXR001::「…」执行率印为 101.13%…

Escaping follows the runner's rules: in the message %, CR and LF are
percent-encoded; in properties also `:` and `,`.
"""
from __future__ import annotations

from typing import IO

from auditor.findings import Finding, Report
from auditor.render.common import by_document, not_read

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def place(f: Finding) -> str:
    """What a line number cannot say: the PDF page, the sheet and cell of a workbook."""
    loc = f.location
    parts = []
    if loc.page:
        parts.append(f"第 {loc.page} 页")
    if loc.sheet:
        parts.append(f"{loc.sheet}!{loc.cell}" if loc.cell else f"工作表 {loc.sheet}")
    return "，".join(parts)


def annotation(f: Finding) -> str:
    props = [("file", f.location.file)]
    if f.location.line:
        props.append(("line", str(f.location.line)))
        if f.location.column:
            props.append(("col", str(f.location.column)))
    where = place(f)
    props.append(("title", f"{f.rule} {f.name}" + (f"（{where}）" if where else "")))
    prop_text = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    message = (f"{where}：" if where else "") + f.message
    return f"::{COMMANDS[f.severity.value]} {prop_text}::{escape_data(message)}"


def not_read_annotation(file: str, status: str, reason: str) -> str:
    props = f"file={escape_property(file)},title={escape_property('未读取的文件（' + status + '）')}"
    return f"::notice {props}::{escape_data(f'{status}：{reason}')}"


class GithubRenderer:
    name = "github"
    human_readable = False
    suffix = ".github.txt"   # distinct from terminal's .txt in --output-dir
    binary = False

    def render(self, report: Report, stream: IO, options) -> None:
        for doc in by_document(report):
            for f in doc.findings:
                stream.write(annotation(f) + "\n")
        for n in not_read(report):
            if n.status == "跳过" and not any(f.location.file == n.file for f in report.items):
                stream.write(not_read_annotation(n.file, n.status, n.reason) + "\n")


RENDERER = GithubRenderer()
