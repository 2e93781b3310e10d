"""pandera schemas of the canonical tables: public, so a data team can validate
its own exports (`auditor schema` prints them). A failure is a finding (INP005),
never a crash."""
from __future__ import annotations

import warnings

import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        import pandera.pandas as pa
    except ImportError:  # pandera < 0.24
        import pandera as pa

from auditor.model.tables import PANDAS_DTYPES, SPEC, column_kind, columns, number_fields

from auditor.model.schemas_data import KEYS, RANGES  # noqa: E402


def _column(table: str, name: str) -> pa.Column:
    checks = []
    if name.endswith("_tol"):
        checks.append(pa.Check.ge(0))
    elif name in number_fields(table) and name in RANGES.get(table, {}):
        lo, hi = RANGES[table][name]
        if lo is not None:
            checks.append(pa.Check.ge(lo, error=f"{table}.{name} 不能小于 {lo}"))
        if hi is not None:
            checks.append(pa.Check.le(hi, error=f"{table}.{name} 不能大于 {hi}"))
    dtype = PANDAS_DTYPES[column_kind(table, name)]
    required = name in KEYS.get(table, ["doc_id"])
    return pa.Column(dtype, checks=checks, nullable=not required, required=True)


def schema(table: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema({c: _column(table, c) for c in columns(table)}, name=table, strict=True, coerce=False)


SCHEMAS: dict[str, pa.DataFrameSchema] = {t: schema(t) for t in SPEC}


def validate(table: str, df: pd.DataFrame) -> list[dict]:
    """Problems rows (kind 'schema') for every failing value; empty when valid."""
    try:
        SCHEMAS[table].validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as e:
        problems = []
        cases = e.failure_cases
        for _, case in cases.head(200).iterrows():
            idx = case.get("index")
            row = df.loc[idx] if idx is not None and not pd.isna(idx) and idx in df.index else None
            col = str(case.get("column"))
            loc = row.get(col + "_loc") if row is not None and (col + "_loc") in df.columns else None
            line = str(loc).split(":")[0] if loc is not None and not pd.isna(loc) else (
                row.get("line") if row is not None and "line" in df.columns else None)
            raw = row.get(col + "_raw") if row is not None and (col + "_raw") in df.columns else case.get("failure_case")
            problems.append({"doc_id": None if row is None else row.get("doc_id"),
                             "table_id": None if row is None or "table_id" not in df.columns else row.get("table_id"),
                             "line": None if line is None or pd.isna(line) else int(line), "kind": "schema",
                             "detail": f"{col}: {case.get('check')}", "text": None if raw is None or pd.isna(raw) else str(raw)})
        return problems


def as_dict(fmt: str = "json") -> dict:
    """The schemas as plain data for `auditor schema`."""
    out = {}
    for name, s in SCHEMAS.items():
        out[name] = {c: {"dtype": str(col.dtype), "nullable": col.nullable,
                         "checks": [str(ch) for ch in col.checks]} for c, col in s.columns.items()}
    return out
