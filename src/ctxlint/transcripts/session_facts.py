"""Session facts of one transcript: what the JSON report's ``session`` object says.

Every agent uses the same keys with the same meaning: ``input_tokens`` is fresh (uncached) input,
``cache_read_input_tokens`` the cached part (Codex's ``cached_input_tokens``), and cost is the
API-equivalent price from the offline table, ``None`` when no request's model is priced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from ctxlint.measure.pricing import PRICE_TABLE, context_window_for, price_requests
from ctxlint.transcripts.events import Clear, Compaction, SubagentMarker, ToolCall, Transcript, Usage


@dataclass(slots=True)
class SessionSummary:
    """What one pass over a transcript's events gives the report: the facts, the spend, the timeline."""

    facts: dict[str, Any]
    # API-equivalent spend of every request (sidechains included), None when one is unpriced: waste
    # in dollars is capped by it, as waste in tokens is capped by the input tokens.
    spend_usd: float | None
    contexts: list[int] = field(default_factory=list)  # context of each main-thread request, in order
    compactions: list[int] = field(default_factory=list)  # positions in contexts of main-thread compactions
    clears: list[int] = field(default_factory=list)


def session_facts(t: Transcript) -> dict[str, Any]:
    return summarise(t).facts


def summarise(t: Transcript) -> SessionSummary:
    # One pass over the events (it runs over every event of every transcript), one over the requests.
    requests: list[Usage] = []
    tools: dict[str, int] = {}
    compactions = subagents = 0
    contexts: list[int] = []
    compaction_at: list[int] = []
    clear_at: list[int] = []
    for e in t.events:
        kind = type(e)  # events are never subclassed; most are none of these, so one type() per event
        if kind is Usage:
            u = cast(Usage, e)
            requests.append(u)
            if not u.sidechain:
                contexts.append(u.context_tokens)
        elif e.replayed:
            continue  # a resume replay's copy: its tool calls, compactions and subagents were counted once
        elif kind is ToolCall:
            name = cast(ToolCall, e).name
            tools[name] = tools.get(name, 0) + 1
        elif kind is Compaction:
            if not e.sidechain:
                compactions += 1
                compaction_at.append(len(contexts))
        elif kind is Clear:
            if not e.sidechain:
                clear_at.append(len(contexts))
        elif kind is SubagentMarker:
            subagents += 1
    cost = 0.0
    priced = unpriced = 0
    fresh = cache_write = cache_read = output = sidechain_requests = 0
    for u, price in zip(requests, price_requests(requests), strict=True):
        if price is None:
            if u.context_tokens or u.output_tokens:
                unpriced += 1
        else:
            cost += price
            priced += 1
        fresh += u.input_tokens
        cache_write += u.cache_creation_input_tokens
        cache_read += u.cache_read_input_tokens
        output += u.output_tokens
        sidechain_requests += u.sidechain
    # SWE-agent's info.model_stats is one aggregate over the run: its tokens count, but it is neither
    # one request nor one context.
    aggregates = [u for u in requests if u.request_key == "model_stats"]
    single = [u for u in requests if u.request_key != "model_stats"] if aggregates else requests
    # The session's own context is the main thread's; a subagent file has only sidechain requests.
    main = [u for u in single if not u.sidechain] or single
    model = next((u.model for u in reversed(main) if u.model), None) or (t.models[-1] if t.models else None)
    peak = max((u.context_tokens for u in main), default=0)
    window = t.context_window or context_window_for(model, t.agent)
    if window and t.agent == "claude-code" and peak > window and not t.context_window:
        # Claude Code records the model without its "[1m]" suffix: a request above 200K proves the
        # session ran with the 1M window.
        window = 1_000_000
    facts = {
        "agent": t.agent,
        "models": list(t.models),
        "started_at": t.started_at,
        "ended_at": t.ended_at,
        "requests": len(requests) - len(aggregates) + (int(t.extra.get("aggregate_requests", 0)) if aggregates else 0),
        "input_tokens": fresh,
        "cache_creation_input_tokens": cache_write,
        "cache_read_input_tokens": cache_read,
        "output_tokens": output,
        "peak_context_tokens": peak,
        "context_window": window,
        "compactions": compactions,
        "subagents": subagents,
        "tool_calls": dict(sorted(tools.items())),
        "cost_usd": round(cost, 6) if priced else None,
        "unpriced_requests": unpriced,
        "price_table": PRICE_TABLE,
        "sidechain_requests": sidechain_requests,
        "malformed_records": t.malformed,
    }
    spend = cost if priced == len(requests) else None  # one unpriced request leaves the spend unknown
    return SessionSummary(facts, spend, contexts, compaction_at, clear_at)
