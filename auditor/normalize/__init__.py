"""Typed cells -> canonical rows. One normalizer per table kind, registered by
name so a new kind is a new module plus a vocabulary entry."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from auditor.ingest.raw import Paragraph, RawDocument, RawTable

Rows = dict[str, list[dict]]   # canonical table name -> rows (dicts of auditor.model.tables columns)

# kind -> "module:function"; each function is (RawTable, TableContext) -> Rows
NORMALIZERS: dict[str, str] = {
    "project_selfeval": "auditor.normalize.selfeval:normalize_project",
    "transfer_selfeval": "auditor.normalize.selfeval:normalize_project",
    "department_selfeval": "auditor.normalize.selfeval:normalize_department",
    "score_table": "auditor.normalize.selfeval:normalize_scoring",
    "basic_data": "auditor.normalize.basic_data:normalize_basic_data",
    "ledger": "auditor.normalize.ledger:normalize_ledger",
    "department_targets": "auditor.normalize.targets:normalize_targets",
    "project_targets": "auditor.normalize.targets:normalize_targets",
}
# paragraphs of a document -> claims rows
CLAIMS_NORMALIZER = "auditor.normalize.claims:normalize_claims"


@dataclass
class TableContext:
    doc_id: str
    table_id: str
    file: str
    kind: str
    title: str | None = None
    headings: list[str] = field(default_factory=list)
    year: str | None = None       # the document's year, when known
    preamble: list[str] = field(default_factory=list)   # lines between the heading and the table


@dataclass
class DocContext:
    doc_id: str
    file: str
    title: str | None = None


def resolve(spec: str):
    module, _, func = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError):
        return None


def merge_rows(into: Rows, more: Rows) -> Rows:
    for k, v in more.items():
        into.setdefault(k, []).extend(v)
    return into


__all__ = ["Rows", "NORMALIZERS", "CLAIMS_NORMALIZER", "TableContext", "DocContext", "resolve", "merge_rows",
           "Paragraph", "RawDocument", "RawTable"]
