"""Aider ``.aider.chat.history.md``: `# aider chat started at …` launches, `#### ` user input,
block-quoted `> ` tool output, `> Model: …` lines, and `> Tokens: 2.3k sent, 150 received. Cost: …`
usage lines (k/M suffixes; optional ``N cache write`` / ``N cache hit``) — one Usage each."""

from __future__ import annotations

import re
from typing import BinaryIO

from ctxlint.transcripts.events import AssistantText, Prompt, Transcript, Usage
from ctxlint.transcripts.lines import iter_lines
from ctxlint.transcripts.readers.common import (
    OUT_OF_RANGE,
    PROMPT_TEXT_CAP,
    OutOfRange,
    as_int,
    tokens_of_chars,
)

STARTED = re.compile(r"^# aider chat started at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")
TOKENS = re.compile(
    r"^>\s*Tokens:\s*([\d.]+[kKmM]?) sent(?:,\s*([\d.]+[kKmM]?) cache write)?(?:,\s*([\d.]+[kKmM]?) cache hit)?,"
    r"\s*([\d.]+[kKmM]?) received"
)
MODEL = re.compile(r"^>\s*(?:Main )?[Mm]odel:\s*(\S+)")
LAUNCH_MODEL = re.compile(r"^>\s*\S*aider\b.*?\s--model[= ](\S+)")  # the launch command line


def _num(text: str | None) -> int:
    if not text:
        return 0
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    try:
        value = float(text.rstrip("kKmM")) * scale
    except ValueError:
        return 0
    return as_int(value)  # OutOfRange past any real count (a 400-digit number is infinity here)


def read(fh: BinaryIO, t: Transcript) -> None:
    model: str | None = None
    prompt_lines: list[str] = []
    prompt_line = 0
    assistant_chars = 0
    assistant_line = 0
    timestamp: str | None = None

    def flush_prompt() -> None:
        nonlocal prompt_lines
        if prompt_lines:
            text = "\n".join(prompt_lines).strip()
            if text:
                t.events.append(Prompt(prompt_line, timestamp, text[:PROMPT_TEXT_CAP], len(text),
                                       tokens_of_chars(len(text)), command=text.split()[0] if text.startswith("/")
                                       else None, is_meta=text.startswith("/")))
            prompt_lines = []

    for number, raw, length in iter_lines(fh):
        t.lines = number
        t.bytes += length
        if raw is None:
            t.skipped_records += 1
            continue
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        m = STARTED.match(line)
        if m:
            flush_prompt()
            timestamp = m.group(1).replace(" ", "T")
            t.saw_time(timestamp)
            continue
        if line.startswith("#### "):
            if not prompt_lines:
                prompt_line = number
            prompt_lines.append(line[5:])
            continue
        flush_prompt()
        if line.startswith(">"):
            if assistant_chars:
                t.events.append(AssistantText(assistant_line, timestamp, assistant_chars))
                assistant_chars = 0
            mm = MODEL.match(line) or LAUNCH_MODEL.match(line)
            if mm:
                model = mm.group(1).rstrip(",")
                if model not in t.models:
                    t.models.append(model)
            tm = TOKENS.match(line)
            if tm:
                try:
                    sent, write, hit, received = (_num(g) for g in tm.groups())
                except OutOfRange:
                    t.add_malformed(number, OUT_OF_RANGE)
                    continue
                # "sent" is LiteLLM's prompt_tokens. DeepSeek-style providers count cache hits inside it
                # (hit + miss == sent); Anthropic through older LiteLLM reports them beside it
                # (sent + write + hit == total). The numbers tell which: cache parts larger than
                # "sent" cannot be inside it.
                fresh = sent - hit - write if hit + write <= sent else sent
                t.events.append(Usage(number, timestamp, f"aider{number}", model, fresh, write, hit, received))
            continue
        if line.strip():
            if not assistant_chars:
                assistant_line = number
            assistant_chars += len(line) + 1
    flush_prompt()
    if assistant_chars:
        t.events.append(AssistantText(assistant_line, timestamp, assistant_chars))


def detect(head: bytes) -> bool:
    return b"# aider chat started at" in head[:4096]
