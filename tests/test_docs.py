"""The rules document themselves (with public sources) and the README starts with its two commands."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ctxlint.rules.registry import all_metadata, registry
from tests.conftest import REPO, cli_in

README = REPO / "README.md"
URL = re.compile(r"https?://[^\s)\],]+")
# Notes that live only in the developers' workspace: a user who runs `ctxlint explain` cannot open them.
INTERNAL_NOTE = re.compile(
    r"ctxlint (research|design)|research/|context-facts|instruction-linters|peers-and-formats|linter-anchors"
    r"|DOMAIN\.md|STYLE\.md|§",
    re.IGNORECASE,
)


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


def test_explain_cites_only_sources_a_user_can_open() -> None:
    """Every source names a public https URL; no rule text points to the developers' own notes."""
    for meta in all_metadata().values():
        for source in meta.sources:
            urls = URL.findall(source)
            assert urls, f"{meta.id}: source without a public URL: {source!r}"
            for url in urls:
                parts = urlsplit(url)
                assert parts.scheme == "https" and parts.hostname and "." in parts.hostname, (meta.id, url)
                assert parts.hostname not in ("localhost", "127.0.0.1"), (meta.id, url)
        for text in (meta.summary, meta.description, meta.why, meta.fix, *meta.sources):
            assert not INTERNAL_NOTE.search(text), f"{meta.id} cites an internal note: {text!r}"


def test_explain_prints_the_sources() -> None:
    for meta in all_metadata().values():
        result = cli_in(REPO, ["explain", meta.id])
        assert result.exit_code == 0, result.output
        cited = result.output.split("Sources:", 1)[1].split("\n\n", 1)[0]
        assert cited.strip(), meta.id
        for line in cited.strip().splitlines():
            assert URL.search(line), f"{meta.id}: explain prints a source without a URL: {line!r}"
