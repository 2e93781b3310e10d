"""Issue 17: the rough edges a new user and a CI log hit, each pinned by a test."""
from __future__ import annotations

import json
import re
import sqlite3
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from auditor import cli
from auditor.cli import app
from auditor.config import DEFAULTS, load_config
from auditor.ingest import SUPPORTED_SUFFIXES

ROOT = Path(__file__).resolve().parent.parent
EXCERPTS = ROOT / "tests" / "fixtures" / "excerpts"
runner = CliRunner()
from test_cli import CLEAN  # noqa: E402
BAD = CLEAN.replace("80.00%", "90.00%")


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def call_run(monkeypatch, capsys, argv: list[str], env: dict | None = None) -> tuple[int, str, str]:
    """The console-script entry point in process (its own exception handling included)."""
    monkeypatch.setattr(sys, "argv", ["auditor", *argv])
    for k, v in (env or {}).items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SystemExit) as e:
        cli.run()
    out = capsys.readouterr()
    return e.value.code, out.out, out.err


def _boom(*args, **kwargs):
    raise RuntimeError("simulated bug")


# ---- internal errors: a traceback on request -------------------------------------------------

def test_an_internal_error_hides_the_traceback_but_says_how_to_get_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("auditor.pipeline.check", _boom)
    monkeypatch.delenv("AUDITOR_DEBUG", raising=False)
    code, _, err = call_run(monkeypatch, capsys, ["check", str(write(tmp_path, "a.txt", CLEAN))])
    assert code == 2 and "Traceback" not in err
    assert "内部错误 RuntimeError: simulated bug" in err and "--debug" in err and "AUDITOR_DEBUG=1" in err


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_prints_the_traceback_of_an_internal_error(monkeypatch, capsys, tmp_path, how):
    monkeypatch.setattr("auditor.pipeline.check", _boom)
    doc = str(write(tmp_path, "a.txt", CLEAN))
    argv = ["--debug", "check", doc] if how == "flag" else ["check", doc]
    code, _, err = call_run(monkeypatch, capsys, argv, env={"AUDITOR_DEBUG": "1"} if how == "env" else None)
    assert code == 2 and "Traceback (most recent call last)" in err and "_boom" in err


def test_a_missing_extra_is_a_usage_error_whose_hint_keeps_its_brackets(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "auditor.export.gx", None)      # as if sqlglot were not installed
    code, _, err = call_run(monkeypatch, capsys, ["export", "gx", "--output", str(tmp_path / "gx")])
    assert code == 2 and "内部错误" not in err
    assert "pip install 'auditor[gx]'" in err


# ---- usage ------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["check", "{doc}", "--jobs", "0"], ["check", "{doc}", "--jobs", "-2"],
                                  ["extract", "{doc}", "--out", "{tmp}/x", "--jobs", "0"]])
def test_jobs_below_one_is_refused(tmp_path, argv):
    doc = write(tmp_path, "a.txt", CLEAN)
    result = runner.invoke(app, [a.format(doc=doc, tmp=tmp_path) for a in argv])
    assert result.exit_code == 2 and "--jobs 必须是正整数" in result.output


def test_pdf_and_xls_are_named_in_help_the_empty_folder_message_and_the_pre_commit_pattern(tmp_path):
    assert "pdf" in runner.invoke(app, ["check", "--help"]).output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["check", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "pdf" in result.output and "xls" in result.output
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    pattern = re.compile(hook["files"])
    for suffix in SUPPORTED_SUFFIXES:
        assert pattern.search(f"docs/a{suffix}") and pattern.search(f"docs/A{suffix.upper()}"), suffix
    assert not pattern.search("docs/a.png")


# ---- CI ---------------------------------------------------------------------------------------

def test_output_dir_prints_a_summary_and_the_files_written(tmp_path):
    bad = write(tmp_path, "bad.txt", BAD)
    result = runner.invoke(app, ["check", str(bad), "-f", "json", "-f", "sarif", "--output-dir", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "1 个文件" in result.output and "错误" in result.output and "--fail-on error：未通过" in result.output
    assert f"已写入 {tmp_path / 'o' / 'auditor-report.json'}" in result.output
    assert f"已写入 {tmp_path / 'o' / 'auditor-report.sarif'}" in result.output


def test_an_exit_1_from_max_findings_is_explained(tmp_path):
    bad = write(tmp_path, "bad.txt", BAD)
    result = runner.invoke(app, ["check", str(bad), "--fail-on", "never", "--max-findings", "0", "-q"])
    assert result.exit_code == 1 and "超过 --max-findings 0" in result.output


def test_fail_on_and_baseline_are_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = write(tmp_path, "bad.txt", BAD)
    write(tmp_path, "auditor.toml", 'fail_on = "never"\n')
    assert runner.invoke(app, ["check", str(bad)]).exit_code == 0
    assert runner.invoke(app, ["check", str(bad), "--fail-on", "error"]).exit_code == 1
    assert runner.invoke(app, ["baseline", str(bad), "--output", "accepted/b.json"]).exit_code == 0
    write(tmp_path, "auditor.toml", 'baseline = "accepted/b.json"\n')
    result = runner.invoke(app, ["check", str(bad), "-f", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"]["suppressed"] >= 1
    write(tmp_path, "auditor.toml", 'fail_on = "sometimes"\n')
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 2 and "fail_on" in result.output


def test_init_writes_a_commented_auditor_toml_with_every_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    text = (tmp_path / "auditor.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == DEFAULTS
    assert load_config().values == DEFAULTS
    for key in DEFAULTS:
        before = text.split(f"\n{key} = ", 1)[0]
        assert before.rstrip().splitlines()[-1].startswith("# "), key       # each key has its comment
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 2 and "已存在" in again.output
    assert runner.invoke(app, ["init", "--force"]).exit_code == 0


# ---- extract ----------------------------------------------------------------------------------

def test_extract_sqlite_writes_what_the_gx_suite_runs_on(tmp_path):
    pytest.importorskip("sqlglot")
    out = tmp_path / "canon"
    result = runner.invoke(app, ["extract", str(EXCERPTS / "selfeval_rows.txt"), "--out", str(out),
                                 "--format", "sqlite"])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(out / "canonical.sqlite")
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"documents", "indicators", "funds", "params", "cap_bands", "lexicon"} <= tables
        assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == 39
    finally:
        con.close()


# ---- files not read ---------------------------------------------------------------------------

XLS = ROOT / "tests" / "fixtures" / "xls" / "project_selfeval.xls"


def test_xls_is_read_through_calamine_like_its_xlsx_original():
    import auditor

    cols = ["name", "level1", "level2", "operator", "weight", "score"]

    def rows(path):
        df = auditor.extract(path)["indicators"][cols]
        return df.astype(object).where(df.notna(), None).values.tolist()

    xlsx = rows(ROOT / "sample_data" / "project_selfeval.xlsx")
    assert xlsx and rows(XLS) == xlsx
    report = auditor.check([XLS], select=["FSR001"])
    assert [f.location.cell for f in report.items] == ["J12"] and report.items[0].location.sheet == "项目自评"


def _mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    write(folder, "d1.txt", BAD)
    (folder / "d2.xls").write_bytes(XLS.read_bytes())
    write(folder, "notes.md", "# 会议记录\n\n下周二交材料。\n")
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    return folder


def test_a_mixed_folder_lists_skipped_files_and_a_non_document_is_info(tmp_path):
    import auditor

    folder = _mixed_folder(tmp_path)
    report = auditor.check([folder])
    skipped = sorted((Path(s.file).name, s.reason) for s in report.skipped)
    assert [name for name, _ in skipped] == ["old.doc", "scan.png"]
    assert skipped[0][1].startswith("旧版 Word") and skipped[1][1].startswith("图片（扫描件）")
    notes = [f for f in report.items if f.location.file.endswith("notes.md")]
    assert [(f.rule, f.severity.value) for f in notes] == [("INP006", "info")]
    assert any(f.location.file.endswith("d2.xls") for f in report.items)
    # named explicitly, the same file is expected to be a document
    named = auditor.check([folder / "notes.md"])
    assert [(f.rule, f.severity.value) for f in named.items] == [("INP002", "error")]


@pytest.mark.parametrize("fmt", ["terminal", "json", "markdown", "html", "junit", "sarif", "github", "excel"])
def test_every_format_lists_the_files_not_read_with_the_reason(tmp_path, fmt):
    folder = _mixed_folder(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["check", str(folder), "-f", fmt, "--output-dir", str(out)])
    assert result.exit_code == 1, result.output
    (path,) = list(out.iterdir())
    if fmt == "excel":
        from openpyxl import load_workbook

        text = "\n".join(str(c.value) for ws in load_workbook(path).worksheets for row in ws.iter_rows()
                         for c in row if c.value is not None)
    else:
        text = path.read_text(encoding="utf-8")
    for name, reason in (("scan.png", "图片"), ("old.doc", "旧版 Word"), ("notes.md", "不是预算或绩效文件")):
        assert name in text, (fmt, name)
        assert reason in text, (fmt, reason)


# ---- wrong messages -----------------------------------------------------------------------------

def _run_rule(rule_id: str, example: dict):
    from auditor.engine.catalog import load_catalog
    from auditor.engine.examples import run_example

    rule = load_catalog().get(rule_id)
    from dataclasses import replace as _replace

    return run_example(_replace(rule, examples={"fail": example, "pass": {}}), "fail")


def test_nar004_never_presents_a_range_holding_the_printed_value_as_a_contradiction():
    (f,) = _run_rule("NAR004", {"claims": [{"kind": "change", "subject": "三公经费", "text": "压缩了0.42万元，下降73.01%",
                                            "value": "73.01%", "other": "-0.42", "base": "0.57"}]})
    assert "73.01% 虽在金额的舍入范围" in f.message and "之内" in f.message and "相差 0.67 个百分点" in f.message
    assert "（舍入范围" not in f.message


def test_cpy006_says_identical_when_the_result_repeats_the_goal_verbatim():
    goal = "确保公务员享受医疗补助政策。"
    (same,) = _run_rule("CPY006", {"tables": [{"table_id": "t1", "kind": "project_selfeval", "name": "项目甲",
                                                "goal": goal, "goal_result": goal, "goal_line": "5"}]})
    assert "与年度目标原文相同" in same.message and "加了“完成”" not in same.message
    (prefixed,) = _run_rule("CPY006", {"tables": [{"table_id": "t1", "kind": "project_selfeval", "name": "项目甲",
                                                    "goal": goal, "goal_result": "完成" + goal, "goal_line": "5"}]})
    assert "只是在年度目标前加了“完成”" in prefixed.message


# ---- Spark mode: file counts, and the JVM's log kept out of -q ------------------------------------

def test_a_child_process_started_under_quiet_jvm_cannot_write_to_stderr(capfd):
    import subprocess

    with cli._quiet_jvm(True):
        child = subprocess.Popen(["sh", "-c", "sleep 0.2; echo 'log4j WARN NativeCodeLoader' >&2"])
    child.wait(timeout=10)
    sys.stderr.write("auditor's own line\n")
    err = capfd.readouterr().err
    assert "log4j" not in err and "auditor's own line" in err


def _fake_spark(monkeypatch, seen: dict):
    pytest.importorskip("pyspark")
    import auditor.engine.spark as spark

    def session(master=None):
        import subprocess

        subprocess.run(["sh", "-c", "echo 'Setting default log level to \"WARN\".' >&2"], check=True)
        seen["session"] = master
        return object()

    monkeypatch.setattr(spark, "default_session", session)
    monkeypatch.setattr(spark, "run_rules_spark", lambda *a, **k: [])


@pytest.mark.parametrize("quiet", [True, False])
def test_spark_mode_counts_files_and_documents_and_keeps_the_jvm_log_out_of_quiet(tmp_path, monkeypatch, capfd, quiet):
    import auditor
    from auditor.model.io import write_canonical

    seen: dict = {}
    _fake_spark(monkeypatch, seen)
    write_canonical(auditor.check([EXCERPTS / "selfeval_rows.txt"]).canonical, tmp_path / "c", "parquet")
    monkeypatch.setattr(sys, "argv", ["auditor", "check", "--canonical", str(tmp_path / "c"), "--engine", "spark",
                                      "-f", "json"] + (["-q"] if quiet else []))
    with pytest.raises(SystemExit) as e:
        cli.run()
    out, err = capfd.readouterr()
    assert e.value.code == 0 and "session" in seen
    assert len(json.loads(out)["documents"]) == 1
    if quiet:
        assert err == ""
    else:
        from auditor.model.tables import SPEC
        assert f"{len(SPEC)} 个规范表文件，1 个文件的数据" in err     # one parquet file per canonical table


def test_the_readme_shows_the_current_terminal_summary_of_sample_data(monkeypatch):
    """The summary a reviewer reads in ten seconds is what `auditor check sample_data/` prints."""
    import io

    import auditor
    from auditor.render import RenderOptions, get_renderer

    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```\nauditor ", 1)[1].split("```", 1)[0]
    shown = [line for line in ("auditor " + block).splitlines() if line != "…"]
    out = io.StringIO()
    from auditor.engine.catalog import load_catalog

    get_renderer("terminal").render(auditor.check(["sample_data/"]), out,
                                    RenderOptions(color=False, catalog=load_catalog()))
    actual = out.getvalue().splitlines()
    assert shown[:14] == actual[:14]
    assert all(line in actual for line in shown), [line for line in shown if line not in actual]


def test_a_documents_kind_does_not_depend_on_the_hash_seed():
    """Regression: a tie between table kinds was broken by set order, so the README's summary of
    sample_data/ changed between runs (PYTHONHASHSEED)."""
    import os
    import subprocess

    code = "import auditor; print(auditor.check(['sample_data/selfeval_excerpt_cells.txt']).documents[0].kind)"
    kinds = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env=dict(os.environ, PYTHONHASHSEED=str(seed))).stdout.strip() for seed in (1, 2, 3, 4)}
    assert kinds == {"department_selfeval"}
