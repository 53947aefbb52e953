"""Helpers shared by the transcript readers: sizing content, normalising tool calls."""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson

from ctxlint.measure.tokens import estimate_tokens
from ctxlint.transcripts.events import Prompt, ToolCall, ToolResult
from ctxlint.transcripts.outcomes import evidence, wants_evidence

PROMPT_TEXT_CAP = 4000  # prompt text kept for similarity checks; ``chars`` keeps the full size
HEAD_CHARS = 300
IMAGE_DEFAULT_TOKENS = 1500
IMAGE_MAX_TOKENS = 1568

EDIT_TOOLS = {"Edit", "MultiEdit", "Write", "NotebookEdit", "write_file", "replace", "edit_file", "apply_patch",
              "str_replace_based_edit_tool", "create_file"}
READ_TOOLS = {"Read", "read_file", "read_many_files", "view_file", "NotebookRead"}
SUBAGENT_TOOLS = {"Task", "Agent", "spawn_agent", "delegate"}
# What each agent's tools do, by the names the agents give them (rules compare kinds, not names).
TOOL_KINDS: dict[str, str] = {
    # one file, maybe a line range: CTX201 compares the ranges of reads of the same file
    **dict.fromkeys(("Read", "read_file", "read", "view", "readFile"), "read"),
    # searches and listings: CTX214 counts them as exploration
    **dict.fromkeys(("Grep", "Glob", "LS", "list_dir", "search_file_content", "glob", "grep", "grep_search",
                     "list_directory", "ls", "list", "searchFiles", "codebaseSearch", "listFilesTopLevel",
                     "listFilesRecursive", "search_files", "list_files", "codebase_search"), "search"),
}
PATCH_FILE_RE = re.compile(r"^\*\*\* (?:Update|Add|Delete) File: (.+)$", re.M)
# A file named in prose: a path or a name with a short alphanumeric extension (`src/app.py`, `models.py:42`).
FILE_NAME_RE = re.compile(r"(?<![\w.-])(?:[\w.-]+/)*([\w-][\w.-]*\.[A-Za-z][A-Za-z0-9]{0,7})\b(?![/(])")
MAX_MENTIONS = 64


def content_size(content: Any) -> tuple[int, str, int, int]:
    """(chars, head, image tokens, lines) of a tool_result / message content (str or list of blocks)."""
    if content is None:
        return 0, "", 0, 0
    if isinstance(content, str):
        return len(content), content[:HEAD_CHARS], 0, content.count("\n") + 1 if content else 0
    chars = 0
    head = ""
    images = 0
    lines = 0
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):
        for block in content:
            if isinstance(block, str):
                chars += len(block)
                head = head or block[:HEAD_CHARS]
                lines += block.count("\n") + 1
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
                    lines += text.count("\n") + 1
    return chars, head, images, lines


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


# Past what any record holds (token counts, sizes, epoch timestamps in ms or ns): beyond a 64-bit
# integer. A 400-digit count, 1e308 or infinity stops here instead of in a float conversion.
MAX_COUNT = 2**63 - 1
OUT_OF_RANGE = "a number out of range"  # the CTX002 reason


class OutOfRange(ValueError):
    """A count no record can hold (a 400-digit token count, 1e308, infinity, NaN). The readers count
    the record as malformed (CTX002) and skip it: one absurd number must neither abort the run nor
    turn into a dollar figure hundreds of digits long."""


def as_int(value: Any) -> int:
    """A non-negative count from a record (0 when it is not a number); ``OutOfRange`` past ``MAX_COUNT``."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        if value > MAX_COUNT:
            raise OutOfRange(OUT_OF_RANGE)
        return max(value, 0)
    if isinstance(value, float):
        if not (math.isfinite(value) and value <= MAX_COUNT):
            raise OutOfRange(OUT_OF_RANGE)
        return max(int(value), 0)
    return 0


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def iso_time(value: Any, per_second: int = 1000) -> str | None:
    """An ISO 8601 UTC timestamp (``…Z``) of an epoch number in milliseconds (or seconds with
    ``per_second=1``), as the JSONL agents write theirs; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        moment = datetime.fromtimestamp(value / per_second, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


PATH_KEYS = ("filePath", "file_path", "path", "absolute_path", "absolutePath", "target_file")
PATTERN_KEYS = ("pattern", "regex", "query")


def tool_call(line: int, ts: str | None, call_id: str, name: str, args: Any, *, edit: bool = False,
              subagent: bool = False, shell: bool = False, sidechain: bool = False, zero_based: bool = False,
              ) -> ToolCall:
    """A tool call with its inputs normalised across agents. The reader says what the tool is (an
    edit, a subagent, a shell): the agents' argument names are shared (``filePath``, ``file_path``,
    ``path``…, ``command``/``cmd``, ``pattern``, ``offset``/``limit``), their tool names are not.
    ``zero_based``: the agent's read offsets count lines from 0."""
    a: dict[str, Any] = args if isinstance(args, dict) else {}
    call = ToolCall(line, ts, call_id, name, sidechain=sidechain, kind=tool_kind(name), is_subagent=subagent)
    try:
        call.input_chars = len(orjson.dumps(a))
    except TypeError:
        call.input_chars = 0
    call.path = next((v for k in PATH_KEYS if isinstance(v := a.get(k), str) and v), None)
    call.pattern = next((v for k in PATTERN_KEYS if isinstance(v := a.get(k), str) and v), None)
    if shell:
        command = a.get("command", a.get("cmd"))
        if isinstance(command, list):
            command = " ".join(str(c) for c in command)
        call.command = command if isinstance(command, str) else None
    if call.kind == "read":
        offset = a.get("offset")
        if isinstance(offset, int) and not isinstance(offset, bool):
            call.offset = max(offset + 1 if zero_based else offset, 1)
        call.limit = as_int(a.get("limit")) or None
    if edit:
        call.is_edit = True
        patch = a.get("patchText", a.get("patch", a.get("input")))
        paths = patch_paths(patch) if isinstance(patch, str) else ()
        call.edit_paths = paths or ((call.path,) if call.path else ())
        call.path = call.path or (paths[0] if paths else None)
    return call


def stable_hash(data: bytes) -> int:
    """A 64-bit digest of ``data`` that is the same in every process (``hash`` of bytes is salted per
    process): a tool call's ``input_key`` outlives the process that read it in a live session's state."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def tool_kind(name: str) -> str:
    """``ToolCall.kind`` of a tool by its name: "read", "search" or ""."""
    return TOOL_KINDS.get(name, "")


def tokens_of_chars(chars: int) -> int:
    return estimate_tokens(chars)


def patch_paths(patch: str) -> tuple[str, ...]:
    return tuple(m.strip() for m in PATCH_FILE_RE.findall(patch))


def each_message(t: Any, messages: Any, read: Any, lines: list[int] | None = None) -> None:
    """Call ``read(message, line)`` for every message of a single-document transcript (line 1 unless
    ``lines`` gives each message's); a message that is not an object or has an unexpected shape is a
    counted CTX002 diagnostic, never an exception."""
    for i, m in enumerate(messages if isinstance(messages, list) else [], start=1):
        line = lines[i - 1] if lines is not None and i <= len(lines) else 1
        if not isinstance(m, dict):
            t.add_malformed(line, f"message {i} is not an object")
            continue
        try:
            read(m, line)
        except OutOfRange:
            t.add_malformed(line, OUT_OF_RANGE)
        except (TypeError, AttributeError, ValueError, KeyError):
            t.add_malformed(line, f"unexpected shape of message {i}")


def file_names(text: str) -> tuple[str, ...]:
    """The file names (base names) a text mentions, in order, at most ``MAX_MENTIONS``: what a subagent's
    report says it looked at."""
    names: dict[str, None] = {}
    for m in FILE_NAME_RE.finditer(text):
        names.setdefault(m.group(1), None)
        if len(names) >= MAX_MENTIONS:
            break
    return tuple(names)


# A message that is one machine element and nothing else: a tag of several words (`observed_from_primary_session`,
# `task-notification`) opening it, closed at its end (or past the kept text). Programs wrap what they send
# this way; a person's words, even around a pasted document, are not inside such a tag.
MACHINE_MESSAGE = re.compile(r"\s*<([a-z][a-z0-9]*(?:[_-][a-z0-9]+)+)>")
PROGRAM_FED_MIN = 3  # machine-written prompts before a session counts as driven by a program


def machine_written(p: Prompt) -> bool:
    m = MACHINE_MESSAGE.match(p.text)
    if m is None:
        return False
    closing = f"</{m.group(1)}>"
    return p.text.rstrip().endswith(closing) or (len(p.text) < p.chars and closing not in p.text)


def program_fed(events: Iterable[Any]) -> bool:
    """The session's prompts were written by a program (a memory plugin's observer, an event feed):
    at least ``PROGRAM_FED_MIN`` of them, and at least half, are one machine element each."""
    prompts = [e for e in events if type(e) is Prompt and not e.is_meta and not e.command and not e.replayed
               and not e.sidechain]
    machine = sum(1 for p in prompts if machine_written(p))
    return machine >= PROGRAM_FED_MIN and 2 * machine >= len(prompts)


def prompt(line: int, ts: str | None, text: str, *, sidechain: bool = False, is_meta: bool = False) -> Prompt:
    """A user prompt: its text capped for similarity checks, its full size kept; a ``/command`` is
    marked as one."""
    command = text.split()[0] if text.startswith("/") and text.split() else None
    return Prompt(line, ts, text[:PROMPT_TEXT_CAP], len(text), tokens_of_chars(len(text)), sidechain=sidechain,
                  is_meta=is_meta or command is not None, command=command)


def tool_result(line: int, ts: str | None, call_id: str, content: Any, *, is_error: bool = False,
                sidechain: bool = False, path: str | None = None) -> ToolResult:
    """A tool result sized from what the model saw (a string, or text and image blocks); a failure
    keeps its last characters too (where a traceback's exception is)."""
    chars, head, images, lines = content_size(content)
    return ToolResult(line, ts, call_id, chars, tokens_of_chars(chars), is_error, head,
                      tail_of(content) if is_error else "", path=path, image_tokens=images, lines=lines or None,
                      sidechain=sidechain)
