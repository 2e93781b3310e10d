"""PDF files -> RawDocument.

Shapes as the text reader's (auditor.ingest.text), read from the page instead
of from an extraction:
- characters and their boxes come from pypdfium2 (`source`); ruling lines from
  the page's path objects. pdfplumber gives the same `PageData` (used by tests
  to check that both read the same rows, and when pypdfium2 is missing);
- text lines: the characters of a page clustered by their vertical position,
  numbered over the whole document (1-based, page after page), so that
  `Cell.line` and `Paragraph.line` read "the Nth line of the PDF as text";
  `RawDocument.page_starts[i]` is the first line number of page i+1 and
  `page_of_line()` turns a line back into its page;
- tables (`grid`): rebuilt from their rulings as printed (column boundaries
  from the whole table, merged cells, a label wrapped inside its cell is one
  text); on a page region without rulings, runs of lines whose words align in
  columns. Every cell of a row carries the line of the row's first text line;
- table boundaries: a table's title, its number (公开01表, 表一, 表3), its unit
  line (部门：… 单位：万元) are read from the lines above it; a table that ends
  a page continues onto the next page only when the next page starts with a
  table of the same columns and no title between: a repeated header (up to
  three rows equal to the table's first rows) is dropped, and a first row that
  only finishes the labels of the previous page's last row (a label wrapped
  over the page break) is joined to it;
- running headers and footers: lines in the top or bottom 8% of a page that
  are page numbers (第 3 页, - 3 -, 3/12, Page 3) or that repeat (digits
  ignored) on most pages are dropped;
- prose outside tables goes, in reading order, to the prose reflow
  (auditor.ingest.prose) that joins wrapped lines into sentences; a line the
  text reader's heading rule accepts (a short line ending in 表, 表N, 附件N,
  ...) or a short line in a clearly bigger font than the body is a heading: it
  becomes the title of the tables after it, exactly as in the text reader;
- scanned pages (no text layer): an error, or with OCR (`ocr=True` or the
  module flag `OCR`) and tesseract with chi_sim installed, the page is
  rendered, read by tesseract, and its rulings found in the image (`ocr`), so
  OCR tables come out in the same shape, with `RawTable.layout == "ocr"` (and
  `Paragraph.ocr = True`).

Never raises: encrypted, corrupt or truncated files, too many pages and a
spent time budget all come back as `RawDocument.error`.
"""
from __future__ import annotations

import math
import re
import shutil  # noqa: F401 - tests patch shutil.which through this module
import subprocess
import time
from bisect import bisect_right
from pathlib import Path
from statistics import median

from auditor.ingest.pdf import ocr as _ocr
from auditor.ingest.pdf.errors import (
    ERR_ENCRYPTED,
    ERR_NO_OCR,
    ERR_NO_READER,
    ERR_SCANNED,
    ERR_TRUNCATED,
    PdfReadError,
    describe,
)
from auditor.ingest.pdf.layout import join_lines, join_sep
from auditor.ingest.pdf.page import Line, Page, Table, read_page
from auditor.ingest.pdf.source import PageData, open_pdfium, pdfium_page, plumber_pages
from auditor.ingest.prose import Line as ProseLine
from auditor.ingest.prose import reflow
from auditor.ingest.raw import Cell, Paragraph, RawDocument, RawTable
from auditor.ingest.text import heading_text

ocr_available = _ocr.ocr_available

MAX_PAGES = 500          # pages; more is an error
TIME_BUDGET = 120.0      # seconds per file, checked between pages
OCR = False              # module-level default for parse_pdf(ocr=None); the CLI's --ocr sets it
SOURCE = "pdfium"        # pdfium | pdfplumber: where characters and rulings come from

BAND = 0.08              # top/bottom share of the page height where running headers/footers live
NUMBER_BAND = 0.15       # ... and where a line that is only a page number is dropped
BIG_TITLE = 1.25         # a heading's font size over the body's
_PAGE_NO = re.compile(
    r"^(?:[-—–－_·\s]*\d{1,4}[-—–－_·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$", re.IGNORECASE)
# a table's number, alone or before its title: 公开01表, 公开 01 表：收支预算总表, 公开表二, 表一, 表3-1, 附表2
TABLE_NO = re.compile(r"^(公开\s*\d{1,3}\s*表|公开\s*表\s*[\d一二三四五六七八九十]{1,3}|附表\s*[\d一二三四五六七八九十]{1,3}|"
                      r"表\s*[\d一二三四五六七八九十]{1,3}(?:\s*[-－—]\s*\d{1,2})?)(?:\s*[:：.．、]\s*|\s+|$)(.*)$")
TITLE = re.compile(r"^.{2,60}表\s*(?:[(（][^()（）]{1,24}[)）])?$")
UNIT_LINE = re.compile(r"(单位|部门|编制单位|填报单位)(名称)?\s*[:：]")
NOTE = re.compile(r"^(注|说明|备注)\s*\d*\s*[:：]")
NUMBERED = re.compile(r"^([一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．]|\d{3,}\b)")

__all__ = ["parse_pdf", "join_lines", "join_sep", "page_of_line", "ocr_available", "PdfReadError",
           "ERR_ENCRYPTED", "ERR_SCANNED", "ERR_TRUNCATED", "ERR_NO_OCR", "read_pages"]


def page_of_line(doc: RawDocument, line: int | None) -> int | None:
    """The page (1-based) a PDF line number falls on, from RawDocument.page_starts."""
    starts = getattr(doc, "page_starts", None)
    if not starts or not line:
        return None
    return max(1, bisect_right(starts, line))


# ---------------------------------------------------------------------------


def parse_pdf(file: str, path: str | Path, *, ocr: bool | None = None, max_pages: int | None = None,
              time_budget: float | None = None, password: str | None = None,
              source: str | None = None) -> RawDocument:
    """Read a PDF's tables and prose. Never raises: problems go to RawDocument.error."""
    try:
        return _parse(file, Path(path), OCR if ocr is None else ocr,
                      MAX_PAGES if max_pages is None else max_pages,
                      TIME_BUDGET if time_budget is None else time_budget, password, source or SOURCE)
    except PdfReadError as e:
        return RawDocument(file=file, error=str(e), fmt="pdf")
    except ImportError:
        return RawDocument(file=file, error=ERR_NO_READER, fmt="pdf")
    except subprocess.TimeoutExpired:
        return RawDocument(file=file, error="OCR 超时（单页识别超过时限）", fmt="pdf")
    except RecursionError:
        return RawDocument(file=file, error="PDF 结构嵌套过深，无法解析（文件可能已损坏或被构造）", fmt="pdf")
    except MemoryError:
        from auditor.ingest.limits import current

        return RawDocument(file=file, error=f"PDF 过大，读取所需内存超出上限{current().note()}，无法解析", fmt="pdf")
    except Exception as e:  # noqa: BLE001 - a bad file must never stop the others
        return RawDocument(file=file, error=describe(e), fmt="pdf")


def _check_file(path: Path) -> None:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PdfReadError(f"无法打开文件：{e.strerror or e}") from None
    if not data.lstrip().startswith(b"%PDF"):
        raise PdfReadError("不是 PDF 文件（缺少 %PDF 文件头）")
    if b"%%EOF" not in data.rstrip(b"\x00 \t\r\n")[-2048:]:
        raise PdfReadError(ERR_TRUNCATED)


def read_pages(path: Path, max_pages: int, budget: float, password: str | None, source: str, ocr: bool,
               start: float | None = None) -> list[PageData]:
    """The pages' characters and rulings (OCR for pages without a text layer)."""
    from auditor.ingest.limits import current

    start = time.monotonic() if start is None else start
    out: list[PageData] = []
    ocr_why = None
    memory = current()

    def check(i: int, total: int) -> None:
        spent = time.monotonic() - start
        if spent > budget:
            raise PdfReadError(f"PDF 读取超时（{spent:.0f} 秒内读完 {i}/{total} 页，上限 {budget:g} 秒）")


    chars = 0

    def scanned(data: PageData, i: int) -> PageData:
        nonlocal ocr_why, chars
        chars += len(data.chars)
        if chars > memory.pdf_chars:
            raise PdfReadError(f"PDF 字符过多（前 {i + 1} 页已有 {chars:,} 个，上限 {memory.pdf_chars:,} 个）{memory.note()}，"
                               "已拒绝读取")
        if not ocr or data.undecodable is False and any(c.text.strip() for c in data.chars):
            return data
        ocr_why = ocr_why or _ocr.ocr_available() or ""
        if ocr_why:
            raise PdfReadError(ERR_NO_OCR + f"：{ocr_why}")
        return _ocr.ocr_page(str(path), i, start + budget, data)

    if source == "pdfplumber":
        try:
            import pdfplumber

            with pdfplumber.open(str(path), password=password) as pdf:
                total = len(pdf.pages)
                _page_count(total, max_pages)
                for i, data in enumerate(plumber_pages_of(pdf)):
                    check(i, total)
                    out.append(scanned(data, i))
        except PdfReadError:
            raise
        except Exception as e:  # noqa: BLE001
            raise PdfReadError(describe(e)) from None
        return out
    try:
        pdf = open_pdfium(str(path), password)
    except ImportError:
        raise
    except Exception as e:  # noqa: BLE001
        raise PdfReadError(_pdfium_error(e)) from None
    try:
        total = len(pdf)
        _page_count(total, max_pages)
        for i in range(total):
            check(i, total)
            try:
                data = pdfium_page(pdf, i)
            except (PdfReadError, MemoryError):
                raise
            except Exception as e:  # noqa: BLE001
                raise PdfReadError(f"PDF 第 {i + 1} 页无法解析，文件可能已损坏（{type(e).__name__}）") from None
            out.append(scanned(data, i))
    finally:
        pdf.close()
    return out


def plumber_pages_of(pdf):
    from auditor.ingest.pdf.source import plumber_page

    for k, page in enumerate(pdf.pages):
        try:
            yield plumber_page(page, k)
        finally:
            page.close()


def _pdfium_error(e: Exception) -> str:
    text = str(e)
    if "password" in text.lower():
        return ERR_ENCRYPTED
    return describe(e)


def _page_count(total: int, max_pages: int) -> None:
    if not total:
        raise PdfReadError("PDF 没有页面")
    if total > max_pages:
        raise PdfReadError(f"PDF 页数过多（{total} 页，上限 {max_pages} 页）")


def _parse(file: str, path: Path, ocr: bool, max_pages: int, budget: float, password: str | None,
           source: str) -> RawDocument:
    start = time.monotonic()
    _check_file(path)
    data = read_pages(path, max_pages, budget, password, source, ocr, start)
    counter = [0]
    pages: list[Page] = []
    starts: list[int] = []
    for d in data:
        starts.append(counter[0] + 1)
        pages.append(read_page(d, counter))
    if not any(p.chars for p in pages):
        raise PdfReadError(ERR_SCANNED)
    doc = assemble(file, pages)
    doc.page_starts = starts
    doc.fmt = "pdf"
    return doc


# ---------------------------------------------------------------------------
# headers / footers, headings, titles, continuations, prose


def _mark_running(pages: list[Page]) -> None:
    def banded(p: Page):
        for it in p.items:
            if isinstance(it, Line) and (it.bottom <= p.height * BAND or it.top >= p.height * (1 - BAND)):
                yield it

    body = [it.size for p in pages for it in p.items if isinstance(it, Line)]
    body_size = median(body) if body else 10.0
    counts: dict[tuple[str, bool], set[int]] = {}
    for p in pages:
        for it in banded(p):
            key = (re.sub(r"\d+", "#", it.text.replace(" ", "")), it.top < p.height / 2)
            counts.setdefault(key, set()).add(p.no)
    need = max(2, math.ceil(0.5 * len(pages)))
    for p in pages:
        for it in p.items:
            if isinstance(it, Line) and _PAGE_NO.match(it.text.strip()) and \
                    (it.bottom <= p.height * NUMBER_BAND or it.top >= p.height * (1 - NUMBER_BAND)):
                it.drop = True
        for it in banded(p):
            if it.drop:
                continue
            key = (re.sub(r"\d+", "#", it.text.replace(" ", "")), it.top < p.height / 2)
            if len(pages) >= 2 and len(counts[key]) >= need and it.size <= body_size * 1.1:
                it.drop = True


def _split_number(text: str) -> list[str]:
    """"公开01表：收支预算总表" -> ["公开01表", "收支预算总表"]; other headings as they are."""
    m = TABLE_NO.match(text)
    if m and m.group(2).strip():
        return [re.sub(r"\s+", "", m.group(1)), m.group(2).strip()]
    if m:
        return [re.sub(r"\s+", "", m.group(1))]
    return [text]


def _is_number(text: str) -> bool:
    m = TABLE_NO.match(text)
    return bool(m) and not m.group(2).strip()


def _heading(line: Line, body_size: float) -> str | None:
    text = line.text
    if UNIT_LINE.search(text) and not TABLE_NO.match(text):
        return None
    head = heading_text(text)
    if head:
        return head
    big = line.size >= BIG_TITLE * body_size and len(text) <= 60 and not text.endswith("。")
    if big or TITLE.match(text.replace(" ", "")) or _is_number(text):
        return text.strip()
    return None


class _Assembler:
    def __init__(self, file: str, pages: list[Page]):
        self.pages = pages
        self.doc = RawDocument(file=file, fmt="pdf")
        sizes = [it.size for p in pages for it in p.items if isinstance(it, Line) and not it.drop]
        self.body_size = median(sizes) if sizes else 10.0
        self.headings: list[str] = []
        self.fresh: list[str] = []          # headings since the last table
        self.preamble: list[str] = []       # prose lines since the last heading
        self.prose: list[ProseLine] = []
        self.last: tuple[RawTable, Table] | None = None
        self.prev_line: Line | None = None
        self._prose_src: list[Line] = []
        self._last_big: str | None = None
        self.prose_since = False            # prose (other than notes and unit lines) since the last table

    def flush_prose(self) -> None:
        if self.prose:
            paras = reflow(self.prose)
            if any(ln.ocr for ln in self._prose_src):
                for p in paras:
                    p.ocr = True  # type: ignore[attr-defined]
            self.doc.blocks.extend(paras)
        self.prose, self._prose_src = [], []

    def add_heading(self, text: str) -> None:
        self.flush_prose()
        for part in _split_number(text):
            self.headings.append(part)
            self.fresh.append(part)
            if self.doc.title is None:
                self.doc.title = part
        self.preamble = []

    def line(self, it: Line) -> None:
        head = _heading(it, self.body_size)
        big = it.size >= BIG_TITLE * self.body_size
        prev = self.prev_line
        self.prev_line = it
        if head and big and prev is not None and self.headings and prev.page == it.page \
                and abs(prev.size - it.size) <= 0.1 * it.size and it.top - prev.bottom < 0.8 * it.size \
                and self.fresh and self.fresh[-1] == self._last_big:
            # a big title printed over two lines
            joined = join_lines([self.headings[-1], head])
            self.headings[-1] = self.fresh[-1] = joined
            if self.doc.title == self._last_big:
                self.doc.title = joined
            self._last_big = joined
            return
        if head:
            self.add_heading(head)
            self._last_big = self.headings[-1] if big else None
            return
        self._last_big = None
        if not NOTE.match(it.text) and not UNIT_LINE.search(it.text):
            self.prose_since = True
        gap = prev is not None and (prev.page != it.page or it.top - prev.bottom > 0.8 * max(it.size, prev.size))
        self.prose.append(ProseLine(it.text, it.no, 1, it.page, None, bool(gap)))
        self._prose_src.append(it)
        self.preamble.append(it.text)

    def table(self, it: Table, first_on_page: bool) -> None:
        self.prev_line = None
        self._last_big = None
        if self._continuation(it, first_on_page):
            self._join(self.last[0], self.last[1], it)
            self.last = (self.last[0], it)
            self.fresh, self.prose_since = [], False
            return
        self.flush_prose()
        heads = self.fresh
        own = [h for h in heads if not _is_number(h)]
        numbers = [h for h in heads if _is_number(h)]
        if heads:
            title = own[-1] if own else numbers[-1]
            ordered = [h for h in heads if h is not title] + [title]     # the table's own title nearest
            context = self.headings[:len(self.headings) - len(heads)] + ordered
        else:
            context, title = [], None
        raw = RawTable(title=title, rows=it.rows, line=it.line, headings=context[-4:], page=it.page,
                       layout=it.layout, preamble=list(self.preamble))
        self.doc.blocks.append(raw)
        self.last = (raw, it)
        self.fresh = []
        self.preamble = []
        self.prose_since = False

    def _continuation(self, it: Table, first_on_page: bool) -> bool:
        """A table continues the previous one when it starts its page, the
        previous one ended its page, they have the same columns and nothing
        but a repeat of the title (and unit line) stands between them."""
        if self.last is None or not first_on_page or self.prose_since:
            return False
        raw, prev = self.last
        if not self._continues(prev, it):
            return False
        if not self.fresh:
            return True
        repeated = {raw.title, *raw.headings[-2:]}
        return all(h in repeated for h in self.fresh) and bool(it.rows) and bool(raw.rows) \
            and _texts(it.rows[0]) == _texts(raw.rows[0])

    def _continues(self, prev: Table, it: Table) -> bool:
        if prev.page + 1 != it.page or not self._is_last(prev):
            return False
        return _same_columns(prev, it)

    def _is_last(self, t: Table) -> bool:
        for item in reversed(self.pages[t.page - 1].items):
            if isinstance(item, Line) and (item.drop or NOTE.match(item.text)):
                continue
            return item is t
        return False

    def _join(self, raw: RawTable, prev: Table, it: Table) -> None:
        _remap_columns(it, prev.xs)
        rows = list(it.rows)
        metas = list(it.grid_cells) if it.grid_cells else [None] * len(rows)
        for k in (3, 2, 1):
            if len(rows) > k and len(raw.rows) >= k and \
                    all(_texts(a) == _texts(b) for a, b in zip(rows[:k], raw.rows[:k])):
                rows, metas = rows[k:], metas[k:]
                break
        if rows and raw.rows and _finishes_labels(raw.rows[-1], prev.grid_cells[-1] if prev.grid_cells else None,
                                                  rows[0]):
            last = raw.rows[-1]
            for a, b in zip(last, rows[0]):
                if b.text:
                    a.text = join_lines([a.text, b.text])
            rows, metas = rows[1:], metas[1:]
        raw.rows.extend(rows)
        if prev.grid_cells is not None and it.grid_cells:
            it.grid_cells = metas   # the last row's cells, for a further page

    def run(self) -> RawDocument:
        _mark_running(self.pages)
        for p in self.pages:
            _join_title_lines(p)
            first = True
            for it in p.items:
                if isinstance(it, Line):
                    if it.drop:
                        continue
                    self.line(it)
                else:
                    self.table(it, first)
                    first = False
        self.flush_prose()
        return self.doc


def _join_title_lines(p: Page) -> None:
    """A table title printed over two lines ("公开09表：一般公共预算“三公”经费、会议费、培训费" /
    "支出预算表") is one line: the second line is short and the two together
    read as a title, which the first alone does not."""
    lines = [it for it in p.items if not isinstance(it, Line) or not it.drop]
    for a, b in zip(lines, lines[1:]):
        if not isinstance(a, Line) or not isinstance(b, Line) or a.drop or b.drop:
            continue
        if len(b.text) > 12 or re.search(r"[。；;，,]", a.text) or abs(a.size - b.size) > 0.15 * a.size \
                or b.top - a.bottom > 0.8 * a.size or UNIT_LINE.search(b.text):
            continue
        joined = join_lines([a.text, b.text])
        alone = a.text.replace(" ", "")
        if TITLE.match(joined.replace(" ", "")) and not TITLE.match(alone) and not heading_text(a.text):
            a.text, a.bottom, a.x1 = joined, max(a.bottom, b.bottom), max(a.x1, b.x1)
            b.drop = True


def _remap_columns(it: Table, xs: list[float]) -> None:
    """Put a continuation's cells into the columns of the table it continues
    (the part on the next page may draw fewer column rulings)."""
    if it.xs == xs or len(it.xs) < 2:
        return
    target = [min(range(len(xs) - 1), key=lambda j: abs(xs[j] - x)) for x in it.xs[:-1]]
    n = len(xs) - 1
    rows, metas = [], []
    for k, row in enumerate(it.rows):
        cells = [Cell("", row[0].line if row else None, j + 1) for j in range(n)]
        meta: list = [None] * n
        for c, j in zip(row, target):
            if c.text:
                cells[j] = Cell(c.text, c.line, j + 1)
        if it.grid_cells:
            for m, j in zip(it.grid_cells[k], target):
                if m is not None:
                    meta[j] = m
        rows.append(cells)
        metas.append(meta)
    it.rows, it.xs = rows, list(xs)
    if it.grid_cells:
        it.grid_cells = metas


def _texts(row: list[Cell]) -> list[str]:
    return [c.text for c in row if c.text]


def _same_columns(a: Table, b: Table) -> bool:
    if not a.grid_cells or not b.grid_cells:
        return len(a.xs) == len(b.xs)
    if abs(a.xs[0] - b.xs[0]) > 4 or abs(a.xs[-1] - b.xs[-1]) > 4:
        return False
    small, big = sorted((a.xs, b.xs), key=len)
    return all(any(abs(x - y) <= 3 for y in big) for x in small)


def _is_amount(text: str) -> bool:
    return bool(re.fullmatch(r"[-−]?[\d,，]+(\.\d+)?%?", text.strip()))


def _finishes_labels(last: list[Cell], last_cells, first: list[Cell]) -> bool:
    """Whether the first row of a continued table only finishes labels that
    the previous page's last row left wrapped at the page break."""
    filled = [k for k, c in enumerate(first) if c.text]
    if not filled or len(first) != len(last):
        return False
    for k in filled:
        text = first[k].text
        if _is_amount(text) or NUMBERED.match(text) or not last[k].text or _is_amount(last[k].text):
            return False
        if last_cells is not None:
            cell = last_cells[k] if k < len(last_cells) else None
            if cell is None or not cell.wrapped_to_edge():
                return False
    return True


def assemble(file: str, pages: list[Page]) -> RawDocument:
    return _Assembler(file, pages).run()
