"""Which files are the instruction files each agent reads — and nothing else (the walk that finds
them is ``ctxlint.core.inputs``).

Names are matched exactly (case-sensitive), by location: `CLAUDE.md` anywhere, `AGENTS.md` anywhere,
`.cursor/rules/**/*.mdc`, and so on. README.md, SECURITY.md, docs/ja/agents.md and website pages are
never instruction files.
"""

from __future__ import annotations

from pathlib import Path

SKIP_DIRS = {
    ".git", "node_modules", ".venv", "venv", "vendor", "dist", "build", "target", "__pycache__",
    ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".next", ".nuxt", "coverage", "site-packages",
}
INSTRUCTION_SUFFIXES = (".md", ".mdc")
HIDDEN_ALLOWED = {".claude", ".cursor", ".github", ".gemini", ".codex"}


def instruction_agent(path: Path, root: Path) -> str | None:
    """Which agent's instruction file ``path`` is, from its name and location; None if it is not one."""
    name = path.name
    try:
        parts = path.resolve().relative_to(root.resolve()).parts if path.is_absolute() else path.parts
    except ValueError:
        parts = path.parts
    parents = parts[:-1]
    if name in ("CLAUDE.md", "CLAUDE.local.md"):
        return "claude-code"
    if name in ("AGENTS.md", "AGENTS.override.md"):
        return "codex"
    if name == "GEMINI.md":
        return "gemini"
    if name == ".cursorrules":
        return "cursor"
    if name == "MEMORY.md" and "memory" in parents:
        return "claude-code"
    if ".claude" in parents and name.endswith(".md"):
        i = len(parents) - 1 - parents[::-1].index(".claude")
        if i + 1 < len(parents) and parents[i + 1] == "rules":
            return "claude-code"
    if ".cursor" in parents and (name.endswith(".mdc") or name.endswith(".md")):
        i = len(parents) - 1 - parents[::-1].index(".cursor")
        if i + 1 < len(parents) and parents[i + 1] == "rules":
            return "cursor"
    if ".github" in parents:
        i = len(parents) - 1 - parents[::-1].index(".github")
        rest = parents[i + 1 :]
        if name == "copilot-instructions.md" and not rest:
            return "copilot"
        if name.endswith(".instructions.md") and rest[:1] == ("instructions",):
            return "copilot"
    return None


def repo_root(path: Path) -> Path:
    """The git top-level above ``path`` (the directory holding .git), else ``path`` itself."""
    start = path.resolve()
    if start.is_file():
        start = start.parent
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def skip_dir(name: str) -> bool:
    """Directories the agents never load instructions from (build output, dependencies, caches,
    hidden folders other than the agents' own)."""
    return name in SKIP_DIRS or (name.startswith(".") and name not in HIDDEN_ALLOWED)


def may_be_instructions(name: str) -> bool:
    """A cheap test on the name alone: every instruction file is Markdown or ``.cursorrules``."""
    return name.endswith(INSTRUCTION_SUFFIXES) or name == ".cursorrules"
