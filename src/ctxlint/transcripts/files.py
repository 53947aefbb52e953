"""Which files may be transcripts, from their names and each agent's layout, and where the agents keep
their histories (the walk that finds them is ``ctxlint.core.inputs``; the format is detected from
content by ``reading``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "tool-results", "file-history", "todos",
             "shell-snapshots", "statsig", "ide", "plugins", ".tox", "site-packages", "dist", "build"}
CODEX_ROLLOUT = re.compile(r"rollout-.*\.jsonl$")
AIDER_NAME = ".aider.chat.history.md"


def may_be_transcript(name: str) -> bool:
    if name.endswith(".meta.json"):
        return False
    return name.endswith((".jsonl", ".json", ".traj")) or name == AIDER_NAME


def skip_dir(name: str) -> bool:
    """Folders of an agent's store that hold no transcripts (tool outputs, file history, plugins) and
    dependency or build folders."""
    return name in SKIP_DIRS


def default_stores() -> list[str]:
    """The local history folders that exist: Claude Code, Codex and Gemini CLI."""
    home = Path.home()
    stores: list[Path] = []
    config_dirs = [p for p in os.environ.get("CLAUDE_CONFIG_DIR", "").split(",") if p.strip()]
    for base in [*(Path(p.strip()) for p in config_dirs), home / ".claude", home / ".config" / "claude"]:
        stores.append(base / "projects")
    codex_home = Path(os.environ.get("CODEX_HOME") or home / ".codex")
    stores += [codex_home / "sessions", codex_home / "archived_sessions"]
    stores.append(home / ".gemini" / "tmp")
    out: list[str] = []
    for s in stores:
        if s.is_dir() and str(s.resolve()) not in out:
            out.append(str(s.resolve()))
    return out
