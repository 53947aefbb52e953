"""GitHub Copilot CLI: ``~/.copilot/session-state/<id>/events.jsonl`` and, beside the session folders,
the usage database ``session-store.db`` (docs/agents/copilot-cli.md).

The event log persists every event except the ephemeral ones — among them ``assistant.usage``, the
per-request usage. So from the log alone a request (an ``assistant.message``, one per ``apiCallId``
or ``requestId``) has its output tokens but not its input; the input exists only as
``session.shutdown`` roll-ups, which are cumulative across resumed legs and restart at a successful
compaction (peer-measured): the session's input is the last roll-up of each compaction epoch, and
only when every epoch's roll-up covers all of its calls (else it is unknown — never the sum of the
legs). The compaction call's own usage is in ``session.compaction_complete``.

``session-store.db`` (``assistant_usage_events``: one row per request, ``input_tokens``
cache-inclusive, ``initiator`` 'sub-agent' / 'compaction') gives each request its input: rows are
matched to the log's requests by kind and order, and the session then records usage per request.
``inputTokens`` is cache-inclusive everywhere: fresh = input − cache read − cache write.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from ctxlint.transcripts.agents import AGENTS
from ctxlint.transcripts.events import (
    AssistantText,
    Clear,
    Compaction,
    ModelChange,
    SubagentMarker,
    Thinking,
    Transcript,
    Usage,
)
from ctxlint.transcripts.readers.common import as_int, as_str, prompt, tool_call, tool_result

EVENT_TYPE = re.compile(r"^[a-z_]+(?:\.[a-z_]+)+$")  # every event type of the CLI's schema is dotted
EDIT_TOOLS = {"edit", "create", "str_replace_editor", "write"}
SHELL_TOOLS = {"bash", "powershell", "shell"}
SUBAGENT_TOOLS = {"task"}
STORE = "session-store.db"


def detect(first: dict[str, Any]) -> bool:
    kind = first.get("type")
    return (isinstance(kind, str) and bool(EVENT_TYPE.match(kind)) and isinstance(first.get("data"), dict)
            and "id" in first and "timestamp" in first and (kind.startswith("session.") or "parentId" in first))


class _Epoch:
    """Model calls between compactions, and the last shutdown roll-up that counted them."""

    __slots__ = ("calls", "covered", "metrics")

    def __init__(self, calls: int) -> None:
        self.calls = calls
        self.covered = -1
        self.metrics: dict[str, Any] | None = None


class Reader:
    def __init__(self, t: Transcript) -> None:
        self.t = t
        self.model: str | None = None
        self.requests: dict[str, Usage] = {}
        self.kinds: list[str] = []  # per request, in order: "main", "sub-agent", "compaction"
        self.calls_seen: set[str] = set()
        self.epochs = [_Epoch(0)]

    def record(self, rec: dict[str, Any], number: int) -> None:
        t = self.t
        kind = rec.get("type")
        data = rec.get("data")
        if not isinstance(kind, str) or not EVENT_TYPE.match(kind) or not isinstance(data, dict):
            t.add_malformed(number, "not a Copilot CLI event")
            return
        ts = as_str(rec.get("timestamp"))
        if ts:
            t.saw_time(ts)
        side = isinstance(rec.get("agentId"), str)
        if kind in ("session.start", "session.resume"):
            t.session_id = t.session_id or as_str(data.get("sessionId"))
            context = data.get("context")
            if isinstance(context, dict):
                t.cwd = as_str(context.get("cwd")) or t.cwd
            self._model(as_str(data.get("selectedModel")), number, ts)
        elif kind == "session.model_change":
            self._model(as_str(data.get("newModel")), number, ts)
        elif kind == "user.message":
            typed = as_str(data.get("content")) or ""
            sent = as_str(data.get("transformedContent")) or typed
            if sent.strip():
                p = prompt(number, ts, (typed or sent).strip(), sidechain=side, is_meta=not typed.strip())
                p.chars = len(sent)  # what the model got: the typed text wrapped in the CLI's context
                t.events.append(p)
        elif kind == "assistant.message":
            self._assistant(data, number, ts, side)
        elif kind == "tool.execution_start":
            call_id = as_str(data.get("toolCallId")) or f"line{number}"
            if call_id not in self.calls_seen:
                self._call(call_id, as_str(data.get("toolName")) or "?", data.get("arguments"), number, ts, side)
        elif kind == "tool.execution_complete":
            result = data.get("result")
            error = data.get("error")
            content = result.get("content") if isinstance(result, dict) else None
            if content is None and isinstance(error, dict):
                content = error.get("message")
            t.events.append(tool_result(number, ts, as_str(data.get("toolCallId")) or f"line{number}", content,
                                        is_error=data.get("success") is False, sidechain=side))
        elif kind == "subagent.started":
            t.events.append(SubagentMarker(number, ts, as_str(data.get("agentName"))))
        elif kind == "session.compaction_start":
            t.context_window = as_int(data.get("tokenLimit")) or t.context_window
        elif kind == "session.compaction_complete" and data.get("success") is True:
            used = data.get("compactionTokensUsed")
            used = used if isinstance(used, dict) else {}
            model = as_str(used.get("model")) or self.model
            whole = as_int(used.get("inputTokens"))
            read, write = as_int(used.get("cacheReadTokens")), as_int(used.get("cacheWriteTokens"))
            u = Usage(number, ts, f"compaction{number}", model, max(whole - read - write, 0), write, read,
                      as_int(used.get("outputTokens")), sidechain=side, input_known=bool(used))
            self._request(u, "compaction")
            self.epochs.append(_Epoch(1))  # the roll-up restarts, counting the compaction call
            trigger = as_str(data.get("trigger"))
            t.events.append(Compaction(number, ts, "manual" if trigger == "manual" else "auto",
                                       as_int(data.get("preCompactionTokens")) or None, sidechain=side))
        elif kind == "session.context_cleared":
            t.events.append(Clear(number, ts, sidechain=side))
        elif kind == "session.shutdown":
            epoch = self.epochs[-1]
            metrics = data.get("modelMetrics")
            epoch.metrics = metrics if isinstance(metrics, dict) else None
            epoch.covered = epoch.calls

    def _model(self, model: str | None, number: int, ts: str | None) -> None:
        if model and model != self.model:
            if self.model is not None:
                self.t.events.append(ModelChange(number, ts, model))
            self.model = model
        if model and model not in self.t.models:
            self.t.models.append(model)

    def _assistant(self, data: dict[str, Any], number: int, ts: str | None, side: bool) -> None:
        t = self.t
        key = as_str(data.get("apiCallId")) or as_str(data.get("requestId")) or as_str(data.get("messageId")) \
            or f"line{number}"
        model = as_str(data.get("model")) or self.model
        if model and model not in t.models:
            t.models.append(model)
        known = self.requests.get(key)
        if known is None:
            self._request(Usage(number, ts, key, model, output_tokens=as_int(data.get("outputTokens")),
                                sidechain=side, input_known=False), "sub-agent" if side else "main")
        else:  # another chunk of the same call
            known.output_tokens += as_int(data.get("outputTokens"))
        text = as_str(data.get("content")) or ""
        if text.strip():
            t.events.append(AssistantText(number, ts, len(text), text[:200], sidechain=side))
        reasoning = as_str(data.get("reasoningText"))
        if reasoning:
            t.events.append(Thinking(number, ts, len(reasoning), sidechain=side))
        for request in data.get("toolRequests") or []:
            if isinstance(request, dict):
                call_id = as_str(request.get("toolCallId")) or f"line{number}"
                self._call(call_id, as_str(request.get("name")) or "?", request.get("arguments"), number, ts, side)

    def _request(self, u: Usage, kind: str) -> None:
        self.requests[u.request_key] = u
        self.kinds.append(kind)
        self.epochs[-1].calls += 1
        self.t.events.append(u)

    def _call(self, call_id: str, name: str, args: Any, number: int, ts: str | None, side: bool) -> None:
        self.calls_seen.add(call_id)
        self.t.events.append(tool_call(number, ts, call_id, name, args, edit=name in EDIT_TOOLS,
                                       subagent=name in SUBAGENT_TOOLS, shell=name in SHELL_TOOLS, sidechain=side))

    def finish(self) -> None:
        """Each request's input from the usage database when it matches; else the shutdown roll-ups."""
        rows = _store_rows(self.t.path, self.t.session_id)
        if rows and self._attach(rows):
            self.t.records = AGENTS["copilot-cli"].records | {"request-usage", "cache-split"}
            return
        if rows:  # the store counts every request even where the log's requests do not line up with it
            self._totals([(r[0], r[1], r[2], r[3], r[4]) for r in rows])
            return
        epochs = [e for e in self.epochs if e.calls]
        complete = bool(epochs) and all(
            e.metrics is not None and e.covered == e.calls
            and sum(as_int((m.get("requests") or {}).get("count")) for m in e.metrics.values()
                    if isinstance(m, dict)) == e.calls
            for e in epochs)
        if not complete:
            return  # the input of some requests is recorded nowhere: unknown
        per_model: list[tuple[str, int, int, int, int]] = []
        for e in epochs:
            assert e.metrics is not None
            for model, m in e.metrics.items():
                usage = m.get("usage") if isinstance(m, dict) else None
                if isinstance(usage, dict):
                    per_model.append((model, as_int(usage.get("inputTokens")), as_int(usage.get("cacheReadTokens")),
                                      as_int(usage.get("cacheWriteTokens")), as_int(usage.get("outputTokens"))))
        self._totals(per_model)

    def _totals(self, per_model: list[tuple[str, int, int, int, int]]) -> None:
        """Session totals (and per-model usage to price them) from (model, input incl. cache, cache
        read, cache write, output) rows."""
        by_model: dict[str, Usage] = {}
        for model, whole, read, write, output in per_model:
            u = by_model.setdefault(model, Usage(0, None, model, model))
            u.input_tokens += max(whole - read - write, 0)
            u.cache_read_input_tokens += read
            u.cache_creation_input_tokens += write
            u.output_tokens += output
        fresh = sum(u.input_tokens for u in by_model.values())
        write = sum(u.cache_creation_input_tokens for u in by_model.values())
        read = sum(u.cache_read_input_tokens for u in by_model.values())
        self.t.totals.update({"input_tokens": fresh, "cache_creation_input_tokens": write,
                              "cache_read_input_tokens": read, "input_tokens_including_cache": fresh + write + read})
        self.t.aggregate_usage = list(by_model.values())

    def _attach(self, rows: list[tuple[str, int, int, int, int, str | None]]) -> bool:
        """Give each request of the log its store row, matched by kind and order (or by order alone
        when the store does not say which rows were sub-agents'); False when they do not line up."""
        requests = list(self.requests.values())
        by_kind: dict[str, list[int]] = {}
        for i, kind in enumerate(self.kinds):
            by_kind.setdefault(kind, []).append(i)
        row_kind = [{"sub-agent": "sub-agent", "compaction": "compaction"}.get(r[5] or "", "main") for r in rows]
        rows_by_kind: dict[str, list[int]] = {}
        for j, kind in enumerate(row_kind):
            rows_by_kind.setdefault(kind, []).append(j)
        if {k: len(v) for k, v in by_kind.items()} == {k: len(v) for k, v in rows_by_kind.items()}:
            pairs = [(i, j) for kind in by_kind for i, j in zip(by_kind[kind], rows_by_kind[kind], strict=True)]
        elif len(rows) == len(requests):
            pairs = list(zip(range(len(requests)), range(len(rows)), strict=True))
        else:
            return False
        for i, j in pairs:
            model, whole, read, write, output, _ = rows[j]
            u = requests[i]
            u.input_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens = (
                max(whole - read - write, 0), read, write)
            u.output_tokens, u.input_known = output, True
            u.model = model or u.model
        return True


def _store_rows(events_path: str, session_id: str | None) -> list[tuple[str, int, int, int, int, str | None]]:
    """(model, input incl. cache, cache read, cache write, output, initiator) of the session's rows in
    the CLI's usage database beside ``session-state/``, in the order written; [] without one."""
    folder = Path(events_path).parent
    if session_id is None or folder.parent.name != "session-state":
        return []
    store = folder.parent.parent / STORE
    if not store.is_file():
        return []
    from ctxlint.transcripts import stores

    try:
        con = stores.connect(str(store))
    except (sqlite3.Error, OSError):
        return []
    try:
        columns = {str(r[1]) for r in con.execute('PRAGMA table_info("assistant_usage_events")')}
        initiator = "initiator" if "initiator" in columns else "NULL"
        return [(str(model or ""), as_int(whole), as_int(read), as_int(write), as_int(output), as_str(who))
                for model, whole, read, write, output, who in con.execute(
                    f"SELECT model, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, {initiator}"
                    " FROM assistant_usage_events WHERE session_id = ? ORDER BY id", (session_id,))]
    except sqlite3.Error:
        return []
    finally:
        con.close()
