"""Completed loops (transcripts.outcomes): what a session's tokens bought, read from what the tool
results show — a commit made, a push that updated a branch, a pull request opened, a test run that
passed after edits — never from the command alone; and the session title (masked, then cut)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest

from ctxlint.core.audit import TITLE_CHARS, audit_file, session_title
from ctxlint.transcripts.outcomes import GIT_COMMIT, GIT_PUSH, PR_CREATE, TEST_RUN
from ctxlint.transcripts.session_facts import typed_text
from tests.transcript_builder import build

COMMIT = "[main 1a2b3c4] Fix the login bug\n 2 files changed, 10 insertions(+), 2 deletions(-)"
PUSH = "To github.com:o/r.git\n   1a2b3c4..5d6e7f8  main -> main"
PR = "Creating pull request for fix into main in o/r\n\nhttps://github.com/o/r/pull/42"
PASSED = "........\n8 passed in 0.41s"


def bash(command: str, output: str, error: bool = False) -> dict[str, Any]:
    return {"bash": command, "output": output, "exact": True, "error": error, "tokens": 60}


def outcomes_of(tmp_path: Path, steps: list[dict[str, Any]], agent: str = "claude-code",
                extra_lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    files = build({"agent": agent, "steps": [{"prompt": "Fix the login bug"}, *steps]})
    path = tmp_path / "s.jsonl"
    text = next(iter(files.values()))
    if extra_lines:
        text += "".join(json.dumps(line) + "\n" for line in extra_lines)
    path.write_text(text, encoding="utf-8")
    session = audit_file(str(path)).session
    assert session is not None
    return dict(session["outcomes"])


def counts(o: dict[str, Any]) -> tuple[Any, ...]:
    return (o["status"], o["loops"], o["commits"], o["pushes"], o["pull_requests"], o["test_passes"])


def test_one_change_tested_committed_pushed_and_opened_is_one_loop(tmp_path: Path) -> None:
    o = outcomes_of(tmp_path, [{"edit": "app.py"}, bash("pytest -q", PASSED), bash("git commit -am fix", COMMIT),
                               bash("git push", PUSH), bash("gh pr create --fill", PR)])
    assert counts(o) == ("completed", 1, 1, 1, 1, 1)
    assert [e["kind"] for e in o["evidence"]] == ["test_passes", "commits", "pushes", "pull_requests"]
    assert o["evidence"][1]["text"].startswith("[main 1a2b3c4]") and not o["ends_open"]


def test_each_commit_of_a_new_change_is_a_loop(tmp_path: Path) -> None:
    o = outcomes_of(tmp_path, [{"edit": "a.py"}, bash("git commit -am a", COMMIT),
                               bash("git rm old.py && git commit -m b", COMMIT.replace("1a2b3c4", "2b3c4d5")),
                               {"edit": "b.py"}, bash("cd /w && git add -A && git commit -m c && git push", f"{COMMIT}\n{PUSH}")])
    assert counts(o) == ("completed", 3, 3, 1, 0, 0)


def test_a_commit_stopped_by_its_hook_is_no_outcome(tmp_path: Path) -> None:
    hook = "ruff.....................................................................Failed\n- hook id: ruff"
    o = outcomes_of(tmp_path, [{"edit": "a.py"}, bash("git commit -m a", hook, error=True)])
    assert counts(o) == ("open", 0, 0, 0, 0, 0) and o["edits"] == 1


@pytest.mark.parametrize("output, error", [
    ("3 passed, 1 failed in 0.2s", False),  # piped through tail: exit 0, but a test failed
    ("=== 1 error in 0.1s ===", False),
    (PASSED, True),  # the runner exited non-zero
    ("collected 0 items", False),  # no pass summary
])
def test_a_test_run_that_did_not_pass_completes_nothing(tmp_path: Path, output: str, error: bool) -> None:
    o = outcomes_of(tmp_path, [{"edit": "a.py"}, bash("pytest -q 2>&1 | tail -3", output, error)])
    assert counts(o) == ("open", 0, 0, 0, 0, 0)


def test_a_green_run_before_any_edit_only_checks(tmp_path: Path) -> None:
    o = outcomes_of(tmp_path, [bash("pytest -q", PASSED), {"requests": 2}])
    assert counts(o) == ("no-edits", 0, 0, 0, 0, 0)


def test_pushes_that_update_no_branch_are_not_outcomes(tmp_path: Path) -> None:
    o = outcomes_of(tmp_path, [bash("git push origin --delete old", "To github.com:o/r.git\n - [deleted]  old"),
                               bash("git push --dry-run", PUSH),
                               bash("git push", "! [rejected]  main -> main (fetch first)", error=True)])
    assert counts(o) == ("no-edits", 0, 0, 0, 0, 0)


def test_pushing_work_committed_before_the_session_is_a_loop(tmp_path: Path) -> None:
    o = outcomes_of(tmp_path, [bash("git push -u origin fix", PUSH.replace("1a2b3c4..5d6e7f8", "[new branch]"))])
    assert counts(o) == ("completed", 1, 0, 1, 0, 0)


def test_pr_link_records_and_gh_output_name_one_pull_request(tmp_path: Path) -> None:
    link = {"type": "pr-link", "sessionId": "s", "prNumber": 42, "prUrl": "https://github.com/o/r/pull/42",
            "prRepository": "o/r", "timestamp": "2026-11-02T10:00:00.000Z"}
    o = outcomes_of(tmp_path, [{"edit": "a.py"}, bash("git commit -am a", COMMIT), bash("gh pr create --fill", PR)],
                    extra_lines=[link, link])
    assert counts(o) == ("completed", 1, 1, 0, 1, 0)


def test_edits_after_the_last_loop_leave_the_session_open_at_its_end(tmp_path: Path) -> None:
    o = outcomes_of(tmp_path, [{"edit": "a.py"}, bash("git commit -am a", COMMIT), {"edit": "b.py"}])
    assert o["status"] == "completed" and o["ends_open"]


def test_a_resumed_session_counts_its_commit_once(tmp_path: Path) -> None:
    o = outcomes_of(tmp_path, [{"edit": "a.py"}, bash("git commit -am a", COMMIT), {"resume": True},
                               {"prompt": "go on"}, {"requests": 1}])
    assert counts(o) == ("completed", 1, 1, 0, 0, 0)


def test_codex_edit_then_cargo_test(tmp_path: Path) -> None:
    o = outcomes_of(tmp_path, [{"edit": "src/lib.rs"},
                               bash("cargo test", "running 3 tests\ntest result: ok. 3 passed; 0 failed; 0 ignored")],
                    agent="codex")
    assert counts(o) == ("completed", 1, 0, 0, 0, 1)


@pytest.mark.parametrize("command, kinds", [
    ("git commit -m x", {"commit"}),
    ('cd "/a b" && git add . && git commit -m "$(cat <<EOF\nmsg\nEOF\n)"', {"commit"}),
    ("git -C /repo -c user.name=x commit -q", {"commit"}),
    ("git add -A && git commit -m x && git push -u origin HEAD", {"commit", "push"}),
    ("echo 'git commit -m x'", set()),
    ("git log --grep commit", set()),
    ("git push --dry-run", set()),
    ("gh pr create --fill", {"pr"}),
    ("gh pr list", set()),
    (".venv/bin/python -m pytest -q", {"test"}),
    ("uv run pytest tests/test_a.py -x", {"test"}),
    ("npx vitest run", {"test"}),
    ("npm run test:unit", {"test"}),
    ("go test ./...", {"test"}),
    ("./gradlew clean test", {"test"}),
    ("cat tests/test_a.py", set()),
    ("sed -n '1,80p' pytest.ini", set()),
])
def test_commands_that_can_complete_a_loop(command: str, kinds: set[str]) -> None:
    found = {name for name, pattern in (("commit", GIT_COMMIT), ("push", GIT_PUSH), ("pr", PR_CREATE),
                                        ("test", TEST_RUN)) if pattern.search(command)}
    assert found == kinds


def test_title_is_the_first_typed_prompt_masked_before_it_is_cut() -> None:
    secret = "sk-ant-api03-" + "Ab1Cd2Ef3Gh4" * 8
    title = session_title(typed_text("<ide_opened_file>The user opened a.py</ide_opened_file>\n  Deploy   with "
                                     + "x" * 50 + " " + secret))
    assert title.startswith("Deploy with x") and len(title) <= TITLE_CHARS
    assert secret[:16] not in title and "ide_opened_file" not in title
    assert typed_text("<ide_selection>lines 4 to 4</ide_selection>") == ""


ECO = Path(os.environ.get("CTXLINT_ECO_DIR") or "/tmp/ctxlint-eco")
HAND = Path(__file__).resolve().parents[1] / "benchmarks" / "ecosystem" / "outcomes.csv"


@pytest.mark.slow
@pytest.mark.parametrize("row", list(csv.DictReader(HAND.open(encoding="utf-8"))), ids=lambda r: r["path"][-24:])
def test_loops_counted_by_hand_on_real_sessions(row: dict[str, str]) -> None:
    path = ECO / f"{row['repo'].replace('/', '+')}@{row['commit'][:12]}" / row["path"]
    if not path.exists():
        pytest.skip(f"ecosystem session not checked out at {path}")
    session = audit_file(str(path)).session
    assert session is not None
    o = session["outcomes"]
    assert [o[k] for k in ("loops", "commits", "pushes", "pull_requests", "test_passes")] == [
        int(row[k]) for k in ("loops", "commits", "pushes", "pull_requests", "test_passes")]


# One line for every alternative of the evidence patterns (COMMIT_LINE, PUSH_LINE, PR_URL, TEST_PASS,
# TEST_FAIL, EXIT_CODE), in their order: evidence() finds lines through a key each alternative holds.
_EVERY_ALTERNATIVE = [
    "[main 1a2b3c4] Fix parser", "Output: [dev (root-commit) abcdef0] init",
    "   a1b2c3d..e4f5a6b  main -> main", " * [new branch]      x -> x",
    "https://github.com/o/r/pull/12", "see https://gitlab.com/o/r/-/merge_requests/7",
    "5 passed in 0.3s", "test result: ok. 3 passed; 0 failed", "Tests:       12 passed, 12 total",
    "  Tests  4 passed (4)", "ok  \tpkg/x\t0.1s", "  3 passing (20ms)", "# pass 4", "12 examples, 0 failures",
    "3 tests, 0 failures", "5 runs, 9 assertions, 0 failures, 0 errors", "OK (3 tests)", "OK", "OK (skipped=1)",
    "Passed!  - Failed:     0, Passed:    12", "100% tests passed out of 3",
    "Tests run: 4, Failures: 0, Errors: 0, Skipped: 0", "BUILD SUCCESSFUL in 3s",
    "Tests: 3 failed, 9 total", "2 errors generated.", "FAILED tests/t.py::x", "--- FAIL: TestX (0.00s)",
    "test result: FAILED. 1 passed", "Failures: 2", "Errors: 1", "BUILD FAILURE", "FAILURES!", "# fail 2",
    "Failed:     1", "Exit code: 2", "Exit Code 1", "Process exited with code 3", "Output: Exit code 1",
]


@pytest.mark.parametrize("line", _EVERY_ALTERNATIVE)
def test_every_evidence_alternative_is_found_inside_an_output(line: str) -> None:
    from ctxlint.transcripts.outcomes import _is_evidence, evidence

    assert _is_evidence(line)
    assert evidence(line) == (line.strip(),)
    assert evidence(f"collecting ...\n{line}\ndone") == (line.strip(),)


_FRAGMENTS = [*_EVERY_ALTERNATIVE, "[main 1a2b3c4] Fix parser", "   a1b2c3d..e4f5a6b  main -> main", " * [new branch]      x -> x",
              "https://github.com/o/r/pull/12", "5 passed in 0.3s", "Tests: 3 failed, 9 passed, 12 total",
              "Exit code: 2", "OK", "OK (skipped=1)", "ok  \tpkg/x\t0.1s", "FAILED tests/t.py::x", "plain output",
              "", "Tests:", "   ", "error: 1 failed", "\r", "Output: [dev (root-commit) abcdef0] init", "\u2028"]


@pytest.mark.parametrize("seed", range(40))
def test_evidence_equals_the_line_by_line_scan(seed: int) -> None:
    """evidence() searches the whole output once; it must keep exactly the lines a scan of each line
    keeps (the same lines, in order, at most EVIDENCE_LINES)."""
    import random

    from ctxlint.transcripts.outcomes import EVIDENCE_LINE_CHARS, EVIDENCE_LINES, _is_evidence, evidence

    rng = random.Random(seed)
    text = "\n".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(0, 60))) + rng.choice(["", "\n"])
    plain = [line.strip()[:EVIDENCE_LINE_CHARS] for line in text.splitlines() if _is_evidence(line)]
    assert evidence(text) == tuple(plain[:EVIDENCE_LINES])
