"""Amp: one JSON document per thread, ``~/.local/share/amp/threads/T-<uuid>.json`` (docs/agents/amp.md).

``{id: "T-…", created, messages[], env}``; a request is an assistant message with ``usage``
(``inputTokens`` uncached, Anthropic semantics: ``totalInputTokens`` = input + cache write + cache
read). Older threads keep usage in ``usageLedger.events[]`` (``toMessageId``, no cache split).
Tool results are ``tool_result{toolUseID, run{status, result | error}}`` blocks. Amp records no
compaction, and a ``Task`` subagent's own usage is not in the thread: the call is counted, its tokens
are not invented. ``line`` is the line where the message's ``messageId`` is written when the thread
is pretty-printed (one message per line or more), else the message's position in ``messages``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlparse

import orjson

from ctxlint.transcripts.events import AssistantText, SubagentMarker, Thinking, Transcript, Usage
from ctxlint.transcripts.readers.common import (
    as_int,
    as_str,
    each_message,
    iso_time,
    prompt,
    tool_call,
    tool_result,
)

EDIT_TOOLS = {"edit_file", "create_file", "undo_edit", "format_file"}
SHELL_TOOLS = {"Bash"}
SUBAGENT_TOOLS = {"Task"}


def detect_document(doc: Any) -> bool:
    return (isinstance(doc, dict) and isinstance(doc.get("id"), str) and doc["id"].startswith("T-")
            and isinstance(doc.get("messages"), list))


def read_document(doc: dict[str, Any], t: Transcript, data: bytes = b"") -> None:
    t.session_id = as_str(doc.get("id"))
    t.started_at = iso_time(doc.get("created"))
    env = doc.get("env")
    initial = env.get("initial") if isinstance(env, dict) else None
    trees = initial.get("trees") if isinstance(initial, dict) else None
    if isinstance(trees, list) and trees and isinstance(trees[0], dict):
        uri = as_str(trees[0].get("uri"))
        if uri and uri.startswith("file://"):
            t.cwd = unquote(urlparse(uri).path)
    ledger: dict[int, dict[str, Any]] = {}
    usage_ledger = doc.get("usageLedger")
    for event in usage_ledger.get("events", []) if isinstance(usage_ledger, dict) else []:
        if isinstance(event, dict) and isinstance(event.get("toMessageId"), int):
            ledger[event["toMessageId"]] = event
    reader = _Reader(t, ledger)
    each_message(t, doc["messages"], reader.message, _message_lines(doc["messages"], data))
    t.lines = max(t.lines, reader.line)


class _Reader:
    def __init__(self, t: Transcript, ledger: dict[int, dict[str, Any]]) -> None:
        self.t = t
        self.ledger = ledger
        self.line = 0

    def message(self, m: dict[str, Any], line: int) -> None:
        self.line = line
        t = self.t
        role = m.get("role")
        content = m.get("content")
        blocks = content if isinstance(content, list) else []
        meta = m.get("meta")
        ts = iso_time(meta.get("sentAt")) if isinstance(meta, dict) else None
        if role == "assistant":
            u = self._usage(m, line)
            if u is not None:
                t.events.append(u)
                ts = u.timestamp or ts
        elif role != "user":
            t.add_malformed(line, f"unknown message role {str(role)[:40]!r}")
            return
        if ts:
            t.saw_time(ts)
        for block in blocks:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "text" and isinstance(block.get("text"), str) and block["text"].strip():
                text = block["text"]
                if role == "user":
                    t.events.append(prompt(line, ts, text.strip()))
                else:
                    t.events.append(AssistantText(line, ts, len(text), text[:200]))
            elif kind == "thinking":
                t.events.append(Thinking(line, ts, len(str(block.get("thinking", "")))))
            elif kind == "tool_use":
                name = as_str(block.get("name")) or "?"
                call = tool_call(line, ts, as_str(block.get("id")) or f"line{line}", name, block.get("input"),
                                 edit=name in EDIT_TOOLS, subagent=name in SUBAGENT_TOOLS, shell=name in SHELL_TOOLS)
                t.events.append(call)
                if call.is_subagent:
                    t.events.append(SubagentMarker(line, ts, call.call_id, sidechain=False))
            elif kind == "tool_result":
                run = block.get("run")
                run = run if isinstance(run, dict) else {}
                failed = run.get("status") == "error"
                output = _model_facing(run.get("error") if failed else run.get("result"))
                t.events.append(tool_result(line, ts, as_str(block.get("toolUseID")) or f"line{line}", output,
                                            is_error=failed))

    def _usage(self, m: dict[str, Any], line: int) -> Usage | None:
        t = self.t
        usage = m.get("usage")
        if isinstance(usage, dict):
            model = as_str(usage.get("model"))
            t.context_window = as_int(usage.get("maxInputTokens")) or t.context_window
            u = Usage(line, as_str(usage.get("timestamp")), f"message{m.get('messageId')}", model,
                      as_int(usage.get("inputTokens")), as_int(usage.get("cacheCreationInputTokens")),
                      as_int(usage.get("cacheReadInputTokens")), as_int(usage.get("outputTokens")))
        elif (event := self.ledger.get(as_int(m.get("messageId")))) is not None:
            tokens = event.get("tokens")
            tokens = tokens if isinstance(tokens, dict) else {}
            model = as_str(event.get("model"))
            u = Usage(line, as_str(event.get("timestamp")), f"ledger{event.get('id')}", model,
                      as_int(tokens.get("input")), 0, 0, as_int(tokens.get("output")))
        else:
            return None
        if model and model not in t.models:
            t.models.append(model)
        return u


def _message_lines(messages: list[Any], data: bytes) -> list[int]:
    """Each message's line (where its ``messageId`` is written) when every message starts on a later
    line than the one before; else each message's position (a compact one-line document)."""
    lines: list[int] = []
    line, pos = 1, 0
    for m in messages:
        mid = m.get("messageId") if isinstance(m, dict) else None
        found = re.compile(rb'"messageId"\s*:\s*%d\b' % mid).search(data, pos) if isinstance(mid, int) else None
        if found is None:
            return list(range(1, len(messages) + 1))
        line += data.count(b"\n", pos, found.start())
        pos = found.start()
        if lines and line <= lines[-1]:
            return list(range(1, len(messages) + 1))
        lines.append(line)
    return lines


def _model_facing(result: Any) -> Any:
    """What the model got of a tool result: a string or text blocks as they are; of a structured result
    its text field (``output`` of Bash, ``content`` of Read, ``message`` of an error), else the object."""
    if isinstance(result, dict):
        for key in ("output", "content", "message", "diff"):
            if isinstance(result.get(key), str):
                return result[key]
        return orjson.dumps(result).decode()
    return result
