"""The command line: a thin typer layer over the library (auditor.pipeline)."""
from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

from auditor import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="auditor: 预算与绩效文件数据质量审核 (data-quality audit of budget and performance documents).")
err = Console(stderr=True)
DEBUG_ENV = "AUDITOR_DEBUG"
_debug = False
SUFFIXES_TEXT = "txt, md, csv, tsv, xlsx, xls, docx, pdf"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


def _die(message: str, code: int = 2) -> None:
    from rich.text import Text

    from auditor.textsafe import printable

    # the message is never markup: a hint such as pip install 'auditor[gx]' keeps its brackets;
    # a file name or a rule pack's text in it never sends an escape sequence to the terminal
    err.print(Text("auditor: ", style="bold red") + Text(printable(str(message))), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _note(message: str) -> None:
    from rich.text import Text

    from auditor.textsafe import printable

    err.print(Text(printable(str(message))), highlight=False, soft_wrap=True)


def _safe_text(value) -> "Text":
    """A table cell or title from a document, a file name or a rule pack: never markup, no
    control characters."""
    from rich.text import Text

    from auditor.textsafe import printable

    return Text(printable("" if value is None else str(value)))


def _refuse_output(targets: list[Path], paths: list[Path], follow_links: bool) -> None:
    """An output that would overwrite an input, land in a folder being read (and be read as an
    input next time), or replace a read-only file is refused before anything is read."""
    from auditor.ingest import discover

    inputs = set()
    for f in discover(paths, follow_links=follow_links)[0]:
        try:
            inputs.add(f.resolve())
        except (OSError, RuntimeError):
            pass
    folders = []
    for p in paths:
        try:
            if p.is_dir():
                folders.append((p, p.resolve()))
            elif p.exists():
                inputs.add(p.resolve())
        except (OSError, RuntimeError):
            pass
    for target in targets:
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):
            _die(f"输出路径 {target} 无法解析（符号链接循环？），请换一个输出路径")
        if resolved in inputs:
            _die(f"输出文件 {target} 是输入文件之一，拒绝覆盖；请换一个输出路径")
        for given, folder in folders:
            if folder == resolved or folder in resolved.parents:
                _die(f"输出文件 {target} 位于正在读取的输入目录 {given} 中（下次检查会把报告当作输入读取），"
                     "请写到输入目录之外")
        if target.is_dir():
            _die(f"输出路径 {target} 是一个目录，请指定文件名")
        if target.exists() or target.is_symlink():
            try:
                mode = target.stat().st_mode
            except OSError as e:
                _die(f"输出文件 {target} 无法访问（{e.strerror or e}），请换一个输出路径")
            import stat

            if not stat.S_ISREG(mode):
                _die(f"输出路径 {target} 不是普通文件（设备、管道等），拒绝写入")
            if not mode & 0o222 or not os.access(target, os.W_OK):
                _die(f"输出文件 {target} 是只读文件，拒绝替换；请先修改权限或换一个输出路径")
        parent = resolved.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if parent.exists() and not os.access(parent, os.W_OK):
            _die(f"输出目录 {parent} 不可写，无法写入 {target}")


def _catalog(rules_dirs: list[Path] | None):
    from auditor.engine.catalog import RulePackError, load_catalog

    try:
        return load_catalog(rules_dirs or [])
    except RulePackError as e:
        _die(f"规则包错误：{e}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"auditor {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit."),
         debug: bool = typer.Option(False, "--debug", help=f"Print the traceback of an internal error "
                                                          f"(same as {DEBUG_ENV}=1), for a bug report.")) -> None:
    """auditor: check 绩效自评表, 预算批复表, 决算说明 and 自评报告 (txt, csv, xlsx, xls, docx, pdf)
    for internal contradictions."""
    global _debug
    _debug = _debug or debug


@app.command()
def check(
    paths: List[Path] = typer.Argument(None, help=f"Files or folders to check ({SUFFIXES_TEXT})."),
    canonical: Optional[Path] = typer.Option(None, "--canonical", help="Run the rules on canonical tables (CSV/Parquet folder)."),
    fmt: List[str] = typer.Option(["terminal"], "--format", "-f",
                                  help="terminal|json|markdown|html|junit|sarif|github|excel; repeat with --output-dir."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    output_dir: Optional[Path] = typer.Option(None, "--output-dir", help="Write one report per --format here."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", help="Exit 1 when a finding reaches this severity "
                                             "(default: fail_on in auditor.toml, else error)."),
    select: List[str] = typer.Option([], "--select", help="Rule ids, family prefixes, names or tags to run."),
    ignore: List[str] = typer.Option([], "--ignore", help="Rule ids, family prefixes, names or tags to skip."),
    rules: List[Path] = typer.Option([], "--rules", help="Extra rule-pack folder (YAML)."),
    config: Optional[Path] = typer.Option(None, "--config", help="auditor.toml (default: ./auditor.toml or [tool.auditor])."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Report only findings not in this baseline "
                                            "(default: baseline in auditor.toml)."),
    max_findings: Optional[int] = typer.Option(None, "--max-findings", help="Exit 1 when there are more findings."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Files read in parallel processes."),
    ocr: bool = typer.Option(False, "--ocr", help="Read scanned PDF pages by OCR (needs tesseract with chi_sim)."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default) or spark (with --canonical Parquet)."),
    follow_links: bool = typer.Option(False, "--follow-links", help="Follow symbolic links in folders that lead "
                                      "outside the folders given (default: reported, not followed)."),
    spark_master: Optional[str] = typer.Option(None, "--spark-master", help="Spark master URL (default: local[*])."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every finding."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Counts only."),
) -> None:
    """Check documents and report the findings. Exit 0 clean, 1 findings, 2 usage or unreadable input."""
    from auditor.config import ConfigError, load_config
    from auditor.engine.select import UnknownSelector
    from auditor.pipeline import check as run_check, expand_paths
    from auditor.render import RenderOptions, UnknownFormat, get_renderer, render_to

    paths = paths or []
    _check_counts(jobs, max_findings)
    try:
        cfg = load_config(config)
    except ConfigError as e:
        _die(str(e))
    fail_on_value = fail_on.value if fail_on is not None else cfg.fail_on
    if baseline is None and cfg.baseline:
        baseline = cfg.path_of(cfg.baseline)
    if canonical is None:
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            _die(f"找不到文件或目录：{', '.join(missing)}")
        from auditor.ingest import discover

        found, skips = discover(paths, follow_links=follow_links)
        if not found and not any(s.problem for s in skips):
            reports = [s for s in skips if s.reason.startswith("auditor 以前生成的报告")]
            _die(f"没有可检查的文件（支持 {SUFFIXES_TEXT}）"
                 + (f"；{len(reports)} 个是 auditor 以前生成的报告，不作为输入读取" if reports else ""))
    elif paths:
        _die("--canonical 与文件参数不能同时使用")
    if len(fmt) > 1 and output_dir is None:
        _die("多个 --format 需要配合 --output-dir")
    if engine not in ("duckdb", "spark"):
        _die("--engine 只能是 duckdb 或 spark")
    if engine == "spark" and canonical is None:
        _die("--engine spark 需要 --canonical（先用 auditor extract --format parquet 生成规范表）")
    targets = [output] if output is not None and output_dir is None else []
    if output_dir is not None:
        try:
            targets = [output_dir / f"auditor-report{get_renderer(f).suffix}" for f in fmt]
        except UnknownFormat as e:
            _die(str(e))
    if targets:
        _refuse_output(targets, list(paths) + ([canonical] if canonical is not None else []), follow_links)
    try:
        for f in fmt:
            get_renderer(f)
    except UnknownFormat as e:
        _die(str(e))
    catalog = _catalog(rules)
    from auditor.model.io import CanonicalError

    try:
        if engine == "spark":
            report = _check_spark(canonical, select, ignore, cfg, catalog, spark_master, quiet)
        else:
            with _progress_bar(len(expand_paths(paths, follow_links)) if canonical is None else 0, quiet) as progress:
                report = run_check(paths, select=select, ignore=ignore, config=cfg, jobs=jobs, catalog=catalog,
                                   canonical=canonical, ocr=ocr, progress=progress, follow_links=follow_links)
    except (UnknownSelector, ConfigError, CanonicalError, ValueError) as e:
        _die(str(e))
    if baseline is not None:
        from auditor.engine.baseline import apply_baseline

        if not baseline.is_file():
            _die(f"{baseline}: 基线文件不存在")
        try:
            report = apply_baseline(report, baseline)
        except ValueError as e:
            _die(str(e))
    options = RenderOptions(verbose=verbose, quiet=quiet, catalog=catalog, fail_on=fail_on_value)
    written = []
    try:
        if output_dir is not None:
            for f in fmt:
                r = get_renderer(f)
                render_to(report, f, output_dir / f"auditor-report{r.suffix}", options)
                written.append(output_dir / f"auditor-report{r.suffix}")
        else:
            render_to(report, fmt[0], output, options)
            if output is not None:
                written.append(output)
    except UnknownFormat as e:
        _die(str(e))
    except BrokenPipeError:
        # the reader of a pipe (| head) stopped reading: nothing to report, no traceback
        _quiet_broken_pipe()
        raise typer.Exit(report.exit_code(fail_on_value))
    except OSError as e:
        # a full disk, a folder that vanished, a target made read-only meanwhile: the earlier
        # report (written atomically) is left as it was
        where = e.filename or (output_dir if output_dir is not None else output) or "标准输出"
        _die(f"无法写入报告 {where}：{e.strerror or e}；之前的报告（如有）未被改动")
    code = report.exit_code(fail_on_value)
    if written:
        # a CI log shows what was written and what it holds, not nothing
        from auditor.render.terminal import one_line_summary

        _note(one_line_summary(report, fail_on_value))
        for path in written:
            _note(f"已写入 {path}")
    if code == 0 and max_findings is not None and len(report.items) > max_findings:
        code = 1
        _note(f"auditor: 共 {len(report.items)} 条问题，超过 --max-findings {max_findings}，退出码 1")
    raise typer.Exit(code)


def _quiet_broken_pipe() -> None:
    """After EPIPE on stdout, point it at /dev/null so the interpreter's final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _check_counts(jobs: int, max_findings: int | None = None) -> None:
    if jobs < 1:
        _die(f"--jobs 必须是正整数（1 = 不并行，2 = 两个进程并行读取），收到 {jobs}")
    if max_findings is not None and max_findings < 0:
        _die(f"--max-findings 不能为负数，收到 {max_findings}")


class _progress_bar:
    """A progress bar on stderr for long runs (many files); off when stderr is not a
    terminal, when NO_COLOR asks for plain output, or with --quiet."""

    MIN_FILES = 20

    def __init__(self, total: int, quiet: bool):
        import os

        self.enabled = total >= self.MIN_FILES and err.is_terminal and not quiet and not os.environ.get("NO_COLOR")
        self.total = total
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("读取文件"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=err, transient=True)
        self.bar.start()
        task = self.bar.add_task("read", total=self.total)
        return lambda done, total: self.bar.update(task, completed=done)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _check_spark(canonical_dir, select, ignore, cfg, catalog, master, quiet=False):
    """The same rule packs on Spark SQL over canonical Parquet (national-scale runs), through the
    orchestration DuckDB runs use (auditor.pipeline.check): configuration, word lists, severity
    overrides, root linking and the order of findings are the same."""
    from auditor.engine.select import select_rules
    from auditor.model.io import canonical_files, read_documents
    from auditor.pipeline import check as run_check

    try:
        from auditor.engine.spark import default_session
    except ImportError as e:
        _die(f"Spark 引擎需要 pyspark：pip install 'auditor[spark]'（{e}）")
    files = canonical_files(canonical_dir)
    if not quiet:
        rules = [r for r in select_rules(catalog, list(select) + cfg.select, list(ignore) + cfg.ignore) if r.query]
        _note(f"Spark：{canonical_dir} 中 {len(files)} 个规范表文件，{len(read_documents(canonical_dir))} 个文件的数据，"
              f"{len(rules)} 条规则")
    with _quiet_jvm(quiet):
        # the JVM inherits stderr when it starts: with -q its log4j lines go nowhere
        session = default_session(master)
    report = run_check([], select=select, ignore=ignore, config=cfg, catalog=catalog, canonical=canonical_dir,
                       engine="spark", spark=session)
    report.provenance["canonical_files"] = [str(f) for f in files]
    return report


class _quiet_jvm:
    """Point file descriptor 2 at /dev/null while a child process (the JVM) starts."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.saved = None

    def __enter__(self):
        if self.enabled:
            sys.stderr.flush()
            self.saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            os.dup2(self.saved, 2)
            os.close(self.saved)
        return False


export_app = typer.Typer(help="Export the active rule packs to other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("gx")
def export_gx_cmd(
    output: Path = typer.Option(..., "--output", "-o", help="Folder for the expectation suites."),
    select: List[str] = typer.Option([], "--select"),
    ignore: List[str] = typer.Option([], "--ignore"),
    rules_dirs: List[Path] = typer.Option([], "--rules"),
    config: Optional[Path] = typer.Option(None, "--config"),
) -> None:
    """Write a Great Expectations 1.x suite (UnexpectedRowsExpectation per rule, SQLite dialect);
    rules that SQLite cannot express are listed, never dropped silently."""
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from auditor.config import ConfigError, load_config
    from auditor.engine.select import UnknownSelector, select_rules

    try:
        from auditor.export.gx import export_gx
    except ImportError as e:
        _die(f"GX 导出需要 sqlglot：pip install 'auditor[gx]'（{e}）")
    catalog = _catalog(rules_dirs)
    try:
        cfg = load_config(config)
        chosen = select_rules(catalog, list(select) + cfg.select, list(ignore) + cfg.ignore)
    except (UnknownSelector, ConfigError) as e:
        _die(str(e))
    result = export_gx(chosen, output, params=cfg.params(), cap_bands=cfg.cap_bands, lexicon=cfg.lexicon(),
                       rule_options=cfg.rule_options(), severity=cfg.severity)
    typer.echo(result.report())


@app.command()
def extract(
    paths: List[Path] = typer.Argument(..., help="Documents or folders."),
    out: Path = typer.Option(..., "--out", help="Folder for the canonical tables."),
    fmt: str = typer.Option("csv", "--format", help="csv|parquet (one file per table) or sqlite "
                                                     "(canonical.sqlite, what `auditor export gx` suites run on)"),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Files read in parallel processes."),
    config: Optional[Path] = typer.Option(None, "--config", help="auditor.toml (params of the sqlite file)."),
    coverage: bool = typer.Option(False, "--coverage", help="List the regions of figures that were not read."),
    follow_links: bool = typer.Option(False, "--follow-links", help="Follow symbolic links that lead outside the "
                                      "folders given."),
) -> None:
    """Write the canonical tables the parser understood (one file per table, or one SQLite file)."""
    from auditor.config import ConfigError, load_config
    from auditor.model.io import FORMATS, CanonicalError, write_canonical
    from auditor.pipeline import build, expand_paths

    _check_counts(jobs)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _die(f"找不到文件或目录：{', '.join(missing)}")
    if fmt not in FORMATS:
        _die(f"--format 只能是 {'、'.join(FORMATS)}")
    for p in paths:
        try:
            inside = p.is_dir() and (out.resolve() == p.resolve() or p.resolve() in out.resolve().parents)
        except (OSError, RuntimeError):
            inside = False
        if inside:
            _die(f"--out {out} 位于正在读取的输入目录 {p} 中（下次检查会把这些规范表当作输入读取），请写到输入目录之外")
    try:
        cfg = load_config(config)
    except ConfigError as e:
        _die(str(e))
    with _progress_bar(len(expand_paths(paths, follow_links)), False) as progress:
        documents, canonical = build(paths, jobs=jobs, progress=progress, follow_links=follow_links,
                                     max_bytes=int(cfg.max_file_mb * 1024 * 1024), seconds=cfg.file_timeout,
                                     memory_mb=cfg.memory_mb)
    try:
        write_canonical(canonical, out, fmt, params=cfg.params(), cap_bands=cfg.cap_bands)
    except CanonicalError as e:
        _die(str(e))
    table = Table("table", "rows", title=_safe_text(f"{', '.join(map(str, paths))} → {out}"))
    for name, n in canonical.counts().items():
        table.add_row(name, str(n))
    Console().print(table)
    problems = canonical["problems"]
    bad = problems[problems["kind"].isin(["unreadable", "no_tables"])] if len(problems) else problems
    files = {str(d.doc_id): d.file for d in documents}
    if coverage:
        _print_coverage(documents, canonical, files)
    for d in bad.itertuples():
        _note(f"{files.get(str(d.doc_id), d.doc_id)}: {d.detail}")
    from auditor.ingest import discover

    for skipped in discover(paths, follow_links=follow_links)[1]:
        _note(f"{skipped.file}: 跳过：{skipped.reason}")
    if documents and not any(d.readable for d in documents):
        raise typer.Exit(2)


def _print_coverage(documents, canonical, files: dict[str, str]) -> None:
    """Per file: figures read of figures printed, then the regions of unread figures with their lines."""
    from auditor.coverage import regions

    unread = canonical["unread"].astype(object).where(canonical["unread"].notna(), None).to_dict("records")
    by_doc: dict[str, list[dict]] = {}
    for r in regions(unread):
        by_doc.setdefault(str(r["doc_id"]), []).append(r)
    for d in documents:
        cov = d.coverage
        if cov is None:
            continue
        share = f"{cov.share:.0%}" if cov.share is not None else "—"
        from rich.text import Text

        name = _safe_text(d.file)
        name.stylize("bold")
        Console().print(name + Text(f": 数字 {cov.figures_read}/{cov.figures} 已读（{share}），"
                        f"表 {sum(cov.tables_by_kind.values())}，数据行 {cov.rows}，叙述数字 {cov.claims}"), highlight=False)
        table = Table("lines", "kind", "figures", "where / text", title="未读取的数字区域（unread regions）")
        for r in by_doc.get(str(d.doc_id), []):
            lines = str(r["first"]) if r["first"] == r["last"] else f"{r['first']}–{r['last']}"
            sample = "、".join(r["sample"])
            what = (r.get("where") or "") + ("：" if r.get("where") else "") + (r.get("text") or "")[:60]
            table.add_row(lines, "表格" if r["kind"] == "table" else "叙述", _safe_text(f"{r['figures']}（{sample}）"),
                          _safe_text(what))
        if table.row_count:
            Console().print(table)


@app.command()
def rules(
    select: List[str] = typer.Option([], "--select"),
    fmt: str = typer.Option("table", "--format", help="table|json|markdown"),
    rules_dirs: List[Path] = typer.Option([], "--rules", help="Extra rule-pack folder."),
) -> None:
    """List the rule catalog."""
    from auditor.engine.select import UnknownSelector, select_rules

    catalog = _catalog(rules_dirs)
    try:
        chosen = select_rules(catalog, select)
    except UnknownSelector as e:
        _die(str(e))
    if fmt == "json":
        typer.echo(json.dumps([_rule_dict(r) for r in chosen], ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        from auditor.render.ruledoc import rules_markdown

        typer.echo(rules_markdown(chosen), nl=False)
    else:
        from auditor.render.common import SEVERITY_LABELS
        from auditor.render.ruledoc import rule_doc

        table = Table("编码", "名称 (name)", "级别", "说明", title=f"auditor 规则（{len(chosen)} 条）")
        for r in chosen:
            table.add_row(_safe_text(r.id), _safe_text(r.name), SEVERITY_LABELS[r.severity.value],
                          _safe_text(rule_doc(r.id, r).summary))
        Console().print(table)


def _rule_dict(r) -> dict:
    from auditor.render.ruledoc import rule_doc

    doc = rule_doc(r.id, r)
    return {"code": r.id, "name": r.name, "family": r.family, "severity": r.severity.value, "tags": list(r.tags),
            "since": r.since, "summary": r.summary, "rationale": r.rationale, "message": r.message,
            "zh": {"summary": doc.summary, "rationale": doc.rationale, "fix": doc.fix},
            "options": r.options, "examples": r.examples}


@app.command()
def explain(code: str = typer.Argument(..., help="A rule code (EXR001) or name."),
            fmt: str = typer.Option("text", "--format", help="text|json"),
            rules_dirs: List[Path] = typer.Option([], "--rules")) -> None:
    """Explain one rule: rationale, and what it reports on its fail and pass examples."""
    from auditor.engine.examples import run_example

    catalog = _catalog(rules_dirs)
    rule = catalog.get(code)
    if rule is None:
        import difflib

        hint = difflib.get_close_matches(code.upper(), [r.id for r in catalog] + [r.name for r in catalog], n=1)
        _die(f"未知规则 '{code}'" + (f"；是否要找 '{hint[0]}'？" if hint else ""))
    if fmt == "json":
        typer.echo(json.dumps(_rule_dict(rule), ensure_ascii=False, indent=2))
        return
    from rich.text import Text

    from auditor.render.common import SEVERITY_LABELS, chinese_title
    from auditor.render.ruledoc import rule_doc

    doc = rule_doc(rule.id, rule)
    console = Console()
    console.print(Text(f"{rule.id} {rule.name}", style="bold"), soft_wrap=True)
    console.print(Text(f"级别：{SEVERITY_LABELS[rule.severity.value]} · 规则族：{rule.family} "
                       f"{chinese_title(rule.family_title)} · 标签：{', '.join(rule.tags) or '-'} · 自 {rule.since}",
                       style="dim"), soft_wrap=True)
    console.print()
    console.print(Text(doc.summary, style="bold"))
    console.print(Text("为什么是问题：", style="bold") + Text(" ".join(doc.rationale.split())), soft_wrap=True)
    if doc.fix:
        console.print(Text("怎样修改：", style="bold") + Text(doc.fix), soft_wrap=True)
    console.print()
    console.print(Text("English: ", style="dim") + Text(f"{rule.summary} " + " ".join(rule.rationale.split()),
                                                         style="dim"), soft_wrap=True)
    for name, spec in (rule.options or {}).items():
        spec = spec if isinstance(spec, dict) else {"default": spec}
        console.print(Text(f"选项 option {name} = {spec.get('default')}：{spec.get('help', '')}"
                           f"（auditor.toml：[options.{rule.id}] {name} = …）"), soft_wrap=True)
    if not rule.query:
        console.print()
        console.print(Text(f"消息 message: {rule.message}"), soft_wrap=True)
        console.print(Text("由 auditor 自身报告（没有查询，也没有例子） · raised by auditor itself (no query, no example)"),
                      soft_wrap=True)
        return
    for side in ("fail", "pass"):
        example = rule.examples[side]
        console.print()
        console.print(Text("不通过的例子" if side == "fail" else "通过的例子", style="bold"))
        for table_name, rows in example.items():
            if table_name in ("expect", "params") or not rows:
                continue
            cols = list(dict.fromkeys(k for row in rows for k in row))
            from rich.markup import escape

            t = Table(*[escape(_safe_text(c).plain) for c in cols], title=_safe_text(table_name))
            for row in rows:
                t.add_row(*[_safe_text(row.get(c, "")) for c in cols])
            console.print(t)
        found = run_example(rule, side)
        if found:
            for f in found:
                console.print(Text(f"  → {f.rule} {SEVERITY_LABELS[f.severity.value]}：") + _safe_text(f.message),
                              soft_wrap=True)
        else:
            console.print(Text("  → 没有问题"))


@app.command()
def baseline(
    paths: List[Path] = typer.Argument(...),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Baseline file (default: baseline in auditor.toml, else "
                                               "auditor-baseline.json). An existing file is merged into."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the new findings are accepted (出错说明)."),
    accepted_by: Optional[str] = typer.Option(None, "--accepted-by", help="Who accepted them."),
    prune: bool = typer.Option(False, "--prune", help="Drop entries of the checked files that no longer occur."),
    select: List[str] = typer.Option([], "--select"),
    ignore: List[str] = typer.Option([], "--ignore"),
    config: Optional[Path] = typer.Option(None, "--config"),
) -> None:
    """Record today's findings so `check --baseline` reports only new ones. Entries already in
    the file keep their own reason, who and when; --prune drops the ones that no longer occur."""
    from auditor.config import ConfigError, load_config
    from auditor.engine.baseline import BaselineError, update_baseline
    from auditor.engine.select import UnknownSelector
    from auditor.pipeline import check as run_check

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _die(f"找不到文件或目录：{', '.join(missing)}")
    try:
        cfg = load_config(config)
        if output is None:
            output = cfg.path_of(cfg.baseline) if cfg.baseline else Path("auditor-baseline.json")
        report = run_check(paths, select=select, ignore=ignore, config=cfg)
        result = update_baseline(report, output, reason=reason, accepted_by=accepted_by, prune=prune)
    except (ConfigError, UnknownSelector, BaselineError) as e:
        _die(str(e))
    _note(f"基线已写入 {output}：{result.total} 条（新增 {result.added}，保留 {result.kept}"
          + (f"，删除已不再出现的 {result.pruned}" if prune else
             (f"；{result.stale} 条已不再出现，可用 --prune 删除" if result.stale else "")) + "）")


@app.command()
def init(
    output: Path = typer.Option(Path("auditor.toml"), "--output", "-o", help="Where to write the configuration."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented auditor.toml with every setting at its default."""
    from auditor.config import commented_toml

    if output.exists() and not force:
        _die(f"{output} 已存在；用 --force 覆盖，或编辑现有文件")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(commented_toml(), encoding="utf-8")
    _note(f"已写入 {output}：所有设置均为默认值，按注释修改即可")


@app.command()
def schema(fmt: str = typer.Option("json", "--format", help="json|yaml")) -> None:
    """Print the canonical tables' schemas (pandera), for teams validating their own exports."""
    from auditor.model.schemas import as_dict

    data = as_dict()
    if fmt == "yaml":
        import yaml

        typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    else:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def debug_enabled() -> bool:
    return _debug or os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every `finally` runs: reading workers are
    killed (auditor.readpool) and a report being written leaves no temporary file."""


def _terminate_cleanly() -> None:
    import signal

    def _raise(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)      # a second SIGTERM ends at once
        raise Terminated()

    try:
        signal.signal(signal.SIGTERM, _raise)
    except (ValueError, OSError):       # not the main thread (run() called from a library)
        pass


def run() -> None:
    """Entry point: no traceback reaches the user unless asked for (--debug or AUDITOR_DEBUG=1);
    an internal fault exits 2."""
    global _debug
    _debug = False
    _terminate_cleanly()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Terminated:
        sys.exit(143)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001
        from rich.text import Text

        if debug_enabled():
            import traceback

            traceback.print_exc()
        err.print(Text("auditor: 内部错误 ", style="bold red") + Text(f"{type(e).__name__}: {e}"), highlight=False,
                  soft_wrap=True)
        if not debug_enabled():
            err.print(Text(f"这是 auditor 的缺陷，不是文件的问题。请加 --debug（或设置 {DEBUG_ENV}=1）重新运行，"
                           "把输出附在问题报告中。"), highlight=False, soft_wrap=True)
        sys.exit(2)
