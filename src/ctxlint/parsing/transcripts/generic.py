"""OpenAI-style ``messages`` (chat completions or responses shape) for home-grown agents:
a bare ``[{role, content}]`` array, ``{"messages": [...]}``, SWE-agent ``.traj`` (``history[]``),
or JSONL with one message per line. Usage is read where present (``usage`` on a message, or
``info.model_stats``); tool calls from ``tool_calls[]`` and ``role: tool`` results."""

from __future__ import annotations

from typing import Any

import orjson

from ctxlint.parsing.transcripts.common import (
    PROMPT_TEXT_CAP,
    as_int,
    as_str,
    content_size,
    text_of,
    tokens_of_chars,
)
from ctxlint.parsing.transcripts.events import AssistantText, Prompt, ToolCall, ToolResult, Transcript, Usage

ROLES = {"system", "user", "assistant", "tool", "developer", "function"}


def messages_of(doc: Any) -> list[Any] | None:
    if isinstance(doc, list) and doc and all(isinstance(m, dict) and m.get("role") in ROLES for m in doc[:5]):
        return doc
    if isinstance(doc, dict):
        for key in ("messages", "history", "input"):
            value = doc.get(key)
            if isinstance(value, list) and value and isinstance(value[0], dict) and value[0].get("role") in ROLES:
                return value
    return None


def read_message(t: Transcript, m: dict[str, Any], number: int) -> None:
    role = m.get("role")
    content = m.get("content")
    if role == "user":
        text = text_of(content).strip()
        if text:
            t.events.append(Prompt(number, None, text[:PROMPT_TEXT_CAP], len(text), tokens_of_chars(len(text))))
    elif role == "assistant":
        text = text_of(content)
        if text.strip():
            t.events.append(AssistantText(number, None, len(text), text[:200]))
        for call in m.get("tool_calls") or []:
            if not isinstance(call, dict):
                continue
            fn: dict[str, Any] = call["function"] if isinstance(call.get("function"), dict) else {}
            name = as_str(fn.get("name")) or as_str(call.get("name")) or "?"
            args_raw = fn.get("arguments")
            args: Any = {}
            if isinstance(args_raw, str):
                try:
                    args = orjson.loads(args_raw)
                except orjson.JSONDecodeError:
                    args = {}
            tc = ToolCall(number, None, as_str(call.get("id")) or f"g{number}", name)
            if isinstance(args, dict):
                tc.command = as_str(args.get("command")) or as_str(args.get("cmd"))
                tc.path = as_str(args.get("path")) or as_str(args.get("file_path"))
            t.events.append(tc)
        usage = m.get("usage")
        if isinstance(usage, dict):
            inp = as_int(usage.get("prompt_tokens", usage.get("input_tokens")))
            details = usage.get("prompt_tokens_details")
            cached = as_int(details.get("cached_tokens")) if isinstance(details, dict) else 0
            out = as_int(usage.get("completion_tokens", usage.get("output_tokens")))
            t.events.append(Usage(number, None, f"gen{number}", as_str(m.get("model")), inp - min(cached, inp), 0,
                                  min(cached, inp), out))
    elif role in ("tool", "function"):
        chars, head, images = content_size(content)
        t.events.append(ToolResult(number, None, as_str(m.get("tool_call_id")) or "", chars, tokens_of_chars(chars),
                                   False, head, image_tokens=images))


def read_document(doc: Any, t: Transcript) -> None:
    msgs = messages_of(doc) or []
    for m in msgs:
        if isinstance(m, dict):
            read_message(t, m, 1)
    if isinstance(doc, dict):
        info = doc.get("info")
        stats = info.get("model_stats") if isinstance(info, dict) else None
        if isinstance(stats, dict) and not t.requests:
            calls = as_int(stats.get("api_calls"))
            inp = as_int(stats.get("tokens_sent"))
            out = as_int(stats.get("tokens_received"))
            if calls and (inp or out):
                t.events.append(Usage(1, None, "model_stats", None, inp, 0, 0, out))


def detect_document(doc: Any) -> bool:
    return messages_of(doc) is not None


def detect_line(first: dict[str, Any]) -> bool:
    return first.get("role") in ROLES and ("content" in first or "tool_calls" in first)
