"""Fuzz the self-evaluation normalizer (auditor/normalize/selfeval.py, with cells.py and
numbers.py under it): documents from the fixtures, mutated line- and cell-wise, read by the
text reader; every table is normalized as a project and as a department self-evaluation (a
table is classified by its heading, so any grid can reach them), and each table of another
kind goes to its own normalizer, as in the pipeline, as do the paragraphs (claims).

    python bench/fuzz/fuzz_selfeval.py -max_total_time=300

Properties: no normalizer raises; every row fits its canonical table.
"""
from __future__ import annotations

from common import TEXT_SEEDS, Expected, downstream, main, text_mutator, vocabulary_words


def _import():
    global decode, NotText, parse_text
    from auditor.ingest.decode import NotText, decode  # noqa: F401
    from auditor.ingest.text import parse_text  # noqa: F401
    import auditor.normalize.selfeval, auditor.normalize.claims, auditor.normalize.ledger  # noqa: F401,E401
    import auditor.normalize.targets, auditor.normalize.basic_data, auditor.model.tables  # noqa: F401,E401


def body(data: bytes) -> None:
    try:
        text, _ = decode(data)
    except (NotText, UnicodeDecodeError):
        raise Expected from None
    downstream(parse_text("fuzz.txt", text), force_selfeval=True)


if __name__ == "__main__":
    seeds = [p.read_bytes() for p in TEXT_SEEDS]
    words = vocabulary_words()
    main("selfeval", body, seeds, custom_mutator=text_mutator(words), max_len=32768, dictionary=words,
         pre_import=_import)
