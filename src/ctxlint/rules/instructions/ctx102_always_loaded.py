"""always-loaded-too-large: an agent's whole start-up payload."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.instructions.project import AgentLoad, InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    budget = ctx["max-tokens"]
    # Agents that load the very same files (Codex and Cursor both reading only AGENTS.md) share one finding.
    groups: dict[tuple[tuple[str, int, bool], ...], list[tuple[str, AgentLoad]]] = {}
    for agent, load in project.loads.items():
        if load.tokens > budget and load.entries:
            key = tuple((e.path, e.tokens, e.dropped) for e in load.entries)
            groups.setdefault(key, []).append((agent, load))
    for members in groups.values():
        agents = [agent for agent, _ in members]
        load = members[0][1]
        total = load.tokens
        shown = [e for e in load.entries if not _context(project, e.path)] or load.entries
        root = shown[0]
        heaviest = sorted((e for e in load.entries if not e.dropped), key=lambda e: e.tokens, reverse=True)[:3]
        parts = ", ".join(f"{e.path} {e.tokens:,}" for e in heaviest)
        imports = [e for e in load.entries if e.depth > 0]
        templates = ["split"]
        fields: dict[str, str] = {}
        top = project.by_path(heaviest[0].path) if heaviest else None
        if top is not None:
            big = sorted((s for s in top.doc.sections if 1 <= s.level <= 2), key=lambda s: s.end_line - s.start_line,
                         reverse=True)[:3]
            if big:
                templates.append("largest-sections")
                fields.update(top=top.path, sections=", ".join(
                    f"'{s.heading}' (lines {s.start_line}-{s.end_line})" for s in big))
        if imports:
            templates.append("import-pointer")
            fields["imported"] = imports[0].path
        excess = total - budget
        sessions = project.requests_per_session
        who = ", ".join(agents)
        yield RawFinding(
            line=1,
            path=root.path,
            message=(f"{who} load{'s' if len(agents) == 1 else ''} {total:,} tokens of instructions before the first "
                     f"prompt (> {budget:,}): {parts}; the {excess:,} tokens above the budget are ≈ "
                     f"{excess * sessions:,} tokens per {sessions}-request session"
                     + (f"; {root.path}: {root.note}" if root.note else "")),
            fix=fix(*templates, **fields),
            tokens_wasted=excess,
            content_key=who,
            data={"agents": agents, "budget": budget},
        )


def _context(project: InstructionProject, path: str) -> bool:
    file = project.by_path(path)
    return file is not None and file.context_only
