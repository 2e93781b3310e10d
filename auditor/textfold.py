"""The ground floor of reading: one way to fold printed text for matching.

Every stage that matches words (labels, table titles, claim patterns) folds text
the same way, so a label written in traditional characters, full-width forms or
with stray spaces still matches the vocabulary. Two folds:

- ``fold_chars(text)``: one character for one, so offsets into the folded text
  are offsets into the printed text (the claims reader relies on this):
  full-width ASCII -> ASCII, ideographic space -> space, traditional ->
  simplified (OpenCC's character table), look-alike signs (U+2212 minus,
  ﹪, ∶) -> ASCII.
- ``match_key(text)``: ``fold_chars`` plus NFKC, whitespace removed: the key a
  label is looked up by.

Nothing here knows about budget tables; it imports nothing from auditor.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# look-alikes that no font distinguishes for a reader, folded to what the patterns expect
_SIGNS = {0x2212: "-", 0xFE6A: "%", 0x2236: ":", 0xFE50: ",", 0xFE51: "、", 0xFE52: ".", 0xFE54: ";",
          0xFE55: ":", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ", 0x202F: " ", 0x3000: " "}


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    table: dict[int, str] = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
    table.update(_SIGNS)
    try:
        import opencc  # the maintained converter; its character table, applied one character at a time

        conv = opencc.OpenCC("t2s")
        chars = [chr(c) for c in range(0x4E00, 0xA000)] + [chr(c) for c in range(0x3400, 0x4DC0)]
        out = conv.convert("\n".join(chars)).split("\n")
        if len(out) == len(chars):
            for src, dst in zip(chars, out):
                if src != dst and len(dst) == 1:
                    table[ord(src)] = dst
    except Exception:  # noqa: BLE001 - without OpenCC, traditional text is matched as printed
        pass
    return table


@lru_cache(maxsize=131072)
def _fold_chars(text: str) -> str:
    return text.translate(_table())


def fold_chars(text: str | None) -> str:
    """Fold one character for one (same length as `text`)."""
    if not text:
        return ""
    return _fold_chars(text) if len(text) < 4096 else text.translate(_table())


@lru_cache(maxsize=131072)
def _match_key(text: str) -> str:
    s = unicodedata.normalize("NFKC", fold_chars(text))
    return re.sub(r"\s+", "", s)


def match_key(text: str | None) -> str:
    """The key a label is matched by: folded, NFKC, no whitespace."""
    if text is None:
        return ""
    return _match_key(str(text))


CJK_CHAR = re.compile(f"[{_CJK}]")
# pinyin annotations that mirror sites put after characters: 學(xué)
PINYIN_NOTE = re.compile(f"(?<=[{_CJK}])\\(([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*)\\)")


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(CJK_CHAR.match(ch))


__all__ = ["fold_chars", "match_key", "is_cjk", "CJK_CHAR", "PINYIN_NOTE"]
