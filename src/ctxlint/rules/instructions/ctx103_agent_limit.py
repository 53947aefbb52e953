"""agent-limit-exceeded: content an agent silently drops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ctxlint.instructions.agents import lenient_front_matter, specs
from ctxlint.instructions.build import ChainCut, chain_cuts
from ctxlint.instructions.project import InstructionProject
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.registry import RuleContext, detector


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    yield from _budget_cuts(project, ctx)
    for agent, load in project.loads.items():
        if agent in project.chains:
            continue  # a budget-sharing agent's cuts are reported per chain above
        spec = specs().get(agent)
        # Windsurf's character limits differ between its products and versions (docs/agents/instruction-files.md):
        # a cut by them is a warning.
        by_chars = spec is not None and bool(spec.file_chars or spec.total_chars)
        for e in load.entries:
            if not (e.truncated or e.dropped):
                continue
            yield RawFinding(
                line=_import_line(project, e.via, e.path) if e.via else 1,
                path=e.via or e.path,
                severity=Severity.WARNING if by_chars else None,
                message=f"{agent} silently drops {'part of ' if e.truncated else ''}{e.path}: {e.note}",
                fix=fix("char-limit", path=e.path) if by_chars else fix("flatten-imports" if e.depth else "split-huge",
                                                                          path=e.path),
                content_key=f"{agent}:{e.path}:{e.note}",
            )
    yield from _memory(project, ctx)
    yield from _skill_listing(project, ctx)


def _budget_cuts(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    """Codex reads the AGENTS.md chain from the repository root down to where it is started, and all of
    it shares `project_doc_max_bytes`: report where the budget runs out, once per place it runs out (on
    the shortest chain), with the files that longer chains then never reach."""
    budget = ctx["codex-max-bytes"]
    for agent in project.chains:
        places: dict[tuple[str, int], list[ChainCut]] = {}
        for c in chain_cuts(project, agent, budget):
            places.setdefault((c.file.source.real, c.cut.byte if c.cut else 0), []).append(c)
        for same in places.values():
            first = same[0]
            starved = sorted({d.path for c in same for d in c.dropped})
            if first.repeated and not starved:
                continue  # the cut falls in a second copy of a file already read: nothing is lost
            yield _cut_finding(agent, first, starved, budget)


def _cut_finding(agent: str, c: ChainCut, starved: list[str], budget: int) -> RawFinding:
    where = f"when {agent} starts in {c.directory}/, " if c.directory else ""
    if c.repeated:
        where = f"when {agent} starts in {c.directory}/ or below, " if c.directory else ""
        message = (f"{where}{agent} reads {c.file.path} twice (once through a link higher up), and the two copies "
                   f"use up the {budget:,} bytes of project_doc_max_bytes")
        line, heading = 1, ""
    elif c.cut is None:
        message = (f"{where}{agent} never reads {c.file.path}: the files above it in the chain use up all "
                   f"{budget:,} bytes of project_doc_max_bytes")
        line, heading = 1, ""
    else:
        own = len(c.file.doc.text.encode("utf-8", "surrogatepass"))
        shared = "" if c.chain_bytes == own else (
            f" (the chain of AGENTS.md files from the root down is {c.chain_bytes:,} bytes)")
        message = f"{where}{agent} silently drops content{shared}: {c.cut.note}"
        line, heading = c.cut.line, c.cut.heading
    if starved:
        message += f"; never read: {', '.join(starved[:5])}" + (f" and {len(starved) - 5} more" if len(starved) > 5
                                                                 else "")
    how = fix("codex-unlink", path=c.file.path) if c.repeated else fix("codex-chain") if c.directory else fix(
        "codex-nested", line=line)
    return RawFinding(
        line=line,
        path=c.file.path,
        message=message,
        fix=how,
        content_key=f"codex-cap:{heading}" if not c.directory else f"codex-cap:{c.directory}:{heading}",
        data={"byte": c.cut.byte if c.cut else 0, "total_bytes": c.chain_bytes, "heading": heading},
    )


def _memory(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    for f in project.files:
        if f.role != "memory":
            continue
        data = f.doc.text.encode("utf-8")
        if len(f.doc.lines) > ctx["memory-max-lines"] or len(data) > ctx["memory-max-bytes"]:
            yield RawFinding(
                line=min(len(f.doc.lines), ctx["memory-max-lines"] + 1),
                path=f.path,
                message=(f"MEMORY.md has {len(f.doc.lines):,} lines / {len(data):,} bytes; Claude Code loads only "
                         f"the first {ctx['memory-max-lines']} lines or {ctx['memory-max-bytes']:,} bytes"),
                fix=fix("memory-index"),
                content_key="memory",
            )


def _skill_listing(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    """Claude Code lists every skill's `description` (with `when_to_use`) at start and cuts each at
    `skill-listing-chars`: what comes after never reaches the model, so it cannot route on it."""
    limit = ctx["skill-listing-chars"]
    for skill in project.skills:
        if not skill.path.startswith(".claude/") and "/.claude/" not in skill.path:
            continue
        fm = skill.doc.front_matter
        if fm is None and skill.doc.front_matter_error:
            fm = lenient_front_matter(skill.doc.front_matter_raw or "")  # Claude Code reads it leniently
        fm = fm or {}
        listed = " ".join(str(fm.get(k) or "").strip() for k in ("description", "when_to_use")).strip()
        if len(listed) <= limit:
            continue
        line = next((n for n, raw in enumerate(skill.doc.lines[: skill.doc.front_matter_end_line], 1)
                     if raw.lstrip().startswith("description:")), 1)
        yield RawFinding(
            line=line,
            path=skill.path,
            severity=Severity.WARNING,  # the routing text is cut, no instruction is lost
            message=(f"the skill's description (with when_to_use) is {len(listed):,} characters; Claude Code lists "
                     f"only the first {limit:,}, so the last {len(listed) - limit:,} never reach the model"),
            fix=fix("skill-listing", limit=f"{limit:,}"),
            content_key="skill-listing",
        )


def _import_line(project: InstructionProject, via: str, target: str) -> int:
    """The line of ``via`` that imports ``target`` (1 when it cannot be found)."""
    importer = project.by_path(via)
    if importer is None:
        return 1
    name = Path(target).name
    return next((i.line for i in importer.doc.imports if Path(i.target).name == name), 1)
