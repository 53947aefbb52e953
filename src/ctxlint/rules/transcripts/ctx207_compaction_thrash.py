"""compaction-thrash: automatic compactions in quick succession, or the context refilling right after one.

A manual /compact between tasks is the habit the other rules recommend, never thrash: only
automatic compactions count (the agent hit its limit). The saving is modelled as context-near-limit's:
the
fill above the target share of the usable window on the requests of the thrash, which splitting the
task (notes, /clear, a fresh session) would have kept down.
"""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis, Segment
from ctxlint.transcripts.events import Compaction, parse_timestamp


def _minutes(a: Compaction, b: Compaction) -> float | None:
    t0, t1 = parse_timestamp(a.timestamp), parse_timestamp(b.timestamp)
    return (t1 - t0).total_seconds() / 60 if t0 and t1 else None


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    usable = a.usable_window()
    if not usable:
        return
    target = int(usable * ctx["target-ratio"])
    events = {e.line: e for e in a.thread if type(e) is Compaction}
    auto = [(s, events[s.start_line]) for s in a.segments
            if s.boundary == "compaction" and s.start_line in events and events[s.start_line].trigger != "manual"]
    refill_n = ctx["refill-requests"]

    def window(seg: Segment) -> range:
        return range(seg.first_request, min(seg.end_request, seg.first_request + refill_n))

    def refilled(seg: Segment) -> int | None:
        return next((r for r in window(seg) if a.requests[r].context_tokens > usable * ctx["refill-ratio"]), None)

    # Runs of automatic compactions: each within max-minutes-between of the one before, or right after
    # a compaction whose context refilled at once (the window never had room).
    runs: list[list[tuple[Segment, Compaction]]] = []
    for seg, event in auto:
        prev = runs[-1][-1] if runs else None
        gap = _minutes(prev[1], event) if prev else None
        if prev and ((gap is not None and gap <= ctx["max-minutes-between"]) or refilled(prev[0]) is not None):
            runs[-1].append((seg, event))
        else:
            runs.append([(seg, event)])
    for run in runs:
        segs = [seg for seg, _ in run]
        if len(run) >= ctx["max-compactions"]:
            first, last = run[0][1], run[-1][1]
            minutes = _minutes(first, last)
            span = f" in {minutes:.0f} minutes" if minutes is not None else ""
            # The thrash: the requests right after each compaction, while the context refilled.
            requests = [r for seg in segs for r in window(seg)]
            yield _finding(a, requests, target, line=first.line, end_line=last.line,
                           what=(f"{len(run)} automatic compactions{span} (lines "
                                 f"{', '.join(str(s.start_line) for s in segs)}): the task does not fit the window"),
                           key=f"auto:{first.line}")
            continue
        for seg, event in run:
            refill = refilled(seg)
            if refill is None:
                continue
            u = a.requests[refill]
            yield _finding(a, list(range(seg.first_request, refill + 1)), target, line=u.line, end_line=u.line,
                           what=(f"the context refilled to {u.context_tokens:,} tokens "
                                 f"({u.context_tokens / usable:.0%} of the usable window) within "
                                 f"{refill - seg.first_request + 1} request(s) of the automatic compaction at line "
                                 f"{event.line}"),
                           key=f"refill:{event.line}")


def _finding(a: Analysis, requests: list[int], target: int, *, line: int, end_line: int, what: str,
             key: str) -> RawFinding:
    claims = tuple(a.claim(f"fill:{r}", a.requests[r].context_tokens - target, r, r + 1, floor=target)
                   for r in requests if a.requests[r].context_tokens > target)
    costs = [c.cost_usd for c in claims]
    return RawFinding(
        line=line,
        end_line=end_line,
        message=(f"{what}; modelled saving: the fill above {target:,} tokens on {len(requests)} request(s), "
                 "which splitting the task would have kept down"),
        fix=fix("notes-and-clear"),
        tokens_wasted=sum(c.tokens for c in claims),
        cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
        claims=claims,
        severity=None if claims else Severity.INFO,  # nothing above the target: worth knowing, not waste
        content_key=key,
    )
