"""repo-dump: repository concatenations and reads of lockfiles / minified / generated files."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.model import RawFinding, fix
from ctxlint.rules.patterns import any_of
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.commands import file_reads
from ctxlint.rules.transcripts.outputs import describe, tokens_phrase, tool_items
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import ToolResult


def _many_files(command: str, minimum: int = 6) -> bool:
    """`cat a.py b.py c.py …`: one command printing many source files (not a heredoc)."""
    from ctxlint.rules.transcripts.commands import segments, words

    parts = segments(command)
    if not parts or "<<" in parts[0]:
        return False
    w = words(parts[0])
    if not w or w[0].rsplit("/", 1)[-1] not in ("cat", "head", "tail", "bat"):
        return False
    files = [a for a in w[1:] if not a.startswith("-") and ("." in a or "/" in a)]
    return len(files) >= minimum


def _minified(item: Item, line_chars: int) -> bool:
    """The output's lines are as long as minified code's (a readable file's average well under 100)."""
    result = item.event
    return isinstance(result, ToolResult) and bool(result.lines) and result.chars / (result.lines or 1) >= line_chars


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    dumps = any_of(tuple(ctx.data["dump_commands"]))
    noise = any_of(tuple(ctx.data["noise_files"]))
    vendored = any_of(tuple(ctx.data.get("vendored", [])))
    vendored_docs = re.compile(ctx.data.get("vendored_docs", "$^"), re.I)
    for item in tool_items(a):
        call = item.call
        if call is None or item.tokens <= ctx["min-tokens"]:
            continue
        path = call.path or (item.event.path if hasattr(item.event, "path") else None)
        if call.command:
            reads = file_reads(call.command)
            path = path or (reads[0].path if reads else None)
        what = None
        if call.command and (dumps.matches(call.command) or _many_files(call.command)):
            what = "a repository dump"
        elif path and not call.is_edit and noise.matches(path):
            what = "a lockfile, minified or generated file"
        elif path and not call.is_edit and vendored.matches(path) and not vendored_docs.search(path):
            if _minified(item, ctx["minified-line-chars"]):
                what = "minified code in a dependency or build directory"
            elif item.tokens > ctx["vendored-min-tokens"]:
                what = "a large file in a dependency or build directory"
        if what is None:
            continue
        claim = a.item_claim(item)
        name = (path or "").rsplit("/", 1)[-1]
        yield RawFinding(
            line=item.line,
            message=f"{describe(item)} is {what}: {item.tokens:,} tokens; {tokens_phrase(item.tokens, a.carried(item))}",
            fix=fix("deny-lockfile", name=name) if path and what.startswith("a lockfile") else
            fix("vendored") if path and "dependency" in what else fix("navigate"),
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            claims=(claim,),
            content_key=f"{item.line}",
        )
