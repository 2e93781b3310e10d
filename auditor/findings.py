"""Finding and Report: the one record every renderer consumes."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Location:
    """Coarse to fine; everything below `file` is optional."""

    file: str
    table: str | None = None      # printed table title + identity, e.g. "项目自评表 · 服务质量考核费"
    row: str | None = None        # row key: indicator / fund line / ledger code
    line: int | None = None       # 1-based line in the extracted text
    column: int | None = None     # 1-based cell column in that line
    field: str | None = None      # canonical column ("rate")
    sheet: str | None = None
    page: int | None = None
    cell: str | None = None       # "C7" for spreadsheets

    def short(self) -> str:
        where = self.file
        if self.sheet:
            where += f"!{self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        if self.page:
            where += f" p.{self.page}"
        if self.line and not self.cell:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return where


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    family: str
    severity: Severity
    message: str
    location: Location
    printed: str | None = None
    expected: str | None = None
    row_key: str | None = None
    table_key: str | None = None
    root: str | None = None       # fingerprint of the finding this one follows from

    @property
    def fingerprint(self) -> str:
        """Rule + file name + table and row keys + field: never line numbers,
        so a baseline survives edits elsewhere in the file and re-extraction."""
        import os

        from auditor.textsafe import printable

        # the printable name: the same fingerprint before and after a renderer escapes the name
        parts = [self.rule, printable(os.path.basename(self.location.file)), self.table_key or "",
                 self.row_key or "", self.location.field or ""]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict:
        loc = {k: v for k, v in asdict(self.location).items() if k != "file"}
        return {
            "rule": self.rule, "name": self.name, "family": self.family,
            "severity": self.severity.value, "file": self.location.file,
            "location": loc, "message": self.message, "printed": self.printed,
            "expected": self.expected, "fingerprint": self.fingerprint, "root": self.root,
        }


FINDING_COLUMNS = ["rule", "name", "family", "severity", "file", "table", "row", "line", "column",
                   "field", "message", "printed", "expected", "fingerprint", "root"]


@dataclass
class Coverage:
    """What was read of one document (filled in by the reading stages, shown by
    every renderer): tables by kind, canonical rows, claims, and how many of the
    figures printed in the document reached a canonical row in a role."""

    tables_by_kind: dict[str, int] = field(default_factory=dict)
    rows: int = 0                  # canonical rows other than claims (funds, indicators, ledger, ...)
    claims: int = 0
    figures: int = 0               # numbers printed in the document (amounts, percents, scores)
    figures_read: int = 0          # of those, the ones that reached a canonical row

    @property
    def share(self) -> float | None:
        return None if not self.figures else self.figures_read / self.figures

    def to_dict(self) -> dict:
        return {"tables_by_kind": dict(self.tables_by_kind), "rows": self.rows, "claims": self.claims,
                "figures": self.figures, "figures_read": self.figures_read, "share": self.share}


@dataclass
class DocumentInfo:
    file: str
    doc_id: str
    kind: str | None = None
    title: str | None = None
    year: str | None = None
    tables: int = 0
    readable: bool = True
    sha256: str | None = None
    error: str | None = None      # why the file was not read (readable is False)
    coverage: Coverage | None = None


@dataclass
class Report:
    items: list[Finding] = field(default_factory=list)
    documents: list[DocumentInfo] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)
    canonical: object | None = None   # auditor.model.tables.Canonical
    provenance: dict = field(default_factory=dict)
    suppressed: int = 0
    skipped: list = field(default_factory=list)   # auditor.ingest.SkippedFile: found in a folder, not read

    @property
    def findings(self):
        """The findings as a pandas DataFrame, one row per finding (for notebooks)."""
        import pandas as pd

        rows = []
        for f in self.items:
            d = f.to_dict()
            loc = d.pop("location")
            rows.append({**d, "table": loc["table"], "row": loc["row"], "line": loc["line"],
                         "column": loc["column"], "field": loc["field"]})
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.items:
            out[f.severity.value] += 1
        return out

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.items), key=lambda s: s.rank, default=None)

    def exit_code(self, fail_on: str = "error") -> int:
        if self.documents and not any(d.readable for d in self.documents):
            return 2
        if fail_on == "never":
            return 0
        threshold = Severity(fail_on).rank
        return 1 if any(f.severity.rank >= threshold for f in self.items) else 0

    def summary(self) -> dict:
        by_family: dict[str, int] = {}
        by_rule: dict[str, int] = {}
        for f in self.items:
            by_family[f.family] = by_family.get(f.family, 0) + 1
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        return {"documents": len(self.documents), "findings": len(self.items),
                "by_severity": self.counts(), "by_family": by_family, "by_rule": by_rule,
                "suppressed": self.suppressed}
