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
from functools import lru_cache

from ctxlint.measure.secrets import clip
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.patterns import AnyOf, any_of
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.commands import file_reads, is_edit_command
from ctxlint.rules.transcripts.prompts import (
    command_template,
    containment,
    has_words,
    numbers,
    stopwords,
    trigrams,
    typed_text,
)
from ctxlint.transcripts.analysis import Analysis
from ctxlint.transcripts.events import AssistantText, Event, Prompt, ToolCall, ToolResult, parse_timestamp
from ctxlint.transcripts.outcomes import COMMIT_LINE, GIT_COMMIT, GIT_PUSH, PR_CREATE, PR_URL, PUSH_LINE

WORD = re.compile(r"[^\W\d_][\w-]{2,}")
PATH_IN_TEXT = re.compile(r"[\w.:-]*[\\/][\w.\\/-]*\w")
SERIES_CONTAINMENT = 0.9
DIGITS = re.compile(r"\d+")
PATH_PARTS = re.compile(r"[-_./\\]+")
PLACE_WORD = 4  # a word this long that is a part of a folder's name names that folder
INSTRUCTION_CHARS = 300
PLACE_CHARS = 80
REQUEST_CHARS = 40  # a request described in a sentence, not a pointer into a plan ("Phase 5")
COMMAND_CHARS = 2000  # of an expanded command's template: enough to tell one command from another
# The weakest signal: right most of the time on real sessions, but a sub-question of a long project
# sometimes shares no word with the last prompts either. Its findings stay info.
WEAK = "other files, and no word in common with the task's prompts"
SHIPPED = "the earlier work was committed; other files, and no word in common with its prompts"


@dataclass(slots=True)
class _Turn:
    prompt: Prompt
    text: str
    request: int  # index of the first request of the turn
    dirs: set[str] = field(default_factory=set)  # directories of the files the turn touched
    edited: set[str] = field(default_factory=set)  # directories of the files it changed
    opening: set[str] = field(default_factory=set)  # ... before the next prompt row (an answer, a command)
    last_edit: int = 0  # line of its last successful-looking edit (0: none)
    last_ship: int = 0  # line of its last commit, push or pull request that the output confirms (0: none)
    files: set[str] = field(default_factory=set)  # their names
    template: set[tuple[str, ...]] = field(default_factory=set)  # its word triples with the numbers masked
    numbers: frozenset[str] = frozenset()
    command: set[tuple[str, ...]] = field(default_factory=set)  # word triples of the expanded command around it
    idle_minutes: float | None = None
    finished: bool = True  # the assistant had answered (no tool call pending) when it was typed


@lru_cache(maxsize=8)
def _any(patterns: tuple[str, ...]) -> AnyOf:
    return any_of(patterns, re.I)


def _norm(path: str, cwd: str | None) -> str:
    p = path.replace("\\", "/").strip().strip("'\"")
    if cwd:
        root = cwd.replace("\\", "/").rstrip("/") + "/"
        if p.lower().startswith(root.lower()):
            p = p[len(root):]
    return p.lower()


def _touched(call: ToolCall, cwd: str | None, searches: frozenset[str], elsewhere: tuple[str, ...]
             ) -> tuple[list[str], list[str]]:
    """The project files a call read or changed, and of those the ones it changed (a shell command
    writing a file, `cat > spec.md <<EOF`, changes it as an Edit would). A search or a listing names
    a directory it looked in (often a common ancestor), not a place the task works in; the agent's own
    files (plans, memory, spilled tool results) and scratch places (downloads, temp) are no part of the
    project."""
    paths = [call.path] if call.path and not call.pattern and call.name not in searches else []
    written = list(call.edit_paths)
    if call.command and not call.is_edit:
        paths += [r.path for r in file_reads(call.command)]
        written += [p for p in is_edit_command(call.command) if not p.startswith(("/dev/", "&"))]
    outside = _containing(elsewhere)
    keep = [p for p in (_norm(w, cwd) for w in written if w) if outside is None or outside.search("/" + p) is None]
    out = [_norm(p, cwd) for p in paths if p]
    return [p for p in out if outside is None or outside.search("/" + p) is None] + keep, keep


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
    opening = False  # no prompt row yet since the turn started
    shipping: dict[str, str] = {}  # call id -> command, for the git commands that can ship the work
    for e in a.thread:
        kind = type(e)
        if kind is Prompt:
            opening = False
        if kind is Prompt and not e.is_meta and not e.command and not e.is_interrupt:  # type: ignore[union-attr]
            assert isinstance(e, Prompt)
            text = typed_text(e.text)
            if has_words(text, 2) and not ignore.matches(text[:200]):
                t0, t1 = parse_timestamp(last.timestamp) if last else None, parse_timestamp(e.timestamp)
                turns.append(_Turn(e, text, a.requests_after(e.line), template=trigrams(DIGITS.sub("#", text)),
                                   numbers=numbers(text), command=trigrams(command_template(e.text)[:COMMAND_CHARS]),
                                   idle_minutes=(t1 - t0).total_seconds() / 60 if t0 and t1 else None,
                                   finished=last_kind in (None, AssistantText)))
                opening = True
        elif kind is ToolCall and turns:
            assert isinstance(e, ToolCall)
            touched, written = _touched(e, cwd, searches, elsewhere)
            for path in touched:
                head, _, name = path.rpartition("/")
                turns[-1].dirs.add(head or ".")
                turns[-1].files.add(name)
                if e.is_edit or path in written:
                    turns[-1].last_edit = e.line
                    turns[-1].edited.add(head or ".")
                    if opening:
                        turns[-1].opening.add(head or ".")
            if e.command and (GIT_COMMIT.search(e.command) or GIT_PUSH.search(e.command) or PR_CREATE.search(e.command)):
                shipping[e.call_id] = e.command
        elif kind is ToolResult and turns and e.call_id in shipping:  # type: ignore[union-attr]
            assert isinstance(e, ToolResult)
            if not e.is_error and _shipped(e):
                turns[-1].last_ship = e.line
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
    series = _next_in_series(turn, task)
    if series is not None:
        return series
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
        # committed work is a finished task: new work elsewhere after it is the next one, unless the
        # prompt names a place the task worked in ("my keybindings in Eiros" after work in eiros-config/)
        places = {part for d in task_dirs for part in PATH_PARTS.split(d) if len(part) >= PLACE_WORD}
        names_place = any(w in places for w in words if len(w) >= PLACE_WORD)
        return SHIPPED if _shipped_task(task) and not names_place else WEAK
    return None


def _shipped(result: ToolResult) -> bool:
    """The output confirms a commit, a push or a pull request (git's `[branch abc1234]` line, a ref
    update, the pull request's URL): the command alone proves nothing (a hook may have stopped it)."""
    text = "\n".join(result.evidence) or result.head
    return bool(COMMIT_LINE.search(text) or PUSH_LINE.search(text) or PR_URL.search(text))


def _shipped_task(task: list[_Turn]) -> bool:
    """The task's work was committed (or pushed, or sent for review) after its last edit: it was done."""
    last_edit = max((t.last_edit for t in task), default=0)
    return bool(last_edit) and max((t.last_ship for t in task), default=0) > last_edit


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


def _next_in_series(turn: _Turn, task: list[_Turn]) -> str | None:
    """The turn fills an earlier prompt's template with an item the current task never named, and
    changes other files than the task did (a failing test pasted again changes the same ones); or it
    runs the expanded command that one of the task's turns ran (spec-kit's `/speckit.specify`) with a
    request of its own, and its first steps (before the next prompt row: clarifying answers and the
    workflow's next commands continue the new work) write only in directories the task never touched
    (the new feature's folder), or nowhere when the request is a sentence, not a pointer into the
    task's plan ("Phase 5")."""
    task_edited = set().union(*(t.edited for t in task))
    first = turn.opening
    new_place = not first & set().union(*(t.dirs for t in task)) if first else len(turn.text) >= REQUEST_CHARS
    if turn.command and new_place and any(
            containment(turn.command, t.command) >= SERIES_CONTAINMENT
            and containment(turn.template, t.template) < SERIES_CONTAINMENT for t in task):
        return "the task's workflow command run again for new work"
    if not turn.edited or not task_edited or turn.edited & task_edited:
        return None
    for t in task:
        if containment(turn.template, t.template) < SERIES_CONTAINMENT:
            continue  # a template repeated: only the item differs (a pasted log differs everywhere)
        new = turn.numbers - t.numbers
        if 0 < len(new) <= 2 and t.numbers - turn.numbers and not any(new & x.numbers for x in task):
            return "the next item of a templated series"
    return None


@lru_cache(maxsize=8)
def _reacts_of(patterns: tuple[str, ...]) -> AnyOf:
    return any_of(patterns, re.I)


def _reacts(ctx: RuleContext) -> AnyOf:
    return _reacts_of(tuple(ctx.data.get("reactions", ())))
