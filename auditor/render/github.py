"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=docs/a.txt,line=12,col=3,title=EXR001::「…」执行率印为 101.13%…

Escaping follows the runner's rules: in the message %, CR and LF are
percent-encoded; in properties also `:` and `,`.
"""
from __future__ import annotations

from typing import IO

from auditor.findings import Finding, Report
from auditor.render.common import by_document

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props = [("file", f.location.file)]
    if f.location.line:
        props.append(("line", str(f.location.line)))
        if f.location.column:
            props.append(("col", str(f.location.column)))
    props.append(("title", f.rule))
    prop_text = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[f.severity.value]} {prop_text}::{escape_data(f.message)}"


class GithubRenderer:
    name = "github"
    human_readable = False
    suffix = ".github.txt"   # distinct from terminal's .txt in --output-dir
    binary = False

    def render(self, report: Report, stream: IO, options) -> None:
        for doc in by_document(report):
            for f in doc.findings:
                stream.write(annotation(f) + "\n")


RENDERER = GithubRenderer()
