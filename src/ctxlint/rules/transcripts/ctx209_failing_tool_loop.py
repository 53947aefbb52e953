"""failing-tool-loop: the same failure, again and again.

A loop is keyed on the failure's signature, not on the exact call: the same command family (`git
add`, `pkill`, `npm run build`, an Edit of one file) failing with the same error text (or, with no
text, the same exit code). Other steps may sit between the failures — the agent varies the quoting,
edits a file, retries — and it is still one loop as long as the failure stays the same; a success of
the same command family ends it. Exits that only mean "no match" (grep, pgrep, lsof, diff, test)
and calls the user declined are not failures.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ctxlint.measure.secrets import clip
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.patterns import AnyOf, any_of
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.commands import command_family
from ctxlint.transcripts.agents import records_of
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import ToolCall, ToolResult

# "Exit code 1" (Claude Code), "Exit code: 1" and "Process exited with code 1" (Codex)
EXIT_CODE = re.compile(r"(?:Exit code:? |Process exited with code )(\d+)")
# Codex's header lines around the output: not part of the error
CODEX_HEADER = re.compile(r"^(?:Command|Chunk ID|Wall time|Process exited with code|Exit code|Original token count|"
                          r"Total output lines|Output):", re.M)
# A raised exception ("ModuleNotFoundError: …", "error[E0308]: …", "fatal: …"): the last one is the cause
EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+(?:Error|Exception)|error(?:\[\w+\])?|fatal):.*", re.M)
# A compiler or linter diagnostic ("src/a.go:41:9: undefined: x", "a.ts(3,7): error TS2322: …")
# (a message in words after the location: a test runner's "spec.ts:35:7 › Draw flow" is a name, not an error)
DIAGNOSTIC_LINE = re.compile(r"^\s*[^\s:()]+\.\w+(?::\d+(?::\d+)?:|\(\d+,\d+\):)[ \t]*[A-Za-z].*", re.M)
VOLATILE = re.compile(r"0x[0-9a-fA-F]+|\b[0-9a-f]{7,40}\b|\d+")
ERROR_WORDS = re.compile(r"(?i)\b(error|fatal|failed|failure|exception|denied|not found|no such|cannot|can't|unable|"
                         r"refused|invalid|did not match|timed out|modified since)\b")


@dataclass(frozen=True, slots=True)
class Failure:
    family: str  # `git add`, `pkill`, `Edit src/app.py`
    error: str  # the normalised error line; "" when the output names none
    exit_code: str | None
    call: str = ""  # the exact call, when only that can tell this failure from another

    @property
    def key(self) -> tuple[str, ...]:
        # A distinctive error is the same failure whatever variant of the command printed it (`git add`
        # with other quoting, then `xargs git add`); a silent failure is its command and exit code; an
        # output that names no error is only the same failure when the very same call failed again.
        if self.error:
            return ("error", self.error)
        if self.call:
            return ("call", self.call)
        return ("exit", self.family, self.exit_code or "?")

    @property
    def blind(self) -> bool:
        """Only the same call again: an edit between two of them may have changed the failure."""
        return bool(self.call) and not self.error


def _error_line(text: str) -> str:
    """The line that says what failed (a traceback's last exception, else the first compiler diagnostic,
    else the first line with an error word), normalised; "" when no line says enough (fewer than three
    words: "FAIL", "# failed")."""
    exceptions = [m.group(0) for m in EXCEPTION_LINE.finditer(text)]
    diagnostic = DIAGNOSTIC_LINE.search(text)
    candidates = exceptions[-1:] + ([diagnostic.group(0)] if diagnostic else []) + [
        ln for ln in text.splitlines() if ERROR_WORDS.search(ln)]
    for line in candidates:
        line = " ".join(VOLATILE.sub("#", line).split())[:160]
        if len(line.split()) >= 3:
            return line
    return ""


def failure_of(item: Item, ctx: RuleContext) -> Failure | None:
    """The signature of a failed tool result, or None when it is not a failure that can loop: the user
    declined the call, a search found nothing, or the output does not say what failed."""
    result, call = item.event, item.call
    if not isinstance(result, ToolResult) or call is None:
        return None
    text = result.head + ("\n" + result.tail if result.tail else "")
    if _declined(ctx).matches(text[:400]):
        return None
    code = EXIT_CODE.search(result.head[:400])
    exit_code = code.group(1) if code else None
    body = EXIT_CODE.sub("", CODEX_HEADER.sub("", text)).strip()
    error = _error_line(body)
    if call.command:
        family = command_family(call.command, tuple(ctx.data.get("subcommand-programs", ())))
        if not family:
            return None
        if not error and (body or exit_code is None):
            # It printed something, but nothing that tells one failure from another.
            return Failure(family, "", exit_code, _call_text(item))
        if not error and exit_code == "1" and family.split()[0] in ctx.data.get("no-match-programs", ()):
            return None  # grep found nothing, pgrep no process: an answer, not a failure
        return Failure(family, error, exit_code)
    what = call.path or call.pattern
    if not what or not error:
        return None  # a declined call answered with the user's own words is not a tool error
    return Failure(f"{call.name} {what}", error, exit_code)


@lru_cache(maxsize=8)
def _declined_of(patterns: tuple[str, ...]) -> AnyOf:
    return any_of(patterns, re.I)


def _declined(ctx: RuleContext) -> AnyOf:
    return _declined_of(tuple(ctx.data.get("not-failures", ())))


def _call_text(item: Item) -> str:
    """The call as it would be retried: an edit by the files it changes (an apply_patch's text differs
    every time; an edit of the same file that works ends its loop), a command by its text."""
    call = item.call
    if call is None:
        return ""
    if call.is_edit and (call.edit_paths or call.path):
        return "edit " + " ".join(sorted(call.edit_paths or (call.path or "",)))
    return " ".join((call.command or f"{call.name} {call.path or call.pattern or ''}").split())


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    runs: dict[tuple[str, ...], list[tuple[Item, Failure]]] = {}
    # Each open run's last call as it would be retried, kept beside ``runs`` in the same order: every
    # successful call is compared with all of them, and a session can hold hundreds of open runs.
    last_call: dict[tuple[str, ...], str] = {}
    loops: list[list[tuple[Item, Failure]]] = []
    edits = [c.line for c in a.tool_flow if isinstance(c, ToolCall) and c.is_edit]
    for item in a.result_items:
        result = item.event
        if not isinstance(result, ToolResult) or item.call is None:
            continue
        if not result.is_error:
            # The very call that failed last now succeeds: the cause was fixed, the loop is over. (A
            # success of another variant — `pkill` with a pattern that does not kill its own shell —
            # says nothing about the failing one.)
            done = _call_text(item)
            for key in [k for k, text in last_call.items() if text == done]:
                loops.append(runs.pop(key))
                del last_call[key]
            continue
        failure = failure_of(item, ctx)
        if failure is None:
            continue
        run = runs.setdefault(failure.key, [])
        if run and item.r0 == run[-1][0].r0:
            continue  # parallel calls of one response: one attempt, not a retry
        if run and (item.r0 - run[-1][0].r0 > ctx["max-gap-requests"]
                    or (failure.blind and bisect_left(edits, item.line) > bisect_left(edits, run[-1][0].line))):
            loops.append(run[:])
            run.clear()
        run.append((item, failure))
        last_call[failure.key] = _call_text(item)
    loops.extend(runs.values())
    # A session a program drives (a memory plugin's observer fed events of another session): its loop
    # is that program's, not a habit of the person running the agent, and its fix belongs in the program.
    driven = "prompts" not in a.records and "prompts" in records_of(a.t.agent)
    for run in sorted(loops, key=lambda r: r[0][0].line if r else 0):
        if len(run) >= ctx["min-failures"]:
            yield _finding(a, ctx, run, driven)


def _finding(a: Analysis, ctx: RuleContext, run: list[tuple[Item, Failure]], driven: bool = False) -> RawFinding:
    items = [i for i, _ in run]
    first = run[0][1]
    families = list(dict.fromkeys(f.family for _, f in run))
    claims = tuple(a.item_claim(i) for i in items[1:])
    costs = [c.cost_usd for c in claims]
    commands = " ".join((i.call.command or "") for i in items if i.call is not None)
    errors = " ".join(i.event.head + " " + i.event.tail for i in items if isinstance(i.event, ToolResult))
    specific = next((str(e["fix"]) for e in ctx.data.get("errors", [])
                     if re.search(e["match"], errors) and re.search(e.get("command", ""), commands)), None)
    said = (f": \"{clip(first.error, 100)}\"" if first.error else "" if first.call
            else f" (exit code {first.exit_code}, no output)")
    what = f"`{families[0]}`" + (f" and {len(families) - 1} variant(s)" if len(families) > 1 else "")
    lines = ", ".join(str(i.line) for i in items[:8]) + (", …" if len(items) > 8 else "")
    return RawFinding(
        line=items[0].line,
        end_line=items[-1].line,
        message=(f"{what} failed {len(items)}× the same way (lines {lines}){said}; "
                 + ("retried unchanged" if first.blind else "each retry changed the call, not the cause")
                 + ("; a program drives this session (its prompts are generated), so the loop is that program's"
                    if driven else "")),
        fix=fix(specific, "stop") if specific else fix("stop"),
        tokens_wasted=sum(c.tokens for c in claims),
        cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
        claims=claims,
        content_key="\0".join(first.key),
        severity=Severity.INFO if driven else None,
        data={"what": f"`{families[0]}`", "times": len(items)},
    )
