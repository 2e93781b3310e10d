"""Issue 18, what is given as input: FIFOs, devices and sockets are skipped with a finding and
never block; link loops are reported; links leading outside the folders given are not followed
unless --follow-links; a rule pack that is a link outside its folder is refused without
printing the target; an unreadable subfolder or an unreadable file named explicitly is a
finding and the other files still run; earlier auditor reports are skipped as inputs."""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
from hostile_util import SELFEVAL, check_json, invoke, run_cli, write_doc

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")


def rules_for(report: dict, file: Path | str) -> list[str]:
    return sorted(f["rule"] for f in report["findings"] if f["file"] == str(file))


@needs_fifo
def test_a_fifo_in_a_folder_is_skipped_with_a_finding_and_never_blocks(tmp_path):
    doc = write_doc(tmp_path / "in", "selfeval.txt")
    fifo = tmp_path / "in" / "stuck.txt"
    os.mkfifo(fifo)
    os.mkfifo(tmp_path / "in" / "funds.csv")          # a FIFO posing as a canonical CSV too
    started = time.monotonic()
    proc = run_cli("check", tmp_path / "in", "-f", "json", timeout=60)
    assert time.monotonic() - started < 30 and proc.returncode == 1
    report = json.loads(proc.stdout)
    assert rules_for(report, fifo) == ["INP012"]
    assert rules_for(report, tmp_path / "in" / "funds.csv") == ["INP012"]
    assert "FSR001" in rules_for(report, doc)


def test_dev_zero_named_explicitly_is_skipped_with_a_finding(tmp_path):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    doc = write_doc(tmp_path, "selfeval.txt")
    proc = run_cli("check", "/dev/zero", doc, "-f", "json", timeout=60)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    inp = [f for f in report["findings"] if f["file"] == "/dev/zero"]
    assert [f["rule"] for f in inp] == ["INP012"] and "字符设备" in inp[0]["message"]
    assert "FSR001" in rules_for(report, doc)


def test_a_socket_is_skipped(tmp_path):
    write_doc(tmp_path / "in", "selfeval.txt")
    path = tmp_path / "in" / "s.txt"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(path))
    except OSError:
        pytest.skip("cannot bind a unix socket here")
    try:
        code, report = check_json(tmp_path / "in")
        assert rules_for(report, path) == ["INP012"] and code == 1
    finally:
        sock.close()


def test_symlink_loops_are_reported(tmp_path):
    write_doc(tmp_path / "in", "selfeval.txt")
    (tmp_path / "in" / "a.txt").symlink_to(tmp_path / "in" / "b.txt")
    (tmp_path / "in" / "b.txt").symlink_to(tmp_path / "in" / "a.txt")
    (tmp_path / "in" / "sub").mkdir()
    (tmp_path / "in" / "sub" / "up").symlink_to(tmp_path / "in", target_is_directory=True)
    code, report = check_json(tmp_path / "in", "--follow-links")
    assert code == 1
    loops = [f for f in report["findings"] if f["rule"] == "INP012" and "循环" in f["message"]]
    assert {Path(f["file"]).name for f in loops} == {"a.txt", "b.txt", "up"}


def test_links_leading_outside_are_not_followed_unless_asked(tmp_path):
    secret = write_doc(tmp_path / "elsewhere", "secret.txt", SELFEVAL.replace("高标准农田建设补助资金", "机密项目"))
    write_doc(tmp_path / "in", "selfeval.txt")
    (tmp_path / "in" / "link.txt").symlink_to(secret)
    (tmp_path / "in" / "dir").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    inside = write_doc(tmp_path / "in" / "real", "x.txt")
    (tmp_path / "in" / "inner.txt").symlink_to(inside)         # a link inside the folder is fine
    code, report = check_json(tmp_path / "in")
    text = json.dumps(report, ensure_ascii=False)
    assert "机密项目" not in text
    outside = {Path(f["file"]).name for f in report["findings"] if f["rule"] == "INP012"}
    assert outside == {"link.txt", "dir"}
    assert all("--follow-links" in f["message"] for f in report["findings"] if f["rule"] == "INP012")
    # the inner link and its target are one file, read once
    assert [d["file"] for d in report["documents"] if d["file"].endswith(("inner.txt", "x.txt"))] == [str(inside)] or \
        len([d for d in report["documents"] if d["file"].endswith(("inner.txt", "x.txt"))]) == 1
    code, report = check_json(tmp_path / "in", "--follow-links")
    assert "机密项目" in json.dumps(report, ensure_ascii=False)
    assert not [f for f in report["findings"] if f["rule"] == "INP012"]


def test_a_rule_pack_linking_outside_its_folder_is_refused_without_its_content(tmp_path):
    doc = write_doc(tmp_path, "selfeval.txt")
    secret = tmp_path / "secret.yaml"
    secret.write_text("family: ZZZ\ntitle: 机密内容 TOPSECRET\nrules: [not a rule]\n", encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "pack.yaml").symlink_to(secret)
    proc = run_cli("check", doc, "--rules", tmp_path / "rules")
    assert proc.returncode == 2
    out = (proc.stdout + proc.stderr).decode()
    assert "pack.yaml" in out and "符号链接" in out and "TOPSECRET" not in out and "机密" not in out


@needs_fifo
def test_a_rule_pack_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    doc = write_doc(tmp_path, "selfeval.txt")
    (tmp_path / "rules").mkdir()
    os.mkfifo(tmp_path / "rules" / "pack.yaml")
    proc = run_cli("check", doc, "--rules", tmp_path / "rules", timeout=60)
    assert proc.returncode == 2 and "不是普通文件" in proc.stderr.decode()


def test_an_unreadable_subfolder_is_a_finding(tmp_path, monkeypatch):
    import auditor.ingest as ingest

    doc = write_doc(tmp_path / "in", "selfeval.txt")
    locked = tmp_path / "in" / "locked"
    locked.mkdir()
    write_doc(locked, "hidden.txt")
    real = os.scandir

    def scandir(path="."):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    # in-process, so that the test also holds when it runs as root (chmod 000 does not stop root)
    monkeypatch.setattr(ingest.os, "scandir", scandir)
    code, report = check_json(tmp_path / "in")
    assert code == 1
    assert rules_for(report, locked) == ["INP012"]
    assert "FSR001" in rules_for(report, doc)


def test_an_unreadable_file_named_explicitly_is_a_finding_and_the_others_run(tmp_path, monkeypatch):
    doc = write_doc(tmp_path, "selfeval.txt")
    locked = write_doc(tmp_path, "locked.txt")
    real = Path.read_bytes

    def read_bytes(self):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, report = check_json(locked, doc)
    assert code == 1
    assert rules_for(report, locked) == ["INP001"]
    assert "FSR001" in rules_for(report, doc)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_by_its_mode(tmp_path):
    doc = write_doc(tmp_path, "selfeval.txt")
    locked = write_doc(tmp_path, "locked.txt")
    locked.chmod(0)
    try:
        proc = run_cli("check", locked, doc, "-f", "json")
        report = json.loads(proc.stdout)
        assert proc.returncode == 1 and rules_for(report, locked) == ["INP001"]
    finally:
        locked.chmod(0o644)


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "html", "markdown", "terminal", "github", "excel"])
def test_reports_of_earlier_runs_are_skipped_as_inputs(tmp_path, fmt):
    doc = write_doc(tmp_path / "in", "selfeval.txt")
    suffix = {"excel": ".xlsx", "terminal": ".txt", "markdown": ".md"}.get(fmt, "." + fmt)
    report_file = tmp_path / f"earlier{suffix}"
    invoke("check", doc, "-f", fmt, "-o", report_file)
    assert report_file.exists()
    moved = tmp_path / "in" / report_file.name
    report_file.rename(moved)
    code, report = check_json(tmp_path / "in")
    assert [d["file"] for d in report["documents"]] == [str(doc)]
    skipped = [s for s in report["skipped"] if s["file"] == str(moved)]
    assert skipped and "报告" in skipped[0]["reason"]
    # named explicitly too: a skip note, not a document that fails to parse
    result = invoke("check", moved)
    assert result.exit_code == 2 and "报告" in result.output
