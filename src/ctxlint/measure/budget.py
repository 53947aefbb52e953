"""Budgets: how much a session, or a project in a week, may spend before ctxlint says so.

``[tool.ctxlint.budget]`` (or ``budget:`` in ``.ctxlint.yaml``) has two tables, ``session`` and
``week`` (a project's sessions started in the last seven days), each with any of ``tokens`` (every
token sent and received, cache reads included), ``usd`` (the API-equivalent spend) and
``avoidable-share`` (the avoidable dollars, measured and modelled, over the spend; tokens over input
tokens when the spend is unknown). The statusline and the hooks warn; ``ctxlint coach
--check-budget`` fails a CI job. Budgets are for teams and projects, never for people: budget
generously and measure the system (docs/live.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ctxlint.errors import ConfigError, did_you_mean

SCOPES = ("session", "week")
LIMITS = ("tokens", "usd", "avoidable-share")


@dataclass(frozen=True, slots=True)
class Limits:
    tokens: int | None = None
    usd: float | None = None
    avoidable_share: float | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.tokens, self.usd, self.avoidable_share))


@dataclass(frozen=True, slots=True)
class Budget:
    session: Limits = Limits()
    week: Limits = Limits()

    def __bool__(self) -> bool:
        return bool(self.session) or bool(self.week)


def parse_budget(raw: Any, origin: str) -> Budget:
    """The ``budget`` table of a configuration, validated like the rest of it."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: budget: expected a table with session and/or week")
    scopes: dict[str, Limits] = {}
    for scope, table in raw.items():
        if scope not in SCOPES:
            near = did_you_mean(str(scope), SCOPES)
            raise ConfigError(f"{origin}: budget: unknown key {scope!r}" + (f"; did you mean {near!r}?" if near else "")
                              + f" (known: {', '.join(SCOPES)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{origin}: budget.{scope}: expected a table of {', '.join(LIMITS)}")
        values: dict[str, Any] = {}
        for key, value in table.items():
            where = f"{origin}: budget.{scope}.{key}"
            if key not in LIMITS:
                near = did_you_mean(str(key), LIMITS)
                raise ConfigError(f"{origin}: budget.{scope}: unknown key {key!r}"
                                  + (f"; did you mean {near!r}?" if near else "") + f" (known: {', '.join(LIMITS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 \
                    or value == float("inf"):
                raise ConfigError(f"{where}: expected a positive number, got {value!r}")
            if key == "tokens" and not isinstance(value, int):
                raise ConfigError(f"{where}: expected a whole number of tokens, got {value!r}")
            if key == "avoidable-share" and value > 1:
                raise ConfigError(f"{where}: expected a share between 0 and 1 (0.25 is a quarter), got {value!r}")
            values[key.replace("-", "_")] = value
        scopes[scope] = Limits(**values)
    return Budget(**scopes)


@dataclass(frozen=True, slots=True)
class Spent:
    """What a session (or a project's week) used: the figures budgets are checked against."""

    tokens: int
    usd: float | None
    avoidable_usd: float | None
    avoidable_tokens: int
    input_tokens: int

    @property
    def avoidable_share(self) -> float | None:
        if self.usd:
            return (self.avoidable_usd or 0.0) / self.usd if self.avoidable_usd is not None else None
        return self.avoidable_tokens / self.input_tokens if self.input_tokens else None


@dataclass(frozen=True, slots=True)
class Overrun:
    """One limit exceeded: which (``scope``, ``limit``), the limit and what was used."""

    scope: str
    limit: str
    allowed: float
    used: float

    def message(self) -> str:
        what = "session" if self.scope == "session" else "project's week"
        over = self.used - self.allowed
        pct = f"{over / self.allowed:+.0%}" if self.allowed else ""
        if self.limit == "usd":
            return f"{what} budget ${self.allowed:,.2f} exceeded: ${self.used:,.2f} spent ({pct})"
        if self.limit == "tokens":
            return f"{what} budget {_tokens(self.allowed)} tokens exceeded: {_tokens(self.used)} used ({pct})"
        return (f"{what} avoidable-share budget {self.allowed:.0%} exceeded: {self.used:.0%} of the spend "
                f"was avoidable ({self.used - self.allowed:+.0%} points)")


def _tokens(n: float) -> str:
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.0f}K" if n >= 1e3 else f"{n:.0f}"


def check(limits: Limits, spent: Spent, scope: str) -> list[Overrun]:
    """Every limit of ``limits`` that ``spent`` exceeds."""
    out: list[Overrun] = []
    if limits.usd is not None and spent.usd is not None and spent.usd > limits.usd:
        out.append(Overrun(scope, "usd", limits.usd, spent.usd))
    if limits.tokens is not None and spent.tokens > limits.tokens:
        out.append(Overrun(scope, "tokens", limits.tokens, spent.tokens))
    share = spent.avoidable_share
    if limits.avoidable_share is not None and share is not None and share > limits.avoidable_share:
        out.append(Overrun(scope, "avoidable-share", limits.avoidable_share, share))
    return out


def spent_of(results: Iterable[Any]) -> Spent:
    """The sum over transcripts' ``FileResult``s: every token, the spend (None when one is unpriced)
    and the avoidable waste (measured and modelled; estimated waste is never priced)."""
    tokens = input_tokens = avoidable_tokens = 0
    usd: float | None = 0.0
    avoidable_usd: float | None = 0.0
    for r in results:
        facts = r.session or {}
        sent = facts.get("input_tokens_including_cache") or 0
        tokens += sent + (facts.get("output_tokens") or 0)
        input_tokens += sent
        cost = facts.get("cost_usd")
        usd = None if usd is None or cost is None else usd + cost
        for f in r.findings:
            if f.kind == "transcript" and f.basis.value in ("measured", "modelled"):
                avoidable_tokens += f.tokens_wasted
                if f.cost_wasted_usd is not None and avoidable_usd is not None:
                    avoidable_usd += f.cost_wasted_usd
    return Spent(tokens, usd, avoidable_usd if usd is not None else None, avoidable_tokens, input_tokens)
