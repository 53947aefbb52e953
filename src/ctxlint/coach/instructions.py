"""What the instruction files of each project in a history cost: what every agent loads at start,
times the requests measured in that project, priced at the project's cache-read rate."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ctxlint.coach.aggregate import compact_tokens, describe_period, is_session, period_days
from ctxlint.config import Config
from ctxlint.model import FileResult


def instruction_costs(results: Iterable[FileResult], config: Config, *,
                      project_roots: Iterable[str] = ()) -> list[dict[str, Any]]:
    """For every project of the history whose directory ctxlint may look at (inside the home
    directory or one of ``project_roots``: see ``core.inputs.transcript_project``): what each agent
    loads at start (``build_project``, git not asked), joined with the measured number of requests of
    that agent in that project (subagent requests included: they load the same files), priced at
    the median cache-read rate of those requests (the files sit in the cached prefix of every
    request)."""
    from ctxlint.core.inputs import transcript_project

    roots = tuple(project_roots)
    per_project: dict[str, list[FileResult]] = defaultdict(list)
    for r in results:
        project = (r.session or {}).get("project")
        if r.kind == "transcript" and isinstance(project, str) and project:
            per_project[project].append(r)
    out: list[dict[str, Any]] = []
    for project, rows in sorted(per_project.items()):
        where = transcript_project(project, roots)
        if where is None:
            continue
        try:
            out.extend(_project_instruction_cost(project, where, rows, config))
        except Exception:
            continue
    return sorted(out, key=lambda x: (-x["tokens"], x["project"], x["agent"]))


def _project_instruction_cost(project: str, root: Path, rows: list[FileResult],
                              config: Config) -> list[dict[str, Any]]:
    from ctxlint.core.findings import removable_per_request
    from ctxlint.core.inputs import project_instruction_sources
    from ctxlint.core.run import check_instructions
    from ctxlint.instructions.build import build_project
    from ctxlint.instructions.loadgraph import load_graph_json
    from ctxlint.measure.pricing import price_per_token

    sources = project_instruction_sources(root, config.exclude)
    if not sources:
        return []
    built = build_project(sources, root, config.requests_per_session, git_status=False,
                          timeout=config.timeout_per_file)
    findings = check_instructions(built, config, config.enabled_rules())
    every = [f for found in findings.values() for f in found]
    cuts = removable_per_request(every, {project: load_graph_json(built)})
    out: list[dict[str, Any]] = []
    for agent, load in built.loads.items():
        mine = [r for r in rows if r.agent == agent]
        loaded = [e for e in load.entries if not e.dropped and e.tokens]
        if not mine or not loaded:
            continue
        requests = sum(int((r.session or {}).get("requests") or 0) for r in mine)
        if not requests:
            continue
        # One cache-read rate per request: each file's requests priced at its (last) model's rate.
        weighted: list[tuple[float, int]] = []
        for r in mine:
            s = r.session or {}
            models = [m for m in s.get("models") or [] if m]
            rates = price_per_token(models[-1]) if models else None
            if rates is not None and int(s.get("requests") or 0):
                weighted.append((rates.cache_read, int(s["requests"])))
        read = _weighted_median(weighted)
        paths = {e.path for e in loaded}
        removable: Counter[str] = Counter()
        for path, found in findings.items():
            if path not in paths:
                continue
            for f in found:
                if f.tokens_wasted > 0 and f.kind == "instructions":
                    removable[f.rule_id] += f.tokens_wasted
        per_request = load.tokens
        cut = cuts.get(agent, 0)  # each token once, never above what the agent loads
        days = describe_period(mine)
        out.append({
            "project": project, "agent": agent,
            "files": [{"path": e.path, "tokens": e.tokens} for e in loaded],
            "tokens_per_request": per_request, "requests": requests, "sessions": sum(1 for r in mine if is_session(r)),
            "period": days, "tokens": per_request * requests,
            "cache_read_usd_per_mtok": round(read * 1e6, 4) if read is not None else None,
            "cost_usd": round(per_request * requests * read, 4) if read is not None else None,
            "removable_tokens_per_request": cut, "removable_by_rule": dict(sorted(removable.items())),
            "removable_tokens": cut * requests,
            "removable_cost_usd": round(cut * requests * read, 4) if read is not None else None,
            "assumption": ("every request re-sends the start-up instruction files from the prompt cache; priced at "
                           "the median cache-read rate of this project's requests"
                           if read is not None else "no price known for this project's models"),
        })
    return out


def _weighted_median(pairs: list[tuple[float, int]]) -> float | None:
    if not pairs:
        return None
    pairs = sorted(pairs)
    half = sum(w for _, w in pairs) / 2
    run = 0
    for value, w in pairs:
        run += w
        if run >= half:
            return value
    return pairs[-1][0]


def instruction_sentence(item: dict[str, Any]) -> str:
    """'CLAUDE.md (3,200 tokens) was sent with 41,300 requests in …: 132M tokens, $39.60; …'"""
    files = [f if isinstance(f, dict) else {"path": str(f), "tokens": None} for f in item.get("files") or []]

    def name(f: dict[str, Any]) -> str:
        shown = Path(f["path"]).name if len(files) > 2 else f["path"]
        return f"{shown} ({f['tokens']:,} tokens)" if f.get("tokens") is not None else shown

    names = ", ".join(name(f) for f in files[:4]) or "the instruction files"
    if len(files) > 4:
        names += f" and {len(files) - 4} more"
    names += f" ({item['tokens_per_request']:,} tokens in all)" if len(files) > 1 else ""
    cost = f", ${item['cost_usd']:,.2f}" if item.get("cost_usd") is not None else ""
    days = period_days(item.get("period") or "")
    when = f"over {days} days ({item['period']})" if days else "in this history"
    text = (f"{names} {'was' if len(files) == 1 else 'were'} sent with {item['requests']:,} {item['agent']} requests "
            f"{when}: {compact_tokens(item['tokens'])} tokens{cost}")
    if item.get("removable_tokens_per_request"):
        rules = "/".join(item["removable_by_rule"])
        text += f"; {rules} findings remove {item['removable_tokens_per_request']:,} of those tokens per request"
        if item.get("removable_cost_usd") is not None:
            text += f" (${item['removable_cost_usd']:,.2f})"
    return text
