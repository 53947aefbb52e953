"""The coach: which habits cost the most across many sessions, and what to change first.

Pure aggregation over per-file results (``FileResult``) — the same data `check` produces, so a
team-scale run (exported tables) and a laptop run agree. It reports habits and outcomes, never a
ranking of people: there is no per-person dimension here at all.

Sessions: a subagent file (``session.is_subagent``) rolls up into its parent session (same agent and
session id): it is never counted as a session of its own, but its requests, tokens, dollars and
findings count, and a habit seen only in a subagent still marks the parent session as affected.
"""

from __future__ import annotations

import re
import shlex
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ctxlint.coach import outcomes as loops
from ctxlint.measure.window import NEAR_LIMIT, usable_window
from ctxlint.model import Basis, FileResult, Finding
from ctxlint.transcripts.session_facts import counted_once

TOKEN_KINDS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens")
HOT_FILL = NEAR_LIMIT  # "near the limit": above 80% of the usable window (measure.window, as CTX206)
DRILL_SESSIONS = 25  # sessions listed under each habit (the rest are counted)
DRILL_FINDINGS = 8  # findings listed under each session of a habit
QUOTE_CHARS = 160  # what happened, quoted from the finding: masked, then cut
MAX_TREND_WEEKS = 156  # gaps between weeks are filled with zero rows up to this many weeks


@dataclass(frozen=True, slots=True)
class Filters:
    """Which sessions a coach report covers (dates, project, agent)."""

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
    day = value if isinstance(value, date) else _day(value)
    if day is None:
        return None
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)") from None


def _spent(s: dict[str, Any]) -> int:
    """Input tokens of every kind (what was sent), from the reported usage; where the agent records
    only a cache-inclusive total (Goose), that total."""
    total = s.get("input_tokens_including_cache")
    if isinstance(total, int):
        return total
    return sum(int(s.get(k) or 0) for k in TOKEN_KINDS[:3])


# ---------------------------------------------------------------------------------------------
# Rule metadata


def rule_meta(rule_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """name / summary / fix of each rule id, from the rule metadata (cached: a warm re-run parses no YAML)."""
    from ctxlint.rules.registry import all_metadata

    metas = all_metadata()
    return {rid: {"name": metas[rid].name, "summary": metas[rid].summary, "fix": metas[rid].fix}
            for rid in sorted(set(rule_ids)) if rid in metas}


def one_fix(text: str) -> str:
    """The first sentence/paragraph of a rule's fix text, on one line."""
    para = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    para = " ".join(line.strip() for line in para.splitlines())
    if len(para) > 320:
        cut = max(para.rfind(". ", 0, 320), para.rfind("; ", 0, 320))
        para = para[: cut + 1] if cut > 60 else para[:317].rstrip() + "…"
    return para


def generic_fix(fix: str) -> str:
    """A fix text without its line numbers: findings whose fixes differ only there are the same fix
    (for counting; the example shown is one real finding's fix, with its real line)."""
    text = re.sub(r"\s*\((?:at |see )?lines? \d+(?:[–-]\d+)?\)", "", fix)
    text = re.sub(r"\blines? \d+(?:[–-]\d+)?\b", "line N", text)
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------
# Aggregation


def session_key(r: FileResult) -> str:
    """The session a file belongs to: a subagent file shares its parent's key."""
    s = r.session or {}
    sid = s.get("session_id")
    if sid:
        return f"{r.agent}:{sid}"
    parts = Path(r.path).parts
    if s.get("is_subagent") and "subagents" in parts:
        i = parts.index("subagents")
        if i > 0:
            return f"{r.agent}:{parts[i - 1]}"
    return f"{r.agent}:{r.path}"


def is_session(r: FileResult) -> bool:
    return not (r.session or {}).get("is_subagent")


def aggregate(results: Iterable[FileResult], filters: Filters | None = None, top: int = 10,
              meta: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """The coach's whole report as plain data (what the text, JSON and HTML reporters render)."""
    filters = filters or Filters()
    rows = [r for r in results if r.kind == "transcript" and r.session and filters.keep(r)]
    # A resumed Codex rollout copies the requests of the session it resumed: counted once when both are here.
    rows = [r if once is r.session else replace(r, session=once)
            for r, once in zip(rows, counted_once([r.session or {} for r in rows]), strict=True)]
    rule_ids = {f.rule_id for r in rows for f in r.findings if f.kind == "transcript"}
    meta = meta if meta is not None else rule_meta(rule_ids)

    # Group files into sessions: the main file plus its subagent files.
    groups: dict[str, list[FileResult]] = defaultdict(list)
    for r in rows:
        groups[session_key(r)].append(r)
    main_of: dict[str, FileResult | None] = {k: next((r for r in v if is_session(r)), None) for k, v in groups.items()}

    totals: Counter[str] = Counter()
    cost = 0.0
    priced = False
    tables: Counter[str] = Counter()
    for r in rows:
        s = r.session or {}
        totals["requests"] += int(s.get("requests") or 0)
        for k in TOKEN_KINDS:
            totals[k] += int(s.get(k) or 0)
        if s.get("cost_usd") is not None:
            cost += float(s["cost_usd"])
            priced = True
        if s.get("price_table"):
            tables[str(s["price_table"])] += 1
        if s.get("unpriced_requests"):
            totals["unpriced_requests"] += int(s["unpriced_requests"])
    spent = sum(_spent(r.session or {}) for r in rows)
    sessions = sum(1 for m in main_of.values() if m is not None)

    habits: dict[str, dict[str, Any]] = {}
    habit_sessions: dict[str, set[str]] = defaultdict(set)
    fixes: dict[str, Counter[str]] = defaultdict(Counter)
    drill: dict[str, dict[str, list[Finding]]] = defaultdict(dict)
    by_project: dict[str, dict[str, Any]] = {}
    project_sessions: dict[str, set[str]] = defaultdict(set)
    weekly: dict[str, dict[str, Any]] = {}
    waste_tokens = 0
    waste_cost = 0.0
    # measured and modelled waste are carried apart: a counterfactual saving never hides in a measured total
    waste_by_basis: dict[str, dict[str, Any]] = {b.value: {"tokens": 0, "cost_usd": 0.0} for b in Basis}
    for key, files in groups.items():
        main = main_of[key]
        head = main or files[0]
        hs = head.session or {}
        project = str(hs.get("project") or Path(head.path).parent.name)
        week = week_of(hs.get("started_at")) or "unknown"
        proj = by_project.setdefault(project, _bucket(project=project))
        wk = weekly.setdefault(week, _bucket(week=week))
        if main is not None:
            proj["sessions"] += 1
            wk["sessions"] += 1
            project_sessions[project].add(key)
        for r in files:
            s = r.session or {}
            for bucket in (proj, wk):
                bucket["requests"] += int(s.get("requests") or 0)
                bucket["input_tokens"] += _spent(s)
                bucket["cost_usd"] += float(s.get("cost_usd") or 0.0)
                bucket["priced"] += s.get("cost_usd") is not None
            for f in r.findings:
                if f.kind != "transcript":
                    continue
                m = meta.get(f.rule_id, {})
                h = habits.setdefault(f.rule_id, {
                    "rule_id": f.rule_id, "name": f.rule_name, "findings": 0, "sessions": 0,
                    "tokens_wasted": 0, "cost_wasted_usd": 0.0, "summary": m.get("summary", ""),
                    "fix": one_fix(m.get("fix", "")), "by_basis": {}, "cost_by_basis": {},
                })
                h["findings"] += 1
                h["tokens_wasted"] += f.tokens_wasted
                h["cost_wasted_usd"] += f.cost_wasted_usd or 0.0
                h["by_basis"][f.basis.value] = h["by_basis"].get(f.basis.value, 0) + f.tokens_wasted
                h["cost_by_basis"][f.basis.value] = h["cost_by_basis"].get(f.basis.value, 0.0) + (f.cost_wasted_usd or 0.0)
                waste_by_basis[f.basis.value]["tokens"] += f.tokens_wasted
                waste_by_basis[f.basis.value]["cost_usd"] += f.cost_wasted_usd or 0.0
                habit_sessions[f.rule_id].add(key)
                if f.fix:
                    fixes[f.rule_id][generic_fix(f.fix)] += 1
                drill[f.rule_id].setdefault(key, []).append(f)
                for bucket in (proj, wk):
                    bucket["tokens_wasted"] += f.tokens_wasted
                    bucket["cost_wasted_usd"] += f.cost_wasted_usd or 0.0
                    bucket["findings"] += 1
                waste_tokens += f.tokens_wasted
                waste_cost += f.cost_wasted_usd or 0.0

    for rule, h in habits.items():
        h["sessions"] = len(habit_sessions[rule])
        h["share_of_sessions"] = h["sessions"] / sessions if sessions else 0.0
        common = fixes[rule].most_common(1)
        shape = common[0][0] if common else ""
        if shape and shape.rstrip(",;:. ") in " ".join(meta.get(rule, {}).get("fix", "").split()):
            shape = ""  # the finding only repeated the rule's own fix text
        # the example is one real finding of the most common fix, the costliest, with its real line
        real = max((f for fs in drill[rule].values() for f in fs if f.fix and generic_fix(f.fix) == shape),
                   key=lambda f: (f.cost_wasted_usd or 0.0, f.tokens_wasted), default=None) if shape else None
        h["example_fix"] = real.fix if real is not None else ""
        h["example_fix_count"] = common[0][1] if common and shape else 0
        h["example_session"] = _session_ref(groups, main_of, _key_of(drill[rule], real)) if real is not None else None
        h["sessions_list"], h["more_sessions"] = _drill(rule, drill[rule], groups, main_of)
        h["unpriced_tokens"] = sum(f.tokens_wasted for fs in drill[rule].values() for f in fs
                                   if f.cost_wasted_usd is None)
        if not h["fix"]:
            h["fix"] = h["example_fix"]
        # the habit's basis: the one that carries most of its tokens (a sub-check may differ)
        h["basis"] = max(sorted(h["by_basis"]), key=lambda b: h["by_basis"][b]) if h["by_basis"] else None
        h["share_of_waste"] = h["tokens_wasted"] / waste_tokens if waste_tokens else 0.0
        h["share_of_waste_cost"] = h["cost_wasted_usd"] / waste_cost if waste_cost else 0.0
    # One ranking, used everywhere (text, markdown, JSON, the bars of the HTML chart): by dollars
    # where the waste is priced (a cache rebuild costs dollars without re-sending tokens), by tokens
    # when nothing is priced.
    rank_by = "cost" if waste_cost > 0 else "tokens"
    by_tokens = sorted(habits.values(), key=lambda h: (-h["tokens_wasted"], -h["cost_wasted_usd"], h["rule_id"]))
    by_cost = sorted(habits.values(), key=lambda h: (-h["cost_wasted_usd"], -h["tokens_wasted"], h["rule_id"]))
    ranked = by_cost if rank_by == "cost" else by_tokens
    for i, h in enumerate(ranked, 1):
        h["rank"] = i
        h["cost_rank"] = by_cost.index(h) + 1
        h["cost_wasted_usd"] = round(h["cost_wasted_usd"], 4)
    for b in (*by_project.values(), *weekly.values()):
        b["waste_share"] = b["tokens_wasted"] / b["input_tokens"] if b["input_tokens"] else 0.0
        b["cost_usd"] = round(b["cost_usd"], 4)
        b["cost_wasted_usd"] = round(b["cost_wasted_usd"], 4)

    health = [_health(k, main, groups[k]) for k, main in main_of.items() if main is not None]
    # Charts pick the costliest sessions by dollars only when every session is priced: an unpriced
    # session (often the largest) would otherwise vanish from them. Else by tokens, for all.
    every_priced = all(h["cost_usd"] is not None and not h["unpriced_requests"] for h in health)
    chosen_by = "cost" if every_priced else "tokens"
    costliest = sorted((h for h in health if h["timeline"]),
                       key=lambda h: ((-(h["cost_usd"] or 0.0), -h["input_tokens"], h["path"]) if every_priced
                                      else (-h["input_tokens"], h["path"])))
    table = tables.most_common(1)[0][0] if tables else None
    unpriced_sessions = sorted((h for h in health if h["cost_usd"] is None or h["unpriced_requests"]),
                               key=lambda h: -h["input_tokens"])
    largest = max(health, key=lambda h: h["input_tokens"], default=None)
    return {
        "totals": {
            "sessions": sessions, "files": len(rows), **{k: totals[k] for k in ("requests", *TOKEN_KINDS)},
            "input_tokens_all": spent, "cost_usd": round(cost, 4) if priced else None, "price_table": table,
            # what the spend leaves out: requests no price table knows, and whether the largest session is one
            "unpriced_requests": totals["unpriced_requests"], "unpriced_sessions": len(unpriced_sessions),
            "largest_session_unpriced": largest is not None and largest in unpriced_sessions,
        },
        "waste": {"tokens": waste_tokens, "cost_usd": round(waste_cost, 4),
                  "share_of_input": waste_tokens / spent if spent else 0.0,
                  "share_of_cost": waste_cost / cost if cost else 0.0,
                  "by_basis": {b: {"tokens": v["tokens"], "cost_usd": round(v["cost_usd"], 4)}
                               for b, v in waste_by_basis.items()},
                  "ranked_by_cost": [h["rule_id"] for h in by_cost],
                  "unpriced_requests": totals["unpriced_requests"]},
        "habits": ranked[:top],
        "habits_ranked_by": rank_by,
        "by_rule": {h["rule_id"]: {"tokens_wasted": h["tokens_wasted"], "findings": h["findings"]} for h in ranked},
        "by_project": sorted(by_project.values(), key=lambda p: (-p["tokens_wasted"], -p["input_tokens"], p["project"])),
        "weekly": [weekly[k] for k in sorted(weekly)],
        "sessions": sorted(health, key=lambda h: (-(h["peak_fill"] or 0.0), -h["input_tokens"], h["path"])),
        "costliest": costliest[:5],
        "costliest_chosen_by": chosen_by,
        "outcomes": outcome_report(health),
        "period": describe_period(rows),
    }


def _bucket(**name: str) -> dict[str, Any]:
    return {**name, "sessions": 0, "requests": 0, "input_tokens": 0, "cost_usd": 0.0, "priced": 0, "findings": 0,
            "tokens_wasted": 0, "cost_wasted_usd": 0.0}


def trend(weekly: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Weeks in order, gaps filled with empty weeks so a trend line is honest; undated sessions last."""
    by_week = {w["week"]: w for w in weekly}
    dated = {k: v for k, v in by_week.items() if k != "unknown"}
    out: list[dict[str, Any]] = []
    if dated:
        first, last = (_monday(min(dated)), _monday(max(dated)))
        if (last - first).days // 7 <= MAX_TREND_WEEKS:
            day = first
            while day <= last:
                wk = week_of(day)
                assert wk is not None
                out.append(dated.get(wk) or {**_bucket(week=wk), "waste_share": 0.0})
                day += timedelta(days=7)
        else:
            out = [dated[k] for k in sorted(dated)]
    if "unknown" in by_week:
        out.append(by_week["unknown"])
    return out


def _monday(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def _health(key: str, main: FileResult, files: list[FileResult]) -> dict[str, Any]:
    """One main session (its subagents' tokens, dollars, findings and loops added): context health on
    the usable window (``measure.window``, the figure CTX206 uses), what it bought, how to look at it."""
    s = main.session or {}
    window = s.get("context_window")
    usable = s.get("usable_window") or usable_window(main.agent or "", window)
    timeline = main.timeline or {}
    series = [int(c) for c in timeline.get("context") or []]
    step = int(timeline.get("step") or 1)
    peak = int(s.get("peak_context_tokens") or 0)
    near = s.get("requests_near_limit")
    if near is None:  # a result from before the facts counted it: from the (downsampled) timeline
        near = sum(1 for c in series if usable and c > HOT_FILL * usable) * step
    costs = [float(f.session["cost_usd"]) for f in files if f.session and f.session.get("cost_usd") is not None]
    found = [f for r in files for f in r.findings if f.kind == "transcript"]
    wasted_costs = [f.cost_wasted_usd for f in found if f.cost_wasted_usd is not None]
    done = _rolled_outcomes(main, files)
    return {
        "key": key, "path": main.path, "session_id": s.get("session_id"), "project": s.get("project"),
        "title": s.get("title"), "agent": main.agent, "started_at": s.get("started_at"),
        "week": week_of(s.get("started_at")) or "unknown", "subagent_files": len(files) - 1,
        "requests": sum(int((f.session or {}).get("requests") or 0) for f in files),
        "input_tokens": sum(_spent(f.session or {}) for f in files),
        "cost_usd": round(sum(costs), 4) if costs else None,
        "unpriced_requests": sum(int((f.session or {}).get("unpriced_requests") or 0) for f in files),
        "peak_context_tokens": peak, "context_window": window, "usable_window": usable,
        "peak_fill": round(peak / usable, 4) if usable else None, "compactions": int(s.get("compactions") or 0),
        "requests_above_80pct": int(near),
        "tokens_wasted": sum(f.tokens_wasted for f in found),
        "cost_wasted_usd": round(sum(c or 0.0 for c in wasted_costs), 4),
        **done,
        "tokens_per_loop": round(sum(_spent(f.session or {}) for f in files) / done["loops"]) if done["loops"] else None,
        "command": f"ctxlint check {shlex.quote(main.path)}",
        "timeline": timeline if series else None,
    }


def _rolled_outcomes(main: FileResult, files: list[FileResult]) -> dict[str, Any]:
    """The loops of a session and its subagent files (a subagent's commit is the session's)."""
    facts = [(f.session or {}).get("outcomes") or {} for f in files]
    out: dict[str, Any] = {k: sum(int(o.get(k) or 0) for o in facts) for k in ("loops", *loops.LOOP_KINDS, "edits")}
    out["status"] = "completed" if out["loops"] else "open" if out["edits"] else "no-edits"
    out["ends_open"] = bool(((main.session or {}).get("outcomes") or {}).get("ends_open"))
    out["loop_evidence"] = [e for o in facts for e in o.get("evidence") or []][:5]
    return out


def outcome_report(health: list[dict[str, Any]]) -> dict[str, Any]:
    """Loops per project and per week, both denominators, and the spikes worth a look, from one row
    per main session (``_health``'s keys; the team report builds the same rows from its tables)."""
    total = loops.bucket()
    projects: dict[str, dict[str, Any]] = {}
    weeks: dict[str, dict[str, Any]] = {}
    project_weeks: dict[tuple[str, str], dict[str, Any]] = {}
    for h in health:
        project = str(h.get("project") or Path(h["path"]).parent.name)
        row = {**h, "unpriced": bool(h["unpriced_requests"])}
        for b in (total, projects.setdefault(project, loops.bucket(project=project)),
                  weeks.setdefault(h["week"], loops.bucket(week=h["week"])),
                  project_weeks.setdefault((project, h["week"]), loops.bucket(project=project, week=h["week"]))):
            loops.add(b, row)
    for b in (total, *projects.values(), *weeks.values(), *project_weeks.values()):
        loops.finish(b)
    completed = [{**h, "project": str(h.get("project") or Path(h["path"]).parent.name)}
                 for h in health if h["loops"]]
    return {
        "totals": total,
        "by_project": sorted(projects.values(), key=lambda b: (-b["loops"], -b["input_tokens"], b["project"])),
        "by_week": [weeks[k] for k in sorted(weeks)],
        "spikes": loops.spikes(list(project_weeks.values()), completed),
    }


def _key_of(by_session: dict[str, list[Finding]], finding: Finding | None) -> str | None:
    return next((k for k, fs in by_session.items() if finding in fs), None)


def _session_ref(groups: dict[str, list[FileResult]], main_of: dict[str, FileResult | None],
                 key: str | None) -> dict[str, Any] | None:
    if key is None:
        return None
    head = main_of.get(key) or groups[key][0]
    s = head.session or {}
    return {"key": key, "project": s.get("project") or Path(head.path).parent.name, "title": s.get("title"),
            "started_at": s.get("started_at"), "path": head.path}


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A finding's message as a report quotes it: one line, secrets masked *before* it is cut."""
    from ctxlint.measure.secrets import mask

    line = mask(" ".join(text.split()))
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _drill(rule: str, by_session: dict[str, list[Finding]], groups: dict[str, list[FileResult]],
           main_of: dict[str, FileResult | None]) -> tuple[list[dict[str, Any]], int]:
    """The sessions of one habit, costliest first, each with its findings: the real line, what
    happened (quoted, masked), and the command that shows it."""
    rows: list[dict[str, Any]] = []
    for key, found in by_session.items():
        ref = _session_ref(groups, main_of, key)
        assert ref is not None
        costs = [f.cost_wasted_usd for f in found if f.cost_wasted_usd is not None]
        found = sorted(found, key=lambda f: (-(f.cost_wasted_usd or 0.0), -f.tokens_wasted, f.path, f.line))
        rows.append({**ref, "tokens": sum(f.tokens_wasted for f in found),
                     "cost_usd": round(sum(c or 0.0 for c in costs), 4) if costs else None,
                     "findings": [{"path": f.path, "line": f.line, "quote": quote(f.message),
                                   "tokens": f.tokens_wasted, "cost_usd": f.cost_wasted_usd, "basis": f.basis.value,
                                   "fix": quote(f.fix or "", 400),
                                   "command": f"ctxlint check {shlex.quote(f.path)} --select {rule}"}
                                  for f in found[:DRILL_FINDINGS]],
                     "more_findings": max(0, len(found) - DRILL_FINDINGS)})
    rows.sort(key=lambda r: (-(r["cost_usd"] or 0.0), -r["tokens"], str(r["path"])))
    return rows[:DRILL_SESSIONS], max(0, len(rows) - DRILL_SESSIONS)


def describe_period(results: Iterable[FileResult]) -> str:
    days = sorted(d for d in (_day((r.session or {}).get("started_at")) for r in results) if d)
    if not days:
        return "no dated sessions"
    return f"{days[0].isoformat()} → {days[-1].isoformat()}"


def period_days(period: str) -> int | None:
    """Days covered by a ``describe_period`` string ('2026-01-01 → 2026-01-30' -> 30)."""
    parts = [_day(p.strip()) for p in period.split("→")]
    if len(parts) != 2 or parts[0] is None or parts[1] is None:
        return None
    return (parts[1] - parts[0]).days + 1


def compact_tokens(n: float) -> str:
    """132,000,000 -> '132M'; 41,300 -> '41.3k'."""
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            v = n / div
            return f"{v:.0f}{unit}" if v >= 100 else f"{v:.1f}{unit}".replace(".0" + unit, unit)
    return f"{int(n):,}"


def median_requests(results: Iterable[FileResult]) -> int | None:
    """Median requests per main session (its subagents' requests rolled in), None when none."""
    groups: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        if r.kind == "transcript" and r.session:
            groups[session_key(r)].append(r)
    counts = [sum(int((f.session or {}).get("requests") or 0) for f in files)
              for files in groups.values() if any(is_session(f) for f in files)]
    counts = [c for c in counts if c > 0]
    return round(statistics.median(counts)) if counts else None
