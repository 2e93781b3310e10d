"""The docs stay honest: the rule reference is generated from the catalog, and the
README's first lines are the two commands CI runs."""
from __future__ import annotations

from pathlib import Path

from auditor.engine.catalog import load_catalog
from auditor.render.ruledoc import rules_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_rule_reference_is_current():
    expected = rules_markdown(load_catalog().rules)
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == expected, \
        "docs/rules.md is stale: run `auditor rules --format markdown > docs/rules.md`"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    lines = [l for l in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if l.strip()]
    assert lines[0].startswith("# ") and lines[1] == "```"
    run, test = lines[2], lines[3]
    assert "auditor check sample_data/" in run and "pytest" in test
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_family_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for family in sorted({r.family for r in load_catalog()}):
        assert f"`{family}`" in readme, family
