"""Files -> RawDocument. One module per format; the format is sniffed from the
content, the extension only breaks ties."""
from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
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
    """A file found in a folder and not read, with the reason shown in every report. With a
    `problem` (a problems kind: not_regular, link_loop, link_outside, unreadable_dir) the
    skip is also a finding (INP012): something the user gave could not be looked at."""

    file: str
    reason: str
    problem: str | None = None


def skip_reason(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in SKIP_REASONS:
        return SKIP_REASONS[suffix]
    kind = f"“{suffix}”" if suffix else "无扩展名"
    return f"不支持的文件类型（{kind}）；支持 {', '.join(sorted(SUPPORTED_SUFFIXES))}"


REPORT_REASON = "auditor 以前生成的报告文件（{fmt}），不作为输入读取"
NOT_REGULAR = "不是普通文件（{what}），已跳过，未读取"
LINK_LOOP = "符号链接循环（链接最终指向自身或其上级目录），已跳过"
LINK_OUTSIDE = "符号链接指向所给目录之外，未跟随（需要读取时加 --follow-links）"
LINK_BROKEN = "符号链接的目标不存在，已跳过"


def _what(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道 FIFO"
    if stat.S_ISCHR(mode):
        return "字符设备"
    if stat.S_ISBLK(mode):
        return "块设备"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


_REPORT_HEADS = [
    ("json", re.compile(rb'^\s*\{\s*"version"\s*:\s*\d+\s*,\s*"tool"\s*:\s*\{\s*"name"\s*:\s*"auditor"')),
    ("sarif", re.compile(rb'"driver"\s*:\s*\{\s*"name"\s*:\s*"auditor"')),
    ("junit", re.compile(rb'^\s*(<\?xml[^>]*>\s*)?<testsuites name="auditor"')),
    ("html", re.compile("<title>[^<]*· auditor [^<]*</title>".encode())),
    ("markdown", re.compile(r"^## 审计报告 auditor \S+\n".encode())),
    ("terminal", re.compile(r"^auditor \S+ · \d+ 个文件".encode())),
    ("github", re.compile(rb"^::(error|warning|notice) file=[^\n]*title=[A-Z]{3}\d{3} ")),
]
_EXCEL_SHEETS = ("问题清单", "文件汇总")


def report_format(path: Path) -> str | None:
    """The format of a report auditor wrote (json, sarif, junit, html, markdown, terminal,
    github, excel), recognized from its first bytes; None for any other file. Never raises."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "xl/workbook.xml" not in names:
                    return None
                info = z.getinfo("xl/workbook.xml")
                if info.file_size > 1 << 20:
                    return None
                workbook = z.read("xl/workbook.xml").decode("utf-8", "replace")
                core = z.read("docProps/core.xml").decode("utf-8", "replace") if "docProps/core.xml" in names \
                    and z.getinfo("docProps/core.xml").file_size < 1 << 16 else ""
        except Exception:  # noqa: BLE001 - a damaged zip is the reader's to report
            return None
        if ">auditor<" in core or all(f'name="{s}"' in workbook for s in _EXCEL_SHEETS):
            return "excel"
        return None
    head = head.lstrip(codecs.BOM_UTF8)
    for fmt, pattern in _REPORT_HEADS:
        if pattern.search(head):
            return fmt
    return None


def discover(paths, follow_links: bool = False) -> tuple[list[Path], list[SkippedFile]]:
    """Files as given, and the supported files inside folders (sorted, recursive, hidden files
    and folders left out); the other files of those folders, with the reason they are skipped.

    Nothing is opened that could block or never end: FIFOs, devices and sockets, named or
    found, are skipped (SkippedFile.problem = not_regular). In a folder, a symbolic link is
    followed only when its target lies inside one of the folders given (or with
    `follow_links`); a link loop and an unreadable subfolder are reported. Reports auditor
    wrote earlier (json, sarif, junit, html, markdown, terminal, excel) are skipped. A file
    reached twice (named and inside a folder, or through a link) is read once."""
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    given = [Path(p) for p in paths]
    roots = []
    for p in given:
        try:
            if p.is_dir():
                roots.append(p.resolve())
        except (OSError, RuntimeError):
            pass

    def inside(target: Path) -> bool:
        return any(target == r or r in target.parents for r in roots)

    def regular(path: Path, mode: int, named: bool) -> None:
        if not stat.S_ISREG(mode):
            skipped.append(SkippedFile(str(path), NOT_REGULAR.format(what=_what(mode)), "not_regular"))
            return
        fmt = report_format(path)
        if fmt is not None:
            skipped.append(SkippedFile(str(path), REPORT_REASON.format(fmt=fmt)))
        elif named or path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(path)
        else:
            skipped.append(SkippedFile(str(path), skip_reason(path)))

    def walk(top: Path, root: Path, visited: set[Path]) -> None:
        try:
            with os.scandir(top) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            skipped.append(SkippedFile(str(top), f"无法读取目录：{e.strerror or e}", "unreadable_dir"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                link = entry.is_symlink()
                if link:
                    try:
                        target = path.resolve(strict=True)
                    except RuntimeError:
                        skipped.append(SkippedFile(str(path), LINK_LOOP, "link_loop"))
                        continue
                    except OSError as e:
                        if e.errno == errno.ELOOP:
                            skipped.append(SkippedFile(str(path), LINK_LOOP, "link_loop"))
                        else:
                            skipped.append(SkippedFile(str(path), LINK_BROKEN))
                        continue
                    if not follow_links and not inside(target):
                        skipped.append(SkippedFile(str(path), LINK_OUTSIDE, "link_outside"))
                        continue
                    mode = os.stat(path).st_mode
                    if stat.S_ISDIR(mode):
                        if target in visited or any(target in v.parents or target == v for v in visited):
                            skipped.append(SkippedFile(str(path), LINK_LOOP, "link_loop"))
                        elif inside(target) and not follow_links:
                            continue     # a folder of the given ones: walked on its own path
                        else:
                            walk(path, root, visited | {target})
                        continue
                    regular(path, mode, False)
                    continue
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as e:
                skipped.append(SkippedFile(str(path), f"无法读取：{e.strerror or e}", "unreadable_dir"))
                continue
            if stat.S_ISDIR(mode):
                walk(path, root, visited | {path.resolve()})
            else:
                regular(path, mode, False)

    for p in given:
        try:
            is_dir = p.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            walk(p, p.resolve(), {p.resolve()})
            continue
        try:
            mode = os.stat(p).st_mode
        except OSError as e:
            if e.errno == errno.ELOOP:
                skipped.append(SkippedFile(str(p), LINK_LOOP, "link_loop"))
            else:
                files.append(p)      # the reader reports why it cannot be opened (INP001)
            continue
        regular(p, mode, True)
    seen: set = set()
    unique = []
    for f in files:
        try:
            key = f.resolve()
        except (OSError, RuntimeError):
            key = f
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


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
