"""The load graph: what each agent loads at start, as the agents document it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ctxlint.core.inputs import instruction_sources
from ctxlint.instructions.build import build_project
from ctxlint.instructions.loadgraph import load_graph_json, render_load_graph
from ctxlint.instructions.project import InstructionProject
from ctxlint.measure.tokens import count_text


def _project(root: Path, files: dict[str, str], links: dict[str, str] | None = None) -> InstructionProject:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for link, target in (links or {}).items():
        os.symlink(target, root / link)
    return build_project(instruction_sources(root), root, 150)


def _paths(project: InstructionProject, agent: str) -> list[tuple[str, int, str | None]]:
    return [(e.path, e.depth, e.via) for e in project.loads[agent].entries]


def test_claude_imports_resolve_from_the_importer_up_to_four_hops(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        "CLAUDE.md": "# Root\n@docs/one.md\n",
        "docs/one.md": "one @two.md\n",  # relative to docs/, not the root
        "docs/two.md": "two @sub/three.md\n",
        "docs/sub/three.md": "three @four.md\n",
        "docs/sub/four.md": "four @five.md\n",
        "docs/sub/five.md": "five: past the limit\n",
    })
    entries = project.loads["claude-code"].entries
    assert _paths(project, "claude-code") == [
        ("CLAUDE.md", 0, None), ("docs/one.md", 1, "CLAUDE.md"), ("docs/two.md", 2, "docs/one.md"),
        ("docs/sub/three.md", 3, "docs/two.md"), ("docs/sub/four.md", 4, "docs/sub/three.md"),
        ("docs/sub/five.md", 5, "docs/sub/four.md"),
    ]
    assert [e.dropped for e in entries] == [False] * 5 + [True]
    assert "depth 5 > 4" in (entries[-1].note or "")
    assert project.loads["claude-code"].tokens == sum(e.tokens for e in entries[:5])
    one = project.by_path("docs/one.md")
    assert one is not None and one.always_loaded_by == ("claude-code",)


def test_gemini_imports_go_five_deep(tmp_path: Path) -> None:
    chain = {f"d{i}.md": f"level {i} @d{i + 1}.md\n" for i in range(1, 7)}
    project = _project(tmp_path, {"GEMINI.md": "@d1.md\n", **chain})
    dropped = [e.path for e in project.loads["gemini"].entries if e.dropped]
    assert dropped == ["d6.md"]


def test_block_comments_are_stripped_for_claude_only(tmp_path: Path) -> None:
    body = "# Rules\nUse pnpm.\n"
    comment = "<!--\nA long note for human maintainers that the model never sees.\n-->\n"
    project = _project(tmp_path, {"CLAUDE.md": body + comment + "<!-- ctxlint-disable CTX108 -->\n",
                                  "GEMINI.md": body + comment})
    claude = project.loads["claude-code"].entries[0]
    gemini = project.loads["gemini"].entries[0]
    assert claude.tokens == count_text(body.rstrip("\n"))
    assert gemini.tokens > claude.tokens


def test_cycles_terminate_and_shared_imports_count_once(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        "CLAUDE.md": "@a.md\n@b.md\n",
        "a.md": "a @b.md\n@CLAUDE.md\n",
        "b.md": "b @a.md\n",
    })
    assert [p for p, _, _ in _paths(project, "claude-code")] == ["CLAUDE.md", "a.md", "b.md"]


def test_agents_pointer_and_symlink(tmp_path: Path) -> None:
    project = _project(tmp_path, {"CLAUDE.md": "@AGENTS.md\n", "AGENTS.md": "# Shared\nRun `make test`.\n"})
    assert _paths(project, "claude-code") == [("CLAUDE.md", 0, None), ("AGENTS.md", 1, "CLAUDE.md")]
    assert _paths(project, "codex") == [("AGENTS.md", 0, None)]
    agents = project.by_path("AGENTS.md")
    assert agents is not None and set(agents.always_loaded_by) == {"claude-code", "codex"}

    linked = _project(tmp_path / "l", {"AGENTS.md": "# Shared\n"}, links={"CLAUDE.md": "AGENTS.md"})
    assert [f.path for f in linked.files] == ["AGENTS.md"]  # one file, counted once
    assert _paths(linked, "claude-code") == [("AGENTS.md", 0, None)]


def test_claude_reads_agents_md_when_there_is_no_claude_md(tmp_path: Path) -> None:
    project = _project(tmp_path, {"AGENTS.md": "# Shared\n", ".claude/rules/a.md": "rule\n"})
    entries = project.loads["claude-code"].entries
    assert [e.path for e in entries] == ["AGENTS.md", ".claude/rules/a.md"]
    assert "no CLAUDE.md" in (entries[0].note or "")


def test_nested_and_path_scoped_files_are_lazy(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        "CLAUDE.md": "root\n", "pkg/CLAUDE.md": "nested\n", "pkg/AGENTS.md": "nested\n",
        ".claude/rules/api.md": "---\npaths: [\"src/api/**\"]\n---\napi rules\n",
        ".claude/rules/always.md": "always\n",
    })
    assert [e.path for e in project.loads["claude-code"].entries] == ["CLAUDE.md", ".claude/rules/always.md"]
    nested = project.by_path("pkg/CLAUDE.md")
    assert nested is not None and nested.always_loaded_by == () and nested.agents == ("claude-code",)
    assert project.loads["codex"].entries == []


def test_codex_cap_truncates_and_names_the_heading(tmp_path: Path) -> None:
    filler = "- keep handlers small and typed, and log every retry with its reason.\n"
    text = "# Agents\n" + "".join(f"## Part {i}\n" + filler * 40 for i in range(20))
    project = _project(tmp_path, {"AGENTS.md": text})
    (entry,) = project.loads["codex"].entries
    assert entry.truncated and not entry.dropped
    assert entry.note is not None and "cut at byte 32,768" in entry.note and "section 'Part " in entry.note
    assert entry.tokens < count_text(text)


def test_codex_override_wins_and_an_empty_one_still_hides_agents_md(tmp_path: Path) -> None:
    project = _project(tmp_path, {"AGENTS.md": "main\n", "AGENTS.override.md": "override\n"})
    assert [e.path for e in project.loads["codex"].entries] == ["AGENTS.override.md"]
    # Codex takes the first existing name of each directory and then skips it when it is empty
    # (codex-rs project_doc.rs: discover_project_doc_paths / read_project_docs).
    empty = _project(tmp_path / "e", {"AGENTS.md": "main\n", "AGENTS.override.md": "\n"})
    assert [e.path for e in empty.loads["codex"].entries] == []


def test_cursor_and_copilot_always_applied(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        ".cursor/rules/a.mdc": "---\nalwaysApply: true\n---\nA\n",
        ".cursor/rules/b.mdc": "---\nalwaysApply: \"true\"\n---\nB\n",  # a string: not always applied
        ".cursor/rules/c.mdc": "---\nglobs: src/**\nalwaysApply: false\n---\nC\n",
        ".cursorrules": "legacy\n",
        ".github/copilot-instructions.md": "copilot\n",
        ".github/instructions/all.instructions.md": "---\napplyTo: \"**\"\n---\nall\n",
        ".github/instructions/py.instructions.md": "---\napplyTo: \"**/*.py\"\n---\npy\n",
    })
    assert sorted(e.path for e in project.loads["cursor"].entries) == [".cursor/rules/a.mdc", ".cursorrules"]
    assert sorted(e.path for e in project.loads["copilot"].entries) == [
        ".github/copilot-instructions.md", ".github/instructions/all.instructions.md"]


def test_git_status_once_and_without_git(tmp_path: Path) -> None:
    project = _project(tmp_path, {"CLAUDE.md": "x\n", "CLAUDE.local.md": "mine\n"})
    assert all(f.git_tracked is None for f in project.files)
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / ".gitignore").write_text("CLAUDE.local.md\n")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "CLAUDE.md").write_text("x\n")
    subprocess.run(["git", "add", "CLAUDE.md"], cwd=repo, check=True)
    (repo / "CLAUDE.local.md").write_text("mine\n")
    git_project = build_project(instruction_sources(repo), repo, 150)
    status = {f.path: (f.git_tracked, f.git_ignored) for f in git_project.files}
    assert status == {"CLAUDE.md": (True, False), "CLAUDE.local.md": (False, True)}


def test_render_and_json(tmp_path: Path) -> None:
    project = _project(tmp_path, {"CLAUDE.md": "# Root\n@docs/a.md\n", "docs/a.md": "imported text\n"})
    text = render_load_graph(project)
    total = project.loads["claude-code"].tokens
    assert f"claude-code: {total:,} tokens before the first prompt" in text
    root_line = next(line for line in text.splitlines() if line.strip().startswith("CLAUDE.md"))
    import_line = next(line for line in text.splitlines() if "docs/a.md" in line)
    assert len(import_line) - len(import_line.lstrip()) > len(root_line) - len(root_line.lstrip())
    data = load_graph_json(project)
    assert data["claude-code"]["tokens"] == total
    assert data["claude-code"]["files"][1] == {
        "path": "docs/a.md", "tokens": project.loads["claude-code"].entries[1].tokens, "depth": 1,
        "via": "CLAUDE.md", "bytes": 14, "truncated": False, "dropped": False, "note": None}
    assert "codex" not in data
