"""The coach in the terminal: totals, the habits that cost the most with their one fix, the trend."""

from __future__ import annotations

from typing import Any


def _usd(v: Any) -> str:
    return "unpriced" if v is None else f"${float(v):,.2f}"


def render(data: dict[str, Any]) -> str:
    t, w = data["totals"], data["waste"]
    out = [
        f"ctxlint coach · {data.get('period', '')}",
        f"{t['sessions']:,} sessions ({t['files']:,} files) · {t.get('requests', 0):,} requests · "
        f"{t['input_tokens_all']:,} input tokens (cache read {t.get('cache_read_input_tokens', 0):,}) · "
        f"{t.get('output_tokens', 0):,} output · {_usd(t['cost_usd'])} API-equivalent ({t.get('price_table') or 'no price table'})",
        f"avoidable: {w['tokens']:,} tokens ({w['share_of_input']:.1%} of input) · {_usd(w['cost_usd'])}",
        "",
        "Habits that cost the most (fix the first one first):",
    ]
    if not data["habits"]:
        out.append("  none found")
    for i, h in enumerate(data["habits"], 1):
        out.append(f"  {i}. {h['rule_id']} {h['name']}: {h['tokens_wasted']:,} tokens, {_usd(h['cost_wasted_usd'])} "
                   f"({h['share_of_waste']:.0%} of waste) · {h['findings']} findings in {h['sessions']} session(s)")
        out.append(f"     fix: {h['fix']}")
    if data.get("weekly"):
        out += ["", "Weekly trend:"]
        for wk in data["weekly"][-8:]:
            out.append(f"  {wk['week']}: {wk['sessions']} sessions, {_usd(wk['cost_usd'])}, "
                       f"{wk['tokens_wasted']:,} tokens avoidable ({wk['waste_share']:.1%})")
    hot = [s for s in data["sessions"] if (s["peak_fill"] or 0) >= 0.8][:5]
    if hot:
        out += ["", "Sessions that ran near the context limit:"]
        for s in hot:
            out.append(f"  {s['path']}: peak {s['peak_context_tokens']:,} ({s['peak_fill']:.0%} of {s['context_window']:,}), "
                       f"{s['compactions']} compaction(s), {s['requests_above_80pct']} requests above 80%")
    if data.get("instructions"):
        out += ["", "What the instruction files really cost:"]
        for i in data["instructions"][:8]:
            out.append(f"  {i['project']} ({i['agent']}): {i['tokens_per_request']:,} tokens × {i['requests']:,} requests = "
                       f"{i['tokens']:,} tokens, {_usd(i['cost_usd'])}")
    return "\n".join(out) + "\n"
