"""Which files may be transcripts, from their names and each agent's layout, and where the agents keep
their histories (the walk that finds them is ``ctxlint.core.inputs``; the format is detected from
content by ``reading``)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "tool-results", "file-history", "todos",
             "shell-snapshots", "statsig", "ide", "plugins", ".tox", "site-packages", "dist", "build"}
CODEX_ROLLOUT = re.compile(r"rollout-.*\.jsonl$")
AIDER_NAME = ".aider.chat.history.md"


def may_be_transcript(name: str) -> bool:
    """Whether a file of this name may hold sessions (its content decides): JSONL/JSON transcripts,
    Aider's history, and ``.db`` files (OpenCode, Kilo, Crush and Goose keep theirs in SQLite)."""
    if name.endswith(".meta.json"):
        return False
    return name.endswith((".jsonl", ".json", ".traj", ".db")) or name == AIDER_NAME


def read_with_another(path: str) -> bool:
    """Whether ``path`` is read as part of another session file, never alone: the conversation history
    beside a Cline/Roo/Kilo task's ``ui_messages.json`` (the task is addressed by the latter), or a
    Roo/Kilo subtask whose parent task sits beside it (read as the parent's sidechain)."""
    folder, name = os.path.split(path)
    if name == "api_conversation_history.json":
        return os.path.isfile(os.path.join(folder, "ui_messages.json"))
    if name == "ui_messages.json":
        try:
            with open(os.path.join(folder, "history_item.json"), "rb") as fh:
                item = json.loads(fh.read(1024 * 1024))
        except (OSError, ValueError):
            return False
        parent = item.get("parentTaskId") if isinstance(item, dict) else None
        return isinstance(parent, str) and "/" not in parent and os.path.isfile(
            os.path.join(os.path.dirname(folder), parent, "ui_messages.json"))
    return False


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
