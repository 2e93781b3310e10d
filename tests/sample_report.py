"""One shared Report that every renderer test draws: several documents, every severity,
a crashed rule, CJK text, and hostile text (`<script>`, a leading `=`, `|`, `%`, newlines,
a file name with `,` and `:`)."""
from __future__ import annotations

from dataclasses import replace

from datetime import UTC, datetime
from pathlib import Path

from auditor.engine.catalog import Catalog, Rule
from auditor.findings import DocumentInfo, Finding, Location, Report, Severity
from auditor.ingest import SkippedFile
from auditor.model.tables import Canonical

REPO_ROOT = Path(__file__).resolve().parent.parent

SELF_EVAL = "docs/2023年度项目支出绩效自评表.txt"
DEPARTMENT = "docs/部门整体支出绩效自评表,2023:终稿.xlsx"
SCANNED = "docs/扫描件.pdf"
CLEAN = "docs/财政拨款收支总表.txt"
SELF_EVAL_TABLE = "项目支出绩效自评表 · 服务质量考核费"

_RULES = [
    ("EXR001", "execution-rate-mismatch", "EXR", "执行率 Execution rate", "error",
     "Printed execution rate disagrees with executed ÷ budget.",
     "执行率应等于全年执行数 ÷ 全年预算数，按印出精度四舍五入后比较。"),
    ("EXR004", "rate-without-amounts", "EXR", "执行率 Execution rate", "warning",
     "An execution rate is printed but budget and executed are empty or zero.",
     "预算数和执行数都为空或 0 时，执行率无从计算。"),
    ("FSR001", "full-score-on-unmet-target", "FSR", "评分与目标 Rating vs target", "error",
     "An indicator that missed its target still gets the full score.",
     "完成值未达到年度目标值时，得分不应为满分。"),
    ("FSR005", "unmet-target-without-reason", "FSR", "评分与目标 Rating vs target", "warning",
     "An unmet target has no deviation reason.",
     "未完成目标的指标必须说明偏差原因和改进措施。"),
    ("SCR001", "indicator-scores-not-subtotal", "SCR", "得分 Score arithmetic", "error",
     "The printed subtotal is not the sum of the indicator scores.",
     "指标自评得分小计应等于各指标得分之和。"),
    ("SCR004", "score-exceeds-weight", "SCR", "得分 Score arithmetic", "error",
     "A score is larger than its weight.",
     "得分不能超过分值。"),
    ("INP001", "unreadable-document", "INP", "输入 Input", "error",
     "The file could not be read.", "文件无法读取时，其中的表格都未被检查。"),
    ("INP004", "unparsed-row", "INP", "输入 Input", "warning",
     "A table row could not be parsed.", "无法解析的行不会被任何规则检查，应人工核对。"),
    ("NAR001", "vague-deviation-reason", "NAR", "文字说明 Narrative", "info",
     "The deviation reason is boilerplate.", "“无”“已完成”之类的偏差原因不能说明问题。"),
]


def sample_catalog() -> Catalog:
    """A fixed catalog, so the snapshots do not change when the built-in rule packs do."""
    return Catalog([Rule(id=i, name=n, family=fam, family_title=title, severity=Severity(sev), summary=summary,
                         rationale=why, query="SELECT 1", message="{printed}")
                    for i, n, fam, title, sev, summary, why in _RULES])


def _finding(rule: str, severity: str, message: str, location: Location, printed=None, expected=None) -> Finding:
    name, family = next((n, fam) for i, n, fam, *_ in _RULES if i == rule)
    return Finding(rule=rule, name=name, family=family, severity=Severity(severity),
                   message=f"{message} [{name}]", location=location, printed=printed, expected=expected,
                   row_key=location.row, table_key=location.table)


def sample_findings(line_shift: int = 0) -> list[Finding]:
    findings = _sample_findings(line_shift)
    # root causes first: the subtotal finding follows from the rate finding in the same table
    findings[2] = replace(findings[2], root=findings[0].fingerprint)
    return findings


def _sample_findings(line_shift: int = 0) -> list[Finding]:
    def at(line: int, **kw) -> Location:
        return Location(file=SELF_EVAL, table=SELF_EVAL_TABLE, line=line + line_shift, **kw)

    return [
        _finding("EXR001", "error",
                 "「服务质量考核费」执行率印为 101.13%，但执行数 606.225 ÷ 预算数 613.075 = 98.88%",
                 at(12, column=5, row="服务质量考核费", field="rate"), "101.13%", "98.88%"),
        _finding("FSR005", "warning", "「群众满意度」完成值 85% 未达到目标 ≥90%，未填写偏差原因",
                 at(25, column=2, row="群众满意度", field="reason"), "85%", "≥90%"),
        _finding("SCR001", "error", "指标自评得分小计印为 88，6 个指标得分之和为 87.5",
                 at(30, column=7, row="指标自评得分小计", field="score"), "88", "87.5"),
        _finding("NAR001", "info", "偏差原因“无”过于笼统 | 建议说明 *具体* 原因",
                 at(40, row="时效指标", field="reason"), "无"),
        _finding("INP004", "warning", "无法解析的行：<script>alert(1)</script>（缺少得分列）",
                 at(44, row="第44行"), "<script>alert(1)</script>"),
        _finding("EXR004", "warning", "「学生资助」预算数和执行数均为空或 0，却印有执行率 =SUM(F2:F6)",
                 Location(file=DEPARTMENT, table="部门整体支出绩效自评表 · 某区教育局", row="学生资助", field="rate",
                          sheet="表3", cell="F7"), "=SUM(F2:F6)"),
        _finding("FSR001", "error", "「教学质量达标率」完成值 92% 未达到目标 ≥95%，却评为满分",
                 Location(file=DEPARTMENT, table="部门整体支出绩效自评表 · 某区教育局", row="教学质量达标率",
                          field="score", sheet="表5", cell="H12"), "10", "<10"),
        _finding("NAR001", "info", "自评结论写有“完成率100%”，\n但未附佐证材料",
                 Location(file=DEPARTMENT, table="部门整体支出绩效自评表 · 某区教育局", row="自评结论",
                          sheet="表5", cell="B20"), "+100%"),
        _finding("INP001", "error", "无法读取文件：PDF 没有文本层（扫描件）", Location(file=SCANNED, page=1)),
        Finding(rule="AUD001", name="rule-crashed", family="AUD", severity=Severity.ERROR,
                message="规则 SCR004 (score-exceeds-weight) 运行失败：BinderException: "
                        "Referenced column \"weight\" not found [rule-crashed]",
                location=Location(file="checks/score_sum.yaml"), row_key="SCR004"),
    ]


def sample_documents() -> list[DocumentInfo]:
    return [
        DocumentInfo(file=SELF_EVAL, doc_id="d1", kind="project_self_eval", title="2023年度项目支出绩效自评表",
                     year="2023", tables=3, sha256="1" * 64),
        DocumentInfo(file=DEPARTMENT, doc_id="d2", kind="department_self_eval",
                     title="某区教育局2023年度部门整体支出绩效自评表", year="2023", tables=2, sha256="2" * 64),
        DocumentInfo(file=SCANNED, doc_id="d3", kind=None, title=None, year=None, tables=0, readable=False,
                     error="PDF 没有文本层（扫描件）"),
        DocumentInfo(file=CLEAN, doc_id="d4", kind="final_accounts", title="财政拨款收支总表", year="2023",
                     tables=1, sha256="4" * 64),
    ]


def sample_report(line_shift: int = 0) -> Report:
    """`line_shift` moves every line number, as re-extracting an edited document would."""
    return Report(
        items=sample_findings(line_shift),
        documents=sample_documents(),
        rules_run=[r[0] for r in _RULES],
        provenance={"generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "config": str(REPO_ROOT / "auditor.toml"),
                    "rules_dirs": [str(REPO_ROOT / "checks")],
                    "select": ["ALL"]},
        suppressed=0,
        skipped=[SkippedFile("docs/封面.png", "图片（扫描件）不支持，请提供文字版 PDF、Word 或 Excel")],
        canonical=Canonical.from_rows({
            "documents": [{"doc_id": d.doc_id, "file": d.file, "title": d.title} for d in sample_documents()],
            "tables": [{"doc_id": "d1", "table_id": "d1.T1", "kind": "project_selfeval", "unit": "某区卫生健康局"},
                       {"doc_id": "d2", "table_id": "d2.T1", "kind": "department_selfeval", "unit": "某区教育局"}]}),
    )
