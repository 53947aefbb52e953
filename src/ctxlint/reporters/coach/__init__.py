"""Reporters of ``ctxlint coach``: text, Markdown and HTML renderings of the aggregated data, and the
sentences they share, so every format says the same thing in the same words."""

from __future__ import annotations

from typing import Any

from ctxlint.coach.aggregate import compact_tokens
from ctxlint.measure.secrets import mask


def usd(v: Any) -> str:
    return "unpriced" if v is None else f"${float(v):,.2f}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def spend(t: dict[str, Any]) -> str:
    """'$76.89 (475 of 2,559 requests unpriced, incl. the largest session)': what the figure leaves out."""
    text = usd(t.get("cost_usd"))
    unpriced = int(t.get("unpriced_requests") or 0)
    if unpriced:
        text += f" ({unpriced:,} of {int(t.get('requests') or 0):,} requests unpriced"
        text += ", incl. the largest session)" if t.get("largest_session_unpriced") else ")"
    return text


def session_name(s: dict[str, Any]) -> str:
    """'billing · "Fix the login bug" · 2026-03-02': project, title, day — never a file path."""
    project = str(s.get("project") or "?").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or "?"
    title = s.get("title")
    day = str(s.get("started_at") or "")[:10]
    parts = [project, f"“{mask(str(title))}”" if title else "(no prompt)"]
    return " · ".join([*parts, day] if day else parts)


def basis_split(by_basis: dict[str, Any]) -> str:
    """'measured 1.2M · modelled 30M': what was certainly avoidable apart from what a habit would have saved."""
    parts = [f"{b} {compact_tokens(v['tokens'] if isinstance(v, dict) else v)}" for b, v in by_basis.items()
             if (v.get("tokens") if isinstance(v, dict) else v)]
    return " · ".join(parts)


def loops_line(b: dict[str, Any]) -> str:
    """'8 loops (6 commits, 2 pull requests, 5 passing test runs) in 12 sessions (8 completed, 3 open, 1 without
    edits) · 900k tokens, $2.40 per loop · 600k tokens, $1.60 per session · 12% avoidable'."""
    kinds = [plural(b["commits"], "commit"), plural(b["pushes"], "push").replace("pushs", "pushes"),
             plural(b["pull_requests"], "pull request"), plural(b["test_passes"], "passing test run")]
    shown = [k for k, n in zip(kinds, (b["commits"], b["pushes"], b["pull_requests"], b["test_passes"]), strict=True)
             if n]
    text = plural(b["loops"], "loop") + (f" ({', '.join(shown)})" if shown else "")
    text += (f" in {plural(b['sessions'], 'session')} ({b['completed']:,} completed, {b['open']:,} open, "
             f"{b['no-edits']:,} without edits)")
    if b.get("tokens_per_loop") is not None:
        cost = f", {usd(b['cost_per_loop'])}" if b.get("cost_per_loop") is not None else ""
        text += f" · {compact_tokens(b['tokens_per_loop'])} tokens{cost} per loop"
    if b.get("tokens_per_session") is not None:
        cost = f", {usd(b['cost_per_session'])}" if b.get("cost_per_session") is not None else ""
        text += f" · {compact_tokens(b['tokens_per_session'])} tokens{cost} per session"
    text += f" · {b.get('avoidable_share', 0.0):.0%} avoidable"
    if b.get("avoidable_tokens_per_loop") is not None:
        text += f" ({compact_tokens(b['avoidable_tokens_per_loop'])} per loop)"
    if b.get("unpriced_sessions"):
        text += f" · {plural(b['unpriced_sessions'], 'session')} unpriced (left out of the dollars per loop)"
    return text


def question(spike: dict[str, Any]) -> str:
    """A spike as a question to look at, never a verdict."""
    where = f"the week {spike['week']}" if spike["kind"] == "week" else "one session"
    project = str(spike["project"]).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return (f"{where} of {project} used {compact_tokens(spike['tokens_per_loop'])} tokens per completed loop, "
            f"{spike['ratio']:g}× the project's median ({compact_tokens(spike['project_median'])}): "
            "what was different there?")


NO_EXTRA_TOKENS = "a higher rate, no extra tokens"


def session_figures(tokens: int, cost_usd: float | None) -> str:
    """A session's share of a habit: '12,000 tokens, $0.04', or '$0.85 (a higher rate, no extra tokens)'."""
    if not tokens and cost_usd:
        return f"{usd(cost_usd)} ({NO_EXTRA_TOKENS})"
    return f"{tokens:,} tokens, {usd(cost_usd)}"


def habit_figures(h: dict[str, Any], ranked_by: str) -> str:
    """'$2.57, 1,200 tokens' or '120k tokens, $0.31' — the ranking measure first. A cost with no tokens
    of its own (a cache re-write pays a higher rate for tokens the requests send anyway) says so
    instead of '0 tokens', which reads as a mistake."""
    tokens = f"{h['tokens_wasted']:,} tokens" if h["tokens_wasted"] or not h.get("cost_wasted_usd") \
        else NO_EXTRA_TOKENS
    unpriced = f" (+{h['unpriced_tokens']:,} unpriced)" if h.get("unpriced_tokens") and ranked_by == "cost" else ""
    return f"{usd(h['cost_wasted_usd'])}, {tokens}{unpriced}" if ranked_by == "cost" else \
        f"{tokens}, {usd(h['cost_wasted_usd'])}"
