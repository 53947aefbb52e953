"""Codex CLI rollout JSONL (``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``).

Every line is ``{timestamp, type, payload}``. Usage comes from ``event_msg``/``token_count``: one
request per *change* of the cumulative total (Codex repeats the last event with the same totals),
measured by ``last_token_usage`` (or by the difference of totals when it is missing).
``input_tokens`` includes ``cached_input_tokens``: the reader reports fresh = input − cached and
cache read = cached, so the keys mean the same for every agent. A subagent rollout replays its
parent's token history: such a file is marked as a subagent file, and the coach does not count it
as a session of its own.
"""

from __future__ import annotations

import shlex
from typing import Any, BinaryIO

import orjson

from ctxlint.parsing.transcripts.common import (
    PROMPT_TEXT_CAP,
    as_int,
    as_str,
    content_size,
    patch_paths,
    text_of,
    tokens_of_chars,
)
from ctxlint.parsing.transcripts.events import (
    AssistantText,
    Compaction,
    ModelChange,
    Prompt,
    SubagentMarker,
    Thinking,
    ToolCall,
    ToolResult,
    Transcript,
    Usage,
)
from ctxlint.parsing.transcripts.lines import json_records

INJECTED_PREFIXES = ("<environment_context>", "<user_instructions>", "# AGENTS.md instructions", "<INSTRUCTIONS>",
                     "<recommended_plugins>", "<turn_aborted>", "<user_shell_command>")
IDE_CONTEXT = "# Context from my IDE setup:"
IDE_REQUEST = "## My request for Codex:"
SHELL_TOOLS = {"shell", "exec_command", "shell_command", "local_shell", "container.exec", "bash", "unified_exec"}
SKIP_MARKS = (b'"type":"agent_reasoning"', b'"type":"agent_message"', b'"type":"ghost_snapshot"',
              b'"type":"exec_command_end"', b'"type":"patch_apply_end"', b'"type":"user_message"')


def prefilter(line: bytes) -> bool:
    # event_msg UI echoes of items that response_item already carries (duplicates for the model)
    return line[:120].find(b'"type":"event_msg"') != -1 and any(m in line[:200] for m in SKIP_MARKS)


def shell_command(args: dict[str, Any]) -> str | None:
    cmd = args.get("command", args.get("cmd"))
    if isinstance(cmd, list):
        parts = [str(c) for c in cmd]
        if len(parts) >= 3 and parts[0] in ("bash", "zsh", "sh", "/bin/bash", "/bin/zsh", "/bin/sh") and \
                parts[1] in ("-lc", "-c"):
            return parts[2]
        return shlex.join(parts)
    return cmd if isinstance(cmd, str) else None


def read(fh: BinaryIO, t: Transcript, use_prefilter: bool = True) -> None:
    calls: dict[str, ToolCall] = {}
    model: str | None = None
    prev_total: int | None = None
    last_compaction = -10
    request_index = 0
    for number, rec in json_records(fh, t, prefilter if use_prefilter else None):
        kind = rec.get("type")
        payload = rec.get("payload")
        ts = as_str(rec.get("timestamp"))
        if ts:
            t.started_at = t.started_at if t.started_at and t.started_at <= ts else ts
            t.ended_at = ts if t.ended_at is None or ts > t.ended_at else t.ended_at
        if not isinstance(payload, dict):
            if kind in ("session_meta", "response_item", "event_msg", "turn_context", "compacted"):
                t.add_malformed(number, f"{kind} without an object payload")
            continue
        ptype = payload.get("type")
        try:
            if kind == "session_meta":
                if t.session_id is None:
                    t.session_id = as_str(payload.get("id")) or as_str(payload.get("session_id"))
                    t.cwd = as_str(payload.get("cwd"))
                source = payload.get("source")
                if payload.get("thread_source") == "subagent" or (isinstance(source, dict) and "subagent" in source):
                    t.is_subagent_file = True
                    spawn = source.get("subagent") if isinstance(source, dict) else None
                    if isinstance(spawn, dict):
                        parent = spawn.get("thread_spawn")
                        if isinstance(parent, dict):
                            t.parent_session_id = as_str(parent.get("parent_thread_id"))
            elif kind == "turn_context":
                new = as_str(payload.get("model"))
                if new and new != model:
                    if model is not None:
                        t.events.append(ModelChange(number, ts, new))
                    model = new
                    if new not in t.models:
                        t.models.append(new)
            elif kind == "compacted":
                if number - last_compaction > 3:
                    t.events.append(Compaction(number, ts, "auto", None))
                last_compaction = number
            elif kind == "event_msg":
                if ptype == "token_count":
                    info = payload.get("info")
                    if not isinstance(info, dict):
                        continue
                    total = info.get("total_token_usage")
                    last = info.get("last_token_usage")
                    total_n = as_int(total.get("total_tokens")) if isinstance(total, dict) else None
                    if total_n is not None and total_n == prev_total:
                        continue  # the same totals repeated: not a new request
                    window = as_int(info.get("model_context_window")) or None
                    if isinstance(last, dict):
                        sample = last
                    elif isinstance(total, dict) and prev_total is not None:
                        sample = {"input_tokens": as_int(total.get("input_tokens")) - t.extra.get("prev_in", 0),
                                  "cached_input_tokens": as_int(total.get("cached_input_tokens"))
                                  - t.extra.get("prev_cached", 0),
                                  "output_tokens": as_int(total.get("output_tokens")) - t.extra.get("prev_out", 0)}
                    else:
                        sample = total if isinstance(total, dict) else {}
                    if isinstance(total, dict):
                        t.extra["prev_in"] = as_int(total.get("input_tokens"))
                        t.extra["prev_cached"] = as_int(total.get("cached_input_tokens"))
                        t.extra["prev_out"] = as_int(total.get("output_tokens"))
                    prev_total = total_n if total_n is not None else prev_total
                    inp = as_int(sample.get("input_tokens"))
                    cached = min(as_int(sample.get("cached_input_tokens")), inp)
                    out = as_int(sample.get("output_tokens"))
                    if window and inp + out > window * 1.5:
                        t.add_malformed(number, "impossible-usage")
                        continue
                    request_index += 1
                    t.context_window = window or t.context_window
                    t.events.append(Usage(number, ts, f"tc{number}", model, inp - cached, 0, cached, out,
                                          reasoning_output_tokens=as_int(sample.get("reasoning_output_tokens")),
                                          context_window=window))
                elif ptype == "context_compacted":
                    if number - last_compaction > 3:
                        t.events.append(Compaction(number, ts, "auto", None))
                    last_compaction = number
            elif kind == "response_item":
                _response_item(t, payload, ptype, number, ts, calls)
        except (TypeError, AttributeError, ValueError, KeyError):
            t.add_malformed(number, f"unexpected {kind} record shape")
    t.extra.pop("prev_in", None)
    t.extra.pop("prev_cached", None)
    t.extra.pop("prev_out", None)


def _response_item(t: Transcript, p: dict[str, Any], ptype: Any, number: int, ts: str | None,
                   calls: dict[str, ToolCall]) -> None:
    if ptype == "message":
        role = p.get("role")
        text = text_of(p.get("content"))
        if role == "user":
            stripped = text.strip()
            if stripped.startswith(IDE_CONTEXT) and IDE_REQUEST in stripped:
                # The VS Code extension wraps each prompt in "open tabs / active file" context; the
                # human's request is what follows the marker.
                stripped = stripped.split(IDE_REQUEST, 1)[1].strip()
            if not stripped:
                return
            meta = stripped.startswith(INJECTED_PREFIXES)
            command = None
            if stripped.startswith("/") and " " not in stripped[:40].split("\n")[0]:
                command = stripped.split()[0]
            t.events.append(Prompt(number, ts, stripped[:PROMPT_TEXT_CAP], len(stripped),
                                   tokens_of_chars(len(stripped)), False, meta, command))
        elif role == "assistant" and text.strip():
            t.events.append(AssistantText(number, ts, len(text), text[:200]))
    elif ptype == "reasoning":
        summary = p.get("summary")
        chars = sum(len(s.get("text", "")) for s in summary if isinstance(s, dict)) if isinstance(summary, list) else 0
        t.events.append(Thinking(number, ts, chars))
    elif ptype in ("function_call", "custom_tool_call", "local_shell_call"):
        name = as_str(p.get("name")) or ("local_shell" if ptype == "local_shell_call" else "?")
        call_id = as_str(p.get("call_id")) or as_str(p.get("id")) or f"line{number}"
        call = ToolCall(number, ts, call_id, name)
        raw = p.get("arguments") if ptype == "function_call" else p.get("input", p.get("action"))
        call.input_chars = len(raw) if isinstance(raw, str) else 0
        args: Any = raw
        if isinstance(raw, str) and ptype == "function_call":
            try:
                args = orjson.loads(raw)
            except orjson.JSONDecodeError:
                args = {}
        if name == "apply_patch" or (isinstance(raw, str) and raw.lstrip().startswith("*** Begin Patch")):
            patch = raw if isinstance(raw, str) else as_str(args.get("input") if isinstance(args, dict) else None) or ""
            call.is_edit = True
            call.edit_paths = patch_paths(patch)
            call.path = call.edit_paths[0] if call.edit_paths else None
        elif isinstance(args, dict):
            if name in SHELL_TOOLS or "command" in args or "cmd" in args:
                call.command = shell_command(args)
                if call.command and "apply_patch" in call.command[:40]:
                    call.is_edit = True
                    call.edit_paths = patch_paths(call.command)
            elif name in ("read_file", "view_image"):
                call.path = as_str(args.get("path")) or as_str(args.get("file_path"))
            elif name in ("spawn_agent", "delegate"):
                call.is_subagent = True
        calls[call_id] = call
        t.events.append(call)
        if call.is_subagent:
            t.events.append(SubagentMarker(number, ts, call_id))
    elif ptype in ("function_call_output", "custom_tool_call_output", "local_shell_call_output"):
        call_id = as_str(p.get("call_id")) or ""
        output = p.get("output")
        is_error = False
        if isinstance(output, dict):
            meta_out = output.get("metadata")
            if isinstance(meta_out, dict) and as_int(meta_out.get("exit_code")):
                is_error = True
            output = output.get("output", output.get("content"))
        elif isinstance(output, str) and output.startswith("{") and '"output"' in output[:200]:
            try:
                parsed = orjson.loads(output)
                if isinstance(parsed, dict):
                    meta_parsed = parsed.get("metadata")
                    if isinstance(meta_parsed, dict) and as_int(meta_parsed.get("exit_code")):
                        is_error = True
                    output = parsed.get("output", output)
            except orjson.JSONDecodeError:
                pass
        chars, head, images = content_size(output)
        if isinstance(output, str) and "Process exited with code " in output[:400]:
            code = output[: 400].split("Process exited with code ", 1)[1].split("\n", 1)[0].strip()
            is_error = is_error or (code.isdigit() and code != "0")
        t.events.append(ToolResult(number, ts, call_id, chars, tokens_of_chars(chars), is_error, head,
                                   image_tokens=images))


def detect(first: dict[str, Any]) -> bool:
    return isinstance(first.get("payload"), dict) and first.get("type") in (
        "session_meta", "response_item", "event_msg", "turn_context", "compacted")
