"""CTX103 agent-limit-exceeded: content an agent silently drops."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.instructions.project import InstructionProject
from ctxlint.model import RawFinding
from ctxlint.registry import RuleContext, detector


@detector("CTX103", scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    for agent, load in project.loads.items():
        for e in load.entries:
            if not (e.truncated or e.dropped):
                continue
            line = 1
            if e.note and "(line " in e.note:
                try:
                    line = int(e.note.split("(line ", 1)[1].split()[0].rstrip(");"))
                except ValueError:
                    line = 1
            fix = ("move sections into nested AGENTS.md files next to the code they describe, or raise "
                   "`project_doc_max_bytes` in ~/.codex/config.toml" if agent == "codex" else
                   "flatten the import chain or inline the few lines that matter" if e.depth else
                   "split the file; Claude Code skips files over 4 MiB entirely")
            yield RawFinding(
                line=line,
                path=e.path,
                message=f"{agent} silently drops content: {e.note}",
                fix=fix,
                content_key=f"{agent}:{e.note}",
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
                fix="keep MEMORY.md a short index and move details into topic files it links to",
                content_key="memory",
            )
