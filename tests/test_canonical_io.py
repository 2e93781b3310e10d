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


def test_published_canonical_csv_files_are_checked_directly():
    sample = Path(__file__).resolve().parent.parent / "sample_data" / "canonical"
    report = auditor.check([sample / "documents.csv", sample / "funds.csv"], select=["EXR"])
    assert [(f.rule, f.row_key, f.printed, f.expected) for f in report.items] == \
           [("EXR001", "年度资金总额", "90.00%", "88.00%")]
    assert report.items[0].location.file == "县医保局2023年度转移支付绩效自评表.xlsx"
    assert report.items[0].location.line == 6


def test_renditions_give_the_same_canonical_rows():
    """The .xlsx and .docx renditions of a table read like its text version."""
    sample = Path(__file__).resolve().parent.parent / "sample_data"
    keep = {"indicators": ["name", "level1", "level2", "operator", "target", "actual", "completion", "weight", "score"],
            "funds": ["item", "role", "budget", "executed", "rate"],
            "scores": ["subtotal", "exec_score", "deduction", "total"]}

    def rows(path, table):
        c = auditor.extract(path)
        first = c["tables"]["table_id"].iloc[0]
        df = c[table][c[table]["table_id"] == first][keep[table]]
        return df.astype(object).where(df.notna(), None).values.tolist()

    for table in keep:
        text = rows(sample / "project_selfeval.txt", table)
        assert text, table
        assert rows(sample / "project_selfeval.xlsx", table) == text, table
        assert rows(sample / "project_selfeval.docx", table) == text, table
