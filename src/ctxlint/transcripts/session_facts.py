"""Session facts of one transcript: what the JSON report's ``session`` object says.

Every agent uses the same keys with the same meaning: ``input_tokens`` is fresh (uncached) input,
``cache_read_input_tokens`` the cached part (Codex's ``cached_input_tokens``), and cost is the
API-equivalent price from the offline table, ``None`` when no request's model is priced.

A figure the agent's store does not record is ``None`` (unknown), never 0: Crush and Cursor keep no
token counts, Goose only accumulated ones without a cache split, Copilot CLI's event log the output of
each request but the input only in its shutdown roll-ups. ``basis`` says whether the per-request
figures were recorded by the agent (``measured``) or sizes come from the stored text (``estimated``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from ctxlint.measure.pricing import PRICE_TABLE, price_requests, price_totals
from ctxlint.measure.window import session_window
from ctxlint.transcripts import outcomes
from ctxlint.transcripts.agents import records_of
from ctxlint.transcripts.events import Clear, Compaction, Prompt, SubagentMarker, ToolCall, Transcript, Usage

# What an IDE or the CLI puts before the words typed (<ide_opened_file>…</ide_opened_file>)
WRAPPERS = re.compile(r"^(?:\s*<([a-z][\w-]*)\b[^>]*>.*?</\1>)+", re.S)


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
    # The first prompt the user typed, on one line, wrappers taken out; not masked yet, so it is never
    # a fact: core.audit masks it, then cuts it into the session's title.
    first_prompt: str | None = None


COPIED_KEYS = ("requests", "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens")


def counted_once(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sessions' facts as a run over all of them counts them: a resumed session's rollout without the
    requests it copied from another session the run also has (that session's own rollout counts them).
    The facts of one file alone are never changed: there, the copy is the only record of those requests."""
    present = {s.get("session_id") for s in sessions if s.get("session_id")}
    out = []
    for s in sessions:
        copied = s.get("copied_usage")
        if not copied or s.get("resumed_from") not in present:
            out.append(s)
            continue
        adjusted = {**s, "counted_in": s["resumed_from"]}
        for key in COPIED_KEYS:
            adjusted[key] = int(s.get(key) or 0) - int(copied[key])
        adjusted["input_tokens_including_cache"] = sum(
            adjusted[k] for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"))
        if s.get("cost_usd") is not None and copied.get("cost_usd") is not None:
            adjusted["cost_usd"] = round(float(s["cost_usd"]) - float(copied["cost_usd"]), 6)
        out.append(adjusted)
    return out


def session_facts(t: Transcript) -> dict[str, Any]:
    return summarise(t).facts


def summarise(t: Transcript) -> SessionSummary:
    records = t.records if t.records is not None else records_of(t.agent)
    # One pass over the events (it runs over every event of every transcript), one over the requests.
    requests: list[Usage] = []
    tools: dict[str, int] = {}
    compactions = subagents = 0
    contexts: list[int] = []
    compaction_at: list[int] = []
    clear_at: list[int] = []
    title: str | None = None
    for e in t.events:
        kind = type(e)  # events are never subclassed; most are none of these, so one type() per event
        if kind is Usage:
            u = cast(Usage, e)
            requests.append(u)
            if not u.sidechain and u.input_known:
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
        elif kind is Prompt and title is None:
            p = cast(Prompt, e)
            if not (p.is_meta or p.command or p.is_interrupt or p.sidechain):
                title = typed_text(p.text) or None
    cost = 0.0
    priced = unpriced = 0
    fresh = cache_write = cache_read = output = sidechain_requests = 0
    copied = dict.fromkeys(COPIED_KEYS, 0)  # the requests of a resumed session copied into this file
    copied_cost = 0.0
    known = [u for u in requests if u.input_known]
    prices = iter(price_requests(known))
    for u in requests:
        price = next(prices) if u.input_known else None
        if price is None:
            if u.context_tokens or u.output_tokens or not u.input_known:
                unpriced += 1
        else:
            cost += price
            priced += 1
        fresh += u.input_tokens
        cache_write += u.cache_creation_input_tokens
        cache_read += u.cache_read_input_tokens
        output += u.output_tokens
        sidechain_requests += u.sidechain
        if u.replayed and "resumed_from" in t.extra:
            copied["requests"] += 1
            copied["input_tokens"] += u.input_tokens
            copied["cache_creation_input_tokens"] += u.cache_creation_input_tokens
            copied["cache_read_input_tokens"] += u.cache_read_input_tokens
            copied["output_tokens"] += u.output_tokens
            copied_cost += price or 0.0
    # SWE-agent's info.model_stats is one aggregate over the run: its tokens count, but it is neither
    # one request nor one context.
    aggregates = [u for u in requests if u.request_key == "model_stats"]
    single = [u for u in requests if u.request_key != "model_stats"] if aggregates else requests
    # The session's own context is the main thread's; a subagent file has only sidechain requests.
    main = [u for u in single if not u.sidechain] or single
    model = next((u.model for u in reversed(main) if u.model), None) or (t.models[-1] if t.models else None)
    peak = max((u.context_tokens for u in main if u.input_known), default=0)
    window = session_window(t.agent, model, t.context_window, peak)
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
        "input_tokens_including_cache": fresh + cache_write + cache_read,
        "peak_context_tokens": peak,
        "context_window": window.size,
        "usable_window": window.usable,
        # main-thread requests above 80% of the usable window (what CTX206 counts runs of)
        "requests_near_limit": sum(1 for c in contexts if window.near_limit(c)),
        "outcomes": outcomes.detect(t.events).as_facts(),
        "compactions": compactions,
        "subagents": subagents,
        "tool_calls": dict(sorted(tools.items())),
        "cost_usd": round(cost, 6) if priced else None,
        "unpriced_requests": unpriced,
        "price_table": PRICE_TABLE,
        "sidechain_requests": sidechain_requests,
        "malformed_records": t.malformed,
        "basis": "measured" if "request-usage" in records else "estimated",
        "agent_cost_usd": t.extra.get("agent_cost_usd"),
    }
    if copied["requests"]:
        # Codex 0.3x's resume copies the resumed session's requests (its token counts) into the new
        # rollout: counted here, and once only by a run that also has that session (``counted_once``).
        facts["resumed_from"] = t.extra["resumed_from"]
        facts["copied_usage"] = {**copied, "cost_usd": round(copied_cost, 6) if priced else None}
    spend = cost if priced == len(requests) else None  # one unpriced request leaves the spend unknown
    if len(known) < len(requests):
        # Requests without their input: unknown is not 0. The store's own totals (below) say what it kept.
        for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                    "input_tokens_including_cache", "peak_context_tokens"):
            facts[key] = None
        spend = _aggregate_cost(t.aggregate_usage)
        facts["cost_usd"] = None if spend is None else round(spend, 6)
        facts["unpriced_requests"] = 0 if spend is not None else unpriced
    facts.update(t.totals)
    return SessionSummary(facts, spend, contexts, compaction_at, clear_at, title)


def _aggregate_cost(totals: list[Usage]) -> float | None:
    """The price of per-model totals; None when there are none or one model is unpriced."""
    if not totals:
        return None
    prices = [price_totals(u) for u in totals]
    return None if any(p is None for p in prices) else sum(p or 0.0 for p in prices)


def typed_text(prompt: str) -> str:
    """A prompt as the user typed it, on one line: what an IDE or the CLI wraps around it taken out."""
    text = " ".join(WRAPPERS.sub("", prompt).split())
    return "".join(ch for ch in text if ch.isprintable())
