"""One pass over a transcript that every transcript rule shares: thread, requests, segments, items.

The waste model (DOMAIN.md §2): an item (tool result, pasted prompt, image) of N tokens that enters
the context before request r0 is re-sent with every later request of its *segment* (until a
compaction, a /clear or the end). Exposure = N × K, K = de-duplicated API requests from r0 to the
segment end. Its dollar cost uses each carrying request's own billing mix (cache read / cache write
/ fresh input) and that request's model price.

Item sizes are measured from the jump in reported context between consecutive requests where that
is unambiguous (one item in the gap), else estimated (chars / 3.6); the items of a gap are scaled
down so they never add up to more than the observed growth of the context.

A store that does not record a request's input (``Usage.input_known`` false: Crush, Goose, Cursor,
Copilot CLI without its usage database) gives no measurement: that request's context is modelled as
the estimated size of what its segment holds so far (prompts, tool calls and results, images,
replies; no system prompt, so a lower bound), which bounds waste the same way, and it is never priced.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from ctxlint.measure.pricing import Rates, price_per_token
from ctxlint.measure.window import session_window
from ctxlint.model import Claim
from ctxlint.transcripts.agents import records_of
from ctxlint.transcripts.events import (
    AssistantText,
    Clear,
    Compaction,
    Event,
    Image,
    Prompt,
    ResultsCleared,
    Rewind,
    ToolCall,
    ToolResult,
    Transcript,
    Usage,
)
from ctxlint.transcripts.readers.common import tokens_of_chars

ContextItem = ToolResult | Prompt | Image


@dataclass(slots=True)
class Item:
    """A piece of content that entered the context (tool result, prompt, image) with its token size."""

    event: ContextItem
    tokens: int  # measured or estimated, reconciled with the observed context
    measured: bool  # True when taken from the jump in reported context
    r0: int  # index (in Analysis.requests) of the first request that carries it
    segment: int
    call: ToolCall | None = None
    # The first request that no longer carries it, when it leaves the context before its segment ends
    # (a rewind went back before it, a microcompaction took the tool result out).
    dropped_at: int | None = None

    @property
    def line(self) -> int:
        return self.event.line


@dataclass(slots=True)
class Segment:
    """A stretch of the thread between boundaries (start, compaction, /clear)."""

    index: int
    first_request: int  # index into Analysis.requests
    end_request: int  # exclusive
    start_line: int
    end_line: int
    boundary: str  # "start" | "compaction" | "clear"


@dataclass(slots=True)
class Analysis:
    """One transcript analysed once for every transcript rule: thread, requests, segments, items, prices."""

    t: Transcript
    thread: list[Event]  # events of the analysed thread (main thread, or the whole subagent file)
    requests: list[Usage]
    segments: list[Segment]
    items: list[Item]
    calls: dict[str, ToolCall]
    results: dict[str, ToolResult]
    total_input_tokens: int  # every input token of every request (incl. sidechains): waste never exceeds it
    model: str | None
    window: int | None
    usable: int | None  # the usable window (measure.window.session_window)
    # Tool calls and the items of their results, in thread order: what the tool rules walk (a third
    # of a thread's events), without testing every event's type again in each rule.
    tool_flow: list[ToolCall | Item] = field(default_factory=list)
    result_items: list[Item] = field(default_factory=list)  # the items that are tool results, in order
    # Each request's context: as reported, or modelled where the store did not record it.
    contexts: list[int] = field(default_factory=list)
    # What took earlier content out of the context within a segment, in thread order.
    drops: list[Rewind | ResultsCleared] = field(default_factory=list)
    _blended_prefix: list[float | None] = field(default_factory=list)
    _request_lines: list[int] = field(default_factory=list)
    _rates: list[float | None] = field(default_factory=list)  # each request's price per context token
    _suffix_min: list[int] = field(default_factory=list)  # smallest context from r to r's segment end

    @property
    def agent(self) -> str:
        return self.t.agent

    @property
    def records(self) -> frozenset[str]:
        """What the session's store records (``transcripts.agents``)."""
        return self.t.records if self.t.records is not None else records_of(self.t.agent)

    @property
    def records_usage(self) -> bool:
        """Whether the agent reported the input of its requests. Without it (no usage at all, or output
        only, as Copilot CLI's event log) every size is an estimate from the text, and findings say so
        (basis ``estimated``, never priced)."""
        known = [u for u in self.requests if u.context_tokens or u.output_tokens or not u.input_known]
        return bool(known) and all(u.input_known for u in known)

    def requests_after(self, line: int) -> int:
        """Index of the first request whose record comes after ``line``."""
        return bisect_right(self._request_lines, line)

    def segment_of_line(self, line: int) -> Segment:
        for seg in reversed(self.segments):
            if seg.start_line <= line:
                return seg
        return self.segments[0]

    def carried(self, r0: int | Item, segment: Segment | None = None) -> int:
        """K: requests from r0 to the end of r0's segment (for an item: of the item's own segment, so an
        item that arrived just before a compaction or /clear is carried by no request)."""
        if isinstance(r0, Item):
            return max(0, self.item_end(r0) - r0.r0)
        if r0 >= len(self.requests):
            return 0
        seg = segment or self.segment_of_request(r0)
        return max(0, seg.end_request - r0)

    def segment_of_request(self, r: int) -> Segment:
        for seg in self.segments:
            if seg.first_request <= r < seg.end_request:
                return seg
        return self.segments[-1]

    def exposure(self, tokens: int, r0: int, r1: int | None = None) -> tuple[int, float | None]:
        """(tokens × requests, dollars) for ``tokens`` carried by requests r0..r1-1 (default: to the
        end of r0's segment), priced with each request's own cache mix and model."""
        if r0 >= len(self.requests) or tokens <= 0:
            return 0, 0.0 if self._priced() else None
        end = r1 if r1 is not None else self.segment_of_request(r0).end_request
        end = max(r0, min(end, len(self.requests)))
        count = end - r0
        if count and tokens > self._suffix_min[r0]:
            # Somewhere the context is smaller than the item (Claude Code's micro-compaction drops old
            # tool results without a compact_boundary; a compaction record may be missing): the item
            # cannot have been carried whole there. Count at most what each request actually sent.
            total = 0
            cost_sum: float | None = 0.0
            for r in range(r0, end):
                carried = min(tokens, self.contexts[r])
                total += carried
                rate = self._rates[r]
                cost_sum = None if rate is None or cost_sum is None else cost_sum + carried * rate
            return total, cost_sum
        a, b = self._blended_prefix[r0], self._blended_prefix[end]
        cost = None if a is None or b is None else tokens * (b - a)
        return tokens * count, cost

    def claim(self, key: str, per_request: int, r0: int, r1: int | None = None, floor: int = 0) -> Claim:
        """A claim of ``per_request`` tokens on every request r0..r1-1 (default: to r0's segment end)."""
        end = self.segment_of_request(r0).end_request if r1 is None and r0 < len(self.requests) else (r1 or r0)
        end = max(r0, min(end, len(self.requests)))
        tokens, cost = self.exposure(per_request, r0, end)
        return Claim(key, tokens, cost, r0, end, per_request, floor)

    def item_end(self, item: Item) -> int:
        """The first request that no longer carries ``item``: its segment's end, or where it was dropped."""
        end = self.segments[item.segment].end_request
        return end if item.dropped_at is None else min(end, item.dropped_at)

    def item_claim(self, item: Item, per_request: int | None = None) -> Claim:
        return self.claim(f"item:{item.line}:{getattr(item.event, 'call_id', '')}",
                          item.tokens if per_request is None else per_request, item.r0, self.item_end(item))

    def _priced(self) -> bool:
        return bool(self._blended_prefix) and self._blended_prefix[-1] is not None

    def usable_window(self) -> int | None:
        """Where the agent compacts (``measure.window``: the same figure every report uses)."""
        return self.usable


def _thread(t: Transcript) -> list[Event]:
    """The events the rules analyse: the main thread (or the whole subagent file), without resume
    replays, so that every prompt, tool call and result is seen once."""
    if t.is_subagent_file:
        return [e for e in t.events if not e.replayed]
    return [e for e in t.events if not e.sidechain and not e.replayed]


def analyse(t: Transcript) -> Analysis:
    thread = _thread(t)
    # One pass, dispatching on the exact class (events are never subclassed): this runs over every
    # event of every transcript.
    requests: list[Usage] = []
    calls: dict[str, ToolCall] = {}
    results: dict[str, ToolResult] = {}
    boundaries: list[Compaction | Clear] = []
    drops: list[Rewind | ResultsCleared] = []
    for e in thread:
        if type(e) is Usage:
            requests.append(e)
        elif type(e) is ToolCall:
            calls[e.call_id] = e
        elif type(e) is ToolResult:
            results[e.call_id] = e
        elif type(e) is Compaction or type(e) is Clear:
            boundaries.append(e)
        elif type(e) is Rewind or type(e) is ResultsCleared:
            drops.append(e)
    request_lines = [u.line for u in requests]
    contexts = [u.context_tokens for u in requests]
    if not all(u.input_known for u in requests):
        _model_unknown_contexts(thread, contexts)

    # Segments: split at compactions and /clear.
    segments: list[Segment] = []
    start_req, start_line, boundary = 0, 1, "start"
    for e in boundaries:
        r = bisect_right(request_lines, e.line)
        segments.append(Segment(len(segments), start_req, r, start_line, e.line - 1, boundary))
        start_req, start_line = r, e.line
        boundary = "compaction" if isinstance(e, Compaction) else "clear"
    segments.append(Segment(len(segments), start_req, len(requests), start_line, t.lines or 1, boundary))

    # Context items and their measured sizes. An item starts with its estimate as its size.
    items: list[Item] = []
    gap: list[Item] = []
    gap_estimate = 0
    tool_flow: list[ToolCall | Item] = []
    result_items: list[Item] = []
    seg_index = 0
    req_cursor = 0

    def close_gap(next_req: int) -> None:
        if next_req < len(requests) and requests[next_req].input_known and (
                not next_req or requests[next_req - 1].input_known):
            after = contexts[next_req]
            before = contexts[next_req - 1] + requests[next_req - 1].output_tokens if next_req else 0
            observed = max(0, after - before) if next_req else after
            if observed and len(gap) == 1 and observed <= 2 * gap_estimate:
                gap[0].tokens, gap[0].measured = observed, True
            else:
                scale = min(1.0, observed / gap_estimate) if gap_estimate else 0.0
                for i in gap:
                    i.tokens = int(i.tokens * scale)
        items.extend(gap)
        gap.clear()

    for e in thread:
        if type(e) is Usage:  # requests appear in the thread in order: req_cursor is its index
            if gap:
                close_gap(req_cursor)
                gap_estimate = 0
            req_cursor += 1
        elif type(e) is ToolCall:
            tool_flow.append(e)
        elif type(e) is ToolResult:
            estimate = e.tokens_est + e.image_tokens
            item = Item(e, estimate, False, req_cursor, seg_index, calls.get(e.call_id))
            gap.append(item)
            gap_estimate += estimate
            tool_flow.append(item)
            result_items.append(item)
        elif type(e) is Prompt:
            if not (e.is_meta and e.command):  # else a slash-command wrapper row
                gap.append(Item(e, e.tokens_est, False, req_cursor, seg_index, None))
                gap_estimate += e.tokens_est
        elif type(e) is Image:
            gap.append(Item(e, e.tokens_est, False, req_cursor, seg_index, None))
            gap_estimate += e.tokens_est
        elif type(e) is Compaction or type(e) is Clear:
            if gap:
                close_gap(req_cursor)
                gap_estimate = 0
            seg_index += 1  # one segment per boundary: never past the last one
    if gap:
        close_gap(len(requests))

    model = next((u.model for u in reversed(requests) if u.model), None) or (t.models[-1] if t.models else None)
    window = session_window(t.agent, model, t.context_window, max(contexts, default=0))
    total_input = sum(contexts)
    if len(thread) != len(t.events):  # sidechain and replayed requests count too
        main_only = not t.is_subagent_file
        total_input += sum(u.context_tokens for u in t.events
                           if isinstance(u, Usage) and (u.replayed or (main_only and u.sidechain)))
    if drops:
        _drop_items(drops, items, result_items, request_lines)
    a = Analysis(t, thread, requests, segments, items, calls, results, total_input, model, window.size, window.usable,
                 tool_flow, result_items, contexts, drops)
    a._request_lines = request_lines
    a._blended_prefix = _blended_prefix(requests)
    a._rates = [None if x is None or y is None else y - x for x, y in zip(a._blended_prefix, a._blended_prefix[1:], strict=False)]
    a._suffix_min = suffix_min = [0] * len(requests)
    for seg in segments:
        low = 1 << 62
        for r in range(seg.end_request - 1, seg.first_request - 1, -1):
            if contexts[r] < low:
                low = contexts[r]
            suffix_min[r] = low
    return a


def _model_unknown_contexts(thread: list[Event], contexts: list[int]) -> None:
    """Replace the context of each request whose input the store did not record by the estimated size
    of everything its segment carried up to it (see the module's docstring)."""
    held = 0
    r = 0
    for e in thread:
        if type(e) is Usage:
            if not e.input_known:
                contexts[r] = held
            held += e.output_tokens
            r += 1
        elif type(e) is ToolResult:
            held += e.tokens_est + e.image_tokens
        elif type(e) is Prompt or type(e) is Image:
            held += e.tokens_est
        elif type(e) is AssistantText:
            held += tokens_of_chars(e.chars)
        elif type(e) is ToolCall:
            held += tokens_of_chars(e.input_chars)
        elif type(e) is Compaction or type(e) is Clear:
            held = 0


def _drop_items(drops: list[Rewind | ResultsCleared], items: list[Item], result_items: list[Item],
                request_lines: list[int]) -> None:
    """Mark the items that left the context at a rewind (those after the point it went back to) or a
    microcompaction (the results it names): no request after it carries them."""
    item_lines = [i.line for i in items]
    by_call = {i.event.call_id: i for i in result_items if isinstance(i.event, ToolResult)}
    for drop in drops:
        at = bisect_right(request_lines, drop.line)
        if isinstance(drop, Rewind):
            gone = items[bisect_right(item_lines, drop.back_to):bisect_right(item_lines, drop.line - 1)]
        else:
            gone = [by_call[c] for c in drop.call_ids if c in by_call]
        for item in gone:
            if item.dropped_at is None or at < item.dropped_at:
                item.dropped_at = at


def _blended_prefix(requests: list[Usage]) -> list[float | None]:
    """Prefix sums of each request's price per context token (its own cache read/write/fresh mix)."""
    out: list[float | None] = [0.0]
    total: float | None = 0.0
    rates_of: dict[str | None, Rates | None] = {}  # a session has one or a few models
    for u in requests:
        if u.model in rates_of:
            rates = rates_of[u.model]
        else:
            rates = rates_of[u.model] = price_per_token(u.model)
        ctx = u.context_tokens
        if not u.input_known or rates is None or total is None:  # a modelled context is never priced
            total = None
        elif ctx:
            write_5m = u.cache_creation_input_tokens - u.cache_creation_1h_tokens
            per_token = (u.cache_read_input_tokens * rates.cache_read + write_5m * rates.cache_write_5m
                         + u.cache_creation_1h_tokens * rates.cache_write_1h + u.input_tokens * rates.input) / ctx
            total += per_token
        out.append(total)
    return out
