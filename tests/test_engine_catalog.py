"""One catalog: every rule code the code can emit is a catalog entry with the severity it
is emitted with; the packs do not paste the same block into several queries; the
shared views expand for every dialect; `--help`, `rules` and `explain` import no pandas."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.engine.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
CATALOG = load_catalog()
# Known exceptions, to be removed: the EXP/CMP packs, when the ledger `role` column lands
# (issue 14 rewrites the EXP rules on it, which removes their copies of the pivot of printed
# column headers and of the table-group CTE), and narrative.yaml, whose NAR001/NAR002 and
# NAR005/NAR006 pairs repeat a claims selection (its owner's pack). Pairs of rules of one
# such pack are not compared; a copy between any other two rules fails.
PENDING_PACKS = {"expense_structure.yaml", "completeness.yaml", "narrative.yaml"}
WINDOW = 5


def _emitted_codes() -> list[tuple[str, str | None, str]]:
    """(code, severity or None when the catalog supplies it, where) for every finding the
    Python code builds itself: Finding(rule=…, severity=Severity.X) and internal_finding("…")."""
    out = []
    for path in sorted((ROOT / "auditor").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {t.id: n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                     for t in n.targets if isinstance(t, ast.Name)}
        constants.update({e.id: v.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                          and isinstance(n.value, ast.Tuple) and len(n.targets) == 1
                          and isinstance(n.targets[0], ast.Tuple)
                          for e, v in zip(n.targets[0].elts, n.value.elts)
                          if isinstance(e, ast.Name) and isinstance(v, ast.Constant)})
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if fn == "Finding":
                kw = {k.arg: k.value for k in node.keywords}
                rule = kw.get("rule")
                code = rule.value if isinstance(rule, ast.Constant) else constants.get(getattr(rule, "id", None))
                if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}\d{3}", code):
                    continue       # a finding built from a rule record (rule=rule.id)
                sev = kw.get("severity")
                out.append((code, sev.attr.lower() if isinstance(sev, ast.Attribute) else None, where))
            elif fn == "internal_finding" and node.args and isinstance(node.args[0], ast.Constant):
                out.append((node.args[0].value, None, where))
    return out


def test_every_rule_code_the_code_emits_is_in_the_catalog_with_its_severity():
    emitted = _emitted_codes()
    assert {c for c, _, _ in emitted} >= {"AUD001", "AUD002", "AUD003"}, emitted
    for code, severity, where in emitted:
        rule = CATALOG.get(code)
        assert rule is not None, f"{where} emits {code}, which no rule pack defines"
        if severity is not None:
            assert rule.severity.value == severity, f"{where} emits {code} as {severity}, the catalog says {rule.severity.value}"


def test_renderers_fallback_descriptions_of_aud_rules_agree_with_the_catalog():
    from auditor.render.common import META_RULES

    for code, (name, severity, *_rest) in META_RULES.items():
        rule = CATALOG.get(code)
        assert rule is not None and (rule.name, rule.severity.value) == (name, severity), code


def test_internal_findings_take_name_and_severity_from_the_catalog():
    from auditor.engine.base import crash_finding, not_transpilable_finding

    rule = CATALOG.get("EXR001")
    for f in (crash_finding(rule, "x"), not_transpilable_finding(rule, "y")):
        entry = CATALOG.get(f.rule)
        assert (f.name, f.severity, f.family) == (entry.name, entry.severity, "AUD")
        assert f.message.endswith(f"[{entry.name}]")


def _blocks(query: str) -> set[tuple[str, ...]]:
    lines = [re.sub(r"\s+", " ", line).strip() for line in query.splitlines()]
    lines = [line for line in lines if line and not line.startswith("--")]
    return {tuple(lines[i:i + WINDOW]) for i in range(len(lines) - WINDOW + 1)}


def test_no_two_queries_share_a_block_of_five_identical_lines():
    """A CTE or pivot that several rules need belongs in checks/_views.sql (or a macro)."""
    rules = [r for r in CATALOG if r.query]
    blocks = {r.id: _blocks(r.query) for r in rules}
    shared = []
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            if Path(a.source).name == Path(b.source).name and Path(a.source).name in PENDING_PACKS:
                continue
            common = blocks[a.id] & blocks[b.id]
            if common:
                shared.append((a.id, b.id, "\n".join(sorted(common)[0])))
    assert not shared, "queries sharing 5+ identical lines:\n" + "\n\n".join(f"{a} / {b}:\n{t}" for a, b, t in shared)


def test_shared_views_are_read_and_known():
    from auditor.engine.views import builtin_views, needed

    views = builtin_views()
    assert {"indicator_printed", "indicator_names", "name_meaning", "indicator_meaning"} <= set(views)
    used = {v.name for v in needed([r.query for r in CATALOG if r.query])}
    assert used == set(views), f"views no rule reads: {sorted(set(views) - used)}"
    # the derived tables are computed once, the cheap unions are plain views
    assert views["name_terms"].materialize and not views["indicator_printed"].materialize


def test_views_expand_into_a_standalone_query_for_sqlite():
    pytest.importorskip("sqlglot")
    from auditor.export.transpile import check_sqlite, inline_views, to_sqlite

    rule = CATALOG.get("TGT001")
    query = inline_views(rule.query)
    assert query.lstrip().upper().startswith("WITH INDICATOR_PRINTED AS")
    check_sqlite(to_sqlite(query).sql)


def test_declared_options_are_written_into_the_query_and_configurable():
    from auditor.engine.base import option_values, rule_sql

    rule = CATALOG.get("TGT003")
    assert option_values(rule) == {"ceiling": 50.0}
    assert "{{" not in rule_sql(rule) and ">= 50.0" in rule_sql(rule)
    assert ">= 80.0" in rule_sql(rule, {"ceiling": 80})
    with pytest.raises(ValueError):
        rule_sql(rule, {"no_such_option": 1})
    with pytest.raises(ValueError):
        rule_sql(rule, {"ceiling": "1; DROP TABLE x"})


def test_an_option_in_auditor_toml_changes_what_the_rule_reports(tmp_path):
    from auditor.config import load_config
    from auditor.engine.examples import example_rows
    from auditor.pipeline import run_catalog

    rule = CATALOG.get("TGT003")
    rows = example_rows(rule.examples["fail"])
    default = run_catalog(rows, [rule], load_config(None, start=tmp_path))
    toml = tmp_path / "auditor.toml"
    toml.write_text("[options.TGT003]\nceiling = 95\n", encoding="utf-8")
    raised = run_catalog(rows, [rule], load_config(toml))
    assert len(default) == 2 and raised == []


@pytest.mark.parametrize("args", [["--help"], ["rules"], ["explain", "EXR001"], ["explain", "AUD001"]])
def test_help_rules_and_explain_import_no_pandas(args):
    code = ("import sys\nfrom auditor.cli import app\n"
            "try:\n    app(sys.argv[1:])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "assert 'pandas' not in sys.modules, 'pandas imported'\n")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    if args[0] == "explain":
        assert args[1] in done.stdout


def test_catalog_cache_is_keyed_by_pack_content(tmp_path, monkeypatch):
    import shutil

    from auditor.engine import catalog as cat

    monkeypatch.setenv("AUDITOR_CACHE_DIR", str(tmp_path / "cache"))
    packs = tmp_path / "packs"
    packs.mkdir()
    source = next(p for p in sorted((ROOT / "checks").glob("*.yaml")) if p.name == "score_sum.yaml")
    pack = packs / "mine.yaml"
    shutil.copy(source, pack)
    text = pack.read_text(encoding="utf-8").replace("family: SCR", "family: ZZZ").replace("id: SCR", "id: ZZZ")
    pack.write_text(text, encoding="utf-8")
    first = cat.load_catalog([packs])
    assert len(list((tmp_path / "cache").glob("catalog-*.json"))) == 1
    assert [r.id for r in cat.load_catalog([packs])] == [r.id for r in first]
    pack.write_text(text.replace("Score arithmetic", "Score sums"), encoding="utf-8")
    changed = cat.load_catalog([packs])
    assert len(list((tmp_path / "cache").glob("catalog-*.json"))) == 2
    assert {r.family_title for r in changed if r.family == "ZZZ"} == {"得分 Score sums"}
