"""oversized-tool-output: a tool result above the size budget, or the same call's moderate results
repeated until together they are.

Not counted: what an edit tool returns (Claude Code's echo of a file the model itself wrote is the
model's own text, not an output anyone could have asked for smaller), a document the user named as
the task's input (the prompt gives its path, its name, or the directory of documents it sits in), and
a subagent's report that the main thread writes out as a document right after (a Plan subagent's
plan saved as the plan file): the report is the deliverable, a shorter one would not do.
"""

from __future__ import annotations

import os
import re
import sys
from bisect import bisect_right
from collections.abc import Iterator

from ctxlint.measure.secrets import clip
from ctxlint.model import Fix, RawFinding, Severity, fix
from ctxlint.rules.registry import DOCUMENTED, RuleContext, detector
from ctxlint.rules.transcripts.commands import file_reads
from ctxlint.rules.transcripts.outputs import describe, tokens_phrase, tool_items
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import Prompt, ToolCall, ToolResult


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    documents = re.compile(ctx.data.get("documents", "$^"), re.I)
    prompts = [(i.line, i.event.text) for i in a.items
               if isinstance(i.event, Prompt) and not i.event.is_meta and not i.event.command]
    edits = [(c.line, c.input_chars) for c in a.tool_flow if isinstance(c, ToolCall) and c.is_edit]
    repeats: dict[tuple[int, object], list[Item]] = {}
    for item in tool_items(a):
        call = item.call
        assert call is not None
        if call.is_edit:
            continue
        if item.tokens <= ctx["warn-tokens"]:
            key = _repeat_key(call)
            # a file printed again is repeated-read's (and needed when the file changed): not summed here
            if key is not None and item.tokens >= ctx["repeat-min-tokens"] and _read_path(item) is None:
                repeats.setdefault((item.segment, key), []).append(item)
            continue
        if _named_input(item, prompts, documents) or _written_out(item, edits, prompts, ctx["deliverable-share"]):
            continue
        k = a.carried(item)
        claim = a.item_claim(item, item.tokens - ctx["keep-tokens"])
        how = "measured" if item.measured else "estimated"
        yield RawFinding(
            line=item.line,
            message=(f"{describe(item)} returned {item.tokens:,} tokens ({how}); "
                     f"{tokens_phrase(item.tokens, k)} until the next compaction or /clear"),
            fix=_fix(item, ctx),
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            severity=Severity.ERROR if item.tokens > ctx["error-tokens"] else None,
            claims=(claim,),
            content_key=f"{item.line}",
            data={"what": describe(item), "tokens": item.tokens},
        )
    for (segment, _), items in repeats.items():
        total = sum(i.tokens for i in items)
        if len(items) < ctx["repeat-count"] or total <= ctx["warn-tokens"]:
            continue
        # Each result but the last was superseded by the next one, yet every copy stays in the context.
        superseded = items[:-1]
        claims = tuple(a.item_claim(i) for i in superseded)
        costs = [c.cost_usd for c in claims]
        k = max(a.carried(i) for i in items)
        yield RawFinding(
            line=items[0].line,
            message=(f"{describe(items[0])} ran {len(items)}× in one segment (lines "
                     f"{', '.join(str(i.line) for i in items[:8])}{', …' if len(items) > 8 else ''}), returning "
                     f"{total:,} tokens in all ({total // len(items):,} each on average); every result stays in the "
                     f"context, carried for up to {k} request{'s' if k != 1 else ''}"),
            fix=_repeated_fix(_fix(items[0], ctx)),
            tokens_wasted=sum(c.tokens for c in claims),
            cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
            claims=claims,
            content_key=f"repeat:{segment}:{describe(items[0])}",
            data={"what": describe(items[0]), "tokens": total, "times": len(items)},
        )


def _repeated_fix(inner: Fix) -> Fix:
    """Ask for less each time (the call's own narrower form), and poll for the one field that changes."""
    return fix("repeated", *inner.templates, **inner.args)


def _repeat_key(call: ToolCall) -> object:
    """What makes two calls the same call: the command line, else the tool and its whole input."""
    if call.command:
        return " ".join(call.command.split())
    if call.input_key is not None:
        return (call.name, call.input_key)
    return None


def _read_path(item: Item) -> str | None:
    call = item.call
    if call is None:
        return None
    if call.kind == "read":
        path = item.event.path if isinstance(item.event, ToolResult) and item.event.path else call.path
        return path
    if call.command:
        reads = file_reads(call.command)
        return reads[0].path if reads else None
    return None


def _named_input(item: Item, prompts: list[tuple[int, str]], documents: re.Pattern[str]) -> bool:
    """The document read is the task's input: a prompt before the read names it (its path or its file
    name) or the directory it sits in. Only documents (prose): a plan that names the code files it will
    change does not make reading them whole the task."""
    path = _read_path(item)
    if not path:
        return False
    path = path.replace("\\", "/")
    name, folder = os.path.basename(path), os.path.dirname(path)
    if documents.search(name) is None:
        return False
    for line, text in prompts:
        if line > item.line:
            break
        text = text.replace("\\", "/")
        if path in text or name in text or (len(folder) > 1 and folder in text):
            return True
    return False


def _written_out(item: Item, edits: list[tuple[int, int]], prompts: list[tuple[int, str]], share: float) -> bool:
    """A subagent's report whose substance the main thread writes to a file as its next edit, before
    the user says anything: the report was the deliverable (the plan of a Plan subagent, saved).
    ``edits`` are the main thread's edits as (line, input size), in order."""
    call, result = item.call, item.event
    if call is None or not call.is_subagent or not isinstance(result, ToolResult):
        return False
    k = bisect_right(edits, (item.line, sys.maxsize))
    if k == len(edits):
        return False
    line, size = edits[k]
    p = bisect_right(prompts, (item.line, "\uffff"))
    if p < len(prompts) and prompts[p][0] < line:
        return False  # the user spoke first: what came next was their call
    return size >= share * result.chars


def _fix(item: Item, ctx: RuleContext) -> Fix:
    """The narrower way to ask for what this call asked for (the templates are the rule's YAML)."""
    call = item.call
    if call is not None and call.command:
        first_line = call.command.strip().splitlines()[0]
        for entry in ctx.data.get("commands", []):
            if re.search(entry["match"], call.command):
                return fix(str(entry["fix"]), command=clip(first_line, 100))
        return fix("cap-output", command=clip(first_line, 80))
    if call is not None and call.path and call.kind == "read":
        if "/tool-results/" in call.path.replace("\\", "/"):
            return fix("persisted-read", path=call.path)
        total = item.event.total_lines if isinstance(item.event, ToolResult) else None
        return fix("read-range", "file-lines", "or-grep", path=call.path, total=total) if total else \
            fix("read-range", "or-grep", path=call.path)
    if call is not None and call.name.startswith("mcp__"):
        return fix("mcp")
    if call is not None and f"tool-{call.name}" in ctx.meta.fixes:
        return fix(f"tool-{call.name}")
    return fix(DOCUMENTED)
