"""agent-limit-exceeded: content an agent silently drops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ctxlint.instructions.build import codex_cut
from ctxlint.instructions.project import InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    for agent, load in project.loads.items():
        for e in load.entries:
            if agent == "codex" and e.depth == 0:
                # Recomputed with this rule's cap, so `codex-max-bytes` matches the user's config.toml.
                file = project.by_path(e.path)
                cut = codex_cut(file.doc, ctx["codex-max-bytes"]) if file is not None else None
                if cut is not None:
                    yield RawFinding(
                        line=cut.line,
                        path=e.path,
                        message=f"codex silently drops content: {cut.note}",
                        fix=fix("codex-nested", line=cut.line),
                        content_key=f"codex-cap:{cut.heading}",
                        data={"byte": cut.byte, "total_bytes": cut.total_bytes, "heading": cut.heading},
                    )
                continue
            if not (e.truncated or e.dropped):
                continue
            yield RawFinding(
                line=_import_line(project, e.via, e.path) if e.via else 1,
                path=e.via or e.path,
                message=f"{agent} silently drops {e.path}: {e.note}",
                fix=fix("flatten-imports" if e.depth else "split-huge", path=e.path),
                content_key=f"{agent}:{e.path}:{e.note}",
            )
    for f in project.files:
        if f.role != "memory":
            continue
        data = f.doc.text.encode("utf-8")
        if len(f.doc.lines) > ctx["memory-max-lines"] or len(data) > ctx["memory-max-bytes"]:
            yield RawFinding(
                line=min(len(f.doc.lines), ctx["memory-max-lines"] + 1),
                message=(f"MEMORY.md has {len(f.doc.lines):,} lines / {len(data):,} bytes; Claude Code loads only "
                         f"the first {ctx['memory-max-lines']} lines or {ctx['memory-max-bytes']:,} bytes"),
                fix=fix("memory-index"),
                content_key="memory",
            )


def _import_line(project: InstructionProject, via: str, target: str) -> int:
    """The line of ``via`` that imports ``target`` (1 when it cannot be found)."""
    importer = project.by_path(via)
    if importer is None:
        return 1
    name = Path(target).name
    return next((i.line for i in importer.doc.imports if Path(i.target).name == name), 1)
