"""Shared logic of the three output-size rules (oversized output, unscoped search, repository dump):
which tool results entered the context and how to name the call that produced each."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.measure.secrets import clip
from ctxlint.transcripts.analysis import Analysis, Item


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
        return f"`{clip(cmd, 120)}{'…' if len(cmd) > 120 else ''}`"
    if call.path:
        return f"{call.name}(`{call.path}`)"
    if call.pattern:
        return f"{call.name}(`{clip(call.pattern, 80)}`)"
    return f"{call.name}"


def tokens_phrase(tokens: int, k: int) -> str:
    return f"{tokens:,} tokens carried by {k} request{'s' if k != 1 else ''}"
