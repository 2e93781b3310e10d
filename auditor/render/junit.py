"""JUnit XML: a testsuite per document, a testcase per rule × document.

A rule that ran on a document and found nothing is a passing testcase; a rule
with findings gets one <failure> listing them. A file that only findings name
(a crashed rule pack) gets a suite holding just the rules that reported on it.
"""
from __future__ import annotations

from typing import IO
from xml.etree import ElementTree as ET

from auditor.findings import Report
from auditor.render.common import META_RULES, SEVERITY_LABELS, TOOL_NAME, by_document, printed_expected, xml_safe


def _failure_text(findings) -> str:
    lines = []
    for f in findings:
        values = printed_expected(f)
        lines.append(f"{f.location.short()} [{f.severity.value}] {f.message}" + (f"（{values}）" if values else ""))
    return "\n".join(lines)


def rule_names(report: Report, catalog=None) -> dict[str, str]:
    """Testcase names must not change between runs (CI keeps test history by name), so the
    rule name comes from the catalog whether or not the rule found anything."""
    names = {rid: meta[0] for rid, meta in META_RULES.items()}
    names.update({f.rule: f.name for f in report.items})
    if catalog is not None:
        names.update({r.id: r.name for r in catalog})
    return names


def _suite(doc, rules_run: list[str], names: dict[str, str]) -> ET.Element:
    by_rule: dict[str, list] = {}
    for f in doc.findings:
        by_rule.setdefault(f.rule, []).append(f)
    rules = sorted(set(rules_run) | set(by_rule)) if doc.info is not None else sorted(by_rule)
    suite = ET.Element("testsuite", name=xml_safe(doc.file), tests=str(len(rules)),
                       failures=str(len(by_rule)), errors="0", skipped="0")
    for rule in rules:
        findings = by_rule.get(rule, [])
        name = f"{rule} {names[rule]}" if rule in names else rule
        case = ET.SubElement(suite, "testcase", name=xml_safe(name), classname=xml_safe(doc.file))
        if findings:
            worst = max(findings, key=lambda f: f.severity.rank).severity.value
            if len(findings) > 1:
                message = f"{name}：{len(findings)} 条问题（最高级别：{SEVERITY_LABELS[worst]}）"
            else:
                message = findings[0].message
            failure = ET.SubElement(case, "failure", type=worst, message=xml_safe(message))
            failure.text = xml_safe(_failure_text(findings))
    return suite


class JunitRenderer:
    name = "junit"
    human_readable = False
    suffix = ".xml"
    binary = False

    def render(self, report: Report, stream: IO, options) -> None:
        root = ET.Element("testsuites", name=TOOL_NAME)
        tests = failures = 0
        names = rule_names(report, options.catalog)
        for doc in by_document(report):
            suite = _suite(doc, report.rules_run, names)
            tests += int(suite.get("tests"))
            failures += int(suite.get("failures"))
            root.append(suite)
        root.set("tests", str(tests))
        root.set("failures", str(failures))
        root.set("errors", "0")
        ET.indent(root)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(root, encoding="unicode"))
        stream.write("\n")


RENDERER = JunitRenderer()
