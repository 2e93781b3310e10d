"""Text extracted from PDF/Word/web pages -> RawDocument: segment first, then read
each block.

Every line is first given a shape, then runs of lines of one shape become blocks:

- **headings**: ``# …``, ``表N``, ``附件N``, a line ending in ``表`` or
  ``表（2022年度）`` / ``表（功能科目）``. A heading closes the block before it and
  titles the next table.
- **row tables**, one table row per line, cells separated by tabs (the seeds' row
  layout), by pipes (``a | b | c |``, markdown ``| a | b |`` with its ``|---|``
  line dropped). Pipes are read as tabs, so every separator gives the same cells.
- **cell tables** (the seeds' cell layout): one cell per line, each line starting
  with a tab, rows separated by blank lines.
- **aligned tables** (``pdftotext -layout``): columns aligned with runs of spaces;
  column boundaries come from the whitespace the lines share
  (auditor.ingest.aligned).
- **cell streams**: a table flattened one cell per line or per paragraph (web pages,
  Word tables pasted as text, PDF text layers): cells ending in `` |``, bare ``|``
  separator lines, or a run of short cells (header words, codes, amounts) amid the
  prose. Row boundaries are kept where the text shows them (a longer run of blank
  lines), otherwise the stream is one row of cells that auditor.recognize rebuilds
  from the table's header (``layout="stream"``). A stream taken from a PDF text
  layer (form feeds between pages) keeps the reading order of the PDF, which is not
  always the order of the rows: ``layout="pdfcells"``, never rebuilt by guessing.
- **run-on rows**: cells run together on one line, the figures standing alone
  between the words (``layout="runon"``), cut by the labels they hold in
  auditor.recognize.stream.
- **prose**: everything else, handed to auditor.ingest.prose.reflow as
  ``Line(text, line, col, page, blank_before=…)``.

Page numbers next to a page break (form feed) and running headers or footers
repeated on the pages are dropped. Cells keep their line and position (1-based
cell column), so findings point at the printed figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.ingest import aligned
from auditor.ingest.prose import Line, reflow
from auditor.ingest.raw import Cell, RawDocument, RawTable
from auditor.textfold import match_key

_HEADING = re.compile(
    r"^(#{1,6}\s+.+|\*\*.+\*\*|表\s*\d+|附件\s*[\d\-－]+|.{2,60}(表|表\s*[(（]\s*\d{4}\s*年度?\s*[)）]))$")
# a table title with a short qualifier after it: 财政拨款支出预算表（功能科目）, 自评表(昌龙鸿运)
_TITLE_QUALIFIED = re.compile(r"^.{2,60}表\s*[(（][^()（）]{1,12}[)）]$")
PROSE_MIN = 40


def heading_text(line: str) -> str | None:
    s = line.strip()
    if not s or "\t" in line.strip("\n").lstrip("\t") and line.count("\t") > 1:
        return None
    if _HEADING.match(s):
        return re.sub(r"^#+\s*|\*\*", "", s).strip()
    return None


def _heading(line: str) -> str | None:
    """heading_text, plus the qualified table titles of text renditions."""
    head = heading_text(line)
    if head is None and "\t" not in line:
        s = line.strip()
        if _TITLE_QUALIFIED.match(s) and not re.search(r"[。；，,]", s):
            return s
    return head


# ---------------------------------------------------------------- the seeds' layouts (tabs)

def _is_cell_line(line: str) -> bool:
    return line.startswith("\t") and "\t" not in line[1:]


def _cell_rows(lines: list[tuple[int, str]]) -> list[list[Cell]]:
    """Cell layout: a tab line after a blank starts a row; a line without a tab
    continues the previous cell; a group of blank cells belongs to the row before."""
    rows: list[list[Cell]] = []
    current: list[Cell] = []
    blank_before = True
    for no, line in lines:
        if not line.strip(" \r\n"):
            # only a truly empty line separates rows; a lone ideographic space continues a cell
            blank_before = True
            continue
        if line.startswith("\t"):
            text = line[1:].strip().replace("\u3000", " ").strip()
            if blank_before and current:
                rows.append(current)
                current = []
            current.append(Cell(text, no, len(current) + 1))
        elif current:
            prev = current[-1]
            add = line.strip().replace("\u3000", " ").strip()
            sep = " " if prev.text and add and prev.text[-1].isascii() and add[0].isascii() else ""
            prev.text = (prev.text + sep + add).strip()
        else:
            current.append(Cell(line.strip(), no, 1))
        blank_before = False
    if current:
        rows.append(current)
    merged: list[list[Cell]] = []
    for row in rows:
        if merged and all(not c.text for c in row):
            for c in row:
                c.col = len(merged[-1]) + 1
                merged[-1].append(c)
        else:
            merged.append(row)
    return merged


def _row_cells(no: int, line: str) -> list[Cell]:
    parts = line.rstrip("\r\n").split("\t")
    return [Cell(p.strip().replace("\u3000", " ").strip(), no, i + 1) for i, p in enumerate(parts)]


# ---------------------------------------------------------------- line shapes

MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
NUMERIC_CELL = re.compile(r"^(?:[<>≤≥=＜＞≦≧]=?\s*)?[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*[%‰]?$|^[-—－/／–~～]+$")
SENTENCE = re.compile(r"[。；！？!?]")
CELL_MAX = 24       # characters of a cell that is not prose (a long name or label)
PAGE_MARK = re.compile(r"^(?:[-—–─]\s*)?\d{1,4}(?:\s*[-—–─])?$|^第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?$|^\d{1,4}\s*/\s*\d{1,4}$")
DECORATED_PAGE = re.compile(r"^[-—–─]\s*\d{1,4}\s*[-—–─]$|^第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?$")


def _pipe_cells(line: str) -> list[str] | None:
    """The cells of a pipe row (`a | b | c |`, `| a | b |`), or None for a line that is not one."""
    s = line.strip()
    if "|" not in s or MD_SEPARATOR.match(s):
        return None
    body = s[1:] if s.startswith("|") else s
    body = body[:-1] if body.endswith("|") else body
    parts = body.split("|")
    if len(parts) < 2:
        return None
    return [p.strip() for p in parts]


def _terminated(line: str) -> str | None:
    """A single cell ended by a pipe (`238.93 |`) -> its text; a bare `|` -> ''."""
    s = line.strip()
    if not s.endswith("|"):
        return None
    body = s[:-1]
    if "|" in body.strip().rstrip("|"):
        return None
    return body.strip().strip("|").strip()


# a token that only makes sense inside a sentence: a unit or a closing bracket first,
# a connecting word or an opening bracket last (为 / 增加 / 占 / 万元 …)
FRAGMENT = re.compile(r"^(万元|亿元|元|%|％|[)）”’、，,:：])|([(（“‘为的占比较与和及是达共约]|增加|减少|增长|下降|上升|降低|相比)$|"
                      r"\d\s*(万元|亿元|元)|[\x00-\x7f]{0,2}[^\x00-\x7f] [^\x00-\x7f] ")


def is_numeric_cell(text: str) -> bool:
    return bool(NUMERIC_CELL.match(match_key(text)))


def _cell_like(text: str) -> bool:
    """Short enough and shaped like a table cell, not a piece of a sentence."""
    s = text.strip()
    if not s:
        return False
    k = match_key(s)
    if is_numeric_cell(s):
        return True
    if len(k) > CELL_MAX or SENTENCE.search(k):
        return False
    # a piece of a wrapped sentence keeps its commas; a cell rarely has one
    return not re.search(r"[，,、]$|^[，,、）)]", k) and k.count("，") + k.count(",") <= 1


@dataclass
class _Page:
    breaks: set[int] = field(default_factory=set)   # line numbers that start a new page


def _pages(lines: list[str]) -> tuple[list[int], set[int]]:
    """Page of every line (form feeds count pages) and the lines a form feed starts."""
    page, pages, starts = 1, [], set()
    for no, raw in enumerate(lines, 1):
        if "\f" in raw:
            page += raw.count("\f")
            starts.add(no)
        pages.append(page)
    return pages, starts


def _dropped(lines: list[str], starts: set[int]) -> set[int]:
    """Line numbers of page numbers and running headers/footers."""
    drop: set[int] = set()
    n = len(lines)
    nonblank = [no for no in range(1, n + 1) if lines[no - 1].strip(" \t\f\r\u3000\xa0")]
    if starts:
        # the first and last lines of every page
        edges: list[int] = []
        bounds = sorted({1} | starts)
        for a, b in zip(bounds, bounds[1:] + [n + 1]):
            page_lines = [no for no in nonblank if a <= no < b]
            edges += page_lines[:2] + page_lines[-2:]
        for no in edges:
            s = lines[no - 1].strip(" \t\f\r\u3000\xa0")
            if PAGE_MARK.match(s):
                drop.add(no)
        keys: dict[str, list[int]] = {}
        for no in set(edges):
            k = re.sub(r"\d+", "#", match_key(lines[no - 1]))
            if 4 <= len(k) <= 40:
                keys.setdefault(k, []).append(no)
        for k, nos in keys.items():
            if len(nos) >= 3 and len(nos) >= 0.3 * (len(starts) + 1):
                drop.update(nos)
    for no in nonblank:
        if DECORATED_PAGE.match(lines[no - 1].strip(" \t\f\r\u3000\xa0")):
            drop.add(no)
    return drop


# ---------------------------------------------------------------- blocks found before the main pass

@dataclass
class _Block:
    start: int                 # first line number
    end: int                   # last line number
    table: RawTable | None     # None: the lines are prose after all
    preamble: list[str] = field(default_factory=list)


PREAMBLE = re.compile(r"^(部门|单位|编制单位|填报单位|预算单位|单位名称)[:：]|单位[:：]\s*(万元|元|千元|亿元)")


def _aligned_blocks(lines: list[str], usable: list[bool], pages: list[int]) -> list[_Block]:
    """Tables aligned with runs of spaces: runs of lines of two or more tokens, with
    the single-token lines inside them, up to a heading or a line of prose."""
    out: list[_Block] = []
    n = len(lines)
    no = 1
    while no <= n:
        if not usable[no - 1] or not _aligned_row(lines[no - 1]):
            no += 1
            continue
        start, last, rows_with_amounts, rows = no, no, 0, 0
        k = no
        while k <= n:
            raw = lines[k - 1]
            if not usable[k - 1]:
                if _heading(raw.strip("\f")) or "\t" in raw:
                    break
                k += 1
                continue
            s = raw.strip(" \f\r\u3000\xa0")
            if not s:
                k += 1
                continue
            if _heading(raw.strip("\f")) and not _aligned_row(raw):
                break
            toks = aligned.tokens(raw.replace("\f", ""))
            if aligned.is_row(toks) and _sentence_row(toks):
                break           # prose after the table (its figures spaced out like columns)
            if aligned.is_row(toks):
                rows += 1
                rows_with_amounts += any(t.amount for t in toks)
                last = k
            elif len(toks) == 1 and _cell_like(s) and (raw[:len(raw) - len(raw.lstrip())].count(" ") >= 1
                                                      or aligned.AMOUNT.match(s) or len(s) <= 12):
                last = k
            else:
                break
            k += 1
        if rows >= 2 and rows_with_amounts >= 1:
            out.append(_Block(start, last, None))
        no = max(last, no) + 1
    return out


SENTENCE_PIECE = re.compile(r"[\u4e00-\u9fff]{2}[^，。；]*[，。；]|[，。；][^，。；]*[\u4e00-\u9fff]{2}")


def _sentence_row(toks: list) -> bool:
    """A spaced-out line of prose: two of its pieces carry sentence punctuation next to
    words (万元，与上年相比…增加 | 10.06 %。其中：). Table cells hardly ever do."""
    words = [t.text.strip() for t in toks if not t.amount]
    return sum(bool(SENTENCE_PIECE.search(w)) for w in words) >= 2 or \
        any(w.endswith("。") and len(w) >= 6 or re.search("[，。]", w) and len(w) >= 12 for w in words) or \
        any(PART_HEADING.match(w) for w in words)


PART_HEADING = re.compile(r"^第[一二三四五六七八九十]+部分|.{2,}情况说明$")


def _aligned_row(raw: str) -> bool:
    if "\t" in raw or "|" in raw:
        return False
    toks = aligned.tokens(raw.replace("\f", ""))
    if not aligned.is_row(toks) or not re.search(r"\S {2,}\S", raw.strip()):
        return False
    # a row has cells, none of them a piece of a sentence (PDF text layers space out the
    # figures of a sentence: 门支出预算安排为   8,648.07   万元）)
    return all(t.amount or (_cell_like(t.text) and not FRAGMENT.search(match_key(t.text))) for t in toks)


def _stream_cells(lines: list[str], nos: list[int], paragraph_mode: bool) -> list[tuple[int, str, int]]:
    """(line, text, blank lines before) of the cells of a stream run."""
    cells: list[tuple[int, str, int]] = []
    gap = 0
    current: list[tuple[int, str]] = []

    def close():
        nonlocal current
        if current:
            text = "".join(t.strip() for _, t in current) if paragraph_mode else current[0][1].strip()
            cells.append((current[0][0], text, gap_before[0]))
        current = []

    gap_before = [0]
    for no in nos:
        raw = lines[no - 1].replace("\f", "")
        if raw == "" or not raw.strip(" \r"):
            if raw.strip("\r") == "":
                if current:
                    close()
                    gap = 0
                gap += 1
                continue
            # a line of spaces: an empty cell (Word/web tables print one for a blank cell)
            close()
            gap_before = [gap]
            cells.append((no, "", gap))
            gap = 0
            continue
        if not paragraph_mode:
            gap_before = [gap]
            cells.append((no, raw.strip(" \t\u3000\xa0"), gap))
            gap = 0
            continue
        if not current:
            gap_before = [gap]
            gap = 0
        current.append((no, raw.strip(" \t\u3000\xa0")))
    close()
    return cells


def _stream_blocks(lines: list[str], usable: list[bool], pdf_text: bool) -> list[_Block]:
    """Runs of short cells one per line or per paragraph: a table, when the run holds
    figures and labels enough to be one (a wrapped sentence never makes such a run)."""
    out: list[_Block] = []
    n = len(lines)
    no = 1
    while no <= n:
        raw = lines[no - 1]
        if not usable[no - 1] or not _cell_like(raw.replace("\f", "")) or _heading(raw.strip("\f")):
            no += 1
            continue
        run: list[int] = []
        k = no
        long_skipped = 0
        while k <= n:
            raw = lines[k - 1]
            if not usable[k - 1]:
                if "\t" in raw or _heading(raw.strip("\f")):
                    break
                k += 1
                continue
            s = raw.replace("\f", "")
            if not s.strip():
                run.append(k)
                k += 1
                continue
            if _heading(raw.strip("\f")):
                break
            if _cell_like(s):
                run.append(k)
                long_skipped = 0
            elif not pdf_text and run and long_skipped == 0 and _between_blanks(lines, k) \
                    and _cells_follow(lines, usable, k):
                # a long cell (a goal, a reason, a choice of boxes) among one-cell paragraphs
                run.append(k)
                long_skipped = 1
            else:
                break
            k += 1
        while run and (not lines[run[-1] - 1].strip() or not _cell_like(lines[run[-1] - 1])):
            run.pop()
        texts = [lines[x - 1].strip() for x in run if lines[x - 1].strip()]
        numeric = sum(1 for t in texts if is_numeric_cell(t))
        labels = len(texts) - numeric
        if len(texts) >= 6 and numeric >= 3 and labels >= 2 and numeric >= 0.15 * len(texts):
            out.append(_Block(run[0], run[-1], None))
            no = run[-1] + 1
        else:
            no = (run[-1] + 1) if run else no + 1
    return out


def _run_on(line: str) -> bool:
    """Cells run together on one line (年度资金总额: 0 0 0 10 0 0 其中:本年财政拨款 90 …):
    figures standing alone between words, where a sentence would give them units and commas."""
    s = line.strip()
    if len(s) < PROSE_MIN or "\t" in s or "|" in s or re.search(r"\S {3,}\S", s):
        return False
    toks = s.split()
    alone = [t for k, t in enumerate(toks) if NUMERIC_CELL.match(t) and not re.match(
        r"^(万元|亿元|元|%|％|个百分点|百分点)", toks[k + 1] if k + 1 < len(toks) else "")]
    commas = len(re.findall(r"[，,；;]", s))
    return len(alone) >= 4 and commas <= 1 and len(re.findall(r"[。！？]", s)) <= max(1, len(s) // 80)


def _between_blanks(lines: list[str], k: int) -> bool:
    before = lines[k - 2] if k >= 2 else ""
    after = lines[k] if k < len(lines) else ""
    return not before.strip() and not after.strip()


def _cells_follow(lines: list[str], usable: list[bool], k: int) -> bool:
    """The next printed line is a cell again (after blank lines, or after one more long cell)."""
    longs = 0
    for j in range(k + 1, min(len(lines), k + 40) + 1):
        s = lines[j - 1]
        if not s.strip(" \r"):
            continue
        if not s.strip():
            return True          # a line of spaces: an empty cell
        if not usable[j - 1] or _heading(s):
            return False
        if _cell_like(s):
            return True
        longs += 1
        if longs > 1 or not _between_blanks(lines, j):
            return False
    return False


def _bar_blocks(lines: list[str], usable: list[bool]) -> list[_Block]:
    """Cells ended by ` |` or separated by bare `|` lines (HTML tables flattened)."""
    out: list[_Block] = []
    n = len(lines)
    no = 1
    while no <= n:
        t = _terminated(lines[no - 1]) if usable[no - 1] else None
        if t is None or (t and _heading(t)):
            no += 1
            continue
        start = last = no
        k = no + 1
        while k <= n:
            raw = lines[k - 1]
            if not usable[k - 1]:
                break
            if not raw.strip():
                k += 1
                continue
            t = _terminated(raw)
            if t is not None:
                if t and _heading(t):
                    break
                last = k
                k += 1
                continue
            # a cell without its terminator, the bar on a following line (44: text, then `|`)
            nxt = next((j for j in range(k + 1, min(n, k + 3) + 1) if lines[j - 1].strip()), None)
            if nxt is not None and usable[nxt - 1] and _terminated(lines[nxt - 1]) is not None \
                    and len(match_key(raw)) <= 60:
                last = nxt
                k = nxt + 1
                continue
            break
        # a terminated line that opens the run backwards (a header cell before the first bar)
        while start > 1 and usable[start - 2] and lines[start - 2].strip() and \
                _terminated(lines[start - 2]) is None and _cell_like(lines[start - 2]) and \
                not _heading(lines[start - 2]) and len([b for b in out if b.end >= start - 1]) == 0 and \
                _terminated(lines[start - 1]) == "":
            start -= 1
        out.append(_Block(start, last, None))
        no = last + 1
    return out


def _bar_cells(lines: list[str], start: int, end: int) -> list[tuple[int, str]]:
    cells: list[tuple[int, str]] = []
    pending: list[tuple[int, str]] = []
    for no in range(start, end + 1):
        raw = lines[no - 1]
        if not raw.strip():
            continue
        t = _terminated(raw)
        if t is None:
            pending.append((no, raw.strip()))
            continue
        if t:
            pending.append((no, t))
        text = " ".join(p for _, p in pending) if pending else ""
        text = re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)
        cells.append((pending[0][0] if pending else no, text))
        pending = []
    for no, p in pending:
        cells.append((no, p))
    return cells


# ---------------------------------------------------------------- the reader

def parse_text(file: str, text: str) -> RawDocument:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    pages, starts = _pages(lines)
    drop = _dropped(lines, starts)
    pdf_text = bool(starts)
    # page numbers and running headers read as blank lines by every block finder
    lines = ["" if no in drop else raw for no, raw in enumerate(lines, 1)]
    doc = RawDocument(file=file)
    usable = [no not in drop and "\t" not in lines[no - 1] for no in range(1, len(lines) + 1)]
    blocks: dict[int, _Block] = {}
    taken = list(usable)
    for finder in (lambda u: _bar_blocks(lines, u), lambda u: _aligned_blocks(lines, u, pages),
                   lambda u: _stream_blocks(lines, u, pdf_text)):
        for b in finder(taken):
            blocks[b.start] = b
            for x in range(b.start, b.end + 1):
                taken[x - 1] = False
    headings: list[str] = []
    preamble: list[str] = []       # prose lines since the last heading
    run: list[tuple[int, str]] = []
    run_start: int | None = None
    prose: list[Line] = []         # prose lines since the last heading or table, reflowed into paragraphs
    blank = False

    def flush_prose() -> None:
        nonlocal prose
        if prose:
            doc.blocks.extend(reflow(prose))
        prose = []

    def start_section(head: str) -> None:
        """A heading ends the table and the prose before it, and titles what follows."""
        nonlocal preamble
        flush()
        flush_prose()
        headings.append(head)
        preamble = []
        if doc.title is None:
            doc.title = head

    def add_table(rows: list[list[Cell]], layout: str, first: int, pre: list[str]) -> None:
        rows = [r for r in rows if any(c.text for c in r)]
        if rows:
            doc.blocks.append(RawTable(title=headings[-1] if headings else None, rows=rows, line=first,
                                       headings=list(headings[-4:]), layout=layout,
                                       preamble=list(pre[-6:]), page=pages[first - 1]))

    def flush() -> None:
        nonlocal run, run_start
        if run:
            flush_prose()
        table_lines = [(n, l) for n, l in run if "\t" in l]
        if table_lines:
            cell_like = sum(1 for _, l in table_lines if _is_cell_line(l))
            if cell_like >= 0.8 * len(table_lines):
                rows, layout = _cell_rows(run), "cell"
            else:
                rows = [_row_cells(n, l) if "\t" in l else [Cell(l.strip(), n, 1)]
                        for n, l in run if l.strip()]
                layout = "pipe" if sum(1 for n, _ in table_lines if n in pipe_rows) * 2 > len(table_lines) else "row"
            rows = [r for r in rows if any(c.text for c in r)]
            if rows:
                doc.blocks.append(RawTable(title=headings[-1] if headings else None, rows=rows,
                                           line=run_start, headings=list(headings[-4:]), layout=layout,
                                           preamble=list(preamble[-6:]), page=pages[run_start - 1]
                                           if pdf_text and run_start else None))
        run, run_start = [], None

    pipe_rows = _pipe_runs(lines, taken)
    no = 0
    while no < len(lines):
        no += 1
        line = lines[no - 1].replace("\f", "")
        if no in drop:
            continue
        block = blocks.get(no)
        if block is not None:
            flush()
            flush_prose()
            pre = _emit_block(block, lines, pages, pdf_text, headings, preamble, add_table, prose_sink=prose)
            if pre is None:
                # not a table after all: its lines are prose
                pass
            no = block.end
            blank = False
            continue
        if no in pipe_rows:
            cells = pipe_rows[no]
            head = _heading(cells[0]) if sum(1 for c in cells if c) == 1 and cells[0] else None
            if head:
                start_section(head)
                continue
            line = "\t".join(cells)
        elif MD_SEPARATOR.match(line) and "|" in line and (run or no + 1 in pipe_rows):
            continue
        stripped = line.strip()
        term = _terminated(line)
        head = _heading(term if term else line) if not line.startswith("\t") else None
        if head:
            start_section(head)
            continue
        if "\t" in line:
            if run_start is None:
                run_start = no
            run.append((no, line))
            continue
        if not stripped:
            if run:
                run.append((no, line))
            blank = True
            continue
        if _run_on(line):
            flush()
            flush_prose()
            doc.blocks.append(RawTable(title=headings[-1] if headings else None, rows=[[Cell(stripped, no, 1)]],
                                       line=no, headings=list(headings[-4:]), layout="runon",
                                       preamble=list(preamble[-6:]), page=pages[no - 1] if pdf_text else None))
            blank = False
            continue
        if len(stripped) >= PROSE_MIN or (not run and re.search(r"[。；！？]$", stripped)):
            flush()
            prose.append(Line(line, no, page=pages[no - 1] if pdf_text else None, blank_before=blank))
            preamble.append(stripped)
        elif run:
            run.append((no, line))
        else:
            prose.append(Line(line, no, page=pages[no - 1] if pdf_text else None, blank_before=blank))
            preamble.append(stripped)
        blank = False
    flush()
    flush_prose()
    last = doc.blocks[-1] if doc.blocks else None
    if isinstance(last, RawTable) and last.layout == "pipe" and len(last.rows) >= 2:
        # rows flattened from HTML keep every cell (``| |`` for a blank one): a last row
        # shorter than the others is a table the text stops inside
        width = max(len(r) for r in last.rows[:-1])
        if len(last.rows[-1]) < width - 1:
            last.truncated = True
    return doc.settle_title()


def _pipe_runs(lines: list[str], usable: list[bool]) -> dict[int, list[str]]:
    """Lines that are pipe rows, when they come two or more together (a lone
    `编辑: 飞鸟 | 2019-07-11` is prose)."""
    rows = {no: _pipe_cells(lines[no - 1]) for no in range(1, len(lines) + 1)
            if usable[no - 1] and _pipe_cells(lines[no - 1]) is not None}
    out: dict[int, list[str]] = {}
    for no, cells in rows.items():
        near = any(k in rows for k in (no - 1, no + 1, no - 2, no + 2))
        if near or any(is_numeric_cell(c) for c in cells if c):
            out[no] = cells
    return out


def _emit_block(block: _Block, lines: list[str], pages: list[int], pdf_text: bool, headings: list[str],
                preamble: list[str], add_table, prose_sink: list[Line]) -> list[str] | None:
    nos = list(range(block.start, block.end + 1))
    first = lines[block.start - 1]
    if _terminated(first) is not None or any(_terminated(lines[x - 1]) is not None for x in nos[:3]):
        cells = _bar_cells(lines, block.start, block.end)
        filled = [c for c in cells if c[1]]
        if len(filled) < 3 or not any(is_numeric_cell(t) for _, t in filled):
            for no, t in filled:
                prose_sink.append(Line(t, no))
                preamble.append(t)
            return None
        row = [Cell(t, no, k + 1) for k, (no, t) in enumerate(cells)]
        add_table([row], "stream", block.start, preamble)
        return []
    texts = [(x, lines[x - 1].replace("\f", "")) for x in nos]
    body = [(x, t) for x, t in texts if t.strip()]
    if body and aligned.is_row(aligned.tokens(body[0][1])) or \
            sum(aligned.is_row(aligned.tokens(t)) for _, t in body) >= 2 and not _one_per_line(body):
        pre = [t.strip() for _, t in body if PREAMBLE.search(match_key(t)) and not
               any(t2.amount for t2 in aligned.tokens(t))]
        keep = [(x, t) for x, t in body if t.strip() not in pre]
        rows = _aligned_pages(keep, pages)
        add_table(rows, "aligned", block.start, preamble + [re.sub(r"\s{2,}", " ", p) for p in pre])
        return []
    nonblank = [x for x in nos if lines[x - 1].strip()]
    gaps = sum(1 for a, b in zip(nonblank, nonblank[1:]) if b > a + 1)
    paragraph_mode = bool(nonblank) and gaps >= 0.8 * (len(nonblank) - 1) and not pdf_text
    cells = _stream_cells(lines, nos, paragraph_mode)
    if paragraph_mode:
        sizes = [g for _, _, g in cells[1:]]
        strong = sizes and max(sizes) >= 2 and sum(1 for g in sizes if g >= 2) <= 0.5 * len(sizes)
    else:
        strong = False
    rows: list[list[Cell]] = [[]]
    for no, t, gap in cells:
        if strong and gap >= 2 and rows[-1]:
            rows.append([])
        rows[-1].append(Cell(t, no, len(rows[-1]) + 1))
    add_table(rows, "pdfcells" if pdf_text else "stream", block.start, preamble)
    return []


def _aligned_pages(lines: list[tuple[int, str]], pages: list[int]) -> list[list[Cell]]:
    """An aligned table, page by page: columns are placed anew on every page (the
    positions shift), a page's rows joining the table when its columns are as many
    (else aligned on the right, where the amounts are)."""
    parts: list[list[tuple[int, str]]] = []
    for no, t in lines:
        if parts and pages[parts[-1][-1][0] - 1] == pages[no - 1]:
            parts[-1].append((no, t))
        else:
            parts.append([(no, t)])
    rows = aligned.grid(parts[0]) if parts else []
    width = max((len(r) for r in rows), default=0)
    for part in parts[1:]:
        more = aligned.grid(part, header_rows=0)
        for r in more:
            if len(r) < width:
                r[:0] = [Cell("", r[0].line if r else None, 0) for _ in range(width - len(r))]
            for k, c in enumerate(r, 1):
                c.col = k
        rows += more
    return aligned.place_group_labels(rows)


def _one_per_line(body: list[tuple[int, str]]) -> bool:
    return sum(1 for _, t in body if len(aligned.tokens(t)) <= 1) > 0.7 * len(body)


__all__ = ["parse_text", "heading_text", "is_numeric_cell"]
