"""instruction-file-too-long: lines, tokens and characters of one file."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject, describe_loading
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.registry import RuleContext, detector


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    doc = file.doc
    lines, chars, tokens = len(doc.lines), len(doc.text), file.tokens
    over: list[str] = []
    if lines > ctx["max-lines"]:
        over.append(f"{lines:,} lines > {ctx['max-lines']:,}")
    if tokens > ctx["max-tokens"]:
        over.append(f"{tokens:,} tokens > {ctx['max-tokens']:,}")
    # Lines alone are the docs' adherence target, not a cost: a file over it but under the token budget is
    # worth a note, and a warning only when it is far over (`warn-lines`).
    severity: Severity | None = None if tokens > ctx["max-tokens"] or lines > ctx["warn-lines"] else Severity.INFO
    if chars > ctx["error-chars"]:
        over.append(f"{chars:,} chars > {ctx['error-chars']:,} (Claude Code's long-standing warning; versions "
                    "since 2.1.259 warn above 150,000)")
        severity = Severity.ERROR
    if not over:
        return
    # What can go: everything above the token budget, paid on every request that loads the file (at
    # start: every request of the agents that load it; a nested or scoped file: while it is loaded).
    excess = max(0, tokens - ctx["max-tokens"])
    # A section that holds others (the file's own title, spanning the whole file) is no place to cut:
    # the sections inside it are.
    # the sections nest and are in line order: one holds others exactly when the next one starts inside it
    spans = [(s.heading or "(preamble)", s.start_line, s.end_line) for s in doc.sections if s.level <= 2]
    leaves = [s for s, after in zip(spans, [*spans[1:], None], strict=True) if after is None or after[1] > s[2]]
    heaviest = sorted(leaves, key=lambda s: s[2] - s[1], reverse=True)[:3]
    sections = ", ".join(f"'{h}' (lines {a}-{b})" for h, a, b in heaviest)
    yield RawFinding(
        line=1,
        end_line=len(doc.lines) or 1,
        message=f"{', '.join(over)}; {describe_loading(file)}",
        fix=fix("cut", "largest-sections", sections=sections) if sections else fix("cut"),
        tokens_wasted=excess,
        severity=severity,
        content_key=f"too-long:{','.join(sorted(o.split()[1] for o in over))}",
        data={"budget": ctx["max-tokens"]},
    )
