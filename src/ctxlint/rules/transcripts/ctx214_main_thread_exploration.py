"""main-thread-exploration: a lot of reading for a task before its first edit, not delegated.

The exploration counted is the one for the task that led to the first edit of a segment: the reads and
searches from the last prompt before that edit up to it (earlier turns with no edit were questions:
reading was their answer). It fires on its tokens, never on a file count alone. The fix fits the agent:
delegate where the agent has subagents, else scope the search, plan, or explore in another session.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.commands import file_reads, is_edit_command
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import Prompt, ToolCall

SEARCH_PROGRAMS = ("rg", "grep", "find", "ls", "tree", "fd")
NOT_PROJECT = ("/dev/", "/tmp/", "$")  # a command writing here changes nothing of the project


def _writes(call: ToolCall) -> bool:
    """An edit tool's call, or a shell command that writes a project file (`cat > plan.md <<EOF`, `sed -i`)."""
    if call.is_edit:
        return True
    return bool(call.command) and any(not p.startswith(NOT_PROJECT) for p in is_edit_command(call.command or ""))


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    if a.t.is_subagent_file:
        return  # a subagent exploring is exactly what the rule recommends
    first_edit: dict[int, int] = {}
    delegations: list[int] = []
    for e in a.tool_flow:
        if isinstance(e, ToolCall):
            if _writes(e):
                first_edit.setdefault(a.segment_of_line(e.line).index, e.line)
            elif e.is_subagent:
                delegations.append(e.line)
    # The task's start: the last prompt the user typed before the segment's first edit.
    prompts = sorted(i.line for i in a.items if isinstance(i.event, Prompt) and not i.event.is_meta
                     and not i.event.command and not i.event.is_interrupt)
    task_start = {seg: prompts[at - 1] if (at := bisect_left(prompts, edit)) else 0 for seg, edit in first_edit.items()}
    explored: dict[int, list[Item]] = {}
    files: dict[int, set[str]] = {}
    for item in a.result_items:
        path = _explored(item)
        edit = first_edit.get(item.segment)
        if path is None or edit is None or not task_start[item.segment] < item.line < edit:
            continue
        explored.setdefault(item.segment, []).append(item)
        files.setdefault(item.segment, set()).add(path)
    can_delegate = a.agent in ctx.data.get("subagent_agents", []) or bool(delegations) or \
        any(isinstance(e, ToolCall) and e.is_subagent for e in a.t.events)
    for seg, items in explored.items():
        edit = first_edit[seg]
        if any(task_start[seg] < line < edit for line in delegations):
            continue  # the investigation went to a subagent
        tokens = sum(i.tokens for i in items)
        n_files = len(files[seg])
        if tokens < ctx["min-tokens"] or (n_files <= ctx["max-files"] and tokens <= ctx["max-tokens"]):
            continue
        keep_share = min(1.0, ctx["summary-tokens"] / tokens) if tokens else 1.0
        claims = tuple(a.item_claim(i, int(i.tokens * (1 - keep_share))) for i in items if i.tokens)
        costs = [c.cost_usd for c in claims]
        yield RawFinding(
            line=items[0].line,
            message=(f"{len(items)} reads/searches of {n_files} files ({tokens:,} tokens) in the main thread "
                     f"between the prompt at line {task_start[seg]} and the first edit at line {edit}"),
            fix=fix("delegate" if can_delegate else "scope"),
            tokens_wasted=sum(c.tokens for c in claims),
            cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
            claims=claims,
            content_key=f"explore:{seg}",
        )


def _explored(item: Item) -> str | None:
    """The file (or search) a result explored; None when the call was not a read or a search."""
    call = item.call
    if call is None:
        return None
    if call.kind:  # a read, a search or a listing, whatever the agent calls it
        return call.path or call.pattern or call.name
    if call.command:
        reads = file_reads(call.command)
        if reads:
            return reads[0].path
        first = call.command.split()[:1]
        if first and first[0] in SEARCH_PROGRAMS:
            return call.command
    return None
