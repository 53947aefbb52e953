"""Qwen Code: ``~/.qwen/projects/<project>/chats/<sessionId>.jsonl`` (docs/agents/qwen-code.md).

One ``ChatRecord`` per line: ``{uuid, parentUuid, sessionId, timestamp, type: user|assistant|
tool_result|system, cwd, message (a Gemini Content: role + parts), usageMetadata, model,
contextWindowSize, isSidechain, agentId, …}``. A request is an ``assistant`` record with
``usageMetadata`` (Gemini semantics: ``promptTokenCount`` includes ``cachedContentTokenCount``;
there is no cache-write count; thoughts are billed as output). A compression is a ``system`` record
(``chat_compression``); its own summarising call is not recorded. Subagent records carry
``isSidechain`` and ``agentId``.
"""

from __future__ import annotations

from typing import Any

from ctxlint.transcripts.events import (
    AssistantText,
    Compaction,
    SubagentMarker,
    Thinking,
    Transcript,
    Usage,
)
from ctxlint.transcripts.readers.common import as_int, as_str, prompt, tool_call, tool_result

RECORD_TYPES = ("user", "assistant", "tool_result", "system")
EDIT_TOOLS = {"edit", "write_file", "replace"}
SUBAGENT_TOOLS = {"task"}


def detect(first: dict[str, Any]) -> bool:
    message = first.get("message")
    return (first.get("type") in RECORD_TYPES and "sessionId" in first and "uuid" in first
            and ("systemPayload" in first or "usageMetadata" in first
                 or (isinstance(message, dict) and isinstance(message.get("parts"), list))))


class Reader:
    def __init__(self, t: Transcript) -> None:
        self.t = t
        self.agents: set[str] = set()

    def record(self, rec: dict[str, Any], number: int) -> None:
        t = self.t
        kind = rec.get("type")
        if kind not in RECORD_TYPES:
            t.add_malformed(number, "not a Qwen Code chat record")
            return
        ts = as_str(rec.get("timestamp"))
        if ts:
            t.saw_time(ts)
        t.session_id = t.session_id or as_str(rec.get("sessionId"))
        t.cwd = t.cwd or as_str(rec.get("cwd"))
        side = rec.get("isSidechain") is True
        agent = as_str(rec.get("agentId"))
        if side and agent and agent not in self.agents:
            self.agents.add(agent)
            t.events.append(SubagentMarker(number, ts, agent))
        message = rec.get("message")
        parts = message.get("parts") if isinstance(message, dict) else None
        parts = parts if isinstance(parts, list) else []
        if kind == "system":
            payload = rec.get("systemPayload")
            if rec.get("subtype") == "chat_compression" and isinstance(payload, dict):
                info = payload.get("info")
                before = as_int(info.get("originalTokenCount")) if isinstance(info, dict) else 0
                t.events.append(Compaction(number, ts, None, before or None, sidechain=side))
            return
        if kind == "assistant":
            self._usage(rec, number, ts, side)
        for part in parts:
            if not isinstance(part, dict):
                continue
            text = part.get("text")
            if isinstance(text, str) and text.strip():
                if part.get("thought") is True:
                    t.events.append(Thinking(number, ts, len(text), sidechain=side))
                elif kind == "user":
                    t.events.append(prompt(number, ts, text.strip(), sidechain=side))
                elif kind == "assistant":
                    t.events.append(AssistantText(number, ts, len(text), text[:200], sidechain=side))
            call = part.get("functionCall")
            if isinstance(call, dict):
                name = as_str(call.get("name")) or "?"
                t.events.append(tool_call(number, ts, as_str(call.get("id")) or f"line{number}", name, call.get("args"),
                                          edit=name in EDIT_TOOLS, subagent=name in SUBAGENT_TOOLS,
                                          shell=name == "run_shell_command", sidechain=side, zero_based=True))
            response = part.get("functionResponse")
            if isinstance(response, dict):
                body = response.get("response")
                output = body.get("output", body.get("error")) if isinstance(body, dict) else body
                result = rec.get("toolCallResult")
                failed = (isinstance(body, dict) and "error" in body and "output" not in body) or (
                    isinstance(result, dict) and result.get("status") == "error")
                t.events.append(tool_result(number, ts, as_str(response.get("id")) or f"line{number}", output,
                                            is_error=failed, sidechain=side))

    def _usage(self, rec: dict[str, Any], number: int, ts: str | None, side: bool) -> None:
        usage = rec.get("usageMetadata")
        if not isinstance(usage, dict):
            return
        t = self.t
        model = as_str(rec.get("model"))
        if model and model not in t.models:
            t.models.append(model)
        t.context_window = as_int(rec.get("contextWindowSize")) or t.context_window
        prompt_tokens = as_int(usage.get("promptTokenCount"))
        cached = min(as_int(usage.get("cachedContentTokenCount")), prompt_tokens)
        thoughts = as_int(usage.get("thoughtsTokenCount"))
        t.events.append(Usage(number, ts, as_str(rec.get("uuid")) or f"line{number}", model, prompt_tokens - cached, 0,
                              cached, as_int(usage.get("candidatesTokenCount")) + thoughts,
                              reasoning_output_tokens=thoughts, sidechain=side))
