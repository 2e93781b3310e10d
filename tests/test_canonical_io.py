"""Canonical tables out (extract) and back in (check --canonical)."""
from __future__ import annotations

from pathlib import Path

import pytest

import auditor
from auditor.model.io import CanonicalError, load_canonical, write_canonical

EXCERPTS = Path(__file__).parent / "fixtures" / "excerpts"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_gives_the_same_findings(tmp_path, fmt):
    direct = auditor.check([EXCERPTS / "selfeval_cells.txt"])
    write_canonical(direct.canonical, tmp_path, fmt)
    again = auditor.check([], canonical=tmp_path)
    assert [(f.rule, f.fingerprint, f.printed, f.expected) for f in again.items] == \
           [(f.rule, f.fingerprint, f.printed, f.expected) for f in direct.items]


def test_a_teams_minimal_export_is_completed_from_printed_values(tmp_path):
    (tmp_path / "documents.csv").write_text("doc_id,file\nA,部门甲.xlsx\n", encoding="utf-8")
    (tmp_path / "funds.csv").write_text(
        "doc_id,table_id,item,role,budget,executed,rate_raw\nA,T1,年度资金总额,total,613.075,606.225,101.13%\n",
        encoding="utf-8")
    report = auditor.check([], canonical=tmp_path, select=["EXR"])
    assert [(f.rule, f.printed, f.expected, f.location.file) for f in report.items] == \
           [("EXR002", "101.13%", "98.88%", "部门甲.xlsx")]


def test_unknown_columns_are_a_clear_error(tmp_path):
    (tmp_path / "funds.csv").write_text("doc_id,budgett\nA,1\n", encoding="utf-8")
    with pytest.raises(CanonicalError, match="budgett"):
        load_canonical(tmp_path)
