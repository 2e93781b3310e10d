"""Every report format: golden snapshots of the shared sample report, schema validation,
escaping of hostile document text, and atomic writes.

Refresh the snapshots after an intended change with
    UPDATE_SNAPSHOTS=1 pytest tests/test_render.py
and review the diff of tests/snapshots/.
"""
from __future__ import annotations

import io
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook
from rich.cells import cell_len
from sample_report import CLEAN, DEPARTMENT, REPO_ROOT, SELF_EVAL, sample_catalog, sample_report

from auditor.findings import Finding, Location, Report, Severity
from auditor.render import RENDERERS, Renderer, RenderOptions, UnknownFormat, render_to
from auditor.render.common import templates_dir, tool_version
from auditor.render.github import annotation

HERE = Path(__file__).resolve().parent
SNAPSHOTS = HERE / "snapshots"
SCHEMAS = HERE / "schemas"
OPTIONS = RenderOptions(catalog=sample_catalog(), width=100, color=False)
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def normalize(text: str) -> str:
    text = text.replace(str(REPO_ROOT), "<ROOT>")
    text = TIMESTAMP.sub("<TIMESTAMP>", text)
    return re.sub(rf"(?<![\d.]){re.escape(tool_version())}(?![\d.])", "<VERSION>", text)


def dump_workbook(path: Path) -> str:
    """A diffable text form of an .xlsx (the zip itself carries timestamps)."""
    wb = load_workbook(path)
    out = []
    for ws in wb.worksheets:
        out.append(f"## {ws.title}  freeze={ws.freeze_panes}  filter={ws.auto_filter.ref}")
        for row in ws.iter_rows(values_only=True):
            out.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(out) + "\n"


def render_file(tmp_path: Path, fmt: str, report: Report | None = None, options: RenderOptions = OPTIONS) -> Path:
    path = tmp_path / f"report{RENDERERS[fmt].suffix}"
    render_to(report or sample_report(), fmt, path, options)
    return path


def render_text(tmp_path: Path, fmt: str, report: Report | None = None, options: RenderOptions = OPTIONS) -> str:
    path = render_file(tmp_path, fmt, report, options)
    return dump_workbook(path) if RENDERERS[fmt].binary else path.read_text(encoding="utf-8")


def snapshot_name(fmt: str) -> str:
    return f"{fmt}.txt" if RENDERERS[fmt].binary else fmt + "." + RENDERERS[fmt].suffix.rsplit(".", 1)[-1]


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_format_matches_its_snapshot(tmp_path, fmt):
    actual = normalize(render_text(tmp_path, fmt))
    snapshot = SNAPSHOTS / snapshot_name(fmt)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(actual, encoding="utf-8", newline="")
        return
    assert snapshot.exists(), f"no snapshot {snapshot.name}; create it with UPDATE_SNAPSHOTS=1"
    assert actual == snapshot.read_text(encoding="utf-8"), (
        f"{fmt} output differs from {snapshot.name}; if intended, rerun with UPDATE_SNAPSHOTS=1")


def test_snapshots_are_normalized():
    text = (SNAPSHOTS / "json.json").read_text(encoding="utf-8")
    assert "<VERSION>" in text and "<TIMESTAMP>" in text and "<ROOT>/auditor.toml" in text
    assert str(REPO_ROOT) not in text


def test_every_renderer_follows_the_protocol():
    assert {"terminal", "json", "markdown", "html", "junit", "sarif", "github", "excel"} <= set(RENDERERS)
    for name, renderer in RENDERERS.items():
        assert isinstance(renderer, Renderer)
        assert renderer.name == name and renderer.suffix.startswith(".")
    suffixes = [r.suffix for r in RENDERERS.values()]
    assert len(set(suffixes)) == len(suffixes), "--output-dir writes auditor-report<suffix> per format"
    assert [n for n, r in RENDERERS.items() if r.human_readable] == ["terminal", "markdown", "html"]


def test_every_format_renders_an_empty_report(tmp_path):
    for fmt in RENDERERS:
        size = render_file(tmp_path, fmt, Report()).stat().st_size
        assert size == 0 if fmt == "github" else size > 0, fmt


# ---- json -------------------------------------------------------------------------------------

def test_json_report_validates_against_the_published_schema(tmp_path):
    schema = json.loads((templates_dir() / "report.schema.json").read_text(encoding="utf-8"))
    data = json.loads(render_text(tmp_path, "json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["version"] == 1 and data["tool"]["name"] == "auditor"
    assert len(data["findings"]) == len(sample_report().items)
    assert data["summary"]["by_severity"] == {"error": 5, "warning": 3, "info": 2}


def test_json_schema_rejects_a_finding_without_fingerprint(tmp_path):
    schema = json.loads((templates_dir() / "report.schema.json").read_text(encoding="utf-8"))
    data = json.loads(render_text(tmp_path, "json"))
    del data["findings"][0]["fingerprint"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


# ---- sarif ------------------------------------------------------------------------------------

def test_sarif_validates_against_the_official_2_1_0_schema(tmp_path):
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    data = json.loads(render_text(tmp_path, "sarif"))
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)


def test_sarif_carries_rule_help_levels_locations_and_fingerprints(tmp_path):
    run = json.loads(render_text(tmp_path, "sarif"))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["EXR001"]["shortDescription"]["text"].startswith("Printed execution rate")
    assert rules["EXR001"]["fullDescription"]["text"].startswith("执行率应等于")
    assert "auditor explain EXR001" in rules["EXR001"]["help"]["text"]
    assert rules["NAR001"]["defaultConfiguration"]["level"] == "note"
    assert rules["AUD001"]["name"] == "rule-crashed"
    first = run["results"][0]
    assert first["ruleId"] == "EXR001" and first["level"] == "error"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "EXR001"
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 12, "startColumn": 5}
    assert first["partialFingerprints"]["auditorFingerprint/v1"] == sample_report().items[0].fingerprint
    assert {r["level"] for r in run["results"]} == {"error", "warning", "note"}


def test_sarif_without_catalog_still_describes_every_rule(tmp_path):
    data = json.loads(render_text(tmp_path, "sarif", options=RenderOptions()))
    ids = {r["id"] for r in data["runs"][0]["tool"]["driver"]["rules"]}
    assert {f.rule for f in sample_report().items} <= ids


# ---- junit ------------------------------------------------------------------------------------

def test_junit_validates_against_the_xsd(tmp_path):
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd")))
    doc = etree.parse(str(render_file(tmp_path, "junit")))
    schema.assertValid(doc)
    suites = doc.getroot().findall("testsuite")
    names = [s.get("name") for s in suites]
    assert {d.file for d in sample_report().documents} <= set(names)
    clean = suites[names.index(CLEAN)]
    assert clean.get("failures") == "0" and len(clean.findall("testcase")) == len(sample_report().rules_run)
    skipped = suites[names.index("docs/封面.png")].find("testcase/skipped")
    assert "图片（扫描件）不支持" in skipped.get("message")
    first = suites[names.index(SELF_EVAL)].find("testcase[@name='EXR001 execution-rate-mismatch']")
    assert first.find("failure").get("type") == "error"


def test_junit_testcase_names_do_not_depend_on_whether_the_rule_failed(tmp_path):
    etree = pytest.importorskip("lxml.etree")
    doc = etree.parse(str(render_file(tmp_path, "junit")))
    names = {c.get("name") for c in doc.iter("testcase")}
    assert "EXR004 rate-without-amounts" in names and "EXR004" not in names


def test_junit_drops_characters_xml_cannot_carry(tmp_path):
    etree = pytest.importorskip("lxml.etree")
    bad = Finding(rule="INP004", name="unparsed-row", family="INP", severity=Severity.WARNING,
                  message="无法解析的行：\x0c\x01 [unparsed-row]", location=Location(file="a.txt", line=1))
    doc = etree.parse(str(render_file(tmp_path, "junit", Report(items=[bad]))))
    etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd"))).assertValid(doc)


# ---- html -------------------------------------------------------------------------------------

def test_html_escapes_everything_quoted_from_documents(tmp_path):
    html = render_text(tmp_path, "html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 1          # only the report's own inline script


def test_html_is_self_contained(tmp_path):
    html = render_text(tmp_path, "html")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert "default-src 'none'" in html
    assert "<svg" in html and 'id="severity-filter"' in html and 'id="text-filter"' in html


def test_html_renders_at_most_5000_rows_and_says_so(tmp_path):
    items = [Finding(rule="EXR001", name="execution-rate-mismatch", family="EXR", severity=Severity.ERROR,
                     message=f"第 {i} 行 [execution-rate-mismatch]", location=Location(file="big.txt", line=i + 1),
                     row_key=str(i)) for i in range(5_100)]
    html = render_text(tmp_path, "html", Report(items=items))
    assert html.count('class="finding error"') == 5_000
    assert "共 5100 条问题，本页只显示前 5000 条" in html


# ---- markdown ---------------------------------------------------------------------------------

def test_markdown_escapes_table_breaking_and_markup_characters(tmp_path):
    md = render_text(tmp_path, "markdown")
    assert r"偏差原因“无”过于笼统 \| 建议说明 \*具体\* 原因" in md
    assert "&lt;script&gt;" in md and "<script>" not in md
    for line in md.splitlines():
        if line.startswith("| ") and "---" not in line:
            assert len(re.findall(r"(?<!\\)\|", line)) in (4, 7, 8), line


# ---- excel ------------------------------------------------------------------------------------

def test_excel_neutralizes_formula_injection(tmp_path):
    wb = load_workbook(render_file(tmp_path, "excel"))
    ws = wb["问题清单"]
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    # issue 18: a formula is quoted; a number such as +100% or -5.00 is left as printed (a text cell)
    assert "'=SUM(F2:F6)" in values and "+100%" in values
    from auditor.textsafe import formula_safe

    assert not [v for v in values if v[0] in "=+-@" and formula_safe(v) != v]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_excel_has_frozen_filtered_findings_and_a_documents_sheet(tmp_path):
    wb = load_workbook(render_file(tmp_path, "excel"))
    assert wb.sheetnames == ["问题清单", "单位汇总", "文件汇总", "规则说明"]
    ws = wb["问题清单"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:O{len(sample_report().items) + 1}"
    docs = list(wb["文件汇总"].iter_rows(min_row=2, values_only=True))
    assert {d.file for d in sample_report().documents} <= {d[0] for d in docs}


def test_excel_is_what_a_bureau_files(tmp_path):
    """Issue 17: Chinese sheet and column names, one row per finding with 单位, 文件, 位置, 规则, 说明,
    印数, 应为 and empty review columns, wrapped text, no internal values, a summary per unit."""
    wb = load_workbook(render_file(tmp_path, "excel"))
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    for column in ("单位", "文件", "位置", "规则", "说明", "印数", "应为", "状态", "处理意见", "责任人"):
        assert column in header, column
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == len(sample_report().items)
    assert all(r["状态"] is None and r["处理意见"] is None and r["责任人"] is None for r in rows)
    first = next(r for r in rows if r["规则"] == "EXR001")
    assert (first["单位"], first["位置"], first["印数"], first["应为"]) == ("某区卫生健康局", "第 12 行第 5 列", "101.13%", "98.88%")
    assert not first["说明"].endswith("]")                     # the English name has its own column
    dept = next(r for r in rows if r["规则"] == "FSR001")
    assert dept["单位"] == "某区教育局" and dept["位置"] == "表5!H12"
    message_col = header.index("说明") + 1
    assert ws.cell(row=2, column=message_col).alignment.wrap_text
    assert ws.data_validations.dataValidation and "待核实" in ws.data_validations.dataValidation[0].formula1
    cells = {str(c.value) for sheet in wb.worksheets for row in sheet.iter_rows() for c in row if c.value is not None}
    for internal in ("project_selfeval", "department_selfeval", "actual", "rate", "ledger", "final_accounts"):
        assert internal not in cells, internal
    units = {r[0]: r for r in wb["单位汇总"].iter_rows(min_row=2, values_only=True)}
    assert units["某区教育局"][1:6] == (1, 1, 1, 1, 3)
    assert wb["文件汇总"]["D1"].value == "类型"
    kinds = {r[0]: r[3] for r in wb["文件汇总"].iter_rows(min_row=2, values_only=True)}
    assert kinds[DEPARTMENT] == "部门整体自评表"


# ---- github -----------------------------------------------------------------------------------

def test_github_annotations_escape_properties_and_message(tmp_path):
    lines = render_text(tmp_path, "github").splitlines()
    assert len(lines) == len(sample_report().items) + 1        # and the file not read
    first = next(line for line in lines if SELF_EVAL in line)
    assert first.startswith(f"::error file={SELF_EVAL},line=12,col=5,title=EXR001 execution-rate-mismatch::")
    assert "101.13%25" in first
    note = next(line for line in lines if "佐证" in line)
    assert note.startswith("::notice file=docs/部门整体支出绩效自评表%2C2023%3A终稿.xlsx,"
                           "title=NAR001 vague-deviation-reason（表5!B20）::表5!B20：")
    assert "%0A" in note and "\n" not in note


def test_github_escapes_carriage_returns_and_percent_in_properties():
    f = Finding(rule="X", name="x", family="XXX", severity=Severity.WARNING, message="a\r\nb 5%",
                location=Location(file="a%b\r.txt", line=3))
    assert annotation(f) == "::warning file=a%25b%0D.txt,line=3,title=X x::a%0D%0Ab 5%25"


# ---- terminal ---------------------------------------------------------------------------------

class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_is_plain_when_not_a_tty_or_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    plain = io.StringIO()
    RENDERERS["terminal"].render(sample_report(), plain, RenderOptions(width=100))
    assert "\x1b[" not in plain.getvalue()
    tty = FakeTty()
    RENDERERS["terminal"].render(sample_report(), tty, RenderOptions(width=100))
    assert "\x1b[" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    tty = FakeTty()
    RENDERERS["terminal"].render(sample_report(), tty, RenderOptions(width=100))
    assert "\x1b[" not in tty.getvalue()


@pytest.mark.parametrize("width", [50, 80, 120])
def test_terminal_findings_wrap_to_the_width_on_a_terminal(width):
    tty = FakeTty()
    RENDERERS["terminal"].render(sample_report(), tty, RenderOptions(width=width, color=False))
    text = tty.getvalue()
    finding_lines = [line for line in text.splitlines() if line.startswith("    ")]
    assert finding_lines and max(cell_len(line.rstrip()) for line in finding_lines) <= width
    assert "「服务质量考核费」" in text


def test_piped_terminal_output_has_one_finding_per_line(tmp_path):
    """Issue 17: piped output wrapped at 80 columns, 3–4 lines per finding; ruff and pytest print one."""
    text = render_text(tmp_path, "terminal", options=RenderOptions(width=80, color=False))
    for f in sample_report().items:
        first = f.message.rsplit(" [", 1)[0].split("\n")[0]
        (line,) = [line for line in text.splitlines() if f" {f.rule} " in line and first[:12] in line]
        assert line.rstrip().endswith(f"[{f.name}]") or "\n" in f.message, line


def test_terminal_prints_the_path_once_per_file_and_the_message_in_normal_weight():
    tty = FakeTty()
    RENDERERS["terminal"].render(sample_report(), tty, RenderOptions(width=200, color=True))
    text = tty.getvalue()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    body = plain.split("\n\n", 3)[-1]
    finding_lines = [line for line in body.splitlines() if re.search(r" [A-Z]{3}\d{3} (错误|警告|提示) ", line)]
    assert finding_lines and not any(SELF_EVAL in line for line in finding_lines)
    message = "「服务质量考核费」执行率印为 101.13%"
    raw_line = next(line for line in text.splitlines() if message in re.sub(r"\x1b\[[0-9;]*m", "", line))
    before = raw_line[:raw_line.index("「服务质量考核费」")]
    assert before.endswith("\x1b[0m") or not re.search(r"\x1b\[[0-9;]*[12]m[^\x1b]*$", before)


def test_terminal_ranks_documents_worst_first_counts_clean_ones_and_sorts_paths_naturally():
    from auditor.findings import DocumentInfo

    base = sample_report()
    f0 = base.items[0]
    items, docs = [], []
    for k in (1, 2, 10, 100):
        name = f"docs/d{k}.txt"
        docs.append(DocumentInfo(file=name, doc_id=f"d{k}", tables=1, kind="project_selfeval"))
        items += [replace(f0, location=replace(f0.location, file=name), row_key=str(j)) for j in range(k % 7)]
    docs.append(DocumentInfo(file="docs/clean.txt", doc_id="c", tables=2, kind="project_selfeval"))
    report = Report(items=items, documents=docs, rules_run=base.rules_run)
    out = io.StringIO()
    RENDERERS["terminal"].render(report, out, RenderOptions(color=False, width=120))
    text = out.getvalue()
    ranked = [line.split()[0] for line in text.split("文件（问题多的在前）", 1)[1].splitlines()[1:6]]
    assert ranked == ["docs/d10.txt", "docs/d2.txt", "docs/d100.txt", "docs/d1.txt", "docs/clean.txt"]
    assert "1 个文件没有问题" in text
    headers = [line.split("  ")[0] for line in text.splitlines() if re.match(r"docs/d\d+\.txt  错误", line)]
    assert headers == ["docs/d1.txt", "docs/d2.txt", "docs/d10.txt", "docs/d100.txt"]
    assert "读取：1 张表（项目自评表）" in text


def test_terminal_uses_one_language_per_element_and_explains_its_symbols(tmp_path):
    text = render_text(tmp_path, "terminal")
    assert not re.search(r" [A-Z]{3}\d{3} (error|warning|info)\b", text)
    assert re.search(r" EXR001 错误 ", text)
    assert "Execution rate" not in text and "按规则族：" in text
    legend = text.rstrip().splitlines()[-1]
    assert legend.startswith("图例：") and "→" in legend and "↳" in legend


def test_terminal_lists_the_files_not_read(tmp_path):
    text = render_text(tmp_path, "terminal")
    block = text.split("未读取的文件（2）：", 1)[1]
    assert re.search(r"docs/封面.png +跳过：图片（扫描件）不支持", block)
    assert "docs/扫描件.pdf" in block and "无法读取：PDF 没有文本层（扫描件）" in block


def test_terminal_prints_document_text_verbatim_not_as_markup(tmp_path):
    f = Finding(rule="INP004", name="unparsed-row", family="INP", severity=Severity.WARNING,
                message="无法解析的行：[bold]合计[/bold] [unparsed-row]", location=Location(file="a.txt", line=1))
    assert "[bold]合计[/bold]" in render_text(tmp_path, "terminal", Report(items=[f]), RenderOptions(color=False))


def _many(n: int) -> Report:
    return Report(items=[Finding(rule="FSR004", name="partial-score-on-met-target", family="FSR",
                                 severity=Severity.WARNING, message=f"指标{i:02d} [partial-score-on-met-target]",
                                 location=Location(file="a.txt", table="表1", line=i + 1), row_key=str(i))
                         for i in range(n)])


def test_terminal_shows_20_findings_per_document_unless_verbose(tmp_path):
    short = render_text(tmp_path, "terminal", _many(25), RenderOptions(color=False, width=120))
    assert "指标19" in short and "指标20" not in short
    assert "另有 5 条未显示，使用 --verbose 查看全部" in short
    full = render_text(tmp_path, "terminal", _many(25), RenderOptions(color=False, width=120, verbose=True))
    assert "指标24" in full and "未显示" not in full


def test_terminal_quiet_prints_counts_only(tmp_path):
    text = render_text(tmp_path, "terminal", options=RenderOptions(quiet=True, color=False))
    assert text.splitlines() == ["4 个文件 · 错误 5 · 警告 3 · 提示 2"]


def test_terminal_sorts_by_severity_then_line_and_ends_with_explain_hint(tmp_path):
    text = render_text(tmp_path, "terminal")
    section = text.split(f"\n{SELF_EVAL}（", 1)[1]
    order = [m.group(1) for m in re.finditer(r" ([A-Z]{3}\d{3}) (?:错误|警告|提示) ", section)]
    assert order[:5] == ["EXR001", "SCR001", "FSR005", "INP004", "NAR001"]
    assert "auditor explain EXR001" in text.splitlines()[-2]


# ---- render_to --------------------------------------------------------------------------------

class ExplodingRenderer:
    name = "boom"
    human_readable = False
    suffix = ".txt"
    binary = False

    def render(self, report, stream, options):
        stream.write("half a report")
        raise RuntimeError("renderer failed")


def test_render_to_leaves_no_partial_file_when_rendering_fails(tmp_path, monkeypatch):
    monkeypatch.setitem(RENDERERS, "boom", ExplodingRenderer())
    existing = tmp_path / "old.txt"
    existing.write_text("previous report", encoding="utf-8")
    with pytest.raises(RuntimeError):
        render_to(sample_report(), "boom", existing)
    with pytest.raises(RuntimeError):
        render_to(sample_report(), "boom", tmp_path / "new.txt")
    assert existing.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


def test_render_to_replaces_a_file_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("{}", encoding="utf-8")
    target.chmod(0o640)
    render_to(sample_report(), "json", target)
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == 1
    assert target.stat().st_mode & 0o777 == 0o640


def test_render_to_writes_stdout_when_no_path(capsys):
    render_to(replace(sample_report(), provenance={}), "github", None)
    assert capsys.readouterr().out.startswith("::error ")


def test_unknown_format_names_the_known_ones():
    with pytest.raises(UnknownFormat, match="sarif"):
        render_to(sample_report(), "pdf", None)


def test_terminal_lists_the_worst_documents_of_a_large_run():
    import io
    from dataclasses import replace as _replace

    from auditor.findings import DocumentInfo, Report
    from auditor.render import RenderOptions, get_renderer

    base = sample_report()
    f0 = base.items[0]
    items, docs = [], []
    for k in range(120):
        name = f"docs/d{k:03d}.txt"
        docs.append(DocumentInfo(file=name, doc_id=f"d{k}"))
        items.append(_replace(f0, location=_replace(f0.location, file=name)))
    report = Report(items=items, documents=docs, rules_run=base.rules_run, provenance={})
    out = io.StringIO()
    get_renderer("terminal").render(report, out, RenderOptions(color=False, width=100))
    text = out.getvalue()
    header = re.compile(r"^docs/d\d+\.txt  错误", re.M)
    assert len(header.findall(text)) == 50 and "另有 70 个文件" in text
    out = io.StringIO()
    get_renderer("terminal").render(report, out, RenderOptions(color=False, width=100, verbose=True))
    assert len(header.findall(out.getvalue())) == 120
