"""Fuzz the Word reader (auditor/ingest/docx.py over python-docx) with mutated copies of
sample_data/*.docx written as files, and what the pipeline does with the tables.

    python bench/fuzz/fuzz_docx.py -max_total_time=300

Properties: parse_docx returns a RawDocument or raises FormatError (never another
exception type); a FormatError wrapping an exception of auditor's own code is a masked
bug; the normalizers never raise on the tables read.
"""
from __future__ import annotations

from common import DOCX_SEEDS
from office import run_office_harness

if __name__ == "__main__":
    run_office_harness("docx", DOCX_SEEDS, instrument=("auditor", "docx"))
