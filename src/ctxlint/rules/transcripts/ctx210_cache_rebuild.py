"""cache-rebuild: a request re-wrote the whole cached prefix."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from ctxlint.measure.pricing import price_per_token
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.prompts import has_words, typed_text
from ctxlint.transcripts.analysis import Analysis
from ctxlint.transcripts.events import Prompt, parse_timestamp


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    reqs = a.requests
    anthropic = "cache-split" in a.records  # the store says per request what was written to cache
    one_hour = any(u.cache_creation_1h_tokens for u in reqs)
    ttl = 3600 if one_hour else 300
    stale = ctx["stale-minutes"] * 60
    min_prefix, min_ratio = ctx["min-prefix-tokens"], ctx["min-rebuild-ratio"]
    prompts = [e for e in a.thread if type(e) is Prompt and not e.is_meta and not e.command and not e.is_interrupt]
    prompt_lines = [p.line for p in prompts]
    for i in range(1, len(reqs)):
        prev, cur = reqs[i - 1], reqs[i]
        prefix = prev.context_tokens
        if prefix < min_prefix or prev.cache_read_input_tokens < 0.5 * prefix:
            continue
        # Only the part of the previous context that this request did NOT read back from cache was
        # rebuilt. A request that reads the whole prefix and writes a large new tool result is growth,
        # not a rebuild (a 40k-token WebFetch after a 25k prefix writes 40k but reads all 25k).
        # Without cache writes (OpenAI) the prefix is re-processed as fresh input.
        fresh = cur.cache_creation_input_tokens if anthropic else cur.input_tokens
        rebuilt = min(fresh, max(0, prefix - cur.cache_read_input_tokens))
        if rebuilt < min_ratio * prefix:
            continue
        if a.segment_of_request(i) is not a.segment_of_request(i - 1):
            continue  # a compaction or /clear rewrites the prefix by design
        t0, t1 = parse_timestamp(prev.timestamp), parse_timestamp(cur.timestamp)
        gap = (t1 - t0).total_seconds() if t0 and t1 else None
        resumed = gap is not None and gap >= stale
        if not anthropic and not resumed:
            continue  # OpenAI's cache also misses at random: only a long idle says why
        switched = bool(cur.model and prev.model and cur.model != prev.model)
        if resumed and gap is not None:
            cause = f"the thread was resumed after {_idle(gap)} idle" + (
                f", with another model ({prev.model} → {cur.model})" if switched else "")
            how = fix("stale-thread")
        elif switched:
            cause = f"the model changed ({prev.model} → {cur.model})"
            how = fix("switch-at-boundaries")
        elif gap is not None and gap > ttl:
            cause = f"{gap / 60:.0f} minutes idle, past the {ttl // 60}-minute cache lifetime"
            how = fix("before-a-break") if one_hour or not anthropic else fix("before-a-break", "one-hour-cache")
        else:
            cause = "the cached prefix changed (effort, tools or MCP servers, or an edited prompt)"
            how = fix("keep-the-prefix")
        rates = price_per_token(cur.model or a.model)
        premium = None
        saving = ""
        if rates is not None:
            write = (rates.cache_write_1h if cur.cache_creation_1h_tokens else rates.cache_write_5m) if anthropic \
                else rates.input
            if resumed:
                # After hours no cache survives: the alternative is a fresh session that writes only its
                # start-up and a short brief, not a cache read of the whole thread.
                fresh_start = min(rebuilt, a.requests[0].context_tokens + ctx["brief-tokens"])
                premium = (rebuilt - fresh_start) * write
                saving = (f"; modelled saving: {_usd(premium)}, a fresh session with a brief would have written "
                          f"about {fresh_start:,} tokens instead")
            else:
                premium = rebuilt * (write - rates.cache_read)
                saving = f"; modelled saving: {_usd(premium)} paid above the cache-read price"
        # A reply that only makes sense against the thread's last message — picking one of the options it
        # offered ("1", "B, A") or a short question about it ("is that enough?") — needs that thread: a fresh
        # session would need it restated. "continue" is not such a reply: a brief carries it.
        at = bisect_left(prompt_lines, cur.line) - 1
        reply = resumed and at >= 0 and prompt_lines[at] > prev.line and _replies(
            typed_text(prompts[at].text), ctx["reply-words"])
        if reply:
            saving += "; the prompt after the pause replies to the thread's last message"
        large = resumed and rebuilt >= ctx["warn-tokens"] and not reply
        yield RawFinding(
            line=cur.line,
            message=(f"the request at line {cur.line} re-wrote {rebuilt:,} of the {prefix:,} cached tokens "
                     f"that the previous request (line {prev.line}) read: {cause}" + (saving if premium else "")),
            fix=how,
            cost_wasted_usd=premium,
            # A large stale thread resumed is a habit worth changing; the other rebuilds are worth knowing.
            severity=Severity.WARNING if large and premium else None,
            content_key=f"{cur.line}",
        )


OPTION_PICK = re.compile(r"(?:\d{1,2}|[A-Za-z])(?:\s*(?:[,/&+]|and)\s*(?:\d{1,2}|[A-Za-z]))*[.)]?")


def _replies(text: str, max_words: int) -> bool:
    """An option picked from the last message, or a short question about it."""
    return bool(OPTION_PICK.fullmatch(text)) or (text.rstrip().endswith("?") and not has_words(text, max_words + 1))


def _idle(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"


def _usd(value: float | None) -> str:
    return "" if value is None else f"${value:,.2f}"
