"""Which files are the instruction files each agent reads — and nothing else (the walk that finds
them is ``ctxlint.core.inputs``).

Names and locations come from ``agents.yaml`` (``agents.place``): `CLAUDE.md` anywhere, `AGENTS.md`
anywhere, `.cursor/rules/**/*.mdc`, skills, and so on, matched case-sensitively; only at the top of the
working directory is a name in another case (`Claude.md`) taken, since agents on macOS read it there.
README.md, SECURITY.md, docs/ja/agents.md and website pages are never instruction files.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ctxlint.instructions.agents import hidden_folders, ignored_rule_file, place, plain_names

SKIP_DIRS = {
    ".git", "node_modules", ".venv", "venv", "vendor", "dist", "build", "target", "__pycache__",
    ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".next", ".nuxt", "coverage", "site-packages",
}
INSTRUCTION_SUFFIXES = (".md", ".mdc")
HIDDEN_ALWAYS = frozenset({".github", ".gemini", ".codex", ".agents"})


@lru_cache(maxsize=1)
def hidden_allowed() -> frozenset[str]:
    """The hidden folders the walk enters: the agents' own (`.claude`, `.cursor`, `.roo`, `.clinerules`…,
    from agents.yaml) and those holding their settings."""
    return HIDDEN_ALWAYS | hidden_folders()


def instruction_agent(path: Path, root: Path) -> str | None:
    """Which agent's instruction file ``path`` is, from its name and location (``agents.yaml``); None if
    it is not one. A file in a rule folder that the agent skips (`.cursor/rules/x.md`) counts, so the
    report can say it is never read."""
    try:
        parts = path.resolve().relative_to(root.resolve()).parts if path.is_absolute() else path.parts
    except ValueError:
        parts = path.parts
    found = place(tuple(parts))
    if found is not None:
        return found.owner
    return ignored_rule_file(tuple(parts))


def repo_root(path: Path, *, lexical: bool = False) -> Path:
    """The git top-level above ``path`` (the directory holding .git), else ``path`` itself.

    ``lexical``: go up the path as written, links on the way not resolved: ``repo/.claude/x.md``
    belongs to ``repo`` even when ``repo/.claude`` links into another repository (whose files
    are then outside the one being checked)."""
    start = Path(os.path.abspath(path)) if lexical else path.resolve()
    if start.is_file():
        start = start.parent
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def skip_dir(name: str) -> bool:
    """Directories the agents never load instructions from (build output, dependencies, caches,
    hidden folders other than the agents' own)."""
    return name in SKIP_DIRS or (name.startswith(".") and name not in hidden_allowed())


def may_be_instructions(name: str) -> bool:
    """A cheap test on the name alone: every instruction file is Markdown or a plain-text rules file
    (``.cursorrules``)."""
    return name.endswith(INSTRUCTION_SUFFIXES) or name in plain_names()
