"""Physical lines of prose -> paragraphs of whole sentences.

Text taken from PDFs wraps sentences at the page width, often mid-word and
mid-number (``占支\\n出总预算``, ``增加 40\\n24\\n\\n万元``: a page number in the
middle of a sentence). Claims can only be read from whole sentences, so every
reader hands its prose lines here. A line is joined to the next unless

- it ends a sentence (。！？, optionally closed by a quote or bracket);
- the next line starts a heading or list item (一、 （一） 1． 第二部分 ①);
- it is itself a heading: a numbered line that does not end in a word needing a
  continuation (为, 的, 占, 增加 …), or a short line without punctuation that the
  next line does not carry on from (万元，… / 13.56 % / 为 …).

Blank lines and indentation are not trusted as paragraph breaks: PDF text layers
put them in the middle of sentences.

A lone page number (a short number continuing the sequence of earlier ones) is
dropped, and the sentence continues across it. Spaces that PDF justification puts
between Chinese characters (``一 般 公 共 预 算``) are removed, other runs of
spaces become one, pinyin annotations of mirror sites (``學(xué)``) are removed;
every kept character remembers its printed line and column (Paragraph.marks), so
a finding still points at the printed figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from auditor.ingest.raw import Paragraph
from auditor.textfold import PINYIN_NOTE, fold_chars, is_cjk

SENTENCE_END = re.compile(r"[。！？!?][”’」』\"')）]*$")
MARKER = re.compile(
    r"^(第[一二三四五六七八九十百零〇\d]+(?:部分|章|节|条|篇)|[一二三四五六七八九十]{1,3}\s*[、.．]|"
    r"[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|\d{1,2}\s*[、．]|\d{1,2}\.(?!\d)|[①-⑳]|[■●◆▲•▪]|"
    r"附件\s*\d*\s*[:：]?$|#{1,6}\s)")
# a line ending in one of these needs what follows: 预算数为 / 万元 / 占 ...
CONTINUES = re.compile(r"([，,、：:；;（(“‘《\-—~～]|[为的占比达计共和及与在对是了将由从至到较按其各约即含于以向经]|"
                       r"增加|增长|减少|下降|上升|降低|提高|\d|万|亿|元)$")
# a line starting with one of these belongs to the line before: 万元，增长 / 13.56 % / ，
LEADS_ON = re.compile(r"^([，,、。．.；;：:%％)）”’」』]|万元|亿元|元[，,。；;]|\d|[为占比较与和及的是达共])")
# what a numbered heading can still be followed by: the rest of its own sentence
CARRIES_ON = re.compile(r"^([，,、。．.；;：:%％)）”’」』]|万元|亿元|元|[为占比较与和及的是达共])")
AMOUNT = re.compile(r"\d\s*(万|亿|元|%|％)")
PAGE_NUMBER = re.compile(r"^(?:[-—–]\s*)?(\d{1,3})(?:\s*[-—–])?$|^第\s*(\d{1,3})\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?$")


@dataclass(slots=True)
class Line:
    """One physical line of prose as a reader saw it."""

    text: str                    # as printed, without the line break
    line: int | None = None      # 1-based line in the extracted text
    col: int = 1                 # 1-based column of text[0]
    page: int | None = None
    sheet: str | None = None
    blank_before: bool = False   # an empty line (or a dropped page number) precedes it


WS = " \t\u3000\xa0\f\v\r"


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(WS))


def is_heading(text: str) -> bool:
    """A short line that names a section rather than saying something."""
    s = text.strip(WS)
    if not s or len(s) > 40 or SENTENCE_END.search(s):
        return False
    if re.search(r"[，,。；;]", s) or AMOUNT.search(s):
        return False
    if MARKER.match(s):
        return not CONTINUES.search(s) or bool(re.search(r"(情况|说明|概况|职责|构成|任务|目标|解释|表)$", s))
    return len(s) <= 24 and not CONTINUES.search(s)


def _page_number(text: str, last_page: int | None) -> int | None:
    m = PAGE_NUMBER.match(text.strip())
    if not m:
        return None
    n = int(m.group(1) or m.group(2))
    if last_page is None or last_page < n <= last_page + 3:
        return n
    return None


class _Builder:
    """Accumulates one paragraph: its text and where each run of it was printed."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.at: list[tuple[int | None, int]] = []    # (line, col) each character was printed at
        self.first: Line | None = None
        self.last: Line | None = None
        self.before_last = 0          # length of the text before the last line was added

    def last_continues_prose(self) -> bool:
        """Whether the last line carries on a sentence already under way (the text
        before it says something: punctuation or an amount), so it is no heading.
        Lines of a title (the unit's name, then the year and the title) are not prose."""
        return bool(PROSE.search("".join(self.chars[:self.before_last])))

    def empty(self) -> bool:
        return not self.chars

    def _put(self, ch: str, line: int | None, col: int) -> None:
        self.chars.append(ch)
        self.at.append((line, col))

    def add(self, ln: Line) -> None:
        raw = ln.text.rstrip(WS)
        lead = _indent(raw)
        text = raw[lead:]
        if not text:
            return
        self.before_last = len(self.chars)
        if self.first is None:
            self.first = ln
        folded = fold_chars(text)
        drop = set()
        for m in PINYIN_NOTE.finditer(folded):
            drop.update(range(m.start(), m.end()))
        prev = self.chars[-1] if self.chars else ""
        if prev and prev.isascii() and prev.isalpha() and text[0].isascii() and text[0].isalpha():
            self._put(" ", ln.line, ln.col + lead - 1 if ln.col + lead > 1 else 1)
        i = 0
        n = len(text)
        while i < n:
            if i in drop:
                i += 1
                continue
            ch = text[i]
            if ch in WS:
                j = i
                while j < n and text[j] in WS:
                    j += 1
                before = self.chars[-1] if self.chars else ""
                after = folded[j] if j < n else ""
                # spaces between Chinese characters are justification, not words apart; but a
                # space where a number belongs (减少 万元, 占 %) is a blank left in a template
                blank = before not in "万亿" and not before.isdigit() and BLANK_UNIT.match(folded, j)
                if before and after and before != " " and (blank or not (_tight(before) and _tight(after))):
                    self._put(" ", ln.line, ln.col + lead + i)
                i = j
                continue
            self._put(ch, ln.line, ln.col + lead + i)
            i += 1
        self.last = ln

    def paragraph(self) -> Paragraph:
        text = "".join(self.chars).rstrip()
        first = self.first
        at, repairs = self.at[:len(text)], []
        for repair in (deferred_shares, displaced_change):
            moved = repair(text)
            if moved:
                order, said = moved
                text = "".join(text[i] for i in order)
                at = [at[i] for i in order]
                repairs += said
        return Paragraph(text, first.line if first else None, first.sheet if first else None,
                         first.page if first else None, _marks(at), repairs)


def _marks(positions: list[tuple[int | None, int]]) -> list[tuple[int, int | None, int]]:
    """Paragraph.marks of characters printed at `positions`: a mark starts each run
    printed one after another on one line."""
    out: list[tuple[int, int | None, int]] = []
    for off, (line, col) in enumerate(positions):
        if not out or out[-1][1] != line or out[-1][2] + (off - out[-1][0]) != col:
            out.append((off, line, col))
    return out


# A share left open: an amount, then 占, then straight on to the next item's name
# (基本支出13,994.31万元，占项目支出5,573万元，占…): the PDF text layer put the
# percentages of a column after the column of names and amounts.
OPEN_SHARE = re.compile(r"\d\s*(?:万元|亿元|元)\s*[，,]?\s*占(?=[\u4e00-\u9fff“\"（(])(?!比|用|地|有|据)")
NEXT_ITEM = re.compile(r"[^%％\d，,。；;]{1,30}?\d[\d,.]*\s*(?:万元|亿元|元)")
# a percentage standing on its own: not after a word that introduces it (占, 为, 增长 …)
LOOSE_PERCENT = re.compile(r"(?<![\d.％%])(\d{1,3}(?:\.\d+)?)\s*[%％]\s*[；;，,]?")
INTRODUCES = re.compile(r"(占|为|达|至|是|比|长|降|少|加|幅|率|约|近|超|过|的|了|到|高|低|于|上|下|[-+−～~])\s*$")


# An amount and its rate verb left without their percentage (21.8万元，增长 | 院本级…), inside the
# sentence after the one whose amount verb took that percentage instead (相比增加0.06%。主要原因是
# 省检察 | 21.8万元，增长 | 院本级): the text layer emitted two runs of one printed line in swapped order.
STRANDED = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|元)\s*[，,]\s*(?:增长|下降|增幅|降幅|上升)"
                      r"(?=[\u4e00-\u9fff])(?!了|率|较|幅|明显|迅速|显著|缓慢|平稳|主要|原因)")
RATE_ON_AMOUNT_VERB = re.compile(r"(?:增加|减少)\s*(\d{1,3}(?:\.\d+)?\s*[%％])")


def displaced_change(text: str) -> tuple[list[int], list[str]] | None:
    """The character order that puts a stranded `amount，增长` back after the 增加 that took
    its percentage, and the percentage after its 增长, when exactly one such pair exists and
    only the end of one sentence (no figure) lies between them. None otherwise."""
    stranded = list(STRANDED.finditer(text))
    if len(stranded) != 1:
        return None
    f = stranded[0]
    before = [m for m in RATE_ON_AMOUNT_VERB.finditer(text, 0, f.start())]
    if not before:
        return None
    p = before[-1]
    between = text[p.end():f.start()]
    if between.count("。") != 1 or re.search(r"\d", between) or not re.match(r"\s*[。；;]", between):
        return None
    pct = range(p.start(1), p.end(1))
    order = (list(range(0, p.start(1))) + list(range(f.start(), f.end())) + list(pct)
             + list(range(p.end(1), f.start())) + list(range(f.end(), len(text))))
    return order, [f"{text[f.start():f.end()]} 排在下一句中，已移回“{text[p.start():p.start(1)].strip()}”之后，"
                   f"{text[p.start(1):p.end(1)].strip()} 随之移到其后"]


def deferred_shares(text: str) -> tuple[list[int], list[str]] | None:
    """The character order that puts deferred percentages back after their 占, when a
    sentence has as many open shares as loose percentages, all of them after the last
    open share: then one reading only is possible. None when nothing is to be moved."""
    order: list[int] = []
    said: list[str] = []
    for m in re.finditer(r"[^。]*(?:。|$)", text):
        s, e = m.span()
        if s == e:
            continue
        sentence = text[s:e]
        opens = [o.end() for o in OPEN_SHARE.finditer(sentence)]
        loose = [x for x in LOOSE_PERCENT.finditer(sentence)
                 if not INTRODUCES.search(sentence[:x.start()]) and opens and x.start() > opens[-1]]
        slots = list(opens)
        after = [x for x in LOOSE_PERCENT.finditer(sentence) if opens and x.start() > opens[-1]]
        spans = {x.span() for x in loose}
        if len(after) > 1 and after[0].span() not in spans and re.search(r"占\s*$", sentence[:after[0].start()]) \
                and after[0].end() == after[1].start() and after[1].span() in spans:
            # the last 占 printed its percentage, and the others follow it (基本支出…，占项目支出
            # 5533万元，占68.48%；30.74%；): the column of percentages starts at that 占, so
            # the first of them is the first item's
            slots.append(after[0].start())
            loose = [after[0]] + loose
        # the percentages stand together, and at least one 占 runs straight into the next
        # item's amount (占项目支出5,573万元): 占支出总预算10.73% is a sentence as printed
        together = all(a.end() == b.start() for a, b in zip(loose, loose[1:]))
        runs_on = any(NEXT_ITEM.match(sentence, o) for o in opens)
        if not opens or len(loose) != len(slots) or not together or not runs_on:
            order.extend(range(s, e))
            continue
        taken = {i for x in loose for i in range(x.start(), x.end())}
        inserts = dict(zip(slots, loose))
        for i in range(len(sentence)):
            if i in inserts:
                x = inserts[i]
                order.extend(range(s + x.start(), s + x.end()))   # with its own ；
            if i not in taken:
                order.append(s + i)
        said.append("、".join(x.group(1) + "%" for x in loose))
    if not said:
        return None
    return order, [f"{p} 排在各项金额之后，已移回各自的“占”之后" for p in said]


PROSE = re.compile(r"[，,、；;：:]|\d\s*(万|亿|元|%|％)")
BLANK_UNIT = re.compile(r"(万元|亿元|元|%|分)")


def _tight(ch: str) -> bool:
    """Characters between which a space means nothing: Chinese and its punctuation."""
    return is_cjk(ch) or ch in "，。、；：？！“”‘’（）《》【】〔〕—…,.;:()"


TITLE_WORD = re.compile(r"(报告|说明|情况|概况|职责|职能|构成|任务|目标|解释|表|目录|预算|决算|部分|附件\s*\d*)$")


def _joins(prev: Line, nxt: Line, width: int, trust_blanks: bool, prev_opens: bool = True,
           fills: bool = False) -> bool:
    """Whether `nxt` continues the sentence `prev` left open. `prev_opens`: `prev`
    starts its paragraph; a line that continues an open sentence is never a heading,
    however short or title-like (一般公共预算 wrapped at the end of a line). `fills`:
    the block's lines are wrapped at `width` (several reach it), so a line that
    reaches it was cut there, whatever its last word."""
    p = prev.text.strip(WS)
    n = nxt.text.strip(WS)
    if MARKER.match(n):
        return False
    if SENTENCE_END.search(p):
        # a sentence that ends where the line is full may end its paragraph or not; the
        # next paragraph would start indented or after a blank line, so without either
        # it goes on (its sentences may refer back: 同比增加 / siblings of one whole)
        return (fills and len(p) >= 0.95 * width and not (trust_blanks and nxt.blank_before)
                and _indent(nxt.text) <= _indent(prev.text) and not (is_heading(n) and len(n) < 0.9 * width))
    if prev_opens and is_heading(p):
        if TITLE_WORD.search(p) and not (fills and len(p) >= 0.9 * width):
            # a title stands alone; one that fills the line is a sentence wrapped there
            return bool(re.match(r"[，,、。；;：:%％)）”’」』]", n))
        if MARKER.match(p):
            return bool(CARRIES_ON.match(n))   # a numbered heading stands alone unless its sentence goes on
        if trust_blanks and nxt.blank_before:
            return False
        if len(p) < 0.6 * width and not LEADS_ON.match(n):
            return False          # a short title line, and the next line does not carry on from it
    return True


def _blanks_are_breaks(lines: list[Line]) -> bool:
    """Whether blank lines separate paragraphs in this block. PDF text layers put
    them in the middle of sentences; web pages and Word exports between paragraphs."""
    gaps = mid = 0
    for prev, ln in zip(lines, lines[1:]):
        if ln.blank_before:
            gaps += 1
            p = prev.text.strip(WS)
            mid += not SENTENCE_END.search(p) and not is_heading(p) and not MARKER.match(ln.text.strip(WS))
    return mid <= 0.2 * gaps


def _width(lines: list[Line]) -> int:
    """The block's wrapping width: what most of its longer lines reach."""
    lengths = sorted(len(ln.text.strip(WS)) for ln in lines if ln.text.strip(WS))
    if not lengths:
        return 1
    if len(lengths) < 5:            # too few lines for a percentile: the longest is the width
        return max(8, lengths[-1])
    return max(8, lengths[int(0.8 * (len(lengths) - 1))])


def reflow(lines: Iterable[Line]) -> list[Paragraph]:
    """Join physical prose lines into paragraphs (see the module doc)."""
    kept: list[Line] = []
    last_page: int | None = None
    gap = page_break = False
    for ln in lines:
        s = ln.text.strip(WS)
        if not s:
            gap = True
            continue
        page = _page_number(s, last_page)
        if page is not None:
            last_page = page
            page_break = True
            continue
        # the blank lines around a page number are the page break, which falls
        # anywhere in a sentence: they say nothing about paragraphs
        blank = (ln.blank_before or gap) and not page_break
        kept.append(Line(ln.text, ln.line, ln.col, ln.page, ln.sheet, blank))
        gap = page_break = False
    if not kept:
        return []
    width = _width(kept)
    trust_blanks = _blanks_are_breaks(kept)
    full = sum(len(ln.text.strip(WS)) >= 0.9 * width for ln in kept)
    fills = full >= 2 or (len(kept) < 5 and full >= 1)   # a short block: its longest line is the width
    out: list[Paragraph] = []
    current = _Builder()
    for ln in kept:
        if not current.empty() and not _joins(current.last, ln, width, trust_blanks,
                                              prev_opens=not current.last_continues_prose(), fills=fills):
            out.append(current.paragraph())
            current = _Builder()
        current.add(ln)
    if not current.empty():
        out.append(current.paragraph())
    return [p for p in out if p.text]


def lines_of(text: str, first_line: int = 1) -> list[Line]:
    """The physical lines of a text, numbered from `first_line`, blank lines marked."""
    out: list[Line] = []
    blank = False
    for no, raw in enumerate(text.split("\n"), first_line):
        if not raw.strip(WS):
            blank = True
            continue
        out.append(Line(raw.rstrip("\r"), no, 1, blank_before=blank))
        blank = False
    return out


__all__ = ["Line", "reflow", "lines_of", "is_heading"]
