"""Fixed costs of a run (issue 16): remembered query shapes and the lazily imported Excel writer."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from auditor.engine import shapes
from auditor.engine.run import DuckDBEngine, run_rules
from auditor.findings import Severity
from auditor.model.tables import Canonical

ROOT = Path(__file__).resolve().parent.parent
ROWS = {"documents": [{"doc_id": "D1", "file": "a.txt"}],
        "indicators": [{"doc_id": "D1", "table_id": "T1", "name": "培训" * 800, "score": "3", "line": "7"}]}
QUERY = "SELECT doc_id, table_id, name AS printed, score, line FROM indicators"


def rule(query: str = QUERY):
    from auditor.engine.catalog import Rule

    return Rule(id="ZZZ001", name="r-zzz001", family="ZZZ", family_title="x", severity=Severity.ERROR,
                summary="s", rationale="r", query=query, message="m {printed} {score}", source="t.yaml")


def _messages(canonical, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDITOR_CACHE_DIR", str(tmp_path))
    return [f.message for f in run_rules(canonical, [rule()])]


def test_a_remembered_shape_gives_the_same_findings(tmp_path, monkeypatch):
    for canonical in (ROWS, Canonical.from_rows(ROWS)):
        shapes._MEMO.clear()
        first = _messages(canonical, tmp_path, monkeypatch)
        assert list(tmp_path.glob("shapes-*.json"))
        shapes._MEMO.clear()                     # read back from the file
        assert _messages(canonical, tmp_path, monkeypatch) == first
        assert len(first) == 1 and len(first[0]) < 1200       # the long name was cut inside DuckDB


def test_a_wrong_remembered_shape_is_noticed(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDITOR_CACHE_DIR", str(tmp_path))
    shapes._MEMO.clear()
    expected = [f.message for f in run_rules(ROWS, [rule()])]
    engine = DuckDBEngine(ROWS)
    source = engine._source
    for wrong in ([("doc_id", "VARCHAR")],                                    # a column missing
                  [("doc_id", "VARCHAR"), ("table_id", "VARCHAR"), ("printed", "VARCHAR"),
                   ("score", "VARCHAR"), ("line", "BIGINT")],                 # a number taken for a text
                  [("doc_id", "VARCHAR"), ("table_id", "VARCHAR"), ("printed", "VARCHAR"),
                   ("score", "DOUBLE"), ("line", "DOUBLE")]):                 # another type
        engine.shapes.put(QUERY, source, wrong)
        assert [f.message for f in run_rules(ROWS, [rule()])] == expected
    engine.close()


def test_the_excel_renderer_is_imported_when_used():
    code = ("import sys\nfrom auditor.render import RENDERERS\n"
            "assert 'openpyxl' not in sys.modules\n"
            "lazy = RENDERERS['excel']\nfrom auditor.render.excel import RENDERER\n"
            "assert (lazy.name, lazy.suffix, lazy.binary, lazy.human_readable) == "
            "(RENDERER.name, RENDERER.suffix, RENDERER.binary, RENDERER.human_readable)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
