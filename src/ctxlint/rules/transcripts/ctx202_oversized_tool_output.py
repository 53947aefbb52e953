"""CTX202 oversized-tool-output: one tool result above the size budget."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.model import RawFinding, Severity
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.outputs import command_fix, describe, tokens_phrase, tool_items
from ctxlint.transcripts.analysis import Analysis


@detector("CTX202", scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    for item in tool_items(a):
        if item.tokens <= ctx["warn-tokens"]:
            continue
        k = a.carried(item)
        avoidable = item.tokens - ctx["keep-tokens"]
        claim = a.item_claim(item, avoidable)
        how = "measured" if item.measured else "estimated"
        yield RawFinding(
            line=item.line,
            message=(f"{describe(item)} returned {item.tokens:,} tokens ({how}); "
                     f"{tokens_phrase(item.tokens, k)} until the next compaction or /clear"),
            fix=command_fix(item, ctx.data.get("fixes", [])) or " ".join(ctx.meta.fix.split()),
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            severity=Severity.ERROR if item.tokens > ctx["error-tokens"] else None,
            claims=(claim,),
            content_key=f"{item.line}",
        )
