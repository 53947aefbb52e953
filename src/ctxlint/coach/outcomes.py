"""What the tokens bought, for the system: completed loops per project and per week, with both
denominators (per completed loop and per session), and the weeks or sessions far above their own
project's median per loop — shown as questions to look at, never as verdicts, never per person.

Pure functions over plain rows, so the laptop coach (``aggregate``) and the team report built from
exported tables (``team.report``) compute the same figures the same way.
"""

from __future__ import annotations

import statistics
from typing import Any

LOOP_KINDS = ("commits", "pushes", "pull_requests", "test_passes")
STATUSES = ("completed", "open", "no-edits")
SPIKE_RATIO = 3.0  # a week or session above this multiple of its project's median tokens per loop
SPIKE_MIN_POINTS = 3  # a median of fewer weeks or sessions says nothing


def bucket(**name: str) -> dict[str, Any]:
    return {**name, "sessions": 0, "loops": 0, **dict.fromkeys(LOOP_KINDS, 0), **dict.fromkeys(STATUSES, 0),
            "input_tokens": 0, "cost_usd": 0.0, "unpriced_sessions": 0, "tokens_wasted": 0, "cost_wasted_usd": 0.0,
            "priced_cost_usd": 0.0, "priced_loops": 0}


def add(b: dict[str, Any], session: dict[str, Any]) -> None:
    """Count one main session (its subagents rolled in): ``loops``, the loop kinds, ``status``,
    ``input_tokens``, ``cost_usd`` (None: unpriced), ``tokens_wasted``, ``cost_wasted_usd``."""
    b["sessions"] += 1
    b["loops"] += int(session.get("loops") or 0)
    for kind in LOOP_KINDS:
        b[kind] += int(session.get(kind) or 0)
    status = session.get("status")
    if status in STATUSES:
        b[status] += 1
    b["input_tokens"] += int(session.get("input_tokens") or 0)
    if session.get("cost_usd") is None or session.get("unpriced"):
        b["unpriced_sessions"] += 1
    else:  # dollars per loop and per session count only sessions whose every request is priced
        b["priced_cost_usd"] += float(session["cost_usd"])
        b["priced_loops"] += int(session.get("loops") or 0)
    b["cost_usd"] += float(session.get("cost_usd") or 0.0)
    b["tokens_wasted"] += int(session.get("tokens_wasted") or 0)
    b["cost_wasted_usd"] += float(session.get("cost_wasted_usd") or 0.0)


def finish(b: dict[str, Any]) -> dict[str, Any]:
    """Per-loop and per-session figures of a bucket (None where there is no loop or no session).
    Dollars per loop and per session are over the sessions whose every request is priced (an
    unpriced session's loops would otherwise make the others look cheap)."""
    loops, sessions, tokens = b["loops"], b["sessions"], b["input_tokens"]
    priced = b["unpriced_sessions"] < sessions
    b["cost_usd"] = round(b["cost_usd"], 4) if priced else None
    b["cost_wasted_usd"] = round(b["cost_wasted_usd"], 4)
    b["avoidable_share"] = b["tokens_wasted"] / tokens if tokens else 0.0
    b["tokens_per_loop"] = round(tokens / loops) if loops else None
    b["useful_tokens_per_loop"] = round((tokens - b["tokens_wasted"]) / loops) if loops else None
    b["avoidable_tokens_per_loop"] = round(b["tokens_wasted"] / loops) if loops else None
    priced_sessions = sessions - b["unpriced_sessions"]
    b["cost_per_loop"] = round(b["priced_cost_usd"] / b["priced_loops"], 4) if b["priced_loops"] else None
    b["tokens_per_session"] = round(tokens / sessions) if sessions else None
    b["cost_per_session"] = round(b["priced_cost_usd"] / priced_sessions, 4) if priced_sessions else None
    b["priced_cost_usd"] = round(b["priced_cost_usd"], 4)
    return b


def spikes(weeks: list[dict[str, Any]], sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Weeks (rows with ``project``, ``week``, ``tokens_per_loop``) and completed sessions (``project``,
    ``key``, ``title``, ``week``, ``tokens_per_loop``) far above their project's own median per loop,
    each with the sessions behind it: questions to look at."""
    out: list[dict[str, Any]] = []
    by_project: dict[str, list[dict[str, Any]]] = {}
    for w in weeks:
        if w.get("tokens_per_loop"):
            by_project.setdefault(w["project"], []).append(w)
    for project, rows in sorted(by_project.items()):
        if len(rows) < SPIKE_MIN_POINTS:
            continue
        median = statistics.median(r["tokens_per_loop"] for r in rows)
        for r in rows:
            if median and r["tokens_per_loop"] > SPIKE_RATIO * median:
                behind = [s for s in sessions if s["project"] == project and s.get("week") == r["week"]]
                out.append({"kind": "week", "project": project, "week": r["week"],
                            "tokens_per_loop": r["tokens_per_loop"], "project_median": round(median),
                            "ratio": round(r["tokens_per_loop"] / median, 1),
                            "sessions": [_ref(s) for s in sorted(behind, key=lambda s: -s["tokens_per_loop"])[:5]]})
    per_session: dict[str, list[dict[str, Any]]] = {}
    for s in sessions:
        if s.get("tokens_per_loop"):
            per_session.setdefault(s["project"], []).append(s)
    for project, rows in sorted(per_session.items()):
        if len(rows) < SPIKE_MIN_POINTS:
            continue
        median = statistics.median(r["tokens_per_loop"] for r in rows)
        for r in sorted(rows, key=lambda r: -r["tokens_per_loop"]):
            if median and r["tokens_per_loop"] > SPIKE_RATIO * median:
                out.append({"kind": "session", "project": project, "week": r.get("week"),
                            "tokens_per_loop": r["tokens_per_loop"], "project_median": round(median),
                            "ratio": round(r["tokens_per_loop"] / median, 1), "sessions": [_ref(r)]})
    return sorted(out, key=lambda x: -x["ratio"])


def _ref(s: dict[str, Any]) -> dict[str, Any]:
    return {k: s.get(k) for k in ("key", "title", "project", "started_at", "path", "loops", "tokens_per_loop")}
