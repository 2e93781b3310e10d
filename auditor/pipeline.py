"""The library API the CLI is a thin layer over:

    report = auditor.check(["sample_data/"])
    report.findings            # pandas DataFrame, one row per finding
    canonical = auditor.extract("file.txt")

One direction of data flow: ingest -> recognize -> normalize -> engine -> render.
"""
from __future__ import annotations

import hashlib
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
from auditor.coverage import measure_coverage, unread_layout_problem
from auditor.recognize import UNREAD_LAYOUT, header_text, merge_continuations

YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files as given, and supported files inside folders (sorted, recursive); the files a
    folder holds that are not read are `auditor.ingest.discover(paths)[1]`."""
    return discover(paths)[0]


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
    for k, (kind, table) in enumerate(merge_continuations(raw.tables), 1):
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
    unit = next((t.get("name") for t in rows.get("tables", []) if t.get("name")), None)
    page_starts = getattr(raw, "page_starts", None)
    rows["documents"].append({"doc_id": doc_id, "file": file, "title": raw.title, "year": info.year,
                              "unit": unit, "kind": info.kind, "sha256": raw.sha256,
                              "page_starts": ",".join(map(str, page_starts)) if page_starts else None})
    return info, rows


def _read_job(args: tuple[str, str, int | None, float | None, bool]) -> tuple[DocumentInfo, Rows]:
    return read_rows(*args)


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


def _published_canonical(files: list[Path]) -> tuple[list[Path], list[Canonical], list[DocumentInfo]]:
    """CSV files in the canonical format a data team publishes (one canonical table per
    file, see README) bypass the readers; every other file goes through them."""
    from auditor.model.io import CanonicalError, canonical_table_of, read_canonical_file

    rest, parts, infos = [], [], []
    for f in files:
        table = canonical_table_of(f)
        if table is None:
            rest.append(f)
            continue
        try:
            df = read_canonical_file(f, table)
        except (CanonicalError, ValueError) as e:
            rest.append(f)
            continue
        frames = {table: df}
        if table != "documents":
            docs = sorted({str(d) for d in df["doc_id"].dropna()})
            frames["documents"] = Canonical.from_rows(
                {"documents": [{"doc_id": d, "file": str(f)} for d in docs]})["documents"]
        parts.append(Canonical({t: frames.get(t, Canonical.from_rows({})[t]) for t in SPEC}))
        infos.append(DocumentInfo(file=str(f), doc_id=f"canonical:{table}", kind=f"canonical {table}",
                                  tables=len(df)))
    return rest, parts, infos


def build(paths: list[str | Path], jobs: int = 1, max_bytes: int | None = None,
          seconds: float | None = None, progress=None,
          memory_mb: float | None = None) -> tuple[list[DocumentInfo], Canonical]:
    """`progress(done, total)` is called as files are read (the CLI draws a bar with it). With a
    time (`seconds`) or memory (`memory_mb`) limit each file is read in a worker process that
    is killed past it (auditor.readpool); `jobs` such workers read side by side."""
    files, published, published_info = _published_canonical(expand_paths(paths))
    named = {Path(p) for p in paths if not Path(p).is_dir()}
    args = [(str(f), f"D{i}", max_bytes, seconds, f not in named) for i, f in enumerate(files, 1)]
    if jobs > 1 and len(args) > 1 and not (seconds or memory_mb):
        memory_mb = float(DEFAULTS["memory_mb"])     # parallel reading always goes through the workers
    results = _read_files(args, jobs, seconds, memory_mb, progress)
    all_rows: Rows = {}
    for _, rows in results:
        merge_rows(all_rows, rows)
    canonical = Canonical.concat([Canonical.from_rows(all_rows)] + published)
    if published:
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
    return [info for info, _ in results] + published_info, canonical


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
          progress=None) -> Report:
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
                                      seconds=cfg.file_timeout, progress=progress, memory_mb=cfg.memory_mb)
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
    skipped = [] if canonical_given else discover(paths)[1]
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
