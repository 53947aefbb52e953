"""startup-overhead: context already in use at the first request.

The start-up context (system prompt, tool and MCP definitions, instruction and memory files) is sent
with every request of the session, after a compaction or a /clear too: the saving of trimming it to
the budget is modelled over all of them. Its severity follows its size: above `max-tokens` it is
worth knowing, above `warn-tokens` it is a setup problem, and when it alone fills most of the usable
window every turn has to compact.
"""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis
from ctxlint.transcripts.events import Prompt


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    if a.t.is_subagent_file:
        return
    seg = next((s for s in a.segments if s.boundary != "compaction" and s.first_request < s.end_request), None)
    if seg is None:
        return
    first = a.requests[seg.first_request]
    if any(e.replayed for e in a.t.events[:64] if e.line < first.line):
        return  # a resumed session: its first request carries the copied history, not a start-up
    first_items = [i for i in a.items if i.r0 == seg.first_request and i.segment == seg.index]
    # What the user typed is not overhead; injected rows (AGENTS.md blocks, environment context,
    # memory) are, and are named separately when the transcript records them.
    user = sum(i.tokens for i in first_items if not (isinstance(i.event, Prompt) and i.event.is_meta))
    injected = sum(i.tokens for i in first_items if isinstance(i.event, Prompt) and i.event.is_meta)
    overhead = first.context_tokens - user
    budget = ctx["max-tokens"]
    if overhead <= budget:
        return
    excess = overhead - budget
    k = len(a.requests) - seg.first_request
    claim = a.claim("startup", excess, seg.first_request, len(a.requests))
    usable = a.usable_window()
    if usable and overhead >= usable * ctx["error-ratio"]:
        severity, why = Severity.ERROR, f"; it alone fills {overhead / usable:.0%} of the usable window, so every turn compacts"
    elif overhead > ctx["warn-tokens"]:
        severity, why = Severity.WARNING, ""
    else:
        severity, why = Severity.INFO, ""
    made_of = (f"{injected:,} of them injected instruction/context rows (AGENTS.md, environment), the rest "
               if injected else "")
    yield RawFinding(
        line=first.line,
        message=(f"{overhead:,} tokens were already in context at the first request (before "
                 f"{'the session' if seg.boundary == 'start' else 'the /clear'}'s first prompt of {user:,} tokens): "
                 f"{made_of}system prompt, tool and MCP definitions, instruction and memory files{why}; "
                 f"modelled saving: {excess:,} above the {budget:,}-token budget on each of {k} request(s)"),
        fix=fix("trim-startup"),
        tokens_wasted=claim.tokens,
        cost_wasted_usd=claim.cost_usd,
        claims=(claim,),
        severity=severity,
        content_key=f"start:{seg.index}",
    )
