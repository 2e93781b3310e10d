"""What every engine shares: the engine interface, rule SQL with its options, rows
-> findings (labels and locations looked up for finding rows only), and the
internal-fault findings (the AUD family of checks/internal.yaml).

An engine (auditor.engine.run.DuckDBEngine, auditor.engine.spark.SparkEngine) has

    run(rule, seconds) -> RuleRows | Finding      # the violating rows, or an AUD finding
    labels(doc_ids, table_keys) -> Labels         # file names, table labels, page starts
    close()

and `run_engine` drives one over the selected rules. Configuration, severity
overrides, root linking and the order of findings are applied by `finish`, the
same whichever engine ran (auditor.pipeline.check calls both).
"""
from __future__ import annotations

import bisect
import functools
import math
import re
import time
from dataclasses import dataclass, field, replace

from auditor.config import DEFAULTS
from auditor.engine.catalog import Rule, RulePackError, builtin_checks_dir, compile_template
from auditor.findings import Finding, Location, Severity

DEFAULT_RULE_SECONDS = float(DEFAULTS["rule_timeout"])     # defaults live in auditor.config alone
DEFAULT_MAX_ROWS = int(DEFAULTS["max_rows_per_rule"])
MAX_VALUE_CHARS = 300       # one value quoted in a message, printed or expected
MAX_MESSAGE_CHARS = 2000    # a whole message
OPTION_RE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
PARAM_KEYS = ("exec_weight", "project_weight_total", "department_weight_total",
              "grade_excellent", "grade_good", "grade_fair")


@dataclass
class RuleRows:
    rule: Rule
    names: list[str]
    rows: list[tuple]
    capped: bool = False        # the query returned more than max_rows_per_rule rows; `rows` holds the first
    elapsed: float = 0.0        # seconds the query and fetching took (the time limit covers building findings too)


@dataclass
class Labels:
    docs: dict[str, str] = field(default_factory=dict)                 # doc_id -> file
    tables: dict[tuple[str, str], str] = field(default_factory=dict)   # (doc_id, table_id) -> label
    pages: dict[str, list[int]] = field(default_factory=dict)          # doc_id -> first line of each page


# ----------------------------------------------------------------------------- configuration

def aux_params(params: dict | None = None, cap_bands: list[dict] | None = None) -> tuple[dict, list[tuple]]:
    """The `params` row and `cap_bands` rows every engine registers; defaults from auditor.config."""
    p = {k: float(DEFAULTS[k]) for k in PARAM_KEYS}
    p.update({k: float(v) for k, v in (params or {}).items()})
    bands = DEFAULTS["cap_bands"] if cap_bands is None else cap_bands
    rows = [tuple(None if b.get(k) is None else float(b[k]) for k in ("rate_from", "rate_to", "max_total"))
            for b in bands]
    return p, rows


@functools.lru_cache(maxsize=1)
def _builtin_lexicon() -> tuple[tuple[str, tuple[str, ...]], ...]:
    import yaml

    out = []
    for path in sorted(builtin_checks_dir().glob("_lexicon*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out += [(str(name), tuple(str(t) for t in terms or [])) for name, terms in data.items()]
    return tuple(out)


def lexicon_rows(overrides: dict[str, list[str]] | None = None) -> list[tuple[str, str]]:
    """checks/_lexicon*.yaml: named word lists (meanings of indicator names, units ...)
    as rows (list, term), with the lists the configuration replaces replaced."""
    rows = [(name, t) for name, terms in _builtin_lexicon() if not (overrides and name in overrides) for t in terms]
    for name, terms in (overrides or {}).items():
        rows += [(str(name), str(t)) for t in terms]
    return rows


def lexicon_lists(overrides: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, term in lexicon_rows(overrides):
        out.setdefault(name, []).append(term)
    return out


def option_values(rule: Rule, overrides: dict | None = None) -> dict[str, float]:
    """A rule's declared numeric options (`options: {name: {default: …}}` in its pack),
    with the configuration's overrides (`[options.RULE]` in auditor.toml)."""
    values = {}
    for name, spec in (rule.options or {}).items():
        default = spec.get("default") if isinstance(spec, dict) else spec
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            values[name] = float(default)
    for name, value in (overrides or {}).items():
        if name not in values:
            raise ValueError(f"{rule.id} has no numeric option '{name}' (options: {', '.join(values) or 'none'})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"option {rule.id}.{name} must be a number, got {value!r}")
        values[name] = float(value)
    return values


def rule_sql(rule: Rule, overrides: dict | None = None) -> str:
    """The rule's query with its options (`{{name}}`) written in as number literals."""
    if "{{" not in rule.query:
        return rule.query
    values = option_values(rule, overrides)

    def sub(m):
        if m.group(1) not in values:
            raise ValueError(f"{rule.id}: the query uses {{{{{m.group(1)}}}}}, which is not a declared numeric option")
        return repr(values[m.group(1)])

    return OPTION_RE.sub(sub, rule.query)


# ----------------------------------------------------------------------------- internal findings

@functools.lru_cache(maxsize=1)
def internal_rules() -> dict[str, Rule]:
    """The AUD family (checks/internal.yaml): faults of the tool itself, as catalog data."""
    from auditor.engine.catalog import load_pack

    path = builtin_checks_dir() / "internal.yaml"
    try:
        return {r.id: r for r in load_pack(path)}
    except (OSError, RulePackError):    # pragma: no cover - a broken install
        return {}


def internal_finding(code: str, message: str, location: Location, **fields) -> Finding:
    rule = internal_rules().get(code)
    name = rule.name if rule else code.lower()
    severity = rule.severity if rule else Severity.ERROR
    return Finding(rule=code, name=name, family="AUD", severity=severity, message=f"{message} [{name}]",
                   location=location, **fields)


def crash_finding(rule: Rule, why: str) -> Finding:
    return internal_finding("AUD001", f"规则 {rule.id} ({rule.name}) 运行失败：{why}",
                            Location(file=rule.source or "<rules>"), row_key=rule.id)


def template_finding(rule: Rule) -> Finding:
    return internal_finding("AUD004", f"规则 {rule.id} ({rule.name}) 的消息模板无效，未运行：{rule.defect}",
                            Location(file=rule.source or "<rules>"), row_key=rule.id)


def capped_finding(rule: Rule, limit: int) -> Finding:
    return internal_finding("AUD005", f"规则 {rule.id} ({rule.name}) 的结果超过 {limit} 行，只报告了前 {limit} 条"
                            f"（max_rows_per_rule）", Location(file=rule.source or "<rules>"), row_key=rule.id)


def not_transpilable_finding(rule: Rule, why: str) -> Finding:
    return internal_finding("AUD003", f"规则 {rule.id} ({rule.name}) 无法转换为 Spark SQL，未在 Spark 上运行：{why}",
                            Location(file=rule.source or "<rules>"), row_key=rule.id)


# ----------------------------------------------------------------------------- rows -> findings

def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType"


def _fmt(v) -> str:
    if _missing(v):
        return "空"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if abs(v) < 1e15 else f"{v:g}"
    text = v if isinstance(v, str) else str(v)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def _cap(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def render_message(template: str, values: dict[str, str]) -> str:
    """The template with its `{name}` placeholders replaced by the row's values ("?" for a
    column the row lacks), capped at MAX_MESSAGE_CHARS. Nothing but a lookup by name: see
    auditor.engine.catalog.compile_template for what a template may hold."""
    out = []
    size = 0
    for literal, name in compile_template(template):
        out.append(literal)
        size += len(literal)
        if name is not None:
            value = values.get(name, "?")
            out.append(value)
            size += len(value)
        if size > MAX_MESSAGE_CHARS:
            break
    text = "".join(out)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "…"


def _loc(value) -> tuple[int | None, int | None, str | None, str | None]:
    """ "line:col" or "line:col:Sheet!C7" -> (line, col, sheet, cell)."""
    if _missing(value):
        return None, None, None, None
    parts = str(value).split(":", 2)
    line = int(parts[0]) if parts[0].isdigit() and int(parts[0]) > 0 else None
    col = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    sheet = cell = None
    if len(parts) > 2 and "!" in parts[2]:
        sheet, _, cell = parts[2].rpartition("!")
    return line, col, sheet or None, cell or None


def label_of_table(title, kind, name) -> str:
    label = str(title) if title is not None else str(kind)
    if name:
        label += f" · {name}"
    return label


def keys_of(result: RuleRows) -> tuple[set[str], set[tuple[str, str]]]:
    names = result.names
    di = names.index("doc_id") if "doc_id" in names else None
    ti = names.index("table_id") if "table_id" in names else None
    docs, tables = set(), set()
    for row in result.rows:
        doc = str(row[di] or "") if di is not None else ""
        docs.add(doc)
        if ti is not None and row[ti] is not None:
            tables.add((doc, str(row[ti])))
    return docs, tables


class RuleTimeout(Exception):
    pass


def findings_from_rows(result: RuleRows, labels: Labels, deadline: float | None = None) -> list[Finding]:
    """The findings of one rule's rows; past `deadline` (time.monotonic) RuleTimeout."""
    rule = result.rule
    names = result.names
    wanted = rule.placeholders()
    shown = [i for i, n in enumerate(names) if n in wanted]
    suffix = f" [{rule.name}]"
    out = []
    for n, values in enumerate(result.rows):
        if deadline is not None and n % 256 == 255 and time.monotonic() > deadline:
            raise RuleTimeout()
        row = dict(zip(names, values))
        doc_id = str(row.get("doc_id") or "")
        file = labels.docs.get(doc_id, doc_id or "<canonical>")
        table_id = row.get("table_id")
        table = labels.tables.get((doc_id, str(table_id))) if table_id is not None else None
        line, col, sheet, cell = _loc(row.get("loc", row.get("line")))
        starts = labels.pages.get(doc_id)
        page = bisect.bisect_right(starts, line) if starts and line else None
        printed = row.get("printed")
        expected = row.get("expected")
        text = render_message(rule.message, {names[i]: _fmt(values[i]) for i in shown})
        row_key = row.get("row_key")
        key = None if row_key is None else _cap(str(row_key))
        out.append(Finding(
            rule=rule.id, name=rule.name, family=rule.family, severity=rule.severity,
            message=text + suffix,
            location=Location(file=file, table=table, row=key, line=line, column=col,
                               field=None if row.get("field") is None else _cap(str(row.get("field"))),
                              sheet=sheet, cell=cell, page=page),
            printed=None if printed is None else _fmt(printed),
            expected=None if expected is None else _fmt(expected),
            row_key=key, table_key=table))
    return out


# ----------------------------------------------------------------------------- orchestration

def run_engine(engine, rules: list[Rule], seconds: float = DEFAULT_RULE_SECONDS, run=None,
               max_rows: int = DEFAULT_MAX_ROWS) -> list[Finding]:
    """Each rule with a query through `engine` (or `run(rules)` -> results in rule order, for
    engines that run rules side by side), then findings built with one label lookup. A rule
    whose message template is refused does not run (AUD004); a rule with more than `max_rows`
    rows reports the first `max_rows` and an AUD005 note; building a rule's findings counts
    against its time limit."""
    runnable = [r for r in rules if r.query and not r.defect]
    defective = [template_finding(r) for r in rules if r.query and r.defect]
    results = run(runnable) if run else [engine.run(r, seconds) for r in runnable]
    results = [_capped(r, max_rows) if isinstance(r, RuleRows) else r for r in results]
    doc_ids: set[str] = set()
    table_keys: set[tuple[str, str]] = set()
    for r in results:
        if isinstance(r, RuleRows) and r.rows:
            d, t = keys_of(r)
            doc_ids |= d
            table_keys |= t
    labels = engine.labels(doc_ids, table_keys) if doc_ids or table_keys else Labels()
    out: list[Finding] = list(defective)
    for r in results:
        if not isinstance(r, RuleRows):
            out.append(r)
            continue
        try:
            out += findings_from_rows(r, labels, time.monotonic() + max(0.0, seconds - r.elapsed))
        except RuleTimeout:
            out.append(crash_finding(r.rule, f"超过时限 {seconds:g} 秒被终止（生成问题时）"))
            continue
        except MemoryError:
            out.append(crash_finding(r.rule, "内存不足（生成问题时）"))
            continue
        if r.capped:
            out.append(capped_finding(r.rule, max_rows))
    return out


def _capped(result: RuleRows, max_rows: int) -> RuleRows:
    if len(result.rows) > max_rows:
        return replace(result, rows=result.rows[:max_rows], capped=True)
    return result


def finish(findings: list[Finding], rules: list[Rule], severity: dict[str, str] | None = None) -> list[Finding]:
    """Severity overrides, a total order, and root causes linked: the same for every engine."""
    from auditor.engine.roots import link_roots

    overrides = {k.upper(): Severity(v) for k, v in (severity or {}).items()}
    if overrides:
        findings = [replace(f, severity=overrides[f.rule]) if f.rule in overrides else f for f in findings]
    # a total order, so that ties on line never fall back to an engine's varying row order
    findings = sorted(findings, key=lambda f: (f.location.file, -f.severity.rank, f.location.line or 0, f.rule,
                                               f.location.column or 0, f.table_key or "", f.row_key or "",
                                               f.message))
    return link_roots(findings, rules)
