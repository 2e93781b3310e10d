"""A quick test that canonical frames satisfy their pandera schemas (auditor.model.schemas)
without importing pandera, which costs more than checking one document: the same dtypes,
columns, required keys and value ranges, vectorized. It only ever says "valid" when pandera
would; anything it doubts goes to pandera for the exact problem rows."""
from __future__ import annotations

from auditor.model.tables import PANDAS_DTYPES, column_kind, columns, number_fields


def surely_valid(table: str, df) -> bool:
    import pandas as pd

    from auditor.model.schemas_data import KEYS, RANGES

    cols = columns(table)
    if set(df.columns) != set(cols) or len(df.columns) != len(cols):
        return False
    required = KEYS.get(table, ["doc_id"])
    for c in cols:
        s = df[c]
        if s.dtype != pd.api.types.pandas_dtype(PANDAS_DTYPES[column_kind(table, c)]):
            return False
        if c in required and s.isna().any():
            return False
        if not len(s):
            continue
        lo = hi = None
        if c.endswith("_tol"):
            lo = 0
        elif c in number_fields(table) and c in RANGES.get(table, {}):
            lo, hi = RANGES[table][c]
        if lo is not None and (s < lo).any():
            return False
        if hi is not None and (s > hi).any():
            return False
    return True
