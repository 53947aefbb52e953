"""CTX213 pasted-content: a user message with a very large paste."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.analysis import Analysis
from ctxlint.model import RawFinding
from ctxlint.parsing.transcripts.events import Prompt
from ctxlint.registry import RuleContext, detector


@detector("CTX213", scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    for item in a.items:
        p = item.event
        if not isinstance(p, Prompt) or p.is_meta or p.command or item.tokens <= ctx["max-tokens"]:
            continue
        claim = a.item_claim(item, item.tokens - ctx["keep-tokens"])
        head = " ".join(p.text[:60].split())
        yield RawFinding(
            line=p.line,
            message=(f"a user message of {item.tokens:,} tokens ({p.chars:,} characters, starting "
                     f"\"{head}…\") was carried by {a.carried(item.r0)} requests"),
            fix=("paste only the relevant excerpt (the failing lines, the last 50 lines of the log), or save it "
                 "to a file and ask the agent to grep it"),
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            claims=(claim,),
            content_key=f"{p.line}",
        )
