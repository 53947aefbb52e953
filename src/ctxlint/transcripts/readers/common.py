"""Helpers shared by the transcript readers: sizing content, normalising tool calls."""

from __future__ import annotations

import base64
import re
import struct
from typing import Any

from ctxlint.measure.tokens import estimate_tokens
from ctxlint.transcripts.events import ToolCall
from ctxlint.transcripts.outcomes import evidence, wants_evidence

PROMPT_TEXT_CAP = 4000  # prompt text kept for similarity checks; ``chars`` keeps the full size
HEAD_CHARS = 300
IMAGE_DEFAULT_TOKENS = 1500
IMAGE_MAX_TOKENS = 1568

EDIT_TOOLS = {"Edit", "MultiEdit", "Write", "NotebookEdit", "write_file", "replace", "edit_file", "apply_patch",
              "str_replace_based_edit_tool", "create_file"}
READ_TOOLS = {"Read", "read_file", "read_many_files", "view_file", "NotebookRead"}
SUBAGENT_TOOLS = {"Task", "Agent", "spawn_agent", "delegate"}
PATCH_FILE_RE = re.compile(r"^\*\*\* (?:Update|Add|Delete) File: (.+)$", re.M)


def content_size(content: Any) -> tuple[int, str, int]:
    """(chars, head, image tokens) of a tool_result / message content (str or list of blocks)."""
    if content is None:
        return 0, "", 0
    if isinstance(content, str):
        return len(content), content[:HEAD_CHARS], 0
    chars = 0
    head = ""
    images = 0
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):
        for block in content:
            if isinstance(block, str):
                chars += len(block)
                head = head or block[:HEAD_CHARS]
            elif isinstance(block, dict):
                kind = block.get("type")
                if kind in ("image", "input_image"):
                    images += image_tokens(block)
                    continue
                text = block.get("text")
                if not isinstance(text, str):
                    text = block.get("content") if isinstance(block.get("content"), str) else None
                if isinstance(text, str):
                    chars += len(text)
                    head = head or text[:HEAD_CHARS]
    return chars, head, images


def result_text(content: Any) -> str:
    """The whole text of a tool result's content (a string, or a list of text blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [b if isinstance(b, str) else b.get("text") or b.get("content") for b in content
                 if isinstance(b, (str, dict))]
        return "".join(t for t in texts if isinstance(t, str))
    return ""


def tail_of(content: Any) -> str:
    """The last ``HEAD_CHARS`` characters of a tool result's text (kept for failed results only)."""
    return result_text(content)[-HEAD_CHARS:]


def loop_evidence(call: ToolCall | None, content: Any) -> tuple[str, ...]:
    """The lines of a result that say whether its call completed a loop (``transcripts.outcomes``),
    for the calls that can; nothing for every other call, whose output is never scanned."""
    if call is None or not wants_evidence(call):
        return ()
    return evidence(result_text(content))


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts: list[str] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, dict) and block.get("type") in ("text", "input_text", "output_text"):
                text = block.get("text")
                if isinstance(text, str):
                    parts.append(text)
            elif isinstance(block, str):
                parts.append(block)
    return "\n".join(parts)


def image_tokens(block: dict[str, Any]) -> int:
    """⌈w/28⌉·⌈h/28⌉ capped at 1,568 (Claude's vision formula) from a base64 PNG/JPEG header."""
    source = block.get("source")
    data = source.get("data") if isinstance(source, dict) else block.get("image_url")
    if isinstance(data, dict):
        data = data.get("url")
    if not isinstance(data, str):
        return IMAGE_DEFAULT_TOKENS
    if data.startswith("data:"):
        data = data.split(",", 1)[-1]
    size = image_size(data[:4096])
    if size is None:
        return IMAGE_DEFAULT_TOKENS
    w, h = size
    return min(IMAGE_MAX_TOKENS, max(1, -(-w // 28)) * max(1, -(-h // 28)))


def image_size(b64_head: str) -> tuple[int, int] | None:
    try:
        raw = base64.b64decode(b64_head[: len(b64_head) // 4 * 4], validate=False)
    except (ValueError, TypeError):
        return None
    if raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) >= 24:
        w, h = struct.unpack(">II", raw[16:24])
        return int(w), int(h)
    if raw[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(raw):
            if raw[i] != 0xFF:
                i += 1
                continue
            marker = raw[i + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", raw[i + 5 : i + 9])
                return int(w), int(h)
            seg = struct.unpack(">H", raw[i + 2 : i + 4])[0]
            i += 2 + seg
    return None


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, float):
        return max(int(value), 0)
    return 0


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def tokens_of_chars(chars: int) -> int:
    return estimate_tokens(chars)


def patch_paths(patch: str) -> tuple[str, ...]:
    return tuple(m.strip() for m in PATCH_FILE_RE.findall(patch))


def each_message(t: Any, messages: Any, read: Any) -> None:
    """Call ``read(message, 1)`` for every message of a single-document transcript; a message that
    is not an object or has an unexpected shape is a counted CTX002 diagnostic, never an exception."""
    for i, m in enumerate(messages if isinstance(messages, list) else [], start=1):
        if not isinstance(m, dict):
            t.add_malformed(1, f"message {i} is not an object")
            continue
        try:
            read(m, 1)
        except (TypeError, AttributeError, ValueError, KeyError):
            t.add_malformed(1, f"unexpected shape of message {i}")
