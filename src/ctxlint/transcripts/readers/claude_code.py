"""Claude Code session JSONL (``~/.claude/projects/<cwd>/<session>.jsonl`` and subagent files).

Exact usage: Claude Code writes one line per content block; the lines of one API response share
``message.id`` + ``requestId`` and repeat the usage (older versions wrote a partial output count on
the first lines). One ``Usage`` event is emitted per request, at its first line, and updated in place
to the largest usage seen. Without a ``requestId`` (gateways) the key falls back to ``message.id``; a
sidechain replay of a parent message (same message.id, new requestId) is counted once.

Compactions are ``system``/``compact_boundary`` records (the ``isCompactSummary`` row after it is
the same compaction); a ``summary`` record is a session title and is ignored.

Resume replays: Claude Code 2.0 copies the resumed conversation back into the file (new uuids, one
shared timestamp, the assistant copies without ``requestId``). A record is a copy by the identity the
usage de-duplication uses: an assistant message already seen under a ``requestId`` coming back without
one, a ``tool_use`` or ``tool_result`` id already seen, or a uuid already seen. The records around a
copy that carry its exact timestamp (the copied prompts, synthetic replies) belong to the same replay.
Their events are kept, marked ``replayed``: history, never new work (the usage of a copy merges into
the original's request, as before).

What leaves the context without a compaction: a typed prompt whose ``parentUuid`` points back before
the model's last answer is a rewind (``Rewind``: what came after that point is off the conversation); a
typed prompt with no parent after the session's first requests starts a new conversation in the same
file (plan mode's "clear context": a ``Clear``); a ``microcompact_boundary`` lists the tool results it
took out (``ResultsCleared``).
"""

from __future__ import annotations

import contextlib
import os
import re
from typing import Any, BinaryIO, cast

import msgspec
import orjson

from ctxlint.transcripts.events import (
    AssistantText,
    Clear,
    Compaction,
    Image,
    ModelChange,
    Prompt,
    PullRequestLink,
    ResultsCleared,
    Rewind,
    SubagentMarker,
    Thinking,
    ToolCall,
    ToolResult,
    Transcript,
    Usage,
)
from ctxlint.transcripts.lines import SKIP_RECORD, json_records
from ctxlint.transcripts.readers.common import (
    EDIT_TOOLS,
    MAX_COUNT,
    OUT_OF_RANGE,
    PROMPT_TEXT_CAP,
    READ_TOOLS,
    SUBAGENT_TOOLS,
    OutOfRange,
    as_int,
    as_str,
    content_size,
    file_names,
    image_tokens,
    loop_evidence,
    stable_hash,
    tail_of,
    text_of,
    tokens_of_chars,
    tool_kind,
)


class _Message(msgspec.Struct):
    """The parts of a record's ``message`` the reader uses (the rest is skipped by the decoder)."""

    model: Any = None
    id: Any = None
    usage: Any = None
    content: Any = None


class _Record(msgspec.Struct):
    """The parts of a Claude Code record the reader uses. Decoded by msgspec, which skips every other
    key without building it, and keeps ``toolUseResult`` (the tool's structured answer: for Edit the
    whole original file) as raw bytes, parsed only for a Read. Every field is ``Any`` but
    ``message``: a message that is not an object fails the decode, and the record is read through the
    dict path (``_from_dict``), which reports it."""

    type: Any = None
    isSidechain: Any = None
    timestamp: Any = None
    sessionId: Any = None
    cwd: Any = None
    message: _Message | None = None
    requestId: Any = None
    toolUseResult: Any = None  # the parsed value in a record read as a dict
    isMeta: Any = None
    isCompactSummary: Any = None
    subtype: Any = None
    compactMetadata: Any = None
    agentId: Any = None
    uuid: Any = None
    parentUuid: Any = None
    microcompactMetadata: Any = None
    prUrl: Any = None  # a pr-link record: the session's pull request


class _RawRecord(_Record):
    """What the fast decoder builds: the structured answer kept as its bytes."""

    toolUseResult: msgspec.Raw = msgspec.Raw()  # empty when the record has none


_decode_record = msgspec.json.Decoder(_RawRecord).decode
_decode_any = msgspec.json.Decoder().decode


def _from_dict(rec: dict[str, Any]) -> _Record:
    """A record parsed as a dict (without the fast decoder, or after it refused the line) as the
    handlers read it; a message that is not an object becomes None, which they report."""
    msg = rec.get("message")
    message = (_Message(msg.get("model"), msg.get("id"), msg.get("usage"), msg.get("content"))
               if msg.__class__ is dict else None)
    return _Record(rec.get("type"), rec.get("isSidechain"), rec.get("timestamp"), rec.get("sessionId"),
                   rec.get("cwd"), message, rec.get("requestId"), rec.get("toolUseResult"), rec.get("isMeta"),
                   rec.get("isCompactSummary"), rec.get("subtype"), rec.get("compactMetadata"), rec.get("agentId"),
                   rec.get("uuid"), rec.get("parentUuid"), rec.get("microcompactMetadata"), rec.get("prUrl"))

# Records the analysis never needs, recognised from their first bytes or their type key, so they
# are skipped without JSON parsing. progress records carry nested copies of subagent messages
# (with usage) that are also in the subagent files: counting them would double count.
SKIP_PREFIXES = (
    b'{"type":"file-history-snapshot"',
    b'{"type":"file-history-delta"',
    b'{"type":"queue-operation"',
    b'{"type":"last-prompt"',
    b'{"type":"permission-mode"',
    b'{"type":"custom-title"',
    b'{"type":"ai-title"',
    b'{"type":"agent-name"',
    b'{"type":"summary"',
)
# The same records by type, for the path that parses every line (use_prefilter=False).
PREFILTERED_TYPES = frozenset(p[len(b'{"type":"'):-1].decode() for p in SKIP_PREFIXES) | {"progress"}
TYPE_FIRST = b'{"type":"'  # what every SKIP_PREFIXES starts with: most lines fail this one test
PROGRESS_MARK = b'"type":"progress","data":'
MESSAGE_KEY = b'"message":'
UNCHANGED_MARK = "file unchanged"
INTERRUPT = "[Request interrupted by user"


class _State:
    def __init__(self, t: Transcript, stable: bool = False) -> None:
        self.t = t
        self.by_key: dict[tuple[str, str], Usage] = {}
        self.by_msg: dict[str, Usage] = {}
        self.usage_seen: dict[tuple[str, str], dict[str, Any]] = {}  # the last usage object read per key
        self.calls: dict[str, ToolCall] = {}
        self.model: str | None = None
        self.boundary_pending = False  # a compact_boundary not yet followed by its summary row
        self.in_sidechain_run = False
        # Resume replays (see the module docstring): what identifies a copied record.
        self.result_ids: set[str] = set()
        # The line of each record by its uuid's hash (a uuid string per record would cost a lot on a
        # big file); negative for a replayed record. A uuid seen again is a copy; a parent is looked up.
        # A reader whose state is saved between processes (``stable``) keys by the uuid itself: a
        # string's hash differs from one process to the next.
        self.key_of: Any = str if stable else hash
        self.line_of: dict[Any, int] = {}
        self.last_answer = 0  # line of the main thread's last assistant record (not a replay)
        self.copy = False  # set by a handler when the record it reads is a copy
        self.replay_ts: str | None = None  # the shared timestamp of the replay being read
        self.persisted = False  # an output was spilled to disk (its saved file may be beside the session)
        # Across the records read so far: whether every record was a sidechain one, whether there was
        # any, and the first and last timestamps.
        self.all_sidechain = True
        self.any_record = False
        self.first_ts: str | None = None
        self.last_ts: str | None = None


def _parse(line: bytes) -> Any:
    """The ``parse`` function for ``json_records``: each line decoded into a ``_RawRecord``, or
    ``SKIP_RECORD``, without parsing, for a record the analysis never needs.

    Skipped records are recognised from their bytes. Message text is JSON-escaped, so an unescaped
    mark only occurs as record structure. A ``progress`` record has its top-level
    ``"type":"progress","data":`` before any ``"message":`` key (the nested copy of a message sits
    inside ``data``); a user/assistant record has its own ``"message":`` first, so a nested
    progress-shaped object further on never hides it. A line the decoder refuses (a message that is
    not an object, a record that is not an object, bytes that are not UTF-8, nesting too deep) is
    parsed by orjson as a dict, and read or reported through the dict path.
    """
    if line.startswith(TYPE_FIRST) and line.startswith(SKIP_PREFIXES):
        return SKIP_RECORD
    # Bounded by the first "message" key, which a user/assistant record has within its first few
    # hundred bytes: the long rest of such a line is never scanned.
    message = line.find(MESSAGE_KEY)
    if (line.find(PROGRESS_MARK) if message == -1 else line.find(PROGRESS_MARK, 0, message)) != -1:
        return SKIP_RECORD
    try:
        return _decode_record(line)
    except _REFUSED:
        return orjson.loads(line)


_REFUSED = (msgspec.ValidationError, msgspec.DecodeError, RecursionError)


def _reads_answer(call: ToolCall | None) -> bool:
    """The reader uses a result's structured answer for a Read (its path and line range) or when the
    call is unknown: only then is it decoded."""
    return call is None or call.name in READ_TOOLS


def read(fh: BinaryIO, t: Transcript, use_prefilter: bool = True) -> None:
    reader = Reader(t)
    records = json_records(fh, t, parse=_parse, struct=_RawRecord) if use_prefilter else json_records(fh, t)
    try:
        reader.feed(records)
    finally:
        reader.finish()


def records_from(fh: BinaryIO, t: Transcript, first_line: int) -> Any:
    """The records of ``fh`` from its position on, numbered after ``first_line`` (a live session read
    on from where it was left)."""
    return json_records(fh, t, parse=_parse, struct=_RawRecord, first_line=first_line)


class Reader:
    """Reads a session's records in file order: ``feed`` as many times as records come (a live session
    is read on from where it was left, ``ctxlint.live``), then ``finish`` once for the whole.

    ``stable``: the state is kept between processes (``ctxlint.live.codec``), so nothing in it may
    depend on a process's string hashing."""

    def __init__(self, t: Transcript, stable: bool = False) -> None:
        self.s = _State(t, stable)
        t.is_subagent_file = "/subagents/" in t.path.replace("\\", "/")

    def feed(self, records: Any) -> None:
        # Runs once per record of every session: the record's common fields are read here, once, with
        # plain type checks instead of helper calls, and handed to the handlers.
        s = self.s
        t = s.t
        key_of = s.key_of
        all_sidechain, any_record, first_ts, last_ts = s.all_sidechain, s.any_record, s.first_ts, s.last_ts
        try:
            for number, raw in records:
                any_record = True
                rec = raw if raw.__class__ is _RawRecord else _from_dict(raw)
                kind = rec.type
                uuid = rec.uuid
                key = key_of(uuid) if uuid.__class__ is str else None
                if kind != "assistant" and kind != "user" and kind != "system":
                    if key is not None and (kind.__class__ is not str or kind not in PREFILTERED_TYPES):
                        # An attachment can be a prompt's parent. Records the prefilter skips unparsed are
                        # never registered, so both read paths give every prompt the same parent line.
                        s.line_of.setdefault(key, number)
                    if kind == "pr-link" and rec.prUrl.__class__ is str and rec.prUrl:
                        t.events.append(PullRequestLink(number, as_str(rec.timestamp), rec.prUrl))
                    continue  # summary (a title), attachment, progress and every unknown type: nothing to analyse
                sidechain = rec.isSidechain is True
                if not sidechain and kind != "system":
                    all_sidechain = False
                ts = rec.timestamp
                if ts.__class__ is str:
                    if first_ts is None or ts < first_ts:
                        first_ts = ts
                    if last_ts is None or ts > last_ts:
                        last_ts = ts
                else:
                    ts = None
                if t.session_id is None:
                    t.session_id = as_str(rec.sessionId)
                if t.cwd is None:
                    t.cwd = as_str(rec.cwd)
                start = len(t.events)
                if key is not None and key in s.line_of:
                    s.copy = True
                try:
                    if kind == "assistant":
                        s.boundary_pending = False
                        _assistant(s, rec, number, ts, sidechain)
                    elif kind == "user":
                        _user(s, rec, number, ts, sidechain)
                        parent = rec.parentUuid
                        if parent.__class__ is str and len(t.events) > start:
                            parent_line = s.line_of.get(key_of(parent))
                            for e in t.events[start:]:
                                if e.__class__ is Prompt:
                                    e.parent_line = abs(parent_line) if parent_line is not None else None
                    elif rec.subtype == "compact_boundary":
                        meta: dict[str, Any] = rec.compactMetadata if isinstance(rec.compactMetadata, dict) else {}
                        t.events.append(Compaction(number, ts, as_str(meta.get("trigger")),
                                                   as_int(meta.get("preTokens")) or None, sidechain))
                        s.boundary_pending = True
                    elif rec.subtype == "microcompact_boundary":
                        _microcompaction(t, rec.microcompactMetadata, number, ts, sidechain)
                except OutOfRange:
                    t.add_malformed(number, OUT_OF_RANGE)
                except (TypeError, AttributeError, ValueError, KeyError, RecursionError, msgspec.DecodeError):
                    t.add_malformed(number, f"unexpected {kind} record shape")
                if kind == "user" and not sidechain and not s.copy:
                    _left_context(s, rec.parentUuid, start, number, ts)
                replayed = s.copy or s.replay_ts is not None
                if replayed:
                    _replay(s, start, ts)
                if key is not None:
                    s.line_of.setdefault(key, -number if replayed else number)
                if kind == "assistant" and not sidechain and not replayed:
                    s.last_answer = number
        finally:
            s.all_sidechain, s.any_record, s.first_ts, s.last_ts = all_sidechain, any_record, first_ts, last_ts

    def finish(self) -> None:
        """What is known only once every record is read: the session's span, whether the whole file is
        a subagent's run, the saved size of every spilled output."""
        s = self.s
        t = s.t
        t.started_at, t.ended_at = s.first_ts, s.last_ts
        if s.any_record and s.all_sidechain and t.events:
            t.is_subagent_file = True
        if s.persisted:
            _saved_sizes(t)

    def state(self, index_of: dict[int, int]) -> dict[str, Any]:
        """What ``feed`` needs to go on, as plain data (``stable`` readers only): an event the state
        refers to is named by its index in the transcript's events (``index_of``: ``id(event)`` ->
        index), so it is the same object again when the state is loaded."""
        s = self.s
        if s.key_of is not str:
            raise ValueError("only a stable reader's state can be kept")
        return {
            "by_key": [[m, r, index_of[id(u)]] for (m, r), u in s.by_key.items()],
            "by_msg": [[m, index_of[id(u)]] for m, u in s.by_msg.items()],
            "usage_seen": [[m, r, usage] for (m, r), usage in s.usage_seen.items()],
            "calls": [[c, index_of[id(call)]] for c, call in s.calls.items()],
            "model": s.model, "boundary_pending": s.boundary_pending, "in_sidechain_run": s.in_sidechain_run,
            "result_ids": sorted(s.result_ids), "line_of": list(s.line_of.items()), "last_answer": s.last_answer,
            "replay_ts": s.replay_ts, "persisted": s.persisted, "all_sidechain": s.all_sidechain,
            "any_record": s.any_record, "first_ts": s.first_ts, "last_ts": s.last_ts,
        }

    @classmethod
    def resume(cls, t: Transcript, state: dict[str, Any]) -> Reader:
        """A stable reader that goes on from ``state`` (``Reader.state``) over ``t`` as it was then."""
        reader = cls.__new__(cls)
        reader.s = s = _State(t, stable=True)
        events = t.events
        s.by_key = {(m, r): cast(Usage, events[i]) for m, r, i in state["by_key"]}
        s.by_msg = {m: cast(Usage, events[i]) for m, i in state["by_msg"]}
        s.usage_seen = {(m, r): usage for m, r, usage in state["usage_seen"]}
        s.calls = {c: cast(ToolCall, events[i]) for c, i in state["calls"]}
        s.result_ids = set(state["result_ids"])
        s.line_of = dict(state["line_of"])
        for name in ("model", "boundary_pending", "in_sidechain_run", "last_answer", "replay_ts", "persisted",
                     "all_sidechain", "any_record", "first_ts", "last_ts"):
            setattr(s, name, state[name])
        return reader


def _left_context(s: _State, parent: Any, start: int, number: int, ts: str | None) -> None:
    """Before a typed prompt (among the events from ``start``): a ``Rewind`` when its parent comes before
    the model's last answer, a ``Clear`` when it has no parent once the session has had answers."""
    events = s.t.events
    if s.last_answer == 0 or not any(isinstance(e, Prompt) and not e.is_meta for e in events[start:]):
        return
    if parent is None:
        for e in reversed(events[max(0, start - 64):start]):  # back to the last request
            if e.__class__ is Usage:
                events.insert(start, Clear(number, ts))
                return
            if e.__class__ is Clear or e.__class__ is Compaction:
                return  # the boundary is already there (/clear, a compaction)
        return
    back_to = s.line_of.get(s.key_of(parent)) if parent.__class__ is str else None
    if back_to is not None and 0 < back_to < s.last_answer:
        events.insert(start, Rewind(number, ts, back_to))


def _microcompaction(t: Transcript, meta: Any, number: int, ts: str | None, sidechain: bool) -> None:
    if meta.__class__ is not dict:
        return
    ids = meta.get("compactedToolIds")
    call_ids = tuple(i for i in ids if i.__class__ is str) if ids.__class__ is list else ()
    t.events.append(ResultsCleared(number, ts, call_ids, as_int(meta.get("tokensSaved")) or None, sidechain))


def _replay(s: _State, start: int, ts: str | None) -> None:
    """Mark the events of the record just read (from ``start``) when it belongs to a resume replay: it
    is a copy, or it carries the shared timestamp of the replay being read. The first copy of a replay
    also marks the records just before it that carry its timestamp (the copied prompts come first)."""
    events = s.t.events
    if s.copy:
        s.copy = False
        if ts is not None and ts != s.replay_ts:
            s.replay_ts = ts
            back = start - 1
            while back >= 0 and events[back].timestamp == ts and not events[back].replayed:
                events[back].replayed = True
                back -= 1
    elif ts != s.replay_ts:
        s.replay_ts = None  # the first record of new work ends the replay
        return
    for e in events[start:]:
        e.replayed = True


def _assistant(s: _State, rec: _Record, number: int, ts: str | None, sidechain: bool) -> None:
    t = s.t
    msg = rec.message
    if msg is None:
        t.add_malformed(number, "assistant message is not an object")
        return
    model = msg.model
    if model.__class__ is not str:
        model = None
    if sidechain and not s.in_sidechain_run and not t.is_subagent_file:
        s.in_sidechain_run = True
        t.events.append(SubagentMarker(number, ts, as_str(rec.agentId)))
    elif not sidechain:
        s.in_sidechain_run = False
    usage = msg.usage
    msg_id = msg.id
    req_id = rec.requestId
    if msg_id.__class__ is str and not req_id:
        seen = s.by_msg.get(msg_id)
        if seen is not None and not seen.request_key.endswith("|"):
            s.copy = True  # a response first logged with its requestId, now copied without one
    if usage.__class__ is dict and msg_id.__class__ is str and msg_id and model != "<synthetic>":
        key = (msg_id, req_id if req_id.__class__ is str else "")
        # Another content block of the same response repeats the usage: nothing changes.
        if s.usage_seen.get(key) != usage:
            _usage(s, usage, key, model, number, ts, sidechain)
    content = msg.content
    if content.__class__ is str:
        if content:
            t.events.append(AssistantText(number, ts, len(content), content[:200], sidechain))
        return
    if content.__class__ is not list:
        return
    for block in content:
        if block.__class__ is not dict:
            continue
        btype = block.get("type")
        if btype == "text":
            text = block.get("text")
            if text.__class__ is str and text and not text.isspace():  # not text.strip(): no copy of a long text
                t.events.append(AssistantText(number, ts, len(text), text[:200], sidechain))
        elif btype == "tool_use":
            call = _tool_call(block, number, ts, sidechain)
            if call.call_id in s.calls:
                s.copy = True
            else:
                s.calls[call.call_id] = call
            t.events.append(call)
            if call.is_subagent:
                t.events.append(SubagentMarker(number, ts, call.call_id, sidechain=True))
        elif btype == "thinking" or btype == "redacted_thinking":
            thought = block.get("thinking") or block.get("data") or ""
            t.events.append(Thinking(number, ts, len(thought) if thought.__class__ is str else 0, sidechain))


def _usage(s: _State, usage: dict[str, Any], key: tuple[str, str], model: str | None, number: int,
           ts: str | None, sidechain: bool) -> None:
    msg_id, req_id = key
    s.usage_seen[key] = usage
    t = s.t
    cache_creation = usage.get("cache_creation")
    one_hour = as_int(cache_creation.get("ephemeral_1h_input_tokens")) if cache_creation.__class__ is dict else 0
    values = (_count(usage.get("input_tokens")), _count(usage.get("cache_creation_input_tokens")),
              _count(usage.get("cache_read_input_tokens")), _count(usage.get("output_tokens")))
    existing = s.by_key.get(key)
    if existing is None and msg_id in s.by_msg:
        other = s.by_msg[msg_id]
        # The same message under another requestId: a sidechain replay (/btw), or lines without a
        # requestId mixed with lines that have one. Count it once, preferring the main thread.
        if other.sidechain != sidechain or not req_id or other.request_key.endswith("|"):
            existing = other
            if other.sidechain and not sidechain:
                other.sidechain = False
    if existing is not None:
        old = (existing.input_tokens + existing.cache_creation_input_tokens + existing.cache_read_input_tokens
               + existing.output_tokens, existing.output_tokens)
        new = (sum(values), values[3])
        if new > old:
            (existing.input_tokens, existing.cache_creation_input_tokens, existing.cache_read_input_tokens,
             existing.output_tokens) = values
            existing.cache_creation_1h_tokens = one_hour
        s.by_key[key] = existing
        return
    if model and model != s.model:
        if s.model is not None:
            t.events.append(ModelChange(number, ts, model, sidechain))
        s.model = model
        if model not in t.models:
            t.models.append(model)
    u = Usage(number, ts, f"{msg_id}|{req_id or ''}", model, values[0], values[1], values[2], values[3],
              cache_creation_1h_tokens=one_hour, sidechain=sidechain)
    s.by_key[key] = u
    s.by_msg.setdefault(msg_id, u)
    t.events.append(u)


def _count(value: Any) -> int:
    # as_int's fast path: the counts are plain non-negative ints in every record seen so far
    return value if value.__class__ is int and 0 <= value <= MAX_COUNT else as_int(value)


def _tool_call(block: dict[str, Any], number: int, ts: str | None, sidechain: bool) -> ToolCall:
    name = block.get("name")
    if name.__class__ is not str or not name:
        name = "?"
    inp = block.get("input")
    if inp.__class__ is not dict:
        inp = {}
    call_id = block.get("id")
    call = ToolCall(number, ts, call_id if call_id.__class__ is str and call_id else f"line{number}", name,
                    sidechain=sidechain, kind=tool_kind(name))
    try:
        raw = orjson.dumps(inp, option=orjson.OPT_SORT_KEYS)
        call.input_chars, call.input_key = len(raw), stable_hash(raw)
    except TypeError:
        call.input_chars = 0
    if name == "Bash":
        call.command = as_str(inp.get("command"))
    elif name in READ_TOOLS:
        call.path = _path_of(inp)
        call.offset = as_int(inp.get("offset")) or None
        call.limit = as_int(inp.get("limit")) or None
    elif name in EDIT_TOOLS:
        call.is_edit = True
        path = call.path = _path_of(inp)
        call.edit_paths = (path,) if path else ()
    elif name in ("Grep", "Glob", "LS"):
        call.pattern = as_str(inp.get("pattern"))
        call.path = as_str(inp.get("path"))
    elif name in SUBAGENT_TOOLS:
        call.is_subagent = True
        call.subagent_type = as_str(inp.get("subagent_type"))
    return call


def _path_of(inp: dict[str, Any]) -> str | None:
    return as_str(inp.get("file_path")) or as_str(inp.get("notebook_path")) or as_str(inp.get("path"))


def _user(s: _State, rec: _Record, number: int, ts: str | None, sidechain: bool) -> None:
    t = s.t
    msg = rec.message
    if msg is None:
        t.add_malformed(number, "user message is not an object")
        return
    if rec.isCompactSummary is True:
        # The summary row that follows a compact_boundary is the same compaction; a summary row
        # with no boundary before it (older versions) is a compaction of its own.
        if not s.boundary_pending:
            t.events.append(Compaction(number, ts, None, None, sidechain))
        s.boundary_pending = False
        return
    s.boundary_pending = False
    content = msg.content
    if content.__class__ is str:
        _prompt_text(t, content, number, ts, sidechain, rec.isMeta is True)
        return
    if content.__class__ is not list:
        return
    texts: list[str] = []
    results: list[ToolResult] = []
    for block in content:
        if block.__class__ is not dict:
            continue
        btype = block.get("type")
        if btype == "tool_result":
            result = _tool_result(block, number, ts, sidechain)
            s.persisted = s.persisted or result.persisted
            result.evidence = loop_evidence(s.calls.get(result.call_id), block.get("content"))
            if result.call_id:
                if result.call_id in s.result_ids:
                    s.copy = True
                s.result_ids.add(result.call_id)
                call = s.calls.get(result.call_id)
                if call is not None and call.is_subagent:
                    result.mentions = file_names(text_of(block.get("content")))
            results.append(result)
            t.events.append(result)
        elif btype == "text":
            text = block.get("text")
            if text.__class__ is str:
                texts.append(text)
        elif btype == "image":
            t.events.append(Image(number, ts, image_tokens(block), _media(block), None, None, sidechain))
    if results:
        # One structured answer per record: it belongs to the result only when there is one, and
        # the reader uses it for a Read (its path and line range) or an unknown call.
        structured = rec.toolUseResult if len(results) == 1 else None
        if structured.__class__ is msgspec.Raw:
            structured = (_decode_any(structured) if len(structured) and _reads_answer(s.calls.get(results[0].call_id))
                          else None)
        for result in results:
            _complete_result(s, result, structured)
    if texts:
        _prompt_text(t, "\n".join(texts), number, ts, sidechain, rec.isMeta is True)


def _media(block: dict[str, Any]) -> str | None:
    source = block.get("source")
    return as_str(source.get("media_type")) if isinstance(source, dict) else None


def _prompt_text(t: Transcript, text: str, number: int, ts: str | None, sidechain: bool, is_meta: bool) -> None:
    stripped = text.strip()
    if not stripped:
        return
    if "<command-name>" in stripped:
        start = stripped.find("<command-name>") + len("<command-name>")
        name = stripped[start : stripped.find("</command-name>", start)].strip()
        if name == "/clear":
            t.events.append(Clear(number, ts, sidechain))
            return
        t.events.append(Prompt(number, ts, stripped[:PROMPT_TEXT_CAP], len(stripped), tokens_of_chars(len(stripped)),
                               sidechain, True, name or None))
        return
    if stripped.startswith(("<local-command-stdout>", "<local-command-stderr>", "<local-command-caveat>")):
        return
    if stripped.startswith("<bash-input>"):
        # `!cmd` in Claude Code's bash mode: the user ran a shell command, not a prompt to the model.
        t.events.append(Prompt(number, ts, stripped[:200], len(stripped), tokens_of_chars(len(stripped)), sidechain,
                               True, "!"))
        return
    if stripped.startswith(("<bash-stdout>", "<bash-stderr>")):
        t.events.append(Prompt(number, ts, stripped[:PROMPT_TEXT_CAP], len(stripped), tokens_of_chars(len(stripped)),
                               sidechain, True))
        return
    if stripped.startswith(INTERRUPT):
        t.events.append(Prompt(number, ts, stripped[:200], len(stripped), tokens_of_chars(len(stripped)), sidechain,
                               False, None, True))
        return
    meta = is_meta or (stripped.startswith(("<system-reminder>", "Caveat:")) and "</system-reminder>" in stripped[-40:])
    t.events.append(Prompt(number, ts, stripped[:PROMPT_TEXT_CAP], len(stripped), tokens_of_chars(len(stripped)),
                           sidechain, meta))


def _tool_result(block: dict[str, Any], number: int, ts: str | None, sidechain: bool) -> ToolResult:
    call_id = block.get("tool_use_id")
    chars, head, images, lines = content_size(block.get("content"))
    result = ToolResult(number, ts, call_id if call_id.__class__ is str else "", chars, tokens_of_chars(chars),
                        block.get("is_error") is True, head, image_tokens=images, lines=lines,
                        sidechain=sidechain)
    if result.is_error and chars > len(head):
        result.tail = tail_of(block.get("content"))
    if head.startswith("<persisted-output>"):
        result.persisted = True
        _persisted(result, head)
    if chars < 400 and UNCHANGED_MARK in head[:120]:
        result.unchanged_stub = True
    return result


PERSISTED = re.compile(r"Output too large \(([\d.]+)\s*([KMG]?B)\)\. Full output saved to: (\S+)")
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def _persisted(result: ToolResult, head: str) -> None:
    """The saved file and full size of an output Claude Code spilled to disk (its reference says both)."""
    m = PERSISTED.search(head)
    if m is not None:
        result.persisted_file = m.group(3).replace("\\", "/").rsplit("/", 1)[-1]
        result.persisted_chars = int(float(m.group(1)) * SIZE_UNITS[m.group(2)])


def _saved_sizes(t: Transcript) -> None:
    """Replace a spilled output's declared size by its saved file's, when the session's tool-results
    directory (``<session>/tool-results/``) is beside the transcript."""
    folder = os.path.join(os.path.dirname(t.path), os.path.basename(t.path).rsplit(".", 1)[0], "tool-results")
    for e in t.events:
        if isinstance(e, ToolResult) and e.persisted_file:
            with contextlib.suppress(OSError):
                e.persisted_chars = os.path.getsize(os.path.join(folder, e.persisted_file))


def _complete_result(s: _State, result: ToolResult, structured: Any) -> None:
    """The fields of a result that come from its structured answer (toolUseResult) or its call."""
    if structured.__class__ is dict:
        if structured.get("type") == "file_unchanged":
            result.unchanged_stub = True
        file = structured.get("file")
        if isinstance(file, dict):
            result.path = as_str(file.get("filePath"))
            result.start_line = as_int(file.get("startLine")) or None
            result.num_lines = as_int(file.get("numLines")) or None
            result.total_lines = as_int(file.get("totalLines")) or None
        elif structured.get("filePath"):
            result.path = as_str(structured.get("filePath"))
    if result.path is None:
        call = s.calls.get(result.call_id)
        if call is not None and call.path and (call.is_edit or call.name in READ_TOOLS):
            result.path = call.path  # the structured answer is not always there (and parsed only for a Read)


CLAUDE_TYPES = ("user", "assistant", "system", "progress", "file-history-snapshot", "file-history-delta", "summary",
                "queue-operation", "attachment", "last-prompt", "permission-mode", "agent-name", "custom-title",
                "ai-title")
NO_SESSION_TYPES = ("file-history-snapshot", "file-history-delta", "summary", "queue-operation", "last-prompt",
                    "permission-mode", "agent-name", "custom-title", "ai-title")


def detect(first: dict[str, Any]) -> bool:
    kind = first.get("type")
    if kind in CLAUDE_TYPES and "payload" not in first:
        return "sessionId" in first or "uuid" in first or kind in NO_SESSION_TYPES
    return False


__all__ = ["Reader", "detect", "read", "records_from", "text_of"]
