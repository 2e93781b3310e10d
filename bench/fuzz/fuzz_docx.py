"""Fuzz the Word reader (auditor/ingest/docx.py over python-docx) with mutated copies of
sample_data/*.docx written as files, and what the pipeline does with the tables.

    python bench/fuzz/fuzz_docx.py -max_total_time=300

Properties: parse_docx returns a RawDocument or raises FormatError (never another
exception type); a FormatError wrapping an exception of auditor's own code is a masked
bug; the normalizers never raise on the tables read.
"""
from __future__ import annotations

from pathlib import Path

from common import DOCX_SEEDS, Expected, Masked, downstream, main, masked_origin
from office import office_mutator, scratch_path

PATH = scratch_path(".docx")


def _import():
    global _sniff, parse_docx, FormatError
    from auditor.ingest.docx import FormatError, parse_docx  # noqa: F401
    from auditor.ingest import _sniff  # noqa: F401
    import auditor.normalize.selfeval, auditor.normalize.claims, auditor.normalize.ledger  # noqa: F401,E401
    import auditor.normalize.targets, auditor.normalize.basic_data, auditor.model.tables  # noqa: F401,E401


def body(data: bytes) -> None:
    Path(PATH).write_bytes(data)
    if _sniff(Path(PATH), data[:8]) != "docx":
        raise Expected          # read_document would not hand this file to the docx reader
    try:
        doc = parse_docx("fuzz.docx", PATH)
    except FormatError as e:
        inner = masked_origin(e)
        if inner is not None:
            raise Masked(f"{type(inner).__name__}: {inner}") from inner
        raise Expected from None
    downstream(doc)


if __name__ == "__main__":
    main("docx", body, [p.read_bytes() for p in DOCX_SEEDS], custom_mutator=office_mutator,
         instrument=("auditor", "docx"), max_len=262144, pre_import=_import)
