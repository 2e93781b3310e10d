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


# ---- issue 17: every real document's canonical tables round-trip ----------------------------------

FIXTURES = Path(__file__).parent / "fixtures"
REAL_EXCERPTS = sorted([p for p in FIXTURES.rglob("*") if p.suffix in (".txt", ".pdf") and p.is_file()
                        and "xls" not in p.parts])


def test_canonical_files_round_trip_from_every_seed_and_corpus_excerpt(tmp_path):
    """Regression: seed 002's claims (a printed text where a number goes, such as 全部公开) made
    check --canonical fail with pandas 3 (TypeError: Invalid value '[None None]' for dtype 'float64').
    All excerpts in one run: a run's fixed cost (the whole catalog) is paid three times, not 60."""
    direct = auditor.check(REAL_EXCERPTS)
    want = [(f.rule, f.location.file, f.fingerprint, f.printed, f.expected) for f in direct.items]
    assert len({f.location.file for f in direct.items}) >= 10
    for fmt in ("csv", "parquet"):
        write_canonical(direct.canonical, tmp_path / fmt, fmt)
        again = auditor.check([], canonical=tmp_path / fmt)
        assert [(f.rule, f.location.file, f.fingerprint, f.printed, f.expected) for f in again.items] == want, fmt


def test_a_text_where_a_number_goes_completes_to_nan_not_none(tmp_path):
    (tmp_path / "claims.csv").write_text("doc_id,claim_id,kind,value_raw,base_raw\nA,1,share,全部公开,12.5\n"
                                         "A,2,share,12%,\n", encoding="utf-8")
    claims = load_canonical(tmp_path)["claims"]
    assert claims["value"].isna().tolist() == [True, False] and claims["base"].tolist()[0] == 12.5


def test_the_newest_allowed_dependencies_are_installed_and_bounded():
    """pyproject bounds every runtime dependency above (a major release such as pandas 3 is
    adopted on purpose, tested, never by accident) and this suite runs on what pip resolves."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    data = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    for spec in data["project"]["dependencies"]:
        req = Requirement(spec)
        assert any(s.operator == "<" for s in req.specifier), f"{spec} has no upper bound"
        assert req.specifier.contains(Version(version(req.name))), f"installed {req.name} outside {spec}"
