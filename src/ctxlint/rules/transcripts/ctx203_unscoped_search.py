"""unscoped-search: an unbounded recursive search or listing with a large result."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import DOCUMENTED, RuleContext, detector
from ctxlint.rules.transcripts.commands import segments, words
from ctxlint.rules.transcripts.outputs import describe, tokens_phrase, tool_items
from ctxlint.transcripts.analysis import Analysis


def unbounded(command: str, searches: list[dict[str, Any]], pipe_bound: str) -> bool:
    if re.search(pipe_bound, command):
        return False
    parts = segments(command)
    if not parts:
        return False
    first = parts[0]
    w = words(first)
    if not w:
        return False
    tool = w[0].rsplit("/", 1)[-1]
    if tool in ("rg", "ag", "ack", "grep", "egrep", "fgrep") and _only_named_files(w[1:]):
        return False  # `rg -n PATTERN docs/requirements.md`: one named file is scoped; its size is CTX202's
    for s in searches:
        if re.search(s["tool"], tool) and re.search(s["unbounded_if"], first):
            return not re.search(s["bounded_by"], first)
    return False


# Flags of grep/rg that take a value (`-g '*.py'`, `-A 3`): the value is not a path.
VALUE_FLAGS = {"-e", "-f", "-g", "--glob", "-t", "--type", "-T", "--type-not", "-A", "-B", "-C", "-m",
               "--max-count", "--include", "--exclude", "--exclude-dir", "-M", "--max-columns", "-j"}
FILE_LIKE = re.compile(r"[^/*?]\.[A-Za-z0-9]{1,10}$")


def _only_named_files(args: list[str]) -> bool:
    """True when every path operand of a search is a named file (has an extension, no glob)."""
    positional: list[str] = []
    has_pattern_flag = False
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in VALUE_FLAGS:
            skip = True
            has_pattern_flag = has_pattern_flag or arg in ("-e", "-f")
            continue
        if arg.startswith("-"):
            continue
        positional.append(arg)
    paths = positional if has_pattern_flag else positional[1:]
    return bool(paths) and all(FILE_LIKE.search(p) and not any(c in p for c in "*?") for p in paths)


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    searches, pipe_bound = ctx.data["searches"], ctx.data["pipe_bound"]
    for item in tool_items(a):
        call = item.call
        if call is None or not call.command or item.tokens <= ctx["min-tokens"]:
            continue
        if not unbounded(call.command, searches, pipe_bound):
            continue
        claim = a.item_claim(item, item.tokens - ctx["keep-tokens"])
        tool = words(segments(call.command)[0])[0].rsplit("/", 1)[-1]
        yield RawFinding(
            line=item.line,
            message=(f"unbounded {describe(item)} returned {item.tokens:,} tokens; "
                     f"{tokens_phrase(item.tokens, a.carried(item))}"),
            fix=fix(tool if tool in ctx.meta.fixes else DOCUMENTED, "bounded-tools"),
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            claims=(claim,),
            content_key=f"{item.line}",
        )
