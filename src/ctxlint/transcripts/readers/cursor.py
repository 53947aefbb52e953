"""Cursor agent / CLI: ``~/.cursor/projects/<slug>/agent-transcripts/<id>/<id>.jsonl`` (subagents in
``<id>/subagents/``), docs/agents/cursor.md.

Lines are ``{role, message: {content: [blocks]}}`` with Claude-style blocks (``text``, ``tool_use``,
``tool_result``, ``thinking``). Cursor records **no usage, no model, no timestamps**: every token
figure is unknown and every size is estimated from the text (basis ``estimated``, never priced). A
typed prompt is wrapped in ``<user_query>``; other user text (attached files, reminders) is context,
not a prompt. An assistant line is a fragment of a response: the first assistant line after a user
line stands for one model call (modelled for the rules' request counts; the session's ``requests``
stays unknown).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ctxlint.transcripts.events import AssistantText, Image, SubagentMarker, Thinking, Transcript, Usage
from ctxlint.transcripts.readers.common import as_str, image_tokens, prompt, tool_call, tool_result

USER_QUERY = re.compile(r"<user_query>\s*(.*?)\s*</user_query>", re.S)
EDIT_TOOLS = {"StrReplace", "Write", "Edit", "MultiEdit", "Delete", "EditNotebook", "ApplyPatch"}
SHELL_TOOLS = {"Shell", "Bash", "run_terminal_cmd"}
SUBAGENT_TOOLS = {"Task"}
QUIET_TYPES = {"turn_ended", "turn_started"}  # lines that only mark a turn
UNKNOWN = ("requests", "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens",
           "input_tokens_including_cache", "peak_context_tokens", "sidechain_requests")


def detect(first: dict[str, Any]) -> bool:
    message = first.get("message")
    return (first.get("role") in ("user", "assistant") and isinstance(message, dict) and "content" in message
            and not {"type", "uuid", "sessionId", "timestamp"} & first.keys())


class Reader:
    def __init__(self, t: Transcript) -> None:
        self.t = t
        self.in_response = False
        path = Path(t.path)
        t.session_id = path.stem
        t.is_subagent_file = path.parent.name == "subagents"
        if t.is_subagent_file:
            t.parent_session_id = path.parent.parent.name
        t.totals.update(dict.fromkeys(UNKNOWN))

    def record(self, rec: dict[str, Any], number: int) -> None:
        t = self.t
        role = rec.get("role")
        message = rec.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if role is None and rec.get("type") in QUIET_TYPES:
            self.in_response = False
            return
        if role not in ("user", "assistant"):
            t.add_malformed(number, "not a Cursor transcript line")
            return
        blocks: list[Any] = content if isinstance(content, list) else [{"type": "text", "text": content}] \
            if isinstance(content, str) else []
        if role == "assistant":
            if not self.in_response:
                t.events.append(Usage(number, None, f"line{number}", None, input_known=False))
                self.in_response = True
            for block in blocks:
                self._assistant_block(block, number)
            return
        self.in_response = False
        for block in blocks:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "text" and isinstance(block.get("text"), str):
                text = block["text"]
                typed = USER_QUERY.findall(text)
                if typed:
                    t.events.extend(prompt(number, None, q) for q in typed if q.strip())
                elif text.strip():
                    t.events.append(prompt(number, None, text.strip(), is_meta=True))
            elif kind == "tool_result":
                t.events.append(tool_result(number, None, as_str(block.get("tool_use_id")) or f"line{number}",
                                            block.get("content"), is_error=block.get("is_error") is True))
            elif kind == "image":
                t.events.append(Image(number, None, image_tokens(block)))

    def _assistant_block(self, block: Any, number: int) -> None:
        t = self.t
        if not isinstance(block, dict):
            return
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str) and block["text"].strip():
            t.events.append(AssistantText(number, None, len(block["text"]), block["text"][:200]))
        elif kind == "thinking":
            t.events.append(Thinking(number, None, len(str(block.get("thinking", "")))))
        elif kind == "tool_use":
            name = as_str(block.get("name")) or "?"
            call = tool_call(number, None, as_str(block.get("id")) or f"line{number}", name, block.get("input"),
                             edit=name in EDIT_TOOLS, subagent=name in SUBAGENT_TOOLS, shell=name in SHELL_TOOLS)
            t.events.append(call)
            if call.is_subagent:
                t.events.append(SubagentMarker(number, None, call.call_id, sidechain=False))
