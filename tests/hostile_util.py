"""Helpers of the hostile-input tests (tests/test_hostile_*.py): a document with known findings,
written into tmp_path, and the CLI run in-process (typer's CliRunner) or in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from auditor.cli import app

ROOT = Path(__file__).resolve().parent.parent
SELFEVAL = (ROOT / "sample_data" / "project_selfeval.txt").read_text(encoding="utf-8")   # FSR001 + FSR005
runner = CliRunner()


def write_doc(folder: Path, name: str = "doc.txt", text: str = SELFEVAL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str):
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def check_json(*args: str) -> tuple[int, dict]:
    result = invoke("check", *args, "-f", "json")
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120, env: dict | None = None):
    """The console-script entry point in a real process (exit codes, stderr, no traceback)."""
    full = {**os.environ, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore", **(env or {})}
    full.pop("AUDITOR_DEBUG", None)
    proc = subprocess.run([sys.executable, "-c", "from auditor.cli import run; run()", *map(str, args)],
                          cwd=cwd, env=full, capture_output=True, timeout=timeout)
    assert b"Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    return proc


def findings_of(report: dict, file_suffix: str) -> list[tuple]:
    return sorted((f["rule"], f["message"], f["printed"], f["expected"]) for f in report["findings"]
                  if f["file"].endswith(file_suffix))
