"""What a PDF page holds for reading: its characters with their boxes and its
ruling lines, in page points with the origin at the top left of the page as
displayed (rotation applied). Two sources give the same `PageData`:

- `pdfium_pages` (default): pypdfium2's text page for characters (loose boxes;
  a character's size is its box height) and its page objects for rulings (thin filled rectangles and
  stroked straight paths, inside form XObjects too). Fast: no layout analysis.
- `plumber_pages`: pdfplumber (pdfminer.six) characters, rects and lines, for
  comparison (tests assert both give the same rows) and as a fallback.

Characters are kept as printed (a real space glyph is kept: it marks a space
between words); spaces that the text layer generated are not.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Iterator

THIN = 2.5         # a filled rectangle thinner than this (pt) is a ruling line
MIN_RULE = 3.0     # shorter segments (corner squares, dots) are not rulings
_WHITE = 235       # a fill this light on every channel draws nothing visible on paper


@dataclass(slots=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    ln: int = 0          # document line number, set when lines are numbered
    tl: tuple | None = None   # OCR: the line tesseract put the word on

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class PageData:
    no: int                          # 1-based
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    hsegs: list[tuple[float, float, float]] = field(default_factory=list)   # (y, x0, x1)
    vsegs: list[tuple[float, float, float]] = field(default_factory=list)   # (x, y0, y1)
    undecodable: bool = False        # glyphs without a Unicode mapping: no usable text layer
    ocr: bool = False


def _add_box(page: PageData, x0: float, top: float, x1: float, bottom: float) -> None:
    w, h = x1 - x0, bottom - top
    if w < THIN and h >= MIN_RULE:
        page.vsegs.append(((x0 + x1) / 2, top, bottom))
    elif h < THIN and w >= MIN_RULE:
        page.hsegs.append(((top + bottom) / 2, x0, x1))


class _Frame:
    """PDF user space -> displayed page space (top-left origin), for a page's
    crop box and /Rotate."""

    def __init__(self, left: float, bottom: float, right: float, top: float, rotation: int):
        self.l, self.t = left, top
        self.w0, self.h0 = right - left, top - bottom
        self.rot = rotation % 360
        self.width, self.height = (self.h0, self.w0) if self.rot in (90, 270) else (self.w0, self.h0)

    def point(self, x: float, y: float) -> tuple[float, float]:
        u, v = x - self.l, self.t - y
        r = self.rot
        if r == 0:
            return u, v
        if r == 90:
            return self.h0 - v, u
        if r == 180:
            return self.w0 - u, self.h0 - v
        return v, self.w0 - u

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """-> (x0, top, x1, bottom) displayed."""
        ax, ay = self.point(left, top)
        bx, by = self.point(right, bottom)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


# ---------------------------------------------------------------------------
# pypdfium2


def open_pdfium(path: str, password: str | None):
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(path, password=password)


def pdfium_page(pdf, index: int, *, rulings: bool = True) -> PageData:
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        try:
            left, bottom, right, top = page.get_cropbox()
        except Exception:  # noqa: BLE001 - a page without a usable crop box: the media box
            left, bottom, right, top = page.get_mediabox()
        frame = _Frame(left, bottom, right, top, page.get_rotation())
        out = PageData(index + 1, frame.width, frame.height)
        textpage = page.get_textpage()
        try:
            _pdfium_chars(raw, textpage, frame, out)
        finally:
            textpage.close()
        if rulings:
            _pdfium_rulings(raw, page.raw, frame, out)
    finally:
        page.close()
    return out


def _pdfium_chars(raw, textpage, frame: _Frame, out: PageData) -> None:
    handle = textpage.raw
    count = raw.FPDFText_CountChars(handle)
    if count <= 0:
        return
    from auditor.ingest.limits import current

    budget = current()
    if count > budget.pdf_page_chars:
        from auditor.ingest.pdf.errors import PdfReadError

        raise PdfReadError(f"PDF 第 {out.no} 页字符过多（{count:,} 个，上限 "
                           f"{budget.pdf_page_chars:,} 个）{budget.note()}，已拒绝读取")
    text = textpage.get_text_range(0, count)
    if len(text) != count:      # surrogate pairs: one character per index
        text = "".join(chr(raw.FPDFText_GetUnicode(handle, k)) for k in range(count))
    rect = raw.FS_RECTF()
    ref = ctypes.byref(rect)
    loose = raw.FPDFText_GetLooseCharBox
    generated = raw.FPDFText_IsGenerated
    unmapped = raw.FPDFText_HasUnicodeMapError
    chars = out.chars
    bad = 0
    plain = frame.rot == 0
    fl, ft = frame.l, frame.t
    for k in range(count):
        ch = text[k]
        if ch in "\r\n\x00\ufffe\uffff\x02":
            continue
        if ch in " \u3000\xa0\t":
            if generated(handle, k):
                continue
            ch = " "
        elif (ch < " " or ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff") and unmapped(handle, k) == 1:
            bad += 1        # a glyph without a Unicode mapping comes back as a control, U+FFFD or a private code
        if not loose(handle, k, ref):
            continue
        if plain:
            x0, x1, top, bottom = rect.left - fl, rect.right - fl, ft - rect.top, ft - rect.bottom
        else:
            x0, top, x1, bottom = frame.box(rect.left, rect.bottom, rect.right, rect.top)
        if x1 < x0:
            x0, x1 = x1, x0
        if bottom < top:
            top, bottom = bottom, top
        # the box's height, not FPDFText_GetFontSize: that one is in text space (a size-180 font
        # under a 0.05 matrix reads 180)
        chars.append(Char(ch, x0, x1, top, bottom, (bottom - top) or 10.0))
    visible = sum(1 for c in chars if c.text != " ")
    out.undecodable = bool(bad) and bad >= 0.5 * max(1, visible)


def _pdfium_rulings(raw, page_handle, frame: _Frame, out: PageData) -> None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    rgba = [ctypes.c_uint() for _ in range(4)]
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    PATH, FORM = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM

    def light(get, obj) -> bool:
        if not get(obj, *(ctypes.byref(c) for c in rgba)):
            return False
        r, g, b, a = (c.value for c in rgba)
        return a == 0 or (r >= _WHITE and g >= _WHITE and b >= _WHITE)

    get_type, get_bounds, draw_mode = raw.FPDFPageObj_GetType, raw.FPDFPageObj_GetBounds, raw.FPDFPath_GetDrawMode
    refs = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    mode_refs = (ctypes.byref(fill_mode), ctypes.byref(stroke))
    plain = frame.rot == 0
    fl, ft = frame.l, frame.t

    def visit(count_fn, get_fn, owner, depth: int) -> None:
        for k in range(count_fn(owner)):
            obj = get_fn(owner, k)
            kind = get_type(obj)
            if kind == FORM and depth < 4:
                visit(raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, obj, depth + 1)
                continue
            if kind != PATH or not get_bounds(obj, *refs):
                continue
            if plain:
                x0, x1, t, b = left.value - fl, right.value - fl, ft - top.value, ft - bottom.value
            else:
                x0, t, x1, b = frame.box(left.value, bottom.value, right.value, top.value)
            w, h = x1 - x0, b - t
            if w >= THIN and h >= THIN and w < MIN_RULE and h < MIN_RULE:
                continue            # a dot or a small glyph-like shape
            draw_mode(obj, *mode_refs)
            if min(w, h) < THIN:
                if fill_mode.value and not stroke.value and light(raw.FPDFPageObj_GetFillColor, obj):
                    continue
                if stroke.value and not fill_mode.value and light(raw.FPDFPageObj_GetStrokeColor, obj):
                    continue
                _add_box(out, x0, t, x1, b)
            elif stroke.value and not light(raw.FPDFPageObj_GetStrokeColor, obj):
                _pdfium_path_edges(raw, obj, frame, out, depth > 0)

    visit(raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, page_handle, 0)


def _pdfium_path_edges(raw, obj, frame: _Frame, out: PageData, in_form: bool) -> None:
    """A stroked path larger than a line (a cell's outline, a polyline): its
    straight horizontal and vertical segments."""
    if in_form:
        return          # points of paths inside forms are in the form's space; rare for rulings
    matrix = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float, int]] = []
    n = raw.FPDFPath_CountSegments(obj)
    if n > 400:
        return
    start = None
    for k in range(n):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        if not raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
            continue
        px = matrix.a * x.value + matrix.c * y.value + matrix.e
        py = matrix.b * x.value + matrix.d * y.value + matrix.f
        kind = raw.FPDFPathSegment_GetType(seg)
        points.append((px, py, kind))
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = (px, py)
        if raw.FPDFPathSegment_GetClose(seg) and start is not None:
            points.append((start[0], start[1], raw.FPDF_SEGMENT_LINETO))
    for (ax, ay, _), (bx, by, kind) in zip(points, points[1:]):
        if kind != raw.FPDF_SEGMENT_LINETO:
            continue
        p0, p1 = frame.point(ax, ay), frame.point(bx, by)
        x0, x1 = sorted((p0[0], p1[0]))
        t, b = sorted((p0[1], p1[1]))
        _add_box(out, x0, t, x1, b)


def pdfium_pages(path: str, password: str | None = None) -> Iterator[PageData]:
    pdf = open_pdfium(path, password)
    try:
        for k in range(len(pdf)):
            yield pdfium_page(pdf, k)
    finally:
        pdf.close()


# ---------------------------------------------------------------------------
# pdfplumber


def plumber_page(page, index: int) -> PageData:
    out = PageData(index + 1, float(page.width), float(page.height))
    bad = 0
    for c in page.chars:
        t = c.get("text") or ""
        if not t or not c.get("upright", True) or t in "\r\n":
            continue
        if t.startswith("(cid:"):
            bad += 1
            continue
        if t in "\u3000\xa0\t":
            t = " "
        out.chars.append(Char(t, float(c["x0"]), float(c["x1"]), float(c["top"]), float(c["bottom"]),
                              float(c.get("size") or (c["bottom"] - c["top"]) or 10.0)))
    out.undecodable = bool(bad) and bad >= 0.5 * max(1, bad + len(out.chars))
    for r in page.rects:
        if r.get("fill") and not r.get("stroke") and _plumber_light(r.get("non_stroking_color")):
            continue
        x0, x1, top, bottom = float(r["x0"]), float(r["x1"]), float(r["top"]), float(r["bottom"])
        if min(x1 - x0, bottom - top) < THIN:
            _add_box(out, x0, top, x1, bottom)
        elif r.get("stroke"):
            for a, b, c_, d in ((x0, top, x1, top), (x0, bottom, x1, bottom), (x0, top, x0, bottom),
                                (x1, top, x1, bottom)):
                _add_box(out, a, b, c_, d)
    for ln in page.lines:
        _add_box(out, float(ln["x0"]), float(ln["top"]), float(ln["x1"]), float(ln["bottom"]))
    return out


def _plumber_light(color) -> bool:
    if color is None:
        return False
    values = color if isinstance(color, (list, tuple)) else (color,)
    try:
        values = [float(v) for v in values]
    except (TypeError, ValueError):
        return False
    if len(values) == 1:
        return values[0] * 255 >= _WHITE
    if len(values) == 3:
        return all(v * 255 >= _WHITE for v in values)
    if len(values) == 4:     # CMYK
        return all(v * 255 <= 255 - _WHITE for v in values)
    return False


def plumber_pages(path: str, password: str | None = None) -> Iterator[PageData]:
    import pdfplumber

    with pdfplumber.open(path, password=password) as pdf:
        for k, page in enumerate(pdf.pages):
            try:
                yield plumber_page(page, k)
            finally:
                page.close()
