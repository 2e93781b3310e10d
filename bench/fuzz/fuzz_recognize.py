"""Fuzz the table recognizer (auditor/recognize/__init__.py): `classify` and
`merge_continuations` on RawTables built from the fuzz bytes (a FuzzedDataProvider picks
tables, layouts, headings, rows and cells; cell texts are vocabulary words, fixture cells or
arbitrary Unicode).

    python bench/fuzz/fuzz_recognize.py -max_total_time=300

Properties: never raises; classify is deterministic and returns a kind of the vocabulary
or None; merge_continuations keeps the order, returns at most as many tables as given,
never invents rows (every row it returns was an input row) and keeps the first table.
"""
from __future__ import annotations

import re

from common import TEXT_SEEDS, InvariantBroken, main, vocabulary_words

LAYOUTS = ["row", "cell", "sheet", "docx", "csv"]


def _import():
    global classify, merge_continuations, header_text, RawTable, Cell, KINDS, atheris
    import atheris  # noqa: F401
    from auditor.ingest.raw import Cell, RawTable  # noqa: F401
    from auditor.recognize import classify, header_text, merge_continuations, vocabulary  # noqa: F401
    KINDS = {e["kind"] for e in vocabulary()["kinds"]}


WORDS: list[str] = []


def _text(fdp) -> str:
    pick = fdp.ConsumeIntInRange(0, 7)
    if pick <= 3:
        return WORDS[fdp.ConsumeIntInRange(0, len(WORDS) - 1)]
    if pick == 4:
        return ""
    if pick == 5:
        return WORDS[fdp.ConsumeIntInRange(0, len(WORDS) - 1)] + fdp.ConsumeUnicodeNoSurrogates(4)
    return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 24))


def build(data: bytes):
    fdp = atheris.FuzzedDataProvider(data)
    tables = []
    line = 1
    for _ in range(fdp.ConsumeIntInRange(0, 6)):
        headings = [_text(fdp) for _ in range(fdp.ConsumeIntInRange(0, 4))]
        rows = []
        for _ in range(fdp.ConsumeIntInRange(0, 16)):
            row = []
            for col in range(fdp.ConsumeIntInRange(0, 14)):
                row.append(Cell(_text(fdp), line if fdp.ConsumeBool() else None, col + 1))
            rows.append(row)
            line += 1
        tables.append(RawTable(title=headings[-1] if headings else None, rows=rows, line=line,
                               headings=headings, layout=LAYOUTS[fdp.ConsumeIntInRange(0, len(LAYOUTS) - 1)]))
    return tables


def body(data: bytes) -> None:
    tables = build(data)
    kinds = [classify(t) for t in tables]
    if kinds != [classify(t) for t in tables]:
        raise InvariantBroken("classify is not deterministic")
    for k in kinds:
        if k is not None and k not in KINDS:
            raise InvariantBroken(f"unknown kind {k!r}")
    ids = {id(r) for t in tables for r in t.rows}
    firsts = list(tables[:1])
    before = [list(t.rows) for t in tables]
    merged = merge_continuations(tables)
    if len(merged) > len(tables):
        raise InvariantBroken("merge_continuations returned more tables than it was given")
    if firsts and (not merged or merged[0][1] is not firsts[0]):
        raise InvariantBroken("the first table was not kept first")
    order = [id(t) for t in tables]
    got = [order.index(id(t)) for _, t in merged]
    if got != sorted(got):
        raise InvariantBroken("tables reordered")
    total_before = sum(len(r) for r in before)
    total_after = sum(len(t.rows) for _, t in merged)
    if total_after > total_before:
        raise InvariantBroken("rows invented")
    for _, t in merged:
        for r in t.rows:
            if id(r) not in ids:
                raise InvariantBroken("a row that was not in the input")
        header_text(t)


if __name__ == "__main__":
    import random

    WORDS[:] = vocabulary_words()
    for p in TEXT_SEEDS:
        WORDS.extend(c.strip() for c in re.split(r"[\t\n]", p.read_text(encoding="utf-8")) if 0 < len(c.strip()) < 30)
    WORDS[:] = sorted(set(WORDS))
    rng = random.Random(7)
    seeds = [bytes(rng.randrange(256) for _ in range(n)) for n in (64, 256, 1024, 4096, 4096, 8192)]
    main("recognize", body, seeds, max_len=8192, pre_import=_import)
