"""Show the load graph: what each agent loads before the user types anything, with tokens."""

from __future__ import annotations

from typing import Any

from ctxlint._runtime.safeout import one_line
from ctxlint.instructions.project import InstructionProject


def render_load_graph(project: InstructionProject) -> str:
    """The load graph as text lines; paths and notes (which quote headings) one printable line each."""
    out = [f"load graph of {one_line(project.root)}:"]
    for agent, load in project.loads.items():
        user = project.user_loads.get(agent, [])
        if not load.entries and not user:
            continue
        out.append(f"  {agent}: {load.tokens:,} tokens before the first prompt")
        for u in user:
            out.append(f"    (yours, not the repository's) {one_line(u.path)} {u.tokens:,} tokens")
        for e in load.entries:
            indent = "    " + "  " * e.depth
            mark = "@" if e.depth else ""
            state = " [dropped]" if e.dropped else " [truncated]" if e.truncated else ""
            file = project.by_path(e.path)
            also = f" (also reached as {', '.join(file.source.aliases)})" if file and file.source.aliases else ""
            out.append(f"{indent}{mark}{one_line(e.path + also)} {e.tokens:,} tokens{state}")
            if e.note:
                out.append(f"{indent}  ↳ {one_line(e.note)}")
    if len(out) == 1:
        out.append("  no agent loads an instruction file at start")
    for f in project.unloaded:
        if not f.context_only:
            out.append(f"  not loaded by any agent: {one_line(f'{f.path} ({f.unloaded_reason})')}")
    return "\n".join(out)


def load_graph_json(project: InstructionProject) -> dict[str, Any]:
    """Per agent: the tokens of the repository's files it loads at start, the files in load order, and
    the user's own files (``user_files``, ~/.claude/CLAUDE.md: paid too, but not counted in ``tokens``)."""
    out: dict[str, Any] = {}
    for agent, load in project.loads.items():
        user = project.user_loads.get(agent, [])
        if not load.entries and not user:
            continue
        out[agent] = {
            "tokens": load.tokens,
            "files": [
                {"path": e.path, "tokens": e.tokens, "depth": e.depth, "via": e.via, "bytes": e.bytes,
                 "truncated": e.truncated, "dropped": e.dropped, "note": e.note}
                for e in load.entries
            ],
        }
        if user:
            out[agent]["user_files"] = [{"path": u.path, "tokens": u.tokens, "bytes": u.bytes} for u in user]
    return out
