"""Fuzz the Excel reader (auditor/ingest/xlsx.py over openpyxl) with mutated copies of
sample_data/*.xlsx written as files, and what the pipeline does with the sheets
(recognize, normalizers). The mutator edits the XML parts inside the zip (see office.py).

    python bench/fuzz/fuzz_xlsx.py -max_total_time=300

Properties: parse_xlsx returns a RawDocument or raises FormatError; a FormatError that
wraps an exception raised in auditor's own code (not openpyxl's) is a bug its catch-all
hid ("masked"); the normalizers never raise on the tables read.
"""
from __future__ import annotations

from common import XLSX_SEEDS
from office import run_office_harness

if __name__ == "__main__":
    run_office_harness("xlsx", XLSX_SEEDS, instrument=("auditor", "openpyxl"))
