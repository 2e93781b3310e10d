"""Helpers shared by the renderers: ordering, grouping, labels, templates."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from auditor.findings import DocumentInfo, Finding, Report, Severity

TOOL_NAME = "auditor"
REPORT_FORMAT_VERSION = 1

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITIES = [s.value for s in sorted(Severity, key=lambda s: -s.rank)]

# Findings the tool raises about itself; they are not in any rule pack.
META_RULES = {
    "AUD001": ("rule-crashed", "error",
               "A rule failed or timed out; the rest of the report is still valid.",
               "规则运行失败（SQL 错误或超时）。其余规则的结果不受影响，但该规则没有检查任何数据。"),
    "AUD002": ("unused-baseline-entry", "info",
               "A baseline entry no longer matches any finding.",
               "基线中的这条已接受问题不再出现（已修正，或印出值已变化）。请更新基线文件。"),
    "AUD003": ("unreadable-table", "error", "A table could not be read; its rules did not run.",
               "表格无法读取，相关规则未对其运行。"),
}
META_FAMILY_TITLE = "工具自检 Tool"


def tool_version() -> str:
    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:
        import auditor

        return getattr(auditor, "__version__", "0+unknown")


def finding_order(f: Finding) -> tuple:
    """Most severe first, then by line (unknown lines last), then rule id."""
    line = f.location.line if f.location.line is not None else math.inf
    return (-f.severity.rank, line, f.rule, f.location.table or "", f.location.row or "")


def sorted_findings(items: list[Finding]) -> list[Finding]:
    return sorted(items, key=finding_order)


def severity_counts(items: list[Finding]) -> dict[str, int]:
    out = {s: 0 for s in SEVERITIES}
    for f in items:
        out[f.severity.value] += 1
    return out


@dataclass
class DocumentFindings:
    """One document (or a file that only findings mention, such as a crashed rule pack)."""

    file: str
    info: DocumentInfo | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return severity_counts(self.findings)

    @property
    def title(self) -> str:
        return (self.info.title if self.info and self.info.title else "") or ""

    def worst_key(self) -> tuple:
        c = self.counts
        return (c["error"], c["warning"], c["info"])


def by_document(report: Report) -> list[DocumentFindings]:
    """Documents in report order, then any other file the findings name; findings sorted."""
    groups: dict[str, DocumentFindings] = {}
    for doc in report.documents:
        groups.setdefault(doc.file, DocumentFindings(doc.file, doc))
    for f in report.items:
        groups.setdefault(f.location.file, DocumentFindings(f.location.file, None)).findings.append(f)
    for g in groups.values():
        g.findings = sorted_findings(g.findings)
    return list(groups.values())


def by_table(findings: list[Finding]) -> list[tuple[str | None, list[Finding]]]:
    """Group already-sorted findings by table, groups ordered by their first (worst) finding."""
    groups: dict[str | None, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.location.table, []).append(f)
    return list(groups.items())


def family_titles(report: Report, catalog=None) -> dict[str, str]:
    titles = {"AUD": META_FAMILY_TITLE}
    if catalog is not None:
        for rule in catalog:
            titles.setdefault(rule.family, rule.family_title)
    for f in report.items:
        titles.setdefault(f.family, f.family)
    return titles


def printed_expected(f: Finding) -> str:
    if f.printed is not None and f.expected is not None:
        return f"{f.printed} → {f.expected}"
    if f.printed is not None:
        return f.printed
    if f.expected is not None:
        return f"→ {f.expected}"
    return ""


def rule_ids(report: Report) -> list[str]:
    """Every rule that ran, plus any that only appear in findings (AUD00x), in id order."""
    return sorted(set(report.rules_run) | {f.rule for f in report.items})


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str | None) -> str:
    """XML 1.0 cannot carry most control characters, even escaped; extracted text sometimes has them."""
    return _XML_ILLEGAL.sub("\ufffd", text or "")


def templates_dir() -> Path:
    """reports/ ships inside the wheel as auditor/_reports; in a source tree it is ../../reports."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_reports", here.parent / "reports"):
        if (candidate / "report.schema.json").is_file():
            return candidate
    return Path(str(resources.files("auditor"))) / "_reports"


def template_env(autoescape: bool):
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=autoescape, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
