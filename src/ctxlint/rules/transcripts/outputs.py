"""Shared logic of the three output-size rules (CTX202, CTX203, CTX204): which tool result a call
produced, what command made it, and the concrete fix for that command."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import ToolResult


def tool_items(a: Analysis) -> Iterator[Item]:
    """The tool results with a known call whose output entered the context (not spilled to disk)."""
    for item in a.result_items:
        if item.call is not None and not item.event.persisted:  # type: ignore[union-attr]
            yield item


def describe(item: Item) -> str:
    call = item.call
    assert call is not None
    if call.command:
        cmd = call.command.strip().splitlines()[0]
        return f"`{cmd[:120]}{'…' if len(cmd) > 120 else ''}`"
    if call.path:
        return f"{call.name}(`{call.path}`)"
    if call.pattern:
        return f"{call.name}(`{call.pattern[:80]}`)"
    return f"{call.name}"


def command_fix(item: Item, fixes: list[dict[str, Any]]) -> str | None:
    call = item.call
    if call is None:
        return None
    if call.command:
        for entry in fixes:
            if re.search(entry["match"], call.command):
                return str(entry["fix"]).format(command=call.command.strip().splitlines()[0][:100])
        return f"cap what it prints: `{call.command.strip().splitlines()[0][:80]} 2>&1 | head -c 4000`"
    if call.path and call.kind == "read":
        total = item.event.total_lines if isinstance(item.event, ToolResult) else None
        size = f" (it has {total:,} lines)" if total else ""
        return f"read only the part you need: Read `{call.path}` with `offset`/`limit`{size}, or Grep it first"
    if call.name.startswith("mcp__"):
        return "ask the MCP tool for less (pagination, filters, fields) or lower MAX_MCP_OUTPUT_TOKENS"
    return TOOL_FIXES.get(call.name)


# Built-in tools without a shell command: the narrower way to ask each of them.
TOOL_FIXES = {
    "Grep": ("search for files first: Grep with `output_mode: \"files_with_matches\"` and `head_limit: 50`, "
             "a narrower `path` or `glob`, then read the relevant matches"),
    "Glob": "narrow the pattern to the directory and extension you need (`src/api/**/*.py`, not `**/*`)",
    "WebFetch": ("give WebFetch a specific `prompt` (\"only the SessionStart output schema\") so it returns an "
                 "extract, fetch the exact page instead of an index, or delegate the research to a subagent"),
    "WebSearch": "ask a narrower query, or delegate the research to a subagent that returns a short summary",
    "Task": "ask the subagent to return a short summary (\"answer in under 300 words, with file:line references\")",
    "Agent": "ask the subagent to return a short summary (\"answer in under 300 words, with file:line references\")",
    "Write": ("rewriting a whole file makes Claude Code echo the edited file back (`cat -n` snippet): change it "
              "with Edit (a small old_string/new_string) instead of Write"),
    "Edit": "keep edits small: Claude Code echoes a snippet around each edit; split one huge replacement into a few Edits",
    "MultiEdit": "keep edits small: Claude Code echoes a snippet around each edit",
    "TaskOutput": ("read a background task's output filtered (`tail -50`, `grep -m 20 ERROR`) instead of whole, or "
                   "have the task write a short summary"),
    "BashOutput": "read a background shell's output filtered (`filter: \"ERROR|FAIL\"`) instead of whole",
    "grep_search": "narrow the search to a directory and file pattern, or ask for file names only",
    "glob": "narrow the pattern to the directory and extension you need",
    "web_fetch": "fetch the exact page and ask for an extract, or delegate the research",
}


def tokens_phrase(tokens: int, k: int) -> str:
    return f"{tokens:,} tokens carried by {k} request{'s' if k != 1 else ''}"
