"""task-mixing: an unrelated task started in the same segment without /clear."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis
from ctxlint.transcripts.events import AssistantText, Prompt, ToolCall

CONTINUATION = re.compile(r"(?i)^\s*(it|its|it's|that|this|these|those|now|also|still|but|and|ok|okay|no|yes|great|"
                          r"nice|cool|perfect|thanks|thank you|looks|why|hmm|wait|actually|again|same)\b")
IMAGE_REF = re.compile(r"\[Image #\d+\]")
WORD = re.compile(r"[a-z][a-z0-9_]{2,}")
STOP = {"the", "and", "for", "with", "this", "that", "can", "you", "please", "now", "then", "also", "what", "how",
        "why", "make", "let", "add", "fix", "use", "all", "are", "not", "but", "from", "into", "have", "should"}


def _words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    if a.t.is_subagent_file:
        return
    # Task boundaries: a human prompt right after a finished answer (no tool call pending).
    starts: list[tuple[Prompt, int]] = []  # (prompt, request index)
    last_kind: type | None = None
    for e in a.thread:
        if isinstance(e, (AssistantText, ToolCall)):
            last_kind = type(e)
        elif (isinstance(e, Prompt) and not e.is_meta and not e.command and not e.is_interrupt
              and last_kind in (None, AssistantText)):
            starts.append((e, a.requests_after(e.line)))
    if len(starts) < 2:
        return
    # The paths each task touched: one pass over the thread, each call filed under the last task
    # start strictly before it (a call on a start's own line belongs to no task).
    start_lines = [p.line for p, _r in starts]
    touched: list[set[str]] = [set() for _ in starts]
    for step in a.tool_flow:
        if isinstance(step, ToolCall) and step.path and step.line > start_lines[0]:
            at = bisect_left(start_lines, step.line)
            if at == len(start_lines) or start_lines[at] != step.line:
                touched[at - 1].add(step.path)
    files_of = [{f.rsplit("/", 1)[-1] for f in paths} for paths in touched]
    dirs_of = [{f if "/" in f else "./" + f for f in paths} for paths in touched]
    for i in range(1, len(starts)):
        prev_p, prev_r = starts[i - 1]
        p, r = starts[i]
        seg = a.segment_of_line(p.line)
        if a.segment_of_line(prev_p.line) is not seg or r >= seg.end_request or r == 0:
            continue
        end_r = starts[i + 1][1] if i + 1 < len(starts) else seg.end_request
        if r - prev_r < ctx["min-task-requests"] or end_r - r < ctx["min-task-requests"]:
            continue
        if not files_of[i - 1] or not files_of[i] or files_of[i - 1] & files_of[i]:
            continue
        words = IMAGE_REF.sub("", p.text).split()
        if len(words) < 12 or CONTINUATION.match(" ".join(words)) or r - prev_r < 5:
            continue  # "sexy", "it doesn't sound right…": a reaction to the previous task, not a new one
        dirs_a = {d.rsplit("/", 1)[0] for d in dirs_of[i - 1]}
        dirs_b = {d.rsplit("/", 1)[0] for d in dirs_of[i]}
        if dirs_a & dirs_b:
            continue  # both tasks work in the same directory: probably one piece of work
        wa, wb = _words(prev_p.text), _words(p.text)
        similarity = len(wa & wb) / len(wa | wb) if wa and wb else 0.0
        if similarity >= ctx["max-similarity"]:
            continue
        startup = a.requests[seg.first_request].context_tokens
        carry = a.requests[r - 1].context_tokens + a.requests[r - 1].output_tokens - startup
        if carry <= ctx["min-carry-tokens"]:
            continue
        claim = a.claim(f"carry:{p.line}", carry, r, seg.end_request, floor=startup)
        head = " ".join(p.text[:60].split())
        yield RawFinding(
            line=p.line,
            message=(f"a new, unrelated task (\"{head}…\") started without /clear, carrying {carry:,} tokens of the "
                     f"previous task (from line {prev_p.line}) into {seg.end_request - r} more requests"),
            fix=fix("clear-before", line=p.line),
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            claims=(claim,),
            content_key=f"task:{p.line}",
        )
