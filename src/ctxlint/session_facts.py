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
    # SWE-agent's info.model_stats is one aggregate over the run: its tokens count, but it is neither
    # one request nor one context.
    aggregates = [u for u in requests if u.request_key == "model_stats"]
    single = [u for u in requests if u.request_key != "model_stats"]
    # The session's own context is the main thread's; a subagent file has only sidechain requests.
    main = [u for u in single if not u.sidechain] or single
    model = next((u.model for u in reversed(main) if u.model), None) or (t.models[-1] if t.models else None)
    peak = max((u.context_tokens for u in main), default=0)
    window = t.context_window or context_window_for(model, t.agent)
    if window and t.agent == "claude-code" and peak > window and not t.context_window:
        # Claude Code records the model without its "[1m]" suffix: a request above 200K proves the
        # session ran with the 1M window.
        window = 1_000_000
    return {
        "agent": t.agent,
        "models": list(t.models),
        "started_at": t.started_at,
        "ended_at": t.ended_at,
        "requests": len(requests) - len(aggregates) + (int(t.extra.get("aggregate_requests", 0)) if aggregates else 0),
        "input_tokens": sum(u.input_tokens for u in requests),
        "cache_creation_input_tokens": sum(u.cache_creation_input_tokens for u in requests),
        "cache_read_input_tokens": sum(u.cache_read_input_tokens for u in requests),
        "output_tokens": sum(u.output_tokens for u in requests),
        "peak_context_tokens": peak,
        "context_window": window,
        "compactions": sum(1 for e in t.events if isinstance(e, Compaction) and not e.sidechain),
        "subagents": sum(1 for e in t.events if isinstance(e, SubagentMarker)),
        "tool_calls": dict(sorted(tools.items())),
        "cost_usd": round(cost, 6) if priced else None,
        "unpriced_requests": unpriced,
        "price_table": PRICE_TABLE,
        "sidechain_requests": sum(1 for u in requests if u.sidechain),
        "malformed_records": t.malformed,
    }
