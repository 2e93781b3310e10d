"""Fuzz the Excel reader (auditor/ingest/xlsx.py over openpyxl) with mutated copies of
sample_data/*.xlsx written as files, and what the pipeline does with the sheets
(recognize, normalizers). The mutator edits the XML parts inside the zip (see office.py).

    python bench/fuzz/fuzz_xlsx.py -max_total_time=300

Properties: parse_xlsx returns a RawDocument or raises FormatError; a FormatError that
wraps an exception raised in auditor's own code (not openpyxl's) is a bug its catch-all
hid ("masked"); the normalizers never raise on the tables read.
"""
from __future__ import annotations

from pathlib import Path

from common import XLSX_SEEDS, Expected, Masked, downstream, main, masked_origin
from office import office_mutator, scratch_path

PATH = scratch_path(".xlsx")


def _import():
    global _sniff, parse_xlsx, FormatError
    from auditor.ingest.xlsx import FormatError, parse_xlsx  # noqa: F401
    from auditor.ingest import _sniff  # noqa: F401
    import auditor.normalize.selfeval, auditor.normalize.claims, auditor.normalize.ledger  # noqa: F401,E401
    import auditor.normalize.targets, auditor.normalize.basic_data, auditor.model.tables  # noqa: F401,E401


def body(data: bytes) -> None:
    Path(PATH).write_bytes(data)
    if _sniff(Path(PATH), data[:8]) != "xlsx":
        raise Expected          # read_document would not hand this file to the xlsx reader
    try:
        doc = parse_xlsx("fuzz.xlsx", PATH)
    except FormatError as e:
        inner = masked_origin(e)
        if inner is not None:
            raise Masked(f"{type(inner).__name__}: {inner}") from inner
        raise Expected from None
    downstream(doc)


if __name__ == "__main__":
    main("xlsx", body, [p.read_bytes() for p in XLSX_SEEDS], custom_mutator=office_mutator,
         instrument=("auditor", "openpyxl"), max_len=262144, pre_import=_import)
