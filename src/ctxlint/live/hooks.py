"""``ctxlint hook``: one entry for the agents' hook events (docs/agents/hooks.md, docs/live.md).

* Claude Code ``Stop``/``SubagentStop``/``PreCompact``/``SessionEnd`` (and Codex's lifecycle hooks,
  the same shape): JSON on stdin with ``transcript_path``; the answer is ``{"systemMessage": …,
  "suppressOutput": true}`` on stdout, which the **user** sees and the model never does. Nothing is
  printed when there is nothing new to say. ``--inject`` puts one short line into the model's context
  instead, only where the agent allows it (``additionalContext`` on ``UserPromptSubmit``,
  ``SessionStart`` and ``PostToolUse``); on the other events it changes nothing.
* Codex ``notify``: the JSON is the last argument and there is no transcript path: the rollout is
  found by its thread id under ``$CODEX_HOME/sessions``. Codex ignores what a notifier prints; the hook
  keeps the session's audit current (the coach's cache) and runs the user's own notifier, when the
  installer chained one (the arguments after ``--``), with the same argument.
* Gemini CLI ``AfterAgent``/``PreCompress``/``SessionEnd``: JSON on stdin; the answer is
  ``{"systemMessage": …}`` (stdout must be JSON only).

``SessionEnd`` (and Gemini's) audits the whole session and writes every file's result into the
coach's cache, so the next ``ctxlint coach`` reads it instead of auditing it. A hook never blocks the
agent and never fails it: any error ends in exit 0 with nothing printed (``CTXLINT_DEBUG`` shows it).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAID = "live-said"  # what the hooks already told the user about a session
INJECTABLE = ("UserPromptSubmit", "SessionStart", "PostToolUse")
TURN_ENDS = ("Stop", "AfterAgent", "notify")  # Claude Code's and Codex's Stop, Gemini CLI's AfterAgent
WEEK_SECONDS = 7 * 24 * 3600


@dataclass(slots=True)
class Event:
    agent: str  # claude-code | codex | gemini
    name: str  # Stop, SubagentStop, PreCompact, SessionEnd, notify, AfterAgent, PreCompress, ...
    transcript: str | None
    cwd: str | None
    payload: dict[str, Any]


def event_of(agent: str, stdin: bytes, args: list[str]) -> Event | None:
    """The event an agent sent: Codex's notify JSON is the last argument, every other one comes on stdin."""
    if agent == "codex" and args:
        try:
            payload = json.loads(args[-1])
        except ValueError:
            return None
        if not isinstance(payload, dict):
            return None
        thread = payload.get("thread-id")
        cwd = payload.get("cwd")
        return Event("codex", "notify", codex_rollout(thread) if isinstance(thread, str) else None,
                     cwd if isinstance(cwd, str) else None, payload)
    try:
        payload = json.loads(stdin) if stdin.strip() else None
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    name = payload.get("hook_event_name")
    transcript = payload.get("transcript_path")
    if not isinstance(transcript, str) or not transcript:
        session = payload.get("session_id")
        transcript = codex_rollout(session) if agent == "codex" and isinstance(session, str) else None
    cwd = payload.get("cwd")
    return Event(agent, name if isinstance(name, str) else "", transcript, cwd if isinstance(cwd, str) else None,
                 payload)


def codex_rollout(thread_id: str) -> str | None:
    """The rollout of a Codex thread: ``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*-<thread id>.jsonl``,
    newest day first."""
    if not thread_id or "/" in thread_id or "\\" in thread_id or thread_id.startswith("."):
        return None
    root = Path(os.environ.get("CODEX_HOME") or Path.home() / ".codex") / "sessions"
    days = sorted(root.glob("*/*/*"), reverse=True) if root.is_dir() else []
    for day in days:
        found = sorted(day.glob(f"rollout-*-{thread_id}.jsonl"))
        if found:
            return str(found[-1])
    return None


def handle(event: Event, *, inject: bool = False) -> dict[str, Any] | None:
    """The JSON to print for ``event`` (None: nothing to say)."""
    from ctxlint.live.statusline import live_config

    if event.transcript is None or not os.path.isfile(event.transcript):
        return None
    config = live_config(event.cwd)
    if event.name == "SessionEnd":
        message = session_end(event, config)
    elif event.name == "SubagentStop":
        sub = event.payload.get("agent_transcript_path")
        message = turn_end(event, config, sub if isinstance(sub, str) and os.path.isfile(sub) else None)
    elif event.name in ("PreCompact", "PreCompress"):
        message = before_compaction(event, config)
    elif inject and event.name in INJECTABLE:
        text = injected(event, config)
        return {"hookSpecificOutput": {"hookEventName": event.name, "additionalContext": text}} if text else None
    elif event.name in TURN_ENDS:
        message = turn_end(event, config, None)
    else:
        return None
    if not message or event.name == "notify":
        return None
    if event.agent == "gemini":
        return {"systemMessage": message}
    return {"systemMessage": message, "suppressOutput": True}


def _snapshot(event: Event, config: Any, *, to_end: bool = False) -> Any:
    from ctxlint.live.status import snapshot
    from ctxlint.live.statusline import LINE

    snap = snapshot(event.transcript or "", config, to_end=to_end)
    if event.agent == "claude-code" and not to_end:
        from ctxlint._runtime import cache

        cache.put(LINE, os.path.abspath(event.transcript or ""), json.dumps(snap.data).encode())  # the statusline's too
    return snap


def _said(key: str) -> dict[str, Any]:
    from ctxlint._runtime import cache

    blob = cache.get(SAID, key)
    try:
        data = json.loads(blob) if blob is not None else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def _remember(key: str, said: dict[str, Any]) -> None:
    from ctxlint._runtime import cache

    cache.put(SAID, key, json.dumps(said).encode())


def turn_end(event: Event, config: Any, subagent: str | None) -> str | None:
    """At the end of a turn: what is new since the last message — a finding not yet named, a budget
    just exceeded, the context past CTX206's fill ratio — else nothing."""
    from ctxlint.live.status import nudge, nudge_text, snapshot
    from ctxlint.transcripts.stores import stamps

    key = os.path.abspath(event.transcript or "")
    said = _said(key)
    if subagent is not None:
        snap = snapshot(subagent, config)
        who = event.payload.get("agent_type")
        prefix = f"subagent {who}: " if isinstance(who, str) and who.isidentifier() else "subagent: "
    elif event.agent == "codex":
        # Codex has no session end: each turn's audit, of the whole rollout as it is, is the coach's.
        found = [_as_found(event.transcript or "")]
        before = stamps(found)
        snap = _snapshot(event, config, to_end=True)
        cache_for_coach(found, config, snap.results, before)
        prefix = ""
    else:
        snap = _snapshot(event, config)
        prefix = ""
    data = snap.data
    known = set(said.get("fingerprints") or [])
    new = [f for f in snap.findings if f.kind == "transcript" and f.fingerprint not in known
           and f.severity.value >= 2]
    parts: list[str] = []
    # A budget is named once, by which budget it is (its message also says the spend, which grows).
    budget = [b for b in data.get("budget") or [] if b.split(":")[0] not in (said.get("budget") or [])]
    parts += budget
    fill = _fill_words(data)
    crossed = fill is not None and fill[0] >= data.get("fill_ratio", 0.8) and said.get("filled") != data.get("boundary")
    if new:
        from ctxlint.live.status import nudge_templates

        templates = nudge_templates()
        latest = max(new, key=lambda f: (f.end_line, f.line))
        text = nudge_text(latest, templates.get(latest.rule_id)) or nudge(new, 0, templates)
        if text:
            parts.append(prefix + text)
    if crossed and fill is not None:
        parts.insert(0, fill[1])
    said["fingerprints"] = sorted(known | {f.fingerprint for f in snap.findings})
    said["budget"] = list(dict.fromkeys([*(said.get("budget") or []), *(b.split(":")[0] for b in budget)]))
    if crossed:
        said["filled"] = data.get("boundary")
    _remember(key, said)
    return "ctxlint: " + "; ".join(parts) if parts else None


def _fill_words(data: dict[str, Any]) -> tuple[float, str] | None:
    from ctxlint.live.line import short

    fill, usable = data.get("fill"), data.get("usable")
    if not isinstance(fill, int) or not isinstance(usable, int) or usable <= 0:
        return None
    share = fill / usable
    return share, f"{share:.0%} of the usable window (~{short(max(0, usable - fill))} to auto-compaction)"


def before_compaction(event: Event, config: Any) -> str | None:
    """Before a compaction: where the session stands, and for an automatic one, the habit that avoids it."""
    snap = _snapshot(event, config)
    data = snap.data
    trigger = event.payload.get("trigger")
    fill = _fill_words(data)
    parts = [f"compacting at {fill[1]}" if fill else "compacting", _spend_words(data)]
    if trigger == "auto":
        parts.append("next time, /compact at a natural break and say what to keep")
    return "ctxlint: " + "; ".join(p for p in parts if p)


def _spend_words(data: dict[str, Any], when: str = "") -> str:
    from ctxlint.live.line import avoidable_words, short, usd

    spend = data.get("spend_usd")
    spent = usd(spend) if isinstance(spend, (int, float)) else f"{short(data.get('tokens') or 0)} tokens"
    avoidable = avoidable_words(data.get("avoidable"))
    return f"{spent} spent{when}" + (f", {avoidable}" if avoidable else "")


def session_end(event: Event, config: Any) -> str | None:
    """At the session's end: the whole session audited, every file's result written into the coach's
    cache; the spend, the avoidable part and the costliest habit, and the week's budget."""
    from ctxlint.live.status import session_files
    from ctxlint.transcripts.stores import stamps

    transcript = event.transcript or ""
    files = session_files(transcript) if event.agent == "claude-code" else [transcript]
    found = [_as_found(f) for f in files]
    before = stamps(found)  # what the results describe: a file that grows meanwhile is not cached
    snap = _snapshot(event, config, to_end=True)
    cache_for_coach(found, config, snap.results, before)
    from ctxlint._runtime import cache
    from ctxlint.live.session import LIVE, STATE

    cache.delete(LIVE, [STATE + os.path.abspath(f) for f in files])  # the events read so far: the session is over
    data = snap.data
    parts = [_spend_words(data, " this session")]
    top = _top_habit(snap.findings)
    if top:
        parts.append(top)
    parts += data.get("budget") or []
    parts += week_budget(event, config)
    return "ctxlint: " + "; ".join(parts)


def _top_habit(findings: list[Any]) -> str | None:
    from ctxlint.live.status import nudge_templates, nudge_text

    costly = [f for f in findings if f.kind == "transcript" and f.tokens_wasted > 0]
    if not costly:
        return None
    top = max(costly, key=lambda f: (f.cost_wasted_usd or 0.0, f.tokens_wasted))
    text = nudge_text(top, nudge_templates().get(top.rule_id)) or top.rule_name
    return f"costliest: {text}"


def _as_found(path: str) -> str:
    """A transcript's path as the coach finds it: under its folder's real path."""
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def cache_for_coach(found: list[str], config: Any, results: list[Any], before: dict[str, str | None]) -> None:
    """Each file's result, as ``ctxlint coach`` computes it, into the coach's cache, under the file's path
    as the coach finds it (its folder's real path). The session's own results are those when the coach
    reads with the same configuration (the usual case: no rule options, or the same file); else the
    files are audited again with the coach's."""
    from ctxlint.coach.collect import cached_results, store_results
    from ctxlint.config import resolve_config
    from ctxlint.transcripts.files import default_stores

    try:
        coach_config = resolve_config(default_stores() or found[:1], None, False)
    except Exception:  # the coach would stop on a bad config: nothing to cache for it
        return
    if coach_config.result_key() == config.result_key() and len(results) == len(found):
        store_results(list(zip(found, results, strict=True)), coach_config, before)
    else:
        cached_results(found, coach_config, jobs=1)


def week_budget(event: Event, config: Any) -> list[str]:
    """The project's week budget: its sessions of the last seven days (the transcript's folder, where
    Claude Code and Gemini CLI keep one project's sessions; Codex's rollouts of the same directory)."""
    from ctxlint.coach.collect import cached_results
    from ctxlint.measure.budget import check, spent_of

    if not config.budget.week or event.transcript is None:
        return []
    since = time.time() - WEEK_SECONDS
    if event.agent == "codex":
        root = Path(event.transcript).parents[3]
        candidates = [str(p) for p in root.glob("*/*/*/rollout-*.jsonl")]
    else:
        folder = Path(event.transcript).parent
        candidates = [str(p) for p in folder.glob("*.jsonl")] + [str(p) for p in folder.glob("*/subagents/*.jsonl")]
    recent = [p for p in sorted(candidates) if _mtime(p) >= since]
    results = [r for r in cached_results(recent, config, jobs=1)
               if event.agent != "codex" or (r.session or {}).get("project") == event.cwd]
    return [o.message() for o in check(config.budget.week, spent_of(results), "week")]


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def injected(event: Event, config: Any) -> str | None:
    """``--inject``: the current nudge, once, as one line for the model (never the same line twice)."""
    snap = _snapshot(event, config)
    text = snap.data.get("nudge")
    if not isinstance(text, str):
        return None
    key = os.path.abspath(event.transcript or "")
    said = _said(key)
    if said.get("injected") == text:
        return None
    said["injected"] = text
    _remember(key, said)
    return f"ctxlint (context hygiene): {text}"


def chain(program: list[str], payload_arg: str) -> None:
    """Run the user's own notifier (``program``: what the installer put after ``--``) with the same JSON
    argument, detached: Codex waits for neither."""
    if not program:
        return
    if hasattr(os, "fork"):
        from ctxlint.live.statusline import detach

        with contextlib.suppress(OSError):
            detach([*program, payload_arg])
        return
    import subprocess

    with contextlib.suppress(OSError):
        subprocess.Popen([*program, payload_arg], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)


def run(agent: str, args: list[str], *, inject: bool = False) -> int:
    """The command: read the event, answer it; always exit 0. ``args``: Codex's notify JSON last, after
    the user's own notifier when one is chained."""
    payload_arg = args[-1] if agent == "codex" and args and args[-1].lstrip().startswith("{") else None
    try:
        if payload_arg is not None:
            chain(args[:-1], payload_arg)
        stdin = b"" if payload_arg is not None else sys.stdin.buffer.read(1024 * 1024)
        event = event_of(agent, stdin, [payload_arg] if payload_arg is not None else [])
        answer = handle(event, inject=inject) if event is not None else None
    except Exception:  # a hook never fails the agent (CTXLINT_DEBUG shows why)
        if os.environ.get("CTXLINT_DEBUG"):
            raise
        answer = None
    if answer is not None:
        try:
            from ctxlint._runtime.safeout import json_text

            sys.stdout.write(json_text(json.dumps(answer, ensure_ascii=False)) + "\n")
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
    return 0
