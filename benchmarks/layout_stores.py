"""Lay the shared corpus transcripts out as a `~/.claude/projects` tree and a Codex sessions tree.

    python benchmarks/layout_stores.py OUT   ->  OUT/claude/projects/..., OUT/codex/sessions/YYYY/MM/DD/...
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

# The shared corpus: beside the project, or where CTXLINT_CORPUS says (a worktree).
CORPUS = Path(os.environ.get("CTXLINT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus") / "transcripts"


def layout(out: Path) -> Path:
    for src in sorted((CORPUS / "claude-code").glob("*.jsonl")):
        name = src.name
        if "__subagents__" in name:
            parent, agent = name.split("__subagents__", 1)
            session = parent.rsplit("__", 1)[-1]
            project = parent.split("__", 2)[1]
            dest = out / "claude" / "projects" / f"-{project}" / session / "subagents" / agent
        else:
            session = name.rsplit("__", 1)[-1]
            project = name.split("__", 2)[1]
            dest = out / "claude" / "projects" / f"-{project}" / session
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    for src in sorted((CORPUS / "codex").glob("*.jsonl")):
        m = re.search(r"rollout-(\d{4})-(\d\d)-(\d\d)T.*\.jsonl$", src.name)
        name = m.group(0) if m else src.name
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m else ("2026", "01", "01")
        dest = out / "codex" / "sessions" / y / mo / d / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    return out


if __name__ == "__main__":
    print(layout(Path(sys.argv[1])))
