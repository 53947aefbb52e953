"""The coach: which habits cost the most across many sessions, and what to change first.

Pure aggregation over per-file results (``FileResult``) — the same data `check` produces, so a
team-scale run (exported tables) and a laptop run agree. It reports habits and outcomes, never a
ranking of people: there is no per-person dimension here at all.
"""

from __future__ import annotations

import os
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ctxlint.config import Config
from ctxlint.model import FileResult


@dataclass(frozen=True, slots=True)
class Filters:
    since: date | None = None
    until: date | None = None
    project: str | None = None
    agent: str | None = None

    def keep(self, r: FileResult) -> bool:
        s = r.session or {}
        if self.agent and r.agent != self.agent:
            return False
        if self.project and self.project not in str(s.get("project") or r.path):
            return False
        day = _day(s.get("started_at"))
        if self.since and (day is None or day < self.since):
            return False
        return not (self.until and (day is None or day > self.until))


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def week_of(value: Any) -> str | None:
    day = _day(value)
    if day is None:
        return None
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _spent(s: dict[str, Any]) -> int:
    return sum(int(s.get(k) or 0) for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"))


def collect(paths: list[str], config: Config, *, use_cache: bool = True, jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> list[FileResult]:
    """Per-file results for every transcript under ``paths``: cached ones read in the parent, misses
    computed in a size-balanced process pool."""
    from ctxlint.cache import ResultCache
    from ctxlint.engine import _transcript_results
    from ctxlint.parsing.transcripts.discover import find_transcripts

    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            files.extend(find_transcripts(p))
        elif os.path.isfile(p):
            files.append(p)
    seen: set[str] = set()
    files = [f for f in files if not (os.path.realpath(f) in seen or seen.add(os.path.realpath(f)))]  # type: ignore[func-returns-value]
    cache = ResultCache(config) if use_cache else None
    results: dict[str, FileResult] = {}
    misses: list[str] = []
    for f in files:
        hit = cache.get(f) if cache else None
        if hit is not None:
            results[f] = hit
        else:
            misses.append(f)
    fresh = _transcript_results(misses, config, jobs, progress)
    if cache is not None:
        cache.put_many(list(zip(misses, fresh, strict=True)))
        cache.close()
    for f, r in zip(misses, fresh, strict=True):
        results[f] = r
    return [results[f] for f in files]


def aggregate(results: Iterable[FileResult], filters: Filters = Filters(), top: int = 10) -> dict[str, Any]:
    from ctxlint.registry import registry

    reg = registry()
    rows = [r for r in results if r.kind == "transcript" and r.session and filters.keep(r)]
    totals: Counter[str] = Counter()
    cost = 0.0
    priced = False
    price_table = None
    sessions = 0
    for r in rows:
        s = r.session or {}
        if not s.get("is_subagent"):
            sessions += 1
        for k in ("requests", "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens"):
            totals[k] += int(s.get(k) or 0)
        if s.get("cost_usd") is not None:
            cost += float(s["cost_usd"])
            priced = True
        price_table = price_table or s.get("price_table")
    spent = totals["input_tokens"] + totals["cache_creation_input_tokens"] + totals["cache_read_input_tokens"]

    habits: dict[str, dict[str, Any]] = {}
    fixes: dict[str, Counter[str]] = defaultdict(Counter)
    by_project: dict[str, dict[str, Any]] = {}
    weekly: dict[str, dict[str, Any]] = {}
    waste_tokens = 0
    waste_cost = 0.0
    for r in rows:
        s = r.session or {}
        project = str(s.get("project") or Path(r.path).parent.name)
        proj = by_project.setdefault(project, {"project": project, "sessions": 0, "requests": 0, "input_tokens": 0,
                                               "cost_usd": 0.0, "tokens_wasted": 0, "cost_wasted_usd": 0.0})
        proj["sessions"] += 0 if s.get("is_subagent") else 1
        proj["requests"] += int(s.get("requests") or 0)
        proj["input_tokens"] += _spent(s)
        proj["cost_usd"] += float(s.get("cost_usd") or 0.0)
        week = week_of(s.get("started_at")) or "unknown"
        wk = weekly.setdefault(week, {"week": week, "sessions": 0, "requests": 0, "input_tokens": 0, "cost_usd": 0.0,
                                      "tokens_wasted": 0, "cost_wasted_usd": 0.0})
        wk["sessions"] += 0 if s.get("is_subagent") else 1
        wk["requests"] += int(s.get("requests") or 0)
        wk["input_tokens"] += _spent(s)
        wk["cost_usd"] += float(s.get("cost_usd") or 0.0)
        hit_rules: set[str] = set()
        for f in r.findings:
            if f.kind != "transcript":
                continue
            h = habits.setdefault(f.rule_id, {"rule_id": f.rule_id, "name": f.rule_name, "findings": 0, "sessions": 0,
                                              "tokens_wasted": 0, "cost_wasted_usd": 0.0,
                                              "summary": reg[f.rule_id].meta.summary if f.rule_id in reg else ""})
            h["findings"] += 1
            h["tokens_wasted"] += f.tokens_wasted
            h["cost_wasted_usd"] += f.cost_wasted_usd or 0.0
            if f.fix:
                fixes[f.rule_id][_generic_fix(f.fix)] += 1
            hit_rules.add(f.rule_id)
            for bucket in (proj, wk):
                bucket["tokens_wasted"] += f.tokens_wasted
                bucket["cost_wasted_usd"] += f.cost_wasted_usd or 0.0
            waste_tokens += f.tokens_wasted
            waste_cost += f.cost_wasted_usd or 0.0
        for rule in hit_rules:
            habits[rule]["sessions"] += 1
    for rule, h in habits.items():
        common = fixes[rule].most_common(1)
        h["fix"] = common[0][0] if common else reg[rule].meta.fix.splitlines()[0] if rule in reg else ""
        h["share_of_waste"] = h["tokens_wasted"] / waste_tokens if waste_tokens else 0.0
    ranked = sorted(habits.values(), key=lambda h: (-h["tokens_wasted"], -h["cost_wasted_usd"], h["rule_id"]))
    for w in weekly.values():
        w["waste_share"] = w["tokens_wasted"] / w["input_tokens"] if w["input_tokens"] else 0.0

    health = [_health(r) for r in rows if not (r.session or {}).get("is_subagent")]
    costliest = sorted((h for h in health if h["timeline"]), key=lambda h: -(h["cost_usd"] or 0.0) or -h["input_tokens"])
    return {
        "totals": {"sessions": sessions, "files": len(rows), **dict(totals), "input_tokens_all": spent,
                   "cost_usd": round(cost, 4) if priced else None, "price_table": price_table},
        "waste": {"tokens": waste_tokens, "cost_usd": round(waste_cost, 4),
                  "share_of_input": waste_tokens / spent if spent else 0.0},
        "habits": ranked[:top],
        "by_rule": {h["rule_id"]: {"tokens_wasted": h["tokens_wasted"], "findings": h["findings"]} for h in ranked},
        "by_project": sorted(by_project.values(), key=lambda p: -p["tokens_wasted"]),
        "weekly": [weekly[k] for k in sorted(weekly)],
        "sessions": sorted(health, key=lambda h: -(h["peak_fill"] or 0.0)),
        "costliest": costliest[:5],
    }


def _generic_fix(fix: str) -> str:
    """Fix texts mention line numbers and file names; the habit's fix is the text without them."""
    import re

    text = re.sub(r"\bline \d+\b", "line N", fix)
    return re.sub(r"\(line \d+\)", "", text).strip()


def _health(r: FileResult) -> dict[str, Any]:
    s = r.session or {}
    window = s.get("context_window")
    timeline = r.timeline or {}
    series = list(timeline.get("context") or [])
    peak = int(s.get("peak_context_tokens") or 0)
    above = sum(1 for c in series if window and c > 0.8 * window) * int(timeline.get("step") or 1)
    return {
        "path": r.path, "project": s.get("project"), "agent": r.agent, "started_at": s.get("started_at"),
        "requests": int(s.get("requests") or 0), "input_tokens": _spent(s), "cost_usd": s.get("cost_usd"),
        "peak_context_tokens": peak, "context_window": window,
        "peak_fill": round(peak / window, 4) if window else None, "compactions": int(s.get("compactions") or 0),
        "requests_above_80pct": above, "tokens_wasted": sum(f.tokens_wasted for f in r.findings),
        "timeline": timeline if series else None,
    }


def instruction_costs(results: Iterable[FileResult], config: Config, days: int | None = None) -> list[dict[str, Any]]:
    """For every project of the history that exists on disk: its start-up instruction files joined
    with the measured number of requests, priced at that project's median cache-read rate."""
    from ctxlint.instructions.build import build_project
    from ctxlint.instructions.discover import discover_instructions
    from ctxlint.pricing import price_per_token

    per_project: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        project = (r.session or {}).get("project")
        if isinstance(project, str) and project:
            per_project[project].append(r)
    out: list[dict[str, Any]] = []
    for project, rows in sorted(per_project.items()):
        if not os.path.isdir(project):
            continue
        sources = discover_instructions(Path(project))
        if not sources:
            continue
        built = build_project(sources, Path(project), config.requests_per_session)
        agents = {r.agent for r in rows}
        requests = sum(int((r.session or {}).get("requests") or 0) for r in rows)
        rates = [price_per_token(m) for r in rows for m in (r.session or {}).get("models") or []]
        read_rates = [x.cache_read for x in rates if x is not None]
        read = statistics.median(read_rates) if read_rates else None
        for agent, load in built.loads.items():
            if agent not in agents or not load.entries:
                continue
            tokens = load.tokens
            out.append({
                "project": project, "agent": agent, "files": [e.path for e in load.entries],
                "tokens_per_request": tokens, "requests": requests, "tokens": tokens * requests,
                "cost_usd": round(tokens * requests * read, 4) if read is not None else None,
                "assumption": "priced at the project's median cache-read rate",
            })
    return out


def describe_period(results: list[FileResult]) -> str:
    days = sorted(d for d in (_day((r.session or {}).get("started_at")) for r in results) if d)
    if not days:
        return "no dated sessions"
    return f"{days[0].isoformat()} → {days[-1].isoformat()}"


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
