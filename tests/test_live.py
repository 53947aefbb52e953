"""The live commands as the agents run them: ``statusline`` and ``hook`` with the documented payloads
(tests/fixtures/hooks/), budgets, and ``coach --check-budget``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ctxlint._runtime import cache
from ctxlint.coach.collect import CollectStats, collect
from ctxlint.config import Config, parse_config
from ctxlint.core.audit import audit_file
from ctxlint.errors import ConfigError
from ctxlint.live import hooks, statusline
from tests.conftest import REPO, cli_in
from tests.transcript_builder import build

FIXTURES = REPO / "tests" / "fixtures" / "hooks"
EXAMPLE = REPO / "examples" / "session.jsonl"
ESC = "\x1b["


def payload(name: str, transcript: Path | None, **changes: Any) -> dict[str, Any]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    if transcript is not None:
        data["transcript_path"] = str(transcript)
    data.update(changes)
    return data


@pytest.fixture
def session(tmp_path: Path) -> Path:
    """The example session where Claude Code keeps one: <projects>/<project>/<id>.jsonl."""
    path = tmp_path / "projects" / "-home-dev-acme" / "5d3c9a1e.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(EXAMPLE.read_bytes())
    return path


@pytest.fixture
def inline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The statusline refreshes in its own process (no detached child in a test)."""
    monkeypatch.setattr(statusline, "spawn_refresh", lambda *args: False)


def run_statusline(data: bytes | dict[str, Any], *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    done = subprocess.run([sys.executable, "-m", "ctxlint", "statusline", *args], input=raw, capture_output=True,
                          env={**os.environ, **(env or {})}, check=False, timeout=60)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


# --- statusline -----------------------------------------------------------------------------------


def test_the_line_says_fill_room_spend_avoidable_and_one_nudge(session: Path, inline: None) -> None:
    line = statusline.line_for(payload("claude-code/statusline.json", session), color=False)
    # the fill the agent reports (8 + 520 + 12,000) over Claude Code's usable window (200K − 33K)
    assert line.startswith("ctx 7% · 154K to compact · $")
    assert "avoidable $" in line and "(measured" in line
    assert line.endswith("12K tokens from `pytest -v` — ask for less")


def test_without_the_agents_figures_the_fill_comes_from_the_transcript(session: Path, inline: None) -> None:
    line = statusline.line_for(payload("claude-code/statusline-first-render.json", session), color=False)
    assert line.startswith("ctx ") and "to compact" in line


def test_colours_unless_no_color(session: Path, inline: None) -> None:
    data = payload("claude-code/statusline.json", session)
    assert ESC in statusline.line_for(data, color=True)
    assert ESC not in statusline.line_for(data, color=False)


def test_no_color_is_respected_by_the_command(session: Path) -> None:
    env = {"CTXLINT_NO_CACHE": "1", "NO_COLOR": "1"}
    done = run_statusline(payload("claude-code/statusline.json", session), env=env)
    assert done.returncode == 0 and done.stdout.startswith("ctx ") and ESC not in done.stdout
    coloured = run_statusline(payload("claude-code/statusline.json", session), env={"CTXLINT_NO_CACHE": "1"})
    assert ESC in coloured.stdout


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"x"', b"\xff\xfe", b"{}" + b" " * (2 * 1024 * 1024),
                                 json.dumps({"transcript_path": 7}).encode(),
                                 json.dumps({"transcript_path": "/nonexistent/x.jsonl"}).encode(),
                                 json.dumps({"context_window": {"current_usage": {"input_tokens": "x"}}}).encode()])
def test_bad_input_prints_nothing_scary_and_exits_0(raw: bytes) -> None:
    done = run_statusline(raw)
    assert done.returncode == 0 and done.stderr == "" and done.stdout.strip() == ""


def test_a_transcript_that_is_not_one_still_gives_a_harmless_line(tmp_path: Path, inline: None) -> None:
    junk = tmp_path / "x.jsonl"
    junk.write_bytes(b"\x00\x01binary\n{broken")
    line = statusline.line_for(payload("claude-code/statusline.json", junk), color=False)
    assert "Traceback" not in line and len(line) < 200


def test_the_command_path_imports_neither_click_nor_the_pipeline(session: Path, inline: None) -> None:
    statusline.line_for(payload("claude-code/statusline.json", session), color=False)  # a summary to read
    code = ("import json, sys; from ctxlint.live import statusline as s; "
            f"s.line_for(json.loads({json.dumps(json.dumps(payload('claude-code/statusline.json', session)))}), False); "
            "print(sorted(m for m in sys.modules if m == 'click' or m.startswith(('ctxlint.rules', 'ctxlint.core', "
            "'ctxlint.transcripts', 'orjson', 'msgspec'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "CTXLINT_CACHE_DIR": os.environ["CTXLINT_CACHE_DIR"]})
    assert done.stdout.strip() == "[]"


def test_the_first_line_of_a_small_session_is_computed_before_it_is_printed(session: Path) -> None:
    assert statusline.line_for(payload("claude-code/statusline.json", session), color=False).startswith("ctx 7%")


def test_a_changed_transcript_is_refreshed_by_one_detached_process(session: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statusline, "INLINE_FIRST_BYTES", 0)  # as a large session
    data = payload("claude-code/statusline.json", session)
    first = statusline.line_for(data, color=False)  # no summary yet: a refresh starts
    assert first == "ctxlint: reading the session…"
    deadline = time.monotonic() + 30
    line = first
    while time.monotonic() < deadline and not line.startswith("ctx "):
        time.sleep(0.2)
        line = statusline.line_for(data, color=False)
    assert line.startswith("ctx 7%")
    with session.open("a", encoding="utf-8") as fh:  # a new record: the old summary is shown meanwhile
        fh.write('{"type":"summary","summary":"x","leafUuid":"y"}\n')
    assert statusline.line_for(data, color=False) == line


def test_chain_shows_the_users_line_first(session: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "mine.sh"
    theirs.write_text("#!/bin/sh\ncat > /dev/null\necho 'main* ~/acme'\necho second\n")
    theirs.chmod(0o755)
    done = run_statusline(payload("claude-code/statusline.json", session), "--chain", str(theirs),
                          env={"CTXLINT_NO_CACHE": "1", "NO_COLOR": "1"})
    assert done.stdout.startswith("main* ~/acme │ ctx 7%")
    broken = run_statusline(b"{", "--chain", "exit 3")
    assert broken.returncode == 0 and broken.stdout.strip() == ""


def test_a_session_budget_is_the_nudge(session: Path, inline: None, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".ctxlint.yaml").write_text("budget:\n  session: {usd: 0.05}\n")
    data = payload("claude-code/statusline.json", session, cwd=str(project), workspace={"project_dir": str(project)})
    assert "session budget $0.05 exceeded: $0.18 spent" in statusline.line_for(data, color=False)


def test_a_secret_in_a_command_never_reaches_the_line(tmp_path: Path, inline: None) -> None:
    key = "sk-ant-api03-" + "A1b2C3d4E5" * 5
    files = build({"agent": "claude-code", "steps": [
        {"prompt": "Run the API test"}, {"bash": f"curl -H 'x-api-key: {key}' https://api.example.com", "tokens": 30000},
        {"requests": 2}]})
    (_, text), = ((r, t) for r, t in files.items() if r.endswith(".jsonl"))
    path = tmp_path / "s.jsonl"
    path.write_text(text, encoding="utf-8")
    line = statusline.line_for(payload("claude-code/statusline.json", path), color=False)
    assert "from `curl" in line and key[:20] not in line


# --- hooks ----------------------------------------------------------------------------------------


def run_hook(data: dict[str, Any], *args: str) -> dict[str, Any] | None:
    from click.testing import CliRunner

    from ctxlint.cli.main import main

    out = CliRunner().invoke(main, ["hook", *args], input=json.dumps(data), catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return json.loads(out.output) if out.output.strip() else None


@pytest.mark.parametrize("event", ["stop.json", "subagent-stop.json", "pre-compact-auto.json", "pre-compact-manual.json",
                                   "session-end.json"])
def test_claude_code_events_answer_the_user_only(event: str, session: Path) -> None:
    answer = run_hook(payload(f"claude-code/{event}", session, cwd=str(REPO / "examples")))
    if answer is None:
        assert event == "subagent-stop.json"  # nothing new in the session
        return
    assert set(answer) == {"systemMessage", "suppressOutput"} and answer["suppressOutput"] is True
    assert answer["systemMessage"].startswith("ctxlint: ")


def test_a_turn_end_says_only_what_is_new(session: Path) -> None:
    data = payload("claude-code/stop.json", session)
    first = run_hook(data)
    assert first is not None and "12K tokens from `pytest -v` — ask for less" in first["systemMessage"]
    assert run_hook(data) is None


def test_a_budget_is_named_once_at_a_turns_end(session: Path, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".ctxlint.yaml").write_text("budget:\n  session: {usd: 0.05}\n")
    first = run_hook(payload("claude-code/stop.json", session, cwd=str(project)))
    assert first is not None and "session budget $0.05 exceeded: $0.18 spent" in first["systemMessage"]
    with session.open("a", encoding="utf-8") as fh:  # the session goes on: more spend, the same budget
        fh.write(EXAMPLE.read_text(encoding="utf-8").splitlines()[-1].replace("msg_", "msg_x").replace("req_", "req_x")
                 + "\n")
    assert run_hook(payload("claude-code/stop.json", session, cwd=str(project))) is None


def test_session_end_fills_the_coachs_cache(session: Path) -> None:
    answer = run_hook(payload("claude-code/session-end.json", session))
    assert answer is not None and "$0.18 spent this session" in answer["systemMessage"]
    stats = CollectStats()
    (cached,) = collect([str(session.parent)], Config(), stats=stats)
    assert (stats.files, stats.cached, stats.computed) == (1, 1, 0)
    fresh = audit_file(str(session), Config())  # what the coach would have computed
    assert (cached.session, cached.findings, cached.timeline) == (fresh.session, fresh.findings, fresh.timeline)
    from ctxlint import __version__
    from ctxlint.live.session import LIVE, STATE

    assert cache.get(LIVE, STATE + str(session), f"{__version__}:{Config().result_key()}") is None  # it is over


def test_inject_is_opt_in_and_only_where_the_agent_allows_it(session: Path) -> None:
    prompt = payload("claude-code/user-prompt-submit.json", session)
    assert run_hook(prompt) is None  # by default a prompt is not answered at all
    injected = run_hook(prompt, "--inject")
    assert injected == {"hookSpecificOutput": {"hookEventName": "UserPromptSubmit", "additionalContext":
                                               "ctxlint (context hygiene): 12K tokens from `pytest -v` — ask for less"}}
    assert run_hook(prompt, "--inject") is None  # never the same line twice
    stop = run_hook(payload("claude-code/stop.json", session), "--inject")
    assert stop is None or set(stop) == {"systemMessage", "suppressOutput"}  # no block, no context on Stop


@pytest.mark.parametrize("raw", ["", "{", "[]", json.dumps({"hook_event_name": "Stop"}),
                                 json.dumps({"hook_event_name": "Stop", "transcript_path": "/nonexistent"})])
def test_a_bad_event_is_answered_with_nothing(raw: str) -> None:
    from click.testing import CliRunner

    from ctxlint.cli.main import main

    out = CliRunner().invoke(main, ["hook"], input=raw, catch_exceptions=False)
    assert out.exit_code == 0 and out.output == ""


def codex_home(tmp_path: Path, thread: str) -> Path:
    files = build({"agent": "codex", "steps": [{"prompt": "Fix the discount test"}, {"read": "src/app.py", "tokens": 9000},
                                                 {"requests": 2}, {"read": "src/app.py", "tokens": 9000}, {"requests": 2}]})
    (_, text), = ((r, t) for r, t in files.items() if r.endswith(".jsonl"))
    rollout = tmp_path / "codex" / "sessions" / "2026" / "08" / "06" / f"rollout-2026-08-06T09-20-00-{thread}.jsonl"
    rollout.parent.mkdir(parents=True)
    rollout.write_text(text, encoding="utf-8")
    return rollout


def test_codex_notify_finds_the_rollout_and_runs_the_chained_notifier(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    notify = json.loads((FIXTURES / "codex" / "notify-agent-turn-complete.json").read_text(encoding="utf-8"))
    rollout = codex_home(tmp_path, notify["thread-id"])
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    assert hooks.codex_rollout(notify["thread-id"]) == str(rollout)
    assert hooks.codex_rollout("../../etc") is None
    got = tmp_path / "notified.json"
    mine = tmp_path / "mine.sh"
    mine.write_text(f"#!/bin/sh\nprintf '%s' \"$2\" > {got}\n")
    mine.chmod(0o755)
    from click.testing import CliRunner

    from ctxlint.cli.main import main

    out = CliRunner().invoke(main, ["hook", "--agent", "codex", "--", str(mine), "--sound", json.dumps(notify)],
                             catch_exceptions=False)
    assert out.exit_code == 0 and out.output == ""  # Codex ignores a notifier's output
    deadline = time.monotonic() + 10
    while not got.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert json.loads(got.read_text()) == notify
    stats = CollectStats()
    collect([str(rollout)], Config(), stats=stats)
    assert stats.cached == 1  # the turn's audit is the coach's


def test_codex_stop_hook_answers_the_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads((FIXTURES / "codex" / "stop.json").read_text(encoding="utf-8"))
    rollout = codex_home(tmp_path, data["session_id"])
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codex"))
    data["transcript_path"] = None  # nullable: found by the session id
    answer = run_hook(data, "--agent", "codex")
    assert answer is not None and set(answer) == {"systemMessage", "suppressOutput"}
    assert "read of app.py" in answer["systemMessage"]
    assert rollout.exists()


def test_gemini_hooks_print_json_only(tmp_path: Path) -> None:
    from tests.test_readers import gemini_msg

    doc = {"sessionId": "gs", "projectHash": "h", "startTime": "2026-03-01T10:00:00Z",
           "messages": [{"id": "u1", "timestamp": "2026-03-01T10:00:30Z", "type": "user", "content": "hi"},
                        gemini_msg(1, 1000, 0), gemini_msg(2, 9000, 1000)]}
    chat = tmp_path / "chats" / "session-2026-03-01T10-00-abc.json"
    chat.parent.mkdir()
    chat.write_text(json.dumps(doc))
    for event in ("after-agent.json", "pre-compress.json", "session-end.json"):
        answer = run_hook(payload(f"gemini/{event}", chat), "--agent", "gemini")
        assert answer is None or set(answer) == {"systemMessage"}
    assert run_hook(payload("gemini/pre-compress.json", chat), "--agent", "gemini") is not None


# --- budgets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "error"), [
    ({"budget": {"sesion": {"usd": 5}}}, "unknown key 'sesion'; did you mean 'session'?"),
    ({"budget": {"week": {"dollars": 5}}}, "budget.week: unknown key 'dollars'"),
    ({"budget": {"session": {"usd": -1}}}, "budget.session.usd: expected a positive number"),
    ({"budget": {"session": {"tokens": 1.5}}}, "expected a whole number of tokens"),
    ({"budget": {"week": {"avoidable-share": 25}}}, "expected a share between 0 and 1"),
    ({"budget": ["x"]}, "budget: expected a table"),
    ({"budgets": {}}, "unknown key 'budgets'; did you mean 'budget'?"),
])
def test_budget_keys_are_validated_like_the_rest(raw: dict[str, Any], error: str) -> None:
    with pytest.raises(ConfigError, match=error.replace("(", r"\(").replace(")", r"\)").replace("$", r"\$")):
        parse_config(raw, "pyproject.toml")


def test_a_budget_changes_no_cached_result() -> None:
    budgeted = parse_config({"budget": {"session": {"usd": 1}}}, "x")
    assert budgeted.budget.session.usd == 1 and budgeted.result_key() == Config().result_key()


def test_check_budget_fails_ci_saying_which_and_by_how_much(session: Path, tmp_path: Path) -> None:
    config = tmp_path / "ctxlint.yaml"
    config.write_text("budget:\n  session: {usd: 0.10, avoidable-share: 0.9}\n  week: {tokens: 100000}\n")
    out = cli_in(tmp_path, ["coach", str(session.parent), "--check-budget", "--config", str(config),
                            "--until", "2026-11-20"])
    assert out.exit_code == 1
    lines = out.output.splitlines()
    assert any("session budget $0.10 exceeded: $0.18 spent (+" in line for line in lines), out.output
    assert any(line.startswith("ctxlint: budget exceeded: project /home/dev/acme-billing: project's week budget 100K "
                               "tokens exceeded") for line in lines), out.output
    config.write_text("budget:\n  session: {usd: 10}\n")
    ok = cli_in(tmp_path, ["coach", str(session.parent), "--check-budget", "--config", str(config)])
    assert ok.exit_code == 0 and "within budget (1 session(s)" in ok.output
    config.write_text("select: [CTX201]\n")
    none = cli_in(tmp_path, ["coach", str(session.parent), "--check-budget", "--config", str(config)])
    assert none.exit_code == 2


def test_no_cache_means_nothing_is_kept(session: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXLINT_NO_CACHE", "1")
    cache.reset()
    assert statusline.line_for(payload("claude-code/statusline.json", session), color=False).startswith("ctx 7%")
    assert cache.get(statusline.LINE, str(session)) is None
