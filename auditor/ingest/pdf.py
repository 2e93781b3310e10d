"""PDF files -> RawDocument, with pdfplumber (pdfminer.six underneath).

Shapes as the text reader's (auditor.ingest.text), read from the page instead
of from an extraction:
- text lines: the characters of a page clustered by their vertical position,
  numbered over the whole document (1-based, page after page), so that
  `Cell.line` and `Paragraph.line` read "the Nth line of the PDF as text";
  `RawDocument.page_starts[i]` is the first line number of page i+1 and
  `page_of_line()` turns a line back into its page;
- tables: ruled tables from pdfplumber's table finder (lines strategy); on a
  page without ruled tables, aligned text (text strategy), trimmed to the rows
  that have two or more cells. Characters go to the cell whose box holds their
  centre; a cell printed on several lines is joined without a space between
  CJK characters (`join_sep`). A merged cell prints its text in its first row
  and column and leaves the cells it covers empty, as in a text extraction.
  Every cell of a row carries the line of the row's first text line;
- a table that ends a page and a table that starts the next one with the same
  columns are one table: a repeated header (up to three rows equal to the
  table's first rows) is dropped;
- running headers and footers: lines in the top or bottom 8% of a page that
  are page numbers (第 3 页, - 3 -, 3/12, Page 3) or that repeat (digits
  ignored) on most pages are dropped;
- prose outside tables: wrapped lines are joined into paragraphs (a new one
  starts after a short line, at an indented line, after a gap, or at a change
  of font size); a paragraph that the text reader's heading rule accepts
  (a short line ending in 表, 表N, 附件N, ...) or a short line in a clearly
  bigger font than the body is a heading: it becomes the title of the tables
  after it, exactly as in the text reader;
- scanned pages (no text layer): an error, or with OCR (`ocr=True` or the
  module flag `OCR`) and tesseract with chi_sim installed, the page is
  rendered with pypdfium2, read by `tesseract ... tsv`, and its ruling lines
  are found in the image, so OCR tables come out in the same shape, with
  `RawTable.layout == "ocr"` (and `Paragraph.ocr = True`).

Never raises: encrypted, corrupt or truncated files, too many pages and a
spent time budget all come back as `RawDocument.error`.
"""
from __future__ import annotations

import logging
import math
import re
import shutil
import subprocess
import tempfile
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from statistics import median

from auditor.ingest.raw import Cell, Paragraph, RawDocument, RawTable
from auditor.ingest.text import heading_text

MAX_PAGES = 500          # pages; more is an error
TIME_BUDGET = 120.0      # seconds per file, checked between pages
OCR = False              # module-level default for parse_pdf(ocr=None); the CLI's --ocr sets it
OCR_DPI = 300
OCR_LANG = "chi_sim"
OCR_PAGE_SECONDS = 120   # one tesseract run

ERR_SCANNED = "PDF 没有文字层（扫描件），请使用 --ocr 或提供文字版"
ERR_ENCRYPTED = "PDF 已加密（设有打开密码），无法读取；请提供未加密的文件"
ERR_TRUNCATED = "PDF 文件不完整（缺少文件结尾 %%EOF，可能在下载或复制时被截断）"
ERR_NO_OCR = ("PDF 没有文字层（扫描件），已要求 OCR，但未安装 tesseract 或其中文语言包 chi_sim"
              "（apt-get install tesseract-ocr tesseract-ocr-chi-sim），请安装后重试或提供文字版")
ERR_NO_PDFPLUMBER = "读取 PDF 需要 pdfplumber：pip install 'auditor[pdf]'（或 pip install pdfplumber）"

BAND = 0.08              # top/bottom share of the page height where running headers/footers live
BIG_TITLE = 1.25         # a heading's font size over the body's
_LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_TEXT = {"vertical_strategy": "text", "horizontal_strategy": "text"}
_PAGE_NO = re.compile(
    r"^(?:[-—–－_·\s]*\d{1,4}[-—–－_·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$", re.IGNORECASE)

logging.getLogger("pdfminer").setLevel(logging.ERROR)


class PdfReadError(Exception):
    """A problem with the file, worded for the user (Chinese)."""


def join_sep(a: str, b: str) -> str:
    """The separator when a line ending in character `a` continues with a line
    starting with `b`: a space between two ASCII words ("Page" / "3"), nothing
    otherwise (CJK, digits split inside a number, punctuation)."""
    if a.isascii() and b.isascii() and a.isalnum() and b.isalnum() and not (a.isdigit() and b.isdigit()):
        return " "
    return ""


def join_lines(lines: list[str]) -> str:
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        out = out + join_sep(out[-1], line[0]) + line if out else line
    return out


def page_of_line(doc: RawDocument, line: int | None) -> int | None:
    """The page (1-based) a PDF line number falls on, from RawDocument.page_starts."""
    starts = getattr(doc, "page_starts", None)
    if not starts or not line:
        return None
    return max(1, bisect_right(starts, line))


# ---------------------------------------------------------------------------
# characters -> lines


def _size(c: dict) -> float:
    return float(c.get("size") or (c["bottom"] - c["top"]) or 10.0)


def _cluster_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters -> text lines, top to bottom, each sorted left to right.
    OCR words keep the lines tesseract found (their "_tl" key)."""
    if chars and "_tl" in chars[0]:
        groups: dict[tuple, list[dict]] = {}
        for c in chars:
            groups.setdefault(c["_tl"], []).append(c)
        ordered = sorted(groups.values(), key=lambda g: (median((c["top"] + c["bottom"]) / 2 for c in g),
                                                         min(c["x0"] for c in g)))
        return [sorted(g, key=lambda c: c["x0"]) for g in ordered]
    lines: list[list[dict]] = []
    top = bottom = 0.0
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        tol = max(1.5, 0.3 * _size(c))
        if lines and (abs(c["top"] - top) <= tol or abs(c["bottom"] - bottom) <= tol):
            lines[-1].append(c)
        else:
            lines.append([c])
            top, bottom = c["top"], c["bottom"]
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    return lines


_SPACES = re.compile(r"[ \u3000\u00a0]+")


def _line_text(chars: list[dict], ocr: bool = False) -> str:
    out: list[str] = []
    prev: dict | None = None
    pending = False
    for c in chars:
        t = c["text"]
        if not t.strip():
            pending = prev is not None
            continue
        if prev is not None:
            size = max(_size(c), _size(prev))
            gap = c["x0"] - prev["x1"]
            if t == prev["text"] and abs(c["x0"] - prev["x0"]) < 0.3 * size and not ocr:
                continue      # the same glyph printed twice (fake bold)
            if ocr:
                space = (pending or gap > 0.3 * size) and out[-1][-1].isascii() and t[0].isascii()
            else:
                space = pending or gap > 0.5 * size
            if space:
                out.append(" ")
        out.append(t)
        prev = c
        pending = False
    return _SPACES.sub(" ", "".join(out)).strip()


def _cell_text(chars: list[dict], ocr: bool = False) -> str:
    return join_lines([_line_text(line, ocr) for line in _cluster_lines(chars)])


# ---------------------------------------------------------------------------
# one page -> items


@dataclass
class _Line:
    no: int
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    page: int
    ocr: bool = False
    drop: bool = False
    lead_w: float = 0.0     # width of the first word (an ASCII run, or one character)


@dataclass
class _Table:
    rows: list[list[Cell]]
    top: float
    bottom: float
    widths: list[float]          # column widths, to tell a continuation on the next page
    page: int
    layout: str
    line: int | None = None


@dataclass
class _Page:
    no: int
    width: float
    height: float
    items: list = field(default_factory=list)     # _Line | _Table, top to bottom
    chars: int = 0


def _table_rows(table, chars: list[dict], ocr: bool) -> tuple[list[list[Cell]], list[list[dict]]]:
    """Characters -> the table's rows of Cells (rows without text left out), and
    for each row kept the characters that went into it."""
    cells = table.cells
    xs = sorted({round(v, 2) for c in cells for v in (c[0], c[2])})
    ys = sorted({round(v, 2) for c in cells for v in (c[1], c[3])})
    pos: dict[tuple, tuple[int, int]] = {}
    for r, row in enumerate(table.rows):
        for k, bbox in enumerate(row.cells):
            if bbox is not None:
                pos[tuple(bbox)] = (r, k)
    slot: dict[tuple[int, int], tuple] = {}
    for bbox in cells:
        i0, i1 = bisect_right(xs, round(bbox[0], 2)) - 1, bisect_right(xs, round(bbox[2], 2)) - 1
        j0, j1 = bisect_right(ys, round(bbox[1], 2)) - 1, bisect_right(ys, round(bbox[3], 2)) - 1
        for i in range(i0, max(i1, i0 + 1)):
            for j in range(j0, max(j1, j0 + 1)):
                slot[(i, j)] = tuple(bbox)
    by_cell: dict[tuple, list[dict]] = {}
    x_lo, x_hi, y_lo, y_hi = xs[0], xs[-1], ys[0], ys[-1]
    for c in chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if not (x_lo <= cx < x_hi and y_lo <= cy < y_hi):
            continue
        bbox = slot.get((bisect_right(xs, cx) - 1, bisect_right(ys, cy) - 1))
        if bbox is not None and bbox in pos:
            by_cell.setdefault(bbox, []).append(c)
    nrows = len(table.rows)
    ncols = max((len(r.cells) for r in table.rows), default=0)
    grid: list[list[str]] = [[""] * ncols for _ in range(nrows)]
    row_chars: list[list[dict]] = [[] for _ in range(nrows)]
    for bbox, cs in by_cell.items():
        r, k = pos[bbox]
        grid[r][k] = _cell_text(cs, ocr)
        row_chars[r] += cs
    rows: list[list[Cell]] = []
    kept: list[list[dict]] = []
    for r in range(nrows):
        if not any(grid[r]):
            continue
        line = min((c["_ln"] for c in row_chars[r] if c["text"].strip()), default=None)
        rows.append([Cell(t, line, k + 1) for k, t in enumerate(grid[r])])
        kept.append(row_chars[r])
    return rows, kept


def _col_widths(table) -> list[float]:
    xs = sorted({round(c[0], 1) for c in table.cells} | {round(max(c[2] for c in table.cells), 1)})
    return [b - a for a, b in pairwise(xs)]


def _read_page(page, pno: int, counter: list[int], ocr_words: list[dict] | None = None,
               ocr_tables: list | None = None) -> _Page:
    ocr = ocr_words is not None
    if ocr:
        chars = ocr_words
    else:
        chars = [c for c in page.chars if c.get("upright", True) and c["text"]]
        undecoded = sum(1 for c in chars if c["text"].startswith("(cid:"))
        if undecoded and undecoded >= 0.5 * len(chars):
            chars = []          # glyphs without a Unicode mapping: no usable text layer
    out = _Page(pno, float(page.width), float(page.height), chars=sum(1 for c in chars if c["text"].strip()))
    visible = [c for c in chars if c["text"].strip()]
    if not visible:
        return out
    lines = _cluster_lines(chars)
    numbered = []
    for line in lines:
        if not any(c["text"].strip() for c in line):
            continue
        counter[0] += 1
        for c in line:
            c["_ln"] = counter[0]
        numbered.append(line)
    for line in lines:                      # space-only lines
        for c in line:
            c.setdefault("_ln", counter[0])

    layout = "ocr" if ocr else "pdf"
    tables = ocr_tables if ocr else [t for t in page.find_tables(_LINES) if len(t.cells) >= 2]
    strategy_text = False
    if not tables and not ocr:
        tables = [t for t in page.find_tables(_TEXT) if len(t.cells) >= 4]
        strategy_text = True
    in_table: set[int] = set()
    found: list[_Table] = []
    for t in tables:
        x0, top, x1, bottom = t.bbox
        mine = [c for c in chars if id(c) not in in_table
                and x0 - 1 <= (c["x0"] + c["x1"]) / 2 <= x1 + 1 and top - 1 <= (c["top"] + c["bottom"]) / 2 <= bottom + 1]
        rows, kept = _table_rows(t, mine, ocr)
        if strategy_text:
            # aligned text: keep the rows with two or more cells, from the first such row to the last
            full = [i for i, r in enumerate(rows) if sum(1 for c in r if c.text) >= 2]
            if len(full) < 2 or len(full) < 0.5 * (full[-1] + 1 - full[0]):
                continue
            rows, kept = rows[full[0]:full[-1] + 1], kept[full[0]:full[-1] + 1]
            used = [c for cs in kept for c in cs if c["text"].strip()]
            top, bottom = min(c["top"] for c in used), max(c["bottom"] for c in used)
            widths = [0.0] * max(len(r) for r in rows)
        else:
            widths = _col_widths(t)
        if not rows:
            continue
        in_table.update(id(c) for cs in kept for c in cs)
        found.append(_Table(rows, top, bottom, widths, pno, layout,
                            line=min((c.line for r in rows for c in r if c.line), default=None)))
    for line in numbered:
        rest = [c for c in line if id(c) not in in_table]
        if not any(c["text"].strip() for c in rest):
            continue
        vis = [c for c in rest if c["text"].strip()]
        text = _line_text(rest, ocr)
        if not text:
            continue
        k = 0
        while k + 1 < len(vis) and vis[k]["text"].isascii() and vis[k + 1]["text"].isascii() \
                and vis[k + 1]["x0"] - vis[k]["x1"] < 0.2 * _size(vis[k]):
            k += 1
        out.items.append(_Line(vis[0]["_ln"], text, min(c["top"] for c in vis), max(c["bottom"] for c in vis),
                               min(c["x0"] for c in vis), max(c["x1"] for c in vis),
                               median(_size(c) for c in vis), pno, ocr, lead_w=vis[k]["x1"] - vis[0]["x0"]))
    out.items += found
    out.items.sort(key=lambda it: (it.top, 0 if isinstance(it, _Table) else 1))
    return out


# ---------------------------------------------------------------------------
# OCR


def ocr_available() -> str | None:
    """None when tesseract with chi_sim can run, else why not."""
    exe = shutil.which("tesseract")
    if not exe:
        return "未找到 tesseract"
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        return f"tesseract 无法运行（{type(e).__name__}）"
    if OCR_LANG not in (langs.stdout + langs.stderr).split():
        return f"tesseract 缺少语言包 {OCR_LANG}"
    return None


def _ruling_edges(gray, scale: float) -> tuple[list[dict], list[dict]]:
    """Long dark runs in a page image -> vertical and horizontal edges, in PDF points."""
    import numpy as np

    dark = np.asarray(gray) < 140
    h_px, w_px = dark.shape

    def runs(mask, min_len: int) -> list[tuple[int, int, int]]:
        found = []
        padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = mask
        diff = np.diff(padded, axis=1)
        for y in np.nonzero(mask.sum(axis=1) >= min_len)[0]:
            starts = np.nonzero(diff[y] == 1)[0]
            ends = np.nonzero(diff[y] == -1)[0]
            for s, e in zip(starts, ends):
                if e - s >= min_len:
                    found.append((int(y), int(s), int(e)))
        return found

    def merge(segs: list[tuple[int, int, int]]) -> list[tuple[float, int, int]]:
        """Runs on adjacent pixel rows (a thick line) -> one line at their middle."""
        out: list[list] = []
        for y, s, e in sorted(segs):
            for m in reversed(out):
                if y - m[3] > 2:
                    m = None
                    break
                if abs(s - m[1]) <= 6 and abs(e - m[2]) <= 6:
                    break
            else:
                m = None
            if m is None:
                out.append([y, s, e, y])
            else:
                m[3] = y
                m[1], m[2] = min(m[1], s), max(m[2], e)
        return [((m[0] + m[3]) / 2, m[1], m[2]) for m in out]

    h_min = max(40, w_px // 12)
    v_min = max(30, int(h_px * 0.012))
    horizontal = merge(runs(dark, h_min))
    vertical = merge(runs(dark.T, v_min))
    hs = [{"object_type": "line", "x0": s / scale, "x1": e / scale, "top": y / scale, "bottom": y / scale,
           "width": (e - s) / scale, "height": 0} for y, s, e in horizontal]
    vs = [{"object_type": "line", "x0": x / scale, "x1": x / scale, "top": s / scale, "bottom": e / scale,
           "width": 0, "height": (e - s) / scale} for x, s, e in vertical]
    return vs, hs


def _tesseract(images: list, psm: int, deadline: float, tmp: Path) -> list[list[dict]]:
    """Run tesseract once over several images; for each, its words in pixels."""
    paths = []
    for k, im in enumerate(images):
        path = tmp / f"i{k}.png"
        im.save(path)
        paths.append(str(path))
    listing = tmp / f"list{psm}.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    timeout = max(5.0, min(OCR_PAGE_SECONDS, deadline - time.monotonic()))
    proc = subprocess.run(["tesseract", str(listing), "stdout", "-l", OCR_LANG, "--psm", str(psm), "tsv"],
                          capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise PdfReadError(f"OCR 失败（tesseract 退出码 {proc.returncode}：{proc.stderr.strip()[-120:]}）")
    out: list[list[dict]] = [[] for _ in images]
    for row in proc.stdout.splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        try:
            k = int(parts[1]) - 1
            left, top, width, height = (int(v) for v in parts[6:10])
            if float(parts[10]) < 0 or not 0 <= k < len(images):
                continue
        except ValueError:
            continue
        out[k].append({"text": parts[11].strip(), "left": left, "top": top, "width": width, "height": height,
                       "line": (k, parts[2], parts[3], parts[4])})
    return out


def _ocr_page(path: str, page, index: int, deadline: float) -> tuple[list[dict], list]:
    """Render one page and read it with tesseract: the ruling lines found in the
    image give the tables (pdfplumber's finder on explicit lines), each cell is
    read on its own (lines painted out), the rest of the page as a whole.
    Returns word boxes as pseudo-characters in PDF points, and the tables."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    scale = OCR_DPI / 72
    doc = pdfium.PdfDocument(path)
    try:
        image = doc[index].render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    v, h = _ruling_edges(image, scale)
    tables = []
    if len(v) >= 2 and len(h) >= 2:
        settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                    "explicit_vertical_lines": v, "explicit_horizontal_lines": h}
        tables = [t for t in page.find_tables(settings) if len(t.cells) >= 2]
    clean = image.copy()
    draw = ImageDraw.Draw(clean)
    for e in v + h:
        draw.rectangle([e["x0"] * scale - 3, e["top"] * scale - 3, e["x1"] * scale + 3, e["bottom"] * scale + 3],
                       fill=255)
    crops, origins = [], []
    for t in tables:
        for x0, top, x1, bottom in t.cells:
            box = (int(x0 * scale) + 2, int(top * scale) + 2, int(x1 * scale) - 2, int(bottom * scale) - 2)
            if box[2] - box[0] < 4 or box[3] - box[1] < 4:
                continue
            crop = clean.crop(box)
            if crop.getextrema()[0] > 140:          # nothing dark: an empty cell
                continue
            padded = Image.new("L", (crop.width + 40, crop.height + 40), 255)
            padded.paste(crop, (20, 20))
            crops.append(padded)
            origins.append((box[0] - 20, box[1] - 20))
    rest = clean.copy()
    draw = ImageDraw.Draw(rest)
    for t in tables:
        x0, top, x1, bottom = t.bbox
        draw.rectangle([x0 * scale, top * scale, x1 * scale, bottom * scale], fill=255)
    words: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="auditor-ocr-") as tmp:
        found = _tesseract([rest], 3, deadline, Path(tmp))
        if crops:
            found += _tesseract(crops, 6, deadline, Path(tmp))
    for k, ws in enumerate(found):
        ox, oy = (0, 0) if k == 0 else origins[k - 1]
        for w in ws:
            x0, top = (ox + w["left"]) / scale, (oy + w["top"]) / scale
            words.append({"text": w["text"], "x0": x0, "x1": x0 + w["width"] / scale, "top": top,
                          "bottom": top + w["height"] / scale, "size": w["height"] / scale, "upright": True,
                          "_tl": (k,) + w["line"]})
    return words, tables


# ---------------------------------------------------------------------------
# headers / footers, paragraphs, headings, continuations


def _mark_running(pages: list[_Page]) -> None:
    def banded(p: _Page):
        for it in p.items:
            if isinstance(it, _Line) and (it.bottom <= p.height * BAND or it.top >= p.height * (1 - BAND)):
                yield it

    body = [it.size for p in pages for it in p.items if isinstance(it, _Line)]
    body_size = median(body) if body else 10.0
    counts: dict[tuple[str, bool], set[int]] = {}
    for p in pages:
        for it in banded(p):
            key = (re.sub(r"\d+", "#", it.text.replace(" ", "")), it.top < p.height / 2)
            counts.setdefault(key, set()).add(p.no)
    need = max(2, math.ceil(0.5 * len(pages)))
    for p in pages:
        for it in banded(p):
            if _PAGE_NO.match(it.text.strip()):
                it.drop = True
                continue
            key = (re.sub(r"\d+", "#", it.text.replace(" ", "")), it.top < p.height / 2)
            if len(pages) >= 2 and len(counts[key]) >= need and it.size <= body_size * 1.1:
                it.drop = True


@dataclass
class _Para:
    lines: list[_Line]

    @property
    def text(self) -> str:
        return join_lines([ln.text for ln in self.lines])


def _paragraphs(pages: list[_Page], body_size: float) -> list:
    """Items with prose lines grouped into paragraphs; tables pass through."""
    out: list = []
    current: _Para | None = None
    prev_right = 0.0
    for p in pages:
        lines = [it for it in p.items if isinstance(it, _Line) and not it.drop]
        left = min((ln.x0 for ln in lines), default=0.0)
        right = max((ln.x1 for ln in lines), default=p.width)
        prev: _Line | None = current.lines[-1] if current else None
        for it in p.items:
            if isinstance(it, _Table):
                current, prev = None, None
                out.append(it)
                continue
            if it.drop:
                continue
            em = it.size or body_size
            starts = True
            if current is not None and prev is not None:
                big = max(it.size, prev.size) >= BIG_TITLE * body_size
                same_size = abs(it.size - prev.size) <= 0.15 * max(it.size, prev.size)
                # the previous line ended early if the first word of this one would have fitted after it
                room = (prev_right if prev.page != it.page else right) - prev.x1
                prev_full = room < it.lead_w + 0.5 * em
                indented = it.x0 > left + 0.8 * em
                if prev.page == it.page:
                    gap = it.top - prev.bottom
                    close = gap <= 0.9 * max(it.size, prev.size)
                else:
                    close = True
                starts = not (same_size and not big and prev_full and not indented and close)
            if starts:
                current = _Para([it])
                out.append(current)
            else:
                current.lines.append(it)
            prev = it
        prev_right = right
    return out


def _same_columns(a: _Table, b: _Table) -> bool:
    if len(a.widths) != len(b.widths):
        return False
    return all(abs(x - y) <= 3 for x, y in zip(a.widths, b.widths))


def _texts(row: list[Cell]) -> list[str]:
    return [c.text for c in row if c.text]


# ---------------------------------------------------------------------------


def parse_pdf(file: str, path: str | Path, *, ocr: bool | None = None, max_pages: int | None = None,
              time_budget: float | None = None, password: str | None = None) -> RawDocument:
    """Read a PDF's tables and prose. Never raises: problems go to RawDocument.error."""
    try:
        return _parse(file, Path(path), OCR if ocr is None else ocr,
                      MAX_PAGES if max_pages is None else max_pages,
                      TIME_BUDGET if time_budget is None else time_budget, password)
    except PdfReadError as e:
        return RawDocument(file=file, error=str(e), fmt="pdf")
    except ImportError:
        return RawDocument(file=file, error=ERR_NO_PDFPLUMBER, fmt="pdf")
    except subprocess.TimeoutExpired:
        return RawDocument(file=file, error="OCR 超时（单页识别超过时限）", fmt="pdf")
    except RecursionError:
        return RawDocument(file=file, error="PDF 结构嵌套过深，无法解析（文件可能已损坏或被构造）", fmt="pdf")
    except MemoryError:
        return RawDocument(file=file, error="PDF 过大，内存不足，无法解析", fmt="pdf")
    except Exception as e:  # noqa: BLE001 - a bad file must never stop the others
        return RawDocument(file=file, error=_describe(e), fmt="pdf")


def _describe(e: BaseException) -> str:
    inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e
    name = type(inner).__name__
    if "Password" in name or "Encrypt" in name:
        return ERR_ENCRYPTED
    detail = str(inner).strip()[:120]
    return f"PDF 文件已损坏，无法解析（{name}{'：' + detail if detail else ''}）"


def _parse(file: str, path: Path, ocr: bool, max_pages: int, budget: float, password: str | None) -> RawDocument:
    start = time.monotonic()
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PdfReadError(f"无法打开文件：{e.strerror or e}") from None
    if not data.lstrip().startswith(b"%PDF"):
        raise PdfReadError("不是 PDF 文件（缺少 %PDF 文件头）")
    if b"%%EOF" not in data.rstrip(b"\x00 \t\r\n")[-2048:]:
        raise PdfReadError(ERR_TRUNCATED)
    import pdfplumber

    try:
        pdf = pdfplumber.open(str(path), password=password)
    except Exception as e:  # noqa: BLE001
        raise PdfReadError(_describe(e)) from None
    try:
        try:
            pages = pdf.pages
        except Exception as e:  # noqa: BLE001
            raise PdfReadError(_describe(e)) from None
        if not pages:
            raise PdfReadError("PDF 没有页面")
        if len(pages) > max_pages:
            raise PdfReadError(f"PDF 页数过多（{len(pages)} 页，上限 {max_pages} 页）")
        ocr_why = None
        counter = [0]
        read: list[_Page] = []
        starts: list[int] = []
        for i, page in enumerate(pages):
            spent = time.monotonic() - start
            if spent > budget:
                raise PdfReadError(f"PDF 读取超时（{spent:.0f} 秒内读完 {i}/{len(pages)} 页，上限 {budget:g} 秒）")
            starts.append(counter[0] + 1)
            try:
                pg = _read_page(page, i + 1, counter)
                if pg.chars == 0 and ocr:
                    ocr_why = ocr_why or ocr_available() or ""
                    if ocr_why:
                        raise PdfReadError(ERR_NO_OCR + f"：{ocr_why}")
                    words, tables = _ocr_page(str(path), page, i, start + budget)
                    pg = _read_page(page, i + 1, counter, ocr_words=words, ocr_tables=tables)
            except PdfReadError:
                raise
            except subprocess.TimeoutExpired:
                raise
            except Exception as e:  # noqa: BLE001
                inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e
                raise PdfReadError(f"PDF 第 {i + 1} 页无法解析，文件可能已损坏（{type(inner).__name__}）") from None
            finally:
                page.close()
            read.append(pg)
    finally:
        pdf.close()
    if not any(p.chars for p in read):
        raise PdfReadError(ERR_SCANNED)
    doc = _assemble(file, read)
    doc.page_starts = starts
    doc.fmt = "pdf"
    return doc


def _assemble(file: str, pages: list[_Page]) -> RawDocument:
    _mark_running(pages)
    sizes = [it.size for p in pages for it in p.items if isinstance(it, _Line) and not it.drop]
    body_size = median(sizes) if sizes else 10.0
    doc = RawDocument(file=file, fmt="pdf")
    headings: list[str] = []
    last_table: tuple[RawTable, _Table] | None = None
    for item in _paragraphs(pages, body_size):
        if isinstance(item, _Table):
            if last_table is not None and last_table[1].page + 1 == item.page and _same_columns(last_table[1], item) \
                    and _is_first_table(pages, item) and _is_last_table(pages, last_table[1]):
                raw = last_table[0]
                rows = list(item.rows)
                for k in (3, 2, 1):
                    if len(rows) > k and len(raw.rows) >= k and \
                            all(_texts(a) == _texts(b) for a, b in zip(rows[:k], raw.rows[:k])):
                        rows = rows[k:]
                        break
                raw.rows.extend(rows)
                last_table = (raw, item)
                continue
            raw = RawTable(title=headings[-1] if headings else None, rows=item.rows, line=item.line,
                           headings=list(headings[-4:]), page=item.page, layout=item.layout)
            doc.blocks.append(raw)
            last_table = (raw, item)
            continue
        text = item.text
        first = item.lines[0]
        big = len(item.lines) <= 2 and first.size >= BIG_TITLE * body_size and len(text) <= 60 \
            and not text.endswith("。")
        head = heading_text(text) or (text if big else None)
        last_table = None
        if head:
            headings.append(head)
            if doc.title is None:
                doc.title = head
            continue
        para = Paragraph(text, first.no, page=first.page)
        if first.ocr:
            para.ocr = True  # type: ignore[attr-defined]
        doc.blocks.append(para)
    return doc


def _is_first_table(pages: list[_Page], t: _Table) -> bool:
    for it in pages[t.page - 1].items:
        if isinstance(it, _Line) and it.drop:
            continue
        return it is t
    return False


def _is_last_table(pages: list[_Page], t: _Table) -> bool:
    for it in reversed(pages[t.page - 1].items):
        if isinstance(it, _Line) and it.drop:
            continue
        return it is t
    return False
