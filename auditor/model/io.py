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
    return _unquote(pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"))


def _unquote(df: pd.DataFrame) -> pd.DataFrame:
    """A CSV written by `auditor extract` quotes text a spreadsheet would run as a formula
    (auditor.textsafe.formula_safe); read back, the text is what the document printed."""
    from auditor.textsafe import formula_unescape

    for c in df.columns:
        col = df[c]
        if _texty(col) and any(isinstance(v, str) and v.startswith("'") for v in col):
            df[c] = col.map(formula_unescape)
    return df


def _texty(col: pd.Series) -> bool:
    return col.dtype == object or pd.api.types.is_string_dtype(col)


def _formula_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that Excel or LibreOffice would evaluate when the CSV is opened
    (=cmd|' /C calc'!A0, @SUM(...)) get a leading apostrophe (OWASP); numbers are untouched."""
    from auditor.textsafe import formula_safe

    out = None
    for c in df.columns:
        col = df[c]
        if not _texty(col):
            continue
        if any(isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") and v[1:2] for v in col):
            out = df.copy() if out is None else out
            out[c] = col.map(formula_safe)
    return df if out is None else out


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
        value = pd.to_numeric(df[f], errors="coerce").astype("float64")
        raw = df[f + "_raw"].astype(object).where(df[f + "_raw"].notna(), None)
        no_raw = raw.isna() & value.notna()
        raw[no_raw] = value[no_raw].map(lambda v: f"{v:g}" if abs(v) >= 1e15 else repr(float(v)).removesuffix(".0"))
        tol = pd.to_numeric(df[f + "_tol"], errors="coerce").astype("float64")
        need = raw.notna() & (value.isna() | tol.isna())
        if need.any():
            # a printed text such as 全部公开 parses to no value: NaN, never None, in a float
            # column (pandas 3 refuses to put None into float64; regression: issue 17)
            parsed = raw[need].map(lambda r: parse_number(str(r)))
            parsed_value = parsed.map(lambda n: _float(n.value)).astype("float64")
            parsed_tol = parsed.map(lambda n: _float(n.tol)).astype("float64")
            value = value.where(~(need & value.isna()), parsed_value.reindex(value.index))
            tol = tol.where(~(need & tol.isna()), parsed_tol.reindex(tol.index))
        df[f], df[f + "_raw"], df[f + "_tol"] = value, raw, tol
    df = df.astype(object).where(df.notna(), None)
    return frame(table, df.to_dict("records"))


def _float(x) -> float:
    return float("nan") if x is None else float(x)


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
    df = _read(path) if path.suffix.lower() == ".csv" else _unquote(pd.read_csv(path, sep="\t", dtype=str,
                                                                               keep_default_na=False, na_values=[""]))
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


def canonical_files(directory: str | Path) -> list[Path]:
    """The table files `load_canonical` would read in a folder (Parquet before CSV)."""
    d = Path(directory)
    out = []
    for table in SPEC:
        for suffix in (".parquet", ".csv"):
            if (d / f"{table}{suffix}").is_file():
                out.append(d / f"{table}{suffix}")
                break
    return out


def read_documents(directory: str | Path):
    """DocumentInfo for every row of the folder's `documents` table (only that table is read),
    so a run on published tables can say how many documents it checked."""
    from auditor.findings import DocumentInfo

    d = Path(directory)
    for suffix in (".parquet", ".csv"):
        path = d / f"documents{suffix}"
        if path.is_file() and "://" not in str(d):
            df = _complete("documents", _read(path), path)
            return [DocumentInfo(file=str(r["file"] or r["doc_id"]), doc_id=str(r["doc_id"]),
                                 kind=r["kind"], title=r["title"], year=r["year"])
                    for r in df.astype(object).where(df.notna(), None).to_dict("records")]
    return []


FORMATS = ("csv", "parquet", "sqlite")
SQLITE_NAME = "canonical.sqlite"


def write_canonical(canonical: Canonical, directory: str | Path, fmt: str = "csv", params: dict | None = None,
                    cap_bands: list[dict] | None = None) -> list[Path]:
    """One file per table (csv, parquet), or one `canonical.sqlite` holding every table plus
    the params / cap_bands / lexicon tables the Great Expectations suite
    (`auditor export gx`) runs on."""
    if fmt not in FORMATS:
        raise CanonicalError(f"unknown format {fmt}; known: {', '.join(FORMATS)}")
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    if fmt == "sqlite":
        try:
            from auditor.export.gx import write_sqlite
        except ImportError as e:
            raise CanonicalError(f"--format sqlite 需要 sqlglot：pip install 'auditor[gx]'（{e}）") from None
        target = d / SQLITE_NAME
        target.unlink(missing_ok=True)
        return [write_sqlite(canonical, target, params=params, cap_bands=cap_bands)]
    written = []
    for name, df in canonical.frames.items():
        target = d / f"{name}.{fmt}"
        if fmt == "csv":
            _formula_safe(df).to_csv(target, index=False, encoding="utf-8")
        else:
            import duckdb

            con = duckdb.connect()
            try:
                con.register("t", df)
                quoted = target.as_posix().replace("'", "''")   # a folder may be named O'Brien
                con.execute(f"COPY t TO '{quoted}' (FORMAT parquet)")
            finally:
                con.close()
        written.append(target)
    return written
