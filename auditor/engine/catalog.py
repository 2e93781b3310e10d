"""Rule packs: YAML files validated against checks/_schema.json -> Rule records."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from auditor.findings import Severity

PLACEHOLDER = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[^}]*)?}")
MAX_PACK_BYTES = 2_000_000


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

    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER.findall(self.message))


def builtin_checks_dir() -> Path:
    """checks/ ships inside the wheel as auditor/_checks; in a source tree it is ../checks."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_checks", here.parent / "checks"):
        if candidate.is_dir():
            return candidate
    return Path(str(resources.files("auditor"))) / "_checks"


def _schema() -> dict:
    return json.loads((builtin_checks_dir() / "_schema.json").read_text(encoding="utf-8"))


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases: a 'billion laughs' pack cannot expand."""

    def compose_node(self, parent, index):  # noqa: D401
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise RulePackError(f"YAML aliases are not allowed in rule packs (line {event.start_mark.line + 1})")
        return super().compose_node(parent, index)


def load_pack(path: Path) -> list[Rule]:
    if path.stat().st_size > MAX_PACK_BYTES:
        raise RulePackError(f"{path}: rule pack larger than {MAX_PACK_BYTES} bytes")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)  # noqa: S506 (safe subclass)
    except RulePackError as e:
        raise RulePackError(f"{path}: {e}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise RulePackError(f"{path}: not valid YAML: {e}") from None
    try:
        jsonschema.validate(data, _schema())
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path)
        raise RulePackError(f"{path}: {where or 'top level'}: {e.message}") from None
    rules = []
    for r in data["rules"]:
        rules.append(Rule(
            id=r["id"], name=r["name"], family=data["family"], family_title=data.get("title", data["family"]),
            severity=Severity(r["severity"]), summary=r["summary"].strip(), rationale=r["rationale"].strip(),
            query=r["query"], message=r["message"], tables=tuple(r.get("tables", [])),
            tags=tuple(r.get("tags", [])), since=str(r.get("since", "0.1.0")), options=r.get("options", {}),
            examples=r.get("examples", {}), source=str(path), consequence_of=tuple(r.get("consequence_of", []))))
    return rules


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


def load_catalog(extra_dirs: list[Path] | None = None, include_builtin: bool = True) -> Catalog:
    dirs = ([builtin_checks_dir()] if include_builtin else []) + [Path(d) for d in extra_dirs or []]
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for d in dirs:
        if not d.is_dir():
            raise RulePackError(f"{d}: rules directory not found")
        for path in sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")):
            if path.name.startswith("_"):
                continue   # _lexicon.yaml and friends are data for rules, not rule packs
            for rule in load_pack(path):
                if rule.id in seen:
                    raise RulePackError(f"{path}: rule id {rule.id} already defined in {seen[rule.id]}")
                seen[rule.id] = str(path)
                rules.append(rule)
    return Catalog(rules)
