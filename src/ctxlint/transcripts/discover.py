"""Find transcripts in a directory, following each agent's layout, and the default local stores."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "tool-results", "file-history", "todos",
             "shell-snapshots", "statsig", "ide", "plugins", ".tox", "site-packages", "dist", "build"}
CODEX_ROLLOUT = re.compile(r"rollout-.*\.jsonl$")
AIDER_NAME = ".aider.chat.history.md"


def _candidate(name: str) -> bool:
    if name.endswith(".meta.json"):
        return False
    return name.endswith((".jsonl", ".json", ".traj")) or name == AIDER_NAME


UNCHECKED = "?"  # the format of a .jsonl file not opened here (see find_transcripts)


def find_transcripts(root: str, check_jsonl: bool = True) -> list[str]:
    """Every transcript under ``root`` (content-checked), sorted; Codex ``sessions/`` wins over an
    ``archived_sessions/`` copy of the same rollout.

    With ``check_jsonl=False`` a ``.jsonl`` file is listed without being opened: for a caller that
    reads every file anyway and drops those that turn out not to be transcripts (the engine's workers
    detect each format as they read; opening every file twice cost a tenth of the start-up)."""
    found: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    codex_names: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if not _candidate(name):
                continue
            full = os.path.join(dirpath, name)
            try:
                fst = os.stat(full)
                if not stat.S_ISREG(fst.st_mode) or fst.st_size == 0 or (fst.st_dev, fst.st_ino) in seen_files:
                    continue  # not a file, empty, or a second link to a file already found
                seen_files.add((fst.st_dev, fst.st_ino))
                if not check_jsonl and name.endswith(".jsonl"):
                    fmt: str | None = UNCHECKED
                else:
                    # imported at the first candidate: a tree without one never loads the readers
                    from ctxlint.transcripts.reading import detect_format

                    fmt = detect_format(full)
            except OSError:
                continue
            if fmt is None:
                continue
            if fmt in ("codex", UNCHECKED) and CODEX_ROLLOUT.search(name):
                previous = codex_names.get(name)
                archived = "archived_sessions" in Path(full).parts
                if previous is not None:
                    if archived:
                        continue
                    found.remove(previous)
                codex_names[name] = full
            found.append(full)
    return sorted(found)


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
