"""Fuzz the CSV/TSV reader (auditor/ingest/csvfile.py: decode, delimiter sniffing, the grid
segmenter) and what the pipeline does with its tables (recognize, normalizers, canonical
frames).

    python bench/fuzz/fuzz_csv.py -max_total_time=300

Properties: parse_csv returns a RawDocument or raises FormatError/NotText; the
normalizers never raise on its tables; every cell is one line.
"""
from __future__ import annotations

import csv
import io

from common import TEXT_SEEDS, Expected, InvariantBroken, downstream, main, text_mutator, vocabulary_words


def _import():
    global parse_csv, FormatError, NotText
    from auditor.ingest.csvfile import FormatError, parse_csv  # noqa: F401
    from auditor.ingest.decode import NotText  # noqa: F401
    import auditor.normalize.selfeval, auditor.normalize.claims, auditor.normalize.ledger  # noqa: F401,E401
    import auditor.normalize.targets, auditor.normalize.basic_data, auditor.model.tables  # noqa: F401,E401


def body(data: bytes) -> None:
    name = "fuzz.tsv" if data[:1] == b"\x01" else "fuzz.csv"
    try:
        doc = parse_csv(name, data)
    except (FormatError, NotText):
        raise Expected from None
    for t in doc.tables:
        for row in t.rows:
            for c in row:
                if "\n" in c.text or "\r" in c.text:
                    raise InvariantBroken(f"cell holds a line break: {c.text[:40]!r}")
    downstream(doc)


def to_csv(text: str, delimiter: str) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for line in text.splitlines():
        w.writerow(line.split("\t"))
    return out.getvalue().encode("utf-8")


if __name__ == "__main__":
    texts = [p.read_text(encoding="utf-8") for p in TEXT_SEEDS]
    seeds = [to_csv(t, d) for t in texts for d in (",", ";")] + [t.encode("utf-8") for t in texts[:3]]
    seeds += [to_csv(texts[0], ",").decode().encode("gb18030")]
    words = vocabulary_words()
    main("csv", body, seeds, custom_mutator=text_mutator(words), max_len=65536, dictionary=words, pre_import=_import)
