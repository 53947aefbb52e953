"""The README stays true: its rule table is generated from rules/*.yaml, its commands exist."""

from __future__ import annotations

from pathlib import Path

from ctxlint.docs import END, START, rule_table_markdown
from ctxlint.rules.registry import all_metadata, registry

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_rule_table_in_sync() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == rule_table_markdown(), "run: python -m ctxlint.docs README.md"


def test_every_rule_documents_itself() -> None:
    for meta in all_metadata().values():
        assert meta.summary and meta.why and meta.fix, meta.id
        assert meta.sources, f"{meta.id}: 'why' needs a source"
        assert meta.example_fires, f"{meta.id}: needs an example that fires"
        for opt in meta.options:
            assert opt.description, f"{meta.id}.{opt.name}: option needs a description"


def test_every_metadata_rule_has_a_detector() -> None:
    """No placeholders: a rule in rules/ without a detector would be registered but not working."""
    missing = [rid for rid, m in all_metadata().items() if m.kind != "diagnostic" and rid not in registry()]
    assert not missing, f"rule YAML without a detector: {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    head = README.read_text(encoding="utf-8").splitlines()[:30]
    commands = [line for line in head if line.startswith(("python -m pip", "pip "))]
    assert len(commands) == 2, commands
    assert "ctxlint examples/" in commands[0]
    assert "pytest" in commands[1]
