"""always-loaded-too-large: an agent's whole start-up payload."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.instructions.project import InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    for agent, load in project.loads.items():
        total = load.tokens
        if total <= ctx["max-tokens"] or not load.entries:
            continue
        root = load.entries[0]
        heaviest = sorted((e for e in load.entries if not e.dropped), key=lambda e: e.tokens, reverse=True)[:3]
        parts = ", ".join(f"{e.path} {e.tokens:,}" for e in heaviest)
        imports = [e for e in load.entries if e.depth > 0]
        templates = ["split"]
        args: dict[str, str] = {}
        top = project.by_path(heaviest[0].path) if heaviest else None
        if top is not None:
            big = sorted((s for s in top.doc.sections if 1 <= s.level <= 2), key=lambda s: s.end_line - s.start_line,
                         reverse=True)[:3]
            if big:
                templates.append("largest-sections")
                args["top"] = top.path
                args["sections"] = ", ".join(f"'{s.heading}' (lines {s.start_line}-{s.end_line})" for s in big)
        if imports:
            templates.append("import-pointer")
            args["imported"] = imports[0].path
        yield RawFinding(
            line=1,
            path=root.path,
            message=(f"{agent} loads {total:,} tokens of instructions before the first prompt "
                     f"(> {ctx['max-tokens']:,}): {parts}; ≈ {total * project.requests_per_session:,} tokens "
                     f"per {project.requests_per_session}-request session"
                     + (f"; {root.path}: {root.note}" if root.note else "")),
            fix=fix(*templates, **args),
            tokens_wasted=total - ctx["max-tokens"],
            content_key=f"{agent}",
        )
