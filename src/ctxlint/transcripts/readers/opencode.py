"""OpenCode ≥ 1.2 (and Kilo CLI, its fork): the SQLite store ``opencode.db`` / ``kilo.db``.

Tables ``session`` (``parent_id``: a subagent's child session), ``message`` and ``part`` with JSON in
their ``data`` columns (docs/agents/opencode.md). One API request is one ``step-finish`` part: a
message's own ``tokens`` are overwritten by each of its steps (the last step wins), so summing
messages under-counts — steps are counted, and a message's ``tokens`` only stand in for a message
that has no step-finish part at all. ``tokens.input`` is already uncached input.

A session is read with its child sessions (their requests are sidechain requests), parts in the
order OpenCode wrote them; ``line`` is the position of the part (or part-less message) in that
order. Each step's usage is placed where the step starts, before the tool calls it made, as the
JSONL agents record an API response before its tool results. A compaction (a user message with a
``compaction`` part) becomes a segment boundary after its summary message, so the summarising
request itself still belongs to the context it summarised.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import orjson

from ctxlint.transcripts.agents import AGENTS
from ctxlint.transcripts.events import (
    AssistantText,
    Compaction,
    Event,
    Image,
    SubagentMarker,
    Thinking,
    Transcript,
    Usage,
)
from ctxlint.transcripts.readers.common import (
    IMAGE_DEFAULT_TOKENS,
    as_int,
    as_str,
    iso_time,
    prompt,
    tool_call,
    tool_result,
)

EDIT_TOOLS = {"edit", "write", "patch", "multiedit", "apply_patch"}
SHELL_TOOLS = {"bash"}
SUBAGENT_TOOLS = {"task"}
# Part types that carry nothing a rule or a session fact needs.
QUIET_PARTS = {"step-start", "snapshot", "patch", "agent", "subtask", "retry"}
KNOWN_PARTS = QUIET_PARTS | {"text", "reasoning", "file", "tool", "step-finish", "compaction"}


def detect_store(schema: dict[str, set[str]], path: str) -> str | None:
    """``opencode`` (or ``kilo`` for Kilo's copy of the format) when the database has OpenCode's
    session, message and part tables."""
    if not {"session", "message", "part"} <= schema.keys():
        return None
    if not ({"id", "parent_id", "directory"} <= schema["session"] and {"id", "session_id", "data"} <= schema["message"]
            and {"message_id", "session_id", "data"} <= schema["part"]):
        return None
    return "kilo" if os.path.basename(path).startswith("kilo") else "opencode"


def list_sessions(con: sqlite3.Connection) -> list[tuple[str, int, str, int]]:
    """(id, estimated size, stamp, last change in ns) of every root session: the stamp covers the
    session and its descendants (their update times and message and part counts)."""
    parent: dict[str, str | None] = {}
    updated: dict[str, int] = {}
    created: dict[str, int] = {}
    for sid, pid, t_updated, t_created in con.execute("SELECT id, parent_id, time_updated, time_created FROM session"):
        parent[sid], updated[sid], created[sid] = pid, as_int(t_updated), as_int(t_created)
    messages = dict(con.execute("SELECT session_id, count(*) FROM message GROUP BY session_id").fetchall())
    parts = dict(con.execute("SELECT session_id, count(*) FROM part GROUP BY session_id").fetchall())

    def root_of(sid: str) -> str:
        seen = {sid}
        while (up := parent.get(sid)) is not None and up in parent and up not in seen:
            seen.add(up)
            sid = up
        return sid

    tree: dict[str, list[str]] = {}
    for sid in parent:
        tree.setdefault(root_of(sid), []).append(sid)
    out = []
    for root in sorted(tree, key=lambda s: (created[s], s)):
        members = tree[root]
        size = sum(messages.get(s, 0) * 512 + parts.get(s, 0) * 1024 for s in members)  # a weight, not bytes
        stamp = ",".join(f"{s}:{updated[s]}:{messages.get(s, 0)}:{parts.get(s, 0)}" for s in sorted(members))
        out.append((root, size, stamp, max(updated[s] for s in members) * 1_000_000))
    return out


def read(con: sqlite3.Connection, session_id: str, t: Transcript) -> None:
    row = con.execute("SELECT id, directory, time_created, time_updated FROM session WHERE id = ?",
                      (session_id,)).fetchone()
    if row is None:
        t.add_malformed(1, "no such session in the store")
        return
    t.session_id = session_id
    t.cwd = as_str(row[1])
    t.started_at, t.ended_at = iso_time(row[2]), iso_time(row[3])
    if t.agent == "kilo":
        t.records = AGENTS["opencode"].records  # the OpenCode shape records what OpenCode's does
    t.is_subagent_file = con.execute("SELECT parent_id FROM session WHERE id = ?", (session_id,)).fetchone()[0] is not None
    reader = _Reader(t)
    reader.session(con, session_id, sidechain=False)
    # Child sessions (subagents started by the task tool), breadth first, after the parent's own records.
    queue = [session_id]
    seen = {session_id}
    while queue:
        parent_id = queue.pop(0)
        for (child,) in con.execute("SELECT id FROM session WHERE parent_id = ? ORDER BY time_created, id",
                                    (parent_id,)).fetchall():
            if child in seen:
                continue
            seen.add(child)
            queue.append(child)
            reader.line += 1
            t.events.append(SubagentMarker(reader.line, None, child))
            reader.session(con, child, sidechain=True)
    t.lines = reader.line
    if reader.recorded_cost:
        t.extra["agent_cost_usd"] = round(reader.recorded_cost, 9)


class _Reader:
    """Turns one session's messages and parts into events, numbering records as it goes."""

    def __init__(self, t: Transcript) -> None:
        self.t = t
        self.line = 0
        self.recorded_cost = 0.0

    def session(self, con: sqlite3.Connection, session_id: str, *, sidechain: bool) -> None:
        message_id: str | None = None
        message: dict[str, Any] = {}
        parts: list[tuple[int, dict[str, Any] | None, int]] = []  # (line, part data, time)
        pending_compaction: str | None = None
        cursor = con.execute(
            "SELECT m.id, m.data, p.data, p.time_created FROM message m LEFT JOIN part p ON p.message_id = m.id"
            " WHERE m.session_id = ? ORDER BY m.time_created, m.id, p.id", (session_id,))
        for mid, mdata, pdata, ptime in cursor:
            if mid != message_id:
                if message_id is not None:
                    pending_compaction = self._message(message, parts, sidechain, pending_compaction)
                message_id, parts = mid, []
                message = self._json(mdata, self.line + 1) or {}
            self.line += 1
            self.t.bytes += len(mdata or "") + len(pdata or "")
            parts.append((self.line, None if pdata is None else self._json(pdata, self.line), as_int(ptime)))
        if message_id is not None:
            pending_compaction = self._message(message, parts, sidechain, pending_compaction)
        if pending_compaction is not None:  # the summary never came: the boundary is where the session ends
            self.t.events.append(Compaction(self.line, None, pending_compaction, sidechain=sidechain))

    def _json(self, data: Any, line: int) -> dict[str, Any] | None:
        try:
            value = orjson.loads(data) if isinstance(data, str | bytes) else None
        except orjson.JSONDecodeError:
            value = None
        if not isinstance(value, dict):
            self.t.add_malformed(line, "not a JSON object")
            return None
        return value

    def _message(self, m: dict[str, Any], parts: list[tuple[int, dict[str, Any] | None, int]], sidechain: bool,
                 pending_compaction: str | None) -> str | None:
        """Events of one message; returns the compaction still waiting for its summary message."""
        t = self.t
        role = m.get("role")
        time = m.get("time")
        ts = iso_time(time.get("created")) if isinstance(time, dict) else None
        if role == "user":
            if pending_compaction is not None:
                t.events.append(Compaction(parts[0][0] if parts else self.line, ts, pending_compaction,
                                           sidechain=sidechain))
                pending_compaction = None
            for line, part, _ in parts:
                if part is None:
                    continue
                kind = part.get("type")
                if kind == "text" and isinstance(part.get("text"), str) and part["text"].strip():
                    text = part["text"].strip()
                    t.events.append(prompt(line, ts, text, sidechain=sidechain,
                                           is_meta=part.get("synthetic") is True))
                elif kind == "compaction":
                    pending_compaction = "auto" if part.get("auto") is True else "manual"
                elif kind == "file" and str(part.get("mime", "")).startswith("image/"):
                    t.events.append(Image(line, ts, IMAGE_DEFAULT_TOKENS, as_str(part.get("mime")), sidechain=sidechain))
                elif kind not in KNOWN_PARTS:
                    t.add_malformed(line, f"unknown part type {str(kind)[:40]!r}")
            return pending_compaction
        if role != "assistant":
            t.add_malformed(parts[0][0] if parts else self.line, f"unknown message role {str(role)[:40]!r}")
            return pending_compaction
        model = as_str(m.get("modelID"))
        if model and model not in t.models:
            t.models.append(model)
        step: list[Event] = []
        step_line: int | None = None
        steps = 0
        for line, part, ptime in parts:
            if part is None:
                continue
            kind = part.get("type")
            part_ts = iso_time(ptime) or ts
            if step_line is None:
                step_line = line
            if kind == "step-finish":
                steps += 1
                self.recorded_cost += float(part["cost"]) if isinstance(part.get("cost"), int | float) else 0.0
                usage = _usage(part.get("tokens"), step_line, part_ts, f"{line}", model, sidechain)
                t.events.append(usage)
                t.events.extend(step)
                step, step_line = [], None
            elif kind == "text" and isinstance(part.get("text"), str) and part["text"].strip():
                step.append(AssistantText(line, part_ts, len(part["text"]), part["text"][:200], sidechain=sidechain))
            elif kind == "reasoning" and isinstance(part.get("text"), str):
                step.append(Thinking(line, part_ts, len(part["text"]), sidechain=sidechain))
            elif kind == "tool":
                step.extend(_tool(part, line, part_ts, sidechain))
            elif kind not in KNOWN_PARTS:
                t.add_malformed(line, f"unknown part type {str(kind)[:40]!r}")
        if not steps and isinstance(m.get("tokens"), dict):
            # No step-finish at all (an older or interrupted message): its own tokens are its one request.
            first = parts[0][0] if parts else self.line
            cost = m.get("cost")
            self.recorded_cost += float(cost) if isinstance(cost, int | float) else 0.0
            t.events.append(_usage(m["tokens"], first, ts, f"m{first}", model, sidechain))
        t.events.extend(step)  # what an unfinished step did, without usage
        if pending_compaction is not None and m.get("summary") is True:
            t.events.append(Compaction(self.line, ts, pending_compaction, sidechain=sidechain))
            return None
        return pending_compaction


def _usage(tokens: Any, line: int, ts: str | None, key: str, model: str | None, sidechain: bool) -> Usage:
    tok: dict[str, Any] = tokens if isinstance(tokens, dict) else {}
    cache = tok.get("cache")
    cache = cache if isinstance(cache, dict) else {}
    return Usage(line, ts, key, model, as_int(tok.get("input")), as_int(cache.get("write")),
                 as_int(cache.get("read")), as_int(tok.get("output")),
                 reasoning_output_tokens=as_int(tok.get("reasoning")), sidechain=sidechain)


def _tool(part: dict[str, Any], line: int, ts: str | None, sidechain: bool) -> list[Event]:
    name = as_str(part.get("tool")) or "?"
    call_id = as_str(part.get("callID")) or f"part{line}"
    state = part.get("state")
    state = state if isinstance(state, dict) else {}
    call = tool_call(line, ts, call_id, name, state.get("input"), edit=name in EDIT_TOOLS,
                     subagent=name in SUBAGENT_TOOLS, shell=name in SHELL_TOOLS, sidechain=sidechain)
    events: list[Event] = [call]
    status = state.get("status")
    if status == "completed":
        events.append(tool_result(line, ts, call_id, state.get("output"), sidechain=sidechain, path=call.path))
    elif status == "error":
        events.append(tool_result(line, ts, call_id, state.get("error"), is_error=True, sidechain=sidechain,
                                  path=call.path))
    return events
