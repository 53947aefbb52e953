"""The shared transcript analysis: segments, thread, item sizes, exposure and its price."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctxlint.measure.pricing import price_per_token
from ctxlint.transcripts.analysis import Analysis, analyse
from ctxlint.transcripts.events import (
    Compaction,
    Event,
    Prompt,
    ToolCall,
    ToolResult,
    Transcript,
    Usage,
)
from ctxlint.transcripts.reading import read_transcript
from tests.transcript_builder import build


def _analyse(tmp_path: Path, scenario: dict[str, Any]) -> Analysis:
    files = build(scenario)
    (name, text), = files.items()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return analyse(read_transcript(str(path)))


def _result_items(a: Analysis) -> list[Any]:
    return [i for i in a.items if isinstance(i.event, ToolResult)]


@pytest.mark.parametrize("agent", ["claude-code", "codex"])
def test_segments_split_at_compaction_and_clear(tmp_path: Path, agent: str) -> None:
    steps: list[dict[str, Any]] = [{"prompt": "Fix the login bug"}, {"read": "src/app.py", "tokens": 3000},
                                   {"requests": 2}, {"compact": True}, {"requests": 3}]
    if agent == "claude-code":
        steps += [{"clear": True}, {"prompt": "Now the docs"}, {"requests": 2}]
    a = _analyse(tmp_path, {"agent": agent, "steps": steps})
    kinds = [s.boundary for s in a.segments]
    assert kinds == (["start", "compaction", "clear"] if agent == "claude-code" else ["start", "compaction"])
    # the segments tile the requests with no gap and no overlap
    assert a.segments[0].first_request == 0
    for before, after in zip(a.segments, a.segments[1:], strict=False):
        assert before.end_request == after.first_request
    assert a.segments[-1].end_request == len(a.requests)
    read = _result_items(a)[0]
    assert a.segment_of_line(read.line) is a.segments[read.segment] is a.segments[0]


@pytest.mark.parametrize("agent", ["claude-code", "codex"])
def test_a_single_item_is_measured_from_the_context_jump(tmp_path: Path, agent: str) -> None:
    a = _analyse(tmp_path, {"agent": agent, "steps": [
        {"prompt": "Fix the login bug"}, {"read": "src/app.py", "tokens": 3100}, {"requests": 5}]})
    item = _result_items(a)[0]
    assert item.measured
    assert abs(item.tokens - 3100) <= 5
    # K = requests from the first one after the result to the end of the segment
    assert a.carried(item) == len(a.requests) - item.r0
    claim = a.item_claim(item)
    tokens, cost = claim.tokens, claim.cost_usd
    assert tokens == item.tokens * a.carried(item)
    assert cost is not None and cost > 0


def test_exposure_is_priced_with_each_requests_own_cache_mix(tmp_path: Path) -> None:
    a = _analyse(tmp_path, {"agent": "claude-code", "steps": [
        {"prompt": "Fix the login bug"}, {"read": "src/app.py", "tokens": 3100}, {"requests": 4}]})
    item = _result_items(a)[0]
    cost = a.item_claim(item).cost_usd
    expected = 0.0
    for u in a.requests[item.r0:]:
        rates = price_per_token(u.model)
        assert rates is not None
        per_token = (u.input_tokens * rates.input + u.cache_creation_input_tokens * rates.cache_write_5m
                     + u.cache_read_input_tokens * rates.cache_read) / u.context_tokens
        expected += item.tokens * per_token
    assert cost == pytest.approx(expected)
    # the first carrying request wrote the item to cache, later ones read it: cheaper than all-fresh input
    rates = price_per_token(a.requests[0].model)
    assert rates is not None
    assert cost is not None and cost < item.tokens * a.carried(item) * rates.input


def test_unpriced_model_gives_no_dollars(tmp_path: Path) -> None:
    a = _analyse(tmp_path, {"agent": "claude-code", "model": "acme-unknown-model-9", "steps": [
        {"prompt": "Fix the login bug"}, {"read": "src/app.py", "tokens": 3100}, {"requests": 2}]})
    cost = a.item_claim(_result_items(a)[0]).cost_usd
    assert cost is None


def test_item_just_before_a_compaction_is_carried_by_no_request(tmp_path: Path) -> None:
    a = _analyse(tmp_path, {"agent": "claude-code", "steps": [
        {"prompt": "Fix the login bug"}, {"read": "src/app.py", "tokens": 3100}, {"compact": True},
        {"requests": 4}]})
    item = _result_items(a)[0]
    assert a.carried(item) == 0
    assert a.item_claim(item).tokens == 0


def test_usable_window_per_agent(tmp_path: Path) -> None:
    claude = _analyse(tmp_path, {"agent": "claude-code", "steps": [{"prompt": "hi there"}]})
    assert claude.window == 200_000
    assert claude.usable_window() == 167_000
    codex = _analyse(tmp_path, {"agent": "codex", "steps": [{"prompt": "hi there"}]})
    assert codex.usable_window() == 258_400  # the declared model_context_window (already 95% of 272k)


def _usage(line: int, context: int, sidechain: bool = False) -> Usage:
    return Usage(line=line, timestamp=None, request_key=f"r{line}", model="claude-sonnet-4-6",
                 input_tokens=3, cache_read_input_tokens=max(0, context - 3), output_tokens=50, sidechain=sidechain)


def _result(line: int, tokens: int, sidechain: bool = False) -> list[Event]:
    call = ToolCall(line=line, timestamp=None, call_id=f"c{line}", name="Bash", command="make test",
                    sidechain=sidechain)
    res = ToolResult(line=line, timestamp=None, call_id=f"c{line}", chars=tokens * 4, tokens_est=tokens,
                     sidechain=sidechain)
    return [call, res]


def test_sidechain_events_never_count_toward_the_main_thread() -> None:
    events: list[Event] = [Prompt(line=1, timestamp=None, text="go", chars=2, tokens_est=1), _usage(2, 20_000)]
    events += [*_result(3, 9000, sidechain=True), _usage(4, 40000, sidechain=True)]
    events += [*_result(5, 1000), _usage(6, 21100)]
    a = analyse(Transcript(path="s.jsonl", agent="claude-code", events=events, lines=6))
    assert [u.line for u in a.requests] == [2, 6]
    assert all(not getattr(e, "sidechain", False) for e in a.thread)
    assert [i.line for i in a.items if isinstance(i.event, ToolResult)] == [5]
    # but the cap on waste counts every request the file records, sidechains included
    assert a.total_input_tokens == 20_000 + 40_000 + 21_100


def test_several_items_in_one_gap_are_scaled_down_to_the_observed_jump() -> None:
    events: list[Event] = [Prompt(line=1, timestamp=None, text="go", chars=2, tokens_est=1), _usage(2, 20_000)]
    events += _result(3, 8_000) + _result(4, 8_000)  # estimated 16k, but the context only grew 6k
    events += [_usage(5, 26_050)]
    a = analyse(Transcript(path="s.jsonl", agent="claude-code", events=events, lines=5))
    gap = [i for i in a.items if isinstance(i.event, ToolResult)]
    assert len(gap) == 2
    assert sum(i.tokens for i in gap) <= 26_050 - 20_000 - 50
    assert not any(i.measured for i in gap)


def test_a_compaction_starts_a_new_segment_even_without_requests_after_it() -> None:
    events: list[Event] = [Prompt(line=1, timestamp=None, text="go", chars=2, tokens_est=1), _usage(2, 20_000),
                           Compaction(line=3, timestamp=None, trigger="auto", pre_tokens=20_000)]
    a = analyse(Transcript(path="s.jsonl", agent="claude-code", events=events, lines=3))
    assert len(a.segments) == 2
    assert a.segments[1].first_request == a.segments[1].end_request == 1


@st.composite
def _streams(draw: st.DrawFn) -> list[Event]:
    events: list[Event] = [Prompt(line=1, timestamp=None, text="go", chars=2, tokens_est=draw(st.integers(0, 500)))]
    context = draw(st.integers(1_000, 50_000))
    line = 2
    for _ in range(draw(st.integers(1, 12))):
        for _ in range(draw(st.integers(0, 3))):
            events += _result(line, draw(st.integers(0, 30_000)))
            line += 1
        if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:
            events.append(Compaction(line=line, timestamp=None))
            line += 1
            context = draw(st.integers(1_000, 20_000))
        else:
            context = max(0, context + draw(st.integers(-5_000, 30_000)))
        events.append(_usage(line, context))
        line += 1
    return events


@settings(max_examples=150, deadline=None)
@given(_streams())
def test_items_of_a_gap_never_exceed_the_observed_context(events: list[Event]) -> None:
    a = analyse(Transcript(path="s.jsonl", agent="claude-code", events=events, lines=len(events) + 1))
    by_r0: dict[int, int] = {}
    for item in a.items:
        assert item.tokens >= 0
        exposed = a.item_claim(item).tokens
        end = a.segments[item.segment].end_request
        # exposure never exceeds what the carrying requests sent, even where the context shrank
        assert exposed <= sum(u.context_tokens for u in a.requests[item.r0:end])
        if item.r0 < len(a.requests) and a.carried(item):
            by_r0[item.r0] = by_r0.get(item.r0, 0) + item.tokens
    for r, tokens in by_r0.items():
        after = a.requests[r].context_tokens
        before = a.requests[r - 1].context_tokens + a.requests[r - 1].output_tokens if r else 0
        assert tokens <= max(after - before, 0) if r else tokens <= after
