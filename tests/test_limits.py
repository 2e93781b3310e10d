"""Per-file limits: one hostile file cannot hang or exhaust the run; inputs are never modified."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import auditor
from auditor import pipeline
from auditor.config import Config, DEFAULTS

EXCERPTS = Path(__file__).parent / "fixtures" / "excerpts"


def test_a_file_over_the_time_limit_becomes_a_finding(monkeypatch, tmp_path):
    slow = tmp_path / "slow.txt"
    slow.write_text("# 表\n\nx\t1\n", encoding="utf-8")
    real = pipeline.read_document

    def sleepy(path, **kw):
        if str(path).endswith("slow.txt"):
            time.sleep(30)
        return real(path, **kw)

    monkeypatch.setattr(pipeline, "read_document", sleepy)
    cfg = Config({**DEFAULTS, "file_timeout": 1.0})
    start = time.monotonic()
    report = auditor.check([slow, EXCERPTS / "selfeval_rows.txt"], config=cfg)
    assert time.monotonic() - start < 15
    inp = [f for f in report.items if f.rule == "INP001"]
    assert len(inp) == 1 and "file_timeout" in inp[0].message and inp[0].location.file.endswith("slow.txt")
    assert any(f.location.file.endswith("selfeval_rows.txt") for f in report.items)


def test_a_file_over_the_size_limit_becomes_a_finding(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x\t1\n" * 300_000)
    cfg = Config({**DEFAULTS, "max_file_mb": 0.5})
    report = auditor.check([big], config=cfg)
    assert [f.rule for f in report.items] == ["INP001"] and "过大" in report.items[0].message
    assert report.exit_code() == 2


def test_inputs_are_never_modified(tmp_path):
    files = sorted(EXCERPTS.glob("*.txt")) + sorted(Path("sample_data").glob("*"))
    before = {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}
    auditor.check(list(before))
    after = {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in before}
    assert before == after
