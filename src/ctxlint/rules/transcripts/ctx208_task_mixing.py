"""task-mixing: an unrelated task started in the same segment without /clear.

A task starts at a human prompt that follows a finished answer, when one of these says so:

* the user says it: an explicit cue at the start of the prompt, even a short one ("Thanks.
  Unrelated: …", "new task", "switching to …", "next: UC-20");
* a templated cycle moves on: the prompt is an earlier prompt's template filled with another item
  (spec → clarify → plan for UC-19, then the same for UC-20);
* the work moves elsewhere: the files and directories the new turn touches share nothing with what
  the current task touched, and either the user came back after a long idle gap, or the prompt
  itself names the new place (a path, a module), or it shares no words with the task's prompts.

What the turns touch decides, never the prompt's words alone. The saving is modelled: the context
carried across the boundary (above the segment's start-up) on every later request of the segment,
which /clear (a new session) would have dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from ctxlint.measure.secrets import clip
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.patterns import AnyOf, any_of
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.commands import file_reads
from ctxlint.rules.transcripts.prompts import containment, has_words, numbers, stopwords, trigrams, typed_text
from ctxlint.transcripts.analysis import Analysis
from ctxlint.transcripts.events import AssistantText, Event, Prompt, ToolCall

WORD = re.compile(r"[^\W\d_][\w-]{2,}")
PATH_IN_TEXT = re.compile(r"[\w.:-]*[\\/][\w.\\/-]*\w")
SERIES_CONTAINMENT = 0.9
DIGITS = re.compile(r"\d+")
INSTRUCTION_CHARS = 300
PLACE_CHARS = 80
# The weakest signal: right most of the time on real sessions, but a sub-question of a long project
# sometimes shares no word with the last prompts either. Its findings stay info.
WEAK = "other files, and no word in common with the task's prompts"


@dataclass(slots=True)
class _Turn:
    prompt: Prompt
    text: str
    request: int  # index of the first request of the turn
    dirs: set[str] = field(default_factory=set)  # directories of the files the turn touched
    edited: set[str] = field(default_factory=set)  # directories of the files it changed
    files: set[str] = field(default_factory=set)  # their names
    template: set[tuple[str, ...]] = field(default_factory=set)  # its word triples with the numbers masked
    numbers: frozenset[str] = frozenset()
    idle_minutes: float | None = None
    finished: bool = True  # the assistant had answered (no tool call pending) when it was typed


@lru_cache(maxsize=8)
def _any(patterns: tuple[str, ...]) -> AnyOf:
    return any_of(patterns, re.I)


def _ts(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _norm(path: str, cwd: str | None) -> str:
    p = path.replace("\\", "/").strip().strip("'\"")
    if cwd:
        root = cwd.replace("\\", "/").rstrip("/") + "/"
        if p.lower().startswith(root.lower()):
            p = p[len(root):]
    return p.lower()


def _touched(call: ToolCall, cwd: str | None, searches: frozenset[str], elsewhere: tuple[str, ...]) -> list[str]:
    """The project files a call read or changed. A search or a listing names a directory it looked in
    (often a common ancestor), not a place the task works in; the agent's own files (plans, memory,
    spilled tool results) and scratch places (downloads, temp) are no part of the project."""
    paths = [call.path] if call.path and not call.pattern and call.name not in searches else []
    paths += list(call.edit_paths)
    if call.command and not call.is_edit:
        paths += [r.path for r in file_reads(call.command)]
    out = [_norm(p, cwd) for p in paths if p]
    outside = _containing(elsewhere)
    return [p for p in out if outside is None or outside.search("/" + p) is None]


@lru_cache(maxsize=8)
def _containing(parts: tuple[str, ...]) -> re.Pattern[str] | None:
    """One search for a path holding any of ``parts`` (it runs for every path every tool call names)."""
    return re.compile("|".join(map(re.escape, parts))) if parts else None


def _turns(a: Analysis, ctx: RuleContext) -> list[_Turn]:
    """The human turns of the thread, each with what it touched. Confirmations ("yes", "go on") and
    interruptions continue the turn they answer."""
    ignore = _any(tuple(ctx.data.get("continuations", ())))
    searches = frozenset(str(x) for x in ctx.data.get("search-tools", ()))
    elsewhere = tuple(str(x).lower() for x in ctx.data.get("not-project-paths", ()))
    turns: list[_Turn] = []
    last: Event | None = None
    last_kind: type | None = None
    cwd = a.t.cwd
    for e in a.thread:
        kind = type(e)
        if kind is Prompt and not e.is_meta and not e.command and not e.is_interrupt:  # type: ignore[union-attr]
            assert isinstance(e, Prompt)
            text = typed_text(e.text)
            if has_words(text, 2) and not ignore.matches(text[:200]):
                t0, t1 = _ts(last.timestamp) if last else None, _ts(e.timestamp)
                turns.append(_Turn(e, text, a.requests_after(e.line), template=trigrams(DIGITS.sub("#", text)),
                                   numbers=numbers(text),
                                   idle_minutes=(t1 - t0).total_seconds() / 60 if t0 and t1 else None,
                                   finished=last_kind in (None, AssistantText)))
        elif kind is ToolCall and turns:
            assert isinstance(e, ToolCall)
            for path in _touched(e, cwd, searches, elsewhere):
                head, _, name = path.rpartition("/")
                turns[-1].dirs.add(head or ".")
                turns[-1].files.add(name)
                if e.is_edit:
                    turns[-1].edited.add(head or ".")
        if kind in (AssistantText, ToolCall):
            last_kind = kind
        if e.timestamp:
            last = e
    return turns


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    if a.t.is_subagent_file or not a.requests:
        return
    cues = _any(tuple(ctx.data.get("cues", ())))
    turns = _turns(a, ctx)
    starts: list[tuple[_Turn, str, int]] = []  # (turn, why, line of the task it ends)
    task_start = 0  # index of the turn that started the current task
    for i in range(1, len(turns)):
        turn = turns[i]
        seg = a.segment_of_line(turn.prompt.line)
        if a.segment_of_line(turns[task_start].prompt.line) is not seg:
            task_start = i  # a compaction or /clear since: a fresh task context
            continue
        if not turn.finished or turn.request >= seg.end_request or turn.request == 0:
            continue
        why = _boundary(turn, turns[task_start:i], cues, ctx)
        if why is not None:
            starts.append((turn, why, turns[task_start].prompt.line))
            task_start = i
    for k, (turn, why, since) in enumerate(starts):
        seg = a.segment_of_line(turn.prompt.line)
        # /clear here drops what came before for the rest of the task: until the next task starts (a
        # /clear there is that boundary's saving) or the segment ends.
        nxt = starts[k + 1][0] if k + 1 < len(starts) else None
        end = nxt.request if nxt is not None and a.segment_of_line(nxt.prompt.line) is seg else seg.end_request
        startup = a.requests[seg.first_request].context_tokens
        before = a.requests[turn.request - 1]
        carry = before.context_tokens + before.output_tokens - startup
        if carry <= ctx["min-carry-tokens"] or end - turn.request < ctx["min-task-requests"]:
            continue
        claim = a.claim(f"carry:{turn.prompt.line}", carry, turn.request, end, floor=startup)
        head = " ".join(clip(turn.text, 60).split())
        yield RawFinding(
            line=turn.prompt.line,
            message=(f"a new, unrelated task (\"{head}…\": {why}) started without /clear, carrying {carry:,} tokens "
                     f"of the earlier work (since line {since}) into the {end - turn.request} requests of this task; "
                     "modelled saving: what /clear would have dropped"),
            fix=fix("clear-before", line=turn.prompt.line),
            tokens_wasted=claim.tokens,
            cost_wasted_usd=claim.cost_usd,
            claims=(claim,),
            severity=Severity.INFO if why == WEAK else None,
            content_key=f"task:{turn.prompt.line}",
        )


def _boundary(turn: _Turn, task: list[_Turn], cues: AnyOf, ctx: RuleContext) -> str | None:
    """Why ``turn`` starts a new task after ``task`` (its turns so far), or None."""
    if cues.matches(turn.text[:120]):
        return "the prompt says so"
    if _reacts(ctx).matches(turn.text[:60]):
        return None  # "Ok looking good, but …", "it still …": about the work just done
    if _next_in_series(turn, task):
        return "the next item of a templated series"
    # The task as it stands: its last few turns that touched files (a long task wanders; what it
    # touched an hour ago does not make the new work part of it; a question between touches nothing).
    recent = [t for t in task if t.dirs][-ctx["recent-turns"]:]
    task_dirs = set().union(*(t.dirs for t in recent))
    common = set(ctx.data.get("common-file-stems", ()))
    task_stems, turn_stems = _stems(recent, common), _stems([turn], common)
    if not task_dirs or not turn.dirs or task_dirs & turn.dirs or any(
            a in b or b in a for a in task_stems for b in turn_stems):
        return None  # nothing to compare, or the new turn works where the task worked (or on its tests)
    if turn.idle_minutes is not None and turn.idle_minutes >= ctx["idle-minutes"]:
        return f"back after {turn.idle_minutes / 60:.0f} h on other files"
    # A short instruction that starts by naming the new place ("for Custom_Addons/project_bom, add …");
    # a pasted log names paths of its own, and a path in a side note ("remember the config is in X")
    # says nothing about where the user wants to work.
    named = [p.replace("\\", "/").lower() for p in PATH_IN_TEXT.findall(turn.text[:PLACE_CHARS])] \
        if len(turn.text) <= ctx["max-instruction-chars"] else []
    if any(_on_branch(p, d) for p in named for d in turn.dirs if "/" in d and "/" in p):
        return "it names a part of the project the task never touched"
    # (the instruction part of each prompt: a pasted log's vocabulary says nothing about the task)
    if len(turn.text) > ctx["max-instruction-chars"]:
        return None  # a pasted log or document: its words are not the user's
    stop = stopwords()
    said = recent + task[-ctx["recent-turns"]:]  # what the task touched, and what was said last (a question too)
    words = {w.lower() for w in WORD.findall(turn.text)} - stop
    task_words = {w.lower() for t in said for w in WORD.findall(t.text[:INSTRUCTION_CHARS])} - stop
    if len(words) >= ctx["min-words"] and not words & task_words:
        return WEAK
    return None


def _on_branch(named: str, directory: str) -> bool:
    """The turn works in the named place: the directory is the named one or inside it (the module and
    its views/), or the named path is a file in that directory. (A file named deep below a directory
    the turn merely touched, such as the drive root, does not count.)"""
    named, directory = named.rstrip("/"), directory.rstrip("/")
    return named == directory or directory.startswith(named + "/") or named.rpartition("/")[0] == directory


def _stems(turns: list[_Turn], common: set[str]) -> set[str]:
    """File stems the turns touched ("payments" for app/payments.py and tests/test_payments.py),
    without the names every module has (index, __init__, __manifest__)."""
    out = set()
    for t in turns:
        for name in t.files:
            stem = name.split(".", 1)[0].strip("_")
            for affix in ("test_", "_test", "_spec", "spec_"):
                stem = stem.removeprefix(affix) if affix.endswith("_") else stem.removesuffix(affix)
            if len(stem) >= 3 and stem not in common:
                out.add(stem)
    return out


def _next_in_series(turn: _Turn, task: list[_Turn]) -> bool:
    """The turn fills an earlier prompt's template with an item the current task never named, and
    changes other files than the task did (a failing test pasted again changes the same ones)."""
    task_edited = set().union(*(t.edited for t in task))
    if not turn.edited or not task_edited or turn.edited & task_edited:
        return False
    for t in task:
        if containment(turn.template, t.template) < SERIES_CONTAINMENT:
            continue  # a template repeated: only the item differs (a pasted log differs everywhere)
        new = turn.numbers - t.numbers
        if 0 < len(new) <= 2 and t.numbers - turn.numbers and not any(new & x.numbers for x in task):
            return True
    return False


@lru_cache(maxsize=8)
def _reacts_of(patterns: tuple[str, ...]) -> AnyOf:
    return any_of(patterns, re.I)


def _reacts(ctx: RuleContext) -> AnyOf:
    return _reacts_of(tuple(ctx.data.get("reactions", ())))
