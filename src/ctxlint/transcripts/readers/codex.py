"""Codex CLI rollout JSONL (``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``).

Every line is ``{timestamp, type, payload}``. Usage comes from ``event_msg``/``token_count``: one
request per *change* of the cumulative total (Codex repeats the last event with the same totals),
measured by ``last_token_usage`` (or by the difference of totals when it is missing).
``input_tokens`` includes ``cached_input_tokens``: the reader reports fresh = input − cached and
cache read = cached, so the keys mean the same for every agent. A spawned subagent's rollout
replays its parent's history before its own work; that replay is skipped (see ``_Codex``) and the
file is marked as a subagent file. ``compacted`` + ``event_msg/context_compacted`` written together
are one compaction. A resumed session written as a new rollout (Codex 0.3x) copies the resumed
session's ``session_meta`` and history after its own: those events are kept, marked ``replayed``
(history, never new work). Their ``token_count`` events copy the resumed session's own, request for
request: they count in this file's totals (alone, it is the only record of them), and a run that also
reads the resumed session's rollout (``resumed_from``) counts them once. Shell reads (``cat``, ``sed -n``, ``nl -ba | sed``) stay ``ToolCall.command``:
the rules parse commands.
"""

from __future__ import annotations

import re
import shlex
from typing import Any, BinaryIO, cast

import orjson

from ctxlint.transcripts.events import (
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
    parse_timestamp,
)
from ctxlint.transcripts.lines import json_records
from ctxlint.transcripts.readers.common import (
    OUT_OF_RANGE,
    PROMPT_TEXT_CAP,
    OutOfRange,
    as_int,
    as_str,
    content_size,
    loop_evidence,
    patch_paths,
    stable_hash,
    tail_of,
    text_of,
    tokens_of_chars,
    tool_kind,
)

INJECTED_PREFIXES = ("<environment_context>", "<user_instructions>", "# AGENTS.md instructions", "<INSTRUCTIONS>",
                     "<recommended_plugins>", "<turn_aborted>", "<user_shell_command>")
IDE_CONTEXT = "# Context from my IDE setup:"
IDE_REQUEST = "## My request for Codex:"
SHELL_TOOLS = {"shell", "exec_command", "shell_command", "local_shell", "container.exec", "bash", "unified_exec"}
SKIP_MARKS = (b'"type":"agent_reasoning"', b'"type":"agent_message"', b'"type":"ghost_snapshot"',
              b'"type":"exec_command_end"', b'"type":"patch_apply_end"', b'"type":"user_message"')


SKIP_MARK = re.compile(b"|".join(re.escape(m) for m in SKIP_MARKS))
# How a command's output says it failed ("Process exited with code 1" in 0.4x-0.6x, "Exit code: 1" since),
# and how apply_patch says it did not apply (its output has no exit code).
EXIT_CODE = re.compile(r"(?:Process exited with code |^Exit code: )(\d+)", re.M)
PATCH_FAILED = re.compile(r"\s*(?:apply_patch verification failed|error: |Failed to |failed in sandbox|Invalid patch)", re.I)


def prefilter(line: bytes) -> bool:
    # event_msg UI echoes of items that response_item already carries (duplicates for the model)
    if line.find(b'"type":"event_msg"', 0, 120) == -1:
        return False
    return SKIP_MARK.search(line, 0, 200) is not None  # any mark within the first 200 bytes


def shell_command(args: dict[str, Any]) -> str | None:
    cmd = args.get("command", args.get("cmd"))
    if isinstance(cmd, list):
        parts = [str(c) for c in cmd]
        if len(parts) >= 3 and parts[0] in ("bash", "zsh", "sh", "/bin/bash", "/bin/zsh", "/bin/sh") and \
                parts[1] in ("-lc", "-c"):
            return parts[2]
        return shlex.join(parts)
    return cmd if isinstance(cmd, str) else None


def uuid7_ms(value: Any) -> int | None:
    """Milliseconds since the epoch encoded in a UUIDv7 (Codex thread and turn ids), else None."""
    if not isinstance(value, str) or len(value) != 36 or value[14:15] != "7":
        return None
    try:
        return int(value[:8] + value[9:13], 16)
    except ValueError:
        return None


class _Codex:
    """Reader state. Usage semantics:

    * fresh input = input − cached − cache write (OpenAI counts both inside ``input_tokens``);
    * one request per ``token_count`` whose cumulative total changed (Codex re-emits the same
      totals after a turn; ``info: null`` events carry only rate limits);
    * the request's numbers are ``last_token_usage``; without it, the difference of totals;
    * a sample whose ``last_token_usage.total_tokens`` exceeds 1.5 × the declared window cannot be
      one request (openai/codex#24089): counted as malformed ``impossible-usage`` and skipped;
    * subagent replay: a spawned child's rollout starts with a copy of its parent's history (a
      second ``session_meta`` — the parent's — then the parent's items and ``token_count`` events).
      Everything between that copied ``session_meta`` and the child's first own turn is ignored:
      the first own turn is a ``turn_context`` whose UUIDv7 ``turn_id`` is not older than the
      child's own (UUIDv7) thread id; when ids are not UUIDv7, the first ``turn_context`` or
      ``task_started`` after the copied history's last ``token_count`` ends it. The totals of the
      replay become the baseline, so the child's first own request is not inflated by them.
    """

    def __init__(self, t: Transcript) -> None:
        self.t = t
        self.calls: dict[str, ToolCall] = {}
        self.model: str | None = None
        self.prev_total: int | None = None
        self.prev = (0, 0, 0, 0)  # cumulative input, cached, output, cache write of the previous event
        self.pending_compaction: str | None = None  # "compacted" | "context_compacted" not yet paired
        self.own_id: str | None = None
        self.own_ms: int | None = None
        self.replaying = False
        self.replay_saw_tokens = False
        self.replayed = 0
        # A resume's copied history (not a subagent's): read, its events marked replayed.
        self.resumed_history = False
        self.history_total: int | None = None  # the copied history's last cumulative total
        self.history_prompt_at: int | None = None  # events index of a user prompt after that total
        self.last_ts: str | None = None

    def compaction(self, kind: str, number: int, ts: str | None) -> None:
        # ``compacted`` and ``event_msg/context_compacted`` are written together for one compaction.
        if self.pending_compaction is not None and self.pending_compaction != kind:
            self.pending_compaction = None
            return
        self.t.events.append(Compaction(number, ts, "auto", None))
        self.pending_compaction = kind

    def session_meta(self, payload: dict[str, Any]) -> None:
        t = self.t
        sid = as_str(payload.get("id")) or as_str(payload.get("session_id"))
        if self.own_id is None:
            self.own_id = sid
            self.own_ms = uuid7_ms(sid)
            t.session_id = sid
            t.cwd = as_str(payload.get("cwd"))
            source = payload.get("source")
            if payload.get("thread_source") == "subagent" or (isinstance(source, dict) and "subagent" in source):
                t.is_subagent_file = True
                spawn = source.get("subagent") if isinstance(source, dict) else None
                if isinstance(spawn, dict):
                    parent = spawn.get("thread_spawn")
                    if isinstance(parent, dict):
                        t.parent_session_id = as_str(parent.get("parent_thread_id"))
            meta_model = as_str(payload.get("model"))
            if meta_model and self.model is None:
                self.set_model(meta_model, 0, None)
        elif sid and sid != self.own_id and t.is_subagent_file and not self.replaying:
            # The parent's session_meta copied into a child rollout: its history follows.
            self.replaying = True
            self.replay_saw_tokens = False
        elif sid and sid != self.own_id and not t.is_subagent_file and not self.resumed_history:
            # The resumed session's session_meta copied into the new rollout: its history follows. Its
            # requests were billed in that session's own rollout: a run that has both counts them once.
            self.resumed_history = True
            self.history_total = self.history_prompt_at = None
            t.extra.setdefault("resumed_from", sid)

    def history_record(self, start: int, total_before: int | None, ts: str | None) -> None:
        """Mark the events of a record read inside a resume's copied history (from ``start``), or end the
        history. It ends at the first user prompt of new work, known from either signal: the new
        session's own token count starts again below the copied history's cumulative total (the prompt
        before it was new work), or the prompt was written seconds after the record before it (a
        copied history is written in one burst)."""
        events = self.t.events
        added = events[start:]
        if any(type(e) is Usage for e in added):
            if self.history_total is not None and self.prev_total is not None and self.prev_total < self.history_total:
                self.resumed_history = False
                for e in events[self.history_prompt_at if self.history_prompt_at is not None else start:]:
                    e.replayed = False
                return
            self.history_total = self.prev_total if self.prev_total is not None else total_before
            self.history_prompt_at = None
        elif any(type(e) is Prompt and not e.is_meta for e in added) and self.history_prompt_at is None:
            if _seconds_between(self.last_ts, ts) >= HISTORY_GAP_SECONDS:
                self.resumed_history = False
                return
            self.history_prompt_at = start
        for e in added:
            e.replayed = True

    def set_model(self, new: str, number: int, ts: str | None) -> None:
        if new != self.model:
            if self.model is not None:
                self.t.events.append(ModelChange(number, ts, new))
            self.model = new
            if new not in self.t.models:
                self.t.models.append(new)

    def replay_ends(self, kind: Any, payload: dict[str, Any], ptype: Any) -> bool:
        if kind == "turn_context":
            turn_ms = uuid7_ms(payload.get("turn_id"))
            if turn_ms is not None and self.own_ms is not None:
                return turn_ms >= self.own_ms
            return self.replay_saw_tokens
        return kind == "event_msg" and ptype == "task_started" and self.replay_saw_tokens

    def token_count(self, payload: dict[str, Any], number: int, ts: str | None) -> None:
        t = self.t
        info = payload.get("info")
        if not isinstance(info, dict):
            return
        total = info.get("total_token_usage")
        last = info.get("last_token_usage")
        total_n = as_int(total.get("total_tokens")) if isinstance(total, dict) else None
        if total_n is not None and total_n == self.prev_total:
            return  # the same totals repeated: not a new request
        cumulative = ((as_int(total.get("input_tokens")), as_int(total.get("cached_input_tokens")),
                       as_int(total.get("output_tokens")), _cache_write(total)) if isinstance(total, dict) else None)
        if self.replaying:
            # The parent's history: remember where it ends, count nothing.
            self.replay_saw_tokens = True
            self.replayed += 1
            if cumulative is not None:
                self.prev = cumulative
                self.prev_total = total_n
            return
        window = as_int(info.get("model_context_window")) or None
        sample: dict[str, Any]
        if isinstance(last, dict):
            sample = last
        elif cumulative is not None and self.prev_total is not None:
            sample = {"input_tokens": cumulative[0] - self.prev[0], "cached_input_tokens": cumulative[1] - self.prev[1],
                      "output_tokens": cumulative[2] - self.prev[2],
                      "cache_write_input_tokens": cumulative[3] - self.prev[3]}
        else:
            sample = total if isinstance(total, dict) else {}
        if cumulative is not None:
            self.prev = cumulative
        if total_n is not None:
            self.prev_total = total_n
        inp = as_int(sample.get("input_tokens"))
        cached = min(as_int(sample.get("cached_input_tokens")), inp)
        write = min(_cache_write(sample), inp - cached)  # newer models (GPT-5.6+): a part of input too
        out = as_int(sample.get("output_tokens"))
        size = as_int(sample.get("total_tokens")) or inp + out
        if window and size > window * 1.5:
            t.add_malformed(number, "impossible-usage")
            return
        if window:
            t.context_window = window
        self.pending_compaction = None
        t.events.append(Usage(number, ts, f"tc{number}", self.model, inp - cached - write, write, cached, out,
                              reasoning_output_tokens=as_int(sample.get("reasoning_output_tokens")),
                              context_window=window))


HISTORY_GAP_SECONDS = 2.0


def _seconds_between(earlier: str | None, later: str | None) -> float:
    """Seconds from one record timestamp to another; 0 when either is missing or unreadable."""
    start, end = parse_timestamp(earlier), parse_timestamp(later)
    return (end - start).total_seconds() if start is not None and end is not None else 0.0


def _cache_write(usage: dict[str, Any]) -> int:
    return as_int(usage.get("cache_write_input_tokens", usage.get("cache_write_tokens")))


TS_PREFIX = b'{"timestamp":"'


def read(fh: BinaryIO, t: Transcript, use_prefilter: bool = True) -> None:
    reader = Reader(t)
    reader.feed(json_records(fh, t, _skipper(t) if use_prefilter else None))
    reader.finish()


def _skipper(t: Transcript) -> Any:
    def skip(line: bytes) -> bool:
        if not prefilter(line):
            return False
        # A skipped record still moves the session's first/last timestamp (the envelope's first key).
        if line.startswith(TS_PREFIX):
            end = line.find(b'"', len(TS_PREFIX))
            if end != -1:
                ts = line[len(TS_PREFIX):end].decode("utf-8", "replace")
                if t.started_at is None or ts < t.started_at:
                    t.started_at = ts
                if t.ended_at is None or ts > t.ended_at:
                    t.ended_at = ts
        return True

    return skip


def records_from(fh: BinaryIO, t: Transcript, first_line: int) -> Any:
    """The records of ``fh`` from its position on, numbered after ``first_line`` (a live session read
    on from where it was left)."""
    return json_records(fh, t, _skipper(t), first_line=first_line)


# The reader's state kept between processes (``Reader.state``): every field of ``_Codex`` but the
# transcript and the calls (events, named by their index).
_KEPT = ("model", "prev_total", "prev", "pending_compaction", "own_id", "own_ms", "replaying", "replay_saw_tokens",
         "replayed", "resumed_history", "history_total", "history_prompt_at", "last_ts")


class Reader:
    """Reads a rollout's records in file order: ``feed`` as many times as records come (a live session
    is read on from where it was left, ``ctxlint.live``), then ``finish`` once for the whole."""

    def __init__(self, t: Transcript, stable: bool = False) -> None:
        self.st = _Codex(t)

    def feed(self, records: Any) -> None:
        st = self.st
        t = st.t
        for number, rec in records:
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
            start, total_before = len(t.events), st.prev_total
            try:
                if kind == "session_meta":
                    st.session_meta(payload)
                    continue
                if st.replaying:
                    if not st.replay_ends(kind, payload, ptype):
                        if kind == "event_msg" and ptype == "token_count":
                            st.token_count(payload, number, ts)
                        continue
                    st.replaying = False
                if kind == "turn_context":
                    new = as_str(payload.get("model"))
                    if new:
                        st.set_model(new, number, ts)
                elif kind == "compacted":
                    st.compaction("compacted", number, ts)
                elif kind == "event_msg":
                    if ptype == "token_count":
                        st.token_count(payload, number, ts)
                    elif ptype == "context_compacted":
                        st.compaction("context_compacted", number, ts)
                elif kind == "response_item":
                    if ptype in ("message", "function_call", "custom_tool_call", "local_shell_call"):
                        st.pending_compaction = None
                    _response_item(t, payload, ptype, number, ts, st.calls)
            except OutOfRange:
                t.add_malformed(number, OUT_OF_RANGE)
            except (TypeError, AttributeError, ValueError, KeyError):
                t.add_malformed(number, f"unexpected {kind} record shape")
            if st.resumed_history:
                st.history_record(start, total_before, ts)
            st.last_ts = ts or st.last_ts

    def finish(self) -> None:
        if self.st.replayed:
            self.st.t.extra["replayed_token_counts"] = self.st.replayed

    def state(self, index_of: dict[int, int]) -> dict[str, Any]:
        """What ``feed`` needs to go on, as plain data (see ``claude_code.Reader.state``)."""
        st = self.st
        kept = {name: getattr(st, name) for name in _KEPT}
        return {"calls": [[c, index_of[id(call)]] for c, call in st.calls.items()], **kept}

    @classmethod
    def resume(cls, t: Transcript, state: dict[str, Any]) -> Reader:
        reader = cls(t)
        st = reader.st
        st.calls = {c: cast(ToolCall, t.events[i]) for c, i in state["calls"]}
        for name in _KEPT:
            setattr(st, name, state[name])
        a, b, c, d = st.prev
        st.prev = (a, b, c, d)
        return reader


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
        call = ToolCall(number, ts, call_id, name, kind=tool_kind(name))
        raw = p.get("arguments") if ptype == "function_call" else p.get("input", p.get("action"))
        call.input_chars = len(raw) if isinstance(raw, str) else 0
        call.input_key = stable_hash(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else None
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
                call.cwd = as_str(args.get("workdir"))  # relative paths in the command are relative to it
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
        chars, head, images, lines = content_size(output)
        if isinstance(output, str) and not is_error:
            exit_code = EXIT_CODE.search(output, 0, 400)
            is_error = (exit_code is not None and exit_code.group(1) != "0") or \
                (calls.get(call_id) is not None and calls[call_id].is_edit and PATCH_FAILED.match(output) is not None)
        result = ToolResult(number, ts, call_id, chars, tokens_of_chars(chars), is_error, head, image_tokens=images,
                            lines=lines)
        if is_error and chars > len(head):
            result.tail = tail_of(output)
        result.evidence = loop_evidence(calls.get(call_id), output)
        t.events.append(result)


def detect(first: dict[str, Any]) -> bool:
    return isinstance(first.get("payload"), dict) and first.get("type") in (
        "session_meta", "response_item", "event_msg", "turn_context", "compacted")
