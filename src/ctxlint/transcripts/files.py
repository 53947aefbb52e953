"""Which files may be transcripts, from their names and each agent's layout, and where the agents keep
their histories (the walk that finds them is ``ctxlint.core.inputs``; the format is detected from
content by ``reading``)."""

from __future__ import annotations

import json
import os
import platform
import re
from collections.abc import Iterator, Mapping
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


# Where the agents keep sessions, as folders a path passes through. Inside a repository only these count
# (and Aider's history file, which Aider writes into the repository itself): a `.jsonl` test fixture of
# the repository's own code is not one of its user's sessions.
STORE_MARKERS = (".claude/projects/", ".codex/sessions/", ".codex/archived_sessions/", ".gemini/tmp/",
                 ".qwen/projects/", ".copilot/session-state/", ".cursor/projects/", "amp/threads/", "/opencode/",
                 "/kilo/", "/goose/", ".crush/", "/globalStorage/", ".cline/data/")


def in_session_store(path: str) -> bool:
    """Whether ``path`` (posix) lies in an agent's session store, or is Aider's history file."""
    probe = "/" + path.lstrip("/")
    return any(marker in probe if marker.startswith("/") else "/" + marker in probe or probe.startswith(marker)
               for marker in STORE_MARKERS) or probe.endswith("/" + AIDER_NAME)


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


# VS Code and its forks, whose extension storage holds Cline's, Roo Code's and Kilo Code's task folders.
EDITORS = ("Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf")
REMOTE_SERVERS = (".vscode-server", ".vscode-server-insiders", ".cursor-server", ".windsurf-server")  # SSH, WSL
TASK_EXTENSIONS = ("saoudrizwan.claude-dev", "rooveterinaryinc.roo-cline", "kilocode.kilo-code")
WINDOWS_ACCOUNTS_SKIPPED = {"Public", "Default", "Default User", "All Users"}


def default_stores(environ: Mapping[str, str] | None = None, home: Path | None = None, system: str | None = None,
                   windows_users: Path = Path("/mnt/c/Users")) -> list[str]:
    """The local session stores that exist, for every agent ctxlint reads: folders to search, or a
    database file (OpenCode, Kilo CLI, Crush, Goose). Paths follow each agent's own rules on Linux,
    macOS and Windows (docs/agents/), with the overrides the agents honour (CLAUDE_CONFIG_DIR,
    CODEX_HOME, COPILOT_HOME, AMP_DATA_DIR, QWEN_DATA_DIR, KILO_DATA_DIR, CLINE_DATA_DIR/CLINE_DIR,
    CRUSH_GLOBAL_DATA, GOOSE_PATH_ROOT, XDG_DATA_HOME/XDG_CONFIG_HOME, APPDATA/LOCALAPPDATA). Under WSL
    the Windows side's accounts are searched too (``/mnt/c/Users/<name>``), for agents installed there."""
    env = os.environ if environ is None else environ
    system = system or platform.system()
    found = list(_stores_of(env, home or Path.home(), system))
    if system == "Linux" and _in_wsl(env) and windows_users.is_dir():
        for account in sorted(windows_users.iterdir()):
            if account.name not in WINDOWS_ACCOUNTS_SKIPPED and account.is_dir() and not account.is_symlink():
                found.extend(_stores_of({}, account, "Windows"))  # Windows' environment is not visible here
    out: list[str] = []
    for path in found:
        if path.exists() and str(path.resolve()) not in out:
            out.append(str(path.resolve()))
    return out


def _in_wsl(env: Mapping[str, str]) -> bool:
    return bool(env.get("WSL_DISTRO_NAME")) or "microsoft" in platform.release().lower()


def _stores_of(env: Mapping[str, str], home: Path, system: str) -> Iterator[Path]:
    """Where each agent keeps its sessions for one account (existing or not)."""
    xdg_data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    roaming = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
    local = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
    editors = {"Windows": roaming, "Darwin": home / "Library" / "Application Support"}.get(
        system, Path(env.get("XDG_CONFIG_HOME") or home / ".config"))
    # Claude Code, Codex CLI, Gemini CLI
    config_dirs = [p for p in env.get("CLAUDE_CONFIG_DIR", "").split(",") if p.strip()]
    for base in [*(Path(p.strip()) for p in config_dirs), home / ".claude", home / ".config" / "claude"]:
        yield base / "projects"
    codex = Path(env.get("CODEX_HOME") or home / ".codex")
    yield from (codex / "sessions", codex / "archived_sessions")
    yield home / ".gemini" / "tmp"
    # Qwen Code, GitHub Copilot CLI, Cursor, Amp
    yield Path(env.get("QWEN_DATA_DIR") or home / ".qwen") / "projects"
    yield Path(env.get("COPILOT_HOME") or home / ".copilot") / "session-state"
    yield home / ".cursor" / "projects"
    yield Path(env.get("AMP_DATA_DIR") or xdg_data / "amp") / "threads"
    # OpenCode (release channels other than latest/beta write opencode-<channel>.db) and Kilo CLI
    opencode = xdg_data / "opencode"
    yield from sorted(opencode.glob("opencode*.db")) if opencode.is_dir() else ()
    yield Path(env.get("KILO_DATA_DIR") or xdg_data / "kilo") / "kilo.db"
    # Goose
    goose_root = env.get("GOOSE_PATH_ROOT")
    yield (Path(goose_root) / "data" if goose_root else roaming / "Block" / "goose" / "data" if system == "Windows"
           else xdg_data / "goose") / "sessions" / "sessions.db"
    # Crush: one store per project, listed in its global registry
    yield from _crush_stores(Path(env.get("CRUSH_GLOBAL_DATA") or (local if system == "Windows" else xdg_data)
                                  / "crush") / "projects.json")
    # Cline, Roo Code, Kilo Code in VS Code and its forks (and their remote servers), the Cline CLI
    for extension in TASK_EXTENSIONS:
        for editor in EDITORS:
            yield editors / editor / "User" / "globalStorage" / extension / "tasks"
        for server in REMOTE_SERVERS:
            yield home / server / "data" / "User" / "globalStorage" / extension / "tasks"
    cline = Path(env.get("CLINE_DATA_DIR") or Path(env.get("CLINE_DIR") or home / ".cline") / "data")
    yield from (cline / "tasks", cline / "sessions")


def _crush_stores(registry: Path) -> Iterator[Path]:
    """``<data_dir>/crush.db`` of every project in Crush's registry (projects.json)."""
    try:
        data = json.loads(registry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    projects = data.get("projects") if isinstance(data, dict) else None
    for project in projects if isinstance(projects, list) else []:
        folder = project.get("data_dir") if isinstance(project, dict) else None
        if isinstance(folder, str) and folder:
            yield Path(folder) / "crush.db"
