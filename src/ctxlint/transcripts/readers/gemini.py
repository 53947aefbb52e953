"""Gemini CLI sessions: chat JSON (``{sessionId, messages[]}``), the JSONL variant (header line,
message lines, ``{"$set": ...}`` patches), ``/chat save`` checkpoints (raw ``Content[]``) and
``logs.json`` (user prompts only).

``tokens.input`` includes the cached part (``promptTokenCount`` semantics): fresh = input − cached.
Thoughts are billed as output. Gemini CLI writes no compaction record; a drop of more than half the
input between consecutive requests is reported as an inferred compaction.
"""

from __future__ import annotations

from typing import Any

from ctxlint.transcripts.events import (
    AssistantText,
    Compaction,
    Prompt,
    Thinking,
    ToolCall,
    ToolResult,
    Transcript,
    Usage,
)
from ctxlint.transcripts.readers.common import (
    PROMPT_TEXT_CAP,
    as_int,
    as_str,
    content_size,
    each_message,
    loop_evidence,
    tokens_of_chars,
    tool_kind,
)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


EDIT_NAMES = {"replace", "write_file", "edit"}


def tool_call(name: str, raw_args: Any, call_id: str, number: int, ts: str | None) -> ToolCall:
    """A Gemini CLI tool call with normalised inputs (run_shell_command, read_file, grep/glob, edits)."""
    args: dict[str, Any] = raw_args if isinstance(raw_args, dict) else {}
    tc = ToolCall(number, ts, call_id, name, kind=tool_kind(name))
    tc.command = as_str(args.get("command"))
    tc.path = as_str(args.get("absolute_path")) or as_str(args.get("file_path")) or as_str(args.get("path"))
    tc.pattern = as_str(args.get("pattern"))
    if name == "read_file":
        tc.offset = as_int(args.get("offset")) + 1 if isinstance(args.get("offset"), int) else None
        tc.limit = as_int(args.get("limit")) or None
    tc.is_edit = name in EDIT_NAMES
    tc.edit_paths = (tc.path,) if tc.is_edit and tc.path else ()
    return tc


class GeminiReader:
    def __init__(self, t: Transcript) -> None:
        self.t = t
        self.prev_input = 0
        self.model: str | None = None

    def header(self, doc: dict[str, Any]) -> None:
        t = self.t
        t.session_id = t.session_id or as_str(doc.get("sessionId"))
        t.started_at = t.started_at or as_str(doc.get("startTime"))
        last = as_str(doc.get("lastUpdated"))
        if last:
            t.ended_at = last

    def message(self, m: dict[str, Any], number: int) -> None:
        t = self.t
        kind = m.get("type")
        ts = as_str(m.get("timestamp"))
        if ts:
            t.started_at = t.started_at if t.started_at and t.started_at <= ts else ts
            t.ended_at = ts if t.ended_at is None or ts > t.ended_at else t.ended_at
        if kind == "user":
            text = _text(m.get("content")).strip()
            if text:
                t.events.append(Prompt(number, ts, text[:PROMPT_TEXT_CAP], len(text), tokens_of_chars(len(text)),
                                       command=text.split()[0] if text.startswith("/") else None,
                                       is_meta=text.startswith("/")))
            return
        if kind != "gemini":
            return
        model = as_str(m.get("model"))
        if model and model not in t.models:
            t.models.append(model)
        tokens = m.get("tokens")
        if isinstance(tokens, dict):
            inp = as_int(tokens.get("input", tokens.get("prompt", tokens.get("input_tokens"))))
            cached = min(as_int(tokens.get("cached", tokens.get("cached_tokens"))), inp)
            out = as_int(tokens.get("output", tokens.get("candidates"))) + as_int(tokens.get("thoughts"))
            if self.prev_input and inp < self.prev_input * 0.5:
                t.events.append(Compaction(number, ts, "inferred", self.prev_input))
            self.prev_input = inp
            t.events.append(Usage(number, ts, as_str(m.get("id")) or f"g{number}", model, inp - cached, 0, cached,
                                  out, reasoning_output_tokens=as_int(tokens.get("thoughts"))))
        text = _text(m.get("content"))
        if text.strip():
            t.events.append(AssistantText(number, ts, len(text), text[:200]))
        for thought in m.get("thoughts") or []:
            if isinstance(thought, dict):
                t.events.append(Thinking(number, ts, len(str(thought.get("description", "")))))
        for call in m.get("toolCalls") or []:
            if not isinstance(call, dict):
                continue
            call_id = as_str(call.get("id")) or f"g{number}-{len(t.events)}"
            made = tool_call(as_str(call.get("name")) or "?", call.get("args"), call_id, number, ts)
            t.events.append(made)
            output: Any = None
            for r in call.get("result") or []:
                if isinstance(r, dict):
                    resp = r.get("functionResponse", {}).get("response", {})
                    if isinstance(resp, dict):
                        output = resp.get("output", resp.get("error"))
            chars, head, images, lines = content_size(output)
            t.events.append(ToolResult(number, ts, call_id, chars, tokens_of_chars(chars),
                                       call.get("status") == "error", head, image_tokens=images, lines=lines,
                                       evidence=loop_evidence(made, output)))


def read_document(doc: Any, t: Transcript, data: bytes = b"") -> None:
    """A chat document's messages; with the document's bytes, each message's line is where its id is
    written (findings then point at the message, not at line 1)."""
    r = GeminiReader(t)
    if isinstance(doc, dict):
        r.header(doc)
        messages = doc.get("messages")
        if data and isinstance(messages, list):
            each_message(t, messages, r.message, _message_lines(messages, data))
        else:
            each_message(t, messages, r.message)
    elif isinstance(doc, list):  # checkpoint (Content[]) or logs.json (prompts)
        for item in doc:
            if not isinstance(item, dict):
                continue
            if "parts" in item:
                role = item.get("role")
                text = _text(item.get("parts"))
                if role == "user" and text.strip():
                    t.events.append(Prompt(1, None, text[:PROMPT_TEXT_CAP], len(text), tokens_of_chars(len(text))))
                for part in item.get("parts") or []:
                    if isinstance(part, dict) and isinstance(part.get("functionCall"), dict):
                        fc = part["functionCall"]
                        name = as_str(fc.get("name")) or "?"
                        t.events.append(tool_call(name, fc.get("args"), as_str(fc.get("id")) or name, 1, None))
                    if isinstance(part, dict) and isinstance(part.get("functionResponse"), dict):
                        fr = part["functionResponse"]
                        resp = fr.get("response")
                        output = resp.get("output", resp.get("error")) if isinstance(resp, dict) else None
                        chars, head, _, _ = content_size(output)
                        t.events.append(ToolResult(1, None, as_str(fr.get("id")) or as_str(fr.get("name")) or "?",
                                                   chars, tokens_of_chars(chars), isinstance(resp, dict)
                                                   and "error" in resp and "output" not in resp, head))
            elif item.get("type") == "user" and isinstance(item.get("message"), str):
                text = item["message"]
                t.session_id = t.session_id or as_str(item.get("sessionId"))
                t.events.append(Prompt(1, as_str(item.get("timestamp")), text[:PROMPT_TEXT_CAP], len(text),
                                       tokens_of_chars(len(text))))


def _message_lines(messages: list[Any], data: bytes) -> list[int]:
    """The line of each message: where its id (unique) is next written in the document, else the line
    of the message before it. One forward scan over the bytes."""
    lines: list[int] = []
    line, pos = 1, 0
    for m in messages:
        mid = m.get("id") if isinstance(m, dict) else None
        at = data.find(mid.encode(), pos) if isinstance(mid, str) and mid else -1
        if at != -1:
            line += data.count(b"\n", pos, at)
            pos = at
        lines.append(line)
    return lines


def read_jsonl_record(r: GeminiReader, rec: dict[str, Any], number: int) -> None:
    if "$set" in rec:
        patch = rec["$set"]
        if isinstance(patch, dict) and as_str(patch.get("lastUpdated")):
            r.t.ended_at = patch["lastUpdated"]
        return
    if "sessionId" in rec and "type" not in rec:
        r.header(rec)
        return
    r.message(rec, number)


def detect_document(doc: Any) -> bool:
    if isinstance(doc, dict):
        return "messages" in doc and ("sessionId" in doc or "projectHash" in doc)
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        first = doc[0]
        return ("parts" in first and first.get("role") in ("user", "model")) or (
            first.get("type") == "user" and "sessionId" in first and "messageId" in first)
    return False


def detect_line(first: dict[str, Any]) -> bool:
    return "sessionId" in first and "projectHash" in first and "messages" not in first
