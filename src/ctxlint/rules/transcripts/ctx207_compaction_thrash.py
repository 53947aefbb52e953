"""compaction-thrash: many compactions, or the context refilling right after one."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    compactions = [s for s in a.segments if s.boundary == "compaction"]
    if len(compactions) >= ctx["max-compactions"]:
        yield RawFinding(
            line=compactions[0].start_line,
            message=(f"{len(compactions)} compactions in one session (lines "
                     f"{', '.join(str(s.start_line) for s in compactions)})"),
            fix=fix("notes-and-clear"),
            content_key="count",
        )
        return
    usable = a.usable_window()
    if not usable:
        return
    for seg in compactions:
        window = a.requests[seg.first_request : min(seg.end_request, seg.first_request + ctx["refill-requests"])]
        refill = next((u for u in window if u.context_tokens > usable * ctx["refill-ratio"]), None)
        if refill is not None:
            yield RawFinding(
                line=refill.line,
                message=(f"the context refilled to {refill.context_tokens:,} tokens "
                         f"({refill.context_tokens / usable:.0%} of the usable window) within "
                         f"{ctx['refill-requests']} requests of the compaction at line {seg.start_line}"),
                fix=fix("notes-and-clear"),
                content_key=f"refill:{seg.start_line}",
            )
