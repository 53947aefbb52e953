"""Session facts and offline pricing: the numbers the report's ``session`` object carries."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from ctxlint.measure import pricing
from ctxlint.measure.pricing import context_window_for, normalise_model, price_per_token, price_usage
from ctxlint.transcripts.events import Compaction, SubagentMarker, ToolCall, Transcript, Usage
from ctxlint.transcripts.reading import read_transcript
from ctxlint.transcripts.session_facts import session_facts
from tests.conftest import corpus_dir

REQUIRED = {"agent", "models", "started_at", "ended_at", "requests", "input_tokens", "cache_creation_input_tokens",
            "cache_read_input_tokens", "output_tokens", "peak_context_tokens", "context_window", "compactions",
            "subagents", "tool_calls", "cost_usd", "unpriced_requests", "price_table"}
SONNET = "claude-sonnet-4-5-20250929"


def usage_event(line: int, model: str | None, i: int, cw: int, cr: int, out: int, one_hour: int = 0,
                sidechain: bool = False, window: int | None = None) -> Usage:
    return Usage(line, f"2026-01-01T00:00:{line:02d}Z", f"k{line}", model, i, cw, cr, out,
                 cache_creation_1h_tokens=one_hour, sidechain=sidechain, context_window=window)


def manual_cost(model: str, i: int, cw: int, cr: int, out: int, one_hour: int = 0) -> float:
    r = price_per_token(model)
    assert r is not None
    return i * r.input + (cw - one_hour) * r.cache_write_5m + one_hour * r.cache_write_1h + cr * r.cache_read + out * r.output


def test_facts_of_a_synthetic_claude_session() -> None:
    t = Transcript(path="x.jsonl", agent="claude-code", models=[SONNET], started_at="a", ended_at="b")
    t.events = [
        usage_event(1, SONNET, 10, 2000, 0, 100, one_hour=500),
        ToolCall(2, None, "t1", "Read", path="/a"),
        ToolCall(3, None, "t2", "Read", path="/b"),
        ToolCall(4, None, "t3", "Task", is_subagent=True),
        SubagentMarker(4, None, "t3"),
        usage_event(5, SONNET, 3, 100, 50_000, 40),
        Compaction(6, None, "auto", 150_000),
        Compaction(7, None, "auto", 1000, sidechain=True),  # a subagent's own compaction: not the session's
        usage_event(8, "claude-haiku-4-5", 5, 0, 60_000, 10, sidechain=True),
    ]
    facts = session_facts(t)
    assert set(facts) >= REQUIRED
    assert (facts["agent"], facts["models"], facts["started_at"], facts["ended_at"]) == ("claude-code", [SONNET],
                                                                                        "a", "b")
    assert facts["requests"] == 3
    assert (facts["input_tokens"], facts["cache_creation_input_tokens"], facts["cache_read_input_tokens"],
            facts["output_tokens"]) == (18, 2100, 110_000, 150)
    assert facts["peak_context_tokens"] == 3 + 100 + 50_000  # main thread only
    assert facts["context_window"] == 200_000
    assert facts["compactions"] == 1 and facts["subagents"] == 1
    assert facts["tool_calls"] == {"Read": 2, "Task": 1}
    expected = (manual_cost(SONNET, 10, 2000, 0, 100, 500) + manual_cost(SONNET, 3, 100, 50_000, 40)
                + manual_cost("claude-haiku-4-5", 5, 0, 60_000, 10))
    assert math.isclose(facts["cost_usd"], expected, rel_tol=1e-6, abs_tol=1e-6)
    assert facts["unpriced_requests"] == 0
    assert facts["price_table"].startswith("genai-prices ")


def test_unpriced_models_are_counted_never_zero() -> None:
    t = Transcript(path="x", agent="claude-code")
    t.events = [usage_event(1, "my-private-model", 10, 0, 0, 5), usage_event(2, None, 1, 0, 0, 1)]
    facts = session_facts(t)
    assert facts["cost_usd"] is None and facts["unpriced_requests"] == 2
    t.events.append(usage_event(3, SONNET, 1000, 0, 0, 100))
    facts = session_facts(t)
    assert math.isclose(facts["cost_usd"], manual_cost(SONNET, 1000, 0, 0, 100), rel_tol=1e-6, abs_tol=1e-6)
    assert facts["unpriced_requests"] == 2


def test_context_window_declared_wins_then_model_then_observed() -> None:
    t = Transcript(path="x", agent="codex", context_window=258_400)
    t.events = [usage_event(1, "gpt-5-codex", 100, 0, 900, 10, window=258_400)]
    assert session_facts(t)["context_window"] == 258_400
    t = Transcript(path="x", agent="codex")
    t.events = [usage_event(1, "gpt-5-codex", 100, 0, 900, 10)]
    assert session_facts(t)["context_window"] == 272_000
    t = Transcript(path="x", agent="claude-code")
    t.events = [usage_event(1, "claude-opus-4-6", 10, 0, 150_000, 10)]
    assert session_facts(t)["context_window"] == 200_000
    # Claude Code drops the "[1m]" suffix from message.model: a 300K request proves the 1M window
    t.events.append(usage_event(2, "claude-opus-4-6", 10, 0, 300_000, 10))
    assert session_facts(t)["context_window"] == 1_000_000
    t = Transcript(path="x", agent="gemini")
    assert session_facts(t)["context_window"] == 1_048_576


def test_codex_input_is_fresh_and_cached_is_cache_read(tmp_path: Path) -> None:
    def tc(last: tuple[int, int, int], total: tuple[int, int, int]) -> dict[str, object]:
        def u(v: tuple[int, int, int]) -> dict[str, int]:
            return {"input_tokens": v[0], "cached_input_tokens": v[1], "output_tokens": v[2], "total_tokens": v[0] + v[2]}
        return {"timestamp": "2026-01-01T00:00:00Z", "type": "event_msg",
                "payload": {"type": "token_count", "info": {"last_token_usage": u(last), "total_token_usage": u(total),
                                                            "model_context_window": 258_400}}}
    records = [{"timestamp": "2026-01-01T00:00:00Z", "type": "session_meta", "payload": {"id": "s"}},
               {"timestamp": "2026-01-01T00:00:00Z", "type": "turn_context", "payload": {"model": "gpt-5-codex"}},
               tc((1000, 600, 20), (1000, 600, 20)), tc((3000, 2500, 30), (4000, 3100, 50))]
    path = tmp_path / "rollout.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    facts = session_facts(read_transcript(str(path)))
    assert (facts["input_tokens"], facts["cache_read_input_tokens"], facts["output_tokens"]) == (900, 3100, 50)
    assert facts["peak_context_tokens"] == 3000 and facts["context_window"] == 258_400
    r = price_per_token("gpt-5-codex")
    assert r is not None
    assert math.isclose(facts["cost_usd"], 900 * r.input + 3100 * r.cache_read + 50 * r.output, rel_tol=1e-6, abs_tol=1e-6)


def test_swe_agent_model_stats_is_an_aggregate_not_a_request(tmp_path: Path) -> None:
    traj = {"history": [{"role": "user", "content": "Issue"}, {"role": "assistant", "content": "x", "action": "ls"}],
            "info": {"model_stats": {"api_calls": 12, "tokens_sent": 90_000, "tokens_received": 900}}}
    path = tmp_path / "run.traj"
    path.write_text(json.dumps(traj))
    facts = session_facts(read_transcript(str(path)))
    assert (facts["requests"], facts["input_tokens"], facts["output_tokens"]) == (12, 90_000, 900)
    assert facts["peak_context_tokens"] == 0  # unknown: a run total is not one context


def test_subagent_file_peak_uses_its_own_requests() -> None:
    t = Transcript(path="x/subagents/agent-a.jsonl", agent="claude-code", is_subagent_file=True)
    t.events = [usage_event(1, SONNET, 5, 100, 40_000, 10, sidechain=True)]
    assert session_facts(t)["peak_context_tokens"] == 40_105


# --- pricing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "normal"), [
    ("claude-opus-4-6[1m]", "claude-opus-4-6"),
    ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"),
    ("anthropic/claude-opus-4-1", "claude-opus-4-1"),
    ("eu.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5-20251001"),
    ("openai/gpt-5-codex", "gpt-5-codex"),
    ("claude-3-5-sonnet@20241022", "claude-3-5-sonnet"),
])
def test_model_names_are_normalised(raw: str, normal: str) -> None:
    assert normalise_model(raw) == normal
    assert price_per_token(raw) == price_per_token(normal)


def test_prices_are_offline_and_cached() -> None:
    assert price_per_token("definitely-not-a-model") is None
    assert price_usage("definitely-not-a-model", input_tokens=100, output_tokens=1) is None
    assert price_usage("<synthetic>", input_tokens=100) is None
    r = price_per_token(SONNET)
    assert r is not None and r.cache_read < r.input < r.cache_write_5m <= r.cache_write_1h and r.output > r.input
    assert price_per_token(SONNET) is price_per_token(SONNET)  # computed once per model and tier
    assert pricing.PRICE_TABLE.startswith("genai-prices ")
    # a dated name the table does not list falls back to its undated family
    assert price_per_token("claude-sonnet-4-5-20990101") == price_per_token("claude-sonnet-4-5")


def test_pricing_never_starts_the_price_updater() -> None:
    import threading

    price_usage("gpt-5-codex", input_tokens=10, output_tokens=1)
    price_usage(SONNET, input_tokens=300_000, output_tokens=1)  # the tiered path through calc_price
    assert not any(th.name.startswith("genai_prices") for th in threading.enumerate())


def test_price_usage_matches_the_flat_rates_below_the_long_context_tier() -> None:
    got = price_usage(SONNET, input_tokens=1000, cache_write_tokens=2000, cache_write_1h_tokens=500,
                      cache_read_tokens=30_000, output_tokens=400)
    assert got is not None and math.isclose(got, manual_cost(SONNET, 1000, 2000, 30_000, 400, 500), rel_tol=1e-9)
    big = price_usage(SONNET, input_tokens=250_000, output_tokens=10)
    assert big is not None and big >= 250_000 * price_per_token(SONNET).input  # type: ignore[union-attr]


@pytest.mark.parametrize("model", ["claude-sonnet-4-5-20250929", "claude-sonnet-4", "gemini-2.5-pro", "gpt-5.4",
                                   "gpt-5-codex", "claude-opus-4-6", "gemini-3-pro-preview"])
@pytest.mark.parametrize("total", [1_000, 128_000, 128_001, 200_000, 200_001, 272_000, 272_001, 900_000])
def test_price_usage_equals_genai_prices_in_every_tier(model: str, total: int) -> None:
    from genai_prices import Usage, calc_price

    cached = total * 7 // 10
    written = total // 5
    fresh = total - cached - written
    got = price_usage(model, input_tokens=fresh, cache_write_tokens=written, cache_write_1h_tokens=written // 3,
                      cache_read_tokens=cached, output_tokens=1_234)
    if got is None:
        pytest.skip(f"{model} is not in this price table")
    want = calc_price(Usage(input_tokens=total, cache_write_tokens=written, cache_write_1h_tokens=written // 3,
                            cache_read_tokens=cached, output_tokens=1_234), model_ref=model)
    assert math.isclose(got, float(want.total_price), rel_tol=1e-9), (model, total)


@pytest.mark.parametrize(("model", "agent", "window"), [
    ("claude-sonnet-4-5-20250929", "claude-code", 200_000),
    ("claude-opus-4-6", "claude-code", 200_000),
    ("claude-opus-4-6[1m]", "claude-code", 1_000_000),
    ("claude-opus-4-7", "claude-code", 1_000_000),
    ("claude-sonnet-5", "claude-code", 1_000_000),
    ("<synthetic>", "claude-code", 200_000),
    ("claude-opus-4.6-1m", "claude-code", 200_000),  # a gateway's name for a Claude model
    ("opus", "claude-code", 200_000),
    # held-out: another vendor's model behind Claude Code ran to 260K without compacting
    ("deepseek-v4-pro", "claude-code", None),
    ("unsloth/Qwen3-Coder-Next", "claude-code", None),
    ("gpt-5-codex", "codex", 272_000),
    (None, "codex", 272_000),
    ("gemini-2.5-pro", "gemini", 1_048_576),
    ("my-model", "generic", None),
])
def test_context_window_for(model: str | None, agent: str, window: int | None) -> None:
    assert context_window_for(model, agent) == window


# --- the real corpus ---------------------------------------------------------------------------------


def test_corpus_facts_are_consistent() -> None:
    folder = corpus_dir("transcripts")
    for path in sorted(folder.glob("*/*")):
        if path.name.endswith(".meta.json"):
            continue
        t = read_transcript(str(path))
        facts = session_facts(t)
        assert set(facts) >= REQUIRED, path.name
        reqs = [e for e in t.events if isinstance(e, Usage)]
        aggregate = int(t.extra.get("aggregate_requests", 0))
        assert facts["requests"] == (aggregate if aggregate else len(reqs)), path.name
        # A store that keeps only session totals (Copilot CLI's shutdown roll-ups) reports those instead.
        assert facts["input_tokens"] == t.totals.get("input_tokens", sum(u.input_tokens for u in reqs)), path.name
        if reqs and facts["unpriced_requests"] < len(reqs):
            assert facts["cost_usd"] is not None and facts["cost_usd"] > 0, path.name
        if t.agent == "claude-code":
            assert facts["context_window"] in (200_000, 1_000_000)
            assert facts["peak_context_tokens"] <= facts["context_window"], path.name


def test_fe5e1c67_facts() -> None:
    path = next(corpus_dir("transcripts").glob("claude-code/*fe5e1c67-53e7-4862-81ae-d0e013e3270b.jsonl"))
    facts = session_facts(read_transcript(str(path)))
    assert (facts["input_tokens"], facts["output_tokens"], facts["cache_creation_input_tokens"],
            facts["cache_read_input_tokens"]) == (818, 51_933, 137_976, 3_647_854)
    # the peak is the main thread's context; the inline sidechain (a separate context) peaks at 42,726
    assert facts["requests"] == 170 and facts["peak_context_tokens"] == 21_552
    assert max(u.context_tokens for u in read_transcript(str(path)).requests) == 42_726
    assert facts["compactions"] == 0 and facts["subagents"] >= 1


def test_rates_are_persisted_and_a_damaged_entry_is_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from ctxlint._runtime import cache

    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path))
    cache.reset()
    want = price_usage(SONNET, input_tokens=250_000, output_tokens=10)
    pricing.save_new_rates({})
    con = sqlite3.connect(tmp_path / cache.FILE_NAME)
    assert [k for (k,) in con.execute("SELECT key FROM entries WHERE kind = 'rates'")] == [SONNET]

    # a later run reads the entry and never asks genai-prices
    cache.reset()
    with monkeypatch.context() as m:
        m.setattr(pricing, "_compute_entry", lambda model: pytest.fail(f"recomputed {model}"))
        assert price_usage(SONNET, input_tokens=250_000, output_tokens=10) == want

    for damaged in (b'{"starts": "x"}', b"not json"):
        con.execute("UPDATE entries SET value = ? WHERE kind = 'rates'", (damaged,))
        con.commit()
        cache.reset()
        assert price_usage(SONNET, input_tokens=250_000, output_tokens=10) == want
    con.close()
    cache.reset()


def test_pricing_a_session_at_once_gives_each_request_its_own_figure() -> None:
    """price_requests looks each model up once; its figures are price_usage's, tier by tier."""
    from ctxlint.measure.pricing import price_requests
    from ctxlint.transcripts.events import Usage

    requests = [
        Usage(1, None, "a", SONNET, 300_000, 1_000, 5_000, 700, cache_creation_1h_tokens=400),  # above the tier
        Usage(2, None, "b", SONNET, 10, 2_000, 150_000, 90),
        Usage(3, None, "c", "gpt-5-codex", 1_200, 0, 30_000, 500),
        Usage(4, None, "d", "definitely-not-a-model", 100, 0, 0, 1),
        Usage(5, None, "e", None, 100, 0, 0, 1),
        Usage(6, None, "f", SONNET, 10, 2_000, 150_000, 90, cache_creation_1h_tokens=5_000),  # 1h capped by writes
    ]
    expected = [price_usage(u.model, input_tokens=u.input_tokens, cache_write_tokens=u.cache_creation_input_tokens,
                            cache_write_1h_tokens=u.cache_creation_1h_tokens, cache_read_tokens=u.cache_read_input_tokens,
                            output_tokens=u.output_tokens) for u in requests]
    assert price_requests(requests) == expected
    assert expected[0] is not None and expected[2] is not None and expected[3] is None and expected[4] is None
    assert expected[0] > expected[1] > 0


def test_a_resumed_codex_rollout_and_the_one_it_resumed_are_counted_once_together(tmp_path: Path) -> None:
    """Codex 0.36's resume writes a new rollout that copies the resumed session's history, its token
    counts included, request for request (Hoper-J/cpolar-connect: 56 copied token_count events equal to
    the original rollout's, then the new session's own count restarting from zero). Alone, the resumed
    file counts the copy (the only record of those requests); a run over both counts them once."""
    from ctxlint.config import Config
    from ctxlint.core.run import run_check
    from tests.transcript_builder import CodexBuilder

    builder = CodexBuilder()
    for step in ({"prompt": "Fix the tunnel"}, {"bash": "cat app.py", "tokens": 3000}, {"requests": 3}):
        builder.step(step)
    original = builder.text()
    builder.step({"resume": True})
    for step in ({"prompt": "Now the config"}, {"requests": 2}):
        builder.step(step)
    first = tmp_path / "rollout-2026-11-02T09-00-00-019a0000-0000-7000-8000-000000000001.jsonl"
    resumed = tmp_path / "rollout-2026-11-02T10-00-00-019a0000-0000-7000-8000-000000000002.jsonl"
    first.write_text(original, encoding="utf-8")
    resumed.write_text(builder.text(), encoding="utf-8")
    alone = {p: session_facts(read_transcript(str(p))) for p in (first, resumed)}
    copied = alone[resumed]["copied_usage"]
    assert alone[resumed]["resumed_from"] == read_transcript(str(first)).session_id
    assert copied["requests"] == alone[first]["requests"]
    assert copied["cache_read_input_tokens"] == alone[first]["cache_read_input_tokens"]

    config = Config(fail_on=None)
    spent = {p: run_check([str(p)], config, jobs=1).summary for p in (first, resumed)}
    both = run_check([str(tmp_path)], config, jobs=1).summary
    own = spent[resumed].input_tokens - (copied["input_tokens"] + copied["cache_creation_input_tokens"]
                                         + copied["cache_read_input_tokens"])
    assert both.input_tokens == spent[first].input_tokens + own
    assert both.cost_usd == pytest.approx(spent[first].cost_usd + spent[resumed].cost_usd - copied["cost_usd"])
