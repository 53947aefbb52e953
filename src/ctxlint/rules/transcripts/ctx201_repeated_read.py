"""repeated-read: a file read again while an unchanged copy of the same lines is still in the context.

A copy stops counting when the file may have changed (an edit, a subagent's work, a command that
rewrites it, the user saying so, a long pause, the read itself showing other text) or when it left the
context (a compaction or /clear ends the segment; a rewind or a microcompaction takes it out). A re-read
is not reported when it was needed: the earlier look was cut short, or Claude Code's Edit needed its
own Read, or it is the few lines about to be edited.
"""

from __future__ import annotations

import hashlib
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from ctxlint._runtime.fsutil import inside
from ctxlint.model import Basis, Claim, RawFinding, fix
from ctxlint.rules.patterns import any_of
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.commands import file_reads
from ctxlint.rules.transcripts.rewrites import Paths, Rewrites
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import Prompt, ResultsCleared, Rewind, ToolCall, ToolResult, parse_timestamp

PRE_EDIT_LOOKS = 6  # reads and edits (of any file) from a re-read to the edit it prepares
NUMBERED = re.compile(r"\bnl\b|\bcat\s+-\w*n|\bgrep\s+-\w*n")
# Codex wraps a command's output in a header (exit code, wall time, token count) before "Output:".
OUTPUT_HEADER = re.compile(r"(?:(?:Chunk ID|Wall time|Exit code|Process exited with code|Original token count|"
                           r"Total output lines|Command)[^\n]*\n)+Output:\n")


@dataclass(slots=True)
class _Copy:
    """One read of a file whose text is in the context: the lines it printed and what it looked like."""

    first: int
    last: int | None
    line: int
    call_id: str
    sig: tuple[int, str]  # size and opening text of the read's output (its header taken off)
    total: int | None  # the file's length in lines, when the read says it (Claude Code's Read)
    shell: bool  # printed by a shell command, not the Read tool
    numbered: bool  # printed with line numbers (the Read tool, `nl`, `cat -n`)


@dataclass(slots=True)
class _Reread:
    item: Item
    copy: _Copy  # the unchanged earlier copy it repeats
    after_shell_only: bool  # every copy in the context then came from a shell command
    share: float = 1.0  # the part of its lines already in the context (a wider window also shows new lines)

    @property
    def tokens(self) -> int:
        return self.item.tokens if self.share >= 1 else int(self.item.tokens * self.share)


@dataclass(slots=True)
class _Summary:
    """A subagent's report in the main thread, the files it names, and the whole-file reads that followed."""

    line: int
    segment: int
    names: frozenset[str]
    reads: list[tuple[Item, str]] = field(default_factory=list)  # (read, file)


@dataclass(slots=True)
class _Reads:
    """The reads of one file in one segment, and which of them repeat an unchanged earlier copy."""

    manifest: bool  # a package manifest or lock file: a package manager run rewrites it
    copies: list[_Copy] = field(default_factory=list)
    rereads: list[_Reread] = field(default_factory=list)
    stubs: int = 0  # Reads Claude Code answered "file unchanged" while a copy was in the context
    checked: int = 0  # shell commands (an index into the thread's) seen to rewrite nothing since the copies


def _shown(norm: str, cwd: str | None, path: str) -> str:
    """The path as the report shows it: relative to the session's directory when inside it."""
    if not cwd or not norm.startswith(cwd):
        return path
    rel = inside(norm, cwd) if os.sep == "/" and os.path.normpath(cwd) == cwd else None
    return rel if rel is not None else os.path.relpath(norm, cwd)


def _overlaps(earlier: _Copy, first: int, last: int | None) -> bool:
    """True when at least half of the later read was already in the context.

    Paging through a file (`sed -n '1,200p'` then `'200,500p'`) shares one line: not a re-read.
    """
    a0, a1 = earlier.first, earlier.last
    if first < 0:  # tail -n: the end of the file, already seen by a read to the end at least as long
        return a1 is None and (a0 >= 0 or a0 <= first)
    if a0 < 0:  # an earlier tail covers nothing else: where it starts is unknown
        return False
    if last is None:
        return a1 is None and a0 <= first  # an open-ended re-read repeats an open-ended read
    lo, hi = max(a0, first), last if a1 is None else min(a1, last)
    return hi >= lo and (hi - lo + 1) >= 0.5 * (last - first + 1)


def _share(copies: list[_Copy], first: int, last: int | None) -> float:
    """The part of the lines ``first``..``last`` that the copies already hold: 1 when the read's end is
    unknown (read to the end of the file) or lies inside what was seen."""
    if last is None or first < 0:
        return 1.0
    best = 0
    for c in copies:
        if c.first < 0:
            continue
        lo, hi = max(c.first, first), last if c.last is None else min(c.last, last)
        best = max(best, hi - lo + 1)
    return min(1.0, best / (last - first + 1))


def _contains(outer: _Copy, first: int, last: int | None) -> bool:
    """The lines ``first``..``last`` lie inside the copy's range."""
    if first < 0 or outer.first < 0:
        return first < 0 and outer.last is None and (outer.first >= 0 or outer.first <= first)
    return outer.first <= first and (outer.last is None or (last is not None and last <= outer.last))


def _read_of(item: Item) -> tuple[str, int, int | None, bool] | None:
    """(path, first line, last line, printed by a shell command) of a read; None for anything else."""
    call, result = item.call, item.event
    if call is None or not isinstance(result, ToolResult) or result.is_error:
        return None
    if call.kind == "read" and (call.path or result.path):
        path = result.path or call.path
        assert path is not None
        first = result.start_line or call.offset or 1
        count = result.num_lines or call.limit
        last = first + count - 1 if count else None
        if result.total_lines and last and last >= result.total_lines:
            last = None
        return path, first, last, False
    if call.command:
        reads = file_reads(call.command)
        if len(reads) == 1:
            read = reads[0]
            first, last = read.first, read.last
            printed = _printed_lines(result)
            if printed is not None and last is not None and first > 0 and printed < last - first + 1:
                last = first + max(printed, 1) - 1  # the file ended (or Codex elided lines): what was printed
            return read.path, first, last, True
    return None


def _printed_lines(result: ToolResult) -> int | None:
    """Lines a command printed (the header Codex puts before its output left out)."""
    if result.lines is None:
        return None
    header = OUTPUT_HEADER.match(result.head)
    return result.lines - (result.head.count("\n", 0, header.end()) if header is not None else 0)


def _changed(copy: _Copy, first: int, last: int | None, shell: bool, numbered: bool, sig: tuple[int, str],
             total: int | None) -> bool:
    """The new read shows the file changed since the copy: the same lines printed the same way read
    differently, part of the copy's lines printed the same way take more text than the whole did, or
    the file's length in lines is not what it was."""
    if copy.total and total and copy.total != total:
        return True
    if (copy.shell, copy.numbered) != (shell, numbered):
        return False  # another view (line numbers added): its text cannot be compared
    if (copy.first, copy.last) == (first, last):
        return copy.sig != sig
    return _contains(copy, first, last) and sig[0] > copy.sig[0] * 1.02 + 20


def _signature(result: ToolResult) -> tuple[int, str]:
    """What a read's output looked like, without the header Codex puts before it."""
    head, chars = result.head, result.chars
    header = OUTPUT_HEADER.match(head)
    if header is not None:
        head, chars = head[header.end():], chars - header.end()
    return chars, head[:200] + (f"\0{result.image_tokens}" if result.image_tokens else "")


def _idle_gaps(a: Analysis, minutes: int) -> list[int]:
    """Lines of the first request after each pause of at least ``minutes`` (the user was away)."""
    gaps: list[int] = []
    previous: datetime | None = None
    for u in a.requests:
        now = parse_timestamp(u.timestamp)
        if now is None:
            continue
        if previous is not None and (now - previous).total_seconds() >= minutes * 60:
            gaps.append(u.line)
        previous = now
    return gaps


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    cwd = a.t.cwd
    data = ctx.data
    state: dict[tuple[int, str], _Reads] = {}
    display: dict[str, str] = {}
    paths = Paths(cwd)
    # A read after a command that may have rewritten the file is legitimate (see rewrites.py).
    rewrites = Rewrites(any_of(tuple(data.get("invalidate", []))), any_of(tuple(data.get("package_managers", []))),
                        paths, any_of(tuple(data.get("script_writes", []))))
    manifests = re.compile(data.get("manifests", "$^"))
    live_files = re.compile(data.get("live_files", "$^"))
    truncated = re.compile(data.get("truncated", "$^"))
    stale_read = re.compile(data.get("stale_read_errors", "$^"))
    # Searched in every prompt: gated by its literal words (a leading \b makes the plain search try
    # every alternative at every character of a long prompt).
    said_changed = any_of((data.get("user_changed", "$^"),), re.I)
    read_only_agents = set(data.get("read_only_subagents", []))
    by_norm: dict[str, list[_Reads]] = {}
    touches: list[tuple[int, str, bool]] = []  # (line, file, is an edit) of every read and edit, in order
    gaps = _idle_gaps(a, ctx["idle-minutes"])
    change_prompts = [(i.line, i.event.text) for i in a.items if isinstance(i.event, Prompt) and not i.event.is_meta
                      and said_changed.matches(i.event.text)]
    drops = list(a.drops)
    summaries: list[_Summary] = []  # read-only subagents' reports, in order
    prompt_lines = [i.line for i in a.items if isinstance(i.event, Prompt) and not i.event.is_meta]

    def forget(after: int = 0, before: int = 1 << 62, calls: frozenset[str] | None = None) -> None:
        """Take out of the context the copies read between two lines (or, with ``calls``, those calls')."""
        for reads in state.values():
            reads.copies = [c for c in reads.copies
                            if not (c.call_id in calls if calls is not None else after < c.line < before)]

    def changed_between(norm: str, since: int, until: int) -> bool:
        """The user said the file changed, or was away long enough to change it, between two lines."""
        if bisect_right(gaps, until) > bisect_right(gaps, since):
            return True
        base = os.path.basename(norm)
        return any(since < line < until and base in text for line, text in change_prompts)

    for step in a.tool_flow:
        while drops and drops[0].line <= step.line:
            drop = drops.pop(0)
            if isinstance(drop, Rewind):
                forget(drop.back_to, drop.line)
            elif isinstance(drop, ResultsCleared):
                forget(calls=frozenset(drop.call_ids))
        if isinstance(step, ToolCall):
            if step.command:
                rewrites.add(step.line, step.command, step.is_edit, step.cwd)
            for p in step.edit_paths if step.is_edit else ():
                touches.append((step.line, paths.norm(p, step.cwd), True))
            continue
        item = step
        call, result = item.call, item.event
        if call is None or not isinstance(result, ToolResult):
            continue
        if call.is_edit:
            if not result.is_error or stale_read.search(result.head):
                # The file changed (or Claude Code says the copy it holds is stale): a new read is needed.
                for p in call.edit_paths:
                    for edited in by_norm.get(paths.norm(p, call.cwd), ()):
                        edited.copies.clear()
            continue  # a failed or rejected edit changed nothing
        if call.is_subagent:
            if call.subagent_type not in read_only_agents:
                forget()  # the subagent may have edited any file
            if result.mentions and call.subagent_type in read_only_agents:
                summaries.append(_Summary(item.line, item.segment, frozenset(result.mentions)))
            continue
        if result.unchanged_stub and call.path:
            stubbed = state.get((item.segment, paths.norm(result.path or call.path)))
            if stubbed is not None and stubbed.copies:
                stubbed.stubs += 1
            continue
        read = _read_of(item)
        if read is None:
            continue
        path, first, last, shell = read
        norm = paths.norm(path, call.cwd if shell else None)
        if live_files.search(norm):
            continue  # a log or a running task's output: each look is meant to see what was added
        if norm not in display:
            display[norm] = _shown(norm, cwd, path)
        touches.append((item.line, norm, False))
        reads = state.get((item.segment, norm))
        if reads is None:
            reads = state[(item.segment, norm)] = _Reads(manifests.search(norm) is not None)
            by_norm.setdefault(norm, []).append(reads)
        sig = _signature(result)
        numbered = not shell or NUMBERED.search(call.command or "") is not None
        if reads.copies:
            cut = rewrites.last_rewrite(reads.checked, norm, reads.manifest)
            if cut:
                reads.copies = [c for c in reads.copies if c.line > cut]
            if reads.copies and changed_between(norm, reads.copies[0].line, item.line):
                reads.copies.clear()
            if any(_changed(c, first, last, shell, numbered, sig, result.total_lines) for c in reads.copies):
                reads.copies.clear()  # the read shows other text than before: the file changed
        reads.checked = len(rewrites)
        # a report the user has not answered yet: the reads belong to the same turn
        report = summaries[-1] if summaries and summaries[-1].segment == item.segment \
            and bisect_right(prompt_lines, summaries[-1].line) == bisect_right(prompt_lines, item.line) else None
        if report is not None and first == 1 and last is None and os.path.basename(norm) in report.names:
            report.reads.append((item, norm))
        earlier = next((c for c in reads.copies if _overlaps(c, first, last)), None)
        if earlier is not None and item.tokens >= ctx["min-tokens"]:
            reads.rereads.append(_Reread(item, earlier, all(c.shell for c in reads.copies),
                                         _share(reads.copies, first, last)))
        if truncated.search(result.head[:300]) is None:  # a cut-short look leaves the rest to be read
            reads.copies.append(_Copy(first, last, item.line, result.call_id, sig, result.total_lines, shell, numbered))

    yield from _summaries_read_again(a, summaries, touches, ctx["summary-rereads"])
    for (_segment, norm), reads in state.items():
        kept = [r for r in reads.rereads if not _needed_before_edit(a, r, norm, touches, ctx["pre-edit-lines"], prompt_lines)]
        if not kept:
            continue
        # only the lines already in the context are repeated: a wider window pays for its new lines
        claims: list[Claim] = [a.item_claim(r.item, r.tokens if r.share < 1 else None) for r in kept]
        costs = [c.cost_usd for c in claims]
        copies = len(kept)
        avg = sum(r.tokens for r in kept) // copies
        k = max(a.carried(r.item) for r in kept)
        name = display[norm]
        shell = any(r.copy.shell for r in kept) or any(r.item.call is not None and r.item.call.command for r in kept)
        # The re-read printed with line numbers (`nl -ba`, `cat -n`) text printed before without them.
        numbered = any(not r.copy.numbered and r.item.call is not None and r.item.call.command
                       and NUMBERED.search(r.item.call.command) for r in kept)
        how = fix("numbered", name=name) if numbered else \
            fix("refer-back", "read-tool" if shell else "read-range", name=name, line=kept[0].copy.line)
        pairs = ", ".join(f"line {r.item.line} repeats {r.copy.line}" for r in kept[:6])
        more = f", and {copies - 6} more" if copies > 6 else ""
        partial = any(r.share < 1 for r in kept)
        stubs = (f"; {reads.stubs} more Read{'s' if reads.stubs > 1 else ''} answered \"file unchanged\""
                 if reads.stubs else "")
        yield RawFinding(
            line=kept[0].item.line,
            message=(f"`{name}` re-read {copies}× while an unchanged copy was still in the context ({pairs}{more})"
                     f"{stubs}; {copies} × {avg:,} tokens{' (the lines already shown)' if partial else ''} carried "
                     f"for up to {k} request{'s' if k != 1 else ''}"),
            fix=how,
            tokens_wasted=sum(c.tokens for c in claims),
            cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
            claims=tuple(claims),
            content_key=_content_key(name, kept[0]),
            data={"file": name, "reads": copies + 1},
        )


def _content_key(name: str, reread: _Reread) -> str:
    """What the finding is about, for its fingerprint: the file, the lines re-read and the text they
    showed — never a position in the session (a compaction or a prompt added earlier moves those)."""
    read = _read_of(reread.item)
    lines = f"{read[1]}-{read[2] if read[2] is not None else 'end'}" if read else ""
    size, head = reread.copy.sig
    digest = hashlib.sha1(f"{size}\0{head}".encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[:12]
    return f"{name}:{lines}:{digest}"


def _needed_before_edit(a: Analysis, reread: _Reread, norm: str, touches: list[tuple[int, str, bool]],
                        max_lines: int, prompt_lines: list[int]) -> bool:
    """The re-read was needed for the edit that follows it: the file is edited within the next few reads
    and edits, with only looks at it before, in the same turn (other files' may sit between: parallel
    reads, then edits; several windows of a file seen in an earlier turn before one multi-hunk patch), and
    the re-read is either Claude Code's Read after
    only shell looks (its Edit needs its own Read) or the lines about to be changed: a window of at most
    ``max_lines`` lines, or a whole file of at most half that."""
    item = reread.item
    at = bisect_left(touches, (item.line + 1, "", False))
    # the file's next uses: the edit, or more looks at it in the same turn (the windows a multi-hunk
    # patch needs) and then the edit
    uses = [(line, is_edit) for line, other, is_edit in touches[at:at + PRE_EDIT_LOOKS] if other == norm]
    edit = next((i for i, (_, is_edit) in enumerate(uses) if is_edit), None)
    turn = bisect_right(prompt_lines, item.line)
    # Several looks before the edit count only when they re-show a copy from an earlier turn and stay in
    # this one: re-printing what this turn printed seconds ago (`nl` after `sed`) is the waste itself.
    if edit is None or (edit > 0 and (bisect_right(prompt_lines, uses[edit][0]) > turn
                                      or bisect_right(prompt_lines, reread.copy.line) == turn)):
        return False
    call, result = item.call, item.event
    if call is None or not isinstance(result, ToolResult):
        return False
    if a.agent == "claude-code" and call.kind == "read" and reread.after_shell_only:
        return True
    read = _read_of(item)
    if read is None:
        return False
    _, first, last, shell = read
    if shell:
        lines = _printed_lines(result) if last is None else last - first + 1 if first > 0 else None
        asked = file_reads(call.command or "")[0].last
        whole = first == 1 and (last is None or asked is None or asked > last)  # the file ended first
    else:  # the Read tool says what it returned; an agent's read_file without a range returns the file
        lines = result.num_lines or result.lines
        whole = first == 1 and (lines == result.total_lines or (result.total_lines is None and call.limit is None))
    return lines is not None and lines <= (max_lines // 2 if whole else max_lines)


def _summaries_read_again(a: Analysis, summaries: list[_Summary], touches: list[tuple[int, str, bool]],
                          minimum: int) -> Iterator[RawFinding]:
    """The main thread read in full, and did not change, files a read-only subagent had just reported on
    (in the same turn): the investigation was done twice. Files the main thread then edits are excluded
    (an edit needs the text)."""
    for report in summaries:
        edited = {norm for line, norm, is_edit in touches if is_edit and line > report.line}
        kept = [(item, norm) for item, norm in report.reads if norm not in edited]
        if len({norm for _, norm in kept}) < minimum:
            continue
        claims = tuple(a.item_claim(item) for item, _ in kept)
        costs = [c.cost_usd for c in claims]
        names = ", ".join(f"`{os.path.basename(norm)}`" for _, norm in kept[:5]) + (", …" if len(kept) > 5 else "")
        yield RawFinding(
            line=kept[0][0].line,
            message=(f"after the subagent's report at line {report.line}, the main thread read {len(kept)} of the "
                     f"files it names in full ({names}; {sum(i.tokens for i, _ in kept):,} tokens) and changed none "
                     "of them: the investigation was done twice"),
            fix=fix("trust-summary"),
            tokens_wasted=sum(c.tokens for c in claims),
            cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
            claims=claims,
            basis=Basis.MODELLED,
            content_key="summary:" + ",".join(sorted({os.path.basename(norm) for _, norm in kept})),
        )
