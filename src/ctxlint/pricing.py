"""Offline prices from the ``genai-prices`` package (a maintained table shipped in the wheel).

Never fetches anything: ctxlint does not use genai-prices' optional auto-update. A model the
table does not know is *unpriced* (None), never $0. Model names are normalised first: Claude
Code's ``[1m]`` suffix, gateway prefixes (``us.anthropic.``, ``anthropic/``) and Bedrock ``-v1:0``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


def _price_table() -> str:
    try:
        from genai_prices import __version__

        return f"genai-prices {__version__}"
    except Exception:  # pragma: no cover - an odd install without the version
        return "genai-prices"


def __getattr__(name: str) -> str:
    # Lazy: importing genai-prices costs ~0.2 s, paid only when a transcript is priced.
    if name == "PRICE_TABLE":
        return _price_table()
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


def _num(value: Any) -> float | None:
    if value is None:
        return None
    if hasattr(value, "base"):  # TieredPrices: the base tier applies below the threshold
        value = value.base
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


TIER_THRESHOLD = 128_000  # the lowest long-context tier in the table (128k/200k/272k); above it, use calc_price


@lru_cache(maxsize=256)
def price_per_token(model: str | None) -> Rates | None:
    if not model:
        return None
    found = _lookup(model)
    if found is None:
        return None
    mp = found.model_price
    base = _num(mp.input_mtok)
    out = _num(mp.output_mtok)
    if base is None or out is None:
        return None
    read = _num(getattr(mp, "cache_read_mtok", None))
    write = _num(getattr(mp, "cache_write_mtok", None))
    write_1h = _num(getattr(mp, "cache_write_1h_mtok", None))
    return Rates(
        input=base / 1e6,
        cache_write_5m=(write if write is not None else base) / 1e6,
        cache_write_1h=(write_1h if write_1h is not None else write if write is not None else base) / 1e6,
        cache_read=(read if read is not None else base) / 1e6,
        output=out / 1e6,
    )


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

    Below the long-context threshold the flat per-token rates are exact and ~100× cheaper than a
    full genai-prices calculation; above it genai-prices applies the tiered rates.
    """
    if not model or _lookup(model) is None:
        return None
    total_input = input_tokens + cache_write_tokens + cache_read_tokens
    if total_input <= TIER_THRESHOLD:
        rates = price_per_token(model)
        if rates is not None:
            one_hour = min(cache_write_1h_tokens, cache_write_tokens)
            return (input_tokens * rates.input + (cache_write_tokens - one_hour) * rates.cache_write_5m
                    + one_hour * rates.cache_write_1h + cache_read_tokens * rates.cache_read
                    + output_tokens * rates.output)
    from genai_prices import Usage, calc_price

    found = _lookup(model)
    usage = Usage(
        input_tokens=input_tokens + cache_write_tokens + cache_read_tokens,
        cache_write_tokens=cache_write_tokens,
        cache_write_1h_tokens=min(cache_write_1h_tokens, cache_write_tokens),
        cache_read_tokens=cache_read_tokens,
        output_tokens=output_tokens,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = calc_price(usage, model_ref=found.model.id, provider_id=found.provider.id)
    except (LookupError, ValueError, KeyError):
        return None
    return float(result.total_price)


def context_window_for(model: str | None, agent: str) -> int | None:
    """The model's input window when the transcript does not declare one; None when unknown.

    Claude Code: 200K unless the model runs natively at 1M (Opus 4.7+, Opus/Sonnet/Haiku 5.x, Fable,
    Mythos) or carries the ``[1m]`` suffix. Codex: 272K for every GPT-5/codex model (what Codex
    hard-codes). Gemini CLI: 1,048,576 for every default model.
    """
    m = normalise_model(model) if model else ""
    if agent == "gemini" or m.startswith("gemini"):
        return 1_048_576
    if m.startswith("claude") or (agent == "claude-code" and not m.startswith(("gpt", "o3", "o4", "codex"))):
        if model and (model.rstrip().lower().endswith("[1m]") or m.startswith(WINDOW_1M_CLAUDE)):
            return 1_000_000
        return 200_000
    if agent == "codex" or m.startswith(("gpt-5", "codex", "o3", "o4")) or "gpt-5" in m:
        return 272_000
    return None
