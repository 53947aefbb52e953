"""Session facts of one transcript: what the JSON report's ``session`` object says.

Every agent uses the same keys with the same meaning: ``input_tokens`` is fresh (uncached) input,
``cache_read_input_tokens`` the cached part (Codex's ``cached_input_tokens``), and cost is the
API-equivalent price from the offline table, ``None`` when no request's model is priced.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ctxlint.parsing.transcripts.events import Compaction, SubagentMarker, ToolCall, Transcript, Usage
from ctxlint.pricing import PRICE_TABLE, context_window_for, price_usage


def session_facts(t: Transcript) -> dict[str, Any]:
    requests = [e for e in t.events if isinstance(e, Usage)]
    tools: Counter[str] = Counter(e.name for e in t.events if isinstance(e, ToolCall))
    cost = 0.0
    priced = 0
    unpriced = 0
    for u in requests:
        price = price_usage(
            u.model,
            input_tokens=u.input_tokens,
            cache_write_tokens=u.cache_creation_input_tokens,
            cache_write_1h_tokens=u.cache_creation_1h_tokens,
            cache_read_tokens=u.cache_read_input_tokens,
            output_tokens=u.output_tokens,
        )
        if price is None:
            if u.context_tokens or u.output_tokens:
                unpriced += 1
        else:
            cost += price
            priced += 1
    main = [u for u in requests if not u.sidechain]
    model = next((u.model for u in reversed(main) if u.model), None) or (t.models[-1] if t.models else None)
    window = t.context_window or context_window_for(model, t.agent)
    return {
        "agent": t.agent,
        "models": list(t.models),
        "started_at": t.started_at,
        "ended_at": t.ended_at,
        "requests": len(requests),
        "input_tokens": sum(u.input_tokens for u in requests),
        "cache_creation_input_tokens": sum(u.cache_creation_input_tokens for u in requests),
        "cache_read_input_tokens": sum(u.cache_read_input_tokens for u in requests),
        "output_tokens": sum(u.output_tokens for u in requests),
        "peak_context_tokens": max((u.context_tokens for u in main or requests), default=0),
        "context_window": window,
        "compactions": sum(1 for e in t.events if isinstance(e, Compaction) and not e.sidechain),
        "subagents": sum(1 for e in t.events if isinstance(e, SubagentMarker)),
        "tool_calls": dict(sorted(tools.items())),
        "cost_usd": round(cost, 6) if priced else None,
        "unpriced_requests": unpriced,
        "price_table": PRICE_TABLE,
        "sidechain_requests": len(requests) - len(main),
        "malformed_records": t.malformed,
    }
