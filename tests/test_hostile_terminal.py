"""Issue 18, the terminal: text from a document, a file name or a rule pack never sends an
escape sequence (OSC 52 clipboard, OSC 8 link, ESC[2J clear screen, C1 CSI) to the terminal,
piped or on a TTY, and rich markup in it ([/x]) is printed as text, never a traceback."""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys

import pytest
from hostile_util import SELFEVAL, invoke, run_cli, write_doc

OSC52 = "\x1b]52;c;aGVsbG8=\x07"
OSC8 = "\x1b]8;;http://evil.example/\x07链接\x1b]8;;\x07"
CLEAR = "\x1b[2J"
C1 = "\x9b31m"
HOSTILE_NAME = f"工程{OSC52}验收{CLEAR}合格率{OSC8}{C1}"
HOSTILE_PROJECT = "[/x][bold red]高标准[link=http://x]农田[/link]建设补助资金"
RAW = ("\x1b]52", "\x1b]8", "\x1b[2J", "\x9b", "\x07")


def hostile_doc(folder, name="doc.txt", first_line=None):
    text = SELFEVAL.replace("工程验收合格率", HOSTILE_NAME).replace("高标准农田建设补助资金", HOSTILE_PROJECT)
    if first_line is not None:
        text = first_line + "\n" + text
    return write_doc(folder, name, text)


def _assert_inert(out: str):
    for seq in RAW:
        assert seq not in out, (seq, out[:2000])
    assert "Traceback" not in out and "内部错误" not in out


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "github", "json", "sarif", "junit", "html"])
def test_escape_sequences_from_a_document_are_shown_escaped_when_piped(tmp_path, fmt):
    doc = hostile_doc(tmp_path)
    proc = run_cli("check", doc, "-f", fmt, "-v")
    assert proc.returncode == 1
    out = proc.stdout.decode("utf-8", "surrogateescape") + proc.stderr.decode("utf-8", "surrogateescape")
    _assert_inert(out)
    if fmt in ("terminal", "markdown", "github"):
        assert "x1b" in out and "x9b" in out       # shown, escaped, so the reader sees it is there
    if fmt in ("json", "sarif"):
        json.loads(proc.stdout)


def test_escape_sequences_are_shown_escaped_on_a_tty(tmp_path):
    doc = hostile_doc(tmp_path)
    master, slave = os.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm-256color", "PYTHONWARNINGS": "ignore"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-c", "from auditor.cli import run; run()", "check", str(doc), "-v"],
                            stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 1
    assert "\x1b[" in out                                    # rich's own colours: it is a TTY
    for seq in ("\x1b]52", "\x1b]8", "\x1b[2J", "\x9b"):
        assert seq not in out
    assert "\\x1b]52" in out.replace("\r\n", "\n")


def test_rich_markup_in_file_names_and_first_lines_is_text(tmp_path):
    folder = tmp_path / "x["
    doc = hostile_doc(folder, "x].txt", first_line="[/x]")
    doc2 = hostile_doc(tmp_path, "[bold]b[red].txt", first_line="[/bold][link=file:///etc/passwd]x")
    for args in (["check", doc, doc2, "-v"], ["check", tmp_path, "-f", "markdown"],
                 ["extract", doc, doc2, "--out", tmp_path.parent / (tmp_path.name + "-out"), "--coverage"],
                 ["check", doc, "--quiet"], ["baseline", doc, "-o", tmp_path.parent / (tmp_path.name + "-b.json")]):
        proc = run_cli(*args)
        out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        assert proc.returncode in (0, 1), (args, out[-2000:])
        _assert_inert(out)
    proc = run_cli("check", doc, doc2)
    out = proc.stdout.decode()
    assert "x[/x].txt" in out and "[bold]b[red].txt" in out


def test_a_missing_file_with_escapes_in_its_name_is_named_escaped(tmp_path):
    proc = run_cli("check", tmp_path / f"no{CLEAR}such[/x].txt")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "\\x1b[2J" in err and "\x1b[2J" not in err and "[/x]" in err


def test_a_rule_pack_with_markup_and_escapes_in_its_text(tmp_path):
    doc = write_doc(tmp_path, "doc.txt")
    rules = tmp_path / "rules"
    rules.mkdir()
    q = json.dumps
    (rules / "pack.yaml").write_text(f'''family: ZZT
title: {q("[/x]标题" + CLEAR)}
rules:
  - id: ZZT001
    name: markup-rule
    severity: warning
    summary: {q("[/x] summary [bold]" + OSC52)}
    rationale: "[link=http://x]why[/link]"
    zh: {{summary: {q("[/x]中文" + OSC8)}, rationale: "[/x]", fix: "[red]修改"}}
    query: |
      SELECT doc_id, NULL AS table_id, 'k' AS row_key, 'file' AS field, NULL AS loc,
             '[/x]' || chr(27) || '[2J' AS detail, NULL AS printed, NULL AS expected
      FROM documents
    message: {q("[/x] 问题 {detail} " + OSC52)}
    examples:
      fail: {{documents: [{{doc_id: D1, file: a.txt}}], expect: 1}}
      pass: {{documents: []}}
''', encoding="utf-8")
    for args in (["check", doc, "--rules", rules, "-v"], ["rules", "--rules", rules],
                 ["explain", "ZZT001", "--rules", rules], ["rules", "--rules", rules, "--format", "markdown"],
                 ["check", doc, "--rules", rules, "-f", "excel", "-o", tmp_path.parent / (tmp_path.name + ".xlsx")]):
        proc = run_cli(*args)
        out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        assert proc.returncode in (0, 1), (args, out[-2000:])
        _assert_inert(out)
        if args[0] == "check" and "-v" in args:
            assert "ZZT001" in out and "[/x] 问题 [/x]\\x1b[2J" in out


def test_in_process_cli_runner_too(tmp_path):
    doc = hostile_doc(tmp_path / "x[", "x].txt", first_line="[/x]")
    result = invoke("check", doc, "-v")
    assert result.exit_code == 1
    _assert_inert(result.output)
