"""The coach's reports agree with each other and with `check` (issue 19): every habit has its sessions
with real lines in every format (no "line N" placeholder anywhere), one window model for check's
CTX206 and the coach's text, JSON and charts, the spend says what is unpriced, the page stays one
small self-contained file, and a real browser can open a habit to its sessions."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ctxlint.cli.main import main
from ctxlint.coach import outcomes
from ctxlint.coach.aggregate import aggregate
from ctxlint.model import Basis, FileResult, Finding, Severity
from ctxlint.reporters.coach import spend
from ctxlint.reporters.coach.html import render as render_html
from ctxlint.reporters.coach.markdown import render as render_markdown
from tests.test_coach import write_session
from tests.test_coach_html import chromium

COMMIT = "[main 1a2b3c4] Fix it\n 1 file changed, 2 insertions(+)"
FORMATS = ("text", "json", "markdown", "html")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two Claude Code sessions (one re-reads a file, runs near the limit and commits; one stays
    open) and a Codex session near its limit."""
    root = tmp_path_factory.mktemp("history")
    write_session(root / "claude" / "a.jsonl", [
        {"prompt": "Fix the login bug in app.py"}, {"read": "app.py", "tokens": 6000}, {"requests": 2},
        {"read": "app.py", "tokens": 6000}, {"edit": "app.py"},
        *({"read": f"src/m{i}.py", "tokens": 9000} for i in range(14)), {"requests": 12},
        {"bash": "git commit -am fix", "output": COMMIT, "exact": True, "tokens": 40},
    ], session="aaaaaaaa-2222-4333-8444-555555555555")
    write_session(root / "claude" / "b.jsonl", [
        {"prompt": "Add a cache to the API"}, {"read": "api.py", "tokens": 3000}, {"requests": 2},
        {"read": "api.py", "tokens": 3000}, {"edit": "api.py"}, {"requests": 1},
    ], session="bbbbbbbb-2222-4333-8444-555555555555")
    write_session(root / "codex" / "rollout-2026-11-02T09-00-00-cccccccc.jsonl", [
        {"prompt": "Refactor the parser"}, {"edit": "parser.py"},
        *({"read": f"src/p{i}.py", "tokens": 9000} for i in range(25)), {"requests": 12},
    ], agent="codex")
    return root


def coach(history: Path, fmt: str) -> str:
    res = CliRunner().invoke(main, ["coach", str(history), "--format", fmt, "--no-config", "--no-cache"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


def check_json(path: Path) -> dict[str, Any]:
    res = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--no-config", "--fail-on", "never",
                                    "--no-cache"], catch_exceptions=False)
    return dict(json.loads(res.stdout))


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_line_placeholder_in_any_format(history: Path, fmt: str) -> None:
    out = coach(history, fmt)
    assert not re.search(r"\bline N\b|\blines N\b", out)
    assert "CTX201" in out and re.search(r"line \d+", out)  # the real lines are there instead


def test_json_carries_the_findings_of_each_session(history: Path) -> None:
    data = json.loads(coach(history, "json"))
    reread = next(h for h in data["habits"] if h["rule_id"] == "CTX201")
    titles = {x["title"] for x in reread["sessions_list"]}
    assert titles == {"Fix the login bug in app.py", "Add a cache to the API"}
    for x in reread["sessions_list"]:
        assert x["project"] == "/work/app" and x["started_at"] and x["tokens"] > 0
        for f in x["findings"]:
            assert f["line"] > 1 and f["quote"] and f["basis"] in ("measured", "modelled", "estimated")
            assert f["command"] == f"ctxlint check {f['path']} --select CTX201"
    # the example fix is a real finding's, with its real line
    assert re.search(r"\d", reread["example_fix"] or "0")


def test_outcomes_in_every_format(history: Path) -> None:
    data = json.loads(coach(history, "json"))
    o = data["outcomes"]
    b = o["totals"]
    assert (b["loops"], b["commits"], b["completed"], b["open"], b["no-edits"]) == (1, 1, 1, 2, 0)
    assert b["tokens_per_loop"] == data["totals"]["input_tokens_all"]  # one loop: every token bought it
    assert "What the tokens bought" in coach(history, "text")
    md = coach(history, "markdown")
    assert "### What the tokens bought" in md and "| **all** | 1 |" in md
    assert "data-table='outcomes'" in coach(history, "html")


def test_one_window_model_for_check_and_the_coach(history: Path) -> None:
    data = json.loads(coach(history, "json"))
    page = coach(history, "html")
    for path, usable in ((history / "claude" / "a.jsonl", 167_000),
                         (history / "codex" / "rollout-2026-11-02T09-00-00-cccccccc.jsonl", 258_400)):
        (near,) = [f for f in check_json(path)["findings"] if f["rule_id"] == "CTX206"]
        run = int(re.match(r"(\d+) consecutive requests above 80% of the usable ([\d,]+)-token window",
                           near["message"]).group(1))  # type: ignore[union-attr]
        assert f"usable {usable:,}-token window" in near["message"]
        (session,) = [s for s in data["sessions"] if s["path"].endswith(path.name)]
        assert session["usable_window"] == usable and session["requests_above_80pct"] >= run
        assert f'data-usable="{usable}"' in page
    text = coach(history, "text")
    assert "of the usable 167,000-token window" in text and "of 200,000" not in text


def test_fix_texts_render_code_as_code(history: Path) -> None:
    page = coach(history, "html")
    fixes = re.findall(r"<p><b>Fix:</b>(.*?)</p>", page)
    assert fixes and all("`" not in f for f in fixes) and any("<code>" in f for f in fixes)


def test_spend_says_what_is_unpriced() -> None:
    t = {"cost_usd": 76.89, "requests": 2559, "unpriced_requests": 475, "largest_session_unpriced": True}
    assert spend(t) == "$76.89 (475 of 2,559 requests unpriced, incl. the largest session)"
    assert spend({"cost_usd": 1.0, "requests": 3, "unpriced_requests": 0}) == "$1.00"


def _result(i: int, *, cost: float | None, tokens: int, loops: int = 0, rule: str = "CTX201",
            waste: int = 1000, waste_usd: float | None = 0.1, project: str = "/p/app",
            started: str = "2026-03-02T10:00:00Z", points: int = 400) -> FileResult:
    session = {"agent": "claude-code", "session_id": f"s{i}", "is_subagent": False, "started_at": started,
               "requests": points, "input_tokens": tokens, "cache_creation_input_tokens": 0,
               "cache_read_input_tokens": 0, "output_tokens": 10, "peak_context_tokens": 150_000,
               "context_window": 200_000, "usable_window": 167_000, "requests_near_limit": 3, "compactions": 0,
               "cost_usd": cost, "unpriced_requests": 0 if cost is not None else points, "project": project,
               "title": f"Task number {i} with a long first prompt", "models": ["claude-sonnet-4-6"],
               "outcomes": {"status": "completed" if loops else "open", "loops": loops, "commits": loops,
                            "pushes": 0, "pull_requests": 0, "test_passes": 0, "edits": 3, "ends_open": False}}
    timeline = {"context": [(j * 997 + i * 131) % 160_000 for j in range(points)], "step": 1, "compactions": [],
                "clears": [], "window": 200_000, "usable": 167_000}
    findings = [Finding(rule_id=rule, rule_name="repeated-read", severity=Severity.WARNING, path=f"h/{i}.jsonl",
                        line=40 + k, end_line=40 + k, message=f"re-read of src/mod_{k}.py at line {40 + k}",
                        fix=f"refer to the read at line {30 + k}", tokens_wasted=waste, cost_wasted_usd=waste_usd,
                        fingerprint=f"{i}-{k}", kind="transcript", basis=Basis.MEASURED) for k in range(3)]
    return FileResult(path=f"h/{i}.jsonl", kind="transcript", agent="claude-code", session=session,
                      timeline=timeline, findings=findings)


def test_habits_rank_by_dollars_and_unpriced_sessions_stay_in_the_charts() -> None:
    rows = [_result(1, cost=5.0, tokens=100_000), _result(2, cost=None, tokens=900_000, waste_usd=None),
            _result(3, cost=2.0, tokens=50_000, rule="CTX210", waste=0, waste_usd=0.9)]
    data = aggregate(rows, meta={})
    # a zero-token habit with dollars ranks by its dollars, first, not last with an empty bar
    assert [h["rule_id"] for h in data["habits"]] == ["CTX210", "CTX201"] and data["habits_ranked_by"] == "cost"
    assert data["habits"][1]["unpriced_tokens"] == 3000
    # the largest session is unpriced: it is said, and it is still the first chart
    assert data["totals"]["largest_session_unpriced"] and data["totals"]["unpriced_sessions"] == 1
    assert data["costliest_chosen_by"] == "tokens" and data["costliest"][0]["path"] == "h/2.jsonl"
    page = render_html({**data, "instructions": []})
    assert 'data-measure="cost"' in page
    # a cost with no tokens of its own is said as such, never as "0 tokens" (which reads as a mistake)
    from ctxlint.reporters.coach.text import render as render_text

    for shown in (render_text(data, color=False), render_markdown(data), page):
        assert "a higher rate, no extra tokens" in shown
        assert re.search(r"(?<![\d,.])0 tokens", shown) is None, shown


def test_spikes_are_questions_with_their_sessions() -> None:
    weeks = [{"project": "/p/a", "week": f"2026-W{10 + i}", "tokens_per_loop": v} for i, v in
             enumerate([100, 120, 90, 110, 900])]
    sessions = [{"project": "/p/a", "key": f"k{i}", "title": f"t{i}", "week": f"2026-W{10 + i}",
                 "tokens_per_loop": v, "started_at": None, "path": f"{i}.jsonl", "loops": 1}
                for i, v in enumerate([100, 120, 90, 110, 900])]
    found = outcomes.spikes(weeks, sessions)
    assert [(s["kind"], s["week"]) for s in found] == [("week", "2026-W14"), ("session", "2026-W14")]
    assert found[0]["ratio"] == 8.2 and found[0]["sessions"][0]["title"] == "t4"
    assert outcomes.spikes(weeks[:2], sessions[:2]) == []  # two points make no median to compare with


def thousand_sessions() -> str:
    rows = [_result(i, cost=1.0 + i % 7, tokens=200_000 + i * 1000, loops=i % 3,
                    rule=("CTX201", "CTX202", "CTX206", "CTX210")[i % 4], project=f"/p/project-{i % 12}",
                    started=f"2026-{1 + i % 12:02d}-{1 + i % 27:02d}T10:00:00Z") for i in range(1000)]
    data = aggregate(rows, meta={})
    data["instructions"] = []
    return render_html(data)


def test_the_page_for_1000_sessions_is_one_file_under_2_mb() -> None:
    page = thousand_sessions()
    assert len(page.encode()) < 2 * 1024 * 1024
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page) and "<script" not in page
    assert page.count("<details class='habit'") == 4 and "id='fill-0'" in page


def _cdp(browser: str, page: Path, script: str, profile: Path) -> Any:
    """Evaluate ``script`` in ``page`` through the DevTools protocol over a pipe (no network, no driver)."""
    read_chrome, to_chrome = os.pipe()
    from_chrome, write_chrome = os.pipe()
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "about:blank"]
    # the protocol pipe is fds 3 (commands in) and 4 (replies out) of the browser
    shell = f'exec "$0" "$@" 3<&{read_chrome} 4>&{write_chrome}'
    proc = subprocess.Popen(["bash", "-c", shell, browser, *args], pass_fds=(read_chrome, write_chrome),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(read_chrome)
    os.close(write_chrome)
    buffer = b""
    ids = iter(range(1, 10_000))

    def call(method: str, params: dict[str, Any], session: str | None = None) -> dict[str, Any]:
        nonlocal buffer
        n = next(ids)
        message: dict[str, Any] = {"id": n, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in buffer:
                chunk = os.read(from_chrome, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                buffer += chunk
            raw, buffer = buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == n:
                return dict(reply.get("result") or {})

    try:
        target = call("Target.createTarget", {"url": page.as_uri()})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for _ in range(100):
            state = call("Runtime.evaluate", {"expression": "document.readyState === 'complete' && "
                                                            "location.protocol === 'file:'", "returnByValue": True},
                         session)
            if state.get("result", {}).get("value") is True:
                break
            time.sleep(0.1)
        value = call("Runtime.evaluate", {"expression": script, "returnByValue": True}, session)
        assert "value" in value.get("result", {}), value
        return json.loads(value["result"]["value"])
    finally:
        proc.kill()
        proc.wait(timeout=30)
        os.close(to_chrome)
        os.close(from_chrome)


EXPAND = """(() => {
  const habit = document.querySelector('details.habit');
  const session = habit.querySelector('details.session > summary');
  const before = session.checkVisibility();
  habit.querySelector('summary').click();
  const after = session.checkVisibility();
  const finding = habit.querySelector('details.session li');
  const hiddenFinding = finding.checkVisibility();
  session.click();
  return JSON.stringify({before, after, hiddenFinding, shownFinding: finding.checkVisibility(),
    sessionText: session.textContent, outcomes: !!document.querySelector("table[data-table='outcomes']"),
    resources: performance.getEntriesByType('resource').map(r => r.name)});
})()"""


@pytest.mark.slow
def test_a_browser_opens_a_habit_to_its_sessions(tmp_path: Path, history: Path) -> None:
    browser = chromium()
    if browser is None:
        pytest.skip("chromium is not installed")
    page = tmp_path / "coach.html"
    page.write_text(coach(history, "html"), encoding="utf-8")
    seen = _cdp(browser, page, EXPAND, tmp_path / "profile")
    assert seen["before"] is False and seen["after"] is True  # closed, a habit hides its sessions; opened, shows them
    assert seen["hiddenFinding"] is False and seen["shownFinding"] is True  # a session opens to its findings
    assert "“" in seen["sessionText"] and ".jsonl" not in seen["sessionText"]  # named by project and title
    assert seen["outcomes"] and seen["resources"] == []  # an outcome table; nothing loaded from anywhere


def test_markdown_keeps_code_and_escapes_the_rest() -> None:
    data = aggregate([_result(1, cost=1.0, tokens=10_000, loops=1)],
                     meta={"CTX201": {"name": "repeated-read", "summary": "s", "fix": "Use `Read` with | pipes <b>"}})
    md = render_markdown(data)
    assert "`Read`" in md and "\\|" in md and "<b>" not in md and "<details>" in md
