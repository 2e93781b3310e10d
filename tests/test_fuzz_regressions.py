"""Every failure the fuzzers found (bench/fuzz/, tests/test_fuzz_pipeline.py) or the hostile-CLI
tests turned up, with its minimal input inline.

The first group was fixed with the fuzzing work (auditor/normalize/numbers.py,
auditor/ingest/decode.py, auditor/normalize/selfeval.py). The second was in modules outside it
(read_document's format sniffing, the xlsx/docx readers, the claims normalizer, the findings order,
the configuration, the canonical writer): reported with these tests as `xfail(strict=True)`, and
fixed by the maintainers in 6b0f952 and c73d81a, so they are plain regression tests now. The last
(an over-long amount in claims) was fixed after it was reported, too.
"""
from __future__ import annotations

import io
import math
import struct
import zipfile
from pathlib import Path

import pytest

import auditor
from auditor.config import ConfigError, load_config
from auditor.engine.catalog import load_catalog
from auditor.ingest import read_document
from auditor.ingest.decode import decode
from auditor.normalize.numbers import parse_number
from auditor.pipeline import read_rows

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "excerpts" / "selfeval_rows.txt"
CATALOG = load_catalog([])


# ============================================================================== fixed

# bench/fuzz/fuzz_numbers.py, 34th execution: a run of 309+ digits overflowed float() to inf, which
# then reached the canonical tables and the messages ("执行率应为 -nan%", "预算数为 inf").
@pytest.mark.parametrize("text", ["9" * 309, "1" + "0" * 309, "9" * 400 + "%", "≥" + "9" * 400, "-" + "9" * 309,
                                  "9" * 310 + ".5万元"])
def test_a_number_longer_than_a_float_is_not_a_number(text):
    n = parse_number(text)
    assert n.value is None and n.raw == text


def test_the_largest_printed_numbers_still_parse():
    assert parse_number("1" + "0" * 308 + ".5").value == 1e308
    assert parse_number("99999999999999999999.99999").value == pytest.approx(1e20)
    n = parse_number("0." + "0" * 400 + "1")
    assert n.value == 0.0 and math.isfinite(n.tol)


def test_a_400_digit_amount_gives_no_inf_or_nan_in_findings(tmp_path):
    doc = tmp_path / "huge.txt"
    doc.write_text(GOOD.read_text(encoding="utf-8").replace("803.613134", "9" * 400), encoding="utf-8")
    report = auditor.check([doc], catalog=CATALOG)
    for f in report.items:
        for text in (f.message, f.printed or "", f.expected or ""):
            assert "inf" not in text.replace("info", "") and "nan" not in text, f


# bench/fuzz/fuzz_text.py, first minute: a byte order mark followed by bytes invalid in its encoding
# raised UnicodeDecodeError out of decode(); the file became "读取失败（UnicodeDecodeError…）".
@pytest.mark.parametrize("data, text, encoding", [
    (b"\xef\xbb\xbf\xb0", "\ufffd", "utf-8-sig"),            # UTF-8 BOM, then a lone continuation byte
    (b"\xff\xfeA", "\ufffd", "utf-16"),                      # UTF-16 BOM, cut at an odd length
    (b"\xfe\xff\x00A\x00", "A\ufffd", "utf-16"),
])
def test_a_bom_followed_by_damaged_bytes_decodes_with_replacement(data, text, encoding):
    assert decode(data) == (text, encoding)


def test_a_utf16_file_cut_at_an_odd_length_is_read(tmp_path):
    p = tmp_path / "cut.txt"
    p.write_bytes(("\ufeff" + GOOD.read_text(encoding="utf-8")).encode("utf-16-le")[:-1])
    assert read_document(p).error is None
    info, rows = read_rows(p, "D1")
    assert info.readable and rows.get("indicators")


# bench/fuzz/fuzz_selfeval.py (x448 in 600 s, 411-byte input): in a transfer-payment grid without
# scores whose header puts 全年实际完成值 left of 指标值, a row shorter than the 指标值 column made
# auditor/normalize/selfeval.py `_indicator_no_scores` index past the row (it checked only the
# 完成值 column). The pipeline's per-table safety net turned it into "解析该表时出错（IndexError…）"
# and the table was lost.
def test_a_grid_with_the_actual_column_left_of_the_target_does_not_lose_the_table(tmp_path):
    p = tmp_path / "swapped.txt"
    p.write_text("# 转移支付区域(项目)绩效自评表\n\n全年实际完成值\t三级指标\t指标值\n\t数量指标\n", encoding="utf-8")
    _, rows = read_rows(p, "D1")
    assert not [x for x in rows.get("problems", []) if "解析该表时出错" in str(x.get("detail"))]


# ============================================================================== reported; fixed in 6b0f952 / c73d81a

def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytearray:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return bytearray(buf.getvalue())


def _central(data: bytearray) -> int:
    return struct.unpack("<I", data[-6:-2])[0]          # offset of the central directory (no comment)


# 145 bytes: one member, its central-directory "version needed to extract" byte set to 228 (22.8).
VERSION_22_8 = bytes.fromhex(
    "504b03041400000000000c98795ddd5a860d0d0000000d00000011000000776f72642f646f63756d656e742e786d6c3c773a646f"
    "63756d656e742f3e504b01021403e400000000000c98795ddd5a860d0d0000000d000000110000000000000000000000800100"
    "000000776f72642f646f63756d656e742e786d6c504b050600000000010001003f0000003c0000000000")


def _utf8_flag_bad_name() -> bytes:
    """Central directory says the name is UTF-8 (flag 0x800), the name's first byte is not."""
    b = _zip({"word/document.xml": b"<w:document/>"})
    cd = _central(b)
    b[cd + 8:cd + 10] = struct.pack("<H", struct.unpack("<H", b[cd + 8:cd + 10])[0] | 0x800)
    b[cd + 46] = 0xB0
    return bytes(b)


ZIP_HEADER_DAMAGE = {"version_22.8": VERSION_22_8, "utf8_flag_bad_name": _utf8_flag_bad_name()}


# bench/fuzz/fuzz_docx.py and fuzz_xlsx.py (guard_zip), then traced to read_document: zipfile raises
# NotImplementedError / UnicodeDecodeError (not BadZipFile) for these headers. read_document's
# format sniffing (auditor/ingest/__init__.py `_sniff`) opens the zip outside its try block, so the
# exception left read_document, which promises never to raise, and `auditor check` stopped with
# "内部错误 NotImplementedError: zip file version 22.8" (exit 2) and no report for the other files.
# Fixed in 6b0f952: _sniff treats any zipfile error as a corrupt zip.
@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
@pytest.mark.parametrize("damage", sorted(ZIP_HEADER_DAMAGE))
def test_a_damaged_zip_header_is_a_finding_not_a_crash(tmp_path, damage, suffix):
    bad = tmp_path / f"damaged{suffix}"
    bad.write_bytes(ZIP_HEADER_DAMAGE[damage])
    raw = read_document(bad)
    assert raw.error and not raw.error.startswith("读取失败（")
    report = auditor.check([bad, GOOD], catalog=CATALOG)
    assert any(f.rule == "INP001" and f.location.file == str(bad) for f in report.items)
    assert any(f.location.file == str(GOOD) for f in report.items)


def _docx(compression: int = zipfile.ZIP_STORED) -> bytearray:
    return _zip({"[Content_Types].xml": b"<Types/>",
                 "_rels/.rels": b'<Relationships><Relationship Type="http://schemas.openxmlformats.org/'
                                b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                                b"</Relationships>",
                 "word/document.xml": b"<w:document/>"}, compression)


def _member(b: bytearray, name: str) -> zipfile.ZipInfo:
    return zipfile.ZipFile(io.BytesIO(bytes(b))).getinfo(name)


def _bad_local_magic() -> bytes:
    b = _docx()
    b[_member(b, "_rels/.rels").header_offset] ^= 0xFF
    return bytes(b)


def _corrupt_deflate() -> bytes:
    b = _docx(zipfile.ZIP_DEFLATED)
    info = _member(b, "_rels/.rels")
    start = info.header_offset + 30 + len(info.filename)
    b[start:start + info.compress_size] = b"\xff" * info.compress_size
    return bytes(b)


def _central_directory_offset_past_real() -> bytes:
    b = _docx()
    b[-6:-2] = struct.pack("<I", _central(b) + 5000)
    return bytes(b)


def _member_size_past_eof() -> bytes:
    b = _docx()
    pos = _central(b)
    while True:
        nlen, elen, clen = struct.unpack("<HHH", b[pos + 28:pos + 34])
        if bytes(b[pos + 46:pos + 46 + nlen]) == b"_rels/.rels":
            break
        pos += 46 + nlen + elen + clen
    b[pos + 20:pos + 28] = struct.pack("<II", 10**6, 10**6)
    return bytes(b)


def _patched_data_flag() -> bytes:
    """General-purpose flag bit 5 ("compressed patched data") set on _rels/.rels."""
    b = _docx()
    pos = _central(b)
    while True:
        nlen, elen, clen = struct.unpack("<HHH", b[pos + 28:pos + 34])
        if bytes(b[pos + 46:pos + 46 + nlen]) == b"_rels/.rels":
            break
        pos += 46 + nlen + elen + clen
    b[pos + 8:pos + 10] = struct.pack("<H", struct.unpack("<H", b[pos + 8:pos + 10])[0] | 0x20)
    return bytes(b)


DOCX_RELS_DAMAGE = {"BadZipFile": _bad_local_magic, "zlib.error": _corrupt_deflate,
                    "OSError": _central_directory_offset_past_real, "EOFError": _member_size_past_eof,
                    "NotImplementedError": _patched_data_flag}


# bench/fuzz/fuzz_docx.py: auditor/ingest/docx.py read _rels/.rels (`_main_part`) before its
# try block, so a damaged member raised BadZipFile / zlib.error / OSError / EOFError out of
# parse_docx (and NotImplementedError "compressed patched data (flag bit 5)"). read_document's
# last-resort handler made it an INP001 finding with the internal message "读取失败（BadZipFile：Bad
# magic number for file header）" rather than a "Word 文档已损坏" FormatError (the xlsx reader maps
# the same damage to its FormatError). Fixed in c73d81a.
@pytest.mark.parametrize("exception", sorted(DOCX_RELS_DAMAGE))
def test_a_damaged_docx_relationship_part_gets_the_readers_message(tmp_path, exception):
    p = tmp_path / "damaged.docx"
    p.write_bytes(DOCX_RELS_DAMAGE[exception]())
    error = read_document(p).error
    assert error and not error.startswith("读取失败（"), error


# bench/fuzz/fuzz_xlsx.py (libFuzzer timeout after 80 s): a row numbered past Excel's last row
# (1,048,576) makes openpyxl's read-only reader yield every missing row before it; with
# r="99999999" auditor/ingest/xlsx.py `_sheet_rows` walked 10^8 empty rows, so the file held its
# worker until file_timeout (120 s by default). A row at 1,048,576 itself takes about 2 s.
# Fixed in c73d81a: rows past Excel's last row are refused.
def _workbook_with_row(r: int) -> bytes:
    src = (ROOT / "sample_data" / "project_selfeval.xlsx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is>'
                                                      f"</c></row></sheetData>".encode())
            zout.writestr(info.filename, data)
    return out.getvalue()


def test_a_row_number_past_excels_last_row_does_not_hang_the_reader(tmp_path):
    p = tmp_path / "far_row.xlsx"
    p.write_bytes(_workbook_with_row(99_999_999))
    _, rows = read_rows(p, "D1", seconds=3)
    assert "file_timeout" not in " ".join(str(x.get("detail")) for x in rows.get("problems", []))


# tests/test_fuzz_pipeline.py (1 MB line) and a profile: auditor/normalize/claims.py `_index` finds
# the sentence and clause of every number by a linear scan over all spans of the paragraph, so a
# long paragraph without line breaks (PDF text often is one) was quadratic: 95 KB took 1.9 s,
# 180 KB 6.5 s, 2.5 MB more than the 120 s file_timeout. Fixed in 6b0f952 (binary search).
def test_a_long_paragraph_is_read_in_linear_time(tmp_path):
    p = tmp_path / "long_paragraph.txt"
    p.write_text("# 2023年度部门决算说明\n\n" + "本年度预算执行率为85.5%，资金到位率100%。" * 12_000 + "\n",
                 encoding="utf-8")                           # ~400 KB, one line
    _, rows = read_rows(p, "D1", seconds=3)
    assert "file_timeout" not in " ".join(str(x.get("detail")) for x in rows.get("problems", []))


# tests/test_fuzz_pipeline.py determinism property (first random run): findings that tie on
# (file, severity, line, rule), e.g. three EXP003 totals on one 合计 line, come back in DuckDB's row
# order, which varies from run to run (the connection runs 2 threads), so the terminal, HTML, JSON
# and SARIF list them in a different order each time; and auditor/engine/roots.py link_roots points
# a consequence at the first candidate root in that order, so `root` (and the terminal's folding)
# changes too (FUZZ_EXAMPLES=300 run: EXP007 on a 合计 line linked to a different EXP001).
# Fixed in 6b0f952: a total order in auditor/pipeline.py's sort.
BUDGET_TOTALS_WRONG = """# 2024年一般公共预算支出表
单位：万元

科目编码\t科目名称\t合计\t基本支出\t项目支出
\t合计\t9999.99\t8888.88\t7777.77
201\t一般公共服务支出\t509.16\t509.16\t
20103\t政府办公厅(室)及相关机构事务\t509.16\t509.16\t
2010301\t行政运行\t412.36\t412.36\t
2010350\t事业运行\t96.80\t96.80\t
213\t农林水支出\t1986.65\t350.15\t1636.50
21301\t农业农村\t1630.65\t350.15\t1280.50
2130101\t行政运行\t218.90\t218.90\t
2130153\t农田建设\t1280.50\t\t1280.50
"""


def test_findings_come_back_in_the_same_order(tmp_path):
    docs = []
    for k in range(3):
        p = tmp_path / f"budget{k}.txt"
        p.write_text(BUDGET_TOTALS_WRONG.replace("9999.99", f"99{k}9.99"), encoding="utf-8")
        docs.append(p)
    orders = {tuple((f.fingerprint, f.root) for f in auditor.check(docs, catalog=CATALOG).items) for _ in range(5)}
    assert len(orders) == 1


# tests/test_cli_guarantees.py: numeric settings are checked for type, not range. rule_timeout =
# 1e309 (inf) makes every rule's threading.Timer die with OverflowError and print a thread
# traceback; file_timeout = 1e12 aborted the run with "内部错误 OverflowError" (signal.setitimer);
# negative limits silently timed every rule out or refused every file. Fixed in 6b0f952.
@pytest.mark.parametrize("setting", ["rule_timeout = 1e309", "file_timeout = 1e12", "rule_timeout = -5.0",
                                     "max_file_mb = -1.0", "file_timeout = nan"])
def test_out_of_range_limits_are_a_configuration_error(tmp_path, setting):
    cfg = tmp_path / "auditor.toml"
    cfg.write_text(setting + "\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(cfg)


# Found while driving the CLI with hostile arguments (tests/test_cli_guarantees.py):
# `auditor extract doc.txt --out "O'Brien" --format parquet` stops with "内部错误 ParserException:
# unterminated string literal": auditor/model/io.py write_canonical pasted the path into
# `COPY t TO '<path>'` (a crafted folder name could append SQL). Fixed in 6b0f952.
def test_extract_to_parquet_in_a_folder_with_an_apostrophe(tmp_path):
    from auditor.model.io import write_canonical

    written = write_canonical(auditor.extract(GOOD), tmp_path / "O'Brien", "parquet")
    assert all(p.exists() for p in written)


# ============================================================================== reported, open

# bench/fuzz/fuzz_selfeval.py (claims normalizer, run after the numbers fix): a narrative amount with
# more digits than a float holds now parses to value None (it used to be inf and printed "inf"/"nan"
# in findings), and auditor/normalize/claims.py `_Extractor._previous` subtracts the change from
# the current amount without checking it: TypeError, caught by the pipeline as
# "叙述文字解析出错", so every claim of that document is lost (INP004). Fix: return None from
# _previous (and _current's callers) when the amount has no value, as `other[0].value` already is.
def test_a_narrative_amount_too_long_for_a_float_does_not_lose_the_claims(tmp_path):
    p = tmp_path / "narrative.txt"
    p.write_text("2023年度部门决算说明\n全年支出" + "9" * 400 + "万元，较上年减少108.86万元。\n", encoding="utf-8")
    _, rows = read_rows(p, "D1")
    assert not [x for x in rows.get("problems", []) if "解析出错" in str(x.get("detail"))]
