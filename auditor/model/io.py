"""Canonical tables in and out of files (CSV or Parquet, one file per table).

This is how a data team with its own pipeline uses auditor: publish the
canonical tables (`auditor extract --format parquet`, or their own export with
the documented columns, see `auditor schema`) and run `auditor check --canonical DIR`.
Missing tables are empty; missing interval columns are derived from the printed
values (`budget_raw`) or, failing that, from the value itself.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from auditor.model.tables import SPEC, Canonical, columns, frame, number_fields
from auditor.normalize.numbers import parse_number


class CanonicalError(ValueError):
    pass


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        import duckdb

        con = duckdb.connect()
        try:
            return con.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()
        finally:
            con.close()
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")


def _complete(table: str, df: pd.DataFrame, source: Path) -> pd.DataFrame:
    unknown = set(df.columns) - set(columns(table))
    if unknown:
        raise CanonicalError(f"{source}: unknown column(s) {', '.join(sorted(unknown))} for table '{table}'")
    df = df.copy()
    for f in number_fields(table):
        # column-wise: derive only what is missing (a full export needs no per-row work)
        for suffix in ("", "_raw", "_tol", "_loc"):
            if f + suffix not in df.columns:
                df[f + suffix] = None
        value = pd.to_numeric(df[f], errors="coerce")
        raw = df[f + "_raw"].astype(object).where(df[f + "_raw"].notna(), None)
        no_raw = raw.isna() & value.notna()
        raw[no_raw] = value[no_raw].map(lambda v: f"{v:g}" if abs(v) >= 1e15 else repr(float(v)).removesuffix(".0"))
        tol = pd.to_numeric(df[f + "_tol"], errors="coerce")
        need = raw.notna() & (value.isna() | tol.isna())
        if need.any():
            parsed = raw[need].map(lambda r: parse_number(str(r)))
            # to float first: pandas 3 refuses to put an object Series (None for words) into a float column
            value[need & value.isna()] = pd.to_numeric(parsed[value[need].isna()].map(lambda n: n.value),
                                                       errors="coerce")
            tol[need & tol.isna()] = pd.to_numeric(parsed[tol[need].isna()].map(lambda n: n.tol), errors="coerce")
        df[f], df[f + "_raw"], df[f + "_tol"] = value, raw, tol
    df = df.astype(object).where(df.notna(), None)
    return frame(table, df.to_dict("records"))


def canonical_table_of(path: Path) -> str | None:
    """The canonical table a published CSV holds, from its name (`indicators.csv`) or
    its header (doc_id plus columns of exactly one table); None for any other CSV."""
    if path.suffix.lower() not in (".csv", ".tsv"):
        return None
    try:
        with path.open(encoding="utf-8-sig") as fh:
            header = fh.readline().strip()
    except (OSError, UnicodeDecodeError):
        return None
    cols = {c.strip() for c in header.replace("\t", ",").split(",")}
    if "doc_id" not in cols:
        return None
    if path.stem in SPEC and cols <= set(columns(path.stem)):
        return path.stem
    fits = [t for t in SPEC if cols <= set(columns(t)) and len(cols & set(columns(t))) >= 3]
    return fits[0] if len(fits) == 1 else None


def read_table(path: Path, table: str) -> pd.DataFrame:
    """One canonical table from `<table>.parquet` or `<table>.csv`, completed and typed."""
    return _complete(table, _read(path), path)


def read_canonical_file(path: Path, table: str) -> pd.DataFrame:
    df = _read(path) if path.suffix.lower() == ".csv" else pd.read_csv(path, sep="\t", dtype=str,
                                                                       keep_default_na=False, na_values=[""])
    return _complete(table, df, path)


def load_canonical(directory: str | Path) -> Canonical:
    """Read `<table>.parquet` or `<table>.csv` for every canonical table found in a folder."""
    d = Path(directory)
    if not d.is_dir():
        raise CanonicalError(f"{d}: not a folder of canonical tables")
    frames = {}
    found = 0
    for table in SPEC:
        for suffix in (".parquet", ".csv"):
            path = d / f"{table}{suffix}"
            if path.is_file():
                frames[table] = _complete(table, _read(path), path)
                found += 1
                break
        else:
            frames[table] = frame(table, [])
    if not found:
        raise CanonicalError(f"{d}: no canonical table files (documents.csv, indicators.parquet, …)")
    return Canonical(frames)


def write_canonical(canonical: Canonical, directory: str | Path, fmt: str = "csv") -> list[Path]:
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in canonical.frames.items():
        target = d / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(target, index=False, encoding="utf-8")
        elif fmt == "parquet":
            import duckdb

            con = duckdb.connect()
            try:
                con.register("t", df)
                quoted = target.as_posix().replace("'", "''")   # a folder may be named O'Brien
                con.execute(f"COPY t TO '{quoted}' (FORMAT parquet)")
            finally:
                con.close()
        else:
            raise CanonicalError(f"unknown format {fmt}")
        written.append(target)
    return written
