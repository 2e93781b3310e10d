"""Word documents (.docx) -> RawDocument, with python-docx.

The body is walked in document order, so paragraphs and tables keep their
sequence. Headings come from paragraph styles (Heading N, 标题 N, Title, an
outline level) or from the text reader's heading patterns. A table row is laid
out on the table grid: a cell spanning columns (gridSpan) prints its text in
its first column and leaves the others empty, and a cell continuing a vertical
merge (vMerge) is empty, as in a text extraction of the same table.
`line` is the block's ordinal: paragraphs and table rows are counted together
from the start of the body, so a location reads "the 23rd paragraph or row".
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from auditor.ingest.grid import clean_cell
from auditor.ingest.raw import Cell, Paragraph, RawDocument, RawTable
from auditor.ingest.text import heading_text
from auditor.ingest.xlsx import (
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_RATIO,
    guard_parts,
    FormatError,
    guard_zip,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIP = {W + "pPr", W + "rPr", W + "tblPr", W + "trPr", W + "tcPr", W + "del", W + "moveFrom", W + "instrText",
         W + "delText", W + "commentReference", W + "footnoteReference", W + "endnoteReference", MC_FALLBACK}
# containers whose children are body-level blocks (content controls, custom XML, tracked insertions)
_BLOCK_WRAPPERS = {W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "moveTo", W + "smartTag"}
# python-docx holds the whole body as an lxml tree (several times the XML size in memory)
MAX_BODY_BYTES = 100 * 1024 * 1024
MAX_SPAN = 1000        # Word tables have at most 63 columns; a larger span is damage, not layout
_HEADING_STYLE = re.compile(r"^(heading|标题|title|subtitle|副标题)\s*\d*$", re.IGNORECASE)


def _main_part(names: list[str], archive: zipfile.ZipFile) -> str | None:
    """The officeDocument target named in _rels/.rels, else the usual path."""
    if "_rels/.rels" in names:
        try:
            rels = archive.read("_rels/.rels").decode("utf-8", "replace")
        except Exception as e:  # noqa: BLE001 - BadZipFile, zlib.error, OSError, EOFError on damaged members
            raise FormatError(f"Word 文档已损坏（{type(e).__name__}），无法读取；请重新导出 .docx") from None
        for m in re.finditer(r"<Relationship\b[^>]*>", rels):
            tag = m.group(0)
            if re.search(r'Type="[^"]*/officeDocument"', tag):
                target = re.search(r'Target="([^"]+)"', tag)
                if target:
                    return posixpath.normpath(target.group(1).lstrip("/"))
    return "word/document.xml" if "word/document.xml" in names else None


def parse_docx(file: str, path: str | Path, *, max_ratio: float | None = None,
               max_unzipped: int | None = None) -> RawDocument:
    """Read paragraphs and tables in document order. Raises FormatError (a ValueError) with a
    Chinese message for what is not a readable Word document."""
    head = Path(path).read_bytes()[:8] if Path(path).is_file() else b""
    if not head.startswith(b"PK\x03\x04"):
        what = "HTML 网页" if b"<" in head else "纯文本或其他格式"
        raise FormatError(f"不是 Word（.docx）文件：内容是{what}，请在 Word 中另存为 .docx")
    names = guard_zip(path, MAX_ZIP_RATIO if max_ratio is None else max_ratio,
                      MAX_UNZIPPED_BYTES if max_unzipped is None else max_unzipped, "Word")
    guard_parts(path, "Word")
    with zipfile.ZipFile(path) as archive:
        main = _main_part(names, archive)
        if main is None or main not in names:
            raise FormatError("Word 文档缺少正文（word/document.xml），文件可能已损坏或不是 Word 文档")
        body = archive.getinfo(main).file_size
    if body > MAX_BODY_BYTES:
        raise FormatError(f"Word 正文过大（{body / 2**20:.0f} MB，上限 {MAX_BODY_BYTES / 2**20:.0f} MB），已拒绝读取")
    import docx

    try:
        document = docx.Document(str(path))
        return _read_body(file, document)
    except (FormatError, MemoryError, RecursionError):
        raise
    except ValueError as e:
        if "content type" in str(e):
            raise FormatError("不支持的 Word 文件类型（如 .docm 宏文档或 .dotx 模板），请另存为 .docx") from None
        raise FormatError(f"Word 文档内容已损坏，无法解析（{str(e)[:120]}）") from None
    except Exception as e:  # noqa: BLE001 - python-docx reports damage with any exception type
        raise FormatError(f"Word 文档内容已损坏，无法解析（{type(e).__name__}：{str(e)[:120]}）") from None


def _style_info(document) -> dict[str, bool]:
    """styleId -> is a heading style (by name or outline level)."""
    from docx.enum.style import WD_STYLE_TYPE

    out: dict[str, bool] = {}
    for style in document.styles:
        try:
            if style.type != WD_STYLE_TYPE.PARAGRAPH:
                continue
            name = (style.name or "").strip()
            outline = style.element.find(f"{W}pPr/{W}outlineLvl")
            level = outline.get(f"{W}val") if outline is not None else None
            out[style.style_id] = bool(_HEADING_STYLE.match(name)) or (level is not None and level.isdigit()
                                                                       and int(level) < 9)
        except (AttributeError, ValueError, KeyError):
            continue
    return out


def _blocks(parent):
    for el in parent:
        if el.tag in (W + "p", W + "tbl"):
            yield el
        elif el.tag in _BLOCK_WRAPPERS:
            yield from _blocks(el)


def _text(el, out: list[str]) -> None:
    for ch in el:
        tag = ch.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == W + "t":
            out.append(ch.text or "")
        elif tag in (W + "tab", W + "ptab"):
            out.append(" ")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "p":
            _text(ch, out)
            out.append("\n")
        else:
            _text(ch, out)


def paragraph_text(p) -> str:
    out: list[str] = []
    _text(p, out)
    return "".join(out)


def _is_heading(p, styles: dict[str, bool], text: str) -> bool:
    ppr = p.find(W + "pPr")
    if ppr is not None:
        style = ppr.find(W + "pStyle")
        if style is not None and styles.get(style.get(W + "val"), False):
            return len(text) <= 200
        outline = ppr.find(W + "outlineLvl")
        if outline is not None and (outline.get(W + "val") or "9").isdigit() and int(outline.get(W + "val")) < 9:
            return len(text) <= 200
    return heading_text(text) is not None


def _int_attr(el, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return int(found.get(W + "val"))
    except (TypeError, ValueError):
        return default


def _too_many_cells(budget) -> FormatError:
    return FormatError(f"Word 表格单元格过多（按 gridSpan 展开后超过 {budget.cells:,} 个）{budget.note()}，已拒绝读取")


def _row_cells(tr, line: int, room: int | None = None) -> list[Cell]:
    """The row's cells on the table grid; more than `room` of them (after gridSpan) is refused."""
    cells: list[Cell] = []
    col = 1 + min(MAX_SPAN, max(0, _int_attr(tr, f"{W}trPr/{W}gridBefore", 0)))
    cells.extend(Cell("", line, c) for c in range(1, col))
    tcs = [el for el in tr.iter(W + "tc") if _owning_row(el) is tr]
    for tc in tcs:
        span = min(MAX_SPAN, max(1, _int_attr(tc, f"{W}tcPr/{W}gridSpan", 1)))
        vmerge = tc.find(f"{W}tcPr/{W}vMerge")
        hmerge = tc.find(f"{W}tcPr/{W}hMerge")
        continues = (vmerge is not None and vmerge.get(W + "val") in (None, "continue")) or \
                    (hmerge is not None and hmerge.get(W + "val") in (None, "continue"))
        text = "" if continues else clean_cell(paragraph_text(tc))
        cells.append(Cell(text, line, col))
        if room is not None and col + span > room:
            from auditor.ingest.limits import current

            raise _too_many_cells(current())
        cells.extend(Cell("", line, col + k) for k in range(1, span))
        col += span
    return cells


def _owning_row(tc):
    el = tc.getparent()
    while el is not None and el.tag != W + "tr":
        el = el.getparent()
    return el


def _read_body(file: str, document) -> RawDocument:
    from auditor.ingest.limits import current

    budget = current()
    cells_seen = 0
    doc = RawDocument(file=file, fmt="docx")
    styles = _style_info(document)
    headings: list[str] = []
    ordinal = 0
    for el in _blocks(document.element.body):
        if el.tag == W + "p":
            ordinal += 1
            text = paragraph_text(el)
            for piece in (clean_cell(s) for s in text.split("\n")):
                if not piece:
                    continue
                if _is_heading(el, styles, piece):
                    title = heading_text(piece) or piece
                    headings.append(title)
                    if doc.title is None:
                        doc.title = title
                else:
                    doc.blocks.append(Paragraph(piece, ordinal))
            continue
        width = len(el.findall(f"{W}tblGrid/{W}gridCol"))
        rows: list[list[Cell]] = []
        first = ordinal + 1
        for tr in (t for t in el.iter(W + "tr") if _owning_table(t) is el):
            ordinal += 1
            cells = _row_cells(tr, ordinal, budget.cells - cells_seen)
            cells_seen += len(cells)
            if any(c.text for c in cells):
                rows.append(cells)
        if not rows:
            continue
        width = max(width, *(len(r) for r in rows))
        cells_seen += sum(width - len(r) for r in rows)
        if cells_seen > budget.cells:
            raise _too_many_cells(budget)
        for r in rows:
            r.extend(Cell("", r[0].line, c) for c in range(len(r) + 1, width + 1))
        doc.blocks.append(RawTable(title=headings[-1] if headings else None, rows=rows, line=first,
                                   headings=list(headings[-4:]), layout="docx"))
    if doc.title is None and doc.paragraphs:
        doc.title = doc.paragraphs[0].text[:80]
    return doc


def _owning_table(tr):
    el = tr.getparent()
    while el is not None and el.tag != W + "tbl":
        el = el.getparent()
    return el
