"""Rule packs: YAML files validated against checks/_schema.json -> Rule records."""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from auditor.findings import Severity

PLACEHOLDER = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[^}]*)?}")
MAX_PACK_BYTES = 2_000_000


NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_TEMPLATE_CHARS = 2000


@functools.lru_cache(maxsize=1024)
def _placeholders(message: str) -> frozenset[str]:
    try:
        return frozenset(name for _, name in compile_template(message) if name is not None)
    except ValueError:
        return frozenset()


@functools.lru_cache(maxsize=1024)
def compile_template(message: str) -> tuple[tuple[str, str | None], ...]:
    """A message template as (literal, placeholder) pairs. Only `{name}` placeholders naming a
    column of the rule's row are allowed (and `{{`/`}}` for braces): attribute access
    (`{x.__class__}`), indexing (`{x[0]}`), positional fields (`{0}`, `{}`), conversions (`!r`)
    and format specs (`{x:>1000000}`) are refused with ValueError, so that a rule pack cannot
    reach Python objects or inflate a message through its template."""
    import string

    if len(message) > MAX_TEMPLATE_CHARS:
        raise ValueError(f"消息模板超过 {MAX_TEMPLATE_CHARS} 个字符")
    out = []
    try:
        parsed = list(string.Formatter().parse(message))
    except ValueError as e:
        raise ValueError(f"消息模板的花括号不成对（{e}）") from None
    for literal, name, spec, conversion in parsed:
        if name is None:
            out.append((literal, None))
            continue
        if not NAME.fullmatch(name):
            raise ValueError(f"占位符 {{{name}}} 不允许：只能用查询结果的列名（字母、数字、下划线），"
                             "不能用下标、属性或位置参数")
        if conversion or spec:
            raise ValueError(f"占位符 {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} "
                             "不允许：不能带转换或格式说明")
        out.append((literal, name))
    return tuple(out)


def template_error(message: str) -> str:
    """Why a message template is refused ("" if it is fine)."""
    try:
        compile_template(message)
    except ValueError as e:
        return str(e)
    return ""


class RulePackError(Exception):
    """A rule pack that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    family: str
    family_title: str
    severity: Severity
    summary: str
    rationale: str
    query: str
    message: str
    tables: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: str = "0.1.0"
    options: dict = field(default_factory=dict)
    examples: dict = field(default_factory=dict)
    source: str = ""
    consequence_of: tuple[str, ...] = ()
    defect: str = ""        # why the rule cannot run (a refused message template): an AUD004 finding


    def placeholders(self) -> set[str]:
        return _placeholders(self.message)


def builtin_checks_dir() -> Path:
    """checks/ ships inside the wheel as auditor/_checks; in a source tree it is ../checks."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_checks", here.parent / "checks"):
        if candidate.is_dir():
            return candidate
    return Path(str(resources.files("auditor"))) / "_checks"


def _schema() -> dict:
    return json.loads((builtin_checks_dir() / "_schema.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _safe_loader():
    import yaml

    class _SafeLoader(yaml.SafeLoader):
        """SafeLoader that refuses aliases (a 'billion laughs' pack cannot expand) and
        duplicate keys (a second `query:` would silently win over the first)."""

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                seen: dict = {}
                for key_node, _ in node.value:
                    key = self.construct_object(key_node, deep=True)
                    try:
                        if key in seen:
                            raise RulePackError(f"duplicate key '{key}' (line {key_node.start_mark.line + 1}, "
                                                f"first on line {seen[key] + 1})")
                        seen[key] = key_node.start_mark.line
                    except TypeError:       # an unhashable key: SafeLoader reports it
                        pass
            return super().construct_mapping(node, deep=deep)

        def compose_node(self, parent, index):  # noqa: D401
            if self.check_event(yaml.events.AliasEvent):
                event = self.peek_event()
                raise RulePackError(f"YAML aliases are not allowed in rule packs (line {event.start_mark.line + 1})")
            return super().compose_node(parent, index)

    return _SafeLoader


def __getattr__(name: str):
    if name == "_SafeLoader":       # the loader class, built when first asked for (yaml is not imported before)
        return _safe_loader()
    raise AttributeError(name)


def read_pack(path: Path, text: str | None = None) -> dict:
    """A pack's YAML, loaded safely (no aliases, no tags) and validated against _schema.json."""
    import jsonschema
    import yaml

    if path.stat().st_size > MAX_PACK_BYTES:
        raise RulePackError(f"{path}: rule pack larger than {MAX_PACK_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
        data = yaml.load(text, Loader=_safe_loader())  # noqa: S506 (safe subclass)
    except RulePackError as e:
        raise RulePackError(f"{path}: {e}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise RulePackError(f"{path}: not valid YAML: {e}") from None
    try:
        jsonschema.validate(data, _schema())
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path)
        raise RulePackError(f"{path}: {where or 'top level'}: {e.message}") from None
    return data


def rules_of(data: dict, source: str) -> list[Rule]:
    from auditor.textsafe import printable as p   # a pack's text is shown: never an escape sequence

    rules = []
    for r in data["rules"]:
        rules.append(Rule(
            id=r["id"], name=r["name"], family=data["family"], family_title=p(data.get("title", data["family"])),
            severity=Severity(r["severity"]), summary=p(r["summary"].strip()), rationale=p(r["rationale"].strip()),
            query=r.get("query", ""), message=p(r["message"]), tables=tuple(r.get("tables", [])),
            tags=tuple(p(t) for t in r.get("tags", [])), since=str(r.get("since", "0.1.0")), options=r.get("options", {}),
            examples=r.get("examples", {}), source=source, consequence_of=tuple(r.get("consequence_of", [])),
            defect=template_error(r["message"])))
    return rules


def load_pack(path: Path) -> list[Rule]:
    return rules_of(read_pack(path), str(path))


@dataclass
class Catalog:
    rules: list[Rule]

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, code: str) -> Rule | None:
        code = code.strip()
        for r in self.rules:
            if r.id.upper() == code.upper() or r.name == code:
                return r
        return None


def cache_dir() -> Path | None:
    """Where compiled catalogs are kept: $AUDITOR_CACHE_DIR, else ~/.cache/auditor
    ($XDG_CACHE_HOME); AUDITOR_CACHE_DIR="" turns the cache off."""
    env = os.environ.get("AUDITOR_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "auditor"


def _cache_key(packs: list[tuple[Path, bytes]]) -> str:
    from auditor import __version__

    h = hashlib.sha256(f"auditor {__version__} catalog 1\0".encode())
    h.update((builtin_checks_dir() / "_schema.json").read_bytes())
    for path, data in packs:
        h.update(f"\0{path}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:40]


def _read_cache(path: Path | None) -> list | None:
    if path is None:
        return None
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return cached if isinstance(cached, list) else None


def _write_cache(path: Path | None, packs: list) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(packs, out, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass   # a read-only home is no reason to fail


def _refuse_foreign(path: Path, folder: Path) -> None:
    """A rule pack must be a regular file of its folder: a link to a file elsewhere (or a FIFO,
    a device) is refused, naming the link, never quoting what it leads to."""
    import stat

    try:
        target = path.resolve(strict=True)
        mode = path.stat().st_mode
    except (OSError, RuntimeError):
        raise RulePackError(f"{path}: 规则包是无法解析的符号链接（循环或目标不存在），已拒绝") from None
    if not stat.S_ISREG(mode):
        raise RulePackError(f"{path}: 规则包不是普通文件（管道、设备等），已拒绝")
    home = folder.resolve()
    if path.is_symlink() and home not in target.parents:
        raise RulePackError(f"{path}: 规则包是指向规则目录之外的符号链接，已拒绝（不读取其内容）")


def load_catalog(extra_dirs: list[Path] | None = None, include_builtin: bool = True) -> Catalog:
    """All packs of the built-in checks/ and of `extra_dirs`. The validated packs are cached
    as JSON keyed by the packs' content (and the schema and auditor version), so an
    unchanged catalog is not parsed and validated again; a pack that changes, even by one
    byte, is read anew. The cache holds only data (JSON), never code."""
    dirs = ([builtin_checks_dir()] if include_builtin else []) + [Path(d) for d in extra_dirs or []]
    packs: list[tuple[Path, bytes]] = []
    for d in dirs:
        if not d.is_dir():
            raise RulePackError(f"{d}: rules directory not found")
        for path in sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")):
            if path.name.startswith("_"):
                continue   # _lexicon.yaml and friends are data for rules, not rule packs
            _refuse_foreign(path, d)
            if path.stat().st_size > MAX_PACK_BYTES:
                raise RulePackError(f"{path}: rule pack larger than {MAX_PACK_BYTES} bytes")
            packs.append((path, path.read_bytes()))
    where = cache_dir()
    cache = where / f"catalog-{_cache_key(packs)}.json" if where is not None else None
    cached = _read_cache(cache)
    if cached is None or len(cached) != len(packs):
        cached = []
        for path, data in packs:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as e:
                raise RulePackError(f"{path}: not valid YAML: {e}") from None
            cached.append([str(path), read_pack(path, text)])
        _write_cache(cache, cached)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for source, data in cached:
        for rule in rules_of(data, source):
            if rule.id in seen:
                raise RulePackError(f"{source}: rule id {rule.id} already defined in {seen[rule.id]}")
            seen[rule.id] = source
            rules.append(rule)
    return Catalog(rules)
