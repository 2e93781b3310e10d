"""The canonical tables every reader produces and every rule queries.

A number field `f` is stored as four columns: `f` (value, percent units for
rates), `f_raw` (verbatim as printed), `f_tol` (half a unit of the last printed
digit) and `f_loc` ("line:column" in the source, 1-based). Rules compare
intervals `[f - f_tol, f + f_tol]`, never bare values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from auditor.model.numbers import Number

if TYPE_CHECKING:     # pandas is imported where frames are made: `auditor --help` needs none
    import pandas as pd

NUMBER_SUFFIXES = ("", "_raw", "_tol", "_loc")

# table name -> (text columns, number fields)
SPEC: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "documents": (("doc_id", "file", "title", "year", "unit", "kind", "sha256", "page_starts"), ()),
    # one row per recognized table: its kind and identity (project or unit name)
    "tables": (("doc_id", "table_id", "kind", "title", "name", "unit", "year", "line", "sheet", "page",
                "goal", "goal_result", "goal_line", "money_unit", "form"), ()),
    # money lines of self-evaluation tables; role: total/central/local/other/fiscal/carryover/
    # basic/project/personnel/public/task/dept_budget
    "funds": (("doc_id", "table_id", "row_no", "line", "item", "role"),
              ("initial_budget", "budget", "executed", "rate", "weight", "score")),
    "indicators": (("doc_id", "table_id", "row_no", "line", "level1", "level2", "name", "operator",
                    "unit", "target_text", "actual_text", "reason", "qualitative"),
                   ("target", "actual", "completion", "weight", "score")),
    # kind: project (weights add to 90 + execution 10) or department (weights add to 100)
    "scores": (("doc_id", "table_id", "line", "kind", "grade"),
               ("subtotal", "exec_score", "deduction", "total", "exec_weight", "weight_total")),
    # declared weights of headers such as 质量指标（8） or 产出指标(50分)
    "sections": (("doc_id", "table_id", "line", "level", "label", "parent"), ("declared",)),
    # budget / final-account lines (issue 3); role: total/subtotal/of_which/item (the line's),
    # column_role: total/basic/project/personnel/public/part/sub/amount (its amount column's)
    # name_key: the quantity the amount is, keyed as claims.subject_key (auditor.normalize.claims.quantity_key)
    "ledger": (("doc_id", "table_id", "row_no", "line", "code", "code_kind", "level", "name", "column",
                "role", "column_role", "name_key"),
               ("amount",)),
    # numeric statements pulled from narrative text (issue 3)
    # base_how: how the base was found — stated (printed as the base in the sentence), list (the total a
    # 其中 list hangs from), sum (the listed parts that exhaust the whole), named (an earlier amount whose
    # label names the whole), derived (current amount minus the stated change)
    "claims": (("doc_id", "table_id", "claim_id", "line", "kind", "subject", "subject_key", "sentence", "text",
                "base_how", "group_id", "section"),
               ("value", "base", "other")),
    # performance target tables (表16/表17)
    "targets": (("doc_id", "table_id", "row_no", "line", "project", "level1", "level2", "name",
                 "operator", "unit", "target_text", "deadline"), ("target", "budget")),
    # what the reading stages could not use: kind is unreadable / unrecognized / row_unparsed / schema /
    # truncated / unread_layout / mostly_unread
    "problems": (("doc_id", "table_id", "line", "kind", "detail", "text"), ()),
    # what was read of each document (auditor.coverage): figures printed and figures that reached a row
    "coverage": (("doc_id", "tables_by_kind", "tables", "rows", "claims", "figures", "figures_read", "share"), ()),
    # the figures that reached no canonical row, with where they were printed
    "unread": (("doc_id", "line", "col", "kind", "where", "figure", "text"), ()),
}

# Columns that are numeric even though they are not interval-carrying numbers.
INT_COLUMNS = {"row_no", "line", "page", "goal_line"}
TABLE_INT_COLUMNS = {"ledger": {"level"}, "coverage": {"tables", "rows", "claims", "figures", "figures_read"},
                     "unread": {"col"}}
TABLE_FLOAT_COLUMNS = {"coverage": {"share"}}
BOOL_COLUMNS = {"qualitative"}


def columns(table: str) -> list[str]:
    texts, numbers = SPEC[table]
    cols = list(texts)
    for f in numbers:
        cols += [f + s for s in NUMBER_SUFFIXES]
    return cols


def number_fields(table: str) -> tuple[str, ...]:
    return SPEC[table][1]


def put_number(row: dict, name: str, num: Number | None, loc: str | None = None) -> None:
    """Store a parsed number into a row dict under the four column names."""
    if num is None:
        return
    row[name] = num.value
    row[name + "_raw"] = num.raw or None
    row[name + "_tol"] = num.tol if num.value is not None else None
    row[name + "_loc"] = loc


def empty_frame(table: str) -> pd.DataFrame:
    return frame(table, [])


def column_kind(table: str, column: str) -> str:
    """The one place a canonical column's type is decided: float, int, bool or string
    (pandas dtypes, pandera schemas and Spark types all derive from it)."""
    if column in number_fields(table) or column.endswith("_tol") or column in TABLE_FLOAT_COLUMNS.get(table, ()):
        return "float"
    if column in INT_COLUMNS or column in TABLE_INT_COLUMNS.get(table, ()):
        return "int"
    if column in BOOL_COLUMNS:
        return "bool"
    return "string"


PANDAS_DTYPES = {"float": "float64", "int": "Int64", "bool": "boolean", "string": "string"}
_TRUTH = {"true": True, "1": True, "false": False, "0": False}


def _as_bool(v):
    """CSV round trips give "True"/"False" strings for boolean columns."""
    return _TRUTH.get(v.strip().lower(), v) if isinstance(v, str) else v


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows (dicts, missing keys allowed) -> a DataFrame with the canonical dtypes."""
    import pandas as pd

    cols = columns(table)
    unknown = {k for r in rows for k in r} - set(cols)
    if unknown:
        raise KeyError(f"{table}: unknown columns {sorted(unknown)}")
    df = pd.DataFrame.from_records(rows, columns=cols)
    for c in cols:
        kind = column_kind(table, c)
        if kind in ("float", "int"):
            df[c] = pd.to_numeric(df[c], errors="coerce").astype(PANDAS_DTYPES[kind])
        elif kind == "bool":
            df[c] = df[c].map(_as_bool, na_action="ignore").astype("boolean")
        else:
            df[c] = df[c].astype("string")
    return df


@dataclass
class Canonical:
    """All canonical tables of one or many documents, as pandas DataFrames."""

    frames: dict[str, pd.DataFrame] = field(default_factory=lambda: {t: empty_frame(t) for t in SPEC})

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    @classmethod
    def from_rows(cls, rows: dict[str, list[dict]]) -> "Canonical":
        return cls({t: frame(t, rows.get(t, [])) for t in SPEC})

    @classmethod
    def concat(cls, parts: list["Canonical"]) -> "Canonical":
        import pandas as pd

        out = {}
        for t in SPEC:
            frames = [p.frames[t] for p in parts if len(p.frames[t])]
            out[t] = pd.concat(frames, ignore_index=True) if frames else empty_frame(t)
        return cls(out)

    def counts(self) -> dict[str, int]:
        return {t: len(df) for t, df in self.frames.items()}
