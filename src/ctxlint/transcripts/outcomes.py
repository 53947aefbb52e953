"""What a session's tokens bought: the loops it completed, read from its events.

A *completed loop* is work carried to a verifiable end inside the session: a commit that was made,
a push that updated a remote branch, a pull request that was opened, or a test run that passed after
the agent edited something. Outcomes of one change close one loop: a test run that passes after
edits closes it, a commit after that joins it (tests, commit, push and pull request of one change
are one loop, not four); a commit after edits, or after an earlier commit, is the next loop (git
makes none without a change, and a file removed with ``git rm`` is a change the edit tools never
see); a push or a pull request ships commits, so it joins the last loop, and is a loop of its own
only when nothing else closed one in the session (work committed before it). A session with
edits and no outcome is *open* — its work may well be fine, it just did not reach one of these ends
here — never "failed". A session with neither edits nor outcomes asked or explored (``no-edits``).

Only what the tool result shows counts, never the command alone: git's ``[branch 1a2b3c4] subject``
line for a commit (a hook that stopped it prints none), a ``old..new  branch -> branch`` or
``[new branch]`` line for a push (a rejected or deleted ref is not one), the pull request's URL for
``gh pr create`` (or Claude Code's ``pr-link`` record), and a runner's pass summary with no failure
and no non-zero exit code for a test run (``5 passed in 0.3s``, ``test result: ok``, ``Tests: 12
passed, 12 total``, ``ok  pkg/x``...). Readers keep those lines of a shell command's output
(``evidence``), scanned only for the commands that can produce them (``wants_evidence``), so the
rest of a long output is never kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ctxlint.transcripts.events import Event, PullRequestLink, ToolCall, ToolResult

# A shell segment starts at the start of the command, after a separator or a subshell/keyword, and
# may carry environment assignments and a few wrappers before the program, which may be named by a
# path (.venv/bin/python, ./node_modules/.bin/jest).
_START = r"(?:^|[;&|(\n]|\b(?:then|do|else)\s)\s*(?:[A-Za-z_]\w*=\S*\s+)*(?:(?:sudo|command|exec|time)\s+)*"
_PATH = r"(?:[\w.~@+-]*/)*"
_GIT = _START + _PATH + r"git(?:\s+(?:-C\s+(?:\"[^\"]*\"|'[^']*'|\S+)|-c\s+\S+|--[\w-]+(?:=\S+)?))*\s+"
GIT_COMMIT = re.compile(_GIT + r"commit\b")
GIT_PUSH = re.compile(_GIT + r"push\b(?![^;&|\n]*--dry-run)")
PR_CREATE = re.compile(_START + _PATH + r"(?:gh\s+pr\s+create|glab\s+mr\s+create|hub\s+pull-request)\b")
TEST_RUN = re.compile(
    _START + r"(?:" + _PATH + r"(?:uv\s+run|poetry\s+run|pipenv\s+run|pdm\s+run|hatch\s+run|rye\s+run|npx|pnpx|"
    r"bunx|bundle\s+exec|python[\d.]*\s+-m|py\s+-m)\s+(?:--?[\w-]+(?:=\S+)?\s+)*)?" + _PATH +
    r"(?:pytest|py\.test|tox|nox|jest|vitest|mocha|ava|rspec|phpunit|ctest|nextest|unittest|"
    r"(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test(?::\S+)?|go\s+test|cargo\s+(?:test|nextest)|deno\s+test|"
    r"dotnet\s+test|mvnw?\s+(?:\S+\s+)*?test|gradlew?\s+(?:\S+\s+)*?test|"
    r"mix\s+test|swift\s+test|make\s+(?:\S+\s+)*?(?:test|check)|just\s+test|rails\s+test|rake\s+test)\b")
PR_TOOL = re.compile(r"create_pull_request|create_merge_request", re.I)

COMMIT_LINE = re.compile(r"^(?:Output: )?\[[^\]\n]{1,200}? (?:\(root-commit\) )?[0-9a-f]{7,40}\] ", re.M)
PUSH_LINE = re.compile(
    r"^\s*[+*]?\s*(?:\[new (?:branch|tag)\]|[0-9a-f]{7,40}\.\.\.?[0-9a-f]{7,40})\s+\S+\s+->\s+\S+", re.M)
PR_URL = re.compile(r"https?://[^\s\"'<>]+/(?:pull|merge_requests)/\d+")
TEST_PASS = re.compile(
    r"\b\d+ passed\b|\btest result: ok\.|^Tests:\s.*\b\d+ passed\b|^\s*Tests\s+\d+ passed|^ok\s+\S+|"
    r"\b\d+ passing\b|^# pass\s+\d+|\b\d+ examples?, 0 failures\b|\b\d+ tests?, 0 failures\b|"
    r"\b\d+ runs, \d+ assertions, 0 failures, 0 errors\b|^OK \(\d+ tests?|^OK(?: \(skipped=\d+\))?$|"
    r"Passed!\s+-\s+Failed:\s+0\b|\b100% tests passed\b|Tests run: \d+, Failures: 0, Errors: 0|"
    r"\bBUILD SUCCESS(?:FUL)?\b", re.M)
TEST_FAIL = re.compile(
    r"\b[1-9]\d* (?:failed|failing|errors?|failures?)\b|^FAIL(?:ED)?\b|^--- FAIL|\btest result: FAILED|"
    r"\bFailures: [1-9]|\bErrors: [1-9]|\bBUILD FAIL|^FAILURES!|^# fail\s+[1-9]|\bFailed:\s+[1-9]|"
    r"^(?:Exit code|Exit Code|Process exited with code):? [1-9]\d*", re.M)
EXIT_CODE = re.compile(r"^(?:Output: )?(?:Exit code|Exit Code|Process exited with code):? ([1-9]\d*)\s*$", re.M)
_EVIDENCE = (COMMIT_LINE, PUSH_LINE, PR_URL, TEST_PASS, TEST_FAIL, EXIT_CODE)
EVIDENCE_LINES = 12
EVIDENCE_LINE_CHARS = 200


# Every command the four patterns above can match holds one of these words (a commit or a push names
# its subcommand, a pull request "create" or "pull-request", a test run its runner): a command without
# any of them (most: ls, cat, grep, sed, git status, git diff…) is ruled out by one plain search.
_MAY_LOOP = re.compile(
    r"commit|push|create|pull-request|py\.?test|tox|nox|jest|vitest|mocha|ava|rspec|phpunit|ctest|nextest|unittest|"
    r"test|check")


def wants_evidence(call: ToolCall) -> bool:
    """Whether a call can complete a loop, so its output is worth scanning."""
    command = call.command
    if command:
        if _MAY_LOOP.search(command) is None:
            return False
        return bool(GIT_COMMIT.search(command) or GIT_PUSH.search(command) or PR_CREATE.search(command)
                    or TEST_RUN.search(command))
    return bool(PR_TOOL.search(call.name))


# Every line one of the evidence patterns above matches holds one of that pattern's keys: the literal
# part each of its alternatives cannot match without (a "\n" in front stands for the start of a line,
# where those alternatives are anchored). The patterns open with \b, ^ or \s*, which makes the regex
# engine try each alternative at every character of the output; the keys start with plain characters,
# so one search for them skips almost all of it, and a line it lands on is tested only against the
# patterns whose keys it holds. A new evidence pattern or alternative needs its keys here
# (test_outcomes checks that an example of every alternative is found).
_EVIDENCE_KEYS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (COMMIT_LINE, ("\n[", "\nOutput: [")),
    (PUSH_LINE, ("->",)),
    (PR_URL, ("/pull/", "/merge_requests/")),
    (TEST_PASS, (" passed", "test result: ", "\nok", " passing", "\n# pass", ", 0 failures", "\nOK", "Failed:",
                 "Tests run: ", "BUILD ")),  # "Passed! - Failed: 0" holds "Failed:"
    (TEST_FAIL, (" fail", " error", "\nFAIL", "\n--- FAIL", "test result: ", "Failures: ", "Errors: ", "BUILD ",
                 "Failed:", "Exit code", "Exit Code", "Process exited with code")),  # "# fail": " fail"
    (EXIT_CODE, ("Exit code", "Exit Code", "Process exited with code")),
)
_ANY_KEY = re.compile("|".join(map(re.escape, dict.fromkeys(k for _, keys in _EVIDENCE_KEYS for k in keys))))
_OTHER_LINE_ENDS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _is_evidence(line: str) -> bool:
    return any(p.search(line) for p in _EVIDENCE)


def _keyed_evidence(line: str) -> bool:
    """``_is_evidence`` of a line given with the "\n" before it: only the patterns whose keys it holds
    are searched (the others cannot match)."""
    return any(p.search(line, 1) for p, keys in _EVIDENCE_KEYS if any(k in line for k in keys))


def evidence(text: str) -> tuple[str, ...]:
    """The lines of an output that say whether a loop completed (see the module's docstring)."""
    kept: list[str] = []
    if _OTHER_LINE_ENDS.search(text) is not None:  # lines split as splitlines() does: the plain scan
        for line in text.splitlines():
            if _is_evidence(line):
                kept.append(line.strip()[:EVIDENCE_LINE_CHARS])
                if len(kept) >= EVIDENCE_LINES:
                    break
        return tuple(kept)
    text = "\n" + text  # the first line starts after a "\n" too, as the anchored keys expect
    pos = 0
    while len(kept) < EVIDENCE_LINES:
        found = _ANY_KEY.search(text, pos)
        if found is None:
            break
        inside = found.end() - 1  # a key's last character is in the line it was found in
        start = text.rfind("\n", 0, inside)  # the "\n" before the line
        end = text.find("\n", inside)
        end = len(text) if end == -1 else end
        line = text[start:end]
        if _keyed_evidence(line):
            kept.append(line.strip()[:EVIDENCE_LINE_CHARS])
        pos = end  # the next line's "\n" included: its anchored keys start there
    return tuple(kept)


LOOP_KINDS = ("commits", "pushes", "pull_requests", "test_passes")


@dataclass(slots=True)
class Outcomes:
    """The completed loops of one transcript file, with the events behind them."""

    loops: int = 0
    commits: int = 0
    pushes: int = 0
    pull_requests: int = 0
    test_passes: int = 0  # passing test runs after an edit
    edits: int = 0  # successful edits (a rejected edit changes nothing)
    ends_open: bool = False  # edits after the last completed loop
    evidence: list[dict[str, Any]] = field(default_factory=list)  # kind, line, text (first few)

    @property
    def status(self) -> str:
        if self.loops:
            return "completed"
        return "open" if self.edits else "no-edits"

    def as_facts(self) -> dict[str, Any]:
        return {"status": self.status, "loops": self.loops, "commits": self.commits, "pushes": self.pushes,
                "pull_requests": self.pull_requests, "test_passes": self.test_passes, "edits": self.edits,
                "ends_open": self.ends_open, "evidence": self.evidence}


MAX_EVIDENCE = 20


def detect(events: list[Event]) -> Outcomes:
    """The loops of one file's events (resume replays left out: they are history, not new work)."""
    out = Outcomes()
    calls: dict[str, ToolCall] = {}
    prs: set[str] = set()
    edited = False  # an edit since the last outcome
    closed = False  # the current change already closed a loop (a push after its commit is the same loop)
    committed = False  # ... and that loop holds a commit: another commit is another change

    def outcome(kind: str, line: int, text: str) -> None:
        nonlocal edited, closed, committed
        setattr(out, kind, getattr(out, kind) + 1)
        if kind in ("pushes", "pull_requests"):
            # they ship commits, which closed their loop already; only work committed before the
            # session (no loop yet) makes them a loop of their own
            new = not out.loops
        else:
            new = not closed or (kind == "commits" and committed)
            edited = False
        if new:
            out.loops += 1
            closed, committed = True, False
        committed = committed or kind == "commits"
        if len(out.evidence) < MAX_EVIDENCE:
            out.evidence.append({"kind": kind, "line": line, "text": text})

    for e in events:
        if e.replayed:
            continue
        kind = type(e)
        if kind is ToolCall:
            call: ToolCall = e  # type: ignore[assignment]
            calls[call.call_id] = call
        elif kind is PullRequestLink:
            url = e.url  # type: ignore[union-attr]
            if url not in prs:
                prs.add(url)
                outcome("pull_requests", e.line, url)
        elif kind is ToolResult:
            result: ToolResult = e  # type: ignore[assignment]
            call_of = calls.get(result.call_id)
            if call_of is None:
                continue
            if call_of.is_edit:
                if not result.is_error:
                    out.edits += 1
                    edited, closed, committed = True, False, False
                continue
            if not result.evidence:
                continue
            for found, text in _classify(call_of, result):
                if found == "pull_requests":
                    if text in prs:
                        continue
                    prs.add(text)
                if found == "test_passes" and not edited:
                    continue  # a green run with nothing changed since the last loop checks, it completes nothing
                outcome(found, result.line, text)
    out.ends_open = edited and out.loops > 0
    return out


def _classify(call: ToolCall, result: ToolResult) -> list[tuple[str, str]]:
    """(kind, evidence) of each outcome one tool result shows, in the order a compound command ran them."""
    lines = result.evidence
    text = "\n".join(lines)
    command = call.command or ""
    found: list[tuple[str, str]] = []
    if command and GIT_COMMIT.search(command):
        commit = next((ln for ln in lines if COMMIT_LINE.search(ln)), None)
        if commit is not None:
            found.append(("commits", commit))
    if command and GIT_PUSH.search(command):
        push = next((ln for ln in lines if PUSH_LINE.search(ln)), None)
        if push is not None and not result.is_error:
            found.append(("pushes", push))
    if (command and PR_CREATE.search(command)) or (not command and PR_TOOL.search(call.name)):
        url = PR_URL.search(text)
        if url is not None and not result.is_error:
            found.append(("pull_requests", url.group(0)))
    if command and TEST_RUN.search(command) and not result.is_error and not TEST_FAIL.search(text):
        passed = next((ln for ln in lines if TEST_PASS.search(ln)), None)
        if passed is not None:
            found.append(("test_passes", passed))
    return found
