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
               "规则运行失败（SQL 错误或超时）。其余规则的结果不受影响，但该规则没有检查任何数据。",
               "自定义规则包：按消息中的错误修改该规则的 SQL；内置规则：加 --debug 重新运行并报告问题。"),
    "AUD002": ("unused-baseline-entry", "info",
               "A baseline entry no longer matches any finding.",
               "基线中的这条已接受问题不再出现（已修正，或印出值已变化）。请更新基线文件。",
               "运行 auditor baseline --prune 删除已不再出现的条目；印出值变化的，请重新核实后再接受。"),
    "AUD003": ("rule-not-transpilable", "warning",
               "A rule could not be translated for this engine (Spark SQL) and did not run there.",
               "规则无法转换为 Spark SQL，未在 Spark 上运行。",
               "检查该规范表文件的列与 auditor schema 是否一致，或用 DuckDB 引擎运行这条规则。"),
    "AUD004": ("rule-template-invalid", "error",
               "A rule's message template uses more than named placeholders; the rule did not run.",
               "规则的消息模板只能使用查询结果的列名作占位符；该规则没有运行，其余规则照常运行。",
               "把模板中的占位符改为查询结果的列名，例如 {printed}；需要花括号本身时写 {{ 和 }}。"),
    "AUD005": ("rule-rows-capped", "warning",
               "A rule returned more rows than max_rows_per_rule; only the first ones are reported.",
               "规则的结果超过 max_rows_per_rule，只报告了前面的部分。",
               "检查该规则或文件为何产生如此多的问题；确需全部结果时，调高 max_rows_per_rule。"),
}
META_FAMILY_TITLE = "工具自检 Tool"


KIND_LABELS = {
    "project_selfeval": "项目自评表", "transfer_selfeval": "转移支付自评表", "department_selfeval": "部门整体自评表",
    "basic_data": "自评基础数据表", "ledger": "预算/决算表", "project_targets": "项目绩效目标表",
    "department_targets": "部门绩效目标表", "narrative": "文字报告",
    "project_self_eval": "项目自评表", "department_self_eval": "部门整体自评表", "final_accounts": "决算表",
}

# one line that says what every symbol in the terminal and HTML reports means
LEGEND = ("图例：错误 = 数字之间不可能同时成立 · 警告 = 很可能有误 · 提示 = 值得核实 · "
          "印数 → 应为 = 文件印出的值 → 按文件自身数字算得的值 · ↳ = 由上一条问题引起")


def kind_label(kind: str | None) -> str:
    if not kind:
        return ""
    if kind.startswith("canonical "):
        return f"规范表 {kind.split(' ', 1)[1]}"
    return KIND_LABELS.get(kind, kind)


def chinese_title(title: str | None) -> str:
    """'执行率 Execution rate' -> '执行率': one language per element (the family code is the English)."""
    if not title:
        return ""
    head = re.split(r"\s+(?=[A-Za-z])", title.strip(), maxsplit=1)[0]
    return head if re.search(r"[\u4e00-\u9fff]", head) else title.strip()


def natural_key(text: str) -> tuple:
    """d1, d2, d10 (not d1, d10, d2): numbers inside names compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in re.split(r"(\d+)", text or "") if part)


def read_summary(info: DocumentInfo | None) -> str:
    """'读取：3 张表，120 行，8 条数字陈述' from what DocumentInfo carries (its `coverage`, once the
    readers fill it; until then the table count and kind)."""
    if info is None:
        return ""
    if not info.readable:
        return "未读取"
    if info.kind and info.kind.startswith("canonical "):
        return f"读取：{info.tables} 行（{kind_label(info.kind)}）"
    coverage = getattr(info, "coverage", None)
    parts = [f"{info.tables} 张表"]
    if coverage is not None:
        # DocumentInfo.coverage (auditor.findings.Coverage), filled by the reading stages
        by_kind = getattr(coverage, "tables_by_kind", None) or {}
        if by_kind:
            parts = [f"{sum(by_kind.values())} 张表"]
        parts += [f"{getattr(coverage, 'rows', 0)} 行", f"{getattr(coverage, 'claims', 0)} 条数字陈述"]
    text = "读取：" + "，".join(parts)
    label = kind_label(info.kind)
    return text + (f"（{label}）" if label and info.tables else "")


@dataclass(frozen=True)
class NotRead:
    file: str
    status: str      # 跳过 (not a supported type, or not a budget document) | 无法读取
    reason: str


def not_read(report: Report) -> list[NotRead]:
    """Every file that was not read, with why: files of an unsupported type found in a folder,
    documents that could not be opened or parsed, non-documents in a folder."""
    out = [NotRead(s.file, "跳过", s.reason) for s in getattr(report, "skipped", [])]
    messages = {f.location.file: f.message for f in report.items if f.rule in ("INP001", "INP002", "INP006")}
    for d in report.documents:
        if d.readable:
            continue
        reason = d.error or messages.get(d.file, "").split(" [", 1)[0] or "无法读取"
        status = "跳过" if reason.startswith("不是预算或绩效文件") else "无法读取"
        out.append(NotRead(d.file, status, reason))
    return sorted(out, key=lambda n: natural_key(n.file))


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
    return sorted(groups.values(), key=lambda g: natural_key(g.file))


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
