"""Crush: the per-project SQLite store ``<project>/.crush/crush.db`` (docs/agents/crush.md).

Tables ``sessions`` (``parent_session_id``: a sub-agent's child session) and ``messages`` whose
``parts`` column is a JSON list of ``{type, data}``. Crush creates one assistant message per model
step, so requests are its assistant messages — but it stores **no per-request tokens**: the session's
``prompt_tokens``/``completion_tokens`` are the last step's only, and ``cost`` accumulates Crush's own
price (children and the unseen title request included). Every token figure of a Crush session is
therefore unknown (None); sizes are estimated from the stored text and nothing is priced.
Timestamps are Unix seconds. ``line`` is the message's position in the session.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import orjson

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

EDIT_TOOLS = {"edit", "multiedit", "write"}
SUBAGENT_TOOLS = {"agent", "agentic_fetch"}
KNOWN_PARTS = {"text", "reasoning", "image_url", "binary", "tool_call", "tool_result", "finish", "shell_command"}
UNKNOWN_TOTALS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens",
                  "input_tokens_including_cache", "peak_context_tokens")


def detect_store(schema: dict[str, set[str]], path: str) -> str | None:
    sessions, messages = schema.get("sessions", set()), schema.get("messages", set())
    if {"id", "parent_session_id", "prompt_tokens", "cost"} <= sessions and {"session_id", "role", "parts"} <= messages:
        return "crush"
    return None


def list_sessions(con: sqlite3.Connection) -> list[tuple[str, int, str, int]]:
    """(id, estimated size, stamp, last change in ns) of every root session and its sub-agents."""
    parent: dict[str, str | None] = {}
    stamp: dict[str, str] = {}
    created: dict[str, int] = {}
    changed: dict[str, int] = {}
    count: dict[str, int] = {}
    for sid, pid, updated, made, messages in con.execute(
            "SELECT id, parent_session_id, updated_at, created_at, message_count FROM sessions"):
        parent[sid], created[sid], count[sid], changed[sid] = pid, as_int(made), as_int(messages), as_int(updated)
        stamp[sid] = f"{sid}:{as_int(updated)}:{as_int(messages)}"
    tree: dict[str, list[str]] = {}
    for sid in parent:
        root, seen = sid, {sid}
        while (up := parent.get(root)) is not None and up in parent and up not in seen:
            seen.add(up)
            root = up
        tree.setdefault(root, []).append(sid)
    return [(root, sum(count[s] for s in tree[root]) * 2048, ",".join(stamp[s] for s in sorted(tree[root])),
             max(changed[s] for s in tree[root]) * 1_000_000_000)
            for root in sorted(tree, key=lambda s: (created[s], s))]


def read(con: sqlite3.Connection, session_id: str, t: Transcript) -> None:
    row = con.execute("SELECT parent_session_id, cost, created_at, updated_at FROM sessions WHERE id = ?",
                      (session_id,)).fetchone()
    if row is None:
        t.add_malformed(1, "no such session in the store")
        return
    t.session_id = session_id
    t.is_subagent_file = row[0] is not None
    t.started_at, t.ended_at = iso_time(row[2], 1), iso_time(row[3], 1)
    folder = os.path.dirname(os.path.abspath(t.path.rsplit("#", 1)[0]))
    if os.path.basename(folder) == ".crush":
        t.cwd = os.path.dirname(folder)  # the store sits in the project's .crush folder
    t.extra["agent_cost_usd"] = row[1] if isinstance(row[1], int | float) else None
    t.totals.update(dict.fromkeys(UNKNOWN_TOTALS))
    message_columns = {str(r[1]) for r in con.execute('PRAGMA table_info("messages")')}
    reader = _Reader(t, "is_summary_message" in message_columns)
    reader.session(con, session_id, False)
    queue, seen = [session_id], {session_id}
    while queue:
        for (child,) in con.execute("SELECT id FROM sessions WHERE parent_session_id = ? ORDER BY created_at, id",
                                    (queue.pop(0),)).fetchall():
            if child not in seen:
                seen.add(child)
                queue.append(child)
                reader.line += 1
                t.events.append(SubagentMarker(reader.line, None, child))
                reader.session(con, child, True)
    t.lines = reader.line


class _Reader:
    def __init__(self, t: Transcript, has_summary_flag: bool) -> None:
        self.t = t
        self.line = 0
        self.summary = "is_summary_message" if has_summary_flag else "0"

    def session(self, con: sqlite3.Connection, session_id: str, sidechain: bool) -> None:
        cursor = con.execute(
            f"SELECT id, role, parts, model, {self.summary}, created_at FROM messages WHERE session_id = ?"
            " ORDER BY created_at, rowid", (session_id,))
        for mid, role, parts_json, model, is_summary, created in cursor:
            self.line += 1
            self.t.bytes += len(parts_json or "")
            try:
                parts = orjson.loads(parts_json)
            except (orjson.JSONDecodeError, TypeError):
                parts = None
            if not isinstance(parts, list):
                self.t.add_malformed(self.line, "parts are not a JSON list")
                continue
            self._message(str(mid), role, parts, as_str(model), bool(is_summary), iso_time(created, 1), sidechain)

    def _message(self, mid: str, role: Any, parts: list[Any], model: str | None, is_summary: bool, ts: str | None,
                 sidechain: bool) -> None:
        t, line = self.t, self.line
        events: list[Event] = []
        if role == "assistant":
            if model and model not in t.models:
                t.models.append(model)
            # One model step; Crush keeps no tokens of it.
            events.append(Usage(line, ts, mid, model, input_known=False, sidechain=sidechain))
        elif role not in ("user", "tool", "system"):
            t.add_malformed(line, f"unknown message role {str(role)[:40]!r}")
            return
        for part in parts:
            kind = part.get("type") if isinstance(part, dict) else None
            data = part.get("data") if isinstance(part, dict) else None
            data = data if isinstance(data, dict) else {}
            if kind == "text" and isinstance(data.get("text"), str) and data["text"].strip():
                text = data["text"]
                if role == "user":
                    events.append(prompt(line, ts, text.strip(), sidechain=sidechain))
                elif role == "assistant":
                    events.append(AssistantText(line, ts, len(text), text[:200], sidechain=sidechain))
            elif kind == "reasoning":
                events.append(Thinking(line, ts, len(str(data.get("thinking", ""))), sidechain=sidechain))
            elif kind == "tool_call":
                events.append(self._call(data, ts, sidechain))
            elif kind == "tool_result":
                events.append(tool_result(line, ts, as_str(data.get("tool_call_id")) or f"line{line}",
                                          data.get("content"), is_error=data.get("is_error") is True,
                                          sidechain=sidechain))
            elif kind in ("image_url", "binary") and role == "user":
                events.append(Image(line, ts, IMAGE_DEFAULT_TOKENS, as_str(data.get("mime_type")), sidechain=sidechain))
            elif kind not in KNOWN_PARTS:
                t.add_malformed(line, f"unknown part type {str(kind)[:40]!r}")
        t.events.extend(events)
        if is_summary:  # the summarising request read the old context; what follows starts afresh
            t.events.append(Compaction(line, ts, None, sidechain=sidechain))

    def _call(self, data: dict[str, Any], ts: str | None, sidechain: bool) -> Event:
        name = as_str(data.get("name")) or "?"
        raw = data.get("input")
        try:
            args = orjson.loads(raw) if isinstance(raw, str) and raw else {}
        except orjson.JSONDecodeError:
            args = {}
        return tool_call(self.line, ts, as_str(data.get("id")) or f"line{self.line}", name, args,
                         edit=name in EDIT_TOOLS, subagent=name in SUBAGENT_TOOLS, shell=name == "bash",
                         sidechain=sidechain, zero_based=name == "view")
