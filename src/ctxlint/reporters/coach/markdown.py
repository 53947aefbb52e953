"""The coach as Markdown, to post in a channel or a pull request: the totals, what the tokens bought
per project and week, the habits with their fix and, folded under each, the sessions where they
happened with the real lines and the command that shows each one. GitHub renders ``<details>``."""

from __future__ import annotations

from typing import Any

from ctxlint.coach.aggregate import compact_tokens
from ctxlint.measure.secrets import mask
from ctxlint.reporters.coach import (
    basis_split,
    habit_figures,
    plural,
    question,
    session_figures,
    session_name,
    spend,
    usd,
)

PROJECTS_SHOWN = 15
WEEKS_SHOWN = 12


def cell(text: Any) -> str:
    """Masked, on one line, safe inside a table cell and outside code (pipes, HTML, backticks kept as text)."""
    return _escape(mask(" ".join(str(text).split())))


def _escape(s: str) -> str:
    return (s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("*", "\\*").replace("_", "\\_"))


def code(text: str) -> str:
    """Inline code that survives any backticks inside it."""
    s = mask(" ".join(text.split()))
    fence = "``" if "`" in s else "`"
    return f"{fence} {s} {fence}" if fence == "``" else f"`{s}`"


def render(data: dict[str, Any]) -> str:
    t, w = data["totals"], data["waste"]
    table = t.get("price_table") or "no price table"
    split = basis_split(w.get("by_basis") or {})
    out = [f"## ctxlint coach · {data.get('period', '')}", "",
           f"{plural(t['sessions'], 'session')} · {plural(t.get('requests', 0), 'request')} · "
           f"{compact_tokens(t['input_tokens_all'])} input tokens · spend **{spend(t)}** (API-equivalent, "
           f"{cell(table)}) · avoidable **{compact_tokens(w['tokens'])} tokens ({w['share_of_input']:.1%})**, "
           f"{usd(w['cost_usd'])}" + (f" ({split})" if split else ""), ""]
    o = data.get("outcomes")
    if o and o["totals"]["sessions"]:
        out += ["### What the tokens bought", "",
                "Completed loops: a commit made, a push, a pull request opened, a test run passing after edits. "
                "A session with edits and none of these is *open*, not failed.", "",
                "| | loops | commits | PRs | passing tests | sessions (completed / open / no edits) | tokens per loop "
                "| $ per loop | tokens per session | $ per session | avoidable |",
                "|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|"]
        rows = [("**all**", o["totals"]), *((cell(_short(p["project"])), p) for p in o["by_project"][:PROJECTS_SHOWN]),
                *((w["week"], w) for w in [x for x in o["by_week"] if x["week"] != "unknown"][-WEEKS_SHOWN:])]
        for name, b in rows:
            out.append(f"| {name} | {b['loops']:,} | {b['commits']:,} | {b['pull_requests']:,} | {b['test_passes']:,} "
                       f"| {b['sessions']:,} ({b['completed']} / {b['open']} / {b['no-edits']}) "
                       f"| {_tokens(b['tokens_per_loop'])} | {_usd(b['cost_per_loop'])} "
                       f"| {_tokens(b['tokens_per_session'])} | {_usd(b['cost_per_session'])} "
                       f"| {b['avoidable_share']:.0%} |")
        if o.get("spikes"):
            out += ["", "**Worth a look** (questions, not verdicts):", ""]
            for spike in o["spikes"][:8]:
                names = "; ".join(cell(session_name(s)) for s in spike["sessions"][:3])
                out.append(f"- {cell(question(spike))} Sessions: {names}")
        out.append("")
    ranked_by = data.get("habits_ranked_by") or "tokens"
    out += [f"### Habits that cost the most (by avoidable {'dollars' if ranked_by == 'cost' else 'tokens'})", ""]
    if not data["habits"]:
        out.append("None found.")
    for i, h in enumerate(data["habits"], 1):
        split = basis_split(h.get("by_basis") or {})
        out.append(f"{i}. **{h['rule_id']} {h['name']}**: {habit_figures(h, ranked_by)}"
                   f"{f' ({split})' if split else ''} · {plural(h['findings'], 'finding')} in "
                   f"{plural(h['sessions'], 'session')}  ")
        if h.get("fix"):
            out.append(f"   Fix: {_prose(h['fix'])}")
        sessions = h.get("sessions_list") or []
        if sessions:
            out += ["", "   <details><summary>Where it happened</summary>", ""]
            for s in sessions:
                out.append(f"   - {cell(session_name(s))}: {session_figures(s['tokens'], s['cost_usd'])}")
                for f in s["findings"]:
                    out.append(f"     - line {f['line']}: {cell(f['quote'])} — {code(f['command'])}")
                if s.get("more_findings"):
                    out.append(f"     - … and {plural(s['more_findings'], 'more finding')}")
            if h.get("more_sessions"):
                out.append(f"   - … and {plural(h['more_sessions'], 'more session')}")
            out += ["", "   </details>"]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _prose(text: str) -> str:
    """A fix text: its `code` spans kept as code, everything else escaped as text."""
    parts = mask(" ".join(text.split())).split("`")
    return "".join(code(p) if i % 2 else _escape(p) for i, p in enumerate(parts) if p)


def _short(project: str) -> str:
    return project.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or project


def _tokens(v: Any) -> str:
    return "–" if v is None else compact_tokens(v)


def _usd(v: Any) -> str:
    return "–" if v is None else usd(v)
