"""Issue 18, document ids and published canonical CSVs: ids are derived from the file (never
D1, D2 …), and a canonical CSV is bound to its own documents: placed beside a document it can
neither add to nor remove that document's findings; it obeys max_file_mb, file_timeout and the
provenance hashes like any other input."""
from __future__ import annotations

import hashlib

from hostile_util import SELFEVAL, check_json, findings_of, write_doc

from auditor.pipeline import build, doc_id_for


def test_document_ids_come_from_the_file_not_from_the_order(tmp_path):
    a = write_doc(tmp_path, "a.txt")
    b = write_doc(tmp_path, "b.txt")
    docs, canonical = build([a, b])
    ids = {d.file: d.doc_id for d in docs}
    assert ids[str(a)] == doc_id_for(a) and ids[str(b)] == doc_id_for(b) and ids[str(a)] != ids[str(b)]
    assert not any(i.startswith("D") and i[1:].isdigit() for i in ids.values())
    # the same file read in another run, alone or with others, keeps its id
    assert build([b])[0][0].doc_id == ids[str(b)]
    assert set(canonical["documents"]["doc_id"]) == set(ids.values())
    assert all(t.startswith(ids[str(a)] + ".T") or t.startswith(ids[str(b)] + ".T")
               for t in canonical["tables"]["table_id"])


def test_a_file_named_twice_is_read_once(tmp_path):
    a = write_doc(tmp_path / "in", "a.txt")
    docs, _ = build([a, tmp_path / "in", a])
    assert [d.file for d in docs] == [str(a)]


FORGED_INDICATOR = "doc_id,table_id,name,weight_raw,score_raw\n{doc},{doc}.T1,补充指标,50,0\n"
FORGED_FUNDS = ("doc_id,table_id,item,role,budget_raw,executed_raw,rate_raw\n"
                "{doc},{doc}.T1,年度资金总额,total,100.00,50.00,90.00%\n")


def test_a_canonical_csv_beside_a_document_cannot_touch_its_findings(tmp_path):
    doc = write_doc(tmp_path / "in", "selfeval.txt")
    code, clean = check_json(tmp_path / "in")
    before = findings_of(clean, "selfeval.txt")
    assert before, "the document has findings of its own"
    real_id = clean["documents"][0]["doc_id"]
    for forged_id in ("D1", real_id):
        (tmp_path / "in" / "appendix.csv").write_text(FORGED_INDICATOR.format(doc=forged_id), encoding="utf-8")
        (tmp_path / "in" / "funds_extra.csv").write_text(FORGED_FUNDS.format(doc=forged_id), encoding="utf-8")
        _, report = check_json(tmp_path / "in")
        assert findings_of(report, "selfeval.txt") == before, forged_id
        # what the CSVs say is reported under the CSVs, never under the document
        others = [f for f in report["findings"] if not f["file"].endswith("selfeval.txt")]
        assert all(f["file"].endswith(".csv") for f in others), others
        # the forged funds were read and checked (a fake EXR finding), but as their own document
        assert any(f["rule"].startswith("EXR") and f["file"].endswith(".csv") for f in others)
    assert doc.read_text(encoding="utf-8") == SELFEVAL


def test_a_canonical_documents_row_naming_another_input_is_shown_under_the_csv(tmp_path):
    write_doc(tmp_path / "in", "selfeval.txt")
    (tmp_path / "in" / "documents.csv").write_text("doc_id,file,title\nX1,selfeval.txt,伪造\n", encoding="utf-8")
    (tmp_path / "in" / "funds.csv").write_text(FORGED_FUNDS.format(doc="X1"), encoding="utf-8")
    _, report = check_json(tmp_path / "in")
    exr = [f for f in report["findings"] if f["rule"].startswith("EXR")]
    assert exr and all(f["file"] != "selfeval.txt" and not f["file"].endswith("/selfeval.txt") for f in exr)


def test_canonical_csvs_obey_size_limit_and_provenance(tmp_path):
    write_doc(tmp_path / "in", "selfeval.txt")
    csv = tmp_path / "in" / "funds.csv"
    csv.write_text(FORGED_FUNDS.format(doc="X1"), encoding="utf-8")
    _, report = check_json(tmp_path / "in")
    inputs = {i["file"]: i["sha256"] for i in report["provenance"]["inputs"]}
    assert inputs[str(csv)] == hashlib.sha256(csv.read_bytes()).hexdigest()
    # a canonical CSV over max_file_mb is refused like any other file (INP001), not read
    big = "doc_id,table_id,item,role,budget_raw,executed_raw,rate_raw\n" + \
          "X1,T1,年度资金总额,total,100.00,50.00,90.00%\n" * 30000
    csv.write_text(big, encoding="utf-8")
    (tmp_path / "auditor.toml").write_text("max_file_mb = 1\n", encoding="utf-8")
    _, report = check_json(tmp_path / "in", "--config", tmp_path / "auditor.toml")
    mine = [f for f in report["findings"] if f["file"] == str(csv)]
    assert [f["rule"] for f in mine] == ["INP001"] and "过大" in mine[0]["message"]
    assert not [f for f in report["findings"] if f["rule"].startswith("EXR")]


def test_canonical_csvs_obey_the_file_timeout(tmp_path, monkeypatch):
    import time

    import auditor.model.io as io

    write_doc(tmp_path / "in", "selfeval.txt")
    (tmp_path / "in" / "funds.csv").write_text(FORGED_FUNDS.format(doc="X1"), encoding="utf-8")
    slow = io.read_canonical_file

    def stuck(path, table):
        time.sleep(5)
        return slow(path, table)

    monkeypatch.setattr(io, "read_canonical_file", stuck)
    started = time.monotonic()
    docs, canonical = build([tmp_path / "in"], seconds=0.5)
    assert time.monotonic() - started < 4
    problems = canonical["problems"]
    assert "file_timeout" in " ".join(problems["detail"].astype(str))
    assert any(d.readable for d in docs)       # the document itself was still read
