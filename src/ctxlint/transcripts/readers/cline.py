"""Cline, Roo Code and Kilo Code task directories, and Cline ≥ 4's SDK sessions
(docs/agents/cline.md, roo-code.md, kilo.md).

A task directory holds ``ui_messages.json`` (what the extension shows, with one ``api_req_started`` row
per API request carrying ``tokensIn``/``tokensOut``/``cacheWrites``/``cacheReads``/``cost``) and
``api_conversation_history.json`` (what the model was sent). The task is addressed by its
``ui_messages.json``: requests, prompts, tool calls (``ClineSayTool`` rows with structured paths,
``command`` rows), compactions and timestamps come from it, ``line`` being the row's position in it;
the size of each tool result is what the next request sent the model (the conversation history's
user message after the call), else what the row shows.

``tokensIn`` is uncached input for Cline's Anthropic and OpenAI-native providers but cache-inclusive
for its generic OpenAI-compatible one, and cache-inclusive in Roo Code ≥ 3.29.5 (and Kilo): decided per
request — below cache reads + writes it can only be uncached; otherwise inclusive for Roo and Kilo,
and for Cline inclusive unless the model is Anthropic's. A Roo subtask is its own task directory
(``history_item.json``: ``parentTaskId``, ``childIds``); it is read as a sidechain of its parent.
The product is told from the extension's storage folder, else from the rows (Roo writes
``apiProtocol`` and opens a task with ``say: "text"``, Cline with ``say: "task"``).

Cline ≥ 4 (SDK) writes ``sessions/<id>/<id>.messages.json``: Claude-style content blocks with
``metrics{inputTokens (cache-inclusive), outputTokens, cacheReadTokens, cacheWriteTokens, cost}`` on
the assistant message that ends each model turn.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from ctxlint.transcripts.events import (
    AssistantText,
    Compaction,
    Event,
    SubagentMarker,
    Thinking,
    ToolCall,
    ToolResult,
    Transcript,
    Usage,
)
from ctxlint.transcripts.readers.common import (
    HEAD_CHARS,
    as_int,
    as_str,
    content_size,
    each_message,
    iso_time,
    prompt,
    tokens_of_chars,
    tool_call,
    tool_result,
)

HISTORY = "api_conversation_history.json"
MAX_SIDE_FILE = 256 * 1024 * 1024
EDIT_TOOLS = {"editedExistingFile", "newFileCreated", "appliedDiff", "fileDeleted", "insertContent",
              "searchAndReplace", "multiApplyDiff"}
TOOL_KINDS = {"readFile": "read", "listFilesTopLevel": "search", "listFilesRecursive": "search",
              "searchFiles": "search", "codebaseSearch": "search", "listCodeDefinitionNames": "search"}
SUBAGENT_TOOLS = {"newTask"}  # Roo's subtask; Cline's new_task hands the work over instead
RESULT_HEADER = re.compile(r"^\[(.+?)\] Result:")
FAILED = re.compile(r"\s*(?:<error>|The tool execution failed|Error[: ])")
STORAGE = {"kilocode.kilo-code": "kilo", "rooveterinaryinc.roo-cline": "roo-code", "saoudrizwan.claude-dev": "cline"}


def detect_document(doc: Any) -> bool:
    """A task's ``ui_messages.json``: rows ``{ts, type: say|ask, …}``."""
    return (isinstance(doc, list) and bool(doc) and isinstance(doc[0], dict) and isinstance(doc[0].get("ts"), int)
            and doc[0].get("type") in ("say", "ask"))


def detect_sdk_document(doc: Any) -> bool:
    """A Cline ≥ 4 ``<id>.messages.json``."""
    return (isinstance(doc, dict) and doc.get("agent") in ("lead", "subagent", "teammate")
            and isinstance(doc.get("messages"), list) and "sessionId" in doc)


def agent_of(path: str, rows: list[Any]) -> str:
    for part in Path(path).parts:
        if part in STORAGE:
            return STORAGE[part]
    for row in rows:
        if isinstance(row, dict) and row.get("say") == "api_req_started" and '"apiProtocol"' in str(row.get("text")):
            return "roo-code"
    first = rows[0] if rows and isinstance(rows[0], dict) else {}
    return "cline" if first.get("say") == "task" else "roo-code"


def _load(path: Path) -> Any:
    try:
        if not path.is_file() or path.stat().st_size > MAX_SIDE_FILE:
            return None
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def read_document(rows: list[Any], t: Transcript) -> None:
    t.agent = agent_of(t.path, rows)
    folder = Path(t.path).parent
    t.session_id = folder.name
    item = _load(folder / "history_item.json")
    item = item if isinstance(item, dict) else {}
    t.cwd = as_str(item.get("workspace"))
    t.is_subagent_file = isinstance(item.get("parentTaskId"), str)
    t.parent_session_id = as_str(item.get("parentTaskId"))
    meta = _load(folder / "task_metadata.json")
    reader = _TaskReader(t, _models_of(meta))
    reader.task(rows, _load(folder / HISTORY), sidechain=False)
    for child in item.get("childIds") or []:
        child_rows = _load(folder.parent / str(child) / "ui_messages.json") if isinstance(child, str) else None
        if isinstance(child_rows, list) and child_rows:
            reader.task(child_rows, _load(folder.parent / str(child) / HISTORY), sidechain=True)
    t.lines = reader.line
    t.extra["agent_cost_usd"] = round(reader.cost, 9) if reader.priced else None


def _models_of(meta: Any) -> list[tuple[int, str]]:
    """(time, model) of Cline's task_metadata.json model_usage, in order."""
    usage = meta.get("model_usage") if isinstance(meta, dict) else None
    return [(as_int(u.get("ts")), str(u["model_id"])) for u in usage or []
            if isinstance(u, dict) and isinstance(u.get("model_id"), str)]


class _TaskReader:
    def __init__(self, t: Transcript, models: list[tuple[int, str]]) -> None:
        self.t = t
        self.models = models
        self.line = 0  # rows of the tasks read so far (a subtask's rows follow its parent's)
        self.cost = 0.0
        self.priced = False

    def task(self, rows: list[Any], history: Any, *, sidechain: bool) -> None:
        t = self.t
        base = self.line
        self.line += len(rows)
        results = _results_per_response(history)
        response = -1  # index of the request whose response the rows now show
        calls: list[tuple[ToolCall, int]] = []  # this response's calls and the row of their ui output
        outputs: dict[int, list[str]] = {}
        last_line = base

        def close_response() -> None:
            chunks = results[response + 1] if 0 <= response + 1 < len(results) else []
            for index, (call, row) in enumerate(calls):
                if index < len(chunks):
                    chars, head, failed = chunks[index]
                    t.events.append(ToolResult(last_line, call.timestamp, call.call_id, chars, tokens_of_chars(chars),
                                               failed, head, sidechain=sidechain))
                elif row in outputs:  # no history: what the row shows is what the tool returned
                    t.events.append(tool_result(last_line, call.timestamp, call.call_id, "".join(outputs[row]),
                                                sidechain=sidechain))
            calls.clear()

        for index, row in enumerate(rows):
            line = base + index + 1
            if not isinstance(row, dict) or row.get("type") not in ("say", "ask"):
                t.add_malformed(line, "not a task message")
                continue
            ts = iso_time(row.get("ts"))
            if ts:
                t.started_at = t.started_at or ts
                t.ended_at = ts if t.ended_at is None or ts > t.ended_at else t.ended_at
            kind = row.get("say") if row.get("type") == "say" else row.get("ask")
            text = as_str(row.get("text")) or ""
            if kind == "api_req_started":
                info = _json(text)
                if info is None:
                    t.add_malformed(line, "api_req_started without its usage")
                    continue
                if "cost" not in info and "cancelReason" not in info and "tokensIn" not in info:
                    continue  # a request Cline itself dropped
                close_response()
                response += 1
                t.events.append(self._usage(info, row, line, ts, sidechain))
            elif kind in ("task", "user_feedback") or (kind == "text" and index == 0):
                if text.strip():
                    t.events.append(prompt(line, ts, text.strip(), sidechain=sidechain))
            elif kind == "text" and text.strip():
                t.events.append(AssistantText(line, ts, len(text), text[:200], sidechain=sidechain))
            elif kind == "reasoning":
                t.events.append(Thinking(line, ts, len(text), sidechain=sidechain))
            elif kind == "tool":
                tool = _json(text) or {}
                name = as_str(tool.get("tool")) or "?"
                if name in ("summarizeTask", "condense"):
                    t.events.append(Compaction(line, ts, None, sidechain=sidechain))
                    continue
                call = tool_call(line, ts, f"row{line}", name, tool, edit=name in EDIT_TOOLS,
                                 subagent=name in SUBAGENT_TOOLS and self.t.agent != "cline", sidechain=sidechain)
                call.kind = TOOL_KINDS.get(name, "")
                t.events.append(call)
                calls.append((call, line))
                if call.is_subagent:
                    t.events.append(SubagentMarker(line, ts, None, sidechain=False))
                shown = as_str(tool.get("content"))
                if shown and call.kind != "read":  # a read's row shows the path, not the file
                    outputs[line] = [shown]
            elif kind in ("command", "use_mcp_server"):
                name = "command" if kind == "command" else "use_mcp_server"
                call = tool_call(line, ts, f"row{line}", name, {"command": text} if kind == "command" else _json(text),
                                 shell=kind == "command", sidechain=sidechain)
                t.events.append(call)
                calls.append((call, line))
                outputs[line] = []
            elif kind in ("command_output", "mcp_server_response") and calls:
                outputs.setdefault(calls[-1][1], []).append(text)
            elif kind in ("condense_context", "compaction"):
                condense = row.get("contextCondense")
                if isinstance(condense, dict) and isinstance(condense.get("cost"), int | float):
                    self.cost += float(condense["cost"])  # the condensing call: recorded by its cost only
                t.events.append(Compaction(line, ts, None, sidechain=sidechain))
            elif kind in ("deleted_api_reqs", "subagent_usage"):
                info = _json(text) or {}
                if isinstance(info.get("cost"), int | float):
                    self.cost += float(info["cost"])
            last_line = line
        close_response()

    def _usage(self, info: dict[str, Any], row: dict[str, Any], line: int, ts: str | None, side: bool) -> Usage:
        model_info = row.get("modelInfo")
        model_info = model_info if isinstance(model_info, dict) else {}
        model = as_str(model_info.get("modelId"))
        stamp = as_int(row.get("ts"))
        model = model or next((m for at, m in reversed(self.models) if at <= stamp), None)
        if model and model not in self.t.models:
            self.t.models.append(model)
        tokens_in, reads, writes = as_int(info.get("tokensIn")), as_int(info.get("cacheReads")), as_int(
            info.get("cacheWrites"))
        cached = reads + writes
        anthropic = model_info.get("providerId") == "anthropic" or "claude" in (model or "")
        if tokens_in < cached or (self.t.agent == "cline" and anthropic):
            fresh = tokens_in  # below its cached part it can only be the uncached input
        else:
            fresh = tokens_in - cached
        if isinstance(info.get("cost"), int | float):
            self.cost += float(info["cost"])
            self.priced = True
        return Usage(line, ts, f"row{line}", model, fresh, writes, reads, as_int(info.get("tokensOut")), sidechain=side)


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _results_per_response(history: Any) -> list[list[tuple[int, str, bool]]]:
    """For each user message of the conversation (the k-th answers the (k-1)-th response), the tool
    results it carried, in order: (chars, head, failed). A condensing summary is not an answer."""
    out: list[list[tuple[int, str, bool]]] = []
    for message in history if isinstance(history, list) else []:
        if not isinstance(message, dict) or message.get("role") != "user" or message.get("isSummary") is True:
            continue
        content = message.get("content")
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
        chunks: list[list[Any]] = []  # [chars, head, failed] while it grows
        for block in blocks:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_result":
                chars, head, _, _ = content_size(block.get("content"))
                chunks.append([chars, head, block.get("is_error") is True])
                continue
            text = as_str(block.get("text")) or ""
            if RESULT_HEADER.match(text):
                chunks.append([len(text), "", False])
            elif chunks and not text.startswith("<environment_details>"):
                chunk = chunks[-1]
                chunk[0] += len(text)
                chunk[1] = chunk[1] or text[:HEAD_CHARS]
                chunk[2] = chunk[2] or bool(FAILED.match(text))
        out.append([(c[0], c[1], c[2]) for c in chunks])
    return out


# ---------------------------------------------------------------------------------------------
# Cline ≥ 4 (SDK sessions)


def read_sdk_document(doc: dict[str, Any], t: Transcript) -> None:
    t.agent = "cline"
    t.session_id = as_str(doc.get("sessionId"))
    t.is_subagent_file = doc.get("agent") != "lead"
    manifest = _load(Path(t.path).with_name(f"{t.session_id}.json")) if t.session_id else None
    if isinstance(manifest, dict):
        t.cwd = as_str(manifest.get("cwd")) or as_str(manifest.get("workspace_root"))
        t.started_at, t.ended_at = as_str(manifest.get("started_at")), as_str(manifest.get("ended_at"))
    reader = _SdkReader(t)
    each_message(t, doc["messages"], reader.message)
    if reader.priced:
        t.extra["agent_cost_usd"] = round(reader.cost, 9)


class _SdkReader:
    def __init__(self, t: Transcript) -> None:
        self.t = t
        self.position = 0
        self.cost = 0.0
        self.priced = False

    def message(self, m: dict[str, Any], _: int) -> None:
        self.position += 1
        t, line = self.t, self.position
        role = m.get("role")
        ts = iso_time(m.get("ts")) if isinstance(m.get("ts"), int) else as_str(m.get("ts"))
        events: list[Event] = []
        content = m.get("content")
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
        for block in blocks:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            text = block.get("text")
            if kind == "text" and isinstance(text, str) and text.strip():
                events.append(prompt(line, ts, text.strip()) if role == "user"
                              else AssistantText(line, ts, len(text), text[:200]))
            elif kind == "thinking":
                events.append(Thinking(line, ts, len(str(block.get("thinking", "")))))
            elif kind == "tool_use":
                name = as_str(block.get("name")) or "?"
                events.append(tool_call(line, ts, as_str(block.get("id")) or f"line{line}", name, block.get("input"),
                                        edit=name in ("write_to_file", "replace_in_file", "apply_patch", "editor"),
                                        subagent=name in ("use_subagents", "spawn_agent"),
                                        shell=name in ("execute_command", "run_commands")))
            elif kind == "tool_result":
                events.append(tool_result(line, ts, as_str(block.get("tool_use_id")) or f"line{line}",
                                          block.get("content"), is_error=block.get("is_error") is True))
        metrics = m.get("metrics")
        if role == "assistant" and isinstance(metrics, dict):
            model_info = m.get("modelInfo")
            model = as_str(model_info.get("id")) if isinstance(model_info, dict) else None
            if model and model not in t.models:
                t.models.append(model)
            whole = as_int(metrics.get("inputTokens"))
            read, write = as_int(metrics.get("cacheReadTokens")), as_int(metrics.get("cacheWriteTokens"))
            t.events.append(Usage(line, ts, as_str(m.get("id")) or f"line{line}", model, max(whole - read - write, 0),
                                  write, read, as_int(metrics.get("outputTokens"))))
            if isinstance(metrics.get("cost"), int | float):
                self.cost += float(metrics["cost"])
                self.priced = True
        elif role not in ("user", "assistant"):
            t.add_malformed(line, f"unknown message role {str(role)[:40]!r}")
        t.events.extend(events)
