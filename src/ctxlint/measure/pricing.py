"""Offline prices from the ``genai-prices`` package (a maintained table shipped in the wheel).

Never fetches anything: ctxlint does not use genai-prices' optional auto-update. A model the
table does not know is *unpriced* (None), never $0. Model names are normalised first: Claude
Code's ``[1m]`` suffix, gateway prefixes (``us.anthropic.``, ``anthropic/``) and Bedrock ``-v1:0``.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ctxlint._runtime import cache

if TYPE_CHECKING:
    from ctxlint.transcripts.events import Usage


@lru_cache(maxsize=1)
def _table_version() -> str:
    # importing genai-prices costs ~0.35 s, which an instruction-only run or a warm transcript run skips
    from ctxlint._runtime.fsutil import distribution_version

    return distribution_version("genai_prices", "genai-prices")


def __getattr__(name: str) -> str:
    if name == "PRICE_TABLE":
        return f"genai-prices {_table_version()}"
    raise AttributeError(name)

PREFIX_RE = re.compile(
    r"^(?:(?:us|eu|apac|jp|au|global)\.)?(?:anthropic|openai|google|vertex_ai|bedrock|azure|openrouter|gemini|"
    r"litellm_proxy|models)[./]"
)
SUFFIX_RE = re.compile(r"(?:\[1m\]|-v\d+(?::\d+)?|@\d{8})$")
DATED_RE = re.compile(r"-\d{8}$")

# Context windows (input tokens) when the transcript does not declare one; see context-facts §1.1.
# Claude Code runs these at 1M natively; Sonnet/Opus 4.6 compact at the 200K boundary without [1m].
WINDOW_1M_CLAUDE = ("claude-opus-4-7", "claude-opus-4-8", "claude-opus-5", "claude-sonnet-5", "claude-fable",
                    "claude-mythos", "claude-haiku-5")


@dataclass(frozen=True, slots=True)
class Rates:
    """USD per token."""

    input: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    output: float


def normalise_model(model: str) -> str:
    m = model.strip().lower()
    while True:  # gateway prefixes can nest: "openrouter/openai/gpt-4o-mini"
        stripped = PREFIX_RE.sub("", m)
        if stripped == m:
            break
        m = stripped
    m = SUFFIX_RE.sub("", m)
    return m


def _num(value: Any, total_input: int = 0) -> float | None:
    """USD per million tokens of one price field for a request of ``total_input`` tokens.

    genai-prices' tiers are cliffs: once the request's total input exceeds a tier's start, that
    tier's rate applies to *all* its tokens (``TieredPrices``); this mirrors its selection exactly.
    """
    if value is None:
        return None
    if hasattr(value, "tiers"):
        chosen = value.base
        for tier in reversed(value.tiers):
            if total_input > tier.start:
                chosen = tier.price
                break
        value = chosen
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1)
def _bundled_table() -> None:
    """Pin the price table shipped in the wheel: no auto-update thread is ever started, and a
    snapshot someone else installed in this process is dropped, so PRICE_TABLE names what is used."""
    from genai_prices import data_snapshot

    data_snapshot.set_custom_snapshot(None)


@lru_cache(maxsize=256)
def _lookup(model: str) -> Any:
    from genai_prices import Usage, calc_price

    _bundled_table()

    candidates = [normalise_model(model)]
    if DATED_RE.search(candidates[0]):
        candidates.append(DATED_RE.sub("", candidates[0]))
    for name in candidates:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return calc_price(Usage(input_tokens=1, output_tokens=1), model_ref=name)
        except (LookupError, ValueError, KeyError):
            continue
    return None


PRICE_FIELDS = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok")


def _rates_at(mp: Any, total: int) -> Rates | None:
    """Per-token rates of a genai-prices ``ModelPrice`` for a request of ``total`` input tokens."""
    base = _num(mp.input_mtok, total)
    out = _num(mp.output_mtok, total)
    if base is None or out is None:
        return None
    read = _num(getattr(mp, "cache_read_mtok", None), total)
    write = _num(getattr(mp, "cache_write_mtok", None), total)
    write_1h = _num(getattr(mp, "cache_write_1h_mtok", None), total)
    return Rates(
        input=base / 1e6,
        cache_write_5m=(write if write is not None else base) / 1e6,
        cache_write_1h=(write_1h if write_1h is not None else write if write is not None else base) / 1e6,
        cache_read=(read if read is not None else base) / 1e6,
        output=out / 1e6,
    )


# Per-model rates kept in the cache (``_runtime.cache``): a run whose models were all seen before never
# imports genai-prices (~0.35 s per process). The figures are genai-prices' own, computed on the first
# sight of a model, and stamped with the identity of the installed price data they came from.
_RATES_FIELDS = ("input", "cache_write_5m", "cache_write_1h", "cache_read", "output")
_persisted: dict[str, Any] | None = None
_new_rates: dict[str, Any] = {}  # computed by this process, not yet persisted


@lru_cache(maxsize=1)
def _rates_stamp() -> str:
    """Which price data the cached rates come from: its version and its file's identity."""
    from importlib.util import find_spec

    from ctxlint import __version__

    spec = find_spec("genai_prices")
    data = os.path.join(os.path.dirname(spec.origin), "data.py") if spec is not None and spec.origin else ""
    return f"{_table_version()}|{__version__}|{cache.file_stamp(data) if data else None}"


def load_rates_cache() -> dict[str, Any]:
    """The cached rates, each entry checked (read once per process; forked workers inherit them)."""
    global _persisted
    if _persisted is None:
        table: dict[str, Any] = {}
        for model, blob in cache.entries("rates", _rates_stamp()).items():
            try:
                entry = json.loads(blob)
                if entry is not None:
                    _decode(entry)
            except (ValueError, TypeError, KeyError):
                continue  # damaged or planted: computed again when needed
            table[model] = entry
        _persisted = table
    return _persisted


def _forget() -> None:
    global _persisted
    _persisted = None
    _new_rates.clear()
    _model_rates.cache_clear()
    _rates_stamp.cache_clear()


def take_new_rates() -> dict[str, Any]:
    """The rates this process computed since the last call (and forgets them): a worker hands them
    to the parent with its results, so that only the parent writes the cache."""
    taken = dict(_new_rates)
    _new_rates.clear()
    return taken


def save_new_rates(from_workers: dict[str, Any]) -> None:
    """Persist, once, the rates computed here and those the workers sent back (none: no write)."""
    new = {**from_workers, **take_new_rates()}
    table = load_rates_cache()
    new = {model: entry for model, entry in new.items() if table.get(model, ...) != entry}
    if not new:
        return
    table.update(new)
    stamp = _rates_stamp()
    cache.put_many("rates", [(model, json.dumps(entry).encode(), stamp) for model, entry in sorted(new.items())])


def _compute_entry(model: str) -> dict[str, Any] | None:
    """Tier starts and the rates below the first start and above each one; None when unpriced.

    Between two tier starts genai-prices' rates are flat, so one representative size per band
    (just above its start) gives that band's rates.
    """
    found = _lookup(model)
    if found is None:
        return None
    mp = found.model_price
    starts = sorted({tier.start for field in PRICE_FIELDS
                     for tier in getattr(getattr(mp, field, None), "tiers", None) or ()})
    tiers = [_rates_at(mp, total) for total in [0, *(start + 1 for start in starts)]]
    if any(r is None for r in tiers):
        return None
    return {"starts": starts, "tiers": [[getattr(r, f) for f in _RATES_FIELDS] for r in tiers]}


def _decode(entry: Any) -> tuple[tuple[int, ...], tuple[Rates, ...]]:
    """The tier starts and rates of an entry; ValueError unless it is well formed (ascending whole
    starts, one tier more than starts, five finite non-negative rates per tier)."""
    starts = tuple(entry["starts"])
    tiers = tuple(tuple(tier) for tier in entry["tiers"])
    if (not all(type(x) is int and x >= 0 for x in starts) or list(starts) != sorted(set(starts))
            or len(tiers) != len(starts) + 1
            or not all(len(t) == len(_RATES_FIELDS) and all(type(v) in (int, float) and 0 <= v < math.inf for v in t)
                       for t in tiers)):
        raise ValueError("malformed rates entry")
    return starts, tuple(Rates(*(float(v) for v in tier)) for tier in tiers)


@lru_cache(maxsize=256)
def _model_rates(model: str) -> tuple[tuple[int, ...], tuple[Rates, ...]] | None:
    """(tier starts, rates below the first start and above each start) of ``model``; None if unpriced."""
    table = load_rates_cache()
    if model in table:
        if table[model] is None:
            return None
        try:
            return _decode(table[model])
        except (KeyError, TypeError, ValueError):
            pass  # a damaged entry: computed again below
    entry = _compute_entry(model)
    _new_rates[model] = entry
    return _decode(entry) if entry is not None else None


def price_per_token(model: str | None, total_input: int = 0) -> Rates | None:
    """Per-token rates of ``model`` for a request whose total input (fresh + cache) is ``total_input``;
    the base (short-context) rates by default."""
    if not model:
        return None
    found = _model_rates(model)
    if found is None:
        return None
    starts, tiers = found
    return tiers[bisect_left(starts, total_input) if starts else 0]


def price_usage(
    model: str | None,
    *,
    input_tokens: int,
    cache_write_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    cache_read_tokens: int = 0,
    output_tokens: int = 0,
) -> float | None:
    """API-equivalent cost of one request. ``input_tokens`` is fresh (uncached) input.

    The rates of the request's tier come from a cache keyed by (model, tier): the same figure as
    genai-prices' ``calc_price`` (a test compares them across tiers) at ~1/100 of its cost.
    """
    rates = price_per_token(model, input_tokens + cache_write_tokens + cache_read_tokens)
    if rates is None:
        return None
    return _cost(rates, input_tokens, cache_write_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens)


def _cost(rates: Rates, fresh: int, write: int, write_1h: int, read: int, output: int) -> float:
    one_hour = min(write_1h, write)
    return (fresh * rates.input + (write - one_hour) * rates.cache_write_5m + one_hour * rates.cache_write_1h
            + read * rates.cache_read + output * rates.output)


def price_totals(totals: Usage) -> float | None:
    """API-equivalent cost of a model's usage summed over many requests (a store that keeps only
    totals), at the base rates: the request sizes that would pick a long-context tier are not known."""
    rates = price_per_token(totals.model)
    if rates is None:
        return None
    return _cost(rates, totals.input_tokens, totals.cache_creation_input_tokens, totals.cache_creation_1h_tokens,
                 totals.cache_read_input_tokens, totals.output_tokens)


def price_requests(requests: Sequence[Usage]) -> list[float | None]:
    """``price_usage`` of each request (the same figures), with each model's tiers looked up once:
    a session has thousands of requests and one or a few models."""
    found_of: dict[str | None, tuple[tuple[int, ...], tuple[Rates, ...]] | None] = {}
    out: list[float | None] = []
    for u in requests:
        model = u.model
        if model in found_of:
            found = found_of[model]
        else:
            found = found_of[model] = _model_rates(model) if model else None
        if found is None:
            out.append(None)
            continue
        starts, tiers = found
        fresh, write, read = u.input_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens
        rates = tiers[bisect_left(starts, fresh + write + read) if starts else 0]  # price_per_token's pick
        out.append(_cost(rates, fresh, write, u.cache_creation_1h_tokens, read, u.output_tokens))
    return out


# Claude models under any name a gateway gives them ("claude-opus-4.6-1m", "anthropic/claude-…", "opus").
CLAUDE_FAMILY = re.compile(r"claude|opus|sonnet|haiku|fable|mythos")


def context_window_for(model: str | None, agent: str) -> int | None:
    """The model's input window when the transcript does not declare one; None when unknown.

    Claude Code: 200K unless the model runs natively at 1M (Opus 4.7+, Opus/Sonnet/Haiku 5.x, Fable,
    Mythos) or carries the ``[1m]`` suffix; unknown for another vendor's model run through it. Codex: 272K for every GPT-5/codex model (what Codex
    hard-codes). Gemini CLI: 1,048,576 for every default model.
    """
    m = normalise_model(model) if model else ""
    if agent == "gemini" or m.startswith("gemini"):
        return 1_048_576
    if agent == "claude-code" and m and not m.startswith("<") and not CLAUDE_FAMILY.search(m):
        # another vendor's model behind Claude Code (DeepSeek, Qwen, a local model through a gateway):
        # its window is its own, and real sessions run past 200K without compacting
        return None
    if m.startswith("claude") or (agent == "claude-code" and not m.startswith(("gpt", "o3", "o4", "codex"))):
        if model and (model.rstrip().lower().endswith("[1m]") or m.startswith(WINDOW_1M_CLAUDE)):
            return 1_000_000
        return 200_000
    if agent == "codex" or m.startswith(("gpt-5", "codex", "o3", "o4")) or "gpt-5" in m:
        return 272_000
    return None


cache.on_reset(_forget)  # cache.reset() drops what this process remembers of cached values
