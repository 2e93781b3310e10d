"""Text that came from a document, a file name or a rule pack, made safe to show.

- ``printable(text)``: C0 and C1 control characters (ESC, BEL, CSI ...), DEL, lone
  surrogates, the non-characters U+FFFE / U+FFFF and the bidirectional overrides that
  reorder what a terminal shows are written as escapes (``\\x1b``, ``\\u202e``), so an
  OSC 52 (clipboard), OSC 8 (link) or ``ESC[2J`` (clear screen) sequence in a cell is
  shown, never obeyed. Tab and newline are kept (renderers fold them where a line must
  stay one line). Idempotent: ``printable(printable(s)) == printable(s)``.
- ``formula_safe(value)``: a spreadsheet cell that would be read as a formula
  (``=``, ``+``, ``-``, ``@``, tab or carriage return first, and not a number) gets a
  leading ``'``, as OWASP recommends against CSV/formula injection; numbers are untouched.

Nothing here imports from auditor.
"""
from __future__ import annotations

import re

# C0 but tab and newline, DEL, C1, lone surrogates, U+FFFE/U+FFFF, bidi embeddings/overrides/isolates
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def printable(text):
    """`text` with every character a terminal or an XML file cannot take shown escaped;
    anything that is not a str is returned as is."""
    if not isinstance(text, str) or not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escape, text)


def is_printable(text: str) -> bool:
    return not _UNSAFE.search(text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def formula_safe(value):
    """A cell value that a spreadsheet would not evaluate: text starting with = + - @ (or a
    tab / carriage return) gets a leading apostrophe unless it is a number such as -100.00
    or +5%; a lone '-' (a dash for "none") and non-text values are left as they are."""
    if not isinstance(value, str) or len(value) < 2 or not value.startswith(_FORMULA_START):
        return value
    if _NUMERIC.fullmatch(value):
        return value
    return "'" + value


def formula_unescape(value):
    """The inverse of formula_safe for a cell read back (an extracted CSV read as canonical)."""
    if isinstance(value, str) and len(value) > 2 and value[0] == "'" and value[1] in "=+-@\t\r" \
            and not _NUMERIC.fullmatch(value[1:]):
        return value[1:]
    return value
