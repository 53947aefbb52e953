"""The coach in the terminal: totals, the habits that cost the most with their one fix, the trend,
context health and what the instruction files really cost. Colour (headings, rule ids, the avoidable
share) only when the CLI asks for it, so a pager, a CI log or a file gets plain text."""

from __future__ import annotations

from typing import Any

from ctxlint.coach.aggregate import compact_tokens
from ctxlint.coach.instructions import instruction_sentence
from ctxlint.measure.secrets import mask

WEEKS_SHOWN = 8


def _usd(v: Any) -> str:
    return "unpriced" if v is None else f"${float(v):,.2f}"


def _s(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _c(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


BOLD, RED, YELLOW, DIM = "1", "31", "33", "2"


def _basis_split(by_basis: dict[str, Any]) -> str:
    """' (measured 1.2M · modelled 30M)': what was certainly avoidable apart from what a habit would have saved."""
    parts = [f"{b} {compact_tokens(v['tokens'])}" for b, v in by_basis.items() if v.get("tokens")]
    return f" ({' · '.join(parts)})" if parts else ""


def render(data: dict[str, Any], *, color: bool = False) -> str:
    t, w = data["totals"], data["waste"]
    table = t.get("price_table") or "no price table"
    out = [
        _c(f"ctxlint coach · {data.get('period', '')}", BOLD, color),
        f"{_s(t['sessions'], 'session')} ({_s(t['files'], 'file')}, subagents rolled into their sessions) · "
        f"{_s(t.get('requests', 0), 'request')}",
        f"tokens: {compact_tokens(t['input_tokens_all'])} input (uncached {compact_tokens(t.get('input_tokens', 0))}, "
        f"cache write {compact_tokens(t.get('cache_creation_input_tokens', 0))}, cache read "
        f"{compact_tokens(t.get('cache_read_input_tokens', 0))}) · {compact_tokens(t.get('output_tokens', 0))} output",
        f"spend: {_usd(t['cost_usd'])} API-equivalent, priced with {table}",
        "avoidable: " + _c(f"{w['tokens']:,} tokens ({w['share_of_input']:.1%} of input) · {_usd(w['cost_usd'])}",
                           RED if w["share_of_input"] >= 0.2 else YELLOW, color)
        + _basis_split(w.get("by_basis") or {}),
        "",
        _c("Habits that cost the most (fix the first one first):", BOLD, color),
    ]
    if not data["habits"]:
        out.append("  none found")
    for i, h in enumerate(data["habits"], 1):
        share = h.get("share_of_waste") or 0.0
        out.append(f"  {i}. {_c(h['rule_id'], BOLD, color)} {h['name']}: {h['tokens_wasted']:,} tokens ({share:.0%} of waste), "
                   f"{_usd(h['cost_wasted_usd'])} · {_s(h['findings'], 'finding')} in {_s(h['sessions'], 'session')}")
        if h.get("fix"):
            out.append(f"     {_c('fix:', DIM, color)} {mask(h['fix'])}")
        example = h.get("example_fix")
        if example and example != h.get("fix"):
            seen = f" (×{h['example_fix_count']})" if h.get("example_fix_count", 0) > 1 else ""
            out.append(f"     e.g.{seen}: {mask(example)}")
    by_cost = w.get("ranked_by_cost") or []
    if by_cost and by_cost[:3] != [h["rule_id"] for h in data["habits"][:3]]:
        out.append(f"  by dollars: {', '.join(by_cost[:5])}")

    weekly = [wk for wk in data.get("weekly") or [] if wk["week"] != "unknown"]
    if weekly:
        shown = min(len(weekly), WEEKS_SHOWN)
        span = "week" if shown == 1 else f"{shown} weeks"
        out += ["", _c(f"Weekly trend (last {span} with sessions):", BOLD, color)]
        for wk in weekly[-WEEKS_SHOWN:]:
            out.append(f"  {wk['week']}: {_s(wk['sessions'], 'session')}, {_usd(wk['cost_usd'])}, "
                       f"{wk['tokens_wasted']:,} tokens avoidable ({wk.get('waste_share', 0.0):.1%})")

    sessions = data.get("sessions") or []
    hot = [s for s in sessions if (s.get("peak_fill") or 0) >= 0.8]
    if sessions:
        out += ["", _c("Context health:", BOLD, color)
                + f" {len(hot)} of {_s(len(sessions), 'session')} reached 80% of the window"]
        for s in hot[:5]:
            window = s.get("context_window")
            out.append(f"  {mask(str(s['path']))}: peak {s['peak_context_tokens']:,} ({s['peak_fill']:.0%} of "
                       f"{window:,}), {_s(s['compactions'], 'compaction')}, "
                       f"{_s(s['requests_above_80pct'], 'request')} above 80%")
    if data.get("instructions"):
        out += ["", _c("What the instruction files really cost:", BOLD, color)]
        for item in data["instructions"][:8]:
            out.append(f"  {mask(str(item['project']))}: {mask(instruction_sentence(item))}")
        assumption = data["instructions"][0].get("assumption")
        if assumption:
            out.append(f"  (assumption: {assumption})")
    return "\n".join(out) + "\n"
