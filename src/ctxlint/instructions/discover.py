"""Find exactly the instruction files each agent reads — and nothing else.

Names are matched exactly (case-sensitive), by location: `CLAUDE.md` anywhere, `AGENTS.md` anywhere,
`.cursor/rules/**/*.mdc`, and so on. README.md, SECURITY.md, docs/ja/agents.md and website pages are
never instruction files. Symlinks are resolved: a file reached twice (CLAUDE.md -> AGENTS.md) is one
Source, parsed, counted and reported once, under the path of the real file when it is in the tree.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import replace
from pathlib import Path

from ctxlint.model import Source, SourceKind

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


def _inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel.split("/")[-1], p) for p in patterns)


def discover_instructions(root: Path, exclude: tuple[str, ...] = ()) -> list[Source]:
    """Every instruction file under ``root``, one Source per real file, display paths relative to root."""
    root = Path(root)
    found: dict[str, Source] = {}
    aliases: dict[str, list[str]] = {}
    visited_dirs: set[tuple[int, int]] = set()
    root_real = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        if dirpath != str(root) and os.path.islink(dirpath) and not _inside(os.path.realpath(dirpath), root_real):
            dirnames[:] = []  # a directory symlink out of the tree (to $HOME, to /): never walked
            continue
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited_dirs:  # a symlink loop, or a directory reached twice
            dirnames[:] = []
            continue
        visited_dirs.add(key)
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_DIRS and (not d.startswith(".") or d in HIDDEN_ALLOWED)
        )
        for filename in sorted(filenames):
            if not filename.endswith(INSTRUCTION_SUFFIXES) and filename != ".cursorrules":
                continue  # every instruction file is Markdown or .cursorrules (see instruction_agent)
            full = Path(dirpath) / filename
            rel = full.relative_to(root).as_posix()
            agent = instruction_agent(Path(rel), root)
            if agent is None or _excluded(rel, exclude):
                continue
            try:
                st_file = os.stat(full)
            except OSError:
                # A dangling symlink or an unreadable entry: keep it so the engine reports CTX001.
                found.setdefault(str(full), Source(rel, str(full), SourceKind.INSTRUCTIONS, agent, 0))
                continue
            if not stat.S_ISREG(st_file.st_mode):
                continue  # FIFOs, devices, sockets are never read
            real = os.path.realpath(full)
            is_link = os.path.islink(full)
            previous = found.get(real)
            if previous is None:
                found[real] = Source(rel, real, SourceKind.INSTRUCTIONS, agent, st_file.st_size)
            elif not is_link and os.path.islink(root / previous.path):
                # Prefer the real file's own path over the link's.
                aliases.setdefault(real, []).append(previous.path)
                found[real] = Source(rel, real, SourceKind.INSTRUCTIONS, agent, st_file.st_size)
                continue
            if previous is not None or is_link:
                aliases.setdefault(real, []).append(rel)
    return sorted(
        (replace(s, aliases=tuple(sorted(set(aliases.get(real, ())) - {s.path}))) for real, s in found.items()),
        key=lambda s: s.path,
    )
