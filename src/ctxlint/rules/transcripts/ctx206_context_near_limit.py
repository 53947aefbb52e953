"""context-near-limit: a long run of requests above 80% of the usable window."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    usable = a.usable_window()
    if not usable:
        return
    limit = usable * ctx["fill-ratio"]
    target = int(usable * ctx["target-ratio"])
    for seg in a.segments:
        run: list[int] = []
        for r in range(seg.first_request, seg.end_request + 1):
            near = r < seg.end_request and a.requests[r].context_tokens > limit
            if near:
                run.append(r)
                continue
            if len(run) >= ctx["min-requests"]:
                yield _finding(a, run, usable, target, ctx["fill-ratio"])
            run = []


def _finding(a: Analysis, run: list[int], usable: int, target: int, ratio: float) -> RawFinding:
    first, last = a.requests[run[0]], a.requests[run[-1]]
    peak = max(a.requests[r].context_tokens for r in run)
    claims = tuple(
        a.claim(f"fill:{r}", a.requests[r].context_tokens - target, r, r + 1, floor=target) for r in run
    )
    costs = [c.cost_usd for c in claims]
    return RawFinding(
        line=first.line,
        message=(f"{len(run)} consecutive requests above {ratio:.0%} of the usable {usable:,}-token window "
                 f"(lines {first.line}-{last.line}, peak {peak:,}) with no compaction; modelled saving: the fill "
                 f"above {target:,} tokens that a compaction before the run would have removed"),
        fix=fix("compact-earlier", line=first.line),
        tokens_wasted=sum(c.tokens for c in claims),
        cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
        claims=claims,
        content_key=f"run:{first.line}",
    )
