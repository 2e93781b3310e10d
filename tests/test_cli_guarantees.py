"""The command line's promises under hostile input, checked on a real process (`auditor.cli.run`,
the console-script entry point, in a subprocess): no traceback ever reaches the user, and the
exit code is 0, 1 or 2, whatever the files, options, configuration, rule packs, baseline or
output paths; Ctrl-C ends a parallel run with 130 and no traceback; a reader stuck on a FIFO is
stopped by the per-file limit.

Most cases share one interpreter (a small driver calls `run()` once per argument list and
marks where each call's output starts), so the whole file stays in a few seconds.
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "excerpts" / "selfeval_rows.txt"
SEP = "\x1e=== auditor call {} ===\n"

DRIVER = textwrap.dedent(r'''
    import json, sys, warnings
    warnings.simplefilter("ignore")
    from auditor.cli import run
    calls = json.load(open(sys.argv[1], encoding="utf-8"))
    result = sys.argv[2]
    codes = []
    for k, argv in enumerate(calls):
        for stream in (sys.stdout, sys.stderr):
            stream.write(SEP.format(k)); stream.flush()
        sys.argv = ["auditor", *argv]
        try:
            run()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
        codes.append(code)
        sys.stdout.flush(); sys.stderr.flush()
    json.dump(codes, open(result, "w"))
''').replace("SEP", repr(SEP))


def _env() -> dict:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100", PYTHONWARNINGS="ignore")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_calls(tmp_path: Path, calls: list[list[str]], timeout: float = 300) -> list[tuple[int, str, str]]:
    """Run `auditor <argv>` for each argv in one interpreter; (exit code, stdout, stderr) each."""
    spec, result = tmp_path / "calls.json", tmp_path / "codes.json"
    spec.write_text(json.dumps(calls), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(spec), str(result)], cwd=tmp_path, env=_env(),
                          capture_output=True, timeout=timeout)
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err[-3000:]
    codes = json.loads(result.read_text())
    outs = out.split("\x1e")[1:]
    errs = err.split("\x1e")[1:]
    assert len(codes) == len(calls) == len(outs) == len(errs), (codes, err[-2000:])
    return list(zip(codes, outs, errs))


def assert_guarantees(calls, results) -> None:
    bad = []
    for argv, (code, out, err) in zip(calls, results):
        if "Traceback" in err or "Traceback" in out or code not in (0, 1, 2):
            bad.append(f"auditor {' '.join(argv)} -> exit {code}\n{err[-1500:]}")
    assert not bad, "\n\n".join(bad)


# ------------------------------------------------------------------------------ hostile files

def _zip(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _bad_crc_docx() -> bytes:
    """A .docx whose _rels/.rels member fails its CRC (a byte flipped inside the stored data)."""
    data = bytearray(_zip({"_rels/.rels": b"<Relationships>" + b"x" * 200 + b"</Relationships>",
                           "word/document.xml": b"<w:document/>"}, compression=zipfile.ZIP_STORED))
    at = bytes(data).find(b"xxxx")
    data[at] ^= 0xFF
    return bytes(data)


def hostile_files(folder: Path) -> list[Path]:
    folder.mkdir()
    text = GOOD.read_text(encoding="utf-8")
    files = {
        "binary.txt": bytes(range(256)) * 64,
        "empty.txt": b"",
        "nul_and_controls.txt": text.replace("\t", "\t\x00\x1b[2J\x07", 20).encode("utf-8"),
        "megabyte_line.txt": (text[:500] + "\t" + "合计" * 350_000 + "\n" + text[500:]).encode("utf-8"),
        "huge_numbers.txt": text.replace("56864", "1e308").replace("61.1", "9" * 400).encode("utf-8"),
        "rtl_\u202e_and_combining_\u0301.txt": text.replace("100", "\u202e１\u0301００").encode("utf-8"),
        "utf16_cut_odd.txt": ("\ufeff" + text).encode("utf-16-le")[:-1],
        "bom_then_garbage.txt": b"\xef\xbb\xbf" + text.encode("utf-8")[:2000] + b"\xb0\xff\xfe",
        "html_posing.docx": b"<html><body><table><tr><td>1</td></tr></table></body></html>",
        "truncated.xlsx": (ROOT / "sample_data" / "project_selfeval.xlsx").read_bytes()[:3000],
        "bad_crc.docx": _bad_crc_docx(),
        "bomb.xlsx": _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (20 << 20)}),
        "not_office.zip.docx": _zip({"readme.txt": b"hello"}),
        "ole.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "fake.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 8,
        "quotes.csv": b'"a,"b""\n' * 5000 + b'"' * 3000,
        "semicolons.csv": ("科目;合计\n" * 200 + ";" * 50_000).encode("gb18030"),
        "newline\nin name.txt": text.encode("utf-8"),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    loop = folder / "loop"
    try:
        loop.symlink_to(folder, target_is_directory=True)
    except OSError:
        pass
    return sorted(folder.iterdir())


def test_hostile_files_never_show_a_traceback(tmp_path):
    folder = hostile_files(tmp_path / "docs")
    del folder
    d = str(tmp_path / "docs")
    calls = [["check", d], ["check", d, "-f", "json"], ["check", d, "--jobs", "2", "-f", "sarif"],
             ["check", d, "-f", "terminal", "-f", "json", "-f", "markdown", "-f", "html", "-f", "junit",
              "-f", "sarif", "-f", "github", "-f", "excel", "--output-dir", str(tmp_path / "out")],
             ["check", d, "--verbose"], ["check", d, "--quiet", "--fail-on", "never"]]
    calls += [["extract", str(p), "--out", str(tmp_path / "x" / str(k))]
              for k, p in enumerate(sorted((tmp_path / "docs").iterdir())) if p.is_file()]
    results = run_calls(tmp_path, calls)
    assert_guarantees(calls, results)
    code, out, _ = results[1]
    data = json.loads(out.split("\n", 1)[1])
    assert code == 1 and {f["rule"] for f in data["findings"]} >= {"INP001"}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"auditor-report{s}" for s in (".txt", ".json", ".md", ".html", ".xml", ".sarif", ".github.txt", ".xlsx"))


# ------------------------------------------------------------------------------ hostile options

def test_hostile_options_configs_rule_packs_and_baselines(tmp_path):
    good = str(GOOD)
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    configs = {
        "not_toml.toml": b"x = [",
        "binary.toml": bytes(range(256)),
        "unknown_key.toml": b"no_such_key = 1\n",
        "wrong_type.toml": b'file_timeout = "abc"\n',
        "bands.toml": b"cap_bands = [{rate_from = 0}]\n",
        "severity.toml": b'severity = {EXR001 = "fatal"}\n',
        "huge_file_timeout.toml": b"file_timeout = 1e12\n",
        "negative.toml": b"max_file_mb = -1.0\nrule_timeout = -5.0\nexec_weight = -1e308\n",
    }
    for name, data in configs.items():
        (cfg / name).write_bytes(data)
    rules = tmp_path / "rules"
    for name, data in {"bomb": 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n',
                       "python": "family: !!python/object/apply:os.system ['echo pwned']\n",
                       "binary": "\x00\x01\x02", "invalid": "family: ABC\ntitle: t\nrules:\n  - id: abc1\n"}.items():
        (rules / name).mkdir(parents=True)
        (rules / name / "pack.yaml").write_text(data, encoding="utf-8")
    baselines = {"garbage.json": b"{not json", "binary.json": bytes(range(256)), "deep.json": b"[" * 100_000,
                 "wrong_shape.json": b'{"entries": 5}', "list.json": b"[1, 2, 3]"}
    for name, data in baselines.items():
        (tmp_path / name).write_bytes(data)
    canon = tmp_path / "canon"
    canon.mkdir()
    (canon / "documents.csv").write_text("doc_id,file\n", encoding="utf-8")
    (canon / "funds.csv").write_bytes(bytes(range(256)))
    calls = [["check", good, "--config", str(cfg / n)] for n in configs]
    calls += [["check", good, "--rules", str(rules / n)] for n in ("bomb", "python", "binary", "invalid")]
    calls += [["check", good, "--baseline", str(tmp_path / n)] for n in baselines]
    calls += [
        ["check", good, "--baseline", str(tmp_path)],
        ["check", good, "--output", "/proc/auditor-cannot-write-here.json", "-f", "json"],
        ["check", good, "--output", str(GOOD) + "/under-a-file.json"],
        ["check", good, "--output-dir", str(GOOD), "-f", "json", "-f", "html"],
        ["check", good, "-f", "json", "-f", "html"],
        ["check", good, "--format", "nope"],
        ["check", good, "--jobs", "0"], ["check", good, "--jobs", "-3"], ["check", good, "--max-findings", "-1"],
        ["check", good, "--select", "NOPE999"], ["check", good, "--select", ""],
        ["check", good, "--ignore", "\x1b[31m"],
        ["check", str(tmp_path / "missing.txt")], ["check", str(tmp_path / "cfg")], ["check"],
        ["check", "--canonical", str(canon)], ["check", "--canonical", str(tmp_path / "missing")],
        ["check", good, "--canonical", str(canon)],
        ["explain", "\x1b[31mEXR"], ["explain", "EXR001", "--format", "nope"], ["rules", "--format", "nope"],
        ["rules", "--select", "NOPE"], ["schema", "--format", "nope"], ["extract", good, "--out", str(tmp_path),
                                                                        "--format", "nope"],
        ["baseline", str(tmp_path / "missing.txt")], ["no-such-command"], ["check", "--no-such-option"], [],
    ]
    # the options are under test, not the rules: most calls run one family to stay quick
    calls = [c + ["--select", "EXR"] if c[:1] == ["check"] and "--select" not in c and "--canonical" not in c
             and k % 4 else c for k, c in enumerate(calls)]
    results = run_calls(tmp_path, calls)
    assert_guarantees(calls, results)
    assert not (Path("/proc") / "auditor-cannot-write-here.json").exists()


# ------------------------------------------------------------------------------ signals, pipes, FIFOs

def _copies(folder: Path, n: int) -> Path:
    folder.mkdir()
    data = GOOD.read_bytes()
    for i in range(n):
        (folder / f"d{i:04d}.txt").write_bytes(data)
    return folder


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _default_sigint() -> None:
    """In the child before exec: Ctrl-C as in a terminal. A shell's background job (`pytest &`)
    or a test runner's worker may have SIGINT ignored, and an ignored SIGINT is inherited, so
    the CLI under test would never see the signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to see the worker processes")
def test_ctrl_c_during_a_parallel_run_exits_130_without_traceback(tmp_path):
    """Regression (issue 17): a fixed `sleep(4)` sent SIGINT while a loaded 2-core machine was still
    importing (3 failures in 4 runs); the signal now waits until the reading workers exist."""
    docs = _copies(tmp_path / "docs", 300)
    proc = subprocess.Popen([sys.executable, "-c", "from auditor.cli import run; run()", "check", str(docs),
                             "--jobs", "2"], cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_default_sigint)
    deadline = time.monotonic() + 120
    while len(_children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before its workers were seen"
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)          # what a terminal's Ctrl-C does: the whole process group
    start = time.monotonic()
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err, err.decode("utf-8", "replace")[-3000:]
    assert proc.returncode == 130, (proc.returncode, err.decode("utf-8", "replace")[-2000:])
    assert time.monotonic() - start < 30, "Ctrl-C must not wait for the queued files to be read"


def test_a_closed_pipe_does_not_show_a_traceback(tmp_path):
    docs = _copies(tmp_path / "docs", 30)
    proc = subprocess.Popen([sys.executable, "-c", "from auditor.cli import run; run()", "check", str(docs), "-v"],
                            cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(64)
    proc.stdout.close()                          # `auditor check … | head -1`
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert b"Traceback" not in err, err.decode("utf-8", "replace")[-3000:]
    assert proc.returncode in (0, 1, 2, -signal.SIGPIPE)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_posing_as_a_document_is_never_opened(tmp_path):
    """Issue 18: a FIFO is not opened at all (it used to be stopped by file_timeout): INP012."""
    fifo = tmp_path / "stuck.txt"
    os.mkfifo(fifo)
    (tmp_path / "auditor.toml").write_text("file_timeout = 2.0\n", encoding="utf-8")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", "from auditor.cli import run; run()", "check", str(fifo), str(GOOD),
                           "-f", "json"], cwd=tmp_path, env=_env(), capture_output=True, timeout=120)
    assert time.monotonic() - start < 60
    assert b"Traceback" not in proc.stderr and proc.returncode == 1
    findings = json.loads(proc.stdout)["findings"]
    assert any(f["rule"] == "INP012" and "命名管道" in f["message"] and f["file"] == str(fifo) for f in findings)


# ------------------------------------------------------------------------------ reports are written atomically

def test_an_interrupted_cli_render_leaves_no_partial_report(tmp_path):
    """The CLI's own render path (not only render_to): a renderer that dies half-way through
    leaves the previous report in place and no temporary file behind."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "auditor-report.json").write_text('{"previous": true}', encoding="utf-8")
    script = textwrap.dedent(f'''
        import sys
        from auditor.render import json as json_renderer
        def boom(self, report, stream, options):
            stream.write('{{"half": ')
            raise KeyboardInterrupt
        json_renderer.JsonRenderer.render = boom
        from auditor.cli import run
        sys.argv = ["auditor", "check", {str(GOOD)!r}, "-f", "json", "-f", "html", "--output-dir", {str(out)!r}]
        run()
    ''')
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=_env(), capture_output=True, timeout=120)
    assert b"Traceback" not in proc.stderr
    assert proc.returncode == 130
    assert sorted(p.name for p in out.iterdir()) == ["auditor-report.json"]
    assert (out / "auditor-report.json").read_text(encoding="utf-8") == '{"previous": true}'


# ------------------------------------------------------------------------------ found here, fixed in 6b0f952

def test_an_infinite_rule_timeout_does_not_print_thread_tracebacks(tmp_path):
    """rule_timeout = 1e309 (inf) was accepted; every rule's threading.Timer then died with
    OverflowError and Python printed one thread traceback per rule."""
    cfg = tmp_path / "inf.toml"
    cfg.write_text("rule_timeout = 1e309\n", encoding="utf-8")
    calls = [["check", str(GOOD), "--config", str(cfg)]]
    assert_guarantees(calls, run_calls(tmp_path, calls))


# ------------------------------------------------------------------------------ formula injection, end to end

FORMULAS = ['=HYPERLINK("http://example.com/x","点击")', "@SUM(A1:A9)", "+1+1", "-2+3", "=1+2", "\t=3+4", "\r=5"]


def test_document_text_reaches_the_excel_report_only_as_inert_text(tmp_path):
    """tests/test_render.py checks the excel renderer on a constructed report; here the formulas
    come from a document (indicator names, printed values, the file name) through the whole run."""
    from openpyxl import load_workbook

    from auditor.render.excel import FORMULA_PREFIXES

    rows = "".join(f"\t产出指标\t数量指标\t{name}\t>=\t100\t人次\t50\t50%\t5\t6\n" for name in FORMULAS)
    text = ("# 预算项目(政策)绩效目标自评表\n\n项目(政策)名称\t\t=cmd|' /C calc'!A0\n"
            "项目预算金额(万元)\t\t100.00\t\t全年执行数\t\t80.00\t\t执行率\t\t90.00%\n"
            "绩效指标\t一级指标\t二级指标\t三级指标\t年度目标值\t\t\t全年完成值\t完成程度\t分值\t得分\n"
            "\t\t\t\t运算符号\t内容\t度量单位\n" + rows +
            "指标自评得分小计\t\t90\t\t预算执行率得分\t\t8\t\t减分项\t\t0\t\t绩效自评总得分\t\t98\n")
    (tmp_path / "=1+2.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "report.xlsx"
    proc = subprocess.run([sys.executable, "-c", "from auditor.cli import run; run()", "check", "=1+2.txt",
                           "-f", "excel", "--output", str(out)], cwd=tmp_path, env=_env(), capture_output=True,
                          timeout=120)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr, proc.stderr[-2000:]
    wb = load_workbook(out)
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    strings = [v for v in values if isinstance(v, str)]
    from auditor.textsafe import formula_safe

    # numbers (-100.00, +5%) stay as printed; every other text a spreadsheet would evaluate is quoted
    assert not [v for v in strings if v.startswith(FORMULA_PREFIXES) and formula_safe(v) != v]
    neutralized = [v for v in strings if v.startswith("'") and v[1:2] in ("=", "+", "-", "@")]
    assert any(v.startswith("'=1+2.txt") for v in strings)          # the file name
    assert len(neutralized) >= len(FORMULAS)                        # indicator names as row keys
