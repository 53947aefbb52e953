"""Team scale (issue 9): `ctxlint export` tables, one worker or many, resume, privacy, the report."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

from click.testing import CliRunner  # noqa: E402

from ctxlint.cli.main import main  # noqa: E402
from ctxlint.core.audit import audit_file  # noqa: E402
from ctxlint.errors import ExportError  # noqa: E402
from ctxlint.team.export import discover, export  # noqa: E402
from ctxlint.team.report import coach_from_tables  # noqa: E402
from ctxlint.team.tables import SCHEMAS, TeamMap, pseudonym  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402

TRANSCRIPTS = CORPUS / "transcripts"


def _corpus_tree(root: Path) -> Path:
    """alice/ holds the Claude Code corpus, bob/ the Codex one: one folder per person."""
    if not (TRANSCRIPTS / "claude-code").is_dir() or not (TRANSCRIPTS / "codex").is_dir():
        pytest.skip(f"shared corpus not available at {TRANSCRIPTS}")
    shutil.copytree(TRANSCRIPTS / "claude-code", root / "alice" / "claude-code")
    shutil.copytree(TRANSCRIPTS / "codex", root / "bob" / "codex")
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus_tree(tmp_path_factory.mktemp("team") / "in")


@pytest.fixture(scope="module")
def local_out(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("team") / "local"
    export([str(tree)], str(out), jobs=2, batch_files=7)
    return out


def read(out: Path, table: str) -> Any:
    """One table from all its parts, rows sorted so that part order does not matter."""
    parts = sorted((out / table).glob("part-*.parquet"))
    data = pa.concat_tables([pq.read_table(p, schema=SCHEMAS[table]) for p in parts])
    rows = data.to_pylist()
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


# ---------------------------------------------------------------------------------------------


def test_file_result_pickles_and_round_trips() -> None:
    files = sorted((TRANSCRIPTS / "claude-code").glob("*.jsonl"))[:3] if TRANSCRIPTS.is_dir() else []
    if not files:
        pytest.skip("shared corpus not available")
    for path in files:
        result = audit_file(str(path))
        again = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == result
        assert again.findings == result.findings and again.session == result.session


def test_written_schema_is_the_code_schema(local_out: Path) -> None:
    for table, schema in SCHEMAS.items():
        parts = sorted((local_out / table).glob("part-*.parquet"))
        assert parts, table
        for part in parts:
            written = pq.read_schema(part)
            assert written.equals(schema, check_metadata=False), (table, written, schema)
            assert written.metadata[b"ctxlint.table"] == table.encode()


def test_one_worker_and_the_pool_give_the_same_tables(tree: Path, local_out: Path, tmp_path: Path) -> None:
    stats = export([str(tree)], str(tmp_path / "serial"), jobs=1, batch_files=5)
    assert stats.exported == stats.files > 0
    for table in SCHEMAS:
        assert read(tmp_path / "serial", table) == read(local_out, table), table


def test_duckdb_totals_match_audit_file(tree: Path, local_out: Path) -> None:
    results = [audit_file(t.real) for t in discover([str(tree)])]
    expected_requests = sum(int((r.session or {}).get("requests") or 0) for r in results)
    expected_input = sum(int((r.session or {}).get("input_tokens") or 0) for r in results)
    expected_waste = sum(f.tokens_wasted for r in results for f in r.findings)
    expected_findings = sum(len(r.findings) for r in results)
    con = duckdb.connect()
    sessions = str(local_out / "sessions" / "*.parquet")
    findings = str(local_out / "findings" / "*.parquet")
    n, requests, input_tokens = con.execute(
        f"SELECT count(*), sum(requests), sum(input_tokens) FROM read_parquet('{sessions}')").fetchone()
    count, waste = con.execute(f"SELECT count(*), sum(tokens_wasted) FROM read_parquet('{findings}')").fetchone()
    assert n == len(results)
    assert (requests, input_tokens) == (expected_requests, expected_input)
    assert (count, waste) == (expected_findings, expected_waste)
    assert expected_requests > 0 and expected_waste > 0


def test_report_matches_the_coach(tree: Path, local_out: Path) -> None:
    runner = CliRunner()
    live = runner.invoke(main, ["coach", str(tree), "--format", "json", "--no-cache", "--no-config"],
                         catch_exceptions=False)
    assert live.exit_code == 0, live.output
    from_tables = runner.invoke(main, ["coach", "--from", str(local_out), "--format", "json"], catch_exceptions=False)
    assert from_tables.exit_code == 0, from_tables.output
    a, b = json.loads(live.stdout), json.loads(from_tables.stdout)
    assert set(a) <= set(b)
    assert a["totals"] == b["totals"]
    assert a["waste"]["tokens"] == b["waste"]["tokens"]
    assert a["waste"]["cost_usd"] == pytest.approx(b["waste"]["cost_usd"], abs=1e-3)
    assert a["by_rule"] == b["by_rule"]
    assert [h["rule_id"] for h in a["habits"]] == [h["rule_id"] for h in b["habits"]]
    assert [(h["sessions"], h["findings"]) for h in a["habits"]] == [(h["sessions"], h["findings"]) for h in b["habits"]]
    assert all(h["fix"] for h in b["habits"])  # the most common fix (ties may break differently)
    assert [(w["week"], w["sessions"], w["requests"], w["tokens_wasted"]) for w in a["weekly"]] == [
        (w["week"], w["sessions"], w["requests"], w["tokens_wasted"]) for w in b["weekly"]]
    key = lambda p: p["project"]  # noqa: E731
    assert [(p["project"], p["requests"], p["tokens_wasted"]) for p in sorted(a["by_project"], key=key)] == [
        (p["project"], p["requests"], p["tokens_wasted"]) for p in sorted(b["by_project"], key=key)]
    assert a["period"] == b["period"]
    # what the tokens bought, and the unpriced disclosure, are the same from the tables
    for key in ("unpriced_requests", "unpriced_sessions", "largest_session_unpriced"):
        assert a["totals"][key] == b["totals"][key]
    assert a["outcomes"]["totals"] == pytest.approx(b["outcomes"]["totals"], abs=1e-3)
    assert [(p["project"], p["loops"], p["sessions"], p["tokens_per_loop"]) for p in a["outcomes"]["by_project"]] == [
        (p["project"], p["loops"], p["sessions"], p["tokens_per_loop"]) for p in b["outcomes"]["by_project"]]
    # every habit lists the same sessions and the same findings (real lines, masked quotes)
    for ha, hb in zip(a["habits"], b["habits"], strict=True):
        assert len(ha["sessions_list"]) == len(hb["sessions_list"]) and ha["more_sessions"] == hb["more_sessions"]
        assert sorted((f["line"], f["quote"]) for x in ha["sessions_list"] for f in x["findings"]) == sorted(
            (f["line"], f["quote"]) for x in hb["sessions_list"] for f in x["findings"])
        assert {x["title"] for x in ha["sessions_list"]} == {x["title"] for x in hb["sessions_list"]}
    # the report is about habits and projects: no person dimension, no person folder in session paths
    assert "by_person" not in b and all("person" not in s for s in b["sessions"])
    assert not any(s["path"].startswith(("alice/", "bob/")) for s in b["sessions"])


def test_report_filters(local_out: Path) -> None:
    everything = coach_from_tables(local_out)
    codex = coach_from_tables(local_out, agent="codex")
    claude = coach_from_tables(local_out, agent="claude-code")
    assert codex["totals"]["files"] + claude["totals"]["files"] == everything["totals"]["files"]
    assert codex["waste"]["tokens"] + claude["waste"]["tokens"] == everything["waste"]["tokens"]
    late = coach_from_tables(local_out, since="2026-01-01")
    assert 0 < late["totals"]["files"] < everything["totals"]["files"]
    assert all(w["week"] >= "2026" or w["week"] == "unknown" for w in late["weekly"])
    assert coach_from_tables(local_out, until="2000-01-01")["totals"]["files"] == 0


def test_resume_skips_unchanged_and_replaces_changed(tree: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    shutil.copytree(tree, src)
    out = tmp_path / "out"
    first = export([str(src)], str(out), jobs=1)
    assert first.exported == first.files and first.skipped == 0
    parts = sorted(p.name for p in (out / "sessions").iterdir())
    again = export([str(src)], str(out), jobs=1)
    assert (again.exported, again.skipped, again.parts) == (0, first.files, 0)
    assert sorted(p.name for p in (out / "sessions").iterdir()) == parts

    # a new file: only it is exported, in a new part; a changed file replaces its old rows
    victim = next(src.rglob("*.jsonl"))
    (src / "bob" / "codex" / "new.jsonl").write_bytes(next((src / "bob" / "codex").glob("*.jsonl")).read_bytes())
    os.utime(victim, ns=(victim.stat().st_atime_ns, victim.stat().st_mtime_ns + 10**9))
    third = export([str(src)], str(out), jobs=1)
    assert (third.exported, third.replaced, third.skipped) == (2, 1, first.files - 1)
    con = duckdb.connect()
    n, distinct = con.execute(
        f"SELECT count(*), count(DISTINCT file_id) FROM read_parquet('{out}/sessions/*.parquet')").fetchone()
    assert n == distinct == first.files + 1
    findings = con.execute(f"SELECT count(*) FROM read_parquet('{out}/findings/*.parquet')").fetchone()[0]
    assert findings == sum(len(audit_file(t.real).findings) for t in discover([str(src)]))


def test_interrupted_run_leaves_no_duplicates(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export([str(tree / "bob")], str(out), jobs=1)
    # a part written but never committed to the manifest (crash between the two) is removed
    orphan = out / "sessions" / "part-19990101T000000-dead00-00001.parquet"
    shutil.copy(next((out / "sessions").glob("part-*.parquet")), orphan)
    (out / "findings" / ".tmp-part-x.parquet").write_bytes(b"partial")
    export([str(tree / "bob")], str(out), jobs=1)
    assert not orphan.exists() and not (out / "findings" / ".tmp-part-x.parquet").exists()
    files = sqlite3.connect(out / "_manifest.sqlite").execute("SELECT count(*) FROM files").fetchone()[0]
    assert files == len(read(out, "sessions"))


def test_pseudonymize_hides_folder_names(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CTXLINT_SALT", raising=False)
    with pytest.raises(ExportError, match="salt"):
        export([str(tree)], str(tmp_path / "nosalt"), pseudonymize=True)
    monkeypatch.setenv("CTXLINT_SALT", "team-secret")
    out = tmp_path / "p"
    export([str(tree)], str(out), pseudonymize=True, jobs=1)
    sessions = read(out, "sessions")
    assert {r["person"] for r in sessions} == {pseudonym("alice", "team-secret"), pseudonym("bob", "team-secret")}
    for table in SCHEMAS:
        for part in (out / table).glob("part-*.parquet"):
            text = json.dumps(pq.read_table(part).to_pylist(), default=str)
            assert "alice" not in text and "bob" not in text, table
    assert b"alice" not in (out / "_manifest.sqlite").read_bytes()
    assert all(r["path"].startswith("p-") for r in sessions)
    # same salt, same pseudonyms: a re-run (even another salt) cannot mix into the same directory
    with pytest.raises(ExportError, match="pseudonymize"):
        export([str(tree)], str(out), pseudonymize=True, salt="another")


def test_group_by_adds_team(tree: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "teams.yaml"
    mapping.write_text("alice/*: payments\n'bob/**': search\n", encoding="utf-8")
    assert TeamMap.load(str(mapping)).team_for("alice/x/y.jsonl") == "payments"
    out = tmp_path / "t"
    r = CliRunner().invoke(main, ["export", str(tree), "--output", str(out), "--group-by", str(mapping), "-j", "1",
                                  "--no-config"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    teams = {(row["person"], row["team"]) for row in read(out, "sessions")}
    assert teams == {("alice", "payments"), ("bob", "search")}
    assert {row["team"] for row in read(out, "findings")} <= {"payments", "search"}
    report = coach_from_tables(out)
    assert {t["team"] for t in report["by_team"]} == {"payments", "search"}
    assert coach_from_tables(out, team="search")["totals"]["files"] == len(list((tree / "bob").rglob("*.jsonl")))
    alt = tmp_path / "teams2.yaml"
    alt.write_text("teams:\n  payments: [alice]\n", encoding="utf-8")
    assert TeamMap.load(str(alt)).team_for("alice/a.jsonl") == "payments"
    assert TeamMap.load(str(alt)).team_for("bob/a.jsonl") is None


def test_instruction_table_for_projects_on_disk(tmp_path: Path) -> None:
    from tests.transcript_builder import build

    project = tmp_path / "repo"
    project.mkdir()
    (project / "CLAUDE.md").write_text("# Rules\n\n- Run `pytest -q` before committing.\n" * 20, encoding="utf-8")
    (project / "AGENTS.md").write_text("# Agents\n\nUse pnpm.\n", encoding="utf-8")
    person = tmp_path / "in" / "carol"
    person.mkdir(parents=True)
    scenario = {"agent": "claude-code", "steps": [{"prompt": "fix it"}, {"read": "src/app.py", "tokens": 2000},
                                                   {"requests": 5}]}
    for name, text in build(scenario).items():
        (person / name).write_text(text.replace("/work/app", str(project)), encoding="utf-8")
    out = tmp_path / "out"
    export([str(tmp_path / "in")], str(out), jobs=1, project_roots=(str(tmp_path),))  # not under HOME
    rows = read(out, "instructions")
    assert {r["path"] for r in rows} >= {"CLAUDE.md", "AGENTS.md"}
    claude_md = next(r for r in rows if r["path"] == "CLAUDE.md")
    assert "claude-code" in claude_md["always_loaded_by"] and claude_md["tokens"] > 0
    assert dict(claude_md["load_tokens"])["claude-code"] > 0
    assert all(r["project"] == str(project) for r in rows)
    report = coach_from_tables(out)
    [cost] = [i for i in report["instructions"] if i["agent"] == "claude-code"]
    assert cost["requests"] == report["totals"]["requests"] > 0
    assert cost["tokens"] == cost["tokens_per_request"] * cost["requests"]
    # a second run does not repeat the project's instruction rows
    export([str(tmp_path / "in")], str(out), jobs=1)
    assert len(read(out, "instructions")) == len(rows)


def test_jsonl_format_gives_the_same_report(tree: Path, local_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "j"
    export([str(tree / "bob")], str(out), fmt="jsonl", jobs=1)
    assert list((out / "sessions").glob("part-*.jsonl"))
    parquet = tmp_path / "pq"
    export([str(tree / "bob")], str(parquet), jobs=1)
    a, b = coach_from_tables(out), coach_from_tables(parquet)
    assert a["totals"] == pytest.approx(b["totals"]) and a["by_rule"] == b["by_rule"]
    assert a["weekly"] == [pytest.approx(w) for w in b["weekly"]]


def test_messages_are_masked_and_do_not_name_the_input_location(local_out: Path, tree: Path) -> None:
    for row in read(local_out, "findings"):
        assert str(tree) not in row["message"]
        assert not row["path"].startswith("/")


def test_cli_errors(tree: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["export", str(tmp_path / "missing"), "-o", str(tmp_path / "y")])
    assert r.exit_code == 2
