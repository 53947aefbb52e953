"""The load graph: what each agent loads at start, as the agents document it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ctxlint.config import Config
from ctxlint.core.inputs import instruction_sources
from ctxlint.core.run import run_check
from ctxlint.instructions.build import build_project
from ctxlint.instructions.loadgraph import load_graph_json, render_load_graph
from ctxlint.instructions.project import InstructionProject, Loading
from ctxlint.measure.tokens import count_text
from ctxlint.model import Finding
from tests.loadgraph_fixtures import MONOREPO, MULTI_AGENT, write_repo


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


# ---------------------------------------------------------------------------------------------
# What the agents really load (issue 17), on repositories of real shape (tests/loadgraph_fixtures.py)


def _repo(tmp_path: Path, files: dict[str, str], **extra: str) -> Path:
    return write_repo(tmp_path / "repo", {**files, **extra})


def _build(where: Path, home: Path | None = None) -> InstructionProject:
    return build_project(instruction_sources(where), where, 150, home=home)


def _check(where: Path, rule: str, monkeypatch: pytest.MonkeyPatch, **options: object) -> list[Finding]:
    monkeypatch.chdir(where)
    config = Config(select=(rule,), rule_options={rule: dict(options)}, fail_on=None)
    return [f for f in run_check(["."], config, jobs=1).findings if f.rule_id == rule]


def _load(project: InstructionProject, agent: str) -> list[str]:
    """The files ``agent`` loads at start, relative to the repository (ancestors' too), dropped ones left out."""
    top = Path(project.root)
    while not (top / ".git").exists() and top != top.parent:
        top = top.parent
    out = []
    for e in project.loads[agent].entries:
        if not e.dropped:
            file = project.by_path(e.path)
            out.append(Path(file.source.real).relative_to(top.resolve()).as_posix() if file else e.path)
    return out


def test_claude_code_reads_the_ancestors_of_the_working_directory_up_to_the_repository_root(tmp_path: Path) -> None:
    repo = _repo(tmp_path, MONOREPO)
    (tmp_path / "CLAUDE.md").write_text("# Above the repository: never read as the repository's\n")
    project = _build(repo / "packages/api")
    assert _load(project, "claude-code") == [
        "CLAUDE.md", "docs/agent/conventions.md", "docs/agent/testing.md", "CLAUDE.local.md",
        "packages/api/CLAUDE.md", ".claude/rules/security.md"]
    # the ancestors are context: part of the load, never reported as this folder's files
    assert [f.path for f in project.files if not f.context_only] == ["CLAUDE.md"]
    api_rule = next(f for f in project.files if f.source.real.endswith(".claude/rules/api.md"))
    assert api_rule.loading["claude-code"].mode == "scoped"


def test_user_level_claude_md_is_shown_apart_and_never_linted(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, MONOREPO)
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude/CLAUDE.md").write_text("# Me\n- Write clean code.\n- Follow best practices.\n")
    project = _build(repo, home=home)
    (user,) = project.user_loads["claude-code"]
    assert user.path == "~/.claude/CLAUDE.md" and user.tokens > 0
    assert all(not f.source.real.startswith(str(home)) for f in (*project.files, *project.unloaded))
    assert project.loads["claude-code"].tokens == sum(e.tokens for e in project.loads["claude-code"].entries
                                                      if not e.dropped)  # the user's file is not in it
    assert "(yours, not the repository's) ~/.claude/CLAUDE.md" in render_load_graph(project)
    assert load_graph_json(project)["claude-code"]["user_files"][0]["path"] == "~/.claude/CLAUDE.md"
    monkeypatch.setenv("HOME", str(home))
    assert _check(repo, "CTX108", monkeypatch) == []  # its vague lines are not the repository's findings


def test_claude_local_md_loads_at_start_and_must_stay_personal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, MONOREPO)
    assert "CLAUDE.local.md" in _load(_build(repo), "claude-code")
    (found,) = _check(repo, "CTX119", monkeypatch)
    assert found.path == "CLAUDE.local.md" and "not git-ignored" in found.message
    (repo / ".gitignore").write_text("CLAUDE.local.md\n")
    assert _check(repo, "CTX119", monkeypatch) == []


def test_claude_rules_load_at_start_without_paths_and_when_matching_files_are_read_with_them(tmp_path: Path) -> None:
    project = _build(_repo(tmp_path, MONOREPO))
    security, api = project.by_path(".claude/rules/security.md"), project.by_path(".claude/rules/api.md")
    assert security is not None and security.loading["claude-code"].mode == "start"
    assert api is not None and api.loading["claude-code"] == Loading("scoped", "packages/api/**")
    assert ".claude/rules/api.md" not in _load(project, "claude-code")


def test_imports_resolve_from_the_importing_file_and_a_root_only_import_is_dead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, MONOREPO)
    entries = _build(repo).loads["claude-code"].entries
    testing = next(e for e in entries if e.path == "docs/agent/testing.md")
    assert (testing.depth, testing.via) == (2, "docs/agent/conventions.md")  # `@testing.md` from docs/agent/
    # packages/api/CLAUDE.md imports `@docs/style.md`, which exists only from the repository root
    nested = _build(repo / "packages/api")
    assert "docs/style.md" not in _load(nested, "claude-code")
    dead = [f for f in _check(repo, "CTX106", monkeypatch) if "@docs/style.md" in f.message]
    assert [f.path for f in dead] == ["packages/api/CLAUDE.md"] and "imports resolve from packages/api/" in dead[0].message


def test_mixed_case_claude_md_loads_only_where_case_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {k: v for k, v in MONOREPO.items() if k != "CLAUDE.md"}
    repo = _repo(tmp_path, files, **{"Claude.md": MONOREPO["CLAUDE.md"]})
    (entry,) = [e for e in _build(repo).loads["claude-code"].entries if e.path == "Claude.md"]
    assert "never on Linux" in (entry.note or "")
    (found,) = [f for f in _check(repo, "CTX118", monkeypatch) if f.path == "Claude.md"]
    assert found.severity.label == "warning" and "on Linux" in found.message


def test_size_guidance_40000_chars_by_default_150000_for_current_claude_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    section = "## Service {n}\n" + "- The handler validates input, logs the retry reason and returns a typed error.\n" * 8
    repo = _repo(tmp_path, {"CLAUDE.md": "# Big\n" + "".join(section.format(n=n) for n in range(70))})
    assert 40_000 < len((repo / "CLAUDE.md").read_text()) < 150_000
    (found,) = _check(repo, "CTX101", monkeypatch)
    assert found.severity.label == "error" and "> 40,000" in found.message and "150,000" in found.message
    (found,) = _check(repo, "CTX101", monkeypatch, **{"error-chars": 150_000})
    assert found.severity.label == "warning"  # still over the token budget, no longer over the character limit


def test_memory_md_loads_its_first_200_lines_or_25_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    short_lines = "".join(f"- [topic {i}](topic-{i}.md)\n" for i in range(150))
    wide = "".join(f"- {i}: " + "the nightly export writes one row per order and retries twice " * 3 + "\n"
                   for i in range(150))
    repo = _repo(tmp_path, {"CLAUDE.md": "# P\n", "memory/MEMORY.md": short_lines})
    assert _check(repo, "CTX103", monkeypatch) == []
    (repo / "memory/MEMORY.md").write_text(wide)
    assert len(wide.encode()) > 25_600 and len(wide.splitlines()) < 200
    (found,) = _check(repo, "CTX103", monkeypatch)
    assert "only the first 200 lines or 25,600 bytes" in found.message


def _sized(title: str, size: int) -> str:
    """A Markdown file of about ``size`` bytes, in sections like a real AGENTS.md."""
    out, n = f"# {title}\n", 0
    while len(out.encode()) < size - 120:
        out += f"## Area {n}\n- Keep the public interface stable; add a changelog line for each change.\n"
        n += 1
    return out


def test_codex_checks_each_directorys_chain_against_one_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 29.3 KB root AGENTS.md and a 3.7 KB nested one fit alone and overflow together."""
    repo = _repo(tmp_path, MONOREPO, **{"AGENTS.md": _sized("Shop", 30_000),
                                       "services/billing/AGENTS.md": _sized("Billing", 3_800)})
    project = _build(repo)
    assert [e.truncated for e in project.loads["codex"].entries] == [False]  # from the root: fits
    chain = project.chains["codex"]["services/billing"]
    assert [f.path for f in chain] == ["AGENTS.md", "services/billing/AGENTS.md"]
    (found,) = _check(repo, "CTX103", monkeypatch)
    assert found.path == "services/billing/AGENTS.md"
    assert "when codex starts in services/billing/" in found.message and "silently drops" in found.message


def test_codex_override_replaces_agents_md_in_its_directory_of_the_chain(tmp_path: Path) -> None:
    repo = _repo(tmp_path, MONOREPO, **{"services/billing/AGENTS.override.md": "# Billing, for now\n- Freeze.\n"})
    project = _build(repo)
    assert [f.path for f in project.chains["codex"]["services/billing"]] == [
        "AGENTS.md", "services/billing/AGENTS.override.md"]
    assert _load(_build(repo / "services/billing"), "codex") == ["AGENTS.md", "services/billing/AGENTS.override.md"]


@pytest.mark.parametrize(("settings", "loaded"), [
    ('{"context": {"fileName": "AGENTS.md"}}', ["AGENTS.md"]),
    ('{"context": {"fileName": ["AGENTS.md", "GEMINI.md"]}}', ["AGENTS.md", "GEMINI.md"]),
    ('{"contextFileName": "AGENTS.md"}', ["AGENTS.md"]),  # the legacy top-level key
    ("{}", ["GEMINI.md"]),
])
def test_gemini_reads_the_names_of_context_filename(settings: str, loaded: list[str], tmp_path: Path) -> None:
    repo = _repo(tmp_path, MONOREPO, **{".gemini/settings.json": settings})
    assert _load(_build(repo), "gemini") == loaded


def test_copilot_reads_agents_claude_and_gemini_md_besides_its_own_files(tmp_path: Path) -> None:
    project = _build(_repo(tmp_path, MONOREPO))
    assert _load(project, "copilot") == [
        "AGENTS.md", "CLAUDE.md", "GEMINI.md", ".github/copilot-instructions.md",
        ".github/instructions/agent-only.instructions.md", ".github/instructions/everywhere.instructions.md"]
    by_path = {f.path: f.loading["copilot"] for f in project.files if f.path.startswith(".github/instructions/")}
    assert by_path[".github/instructions/python.instructions.md"] == Loading("scoped", "services/**/*.py")
    assert by_path[".github/instructions/review.instructions.md"].mode == "never"  # excludeAgent: coding-agent
    assert by_path[".github/instructions/agent-only.instructions.md"].mode == "start"  # excludeAgent: code-review


def test_skills_name_description_and_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long_name = "release-" + "x" * 60
    repo = _repo(tmp_path, MONOREPO, **{
        f".claude/skills/{long_name}/SKILL.md": f"---\nname: {long_name}\ndescription: Cut a release.\n---\nSteps.\n",
        ".claude/skills/deploy/SKILL.md": "---\nname: ship\ndescription: Deploy to staging.\n---\nSteps.\n",
        ".claude/skills/triage/SKILL.md": "---\nname: triage\ndescription: " + "Sort new issues. " * 100 + "\n---\nx\n",
    })
    project = _build(repo)
    assert ".claude/skills/release/SKILL.md" in [s.path for s in project.skills]
    assert all(not p.endswith("SKILL.md") for p in _load(project, "claude-code"))  # bodies load on demand
    messages = {(f.path.split("/")[2], f.message.split(";")[0]) for f in _check(repo, "CTX117", monkeypatch)}
    assert (long_name, f"skill name `{long_name}` is 68 characters (at most 64)") in messages
    assert ("deploy", "skill name `ship` differs from its folder `deploy`") in messages
    assert ("triage", "the skill's description is 1,699 characters") in messages
    (cut,) = _check(repo, "CTX103", monkeypatch)
    assert cut.path == ".claude/skills/triage/SKILL.md" and "lists only the first 1,536" in cut.message


def test_mdc_without_front_matter_is_said_to_load_only_when_mentioned(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, MONOREPO)
    project = _build(repo)
    notes = project.by_path(".cursor/rules/legacy-notes.mdc")
    assert notes is not None and notes in project.files  # kept and checked, not dropped
    assert notes.loading["cursor"] == Loading("manual", "no front matter")
    assert ".cursor/rules/legacy-notes.mdc" not in _load(project, "cursor")
    (found,) = [f for f in _check(repo, "CTX115", monkeypatch) if f.path == ".cursor/rules/legacy-notes.mdc"]
    assert "no front matter" in found.message and "only when @-mentioned" in found.message


def test_a_readme_in_cursor_rules_is_not_an_instruction_file(tmp_path: Path) -> None:
    repo = _repo(tmp_path, MONOREPO)
    assert ".cursor/rules/README.md" not in [s.path for s in instruction_sources(repo)]
    project = _build(repo)
    assert project.by_path(".cursor/rules/README.md") is None


def test_a_link_only_claude_md_does_not_load_agents_md(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, MONOREPO, **{"CLAUDE.md": "# Shop\nSee [AGENTS.md](AGENTS.md) for the rules.\n"})
    assert "AGENTS.md" not in _load(_build(repo), "claude-code")
    (found,) = _check(repo, "CTX118", monkeypatch)
    assert found.path == "CLAUDE.md" and "never follows links" in found.message


# ---------------------------------------------------------------------------------------------
# The agents of issue 21: Cline, Roo Code, Windsurf, Kiro, Amp, OpenCode


def test_an_agent_gets_a_load_only_when_the_repository_uses_it(tmp_path: Path) -> None:
    """AGENTS.md is Codex's (the first agent that names it); Amp, OpenCode, Cline, Roo Code, Windsurf, Kiro and
    Cursor read it too, but a repository with only AGENTS.md shows none of them is used."""
    only = _build(_repo(tmp_path, {"AGENTS.md": MULTI_AGENT["AGENTS.md"]}))
    assert list(only.loads) == ["codex"]
    multi = _build(write_repo(tmp_path / "multi", MULTI_AGENT))
    assert list(multi.loads) == ["codex", "amp", "opencode", "cline", "roo-code", "windsurf", "kiro"]


def test_cline_reads_clinerules_by_paths_and_skips_workflows(tmp_path: Path) -> None:
    project = _build(_repo(tmp_path, MULTI_AGENT))
    assert _load(project, "cline") == ["AGENTS.md", ".clinerules/01-style.md"]
    assert project.by_path(".clinerules/02-api.md").loading["cline"] == Loading("scoped", "src/api/**")  # type: ignore[union-attr]
    assert project.by_path(".clinerules/03-paused.md").loading["cline"].mode == "never"  # type: ignore[union-attr]
    assert project.by_path(".clinerules/workflows/release.md") is None
    legacy = _build(write_repo(tmp_path / "legacy", {".clinerules": "# Rules\n- Use pnpm.\n"}))
    assert _load(legacy, "cline") == [".clinerules"]


def test_roo_code_reads_its_rules_mode_rules_and_agents_local_md(tmp_path: Path) -> None:
    project = _build(_repo(tmp_path, MULTI_AGENT))
    assert _load(project, "roo-code") == ["AGENTS.md", "AGENTS.local.md", ".roo/rules/01-general.md"]
    assert project.by_path(".roo/rules-architect/plan.md").loading["roo-code"] == Loading("mode", "architect")  # type: ignore[union-attr]
    # legacy files only when .roo/rules holds nothing; AGENT.md when there is no AGENTS.md
    legacy = _build(write_repo(tmp_path / "legacy", {".roorules": "- Use pnpm.\n", "AGENT.md": "# A\n",
                                                     ".roomodes": "customModes: []\n"}))
    assert _load(legacy, "roo-code") == ["AGENT.md", ".roorules"]
    assert "holds no rule" in (legacy.loads["roo-code"].entries[1].note or "")


def test_windsurf_applies_rules_by_trigger(tmp_path: Path) -> None:
    project = _build(_repo(tmp_path, MULTI_AGENT))
    assert _load(project, "windsurf") == ["AGENTS.md", ".windsurf/rules/always.md"]
    modes = {f.path.rsplit("/", 1)[-1]: f.loading["windsurf"] for f in project.files
             if f.path.startswith(".windsurf/")}
    assert modes == {"always.md": Loading("start"), "tests.md": Loading("scoped", "**/*.test.ts"),
                     "perf.md": Loading("requested"), "release.md": Loading("manual"),
                     "untriggered.md": Loading("manual", "no `trigger`")}
    assert project.by_path("src/api/AGENTS.md").loading["windsurf"].mode == "lazy"  # type: ignore[union-attr]


def test_windsurf_cuts_rule_files_at_its_character_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rule = "---\ntrigger: always_on\n---\n" + "- Every public function has a docstring and a typed signature.\n" * 110
    repo = _repo(tmp_path, {".windsurfrules": "# Legacy\n- Use pnpm.\n", ".windsurf/rules/a.md": rule,
                            ".windsurf/rules/b.md": rule, ".windsurf/rules/c.md": rule})
    entries = {e.path: e for e in _build(repo).loads["windsurf"].entries}
    assert entries[".windsurf/rules/a.md"].truncated and "cut at character 6,000" in (entries[".windsurf/rules/a.md"].note
                                                                                     or "")
    assert entries[".windsurf/rules/c.md"].dropped  # 12,000 characters in all are used up by the files above
    found = {f.path: f for f in _check(repo, "CTX103", monkeypatch)}
    assert set(found) == {".windsurf/rules/a.md", ".windsurf/rules/b.md", ".windsurf/rules/c.md"}
    assert all(f.severity.label == "warning" for f in found.values())


def test_kiro_includes_steering_by_inclusion(tmp_path: Path) -> None:
    project = _build(_repo(tmp_path, MULTI_AGENT))
    assert _load(project, "kiro") == ["AGENTS.md", ".kiro/steering/product.md"]
    assert project.by_path(".kiro/steering/api.md").loading["kiro"] == Loading("scoped", "src/api/**/*.ts")  # type: ignore[union-attr]
    assert project.by_path(".kiro/steering/deploy.md").loading["kiro"].mode == "manual"  # type: ignore[union-attr]
    assert project.by_path(".kiro/specs/booking/requirements.md") is None


def test_amp_reads_one_file_per_directory_and_claude_md_as_a_fallback(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"AGENT.md": "# Amp\n- Use pnpm.\n", "CLAUDE.md": "# Claude\n",
                            "pkg/CLAUDE.md": "# Pkg\n", "pkg/package.json": "{}\n"})
    assert _load(_build(repo), "amp") == ["AGENT.md"]  # AGENT.md wins over CLAUDE.md in its directory
    assert _load(_build(repo / "pkg"), "amp") == ["AGENT.md", "pkg/CLAUDE.md"]


def test_opencode_reads_agents_md_then_its_instructions_globs(tmp_path: Path) -> None:
    project = _build(_repo(tmp_path, MULTI_AGENT))
    assert _load(project, "opencode") == ["AGENTS.md", "docs/agent/review.md"]  # URLs and ~/ paths are the user's
    fallback = _build(write_repo(tmp_path / "f", {"CLAUDE.md": "# C\n", "opencode.json": "{}\n"}))
    assert _load(fallback, "opencode") == ["CLAUDE.md"]  # CLAUDE.md only when there is no AGENTS.md


def test_the_summary_is_per_agent_and_never_above_what_each_loads(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    big = "# Booking\n" + "".join(f"## Area {n}\n" + "- Keep handlers small and typed; log retries.\n" * 30
                                  for n in range(12))
    repo = _repo(tmp_path, MULTI_AGENT, **{"AGENTS.md": big})
    monkeypatch.chdir(repo)
    report = run_check(["."], Config(fail_on=None), jobs=1)
    removable = report.summary.instruction_tokens_per_request
    startup = report.summary.startup_tokens
    assert set(removable) <= set(startup) and {"amp", "opencode", "cline", "roo-code", "windsurf", "kiro"} <= set(startup)
    assert all(0 < removable[a] <= startup[a] for a in removable)


def test_a_file_in_a_rule_folder_is_a_rule_whatever_its_name(tmp_path: Path) -> None:
    """`.roo/rules-code/AGENTS.md` is a Roo Code mode rule, not a nested AGENTS.md that Codex would read when
    started in `.roo/rules-code/` (a public repository keeps one AGENTS.md per mode folder)."""
    repo = _repo(tmp_path, {"AGENTS.md": "# App\n", ".roo/rules-code/AGENTS.md": "# Code mode\n- Small diffs.\n"})
    project = _build(repo)
    rule = project.by_path(".roo/rules-code/AGENTS.md")
    assert rule is not None and rule.loading == {"roo-code": Loading("mode", "code")}
    assert "codex" not in project.chains or ".roo/rules-code" not in project.chains["codex"]


def test_agent_md_beside_agents_md_is_said_to_be_shadowed(tmp_path: Path) -> None:
    project = _build(_repo(tmp_path, {"AGENTS.md": "# App\n", "AGENT.md": "# Older guide\n", ".amp/x": ""}))
    (unloaded,) = project.unloaded
    assert unloaded.path == "AGENT.md" and unloaded.unloaded_reason == (
        "amp, roo-code read `AGENTS.md` in this folder instead (one of these names per folder)")
