"""The coach in the terminal: totals (with what the spend leaves out), what the tokens bought (loops
per project and week), the habits that cost the most with their fix and the sessions where they
happened, the trend, context health and what the instruction files really cost. Colour (headings,
rule ids, the avoidable share) only when the CLI asks for it, so a pager, a CI log or a file gets
plain text."""

from __future__ import annotations

from typing import Any

from ctxlint.coach.aggregate import compact_tokens
from ctxlint.coach.instructions import instruction_sentence
from ctxlint.measure.secrets import mask
from ctxlint.reporters.coach import (
    basis_split,
    habit_figures,
    loops_line,
    plural,
    question,
    session_figures,
    session_name,
    spend,
    usd,
)

WEEKS_SHOWN = 8
PROJECTS_SHOWN = 8
DRILL_SHOWN = 3  # sessions per habit in the terminal (JSON, Markdown and HTML list more)
FINDINGS_SHOWN = 2


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
    split = basis_split(w.get("by_basis") or {})
    out = [
        _c(f"ctxlint coach · {data.get('period', '')}", BOLD, color),
        f"{plural(t['sessions'], 'session')} ({plural(t['files'], 'file')}, subagents rolled into their sessions) · "
        f"{plural(t.get('requests', 0), 'request')}",
        f"tokens: {compact_tokens(t['input_tokens_all'])} input (uncached {compact_tokens(t.get('input_tokens', 0))}, "
        f"cache write {compact_tokens(t.get('cache_creation_input_tokens', 0))}, cache read "
        f"{compact_tokens(t.get('cache_read_input_tokens', 0))}) · {compact_tokens(t.get('output_tokens', 0))} output",
        f"spend: {spend(t)} API-equivalent, priced with {table}",
        "avoidable: " + _c(f"{w['tokens']:,} tokens ({w['share_of_input']:.1%} of input) · {usd(w['cost_usd'])}",
                           RED if w["share_of_input"] >= 0.2 else YELLOW, color)
        + (f" ({split})" if split else ""),
    ]
    out += _outcomes(data.get("outcomes"), color)
    ranked_by = data.get("habits_ranked_by") or "tokens"
    measure = "avoidable dollars" if ranked_by == "cost" else "avoidable tokens"
    out += ["", _c(f"Habits that cost the most, by {measure} (fix the first one first):", BOLD, color)]
    if not data["habits"]:
        out.append("  none found")
    for i, h in enumerate(data["habits"], 1):
        share = h.get("share_of_waste") or 0.0
        split = basis_split(h.get("by_basis") or {})
        shares = [split] if split else []
        if h["tokens_wasted"]:
            shares.append(f"{share:.0%} of the waste tokens")
        out.append(f"  {i}. {_c(h['rule_id'], BOLD, color)} {h['name']}: {habit_figures(h, ranked_by)}"
                   f"{' (' + '; '.join(shares) + ')' if shares else ''} · "
                   f"{plural(h['findings'], 'finding')} in {plural(h['sessions'], 'session')}")
        if h.get("fix"):
            out.append(f"     {_c('fix:', DIM, color)} {mask(h['fix'])}")
        example = h.get("example_fix")
        if example and example != h.get("fix"):
            seen = f" (one of {h['example_fix_count']})" if h.get("example_fix_count", 0) > 1 else ""
            where = f" in {session_name(h['example_session'])}" if h.get("example_session") else ""
            out.append(f"     e.g.{where}{seen}: {mask(example)}")
        for s in (h.get("sessions_list") or [])[:DRILL_SHOWN]:
            out.append(f"     · {session_name(s)}: {session_figures(s['tokens'], s['cost_usd'])}")
            for f in s["findings"][:FINDINGS_SHOWN]:
                out.append(f"         line {f['line']}: {f['quote']}")
                out.append(f"         {_c('$', DIM, color)} {mask(f['command'])}")
        more = len(h.get("sessions_list") or []) - DRILL_SHOWN + int(h.get("more_sessions") or 0)
        if more > 0:
            out.append(f"     … and {plural(more, 'more session')} (--format markdown, json or html lists them)")

    weekly = [wk for wk in data.get("weekly") or [] if wk["week"] != "unknown"]
    if weekly:
        shown = min(len(weekly), WEEKS_SHOWN)
        span = "week" if shown == 1 else f"{shown} weeks"
        out += ["", _c(f"Weekly trend (last {span} with sessions):", BOLD, color)]
        for wk in weekly[-WEEKS_SHOWN:]:
            out.append(f"  {wk['week']}: {plural(wk['sessions'], 'session')}, {usd(wk['cost_usd'])}, "
                       f"{wk['tokens_wasted']:,} tokens avoidable ({wk.get('waste_share', 0.0):.1%})")

    sessions = data.get("sessions") or []
    hot = [s for s in sessions if (s.get("peak_fill") or 0) >= 0.8]
    if sessions:
        out += ["", _c("Context health:", BOLD, color)
                + f" {len(hot)} of {plural(len(sessions), 'session')} reached 80% of the usable window"]
        for s in hot[:5]:
            usable = s.get("usable_window")
            out.append(f"  {session_name(s)}: peak {s['peak_context_tokens']:,} ({s['peak_fill']:.0%} of the usable "
                       f"{usable:,}-token window), {plural(s['compactions'], 'compaction')}, "
                       f"{plural(s['requests_above_80pct'], 'request')} above 80% of it")
    if data.get("instructions"):
        out += ["", _c("What the instruction files really cost:", BOLD, color)]
        for item in data["instructions"][:8]:
            out.append(f"  {mask(str(item['project']))}: {mask(instruction_sentence(item))}")
        assumption = data["instructions"][0].get("assumption")
        if assumption:
            out.append(f"  (assumption: {assumption})")
    return "\n".join(out) + "\n"


def _outcomes(o: dict[str, Any] | None, color: bool) -> list[str]:
    if not o or not o["totals"]["sessions"]:
        return []
    out = ["", _c("What the tokens bought", BOLD, color)
           + " (completed loops: commits, pushes, pull requests, passing tests after edits):",
           f"  all: {loops_line(o['totals'])}"]
    projects = o.get("by_project") or []
    if len(projects) > 1:
        for p in projects[:PROJECTS_SHOWN]:
            out.append(f"  {mask(_short(p['project']))}: {loops_line(p)}")
    weeks = [w for w in o.get("by_week") or [] if w["week"] != "unknown"]
    if len(weeks) > 1:
        for wk in weeks[-WEEKS_SHOWN:]:
            out.append(f"  {wk['week']}: {loops_line(wk)}")
    if o.get("spikes"):
        out.append("  Worth a look (questions, not verdicts):")
        for spike in o["spikes"][:5]:
            names = "; ".join(session_name(s) for s in spike["sessions"][:3])
            out.append(f"    ? {mask(question(spike))} Sessions: {names}")
    return out


def _short(project: str) -> str:
    return project.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or project
