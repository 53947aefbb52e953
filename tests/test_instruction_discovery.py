"""Discovery: exactly the instruction files agents read, each real file once, never a loop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ctxlint.core.inputs import instruction_sources
from ctxlint.instructions.files import instruction_agent, repo_root


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("rel", "agent"), [
    ("CLAUDE.md", "claude-code"),
    (".claude/CLAUDE.md", "claude-code"),
    ("CLAUDE.local.md", "claude-code"),
    (".claude/rules/testing.md", "claude-code"),
    (".claude/rules/backend/api.md", "claude-code"),
    ("pkg/CLAUDE.md", "claude-code"),
    ("AGENTS.md", "codex"),
    ("AGENTS.override.md", "codex"),
    ("services/api/AGENTS.md", "codex"),
    ("GEMINI.md", "gemini"),
    (".cursor/rules/style.mdc", "cursor"),
    (".cursor/rules/nested/db.mdc", "cursor"),
    (".cursor/rules/plain.md", "cursor"),  # discovered so CTX118 can say Cursor ignores it
    (".cursorrules", "cursor"),
    (".github/copilot-instructions.md", "copilot"),
    (".github/instructions/py.instructions.md", "copilot"),
    (".github/instructions/a/b.instructions.md", "copilot"),
    ("Claude.md", "claude-code"),  # read as CLAUDE.md where the file system ignores case
    ("agents.md", "codex"),
    (".claude/skills/review/SKILL.md", "claude-code"),
    (".agents/skills/review/SKILL.md", "codex"),
    ("archive/.cursorrules", "cursor"),  # discovered so the report can say no agent reads it
    # the agents of issue 21
    ("AGENT.md", "amp"),
    (".clinerules", "cline"),
    (".clinerules/01-style.md", "cline"),
    (".cline/rules/api.md", "cline"),
    (".roo/rules/general.md", "roo-code"),
    (".roo/rules-architect/plan.md", "roo-code"),
    (".roorules", "roo-code"),
    ("AGENTS.local.md", "roo-code"),
    (".windsurfrules", "windsurf"),
    (".windsurf/rules/tests.md", "windsurf"),
    (".kiro/steering/product.md", "kiro"),
    # never instruction files
    ("README.md", None),
    ("SECURITY.md", None),
    ("docs/ja/agents.md", None),
    ("docs/claude.md", None),  # another case counts only at the top, where agents on macOS read it
    ("pkg/Agents.md", None),
    (".cursor/rules/README.md", None),  # for people, not a rule
    (".claude/skills/SKILL.md", None),
    ("docs/CLAUDE.md.bak", None),
    (".claude/commands/review.md", None),
    (".claude/agents/reviewer.md", None),
    (".github/instructions/notes.md", None),
    (".github/pull_request_template.md", None),
    ("rules/style.mdc", None),
    (".clinerules/workflows/release.md", None),  # workflows are run on request, not rules
    (".windsurf/workflows/deploy.md", None),
    (".kiro/specs/booking/requirements.md", None),
    (".roo/mcp.md", None),
])
def test_instruction_agent(rel: str, agent: str | None, tmp_path: Path) -> None:
    assert instruction_agent(Path(rel), tmp_path) == agent


def test_discovers_only_instruction_files_and_skips_vendored_dirs(tmp_path: Path) -> None:
    _write(tmp_path, {
        "CLAUDE.md": "# c\n", "AGENTS.md": "# a\n", "README.md": "# r\n", "SECURITY.md": "# s\n",
        "docs/ja/agents.md": "# ja\n", "node_modules/pkg/CLAUDE.md": "# vendored\n", ".venv/x/AGENTS.md": "x\n",
        ".git/CLAUDE.md": "x\n", ".idea/CLAUDE.md": "x\n", ".claude/rules/a.md": "a\n",
        ".github/copilot-instructions.md": "c\n", "sub/AGENTS.md": "nested\n", "build/AGENTS.md": "out\n",
    })
    paths = [s.path for s in instruction_sources(tmp_path)]
    assert paths == [".claude/rules/a.md", ".github/copilot-instructions.md", "AGENTS.md", "CLAUDE.md",
                     "sub/AGENTS.md"]


def test_symlinked_claude_md_is_one_source(tmp_path: Path) -> None:
    _write(tmp_path, {"AGENTS.md": "# shared\n"})
    os.symlink("AGENTS.md", tmp_path / "CLAUDE.md")
    sources = instruction_sources(tmp_path)
    assert [s.path for s in sources] == ["AGENTS.md"]
    assert sources[0].real == os.path.realpath(tmp_path / "AGENTS.md")
    assert sources[0].aliases == ("CLAUDE.md",)


def test_link_keeps_its_path_when_the_target_is_not_an_instruction_file(tmp_path: Path) -> None:
    _write(tmp_path, {"docs/agent-guide.md": "# guide\n"})
    os.symlink("docs/agent-guide.md", tmp_path / "CLAUDE.md")
    assert [s.path for s in instruction_sources(tmp_path)] == ["CLAUDE.md"]


def test_symlink_loops_and_escapes_terminate(tmp_path: Path) -> None:
    _write(tmp_path, {"CLAUDE.md": "x\n", "a/AGENTS.md": "y\n"})
    os.symlink("..", tmp_path / "a" / "up")  # a loop back to the root
    os.symlink("/", tmp_path / "rootfs")  # out of the tree: never walked
    os.symlink("self", tmp_path / "self")  # a link to itself
    paths = [s.path for s in instruction_sources(tmp_path)]
    assert paths == ["CLAUDE.md", "a/AGENTS.md"]


def test_fifo_skipped_dangling_link_kept_for_ctx001(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "AGENTS.md")
    os.symlink("missing.md", tmp_path / "CLAUDE.md")
    sources = instruction_sources(tmp_path)
    assert [s.path for s in sources] == ["CLAUDE.md"]  # the engine reports it as unreadable


def test_exclude_patterns(tmp_path: Path) -> None:
    _write(tmp_path, {"CLAUDE.md": "x\n", "examples/demo/CLAUDE.md": "y\n"})
    assert [s.path for s in instruction_sources(tmp_path, exclude=("examples/*",))] == ["CLAUDE.md"]


def test_repo_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert repo_root(tmp_path / "a" / "b") == tmp_path.resolve()
    assert repo_root(tmp_path / "a" / "b").is_dir()


def test_a_repository_walk_takes_sessions_only_from_agent_stores(tmp_path: Path) -> None:
    """A repository's own `.jsonl` test fixtures are not its user's sessions (a public repository's
    fixture transcripts drew CTX202/CTX205 findings); sessions it commits under an agent's store are,
    and any transcript is taken from a folder given inside the repository or given explicitly."""
    from ctxlint.config import Config
    from ctxlint.core.inputs import classify

    session = (Path(__file__).resolve().parents[1] / "examples" / "session.jsonl").read_bytes()
    (tmp_path / ".git").mkdir()
    fixture = tmp_path / "src" / "chat" / "test" / "fixtures" / "s.jsonl"
    stored = tmp_path / ".claude" / "projects" / "-home-dev-app" / "s.jsonl"
    for path in (fixture, stored):
        path.parent.mkdir(parents=True)
        path.write_bytes(session)
    found = classify([str(tmp_path)], Config()).transcripts
    assert [os.path.realpath(p) for p in found] == [os.path.realpath(stored)]
    inner = classify([str(fixture.parent)], Config()).transcripts
    assert [os.path.realpath(p) for p in inner] == [os.path.realpath(fixture)]
