"""startup-overhead: context already in use at the first request."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis
from ctxlint.transcripts.events import Prompt


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    if a.t.is_subagent_file:
        return
    for seg in a.segments:
        if seg.boundary == "compaction" or seg.first_request >= seg.end_request:
            continue
        first = a.requests[seg.first_request]
        first_items = [i for i in a.items if i.r0 == seg.first_request and i.segment == seg.index]
        # What the user typed is not overhead; injected rows (AGENTS.md blocks, environment context,
        # memory) are, and are named separately when the transcript records them.
        user = sum(i.tokens for i in first_items if not (isinstance(i.event, Prompt) and i.event.is_meta))
        injected = sum(i.tokens for i in first_items if isinstance(i.event, Prompt) and i.event.is_meta)
        overhead = first.context_tokens - user
        if overhead <= ctx["max-tokens"]:
            continue
        k = seg.end_request - seg.first_request
        excess = overhead - ctx["max-tokens"]
        claim = a.claim(f"startup:{seg.index}", excess, seg.first_request, seg.end_request)
        yield RawFinding(
            line=first.line,
            message=(f"{overhead:,} tokens were already in context at the first request (before "
                     f"{'the session' if seg.boundary == 'start' else 'the /clear'}'s first prompt of {user:,} tokens); "
                     f"{excess:,} above the {ctx['max-tokens']:,} budget, re-sent by {k} requests"
                     + (f"; {injected:,} of them are injected instruction/context rows (AGENTS.md, CLAUDE.md, "
                        f"environment), the rest system prompt, tools and MCP schemas" if injected else "")),
            fix=fix("trim-startup"),
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            claims=(claim,),
            content_key=f"start:{seg.index}",
        )
