"""Regional conventions, read from auditor.toml or [tool.auditor] in pyproject.toml.

Every key has a documented default; an unknown key is a clear error, not a
silent no-op.
"""
from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULTS: dict = {
    # 预算执行率得分 weight when the table prints none
    "exec_weight": 10.0,
    # full weight of a project table's indicators (the execution rate takes the rest of 100)
    "project_weight_total": 90.0,
    # full weight of a department-overall table's tasks + indicators
    "department_weight_total": 100.0,
    # total-score caps by execution rate (percent), as several regions apply them
    "cap_bands": [
        {"rate_from": 0.0, "rate_to": 60.0, "max_total": 59.0},
        {"rate_from": 60.0, "rate_to": 70.0, "max_total": 79.0},
        {"rate_from": 70.0, "rate_to": 80.0, "max_total": 89.0},
    ],
    # score bands of the grades (优 >= excellent, 良 >= good, 中 >= fair, else 差), for NAR019
    "grade_excellent": 90.0,
    "grade_good": 80.0,
    "grade_fair": 60.0,
    # 302 economic-classification items (codes or names) counted as personnel (人员经费) in this
    # region; replaces the lexicon list `personnel_302` that rule EXP005 reads
    "personnel_302_items": ["30239", "其他交通费用"],
    # tables a disclosure must contain (CMP001); [] keeps the lexicon's lists
    "required_budget_tables": [],
    "required_final_tables": [],
    # severity overrides, e.g. {"FSR004" = "info"}
    "severity": {},
    # rule options (the `options` a rule declares in its pack), e.g. [options.EXR008] basic_share = 0.8
    "options": {},
    "select": [],
    "ignore": [],
    # per-rule time limit (seconds) and per-file limits; Spark plans each query for about a
    # second and runs on a cluster's schedule, so it has its own limit
    "rule_timeout": 30.0,
    "spark_rule_timeout": 600.0,
    "max_file_mb": 200.0,
    "file_timeout": 120.0,
    # memory: what one file's reading or one rule may take beyond what the run already holds (MB,
    # enforced as an address-space limit on the reading worker and around each rule; readers also
    # refuse before expanding declared sizes past it), DuckDB's own buffer limit and threads, and
    # the findings one rule may report
    "memory_mb": 2048.0,
    "duckdb_memory_mb": 1024.0,
    "duckdb_threads": 2.0,
    "max_rows_per_rule": 10000.0,
    # the CI gate and the accepted findings, as `--fail-on` and `--baseline` give them
    "fail_on": "error",
    "baseline": "",
}

# What `auditor init` writes above each key (Chinese for the reader, the key stays English).
COMMENTS: dict[str, str] = {
    "exec_weight": "预算执行率得分的分值，表中未印出时使用（一般为 10 分）",
    "project_weight_total": "项目自评表各指标分值之和（满分 100 减去执行率的 10 分）",
    "department_weight_total": "部门整体自评表任务与指标分值之和",
    "cap_bands": "按执行率（%）限定总得分上限（规则 SCR007）；[] 表示不启用",
    "grade_excellent": "评价等级“优”的最低得分（规则 NAR018）",
    "grade_good": "评价等级“良”的最低得分",
    "grade_fair": "评价等级“中”的最低得分（低于此为“差”）",
    "personnel_302_items": "计入人员经费的 302 类科目（编码或名称），规则 EXP005 使用",
    "required_budget_tables": "预算公开必须包含的表（规则 CMP001）；[] 表示使用内置清单",
    "required_final_tables": "决算公开必须包含的表（规则 CMP001）；[] 表示使用内置清单",
    "severity": "调整规则的级别，例如 {FSR004 = \"info\"}",
    "select": "只运行这些规则（编码、规则族前缀、名称或标签），例如 [\"EXR\", \"SCR001\"]",
    "ignore": "不运行这些规则，例如 [\"TGT\"]",
    "rule_timeout": "每条规则的运行时间上限（秒）",
    "spark_rule_timeout": "Spark 引擎（--engine spark）上每条规则的运行时间上限（秒）",
    "options": "规则选项（规则包中声明的阈值），例如 [options.TGT003] ceiling = 60",
    "max_file_mb": "单个文件大小上限（MB），更大的文件记为 INP001",
    "file_timeout": "单个文件的读取时间上限（秒），超时的文件记为 INP001",
    "memory_mb": "读取单个文件或运行单条规则可用的内存上限（MB）；超出的文件记为 INP001，规则记为 AUD001",
    "duckdb_memory_mb": "DuckDB 的内存上限（MB，memory_limit）；查询超出时该规则记为 AUD001",
    "duckdb_threads": "DuckDB 使用的线程数（threads）",
    "max_rows_per_rule": "每条规则最多报告的问题条数；超出部分不报告，并记一条 AUD005",
    "fail_on": "达到该级别的问题使退出码为 1：error | warning | info | never（同 --fail-on）",
    "baseline": "已接受问题的基线文件（同 --baseline），相对于本文件所在目录；\"\" 表示不使用",
}
FAIL_ON = ("error", "warning", "info", "never")


LIMIT_MAX = {"rule_timeout": 86400.0, "spark_rule_timeout": 86400.0, "file_timeout": 86400.0,
             "max_file_mb": 100000.0, "memory_mb": 1048576.0, "duckdb_memory_mb": 1048576.0,
             "duckdb_threads": 256.0, "max_rows_per_rule": 1e9}


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    values: dict = field(default_factory=lambda: copy.deepcopy(DEFAULTS))
    source: str | None = None

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def lexicon(self) -> dict[str, list[str]]:
        """Word lists the configuration overrides in checks/_lexicon.yaml."""
        out = {"personnel_302": [str(x) for x in self.values["personnel_302_items"]]}
        for key in ("required_budget_tables", "required_final_tables"):
            if self.values[key]:
                out[key] = [str(x) for x in self.values[key]]
        return out

    def params(self) -> dict:
        return {k: float(self.values[k]) for k in ("exec_weight", "project_weight_total", "department_weight_total",
                                                   "grade_excellent", "grade_good", "grade_fair")}

    def rule_options(self) -> dict[str, dict]:
        """Overrides of rules' declared options, by rule id."""
        return {str(k).upper(): dict(v) for k, v in self.values["options"].items()}

    def to_dict(self) -> dict:
        return {"source": self.source, **copy.deepcopy(self.values)}

    def path_of(self, value: str) -> Path:
        """A path setting: relative to the configuration file's folder (the working directory
        when there is no file)."""
        path = Path(value)
        if path.is_absolute() or not self.source:
            return path
        return Path(self.source).parent / path


def _validate(data: dict, source: str) -> dict:
    unknown = set(data) - set(DEFAULTS)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(DEFAULTS)}")
    out = copy.deepcopy(DEFAULTS)
    for key, value in data.items():
        default = DEFAULTS[key]
        if isinstance(default, float) and not isinstance(value, (int, float)):
            raise ConfigError(f"{source}: {key} must be a number, got {value!r}")
        if isinstance(default, list) and not isinstance(value, list):
            raise ConfigError(f"{source}: {key} must be a list")
        if isinstance(default, dict) and not isinstance(value, dict):
            raise ConfigError(f"{source}: {key} must be a table")
        if isinstance(default, str) and not isinstance(value, str):
            raise ConfigError(f"{source}: {key} must be a string, got {value!r}")
        out[key] = float(value) if isinstance(default, float) else value
    for key in LIMIT_MAX:
        value = out[key]
        if not math.isfinite(value) or value <= 0 or value > LIMIT_MAX[key]:
            raise ConfigError(f"{source}: {key} must be a positive number of at most {LIMIT_MAX[key]:g}, got {value!r}")
    for band in out["cap_bands"]:
        if not isinstance(band, dict) or set(band) != {"rate_from", "rate_to", "max_total"}:
            raise ConfigError(f"{source}: each cap_bands entry needs rate_from, rate_to, max_total")
    for code, opts in out["options"].items():
        if not isinstance(opts, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                 for v in opts.values()):
            raise ConfigError(f"{source}: options.{code} must be a table of numbers, e.g. [options.{code}]")
    if out["fail_on"] not in FAIL_ON:
        raise ConfigError(f"{source}: fail_on must be one of {', '.join(FAIL_ON)}, got {out['fail_on']!r}")
    if not isinstance(out["baseline"], str):
        raise ConfigError(f"{source}: baseline must be a file path (a string), got {out['baseline']!r}")
    for code, sev in out["severity"].items():
        if sev not in ("error", "warning", "info"):
            raise ConfigError(f"{source}: severity.{code} must be error, warning or info")
    return out


def load_config(path: str | Path | None = None, start: str | Path = ".") -> Config:
    """Explicit path, else ./auditor.toml, else [tool.auditor] in ./pyproject.toml, else defaults."""
    candidates = [Path(path)] if path else [Path(start) / "auditor.toml", Path(start) / "pyproject.toml"]
    for p in candidates:
        if not p.is_file():
            if path:
                raise ConfigError(f"{p}: configuration file not found")
            continue
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{p}: not valid TOML: {e}") from None
        if p.name == "pyproject.toml":
            data = data.get("tool", {}).get("auditor")
            if data is None:
                continue
        elif "tool" in data and "auditor" in data["tool"]:
            data = data["tool"]["auditor"]
        return Config(_validate(data, str(p)), str(p))
    return Config()


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return "[\n" + "".join(f"  {_toml_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(type(value).__name__)


def commented_toml() -> str:
    """The text `auditor init` writes: every setting at its default, each with its comment."""
    lines = ["# auditor 配置文件（auditor init 生成）。所有设置均为默认值；删除某一行即恢复默认。",
             "# auditor configuration: every key at its default; an unknown key is an error.", ""]
    for key, value in DEFAULTS.items():
        lines.append(f"# {COMMENTS[key]}")
        lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)
