"""The result shape (column names and types) of each rule query, remembered between runs.

The engine cuts long texts inside DuckDB (`left(col, n)` for text columns), so it needs a
query's column types before it fetches: asking DuckDB for them (a `LIMIT 0` run) plans the
query a second time, ≈3 ms a rule, a quarter of the rules' time on one small file. The shape
of a query depends only on its text and on what it reads (the canonical schema, the shared
views and macros, the DuckDB version), so it is kept in a JSON file keyed by all of these, in
the catalog's cache folder (auditor.engine.catalog.cache_dir). The engine still checks every
result against the remembered shape and asks DuckDB again when they differ. Data only, never
code.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

Shape = list[tuple[str, str]]

_MEMO: dict[str, Shape] = {}        # this process's shapes, whatever the cache folder
_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _key() -> str:
    import duckdb

    from auditor import __version__
    from auditor.engine.catalog import builtin_checks_dir
    from auditor.model.tables import SPEC, column_kind, columns

    h = hashlib.sha256(f"auditor {__version__} duckdb {duckdb.__version__} shapes 1\0".encode())
    for name in ("_views.sql", "_macros.sql"):
        h.update((builtin_checks_dir() / name).read_bytes())
    h.update(repr([(t, [(c, column_kind(t, c)) for c in columns(t)]) for t in SPEC]).encode())
    return h.hexdigest()[:32]


def _entry(sql: str, source: str) -> str:
    return _key() + hashlib.sha256(f"{source}\0{sql}".encode()).hexdigest()[:32]


class ShapeCache:
    """Shapes by query text and kind of tables (`source`: frames or row dicts)."""

    def __init__(self, folder: Path | None = None):
        if folder is None:
            from auditor.engine.catalog import cache_dir

            folder = cache_dir()
        self.path = folder / f"shapes-{_key()}.json" if folder is not None else None
        self._loaded = False
        self._new = False

    def _load(self) -> None:
        self._loaded = True
        if self.path is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict):
            with _LOCK:
                for k, v in data.items():
                    if isinstance(v, list) and all(isinstance(x, list) and len(x) == 2 for x in v):
                        _MEMO.setdefault(k, [(str(a), str(b)) for a, b in v])

    def get(self, sql: str, source: str) -> Shape | None:
        key = _entry(sql, source)
        if key not in _MEMO and not self._loaded:
            self._load()
        return _MEMO.get(key)

    def put(self, sql: str, source: str, shape: Shape) -> None:
        with _LOCK:
            _MEMO[_entry(sql, source)] = list(shape)
        self._new = True

    def save(self) -> None:
        """Write this process's shapes of the current key (atomically; a read-only folder is
        no reason to fail)."""
        if not self._new or self.path is None:
            return
        self._new = False
        prefix = _key()
        with _LOCK:
            data = {k: v for k, v in _MEMO.items() if k.startswith(prefix)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".shapes-", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError:
            pass
