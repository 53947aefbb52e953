"""OpenAI-style ``messages`` for home-grown agents.

Accepted shapes: a bare ``[{role, content}]`` array, ``{"messages": [...]}`` (chat completions),
``{"input": [...]}`` / a list of Responses-API items (``message``, ``function_call``,
``function_call_output``), SWE-agent ``.traj`` (``history[]`` with ``action``), mini-swe-agent
trajectories (the command in a fenced ``bash`` block), or JSONL with one message per line.

Tool calls come from ``tool_calls[]``, Responses ``function_call`` items, SWE-agent's ``action`` or
mini-swe-agent's single ``bash`` block; results from ``role: tool`` messages, ``function_call_output``
items, or — for the action-style agents, which have no tool role — the ``user`` message that answers
an action (an observation, not a human prompt). Usage is read where present (``usage`` on a
message, or ``info.model_stats`` as one aggregate request).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ctxlint.transcripts.events import AssistantText, Prompt, ToolCall, ToolResult, Transcript, Usage
from ctxlint.transcripts.readers.common import (
    EDIT_TOOLS,
    PROMPT_TEXT_CAP,
    as_int,
    as_str,
    content_size,
    each_message,
    patch_paths,
    text_of,
    tokens_of_chars,
    tool_kind,
)

# Tuples, not sets: a role/type read from JSON may be a list or dict (unhashable).
ROLES = ("system", "user", "assistant", "tool", "developer", "function")
ITEM_TYPES = ("message", "function_call", "function_call_output", "reasoning", "custom_tool_call",
              "custom_tool_call_output")
EDITOR_TOOLS = {"str_replace_editor", "str_replace_based_edit_tool", "edit_file"}
EDITOR_WRITES = {"create", "str_replace", "insert", "undo_edit", "write"}
BASH_BLOCK = re.compile(r"```(?:bash|sh|shell)\s*\n(.*?)```", re.S)


def _is_item(m: Any) -> bool:
    return isinstance(m, dict) and (m.get("role") in ROLES or m.get("type") in ITEM_TYPES)


def messages_of(doc: Any) -> list[Any] | None:
    if isinstance(doc, list) and doc and all(_is_item(m) for m in doc[:5]):
        return doc
    if isinstance(doc, dict):
        for key in ("messages", "history", "input"):
            value = doc.get(key)
            if isinstance(value, list) and value and _is_item(value[0]):
                return value
    return None


class GenericReader:
    def __init__(self, t: Transcript) -> None:
        self.t = t
        self.pending_action: str | None = None  # call id of an action awaiting its observation

    def message(self, m: dict[str, Any], number: int) -> None:
        t = self.t
        role = m.get("role")
        kind = m.get("type")
        ts = as_str(m.get("timestamp"))
        content = m.get("content")
        if kind in ("function_call", "custom_tool_call"):
            self._item_call(m, number, ts)
            return
        if kind in ("function_call_output", "custom_tool_call_output"):
            output = m.get("output")
            if isinstance(output, dict):
                output = output.get("output", output.get("content"))
            self._result(as_str(m.get("call_id")) or "", output, number, ts, False)
            return
        if role == "user":
            if self.pending_action is not None:
                # An action-style agent's observation: the environment answering the command.
                call_id, self.pending_action = self.pending_action, None
                self._result(call_id, content, number, ts, False)
                return
            text = text_of(content).strip()
            if text:
                t.events.append(Prompt(number, ts, text[:PROMPT_TEXT_CAP], len(text), tokens_of_chars(len(text))))
        elif role == "assistant":
            self.pending_action = None
            text = text_of(content)
            if text.strip():
                t.events.append(AssistantText(number, ts, len(text), text[:200]))
            calls = m.get("tool_calls")
            if isinstance(calls, list) and calls:
                for call in calls:
                    if isinstance(call, dict):
                        self._chat_call(call, number, ts)
            else:
                action = as_str(m.get("action"))
                if action is None and text and "```" in text:
                    blocks = BASH_BLOCK.findall(text)
                    action = blocks[0].strip() if len(blocks) == 1 else None
                if action and action.strip():
                    call_id = f"action{number}-{len(t.events)}"
                    tc = ToolCall(number, ts, call_id, "bash", command=action.strip(), input_chars=len(action))
                    t.events.append(tc)
                    self.pending_action = call_id
            self._usage(m, number, ts)
        elif role in ("tool", "function"):
            self.pending_action = None
            self._result(as_str(m.get("tool_call_id")) or as_str(m.get("name")) or "", content, number, ts, False)

    def _result(self, call_id: str, content: Any, number: int, ts: str | None, is_error: bool) -> None:
        chars, head, images, _ = content_size(content)
        self.t.events.append(ToolResult(number, ts, call_id, chars, tokens_of_chars(chars), is_error, head,
                                        image_tokens=images))

    def _chat_call(self, call: dict[str, Any], number: int, ts: str | None) -> None:
        fn: dict[str, Any] = call["function"] if isinstance(call.get("function"), dict) else {}
        name = as_str(fn.get("name")) or as_str(call.get("name")) or "?"
        self._call(name, as_str(call.get("id")) or f"g{number}-{len(self.t.events)}", fn.get("arguments"), number, ts)

    def _item_call(self, m: dict[str, Any], number: int, ts: str | None) -> None:
        name = as_str(m.get("name")) or "?"
        call_id = as_str(m.get("call_id")) or as_str(m.get("id")) or f"g{number}-{len(self.t.events)}"
        self._call(name, call_id, m.get("arguments", m.get("input")), number, ts)

    def _call(self, name: str, call_id: str, args_raw: Any, number: int, ts: str | None) -> None:
        args: Any = args_raw if isinstance(args_raw, dict) else {}
        if isinstance(args_raw, str):
            try:
                args = orjson.loads(args_raw)
            except orjson.JSONDecodeError:
                args = {}
        tc = ToolCall(number, ts, call_id, name, input_chars=len(args_raw) if isinstance(args_raw, str) else 0,
                      kind=tool_kind(name))
        if isinstance(args_raw, str) and (name == "apply_patch" or args_raw.lstrip().startswith("*** Begin Patch")):
            tc.is_edit = True
            tc.edit_paths = patch_paths(args_raw)
            tc.path = tc.edit_paths[0] if tc.edit_paths else None
        elif isinstance(args, dict):
            path = as_str(args.get("path")) or as_str(args.get("file_path"))
            sub = as_str(args.get("command"))
            if name in EDITOR_TOOLS:
                tc.path = path
                if sub in EDITOR_WRITES or name == "edit_file":
                    tc.is_edit = True
                    tc.edit_paths = (path,) if path else ()
            elif name in EDIT_TOOLS:
                tc.path = path
                tc.is_edit = True
                tc.edit_paths = (path,) if path else ()
            else:
                cmd = args.get("command", args.get("cmd"))
                if isinstance(cmd, list):
                    cmd = " ".join(str(c) for c in cmd)
                tc.command = cmd if isinstance(cmd, str) else None
                tc.path = path
                tc.pattern = as_str(args.get("pattern"))
        self.t.events.append(tc)

    def _usage(self, m: dict[str, Any], number: int, ts: str | None) -> None:
        usage = m.get("usage")
        if not isinstance(usage, dict):
            return
        inp = as_int(usage.get("prompt_tokens", usage.get("input_tokens")))
        details = usage.get("prompt_tokens_details", usage.get("input_tokens_details"))
        cached = min(as_int(details.get("cached_tokens")) if isinstance(details, dict) else 0, inp)
        out = as_int(usage.get("completion_tokens", usage.get("output_tokens")))
        model = as_str(m.get("model"))
        if model and model not in self.t.models:
            self.t.models.append(model)
        self.t.events.append(Usage(number, ts, f"gen{number}-{len(self.t.events)}", model, inp - cached, 0, cached,
                                   out))


def read_message(t: Transcript, m: dict[str, Any], number: int, reader: GenericReader | None = None) -> None:
    (reader or GenericReader(t)).message(m, number)


def read_document(doc: Any, t: Transcript) -> None:
    reader = GenericReader(t)
    each_message(t, messages_of(doc) or [], reader.message)
    if isinstance(doc, dict):
        info = doc.get("info")
        stats = info.get("model_stats") if isinstance(info, dict) else None
        if isinstance(stats, dict) and not t.requests:
            calls = as_int(stats.get("api_calls"))
            inp = as_int(stats.get("tokens_sent"))
            out = as_int(stats.get("tokens_received"))
            if calls and (inp or out):
                # One aggregate: SWE-agent records only the run's totals, not each request.
                t.events.append(Usage(1, None, "model_stats", None, inp, 0, 0, out))
                t.extra["aggregate_requests"] = calls


def detect_document(doc: Any) -> bool:
    return messages_of(doc) is not None


def detect_line(first: dict[str, Any]) -> bool:
    if first.get("role") in ROLES and ("content" in first or "tool_calls" in first):
        return True
    return first.get("type") in ("function_call", "function_call_output") and "call_id" in first
