"""repeated-read: the same file range read again with no edit of it in between."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ctxlint._runtime.fsutil import inside
from ctxlint.model import Claim, RawFinding, fix
from ctxlint.rules.patterns import any_of
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.commands import file_reads
from ctxlint.rules.transcripts.rewrites import Paths, Rewrites
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import ToolCall, ToolResult


@dataclass(slots=True)
class _Reads:
    """The reads of one file in one segment, and which of them repeat earlier ones."""

    manifest: bool  # a package manifest or lock file: a package manager run rewrites it
    ranges: list[tuple[int, int | None, int]] = field(default_factory=list)  # first, last, line
    rereads: list[tuple[Item, int]] = field(default_factory=list)  # item, line of the copy it repeats
    numbered: bool = False  # a re-read only added line numbers (`nl -ba`, `cat -n`) to text already read
    checked: int = 0  # shell commands (an index into the thread's) seen to rewrite nothing since the ranges


def _shown(norm: str, cwd: str | None, path: str) -> str:
    """The path as the report shows it: relative to the session's directory when inside it."""
    if not cwd or not norm.startswith(cwd):
        return path
    rel = inside(norm, cwd) if os.sep == "/" and os.path.normpath(cwd) == cwd else None
    return rel if rel is not None else os.path.relpath(norm, cwd)


def _overlaps(earlier: tuple[int, int | None], later: tuple[int, int | None]) -> bool:
    """True when at least half of the later read was already in the context.

    Paging through a file (`sed -n '1,200p'` then `'200,500p'`) shares one line: not a re-read.
    """
    a0, a1 = earlier
    b0, b1 = later
    if a0 < 0 or b0 < 0:  # tail -n: the end of the file; overlaps anything that reaches the end
        return (a1 is None or a0 < 0) and (b1 is None or b0 < 0)
    if b1 is None:
        return a1 is None and a0 <= b0  # an open-ended re-read repeats an open-ended read
    lo, hi = max(a0, b0), b1 if a1 is None else min(a1, b1)
    return hi >= lo and (hi - lo + 1) >= 0.5 * (b1 - b0 + 1)


def _read_of(item: Item) -> tuple[str, int, int | None] | None:
    call, result = item.call, item.event
    if call is None or not isinstance(result, ToolResult) or result.is_error or result.unchanged_stub:
        return None
    if call.name in ("Read", "read_file") and (call.path or result.path):
        path = result.path or call.path
        assert path is not None
        first = result.start_line or call.offset or 1
        count = result.num_lines or call.limit
        last = first + count - 1 if count else None
        if result.total_lines and last and last >= result.total_lines:
            last = None
        return path, first, last
    if call.command:
        reads = file_reads(call.command)
        if len(reads) == 1:
            return reads[0].path, reads[0].first, reads[0].last
    return None


NUMBERED = re.compile(r"\bnl\b|\bcat\s+-\w*n|\bgrep\s+-\w*n")


def _call_id_at(a: Analysis, line: int) -> str | None:
    result = next((r for r in a.results.values() if r.line == line), None)
    return result.call_id if result is not None else None


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    cwd = a.t.cwd
    state: dict[tuple[int, str], _Reads] = {}
    display: dict[str, str] = {}
    paths = Paths(cwd)
    # A read after a command that may have rewritten the file is legitimate (see rewrites.py).
    rewrites = Rewrites(any_of(tuple(ctx.data.get("invalidate", []))),
                        any_of(tuple(ctx.data.get("package_managers", []))), paths)
    manifests = re.compile(ctx.data.get("manifests", "$^"))
    by_norm: dict[str, list[_Reads]] = {}

    for step in a.tool_flow:
        if isinstance(step, ToolCall):
            e = step
            if e.command:
                rewrites.add(e.line, e.command, e.is_edit)
            if e.is_edit:
                for p in e.edit_paths:
                    for edited in by_norm.get(paths.norm(p), ()):
                        edited.ranges.clear()  # the file changed: a new read is legitimate
            continue
        item = step
        read = _read_of(item)
        if read is None:
            continue
        path, first, last = read
        norm = paths.norm(path)
        if norm not in display:
            display[norm] = _shown(norm, cwd, path)
        reads = state.get((item.segment, norm))
        if reads is None:
            reads = state[(item.segment, norm)] = _Reads(manifests.search(norm) is not None)
            by_norm.setdefault(norm, []).append(reads)
        if reads.ranges:
            cut = rewrites.last_rewrite(reads.checked, norm, reads.manifest)
            reads.checked = len(rewrites)
            if cut:
                reads.ranges = [r for r in reads.ranges if r[2] > cut]
        earlier = next((r for r in reads.ranges if _overlaps((r[0], r[1]), (first, last))), None)
        if earlier is not None and item.tokens >= ctx["min-tokens"]:
            reads.rereads.append((item, earlier[2]))
            call = item.call
            if call is not None and call.command and NUMBERED.search(call.command):
                first_call = a.calls.get(_call_id_at(a, earlier[2]) or "")
                if first_call is None or not first_call.command or not NUMBERED.search(first_call.command):
                    reads.numbered = True
        if not reads.ranges:
            reads.checked = len(rewrites)  # commands before the first range rewrite nothing it holds
        reads.ranges.append((first, last, item.line))

    for (segment, norm), reads in state.items():
        if not reads.rereads:
            continue
        claims: list[Claim] = [a.item_claim(item) for item, _ in reads.rereads]
        total = sum(c.tokens for c in claims)
        costs = [c.cost_usd for c in claims]
        first_line = reads.rereads[0][1]
        lines = sorted({line for _, line in reads.rereads} | {item.line for item, _ in reads.rereads})
        copies = len(reads.rereads)
        avg = sum(item.tokens for item, _ in reads.rereads) // copies
        k = max(a.carried(item) for item, _ in reads.rereads)
        name = display[norm]
        shell = any(item.call is not None and item.call.command for item, _ in reads.rereads)
        how = fix("numbered", name=name) if reads.numbered else \
            fix("refer-back", "read-tool" if shell else "read-range", name=name, line=first_line)
        yield RawFinding(
            line=reads.rereads[0][0].line,
            message=(f"`{name}` read {len(lines)}× with no edit between (lines {', '.join(map(str, lines))}); "
                     f"{copies} re-read{'s' if copies > 1 else ''} × {avg:,} tokens carried for up to {k} "
                     f"request{'s' if k != 1 else ''}"),
            fix=how,
            tokens_wasted=total,
            cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
            claims=tuple(claims),
            content_key=f"{segment}:{name}",
        )
