"""`ctxlint coach`: aggregation over sessions (subagent roll-up, habits, fixes, trend, health),
instruction-file cost joined with measured requests, `check --history`, and the CLI on the corpus
laid out as real agent stores."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from ctxlint.cli.main import main
from ctxlint.coach.aggregate import Filters, aggregate, generic_fix, session_key
from ctxlint.coach.collect import collect
from ctxlint.coach.history import requests_per_session
from ctxlint.coach.instructions import instruction_costs, instruction_sentence
from ctxlint.config import Config
from ctxlint.errors import InputError
from ctxlint.model import Basis, FileResult, Finding, Severity
from tests.conftest import CORPUS
from tests.transcript_builder import build

BUILDER_CWD = "/work/app"
BUILDER_SESSION = "11111111-2222-4333-8444-555555555555"


def load_layout() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "layout_stores.py"
    spec = importlib.util.spec_from_file_location("layout_stores", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.CORPUS = CORPUS / "transcripts"  # type: ignore[attr-defined]
    return module


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (CORPUS / "transcripts" / "claude-code").is_dir():
        pytest.skip(f"shared corpus not available at {CORPUS}")
    return Path(load_layout().layout(tmp_path_factory.mktemp("stores")))


def write_session(path: Path, steps: list[dict[str, Any]], *, cwd: str = BUILDER_CWD, session: str = BUILDER_SESSION,
                  agent: str = "claude-code") -> Path:
    (text,) = build({"agent": agent, "steps": steps}).values()
    text = text.replace(json.dumps(BUILDER_CWD)[1:-1], json.dumps(cwd)[1:-1]).replace(BUILDER_SESSION, session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def finding(rule: str, tokens: int, fix: str, cost: float = 0.01, basis: Basis = Basis.MEASURED) -> Finding:
    return Finding(rule_id=rule, rule_name=rule.lower(), severity=Severity.WARNING, path="x", line=1, end_line=1,
                   message="m", fix=fix, tokens_wasted=tokens, cost_wasted_usd=cost, fingerprint=rule, kind="transcript",
                   basis=basis)


def result(path: str, sid: str, *, subagent: bool = False, started: str = "2026-03-02T10:00:00Z", requests: int = 10,
           findings: list[Finding] | None = None, project: str = "/p/app", cost: float | None = 1.0) -> FileResult:
    session = {"agent": "claude-code", "session_id": sid, "is_subagent": subagent, "started_at": started,
               "requests": requests, "input_tokens": 100, "cache_creation_input_tokens": 1000,
               "cache_read_input_tokens": 9000, "output_tokens": 50, "peak_context_tokens": 170_000,
               "context_window": 200_000, "compactions": 1, "cost_usd": cost, "price_table": "genai-prices test",
               "project": project, "models": ["claude-sonnet-4-6"]}
    timeline = {"context": [20_000 * (i + 1) for i in range(requests)], "step": 1, "compactions": [5], "clears": [],
                "window": 200_000}
    return FileResult(path=path, kind="transcript", agent="claude-code", session=session, timeline=timeline,
                      findings=findings or [])


def test_subagents_roll_into_their_session_and_habits_rank_with_one_fix() -> None:
    rows = [
        result("p/a.jsonl", "A", findings=[finding("CTX201", 500, "refer to the earlier result (line 12)"),
                                           finding("CTX201", 300, "refer to the earlier result (line 40)")]),
        result("p/a/subagents/agent-1.jsonl", "A", subagent=True, requests=5,
               findings=[finding("CTX202", 2000, "pipe through `head -c 4000`")]),
        result("p/b.jsonl", "B", started="2026-03-10T10:00:00Z", findings=[finding("CTX201", 100, "x at line 7")]),
        result("p/c/subagents/agent-2.jsonl", "C", subagent=True),  # a subagent whose parent is not here
    ]
    rows[2].findings.append(finding("CTX206", 5000, "compact earlier", cost=0.02, basis=Basis.MODELLED))
    data = aggregate(rows, meta={"CTX201": {"name": "repeated-read", "summary": "s", "fix": "Refer to it.\n\nMore."},
                                 "CTX202": {"name": "oversized-tool-output", "summary": "s", "fix": "Filter it."}})
    t = data["totals"]
    assert t["sessions"] == 2 and t["files"] == 4  # subagent files are never sessions of their own
    assert t["requests"] == 10 + 5 + 10 + 10  # ... but their requests and tokens count
    assert t["input_tokens_all"] == 4 * 10_100 and t["price_table"] == "genai-prices test"
    # ranked by avoidable dollars where priced ($0.03, $0.02, $0.01), the same order everywhere
    assert [h["rule_id"] for h in data["habits"]] == ["CTX201", "CTX206", "CTX202"]
    assert data["habits_ranked_by"] == "cost"
    second, modelled, top = data["habits"]
    assert modelled["basis"] == "modelled" and top["basis"] == second["basis"] == "measured"
    # measured waste and modelled savings are totalled apart
    assert data["waste"]["by_basis"]["measured"] == {"tokens": 2900, "cost_usd": 0.04}
    assert data["waste"]["by_basis"]["modelled"] == {"tokens": 5000, "cost_usd": 0.02}
    assert (top["findings"], top["sessions"], top["tokens_wasted"]) == (1, 1, 2000)  # counted on the parent session
    assert (second["findings"], second["sessions"], second["tokens_wasted"]) == (3, 2, 900)
    assert second["fix"] == "Refer to it."  # the ONE fix: the rule's own fix text
    # the example is a real finding's fix, with its real line, and the session it is from
    assert second["example_fix"] == "refer to the earlier result (line 12)" and second["example_fix_count"] == 2
    assert second["example_session"]["path"] == "p/a.jsonl"
    # the drill-down: each session of the habit, its findings with real lines and the command to see them
    sessions = second["sessions_list"]
    assert [(x["path"], x["tokens"], len(x["findings"])) for x in sessions] == [("p/a.jsonl", 800, 2), ("p/b.jsonl", 100, 1)]
    assert sessions[0]["findings"][0]["command"] == "ctxlint check x --select CTX201"
    assert data["waste"]["tokens"] == 2900 + 5000 <= t["input_tokens_all"]
    assert data["by_rule"]["CTX201"] == {"tokens_wasted": 900, "findings": 3}
    # ISO weeks; a subagent's tokens land in its parent's week
    weeks = {w["week"]: w for w in data["weekly"]}
    assert weeks["2026-W10"]["sessions"] == 1 and weeks["2026-W10"]["tokens_wasted"] == 2800
    assert weeks["2026-W11"]["sessions"] == 1
    # context health per main session
    health = {h["path"]: h for h in data["sessions"]}
    assert set(health) == {"p/a.jsonl", "p/b.jsonl"}
    a = health["p/a.jsonl"]
    # fill on the usable window (200k - 33k = 167k, as CTX206): 170k is above it
    assert a["usable_window"] == 167_000 and a["peak_fill"] == round(170_000 / 167_000, 4)
    assert a["compactions"] == 1 and a["subagent_files"] == 1
    assert a["requests_above_80pct"] == 4  # 140k, 160k, 180k, 200k are above 80% of 167k
    assert a["requests"] == 15 and a["cost_usd"] == 2.0
    assert not any("person" in k for k in data)


def test_filters_by_date_project_and_agent() -> None:
    rows = [result("a.jsonl", "A", started="2026-01-05T00:00:00Z", project="/p/one"),
            result("b.jsonl", "B", started="2026-02-05T00:00:00Z", project="/p/two")]
    assert aggregate(rows, Filters(since=date(2026, 2, 1)))["totals"]["sessions"] == 1
    assert aggregate(rows, Filters(until=date(2026, 1, 5)))["totals"]["sessions"] == 1
    assert aggregate(rows, Filters(project="one"))["totals"]["sessions"] == 1
    assert aggregate(rows, Filters(agent="codex"))["totals"]["sessions"] == 0


def test_generic_fix_drops_line_numbers() -> None:
    assert generic_fix("run /clear before the prompt at line 412") == "run /clear before the prompt at line N"
    assert generic_fix("refer to `a.py` (line 9) instead") == "refer to `a.py` instead"


def test_session_key_of_subagent_without_id() -> None:
    r = FileResult(path="x/S1/subagents/agent-a.jsonl", kind="transcript", agent="claude-code",
                   session={"is_subagent": True})
    assert session_key(r) == "claude-code:S1"


def test_instruction_cost_joins_measured_requests(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    dup = "- Always run the full test suite with pytest before you commit any change.\n"
    (project / "CLAUDE.md").write_text("# Repo\n\n" + dup + dup + "Use ruff for linting.\n" + "word " * 600 + "\n")
    history = tmp_path / "history"
    steps: list[dict[str, Any]] = [{"prompt": "Fix the bug"}, {"read": "src/app.py", "tokens": 2000}, {"requests": 6}]
    write_session(history / "one.jsonl", steps, cwd=str(project), session="s1")
    write_session(history / "two.jsonl", steps, cwd=str(project), session="s2")
    config = Config()
    results = collect([str(history)], config, jobs=1)
    assert len(results) == 2
    costs = instruction_costs(results, config, project_roots=[str(tmp_path)])  # not under HOME
    assert len(costs) == 1
    item = costs[0]
    requests = sum(r.session["requests"] for r in results if r.session)
    assert item["agent"] == "claude-code" and item["requests"] == requests > 0
    assert item["tokens_per_request"] > 600 and item["tokens"] == item["tokens_per_request"] * requests
    assert item["cost_usd"] is not None and item["cost_usd"] > 0
    assert "cache-read" in item["assumption"]
    sentence = instruction_sentence(item)
    assert sentence.startswith("CLAUDE.md (") and f"{requests:,} claude-code requests" in sentence
    if item["removable_tokens_per_request"]:
        assert "CTX104" in item["removable_by_rule"] and "findings remove" in sentence
    # `check --history` measures the median requests per main session
    assert requests_per_session(str(history), config) == requests // 2


def test_history_rolls_subagents_into_their_session(tmp_path: Path) -> None:
    write_session(tmp_path / "s1.jsonl", [{"prompt": "a"}, {"requests": 4}], session="s1")
    write_session(tmp_path / "s1" / "subagents" / "agent-x.jsonl", [{"prompt": "b"}, {"requests": 2}], session="s1")
    write_session(tmp_path / "s2.jsonl", [{"prompt": "a"}, {"requests": 9}], session="s2")
    results = collect([str(tmp_path)], Config(), jobs=1)
    per = {Path(r.path).name: r.session["requests"] for r in results if r.session}
    sub = [r for r in results if r.session and r.session.get("is_subagent")]
    if not sub:
        pytest.skip("reader does not mark builder subagent files (no isSidechain rows)")
    expected = sorted([per["s1.jsonl"] + per["agent-x.jsonl"], per["s2.jsonl"]])
    assert requests_per_session(str(tmp_path), Config()) == round(sum(expected) / 2)
    (tmp_path / "empty").mkdir()
    assert requests_per_session(str(tmp_path / "empty"), Config()) is None
    with pytest.raises(InputError, match="no such file"):  # a mistyped --history is said, not ignored
        requests_per_session(str(tmp_path / "nothing"), Config())


def test_coach_on_the_corpus_stores(stores: Path) -> None:
    runner = CliRunner()
    targets = [str(stores / "claude" / "projects"), str(stores / "codex" / "sessions")]
    res = runner.invoke(main, ["coach", *targets, "--format", "json", "--no-config", "--jobs", "2"],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)  # nothing but JSON on stdout
    t = data["totals"]
    subagents = len(list((stores / "claude" / "projects").rglob("subagents/*.jsonl")))
    assert subagents > 0 and t["files"] >= t["sessions"] + subagents
    assert t["sessions"] >= 20 and t["requests"] > 1000 and t["price_table"]
    assert 0 < data["waste"]["tokens"] <= t["input_tokens_all"]
    habits = data["habits"]
    assert habits and all(h["fix"] for h in habits)
    # one ranking: by avoidable dollars where priced, a zero-token habit with dollars included
    assert data["habits_ranked_by"] == "cost"
    assert [h["cost_wasted_usd"] for h in habits] == sorted((h["cost_wasted_usd"] for h in habits), reverse=True)
    # every habit lists its sessions with their findings: real lines, the command that shows them
    for h in habits:
        assert h["sessions_list"] and len(h["sessions_list"]) + h["more_sessions"] == h["sessions"]
        for x in h["sessions_list"]:
            assert x["findings"] and all(f["line"] >= 1 and f["command"].endswith(f"--select {h['rule_id']}")
                                         for f in x["findings"])
    # what the tokens bought, and what the spend leaves out
    o = data["outcomes"]["totals"]
    assert o["sessions"] == t["sessions"] and o["completed"] + o["open"] + o["no-edits"] == o["sessions"]
    assert o["loops"] > 0 and o["tokens_per_loop"] == round(t["input_tokens_all"] / o["loops"])
    assert t["unpriced_requests"] > 0 and isinstance(t["largest_session_unpriced"], bool)
    assert all(h["sessions"] <= t["sessions"] for h in habits)
    assert sum(v["tokens_wasted"] for v in data["by_rule"].values()) == data["waste"]["tokens"]
    assert data["weekly"] and all(w["week"] == "unknown" or "-W" in w["week"] for w in data["weekly"])
    assert sum(w["sessions"] for w in data["weekly"]) == t["sessions"]
    assert any(s["compactions"] for s in data["sessions"]) and all("timeline" not in s for s in data["sessions"])

    text = runner.invoke(main, ["coach", *targets, "--no-config"], catch_exceptions=False)
    assert text.exit_code == 0
    assert "Habits that cost the most" in text.stdout and "fix:" in text.stdout
    assert "genai-prices" in text.stdout or "no price table" in text.stdout

    only = runner.invoke(main, ["coach", *targets, "--no-config", "--format", "json", "--agent", "codex",
                                "--since", "2025-10-01", "--until", "2026-12-31"], catch_exceptions=False)
    codex = json.loads(only.stdout)
    assert 0 < codex["totals"]["sessions"] < t["sessions"]
    assert all(s["agent"] == "codex" and s["started_at"] >= "2025-10-01" for s in codex["sessions"])


def test_default_stores_and_bad_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)
    runner = CliRunner()
    res = runner.invoke(main, ["coach", "--no-config"])
    assert res.exit_code == 2 and "no agent history found" in res.output
    write_session(tmp_path / ".claude" / "projects" / "-work-app" / "s.jsonl", [{"prompt": "hi"}, {"requests": 3}])
    res = runner.invoke(main, ["coach", "--no-config", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["totals"]["sessions"] == 1
    assert runner.invoke(main, ["coach", "--since", "last tuesday"]).exit_code == 2


def _warm_equals_cold(targets: list[str], cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ctxlint._runtime import cache
    from ctxlint.coach.collect import CollectStats

    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(cache_dir))
    config = Config()
    cache.disable()
    cold = collect(targets, config, jobs=2)
    cache.reset()
    first, warm_stats = CollectStats(), CollectStats()
    collect(targets, config, jobs=2, stats=first)  # fills the cache
    cache.reset()  # a new process: nothing in memory
    warm = collect(targets, config, jobs=2, stats=warm_stats)
    assert first.computed == warm_stats.cached == warm_stats.files == len(cold) > 0 and warm_stats.computed == 0
    assert warm == cold
    assert aggregate(warm) == aggregate(cold)


def test_warm_run_equals_cold_run_on_committed_sessions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every scenario of the transcript rules' case files, built as transcripts, and the example session."""
    import yaml

    history = tmp_path / "history"
    n = 0
    for case_file in sorted((Path(__file__).parent / "cases").glob("CTX2*.yaml")):
        for case in yaml.safe_load(case_file.read_text(encoding="utf-8"))["cases"]:
            if "scenario" in case:
                for name, text in build(case["scenario"]).items():
                    target = history / f"case{n}" / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
                n += 1
    (history / "example.jsonl").write_bytes((Path(__file__).parents[1] / "examples" / "session.jsonl").read_bytes())
    _warm_equals_cold([str(history)], tmp_path / "cache", monkeypatch)


def test_warm_run_equals_cold_run_on_the_corpus(stores: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _warm_equals_cold([str(stores / "claude" / "projects"), str(stores / "codex" / "sessions")], tmp_path / "cache",
                      monkeypatch)
