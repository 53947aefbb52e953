"""Shared logic of the three output-size rules (CTX202, CTX203, CTX204): which tool result a call
produced, what command made it, and the concrete fix for that command."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ctxlint.analysis import Analysis, Item
from ctxlint.parsing.transcripts.events import ToolResult


def tool_items(a: Analysis) -> Iterator[Item]:
    for item in a.items:
        if isinstance(item.event, ToolResult) and item.call is not None and not item.event.persisted:
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
    if call.path and call.name in ("Read", "read_file"):
        total = item.event.total_lines if isinstance(item.event, ToolResult) else None
        size = f" (it has {total:,} lines)" if total else ""
        return f"read only the part you need: Read `{call.path}` with `offset`/`limit`{size}, or Grep it first"
    if call.name.startswith("mcp__"):
        return "ask the MCP tool for less (pagination, filters, fields) or lower MAX_MCP_OUTPUT_TOKENS"
    return None


def tokens_phrase(tokens: int, k: int) -> str:
    return f"{tokens:,} tokens carried by {k} request{'s' if k != 1 else ''}"
