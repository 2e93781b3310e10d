"""A rule's documentation for readers, Chinese first: what `auditor explain`, the generated
docs/rules.md, the HTML report and the Excel 规则说明 sheet show.

The Chinese text is rule metadata: the `zh:` block of the rule's entry in its pack
(`summary`, `rationale`, `fix`; see checks/_schema.json). The catalog's Rule keeps what the
engine needs, so this module reads the block from the pack the rule came from
(`Rule.source`), once per file. A rule without a `zh:` block (a user's pack) falls back to
its English summary and rationale.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from auditor.render.common import META_RULES


@dataclass(frozen=True)
class RuleDoc:
    id: str
    name: str
    summary: str          # one line, Chinese when the pack has it
    rationale: str        # why it is a problem (Chinese when the pack has it)
    fix: str              # how to fix it
    summary_en: str = ""
    rationale_en: str = ""


@lru_cache(maxsize=64)
def _pack_docs(source: str, mtime: float) -> dict[str, dict]:
    from auditor.engine.catalog import _SafeLoader

    import yaml

    try:
        data = yaml.load(Path(source).read_text(encoding="utf-8"), Loader=_SafeLoader)  # noqa: S506 (safe subclass)
    except Exception:  # noqa: BLE001 - the catalog already validated this pack; docs are best effort
        return {}
    out = {}
    for r in (data or {}).get("rules", []) or []:
        if isinstance(r, dict) and isinstance(r.get("zh"), dict):
            out[str(r.get("id"))] = r["zh"]
    return out


def zh_block(rule) -> dict:
    source = getattr(rule, "source", "") or ""
    try:
        mtime = Path(source).stat().st_mtime
    except OSError:
        return {}
    return _pack_docs(source, mtime).get(rule.id, {})


def rule_doc(rule_id: str, rule=None) -> RuleDoc:
    if rule is None and rule_id in META_RULES:
        name, _, summary_en, zh = META_RULES[rule_id][:4]
        fix = META_RULES[rule_id][4] if len(META_RULES[rule_id]) > 4 else ""
        return RuleDoc(rule_id, name, zh.split("。", 1)[0] + "。", zh, fix, summary_en, summary_en)
    if rule is None:
        return RuleDoc(rule_id, rule_id, "", "", "")
    from auditor.textsafe import printable

    zh = {k: printable(v) if isinstance(v, str) else "" for k, v in zh_block(rule).items()}
    return RuleDoc(rule.id, rule.name, (zh.get("summary") or rule.summary).strip(),
                   (zh.get("rationale") or rule.rationale).strip(), (zh.get("fix") or "").strip(),
                   rule.summary, rule.rationale)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def rules_markdown(rules) -> str:
    """docs/rules.md: the catalog, Chinese first, generated from the rule metadata
    (`auditor rules --format markdown`; tests/test_docs.py keeps the file current)."""
    from auditor.render.common import SEVERITY_LABELS, chinese_title

    lines = ["# 规则说明 · Rule reference", "",
             "由 `auditor rules --format markdown` 根据 `checks/` 中的规则包生成，请勿手工修改。"
             "`auditor explain 规则编码` 在终端显示同样的说明以及不通过/通过的例子。", "",
             "Generated from the rule packs in `checks/`; each rule keeps its English name and summary.", ""]
    families: dict[str, list] = {}
    for r in rules:
        families.setdefault(r.family, []).append(r)
    for family, members in families.items():
        title = chinese_title(members[0].family_title)
        lines += ["", f"## {family} · {title}", "", "| 编码 | 名称 | 级别 | 说明 |", "|---|---|---|---|"]
        for r in members:
            doc = rule_doc(r.id, r)
            lines.append(f"| [{r.id}](#{r.id.lower()}) | `{r.name}` | {SEVERITY_LABELS[r.severity.value]} | "
                         f"{_cell(doc.summary)} |")
        for r in members:
            doc = rule_doc(r.id, r)
            lines += ["", f"### {r.id}", "",
                      f"`{r.name}` · {SEVERITY_LABELS[r.severity.value]} · {title}"
                      + (f" · 标签：{', '.join(r.tags)}" if r.tags else ""), "",
                      f"**{doc.summary}**", "", f"为什么是问题：{' '.join(doc.rationale.split())}", ""]
            if doc.fix:
                lines += [f"怎样修改：{doc.fix}", ""]
            lines += [f"English: {' '.join(r.summary.split())}"]
    return "\n".join(lines).strip() + "\n"
