"""Attribute every wasted token to at most one finding, and never more waste than was spent.

Findings claim the items they are about (``Claim``). Walking the rules from the most specific to
the most general (``rules/attribution.yaml``: repo-dump before unscoped-search before
oversized-tool-output ...), each claim key goes to the first finding that claims it. Claims that
say which requests carry the waste go through a per-request ledger: on request *i* the granted
tokens never exceed what that request actually sent (its context minus the claim's floor minus what
earlier findings already took). A finding left with nothing is dropped: its waste is reported by a
more specific one. Finally the session total is capped by its input tokens.
"""

from __future__ import annotations

from dataclasses import replace

from ctxlint.model import Claim, RawFinding


def attribute(
    findings: list[tuple[str, RawFinding]],
    priority: list[str],
    cap_tokens: int,
    contexts: list[int] | None = None,
    cap_cost_usd: float | None = None,
) -> list[tuple[str, RawFinding]]:
    """Give each claim key to the first finding (in ``priority`` order) that claims it, recompute every
    finding's tokens and dollars from the claims it kept, drop findings left with nothing, then scale so
    the total never exceeds ``cap_tokens`` (the session's input tokens) nor ``cap_cost_usd`` (its spend).

    ``contexts`` (each main-thread request's context size) turns on the per-request ledger: the claims
    on one request never add up to more than that request sent. Findings come back in input order.
    """
    order = {rule_id: i for i, rule_id in enumerate(priority)}
    ranked = sorted(enumerate(findings), key=lambda x: (order.get(x[1][0], len(order)), x[0]))
    used = [0] * len(contexts) if contexts is not None else []
    taken: set[str] = set()
    kept: list[tuple[int, str, RawFinding]] = []
    for index, (rule_id, f) in ranked:
        if not f.claims:
            kept.append((index, rule_id, f))
            continue
        granted: list[Claim] = []
        for c in f.claims:
            if c.key in taken:
                continue
            g = _grant(c, contexts, used)
            if g.tokens > 0:
                granted.append(g)
                taken.add(c.key)
        if not granted:
            continue  # every token it is about is already reported by a more specific finding
        tokens = sum(c.tokens for c in granted)
        costs = [c.cost_usd for c in granted]
        cost = None if any(c is None for c in costs) else sum(c for c in costs if c is not None)
        kept.append((index, rule_id, replace(f, claims=tuple(granted), tokens_wasted=tokens, cost_wasted_usd=cost)))
    total = sum(f.tokens_wasted for _, _, f in kept)
    if total > cap_tokens >= 0:
        factor = cap_tokens / total if total else 0.0
        kept = [(i, r, replace(f, tokens_wasted=int(f.tokens_wasted * factor),
                               cost_wasted_usd=None if f.cost_wasted_usd is None else f.cost_wasted_usd * factor))
                for i, r, f in kept]
    if cap_cost_usd is not None:
        spent = sum(f.cost_wasted_usd or 0.0 for _, _, f in kept)
        if spent > cap_cost_usd >= 0:
            factor = cap_cost_usd / spent
            kept = [(i, r, f if f.cost_wasted_usd is None else replace(f, cost_wasted_usd=f.cost_wasted_usd * factor))
                    for i, r, f in kept]
    kept.sort(key=lambda x: x[0])
    return [(r, f) for _, r, f in kept]


def _grant(c: Claim, contexts: list[int] | None, used: list[int]) -> Claim:
    if contexts is None or c.r0 < 0 or c.per_request <= 0:
        return c
    total = 0
    for i in range(max(0, c.r0), min(c.r1, len(contexts))):
        room = contexts[i] - c.floor - used[i]
        g = min(c.per_request, room) if room > 0 else 0
        used[i] += g
        total += g
    if total == c.tokens:
        return c
    cost = None if c.cost_usd is None else (c.cost_usd * total / c.tokens if c.tokens else 0.0)
    return replace(c, tokens=total, cost_usd=cost)
