"""Fuzz the text reader: bytes -> decode (auditor/ingest/decode.py) -> parse_text
(auditor/ingest/text.py), with a structure-aware mutator (lines and cells dropped,
duplicated and moved, numbers made extreme, odd Unicode, truncation) beside libFuzzer's
byte mutations. One input in 32 is amplified into a ~1 MB line.

    python bench/fuzz/fuzz_text.py -max_total_time=300

Properties: decode returns text or raises NotText; parse_text never raises; every cell
and paragraph has a line number inside the text; no cell holds a newline; the
result is deterministic.
"""
from __future__ import annotations

from common import TEXT_SEEDS, Expected, InvariantBroken, main, text_mutator, vocabulary_words


def _import():
    global decode, NotText, parse_text, RawTable, Paragraph
    from auditor.ingest.decode import NotText, decode  # noqa: F401
    from auditor.ingest.raw import Paragraph, RawTable  # noqa: F401
    from auditor.ingest.text import parse_text  # noqa: F401


def amplify(data: bytes) -> bytes:
    """A ~1 MB line: the longest line of the input repeated."""
    lines = data.split(b"\n")
    k = max(range(len(lines)), key=lambda i: len(lines[i]))
    unit = lines[k] or b"x\t"
    lines[k] = unit * max(1, (1 << 20) // max(1, len(unit)))
    return b"\n".join(lines)


def snapshot(doc) -> list:
    out = []
    for b in doc.blocks:
        if isinstance(b, RawTable):
            rows = tuple(tuple((c.text, c.line, c.col) for c in r) for r in b.rows)
            out.append(("T", b.title, b.layout, tuple(b.headings), rows))
        else:
            out.append(("P", b.text, b.line))
    return out


def body(data: bytes) -> None:
    if data[:1] == b"\xfe" and len(data) > 1:      # one input in 256 by chance, more once the corpus has one
        data = amplify(data[1:])
    try:
        text, _enc = decode(data)
    except NotText:
        raise Expected from None
    if not isinstance(text, str):
        raise InvariantBroken("decode did not return text")
    doc = parse_text("fuzz.txt", text)
    n_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            if not (b.line and 1 <= b.line <= n_lines):
                raise InvariantBroken(f"paragraph line {b.line} outside 1..{n_lines}")
            continue
        for row in b.rows:
            for c in row:
                if c.line is not None and not 1 <= c.line <= n_lines:
                    raise InvariantBroken(f"cell line {c.line} outside 1..{n_lines}")
                if "\n" in c.text:
                    raise InvariantBroken(f"cell text holds a newline: {c.text[:40]!r}")
    if len(data) < 20000 and snapshot(doc) != snapshot(parse_text("fuzz.txt", text)):
        raise InvariantBroken("parse_text is not deterministic")


if __name__ == "__main__":
    seeds = [p.read_bytes() for p in TEXT_SEEDS]
    seeds += [p.read_text(encoding="utf-8").encode(enc) for p in TEXT_SEEDS[:2]
              for enc in ("gb18030", "utf-16", "utf-8-sig")]
    words = vocabulary_words()
    main("text", body, seeds, custom_mutator=text_mutator(words), max_len=65536, dictionary=words,
         pre_import=_import)
