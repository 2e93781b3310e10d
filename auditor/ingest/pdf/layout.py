"""Characters -> text lines, and the text of a line or of a cell."""
from __future__ import annotations

import re
from statistics import median

from auditor.ingest.pdf.source import Char

_SPACES = re.compile(r"[ \u3000\u00a0]+")


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


def cluster_lines(chars: list[Char]) -> list[list[Char]]:
    """Characters -> text lines, top to bottom, each sorted left to right.
    OCR words keep the lines tesseract found."""
    if chars and chars[0].tl is not None:
        groups: dict[tuple, list[Char]] = {}
        for c in chars:
            groups.setdefault(c.tl, []).append(c)
        ordered = sorted(groups.values(), key=lambda g: (median(c.cy for c in g), min(c.x0 for c in g)))
        return [sorted(g, key=lambda c: c.x0) for g in ordered]
    lines: list[list[Char]] = []
    top = bottom = 0.0
    current: list[Char] | None = None
    for c in sorted(chars, key=lambda c: (c.top, c.x0)):
        tol = 0.3 * c.size
        if tol < 1.5:
            tol = 1.5
        if current is not None and (-tol <= c.top - top <= tol or -tol <= c.bottom - bottom <= tol):
            current.append(c)
        else:
            current = [c]
            lines.append(current)
            top, bottom = c.top, c.bottom
    for line in lines:
        line.sort(key=lambda c: c.x0)
    return lines


def line_text(chars: list[Char], ocr: bool = False) -> str:
    out: list[str] = []
    prev: Char | None = None
    pending = False
    for c in chars:
        t = c.text
        if not t.strip():
            pending = prev is not None
            continue
        if prev is not None:
            size = c.size if c.size > prev.size else prev.size
            gap = c.x0 - prev.x1
            if t == prev.text and abs(c.x0 - prev.x0) < 0.3 * size and not ocr:
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


def cell_lines(chars: list[Char], ocr: bool = False) -> list[tuple[str, list[Char]]]:
    """The text lines of a cell, each with its characters: the page's lines
    (characters numbered by `ln`) within the cell, else clustered afresh."""
    if chars and all(c.ln for c in chars):
        groups: dict[int, list[Char]] = {}
        for c in chars:
            groups.setdefault(c.ln, []).append(c)
        lines = [sorted(groups[k], key=lambda c: c.x0) for k in sorted(groups)]
    else:
        lines = cluster_lines(chars)
    out = []
    for line in lines:
        text = line_text(line, ocr)
        if text:
            out.append((text, line))
    return out


def cell_text(chars: list[Char], ocr: bool = False) -> str:
    return join_lines([t for t, _ in cell_lines(chars, ocr)])
