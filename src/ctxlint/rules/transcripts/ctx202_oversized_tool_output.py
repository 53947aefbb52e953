"""oversized-tool-output: one tool result above the size budget."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.model import Fix, RawFinding, Severity, fix
from ctxlint.rules.registry import DOCUMENTED, RuleContext, detector
from ctxlint.rules.transcripts.outputs import describe, tokens_phrase, tool_items
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import ToolResult


@detector(scope="transcript")
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
            fix=_fix(item, ctx),
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            severity=Severity.ERROR if item.tokens > ctx["error-tokens"] else None,
            claims=(claim,),
            content_key=f"{item.line}",
        )


def _fix(item: Item, ctx: RuleContext) -> Fix:
    """The narrower way to ask for what this call asked for (the templates are the rule's YAML)."""
    call = item.call
    if call is not None and call.command:
        first_line = call.command.strip().splitlines()[0]
        for entry in ctx.data.get("commands", []):
            if re.search(entry["match"], call.command):
                return fix(str(entry["fix"]), command=first_line[:100])
        return fix("cap-output", command=first_line[:80])
    if call is not None and call.path and call.name in ("Read", "read_file"):
        total = item.event.total_lines if isinstance(item.event, ToolResult) else None
        return fix("read-range", "file-lines", "or-grep", path=call.path, total=total) if total else \
            fix("read-range", "or-grep", path=call.path)
    if call is not None and call.name.startswith("mcp__"):
        return fix("mcp")
    if call is not None and f"tool-{call.name}" in ctx.meta.fixes:
        return fix(f"tool-{call.name}")
    return fix(DOCUMENTED)
