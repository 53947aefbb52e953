"""failing-tool-loop: the same failing call, again and again."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import ToolCall, ToolResult


def _signature(item: Item) -> str | None:
    call = item.call
    if call is None:
        return None
    what = " ".join((call.command or call.path or call.pattern or "").split())
    return f"{call.name}:{what}" if what else None


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    groups: dict[tuple[int, str], list[Item]] = {}
    edits = sorted(e.line for e in a.thread if isinstance(e, ToolCall) and e.is_edit)
    for item in a.items:
        if isinstance(item.event, ToolResult) and item.event.is_error:
            sig = _signature(item)
            if not sig:
                continue
            run = groups.setdefault((item.segment, sig), [])
            if run and any(run[-1].line < line < item.line for line in edits):
                # Something was changed between the two failures: a fix-and-retry loop, not a blind retry.
                run.clear()
            run.append(item)
    for (_, sig), items in groups.items():
        if len(items) < ctx["min-failures"]:
            continue
        claims = tuple(a.item_claim(i) for i in items[1:])
        costs = [c.cost_usd for c in claims]
        head = " ".join(items[0].event.head[:100].split()) if isinstance(items[0].event, ToolResult) else ""
        name, _, what = sig.partition(":")
        errors = " ".join(i.event.head for i in items if isinstance(i.event, ToolResult))
        specific = next((str(e["fix"]) for e in ctx.data.get("errors", []) if re.search(e["match"], errors)), None)
        yield RawFinding(
            line=items[0].line,
            message=(f"{name} `{what[:80]}` failed {len(items)}× (lines {', '.join(str(i.line) for i in items[:8])})"
                     + (f": \"{head}\"" if head else "")),
            fix=fix(specific, "stop") if specific else fix("stop"),
            tokens_wasted=sum(c.tokens for c in claims),
            cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
            claims=claims,
            content_key=sig,
        )
