"""Files -> RawDocument. One module per format; the format is sniffed from the
content, the extension only breaks ties."""
from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from auditor.ingest.decode import NotText, decode
from auditor.ingest.raw import Cell, Paragraph, RawDocument, RawTable

__all__ = ["Cell", "Paragraph", "RawDocument", "RawTable", "SkippedFile", "discover", "read_document",
           "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = {".txt", ".md", ".text", ".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".docx", ".pdf"}
DEFAULT_MAX_BYTES = 200 * 1024 * 1024

# why a file in a folder is not read, by suffix (any other suffix: unsupported type)
SKIP_REASONS = {
    ".doc": "旧版 Word 文件（.doc）不支持，请另存为 .docx",
    ".wps": "WPS 文字文件不支持，请另存为 .docx",
    ".et": "WPS 表格文件不支持，请另存为 .xlsx",
    ".ods": "OpenDocument 表格不支持，请另存为 .xlsx",
    ".odt": "OpenDocument 文字文件不支持，请另存为 .docx",
    ".zip": "压缩包不会自动解压，请先解压",
    ".rar": "压缩包不会自动解压，请先解压",
    ".7z": "压缩包不会自动解压，请先解压",
    ".png": "图片（扫描件）不支持，请提供文字版 PDF、Word 或 Excel",
    ".jpg": "图片（扫描件）不支持，请提供文字版 PDF、Word 或 Excel",
    ".jpeg": "图片（扫描件）不支持，请提供文字版 PDF、Word 或 Excel",
    ".tif": "图片（扫描件）不支持，请提供文字版 PDF、Word 或 Excel",
    ".tiff": "图片（扫描件）不支持，请提供文字版 PDF、Word 或 Excel",
    ".bmp": "图片（扫描件）不支持，请提供文字版 PDF、Word 或 Excel",
}


@dataclass(frozen=True)
class SkippedFile:
    """A file found in a folder and not read, with the reason shown in every report."""

    file: str
    reason: str


def skip_reason(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in SKIP_REASONS:
        return SKIP_REASONS[suffix]
    kind = f"“{suffix}”" if suffix else "无扩展名"
    return f"不支持的文件类型（{kind}）；支持 {', '.join(sorted(SUPPORTED_SUFFIXES))}"


def discover(paths) -> tuple[list[Path], list[SkippedFile]]:
    """Files as given, and the supported files inside folders (sorted, recursive, hidden files
    and folders left out); the other files of those folders, with the reason they are skipped."""
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.append(f)
                else:
                    skipped.append(SkippedFile(str(f), skip_reason(f)))
        else:
            files.append(p)
    return files, skipped


def _sniff(path: Path, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except Exception:  # noqa: BLE001 - zipfile raises many kinds of errors on damaged headers
            return "corrupt-zip"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("word/") for n in names):
            return "docx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"   # legacy .xls/.doc, or an encrypted (password-protected) OOXML file
    if head.startswith(b"%PDF"):
        return "pdf"
    suffix = path.suffix.lower()
    if suffix in (".docx", ".xlsx", ".xlsm"):
        return "not-office"   # an Office name on content that is not an Office file (often HTML)
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "text"


_HTML = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!doctype\s+html|<html|<table|<head|<body|<meta)", re.I)


def _office_impostor(file: str, data: bytes, sha: str) -> RawDocument:
    if _HTML.match(data[:2048].lstrip(codecs.BOM_UTF8)):
        return RawDocument(file=file, error="文件内容是 HTML 网页，不是 Word/Excel 文档（请另存为 .docx/.xlsx）", sha256=sha)
    return RawDocument(file=file, error="文件扩展名是 Office 文档，但内容不是 .docx/.xlsx 格式（可能已损坏或被改名）", sha256=sha)


def _stamp_sheets(doc: RawDocument) -> RawDocument:
    """Spreadsheet cells carry their sheet, so a finding can say sheet!cell."""
    for table in doc.tables:
        if table.sheet:
            for row in table.rows:
                for c in row:
                    c.sheet = table.sheet
    return doc


def read_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    """Read any supported file. Never raises for bad input: the problem is put in
    RawDocument.error, so one bad file never stops the others."""
    p = Path(path)
    file = str(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            return RawDocument(file=file, error=f"文件过大（{size / 1e6:.0f} MB，上限 {max_bytes / 1e6:.0f} MB）")
        data = p.read_bytes()
    except OSError as e:
        return RawDocument(file=file, error=f"无法打开文件：{e.strerror or e}")
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return RawDocument(file=file, error="空文件", sha256=sha)
    kind = _sniff(p, data[:8])
    try:
        if kind == "text":
            text, _ = decode(data)
            from auditor.ingest.limits import check_text
            from auditor.ingest.text import parse_text

            check_text(text)

            doc = parse_text(file, text)
        elif kind == "csv":
            from auditor.ingest.csvfile import parse_csv

            doc = parse_csv(file, data)
        elif kind == "xlsx":
            from auditor.ingest.xlsx import parse_xlsx

            doc = parse_xlsx(file, p)
        elif kind == "docx":
            from auditor.ingest.docx import parse_docx

            doc = parse_docx(file, p)
        elif kind == "pdf":
            from auditor.ingest.pdf import parse_pdf

            doc = parse_pdf(file, p)
        elif kind == "ole":
            from auditor.ingest.grid import FormatError
            from auditor.ingest.xls import parse_xls

            try:
                doc = parse_xls(file, p)
            except FormatError as e:
                if p.suffix.lower() == ".xls":
                    return RawDocument(file=file, error=str(e), sha256=sha, fmt="ole")
                return RawDocument(file=file, error="旧版 Word 文件（.doc）或设有密码保护的文件，无法读取；请另存为 .docx/.xlsx",
                                   sha256=sha, fmt="ole")
            kind = "xls"
        elif kind == "not-office":
            return _office_impostor(file, data, sha)
        elif kind == "corrupt-zip":
            return RawDocument(file=file, error="文件已损坏（ZIP 结构无效），无法作为 Excel/Word 读取", sha256=sha)
        else:
            return RawDocument(file=file, error="ZIP 压缩包不是 Excel 或 Word 文档", sha256=sha)
    except NotText as e:
        return RawDocument(file=file, error=str(e), sha256=sha)
    except ValueError as e:
        # readers raise ValueError subclasses (FormatError) with a message meant for the user
        if type(e).__name__ == "FormatError":
            return RawDocument(file=file, error=str(e), sha256=sha)
        return RawDocument(file=file, error=f"读取失败（{type(e).__name__}：{str(e)[:200]}）", sha256=sha)
    except ImportError as e:
        return RawDocument(file=file, error=f"该格式的读取器不可用：{e}", sha256=sha)
    except MemoryError:
        raise       # the caller names the memory limit (auditor.pipeline.read_rows)
    except Exception as e:  # noqa: BLE001 - a reader bug must not stop the other files
        return RawDocument(file=file, error=f"读取失败（{type(e).__name__}：{str(e)[:200]}）", sha256=sha)
    doc.sha256 = sha
    doc.fmt = kind
    return _stamp_sheets(doc.settle_title())
