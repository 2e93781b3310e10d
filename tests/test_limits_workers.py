"""Per-file limits hold for every reader (issue 18): reading happens in worker processes that are
killed on time and limited in memory; SIGTERM leaves neither blocked workers nor temporary files."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import auditor
from auditor import pipeline, readpool
from auditor.config import DEFAULTS, Config

EXCERPTS = Path(__file__).parent / "fixtures" / "excerpts"
ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not readpool.usable(), reason="worker processes need fork")


def _patch_reader(monkeypatch, name: str, action):
    real = pipeline.read_document

    def reader(path, **kw):
        if str(path).endswith(name):
            action()
        return real(path, **kw)

    monkeypatch.setattr(pipeline, "read_document", reader)


def _two_files(tmp_path, name: str) -> list[Path]:
    hostile = tmp_path / name
    hostile.write_text("# 表\n\nx\t1\n", encoding="utf-8")
    return [hostile, EXCERPTS / "selfeval_rows.txt"]


def _inp001(report, name):
    return [f for f in report.items if f.rule == "INP001" and f.location.file.endswith(name)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_reader_stuck_in_c_code_is_killed_on_time(monkeypatch, tmp_path, jobs):
    # catastrophic backtracking: one C call that no signal handler interrupts
    _patch_reader(monkeypatch, "stuck.txt", lambda: re.match(r"(a*)*b", "a" * 64))
    start = time.monotonic()
    report = auditor.check(_two_files(tmp_path, "stuck.txt"), config=Config({**DEFAULTS, "file_timeout": 1.0}),
                           jobs=jobs)
    assert time.monotonic() - start < 5
    (inp,) = _inp001(report, "stuck.txt")
    assert "file_timeout" in inp.message
    assert any(f.location.file.endswith("selfeval_rows.txt") and f.rule != "INP001" for f in report.items)


def test_a_reader_past_the_memory_budget_is_refused(monkeypatch, tmp_path):
    import resource

    def hog():
        if resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY:
            return          # not limited: never allocate for real (the assertion below fails instead)
        b"x" * (4 << 30)    # refused by the address-space limit at once

    _patch_reader(monkeypatch, "hog.txt", hog)
    report = auditor.check(_two_files(tmp_path, "hog.txt"), config=Config({**DEFAULTS, "memory_mb": 256.0}))
    (inp,) = _inp001(report, "hog.txt")
    assert "内存" in inp.message and "256 MB" in inp.message and "memory_mb" in inp.message
    assert any(f.location.file.endswith("selfeval_rows.txt") and f.rule != "INP001" for f in report.items)


def test_a_worker_that_dies_is_a_finding_and_the_others_are_read(monkeypatch, tmp_path):
    _patch_reader(monkeypatch, "crash.txt", lambda: os.kill(os.getpid(), signal.SIGKILL))
    files = _two_files(tmp_path, "crash.txt")
    report = auditor.check(files + [EXCERPTS / "selfeval_cells.txt"], jobs=2)
    (inp,) = _inp001(report, "crash.txt")
    assert "SIGKILL" in inp.message
    read = {Path(d.file).name for d in report.documents if d.readable}
    assert {"selfeval_rows.txt", "selfeval_cells.txt"} <= read


def test_results_come_back_in_file_order_with_jobs():
    files = sorted(EXCERPTS.glob("*.txt"))
    one = auditor.check(files)
    two = auditor.check(files, jobs=2)
    assert [d.file for d in one.documents] == [d.file for d in two.documents]
    assert [f.to_dict() for f in one.items] == [f.to_dict() for f in two.items]


WRAPPER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from auditor import pipeline
    import auditor.render as render
    mode = sys.argv.pop(1)
    real = pipeline.read_document
    def slow(path, **kw):
        if mode == "read":
            print("reading", flush=True)
            time.sleep(60)
        return real(path, **kw)
    pipeline.read_document = slow
    if mode == "render":
        renderer = render.get_renderer("json")
        original = renderer.render
        def stalled(report, stream, options):
            stream.write("{{partial")
            stream.flush()
            print("rendering", flush=True)
            time.sleep(60)
        renderer.render = stalled
    from auditor.cli import run
    run()
""")


def _wait_for(proc, word: str) -> None:
    """Read the wrapper's stdout up to the line `word` (other output before it is skipped)."""
    seen = []
    for line in proc.stdout:
        if line.strip() == word:
            return
        seen.append(line)
    raise AssertionError(f"no '{word}' line: {seen[-5:]} {proc.stderr.read()[-2000:]}")


def _env() -> dict:
    return dict(os.environ, PYTHONWARNINGS="ignore", AUDITOR_CACHE_DIR="")


def _children(pid: int) -> set[int]:
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                status = (d / "status").read_text()
            except OSError:
                continue
            m = re.search(r"^PPid:\s+(\d+)", status, re.M)
            if m and int(m.group(1)) == pid:
                out.add(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return not re.search(r"^State:\s+Z", status, re.M)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_sigterm_during_a_jobs_2_run_stops_the_workers(tmp_path):
    script = tmp_path / "wrap.py"
    script.write_text(WRAPPER.format(root=str(ROOT)), encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (docs / name).write_text("# 表\n\nx\t1\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), "read", "check", str(docs), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        _wait_for(proc, "reading")
        time.sleep(0.3)
        workers = _children(proc.pid)
        assert workers
        proc.send_signal(signal.SIGTERM)
        proc.wait(5)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143
    deadline = time.monotonic() + 3
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)


def test_sigterm_while_rendering_leaves_no_temporary_file(tmp_path):
    script = tmp_path / "wrap.py"
    script.write_text(WRAPPER.format(root=str(ROOT)), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, str(script), "render", "check", str(EXCERPTS / "selfeval_rows.txt"),
                             "-f", "json", "-o", str(out / "report.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        _wait_for(proc, "rendering")
        proc.send_signal(signal.SIGTERM)
        proc.wait(5)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143
    assert list(out.iterdir()) == []
