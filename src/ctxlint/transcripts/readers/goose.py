"""Goose: the SQLite store ``sessions.db`` (docs/agents/goose.md).

Goose keeps **accumulated counts only**: ``accumulated_input_tokens`` (cache-inclusive, no cache
split) and ``accumulated_output_tokens`` add every model call of a session, compaction calls
included; ``input_tokens``/``output_tokens`` are the last call's. No request is recorded on its
own, so the session's requests, fresh input, cache figures and peak context are unknown (None); its
output and its cache-inclusive input are the accumulated counts. Rules see the messages in order
(tool calls and results, prompts), with an assistant message standing for a model call of unknown
size, and run only where the data allows (``transcripts.agents``).

Sub-agent sessions (``session_type = 'sub_agent'``) carry no link to the session that started them:
one is read as part of the user session in the same working directory that was running when it
started (the latest one started before it and not finished before it). A compaction is inferred
from the visibility flags: the summary message is visible to the agent only.
``line`` is the message's position in the session.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import orjson

from ctxlint.transcripts.events import (
    AssistantText,
    Compaction,
    Event,
    Image,
    SubagentMarker,
    Thinking,
    ToolCall,
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

KNOWN_CONTENT = {"text", "image", "thinking", "redactedThinking", "toolRequest", "toolResponse", "frontendToolRequest",
                 "toolConfirmationRequest", "contextLengthExceeded", "summarizationRequested", "systemNotification"}
SUBAGENT_SESSION = "sub_agent"


def detect_store(schema: dict[str, set[str]], path: str) -> str | None:
    sessions, messages = schema.get("sessions", set()), schema.get("messages", set())
    if {"id", "accumulated_input_tokens", "working_dir"} <= sessions and {"session_id", "content_json"} <= messages:
        return "goose"
    return None


def _sessions(con: sqlite3.Connection) -> list[tuple[str, str, str, str, str, int]]:
    """(id, type, working dir, created, updated, messages) of every session, oldest first."""
    counts = dict(con.execute("SELECT session_id, count(*) FROM messages GROUP BY session_id").fetchall())
    return [(str(sid), str(kind or "user"), str(cwd or ""), str(made or ""), str(updated or ""), counts.get(sid, 0))
            for sid, kind, cwd, made, updated in con.execute(
                "SELECT id, session_type, working_dir, created_at, updated_at FROM sessions ORDER BY created_at, id")]


def _children(rows: list[tuple[str, str, str, str, str, int]]) -> dict[str, list[str]]:
    """The sub-agent sessions of each session (see the module's docstring)."""
    out: dict[str, list[str]] = {}
    for sid, kind, cwd, made, _, _ in rows:
        if kind != SUBAGENT_SESSION:
            continue
        running = [r for r in rows if r[1] != SUBAGENT_SESSION and r[2] == cwd and r[3] <= made <= r[4]]
        if running:
            out.setdefault(running[-1][0], []).append(sid)
    return out


def list_sessions(con: sqlite3.Connection) -> list[tuple[str, int, str, int]]:
    """(id, estimated size, stamp, last change in ns) of every session that is not a sub-agent's."""
    rows = _sessions(con)
    children = _children(rows)
    adopted = {c for cs in children.values() for c in cs}
    info = {r[0]: r for r in rows}
    out = []
    for sid, *_ in rows:
        if sid in adopted:
            continue
        members = [sid, *children.get(sid, [])]
        stamp = ",".join(f"{m}:{info[m][4]}:{info[m][5]}" for m in members)
        changed = max(_epoch_ns(info[m][4]) for m in members)
        out.append((sid, sum(info[m][5] for m in members) * 2048, stamp, changed))
    return out


def read(con: sqlite3.Connection, session_id: str, t: Transcript) -> None:
    columns = {str(r[1]) for r in con.execute('PRAGMA table_info("sessions")')}
    cost = "accumulated_cost" if "accumulated_cost" in columns else "NULL"
    config = "model_config_json" if "model_config_json" in columns else "NULL"
    query = (f"SELECT working_dir, created_at, updated_at, accumulated_input_tokens, accumulated_output_tokens,"
             f" {cost}, {config}, session_type FROM sessions WHERE id = ?")
    row = con.execute(query, (session_id,)).fetchone()
    if row is None:
        t.add_malformed(1, "no such session in the store")
        return
    t.session_id = session_id
    t.cwd = as_str(row[0])
    t.started_at, t.ended_at = _iso(row[1]), _iso(row[2])
    t.is_subagent_file = row[7] == SUBAGENT_SESSION
    members = [(session_id, row)]
    if not t.is_subagent_file:
        for child in _children(_sessions(con)).get(session_id, []):
            members.append((child, con.execute(query, (child,)).fetchone()))
    reader = _Reader(t)
    accumulated_input = accumulated_output = 0
    costs: list[float] = []
    for index, (sid, info) in enumerate(members):
        if info is None:
            continue
        accumulated_input += as_int(info[3])
        accumulated_output += as_int(info[4])
        if isinstance(info[5], int | float):
            costs.append(float(info[5]))
        model = _model_of(info[6])
        if model and model not in t.models:
            t.models.append(model)
        if index:
            reader.line += 1
            t.events.append(SubagentMarker(reader.line, None, sid))
        reader.session(con, sid, sidechain=index > 0)
    t.lines = reader.line
    t.totals.update({
        "requests": None,  # an assistant message per call is a lower bound: compaction calls write none
        "input_tokens": None, "cache_creation_input_tokens": None, "cache_read_input_tokens": None,
        "input_tokens_including_cache": accumulated_input, "output_tokens": accumulated_output,
        "peak_context_tokens": None, "sidechain_requests": None,
    })
    t.extra["agent_cost_usd"] = round(sum(costs), 9) if costs else None


def _epoch_ns(value: str) -> int:
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=UTC)
    except ValueError:
        return 0
    return int(moment.timestamp()) * 1_000_000_000


def _iso(value: Any) -> str | None:
    """Goose's SQLite timestamps (``YYYY-MM-DD HH:MM:SS``, UTC) as ISO 8601."""
    text = as_str(value)
    return text.replace(" ", "T") + "Z" if text and len(text) == 19 else text


def _model_of(config: Any) -> str | None:
    try:
        data = orjson.loads(config) if isinstance(config, str) else None
    except orjson.JSONDecodeError:
        return None
    return as_str(data.get("model_name")) if isinstance(data, dict) else None


class _Reader:
    def __init__(self, t: Transcript) -> None:
        self.t = t
        self.line = 0

    def session(self, con: sqlite3.Connection, session_id: str, *, sidechain: bool) -> None:
        cursor = con.execute("SELECT role, content_json, created_timestamp, metadata_json FROM messages"
                             " WHERE session_id = ? ORDER BY created_timestamp, id", (session_id,))
        for role, content_json, created, metadata_json in cursor:
            self.line += 1
            self.t.bytes += len(content_json or "")
            try:
                content = orjson.loads(content_json)
                metadata = orjson.loads(metadata_json) if metadata_json else {}
            except (orjson.JSONDecodeError, TypeError):
                content, metadata = None, {}
            if not isinstance(content, list):
                self.t.add_malformed(self.line, "content is not a JSON list")
                continue
            self._message(role, content, metadata if isinstance(metadata, dict) else {}, iso_time(created, 1),
                          sidechain)

    def _message(self, role: Any, content: list[Any], metadata: dict[str, Any], ts: str | None,
                 sidechain: bool) -> None:
        t, line = self.t, self.line
        summary = metadata.get("userVisible") is False and metadata.get("agentVisible") is True
        events: list[Event] = []
        if summary:  # what the agent sees from here on is this summary: a compaction happened before it
            events.append(Compaction(line, ts, None, sidechain=sidechain))
        if role == "assistant":
            inference = metadata.get("inference")
            model = as_str(inference.get("requestedModel")) if isinstance(inference, dict) else None
            events.append(Usage(line, ts, f"m{line}", model, input_known=False, sidechain=sidechain))
        elif role != "user":
            t.add_malformed(line, f"unknown message role {str(role)[:40]!r}")
            return
        for block in content:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "text" and isinstance(block.get("text"), str) and block["text"].strip():
                text = block["text"]
                if role == "user":
                    events.append(prompt(line, ts, text.strip(), sidechain=sidechain, is_meta=summary))
                else:
                    events.append(AssistantText(line, ts, len(text), text[:200], sidechain=sidechain))
            elif kind == "thinking":
                events.append(Thinking(line, ts, len(str(block.get("thinking", ""))), sidechain=sidechain))
            elif kind == "toolRequest":
                events.append(self._call(block, ts, sidechain))
            elif kind == "toolResponse":
                result = block.get("toolResult")
                result = result if isinstance(result, dict) else {}
                value = result.get("value")
                value = value if isinstance(value, dict) else {}
                failed = result.get("status") == "error" or value.get("isError") is True
                output = value.get("content") if value else result.get("error")
                events.append(tool_result(line, ts, as_str(block.get("id")) or f"line{line}", output,
                                          is_error=failed, sidechain=sidechain))
            elif kind == "image" and role == "user":
                events.append(Image(line, ts, IMAGE_DEFAULT_TOKENS, as_str(block.get("mimeType")), sidechain=sidechain))
            elif kind not in KNOWN_CONTENT:
                t.add_malformed(line, f"unknown content type {str(kind)[:40]!r}")
        t.events.extend(events)

    def _call(self, block: dict[str, Any], ts: str | None, sidechain: bool) -> ToolCall:
        request = block.get("toolCall")
        value = request.get("value") if isinstance(request, dict) else None
        value = value if isinstance(value, dict) else {}
        name = as_str(value.get("name")) or "?"
        args = value.get("arguments")
        args = args if isinstance(args, dict) else {}
        # developer__text_editor{command: view|write|str_replace|insert|undo_edit}, developer__shell{command},
        # dynamic_task__create_task; newer builds drop the extension prefix.
        base = name.rsplit("__", 1)[-1]
        editor = base == "text_editor"
        sub = as_str(args.get("command")) if editor else None
        call = tool_call(self.line, ts, as_str(block.get("id")) or f"line{self.line}", name, args,
                         edit=(sub in ("write", "str_replace", "insert", "undo_edit")) if editor else base in (
                             "write", "edit"),
                         subagent=base in ("create_task", "delegate", "subagent"), shell=base == "shell",
                         sidechain=sidechain)
        if (editor and sub == "view") or base == "view":
            call.kind = "read"
            view_range = args.get("view_range")
            if isinstance(view_range, list) and len(view_range) == 2 and all(isinstance(v, int) for v in view_range):
                call.offset = max(view_range[0], 1)
                call.limit = view_range[1] - view_range[0] + 1 if view_range[1] > 0 else None
        return call
