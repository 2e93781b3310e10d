"""The library API the CLI is a thin layer over:

    report = auditor.check(["sample_data/"])
    report.findings            # pandas DataFrame, one row per finding
    canonical = auditor.extract("file.txt")

One direction of data flow: ingest -> recognize -> normalize -> engine -> render.
"""
from __future__ import annotations

import hashlib
import os
from collections import Counter
import re
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from auditor import __version__
from auditor.config import DEFAULTS, Config, load_config
from auditor.engine.catalog import Catalog, Rule, load_catalog
from auditor.engine.select import select_rules
from auditor.findings import DocumentInfo, Finding, Report
from auditor.ingest import discover, read_document
from auditor.model.tables import SPEC, Canonical
from auditor.normalize import CLAIMS_NORMALIZER, NORMALIZERS, DocContext, Rows, TableContext, merge_rows, resolve
from auditor.normalize.identity import document_unit
from auditor.coverage import measure_coverage, unread_layout_problem
from auditor.recognize import UNREAD_LAYOUT, header_text, merge_continuations

YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def expand_paths(paths: list[str | Path], follow_links: bool = False) -> list[Path]:
    """Files as given, and supported files inside folders (sorted, recursive); the files a
    folder holds that are not read are `auditor.ingest.discover(paths)[1]`."""
    return discover(paths, follow_links=follow_links)[0]


def _year(*texts: str | None) -> str | None:
    for t in texts:
        m = YEAR.search(t or "")
        if m:
            return m.group(1)
    return None


class FileTimeout(BaseException):
    """Raised by the per-file time limit; a BaseException so that no reader's
    `except Exception` can swallow it."""


@contextmanager
def time_limit(seconds: float | None):
    """Stop the work on one file after `seconds` (POSIX timers, main thread only:
    each --jobs worker is the main thread of its own process)."""
    usable = seconds and seconds > 0 and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _raise(signum, frame):
        raise FileTimeout()

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_rows(path: str | Path, doc_id: str, max_bytes: int | None = None,
              seconds: float | None = None, in_folder: bool = False) -> tuple[DocumentInfo, Rows]:
    """One file -> canonical rows. Never raises: problems become `problems` rows. A file found
    in a folder (`in_folder`) that holds no budget table and no numeric claim is reported as
    not a budget document (info); a file named by the user is expected to be one (error)."""
    try:
        with time_limit(seconds):
            return _read_rows(path, doc_id, max_bytes, in_folder)
    except FileTimeout:
        return unreadable(path, doc_id, timeout_detail(seconds))
    except MemoryError:
        return unreadable(path, doc_id, memory_detail())


def timeout_detail(seconds: float | None) -> str:
    return f"处理超过 {seconds:g} 秒仍未完成，已跳过（file_timeout）"


def memory_detail(memory_mb: float | None = None) -> str:
    from auditor import readpool

    mb = memory_mb or readpool.WORKER_MEMORY_MB
    limit = f" {mb:g} MB" if mb else ""
    return f"读取时所需内存超出上限{limit}，已跳过（memory_mb）"


def unreadable(path, doc_id: str, detail: str) -> tuple[DocumentInfo, Rows]:
    """A file that could not be read: its document row and the INP001 problem."""
    info = DocumentInfo(file=str(path), doc_id=doc_id, readable=False, error=detail)
    return info, {"documents": [{"doc_id": doc_id, "file": str(path)}],
                  "problems": [{"doc_id": doc_id, "kind": "unreadable", "detail": detail}]}


def _read_rows(path: str | Path, doc_id: str, max_bytes: int | None = None,
               in_folder: bool = False) -> tuple[DocumentInfo, Rows]:
    raw = read_document(path, **({"max_bytes": max_bytes} if max_bytes else {}))
    file = str(path)
    info = DocumentInfo(file=file, doc_id=doc_id, title=raw.title, sha256=raw.sha256)
    rows: Rows = {"documents": [], "problems": []}
    if raw.error:
        info.readable = False
        info.error = raw.error
        rows["problems"].append({"doc_id": doc_id, "kind": "unreadable", "detail": raw.error})
        rows["documents"].append({"doc_id": doc_id, "file": file, "sha256": raw.sha256})
        return info, rows
    doc_year = _year(raw.title)
    kinds: list[str] = []
    unread_tables = 0
    merged = merge_continuations(raw.tables)
    rows["problems"].extend(_malformed_numbers([t for _, t in merged], doc_id))
    for k, (kind, table) in enumerate(merged, 1):
        table_id = f"{doc_id}.T{k}"
        if kind == UNREAD_LAYOUT:
            unread_tables += 1
            rows["problems"].append(unread_layout_problem(doc_id, table_id, table))
            continue
        if kind is None:
            rows["problems"].append({"doc_id": doc_id, "table_id": table_id, "line": table.first_line(),
                                     "kind": "unrecognized", "text": header_text(table),
                                     "detail": f"标题“{table.title or '无'}”，表头不含已知字段"})
            continue
        fn = resolve(NORMALIZERS.get(kind, ""))
        if fn is None:
            rows["problems"].append({"doc_id": doc_id, "table_id": table_id, "line": table.first_line(),
                                     "kind": "unrecognized", "text": header_text(table),
                                     "detail": f"“{kind}”类表格暂不支持解析"})
            continue
        ctx = TableContext(doc_id, table_id, file, kind, table.title, table.headings,
                           _year(*reversed(table.headings)) or doc_year, preamble=table.preamble)
        try:
            produced = fn(table, ctx)
        except MemoryError:
            raise
        except Exception as e:  # noqa: BLE001 - one table's parser bug must not lose the document
            rows["problems"].append({"doc_id": doc_id, "table_id": table_id, "line": table.first_line(),
                                     "kind": "row_unparsed", "text": header_text(table),
                                     "detail": f"解析该表时出错（{type(e).__name__}: {str(e)[:120]}）"})
            continue
        try:
            for t in produced.get("tables", []):
                t.setdefault("page", table.page)
                t.setdefault("sheet", table.sheet)
            merge_rows(rows, produced)
            kinds.append(kind)
        except Exception as e:  # noqa: BLE001 - one table's parser bug must not lose the document
            rows["problems"].append({"doc_id": doc_id, "table_id": table_id, "line": table.first_line(),
                                     "kind": "row_unparsed", "text": header_text(table),
                                     "detail": f"解析该表时出错（{type(e).__name__}: {str(e)[:120]}）"})
    claims_fn = resolve(CLAIMS_NORMALIZER)
    if claims_fn is not None and raw.paragraphs:
        try:
            merge_rows(rows, claims_fn(raw.paragraphs, DocContext(doc_id, file, raw.title)))
        except Exception as e:  # noqa: BLE001
            rows["problems"].append({"doc_id": doc_id, "kind": "row_unparsed", "detail": f"叙述文字解析出错：{e}"})
    if not kinds and not rows.get("claims") and not unread_tables:
        info.readable = False
        first = f"（首行：{raw.title[:40]}）" if raw.title else ""
        if in_folder:
            # e.g. notes.md beside the documents: not a finding about a budget document
            blocks = sum(1 for p in rows["problems"] if p.get("kind") == "unrecognized")
            rows["problems"] = [p for p in rows["problems"] if p.get("kind") != "unrecognized"]
            info.error = "不是预算或绩效文件：没有可识别的表格，也没有数字陈述" + first
            rows["problems"].append({"doc_id": doc_id, "kind": "not_document",
                                     "detail": info.error + (f"，另有 {blocks} 个未识别的表格" if blocks else "")})
        else:
            info.error = "文件中没有可识别的自评表、预算表或目标表" + first
            rows["problems"].append({"doc_id": doc_id, "kind": "no_tables", "detail": info.error})
    measure_coverage(raw, rows, doc_id, kinds, info)
    info.tables = len(kinds)
    # the most common kind; a tie goes to the first table (a set would make it vary between runs)
    info.kind = Counter(kinds).most_common(1)[0][0] if kinds else ("narrative" if rows.get("claims") else None)
    info.year = doc_year or next((t.get("year") for t in rows.get("tables", []) if t.get("year")), None)
    unit = document_unit([raw.title, raw.first_heading], [p.text for p in raw.paragraphs[:4]],
                         rows.get("tables", []))
    page_starts = getattr(raw, "page_starts", None)
    rows["documents"].append({"doc_id": doc_id, "file": file, "title": raw.title, "year": info.year,
                              "unit": unit, "kind": info.kind, "sha256": raw.sha256,
                              "page_starts": ",".join(map(str, page_starts)) if page_starts else None})
    return info, rows


_NUMBER_LIKE = re.compile(r"\d[eE][+-]?\d|\d{300}")


def _malformed_numbers(tables, doc_id: str, limit: int = 100) -> list[dict]:
    """Cells printed as a number that no float holds (1e309, a 400-digit run): an INP004
    problem each (up to `limit` per document), so the amount is never dropped in silence."""
    from auditor.model.numbers import parse_number

    out = []
    for k, table in enumerate(tables, 1):
        for row in table.rows:
            for c in row:
                text = c.text
                if text and _NUMBER_LIKE.search(text) and parse_number(text).malformed:
                    out.append({"doc_id": doc_id, "table_id": f"{doc_id}.T{k}", "line": c.line,
                                "kind": "row_unparsed", "text": text[:60],
                                "detail": f"数字“{text[:40]}”超出可表示的范围，无法读取，该值未参与核对"})
                    if len(out) >= limit:
                        return out
    return out


def _read_job(args: tuple[str, str, int | None, float | None, bool]) -> tuple[DocumentInfo, Rows]:
    return read_rows(*args)


def doc_id_for(path: str | Path) -> str:
    """The id of a document read from `path`: derived from the file (a hash of its path as
    given, normalized), so no input can name it: not a published canonical CSV (whose ids are
    put in a namespace of their own, see `_published_canonical`), not another file of the run."""
    key = os.path.normpath(os.fsdecode(path)).encode("utf-8", "surrogateescape")
    return "F" + hashlib.sha256(key).hexdigest()[:12]


def canonical_namespace(path: str | Path) -> str:
    """The namespace of the doc ids in published canonical CSVs: one per folder (its
    documents.csv and funds.csv describe the same documents), `C<hash>:` and a colon,
    which no generated document id holds."""
    key = os.path.normpath(os.fsdecode(Path(path).parent)).encode("utf-8", "surrogateescape")
    return "C" + hashlib.sha256(key).hexdigest()[:8] + ":"


def _read_files(args: list[tuple], jobs: int, seconds: float | None, memory_mb: float | None,
                progress=None) -> list[tuple[DocumentInfo, Rows]]:
    """Each file read in a worker process killed past `seconds` and limited to `memory_mb`
    (auditor.readpool); without limits (or without fork), in this process."""
    from auditor import readpool

    if (seconds or memory_mb) and readpool.usable() and args:
        untimed = [(path, doc_id, max_bytes, None, in_folder) for path, doc_id, max_bytes, _, in_folder in args]
        return readpool.read_all(
            read_rows, untimed, jobs=jobs, seconds=seconds, memory_mb=memory_mb, progress=progress,
            on_timeout=lambda a: unreadable(a[0], a[1], timeout_detail(seconds)),
            on_crash=lambda a, why: unreadable(a[0], a[1], memory_detail(memory_mb) if why == "memory" else
                                               f"读取该文件的进程异常终止（{why}），可能超出内存上限"
                                               f"（memory_mb = {memory_mb:g} MB），已跳过" if memory_mb else
                                               f"读取该文件的进程异常终止（{why}），已跳过"))
    results = []
    for a in args:
        results.append(_read_job(a))
        if progress:
            progress(len(results), len(args))
    return results


def _published_canonical(files: list[Path], max_bytes: int | None = None, seconds: float | None = None,
                         ) -> tuple[list[Path], list[Canonical], list[DocumentInfo], Rows]:
    """CSV files in the canonical format a data team publishes (one canonical table per
    file, see README) bypass the readers; every other file goes through them.

    A published file is bound to its own documents: its doc ids are put in the namespace of
    its folder (so `D1` in appendix.csv is never the document read from report.txt), and a
    `file` it declares that names a file read in this run is replaced by the CSV's own path.
    It obeys the limits of every input: max_file_mb, file_timeout, and its sha256 is in the
    provenance."""
    from auditor.model.io import CanonicalError, canonical_table_of, read_canonical_file

    rest, parts, infos = [], [], []
    refused: Rows = {"documents": [], "problems": []}
    for f in files:
        table = canonical_table_of(f)
        if table is None:
            rest.append(f)
            continue
        if max_bytes:
            try:
                if f.stat().st_size > max_bytes:
                    rest.append(f)      # the reader refuses it by size, as any other input (INP001)
                    continue
            except OSError:
                rest.append(f)
                continue
        try:
            with time_limit(seconds):
                data = f.read_bytes()
                df = read_canonical_file(f, table)
        except FileTimeout:
            doc_id = doc_id_for(f)
            detail = f"处理超过 {seconds:g} 秒仍未完成，已跳过（file_timeout）"
            infos.append(DocumentInfo(file=str(f), doc_id=doc_id, readable=False, error=detail))
            refused["documents"].append({"doc_id": doc_id, "file": str(f)})
            refused["problems"].append({"doc_id": doc_id, "kind": "unreadable", "detail": detail})
            continue
        except (CanonicalError, ValueError, OSError):
            rest.append(f)
            continue
        ns = canonical_namespace(f)
        df = df.copy()
        df["doc_id"] = df["doc_id"].map(lambda v, ns=ns: None if _na(v) else ns + str(v))
        frames = {table: df}
        if table != "documents":
            docs = sorted({str(d) for d in df["doc_id"].dropna()})
            frames["documents"] = Canonical.from_rows(
                {"documents": [{"doc_id": d, "file": str(f)} for d in docs]})["documents"]
        parts.append(Canonical({t: frames.get(t, Canonical.from_rows({})[t]) for t in SPEC}))
        infos.append(DocumentInfo(file=str(f), doc_id=f"canonical:{table}", kind=f"canonical {table}",
                                  tables=len(df), sha256=hashlib.sha256(data).hexdigest()))
    return rest, parts, infos, refused


def _bind_declared_files(canonical: Canonical, read_files: list[str]) -> None:
    """A published documents row whose `file` names a document read in this run (same path,
    or same file name, which baselines match on) is shown under the CSV that declared it."""
    docs = canonical["documents"]
    if not len(docs) or not read_files:
        return
    names = {os.path.normpath(f) for f in read_files} | {os.path.basename(f) for f in read_files}
    published = docs["doc_id"].astype(str).str.contains(":", regex=False)
    if not published.any():
        return
    files = docs["file"].astype(object)
    clash = published & files.map(lambda v: isinstance(v, str) and (os.path.normpath(v) in names
                                                                 or os.path.basename(v) in names))
    if clash.any():
        docs = docs.copy()
        docs.loc[clash, "file"] = [f"{v}（规范表数据，与已读取的同名文件无关）" for v in docs.loc[clash, "file"]]
        canonical.frames["documents"] = docs


def _refused_rows(skipped) -> tuple[list[DocumentInfo], Rows]:
    """Inputs that were not opened because opening them could block, loop or leave the given
    folders (FIFOs, devices, link loops, links outside, unreadable folders): a finding each."""
    infos, rows = [], {"documents": [], "problems": []}
    for s in skipped:
        if not getattr(s, "problem", None):
            continue
        doc_id = doc_id_for(s.file)
        infos.append(DocumentInfo(file=s.file, doc_id=doc_id, readable=False, error=s.reason))
        rows["documents"].append({"doc_id": doc_id, "file": s.file})
        rows["problems"].append({"doc_id": doc_id, "kind": s.problem, "detail": s.reason})
    return infos, rows


def build(paths: list[str | Path], jobs: int = 1, max_bytes: int | None = None,
          seconds: float | None = None, progress=None, follow_links: bool = False,
          memory_mb: float | None = None) -> tuple[list[DocumentInfo], Canonical]:
    """`progress(done, total)` is called as files are read (the CLI draws a bar with it). With a
    time (`seconds`) or memory (`memory_mb`) limit each file is read in a worker process that
    is killed past it (auditor.readpool); `jobs` such workers read side by side."""
    found, skipped = discover(paths, follow_links=follow_links)
    files, published, published_info, refused = _published_canonical(found, max_bytes, seconds)
    refused_info, refused_rows = _refused_rows(skipped)
    named = {Path(p) for p in paths if not Path(p).is_dir()}
    args = [(str(f), doc_id_for(f), max_bytes, seconds, f not in named) for f in files]
    if jobs > 1 and len(args) > 1 and not (seconds or memory_mb):
        memory_mb = float(DEFAULTS["memory_mb"])     # parallel reading always goes through the workers
    results = _read_files(args, jobs, seconds, memory_mb, progress)
    all_rows: Rows = {}
    for _, rows in results:
        merge_rows(all_rows, rows)
    merge_rows(all_rows, refused)
    merge_rows(all_rows, refused_rows)
    canonical = Canonical.concat([Canonical.from_rows(all_rows)] + published)
    if published:
        _bind_declared_files(canonical, [str(f) for f in files])
        # a doc_id named by several published files: the documents.csv row (with a title) wins
        docs = canonical["documents"]
        canonical.frames["documents"] = (docs.assign(_known=docs["title"].notna())
                                         .sort_values("_known", ascending=False, kind="stable")
                                         .drop_duplicates("doc_id").drop(columns="_known")
                                         .sort_index().reset_index(drop=True))
    from auditor.model.quick import surely_valid

    problems = []
    for name in SPEC:
        if name != "problems" and not surely_valid(name, canonical[name]):
            from auditor.model.schemas import validate     # pandera, for the exact problem rows

            problems += validate(name, canonical[name])
    if problems:
        all_rows["problems"] = all_rows.get("problems", []) + problems
        canonical.frames["problems"] = Canonical.from_rows({"problems": all_rows["problems"]})["problems"]
    return [info for info, _ in results] + refused_info + published_info, canonical


def extract(path: str | Path) -> Canonical:
    """The canonical tables of one file, as the rules see them."""
    return build([path])[1]


def _sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


ENGINES = ("duckdb", "spark")


def run_catalog(canonical: Canonical | str | Path, rules: list[Rule], cfg: Config, engine: str = "duckdb",
                spark=None, spark_master: str | None = None) -> list[Finding]:
    """The selected rules through one engine, with the configuration applied (parameters,
    cap bands, word lists, rule options, time limit, severity overrides), in the one order
    and with roots linked: the same whichever engine runs. DuckDB reads a Canonical (or a
    folder of canonical tables); Spark reads a folder (or URL) of canonical Parquet."""
    from auditor.engine.base import finish

    if engine == "duckdb":
        from auditor.engine.run import run_rules

        if isinstance(canonical, (str, Path)):
            from auditor.model.io import load_canonical

            canonical = load_canonical(canonical)
        findings = run_rules(canonical, rules, params=cfg.params(), cap_bands=cfg.cap_bands,
                             seconds=cfg.rule_timeout, lexicon=cfg.lexicon(), rule_options=cfg.rule_options(),
                             memory_mb=cfg.duckdb_memory_mb, threads=int(cfg.duckdb_threads),
                             max_rows=int(cfg.max_rows_per_rule), rule_memory_mb=cfg.memory_mb)
    elif engine == "spark":
        from auditor.engine.spark import default_session, run_rules_spark

        if not isinstance(canonical, (str, Path)):
            raise ValueError("the Spark engine reads canonical Parquet tables: pass their folder (auditor extract "
                             "--format parquet), not tables in memory")
        if spark is None and spark_master:
            spark = default_session(spark_master)
        findings = run_rules_spark(canonical, rules, params=cfg.params(), cap_bands=cfg.cap_bands, spark=spark,
                                   lexicon=cfg.lexicon(), rule_options=cfg.rule_options(),
                                   seconds=cfg.spark_rule_timeout)
    else:
        raise ValueError(f"unknown engine '{engine}' (choose {' or '.join(ENGINES)})")
    return finish(findings, rules, cfg.severity)


def _documents_of(canonical: Canonical) -> list[DocumentInfo]:
    docs = canonical["documents"]
    return [DocumentInfo(file=str(file), doc_id=str(doc_id), kind=None if _na(kind) else str(kind),
                         title=None if _na(title) else str(title), sha256=None)
            for doc_id, file, kind, title in zip(docs["doc_id"], docs["file"], docs["kind"], docs["title"])]


def _na(v) -> bool:
    return v is None or v is _NA or (isinstance(v, float) and v != v)


try:
    from pandas import NA as _NA
except ImportError:  # pragma: no cover
    _NA = None


def check(paths: list[str | Path] | str | Path = (), *, select: list[str] | None = None,
          ignore: list[str] | None = None, rules_dirs: list[str | Path] | None = None,
          config: Config | str | Path | None = None, jobs: int = 1, catalog: Catalog | None = None,
          canonical: str | Path | Canonical | None = None, engine: str = "duckdb", spark=None,
          spark_master: str | None = None, ocr: bool = False, baseline: str | Path | None = None,
          progress=None, follow_links: bool = False) -> Report:
    """Read, normalize and check documents; returns a Report (findings as a DataFrame).

    With `canonical` (a Canonical or a folder of canonical CSV/Parquet tables) the
    reading stages are skipped and the rules run on those tables directly. `engine`
    "spark" runs them on Spark (`spark`: a SparkSession, or `spark_master`: a master
    URL; `canonical` must then be a folder of Parquet tables). `ocr` reads scanned PDF
    pages by OCR. `baseline`: report only findings not in this baseline file. Every
    option of `auditor check` that decides what is found is an argument here (the
    format, output and exit code are the Report's: auditor.render, Report.exit_code)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if engine not in ENGINES:
        raise ValueError(f"unknown engine '{engine}' (choose {' or '.join(ENGINES)})")
    cfg = config if isinstance(config, Config) else load_config(config)
    catalog = catalog or load_catalog([Path(d) for d in rules_dirs or []])
    rules = select_rules(catalog, (select or []) + cfg.select, (ignore or []) + cfg.ignore)
    canonical_given = canonical is not None
    source: Canonical | str | Path
    if canonical is not None and engine == "spark" and not isinstance(canonical, Canonical):
        from auditor.model.io import read_documents

        source, documents, loaded = canonical, read_documents(canonical), None
    elif canonical is not None:
        from auditor.model.io import load_canonical

        loaded = canonical if isinstance(canonical, Canonical) else load_canonical(canonical)
        documents, source = _documents_of(loaded), loaded
    else:
        with _ocr(ocr):
            documents, loaded = build(list(paths), jobs=jobs, max_bytes=int(cfg.max_file_mb * 1024 * 1024),
                                      seconds=cfg.file_timeout, progress=progress, follow_links=follow_links,
                                      memory_mb=cfg.memory_mb)
        source = loaded
    findings = run_catalog(source, rules, cfg, engine=engine, spark=spark, spark_master=spark_master)
    provenance = {
        "tool": "auditor", "version": __version__, "engine": engine,
        "rule_packs": sorted({r.source for r in rules}),
        "rules_sha256": hashlib.sha256("".join(r.id + r.query for r in rules).encode()).hexdigest(),
        "config": cfg.to_dict(),
        "inputs": [{"file": d.file, "sha256": d.sha256} for d in documents],
    }
    if engine == "spark":
        provenance["canonical"] = str(canonical)
    # skips that are findings (a FIFO, a link loop) are documents of the report, not listed twice
    skipped = [] if canonical_given else [s for s in discover(paths, follow_links=follow_links)[1] if not s.problem]
    report = Report(items=findings, documents=documents, rules_run=[r.id for r in rules if r.query],
                    canonical=loaded, provenance=provenance, skipped=skipped)
    if baseline is not None:
        from auditor.engine.baseline import apply_baseline

        report = apply_baseline(report, baseline)
    return report


@contextmanager
def _ocr(on: bool):
    """OCR of scanned PDF pages for this run only (the reader's switch is module state)."""
    if not on:
        yield
        return
    import auditor.ingest.pdf as pdf_reader

    before = pdf_reader.OCR
    pdf_reader.OCR = True
    try:
        yield
    finally:
        pdf_reader.OCR = before
