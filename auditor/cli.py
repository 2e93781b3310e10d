"""The command line: a thin typer layer over the library (auditor.pipeline)."""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from auditor import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="auditor: 预算与绩效文件数据质量审核 (data-quality audit of budget and performance documents).")
err = Console(stderr=True)


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


def _die(message: str, code: int = 2) -> None:
    err.print(f"[bold red]auditor:[/] {message}", highlight=False)
    raise typer.Exit(code)


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
                                      help="Print the version and exit.")) -> None:
    """auditor: check 绩效自评表, 预算批复表, 决算说明 and 自评报告 for internal contradictions."""


@app.command()
def check(
    paths: List[Path] = typer.Argument(None, help="Files or folders to check (txt, csv, xlsx, docx)."),
    canonical: Optional[Path] = typer.Option(None, "--canonical", help="Run the rules on canonical tables (CSV/Parquet folder)."),
    fmt: List[str] = typer.Option(["terminal"], "--format", "-f",
                                  help="terminal|json|markdown|html|junit|sarif|github|excel; repeat with --output-dir."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    output_dir: Optional[Path] = typer.Option(None, "--output-dir", help="Write one report per --format here."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", help="Exit 1 when a finding reaches this severity."),
    select: List[str] = typer.Option([], "--select", help="Rule ids, family prefixes, names or tags to run."),
    ignore: List[str] = typer.Option([], "--ignore", help="Rule ids, family prefixes, names or tags to skip."),
    rules: List[Path] = typer.Option([], "--rules", help="Extra rule-pack folder (YAML)."),
    config: Optional[Path] = typer.Option(None, "--config", help="auditor.toml (default: ./auditor.toml or [tool.auditor])."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Report only findings not in this baseline."),
    max_findings: Optional[int] = typer.Option(None, "--max-findings", help="Exit 1 when there are more findings."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Files read in parallel processes."),
    ocr: bool = typer.Option(False, "--ocr", help="Read scanned PDF pages by OCR (needs tesseract with chi_sim)."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default) or spark (with --canonical Parquet)."),
    spark_master: Optional[str] = typer.Option(None, "--spark-master", help="Spark master URL (default: local[*])."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every finding."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Counts only."),
) -> None:
    """Check documents and report the findings. Exit 0 clean, 1 findings, 2 usage or unreadable input."""
    from auditor.config import ConfigError
    from auditor.engine.select import UnknownSelector
    from auditor.pipeline import check as run_check, expand_paths
    from auditor.render import RenderOptions, UnknownFormat, get_renderer, render_to

    paths = paths or []
    if canonical is None:
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            _die(f"找不到文件或目录：{', '.join(missing)}")
        if not expand_paths(paths):
            _die("没有可检查的文件（支持 .txt .csv .tsv .xlsx .docx）")
    elif paths:
        _die("--canonical 与文件参数不能同时使用")
    if len(fmt) > 1 and output_dir is None:
        _die("多个 --format 需要配合 --output-dir")
    if engine not in ("duckdb", "spark"):
        _die("--engine 只能是 duckdb 或 spark")
    if engine == "spark" and canonical is None:
        _die("--engine spark 需要 --canonical（先用 auditor extract --format parquet 生成规范表）")
    try:
        for f in fmt:
            get_renderer(f)
    except UnknownFormat as e:
        _die(str(e))
    catalog = _catalog(rules)
    from auditor.model.io import CanonicalError

    try:
        with _progress_bar(len(expand_paths(paths)) if canonical is None else 0, quiet) as progress:
            report = run_check(paths, select=select, ignore=ignore, config=config, jobs=jobs, catalog=catalog,
                               canonical=canonical, engine=engine, spark_master=spark_master, ocr=ocr,
                               progress=progress)
    except ImportError as e:
        if engine != "spark":
            raise
        _die(f"Spark 引擎需要 pyspark：pip install 'auditor[spark]'（{e}）")
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
    options = RenderOptions(verbose=verbose, quiet=quiet, catalog=catalog)
    try:
        if output_dir is not None:
            for f in fmt:
                r = get_renderer(f)
                render_to(report, f, output_dir / f"auditor-report{r.suffix}", options)
        else:
            render_to(report, fmt[0], output, options)
    except UnknownFormat as e:
        _die(str(e))
    code = report.exit_code(fail_on.value)
    if code == 0 and max_findings is not None and len(report.items) > max_findings:
        code = 1
    raise typer.Exit(code)


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
    fmt: str = typer.Option("csv", "--format", help="csv|parquet"),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Files read in parallel processes."),
) -> None:
    """Write the canonical tables the parser understood (one file per table)."""
    from auditor.model.io import write_canonical
    from auditor.pipeline import build, expand_paths

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _die(f"找不到文件或目录：{', '.join(missing)}")
    if fmt not in ("csv", "parquet"):
        _die("--format 只能是 csv 或 parquet")
    with _progress_bar(len(expand_paths(paths)), False) as progress:
        documents, canonical = build(paths, jobs=jobs, progress=progress)
    write_canonical(canonical, out, fmt)
    table = Table("table", "rows", title=f"{', '.join(map(str, paths))} → {out}")
    for name, n in canonical.counts().items():
        table.add_row(name, str(n))
    Console().print(table)
    problems = canonical["problems"]
    bad = problems[problems["kind"].isin(["unreadable", "no_tables"])] if len(problems) else problems
    files = {str(d.doc_id): d.file for d in documents}
    for d in bad.itertuples():
        err.print(f"[yellow]{files.get(str(d.doc_id), d.doc_id)}[/]: {d.detail}", highlight=False)
    if documents and not any(d.readable for d in documents):
        raise typer.Exit(2)


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
        from auditor.engine.docs import rules_markdown

        typer.echo(rules_markdown(chosen), nl=False)
    else:
        table = Table("code", "name", "severity", "summary", title=f"auditor rules ({len(chosen)})")
        for r in chosen:
            table.add_row(r.id, r.name, r.severity.value, r.summary)
        Console().print(table)


def _rule_dict(r) -> dict:
    return {"code": r.id, "name": r.name, "family": r.family, "severity": r.severity.value, "tags": list(r.tags),
            "since": r.since, "summary": r.summary, "rationale": r.rationale, "message": r.message,
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
    console = Console()
    console.print(Markdown(f"# {rule.name} ({rule.id})"))
    console.print(f"severity: {rule.severity.value}   family: {rule.family} {rule.family_title}   "
                  f"tags: {', '.join(rule.tags) or '-'}   since: {rule.since}", highlight=False)
    console.print(Markdown(f"**{rule.summary}**\n\n{rule.rationale}"))
    for name, spec in (rule.options or {}).items():
        spec = spec if isinstance(spec, dict) else {"default": spec}
        console.print(f"option {name} = {spec.get('default')}  {spec.get('help', '')}  "
                      f"(auditor.toml: [options.{rule.id}] {name} = …)", highlight=False)
    if not rule.query:
        console.print(f"message: {rule.message}", highlight=False)
        console.print("  → raised by auditor itself (no query, no example)", highlight=False)
        return
    for side in ("fail", "pass"):
        example = rule.examples[side]
        console.print(Markdown(f"## {'Fails' if side == 'fail' else 'Passes'} (example)"))
        for table_name, rows in example.items():
            if table_name in ("expect", "params") or not rows:
                continue
            cols = list(dict.fromkeys(k for row in rows for k in row))
            t = Table(*cols, title=table_name)
            for row in rows:
                t.add_row(*[str(row.get(c, "")) for c in cols])
            console.print(t)
        found = run_example(rule, side)
        if found:
            for f in found:
                console.print(f"  → {f.rule} {f.severity.value}: {f.message}", highlight=False)
        else:
            console.print("  → no finding", highlight=False)


@app.command()
def baseline(
    paths: List[Path] = typer.Argument(...),
    output: Path = typer.Option(Path("auditor-baseline.json"), "--output", "-o"),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why these findings are accepted (出错说明)."),
    accepted_by: Optional[str] = typer.Option(None, "--accepted-by", help="Who accepted them."),
    select: List[str] = typer.Option([], "--select"),
    ignore: List[str] = typer.Option([], "--ignore"),
    config: Optional[Path] = typer.Option(None, "--config"),
) -> None:
    """Record today's findings so `check --baseline` reports only new ones."""
    from auditor.engine.baseline import write_baseline
    from auditor.pipeline import check as run_check

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _die(f"找不到文件或目录：{', '.join(missing)}")
    report = run_check(paths, select=select, ignore=ignore, config=config)
    write_baseline(report, output, reason=reason, accepted_by=accepted_by)
    err.print(f"基线已写入 {output}：{len(report.items)} 条发现")


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


def run() -> None:
    """Entry point: no traceback ever reaches the user; an internal fault exits 2."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001
        err.print(f"[bold red]auditor: 内部错误[/] {type(e).__name__}: {e}", highlight=False)
        sys.exit(2)
