"""Issue 18, where the report goes: `-o` is refused with a clear message when it is an input,
inside an input folder being read, or read-only (the input is left unchanged); every format
survives control characters, lone surrogates and U+FFFE/U+FFFF; extract CSVs and Excel
reports neutralize formula injection and leave numbers untouched."""
from __future__ import annotations

import csv
import stat

import pytest
from hostile_util import SELFEVAL, invoke, run_cli, write_doc

from auditor.findings import DocumentInfo, Finding, Location, Report, Severity
from auditor.render import RENDERERS, RenderOptions, render_to


def test_output_that_is_an_input_is_refused_and_the_input_unchanged(tmp_path):
    doc = write_doc(tmp_path, "doc.txt")
    for args in (["-o", doc], ["-f", "json", "-o", doc], ["-o", tmp_path / "." / "doc.txt"]):
        proc = run_cli("check", doc, *args)
        assert proc.returncode == 2 and "是输入文件之一" in proc.stderr.decode()
        assert doc.read_text(encoding="utf-8") == SELFEVAL
    link = tmp_path / "alias.txt"
    link.symlink_to(doc)
    proc = run_cli("check", doc, "-o", link)
    assert proc.returncode == 2 and doc.read_text(encoding="utf-8") == SELFEVAL


def test_an_excel_input_is_not_overwritten_by_an_excel_report(tmp_path):
    from openpyxl import Workbook

    book = tmp_path / "book.xlsx"
    wb = Workbook()
    wb.active.append(["项目", "金额"])
    wb.save(book)
    before = book.read_bytes()
    proc = run_cli("check", book, "-f", "excel", "-o", book)
    assert proc.returncode == 2 and "是输入文件之一" in proc.stderr.decode()
    assert book.read_bytes() == before


def test_output_inside_an_input_folder_is_refused(tmp_path):
    write_doc(tmp_path / "in", "doc.txt")
    for args in (["-o", tmp_path / "in" / "report.json"], ["-o", tmp_path / "in" / "sub" / "r.txt"],
                 ["--output-dir", tmp_path / "in" / "reports", "-f", "json", "-f", "html"]):
        proc = run_cli("check", tmp_path / "in", *args)
        assert proc.returncode == 2 and "输入目录" in proc.stderr.decode(), args
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["doc.txt"]
    # beside the folder is fine
    proc = run_cli("check", tmp_path / "in", "-f", "json", "-o", tmp_path / "report.json")
    assert proc.returncode == 1 and (tmp_path / "report.json").exists()


def test_a_read_only_report_is_not_replaced(tmp_path):
    doc = write_doc(tmp_path, "doc.txt")
    out = tmp_path / "report.json"
    out.write_text('{"earlier": true}', encoding="utf-8")
    out.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        proc = run_cli("check", doc, "-f", "json", "-o", out)
        assert proc.returncode == 2 and "只读" in proc.stderr.decode()
        assert out.read_text(encoding="utf-8") == '{"earlier": true}'
    finally:
        out.chmod(0o644)


HOSTILE = "a\x00b\x07c\x1b[2Jd\x7fe\x9bf\ud800g\udfffh\ufffei\uffffj\u202ek"


def _hostile_report() -> Report:
    loc = Location(file=f"dir/{HOSTILE}.txt", table=HOSTILE, row=HOSTILE, line=3, column=2, field="rate",
                   sheet=f"S{HOSTILE}", cell="C3")
    items = [Finding("EXR001", "execution-rate-mismatch", "EXR", Severity.ERROR, f"「{HOSTILE}」不符 [x]", loc,
                     printed=HOSTILE, expected="=cmd|' /C calc'!A0", row_key="r", table_key="t")]
    docs = [DocumentInfo(file=f"dir/{HOSTILE}.txt", doc_id="F1", title=HOSTILE, kind="project_selfeval", tables=1),
            DocumentInfo(file="bad.txt", doc_id="F2", readable=False, error=HOSTILE)]
    return Report(items=items, documents=docs, rules_run=["EXR001"], provenance={"inputs": [{"file": HOSTILE}]})


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_format_survives_control_characters_and_surrogates(tmp_path, fmt):
    out = tmp_path / ("report.xlsx" if fmt == "excel" else f"report.{fmt}")
    report = _hostile_report()
    fingerprint = report.items[0].fingerprint
    render_to(report, fmt, out, RenderOptions(verbose=True))
    data = out.read_bytes()
    if fmt == "excel":
        from openpyxl import load_workbook

        wb = load_workbook(out)
        text = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                         if c.value is not None)
        assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
        assert "'=cmd|' /C calc'!A0" in text
    else:
        text = data.decode("utf-8")      # strict: no lone surrogate made it into the file
    for raw in ("\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ufffe", "\uffff", "\u202e"):
        assert raw not in text, (fmt, repr(raw))
    assert "x1b" in text or fmt in ("junit",)
    assert report.items[0].fingerprint == fingerprint          # the Report itself is not changed


def test_excel_report_of_a_document_with_control_characters(tmp_path):
    text = SELFEVAL.replace("工程验收合格率", "工程\x01验收\ufffe合格\uffff率\x1b[2J").replace(
        "高标准农田建设补助资金", "=HYPERLINK(\"http://x\",\"点\")")
    doc = write_doc(tmp_path, "doc.txt", text)
    out = tmp_path / "r.xlsx"
    proc = run_cli("check", doc, "-f", "excel", "-o", out)
    assert proc.returncode == 1, proc.stderr.decode()[-2000:]
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    values = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert "\\x1b[2J" in values and "\\ufffe" in values


def test_extract_csvs_neutralize_formulas_and_keep_numbers(tmp_path):
    rows = "".join(f"\t产出指标\t数量指标\t{name}\t>=\t100\t人次\t50\t50%\t5\t6\n"
                   for name in ("=cmd|' /C calc'!A0", "@SUM(A1:A9)", "+1+1", "-2+3"))
    text = ("# 预算项目(政策)绩效目标自评表\n\n项目(政策)名称\t\t=HYPERLINK(\"http://x\")\n"
            "项目预算金额(万元)\t\t100.00\t\t全年执行数\t\t-80.00\t\t执行率\t\t90.00%\n"
            "绩效指标\t一级指标\t二级指标\t三级指标\t年度目标值\t\t\t全年完成值\t完成程度\t分值\t得分\n"
            "\t\t\t\t运算符号\t内容\t度量单位\n" + rows +
            "指标自评得分小计\t\t90\t\t预算执行率得分\t\t8\t\t减分项\t\t0\t\t绩效自评总得分\t\t98\n")
    doc = write_doc(tmp_path, "doc.txt", text)
    out = tmp_path / "out"
    result = invoke("extract", doc, "--out", out)
    assert result.exit_code == 0, result.output
    cells = [c for f in out.glob("*.csv") for row in csv.reader(f.open(encoding="utf-8")) for c in row]
    assert not [c for c in cells if c and c[0] in "=@" or (c[:1] in ("+", "-") and c[1:2] and not
                                                     (c[1:2].isdigit() or c[1:2] == "."))], \
        [c for c in cells if c[:1] in "=+-@"]
    assert any(c.startswith("'=cmd|") for c in cells) and "'@SUM(A1:A9)" in cells and "'+1+1" in cells
    assert any(c in ("-80.00", "-80.0", "-80") for c in cells)          # a number is left as it is
    # read back as canonical tables, the text is what the document printed
    result = invoke("check", "--canonical", out, "-f", "json")
    assert "Traceback" not in result.output
    from auditor.model.io import load_canonical

    names = set(load_canonical(out)["indicators"]["name"])
    assert any(n.startswith("=cmd|") for n in names) and "+1+1" in names and "@SUM(A1:A9)" in names


def test_a_full_disk_is_a_clear_message_and_the_earlier_report_is_intact(tmp_path, monkeypatch):
    import errno
    import os

    import auditor.render as render

    doc = write_doc(tmp_path / "in", "doc.txt")
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    out.write_text('{"earlier": true}', encoding="utf-8")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(render.os, "fsync", full)
    result = invoke("check", doc, "-f", "json", "-o", out)
    assert result.exit_code == 2 and "无法写入报告" in result.output and "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == '{"earlier": true}'
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.json"]     # no .tmp left


def test_extract_into_an_input_folder_is_refused(tmp_path):
    write_doc(tmp_path / "in", "doc.txt")
    result = invoke("extract", tmp_path / "in", "--out", tmp_path / "in" / "canonical")
    assert result.exit_code == 2 and "输入目录" in result.output
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["doc.txt"]
