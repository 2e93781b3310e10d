"""JUnit XML: a testsuite per document, a testcase per rule × document.

A rule that ran on a document and found nothing is a passing testcase; a rule
whose findings reach `--fail-on` gets one <failure> listing them; findings below
the gate (info, with the default `--fail-on error`) leave the testcase passing and
are listed in its <system-out>, so the JUnit view agrees with the exit code. A
file that only findings name (a crashed rule pack) gets a suite holding just the
rules that reported on it. A file found in a folder and not read is a suite with
one skipped testcase that gives the reason.
"""
from __future__ import annotations

from typing import IO
from xml.etree import ElementTree as ET

from auditor.findings import Report, Severity
from auditor.render.common import (
    META_RULES,
    SEVERITY_LABELS,
    TOOL_NAME,
    by_document,
    not_read,
    printed_expected,
    xml_safe,
)


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


def _gate(fail_on: str) -> int:
    return 99 if fail_on == "never" else Severity(fail_on).rank


def _suite(doc, rules_run: list[str], names: dict[str, str], fail_on: str = "error") -> ET.Element:
    by_rule: dict[str, list] = {}
    for f in doc.findings:
        by_rule.setdefault(f.rule, []).append(f)
    rules = sorted(set(rules_run) | set(by_rule)) if doc.info is not None else sorted(by_rule)
    gate = _gate(fail_on)
    failing = {r for r, fs in by_rule.items() if max(f.severity.rank for f in fs) >= gate}
    suite = ET.Element("testsuite", name=xml_safe(doc.file), tests=str(len(rules)),
                       failures=str(len(failing)), errors="0", skipped="0")
    for rule in rules:
        findings = by_rule.get(rule, [])
        name = f"{rule} {names[rule]}" if rule in names else rule
        case = ET.SubElement(suite, "testcase", name=xml_safe(name), classname=xml_safe(doc.file))
        if findings and rule not in failing:
            out = ET.SubElement(case, "system-out")
            out.text = xml_safe(f"低于 --fail-on {fail_on} 的问题（不计为失败）：\n" + _failure_text(findings))
        elif findings:
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
        fail_on = getattr(options, "fail_on", "error")
        for doc in by_document(report):
            suite = _suite(doc, report.rules_run, names, fail_on)
            tests += int(suite.get("tests"))
            failures += int(suite.get("failures"))
            root.append(suite)
        skipped = 0
        for n in not_read(report):
            if any(d.file == n.file for d in report.documents):
                continue      # an unreadable document already has its suite (INP001)
            suite = ET.SubElement(root, "testsuite", name=xml_safe(n.file), tests="1", failures="0", errors="0",
                                  skipped="1")
            case = ET.SubElement(suite, "testcase", name="未读取的文件", classname=xml_safe(n.file))
            ET.SubElement(case, "skipped", message=xml_safe(f"{n.status}：{n.reason}"))
            tests += 1
            skipped += 1
        root.set("tests", str(tests))
        root.set("failures", str(failures))
        root.set("errors", "0")
        ET.indent(root)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(root, encoding="unicode"))
        stream.write("\n")


RENDERER = JunitRenderer()
