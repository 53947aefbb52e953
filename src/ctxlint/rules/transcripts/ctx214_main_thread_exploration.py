"""main-thread-exploration: lots of reading before the first edit, not delegated."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.commands import file_reads
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import ToolCall

EXPLORE_TOOLS = {"Read", "Grep", "Glob", "LS", "read_file", "list_dir", "search_file_content", "glob"}


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    if a.t.is_subagent_file:
        return  # a subagent exploring is exactly what the rule recommends
    first_edit: dict[int, int] = {}
    delegated: set[int] = set()
    for e in a.tool_flow:
        if isinstance(e, ToolCall) and (e.is_edit or e.is_subagent):
            seg = a.segment_of_line(e.line).index
            if e.is_edit and seg not in first_edit:
                first_edit[seg] = e.line
            if e.is_subagent and seg not in first_edit:
                delegated.add(seg)  # the investigation before the first edit went to a subagent
    explored: dict[int, list[Item]] = {}
    files: dict[int, set[str]] = {}
    for item in a.result_items:
        call = item.call
        if call is None:
            continue
        if item.segment in first_edit and item.line > first_edit[item.segment]:
            continue
        path = None
        if call.name in EXPLORE_TOOLS:
            path = call.path or call.pattern or call.name
        elif call.command:
            reads = file_reads(call.command)
            if reads:
                path = reads[0].path
            elif call.command.split()[:1] and call.command.split()[0] in ("rg", "grep", "find", "ls", "tree", "fd"):
                path = call.command
        if path is None:
            continue
        explored.setdefault(item.segment, []).append(item)
        files.setdefault(item.segment, set()).add(path)
    for seg, items in explored.items():
        if seg in delegated or seg not in first_edit:
            continue  # no edit at all: the exploration was the task (a question), not a detour
        tokens = sum(i.tokens for i in items)
        n_files = len(files[seg])
        if n_files <= ctx["max-files"] and tokens <= ctx["max-tokens"]:
            continue
        keep_share = min(1.0, ctx["summary-tokens"] / tokens) if tokens else 1.0
        claims = tuple(a.item_claim(i, int(i.tokens * (1 - keep_share))) for i in items if i.tokens)
        costs = [c.cost_usd for c in claims]
        edit = first_edit.get(seg)
        yield RawFinding(
            line=items[0].line,
            message=(f"{len(items)} reads/searches of {n_files} files ({tokens:,} tokens) in the main thread "
                     + (f"before the first edit at line {edit}" if edit else "with no edit in the segment")),
            fix=fix("delegate"),
            tokens_wasted=sum(c.tokens for c in claims),
            cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
            claims=claims,
            content_key=f"explore:{seg}",
        )
