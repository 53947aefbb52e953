"""Where a running session stands: what the statusline and the hooks say about it.

``snapshot`` audits a Claude Code session — its transcript and its subagents' — read on from where
the last audit stopped (``live.session``), and sums it up as plain data: the fill of the context and
the room left before auto-compaction (the usable window of CTX206, ``measure.window``), the
spend so far, the avoidable part (measured and modelled, never added without saying which), the
session budget's overruns and the one nudge most worth showing now. Every string in it that comes from
the transcript (a file name, a command) is masked and made printable here, before it is kept.
"""

from __future__ import annotations

import glob
import os
import time
from dataclasses import dataclass
from typing import Any

from ctxlint.config import Config
from ctxlint.model import FileResult, Finding

NAME_CHARS = 40  # a file name or command inside a nudge


def session_files(transcript: str) -> list[str]:
    """A Claude Code session's transcript and its subagents' (``<session>/subagents/*.jsonl``)."""
    stem = os.path.basename(transcript)
    stem = stem[: -len(".jsonl")] if stem.endswith(".jsonl") else stem
    folder = os.path.join(os.path.dirname(transcript), stem, "subagents")
    return [transcript, *sorted(glob.glob(os.path.join(glob.escape(folder), "*.jsonl")))]


@dataclass(slots=True)
class Snapshot:
    """A session summed up; ``data`` is what the statusline keeps (``statusline.render`` reads it)."""

    data: dict[str, Any]
    findings: list[Finding]  # the main transcript's, for the hooks
    results: list[FileResult]  # each file's (the transcript's, then its subagents'), as session_files lists them


def snapshot(transcript: str, config: Config, *, window: int | None = None, to_end: bool = False) -> Snapshot:
    """The session of ``transcript`` as far as it is written (``to_end``: all of it, the session has
    ended). ``window``: the context window the agent reports (Claude Code's statusLine input), else
    the session's own."""
    from ctxlint._runtime.cache import file_stamp
    from ctxlint.live import session
    from ctxlint.measure import pricing
    from ctxlint.measure.budget import check, spent_of
    from ctxlint.measure.window import usable_window

    started = time.perf_counter()
    stamp = file_stamp(transcript)
    files = [session.audit(f, config, to_end=to_end) for f in session_files(transcript)]
    pricing.save_new_rates({})  # a model priced here for the first time is not looked up again
    main = files[0]
    facts = main.result.session or {}
    agent = main.result.agent or "claude-code"
    size = window or facts.get("context_window")
    spent = spent_of(f.result for f in files)
    by_basis: dict[str, dict[str, Any]] = {}
    for f in files:
        for finding in f.result.findings:
            if finding.kind != "transcript":
                continue
            entry = by_basis.setdefault(finding.basis.value, {"tokens": 0, "usd": None})
            entry["tokens"] += finding.tokens_wasted
            if finding.cost_wasted_usd is not None:
                entry["usd"] = (entry["usd"] or 0.0) + finding.cost_wasted_usd
    nudges = nudge_templates()
    data = {
        "stamp": stamp,
        "agent": agent,
        "requests": facts.get("requests") or 0,
        "tokens": spent.tokens,
        "spend_usd": spent.usd,
        "avoidable": by_basis,
        "fill": main.last_context,
        "boundary": main.last_boundary,
        "window": size,
        "usable": usable_window(agent, window) if window else facts.get("usable_window"),
        "fill_ratio": config.options_for("CTX206")["fill-ratio"] if "CTX206" in config.enabled_rules() else 0.8,
        "fill_nudges": {k: nudges.get(k) for k in ("fill", "full")},
        "nudge": nudge(main.result.findings, main.last_boundary, nudges),
        "budget": [o.message() for o in check(config.budget.session, spent, "session")],
        "audit_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return Snapshot(data, main.result.findings, [f.result for f in files])


def nudge_templates() -> dict[str, Any]:
    from ctxlint.rules.registry import shared_data

    try:
        return shared_data("nudges")
    except OSError:
        return {}


def nudge(findings: list[Finding], boundary: int, templates: dict[str, Any]) -> str | None:
    """The nudge for the most recent transcript finding still in the context (after the last compaction
    or /clear); None when there is none."""
    current = [f for f in findings if f.kind == "transcript" and f.line > boundary and f.rule_id in templates]
    if not current:
        return None
    latest = max(current, key=lambda f: (f.end_line, f.line, f.tokens_wasted))
    return nudge_text(latest, templates[latest.rule_id])


def nudge_text(finding: Finding, template: Any) -> str | None:
    if not isinstance(template, dict):
        return None
    text, plain = template.get("text"), template.get("plain")
    fields = _fields(finding.data)
    if isinstance(text, str):
        try:
            return text.format_map(fields)
        except (KeyError, ValueError, IndexError):
            pass
    return plain if isinstance(plain, str) else None


def _fields(data: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(data.get("file"), str):
        out["file"] = printable(os.path.basename(data["file"].rstrip("/")) or data["file"])
    if isinstance(data.get("what"), str):
        out["what"] = printable(data["what"])
    if isinstance(data.get("reads"), int):
        out["nth"] = ordinal(data["reads"])
    if isinstance(data.get("times"), int):
        out["times"] = str(data["times"])
    if isinstance(data.get("tokens"), int):
        from ctxlint.live.line import short

        out["tokens"] = f"{short(data['tokens'])} tokens"
    return out


def printable(text: str, limit: int = NAME_CHARS) -> str:
    """A string from a transcript as a nudge may show it: secrets masked before it is cut, made
    printable on one line (``_runtime.safeout``), at most ``limit`` characters."""
    from ctxlint._runtime.safeout import one_line
    from ctxlint.measure.secrets import mask

    text = one_line(mask(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
