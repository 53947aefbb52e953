"""The agent and hook fixtures of issues 20 and 21 stay loadable and agree with their expected.yaml.

These checks keep the hand-computed totals honest, independently of ctxlint's readers, so the reader
tests (test_agent_readers.py) compare against numbers the fixtures really hold.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

FIXTURES = Path(__file__).parent / "fixtures"
AGENTS = FIXTURES / "agents"
HOOKS = FIXTURES / "hooks"
EXPECTED_KEYS = {"agent", "models", "requests", "input_tokens", "cache_creation_input_tokens",
                 "cache_read_input_tokens", "output_tokens", "compactions", "subagents", "tool_calls"}


def load_sql(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.executescript(path.read_text(encoding="utf-8"))
    return con


def expected(folder: str) -> dict[str, Any]:
    data = yaml.safe_load((AGENTS / folder / "expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("path", sorted(AGENTS.rglob("*.sql")), ids=lambda p: str(p.relative_to(AGENTS)))
def test_sql_fixture_builds_a_database(path: Path) -> None:
    con = load_sql(path)
    tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables
    assert sum(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables) > 0


@pytest.mark.parametrize("path", sorted([*AGENTS.rglob("*.json"), *HOOKS.rglob("*.json")]),
                         ids=lambda p: str(p.relative_to(FIXTURES)))
def test_json_fixture_parses(path: Path) -> None:
    json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(AGENTS.rglob("*.jsonl")), ids=lambda p: str(p.relative_to(AGENTS)))
def test_jsonl_fixture_parses_line_by_line(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        assert isinstance(json.loads(line), dict)


@pytest.mark.parametrize("path", sorted(AGENTS.rglob("expected.yaml")), ids=lambda p: str(p.relative_to(AGENTS)))
def test_expected_yaml_names_the_shared_session_keys(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) >= EXPECTED_KEYS, EXPECTED_KEYS - set(data)


def test_opencode_totals_are_the_step_finish_parts() -> None:
    con = load_sql(AGENTS / "opencode" / "opencode.sql")
    steps = con.execute(
        "SELECT json_extract(data, '$.tokens.input'), json_extract(data, '$.tokens.cache.write'),"
        " json_extract(data, '$.tokens.cache.read'), json_extract(data, '$.tokens.output') FROM part"
        " WHERE json_extract(data, '$.type') = 'step-finish'").fetchall()
    want = expected("opencode")
    assert len(steps) == want["requests"]
    assert [sum(s[i] for s in steps) for i in range(4)] == [
        want["input_tokens"], want["cache_creation_input_tokens"], want["cache_read_input_tokens"],
        want["output_tokens"]]
    naive = con.execute("SELECT sum(json_extract(data, '$.tokens.input')), sum(json_extract(data, '$.tokens.output'))"
                        " FROM message WHERE json_extract(data, '$.role') = 'assistant'").fetchone()
    assert list(naive) == [want["trap"]["naive_message_token_sums"]["input_tokens"],
                           want["trap"]["naive_message_token_sums"]["output_tokens"]]


def test_copilot_store_rows_match_the_expected_totals() -> None:
    con = load_sql(AGENTS / "copilot-cli" / "session-store.sql")
    row = con.execute("SELECT count(*), sum(input_tokens - cache_read_tokens - cache_write_tokens),"
                      " sum(cache_write_tokens), sum(cache_read_tokens), sum(output_tokens)"
                      " FROM assistant_usage_events").fetchone()
    want = expected("copilot-cli")
    assert list(row) == [want["requests"], want["input_tokens"], want["cache_creation_input_tokens"],
                         want["cache_read_input_tokens"], want["output_tokens"]]


def test_crush_requests_are_assistant_messages_and_cost_is_the_root_session() -> None:
    con = load_sql(AGENTS / "crush" / "crush.sql")
    want = expected("crush")
    assert con.execute("SELECT count(*) FROM messages WHERE role = 'assistant'").fetchone()[0] == want["requests"]
    root = con.execute("SELECT cost, prompt_tokens, completion_tokens FROM sessions"
                       " WHERE parent_session_id IS NULL").fetchone()
    assert root == (want["agent_recorded_cost_usd"], want["last_request_context"]["prompt_tokens"],
                    want["last_request_context"]["completion_tokens"])


def test_goose_accumulated_columns_match_the_expected_sessions() -> None:
    con = load_sql(AGENTS / "goose" / "sessions.sql")
    want = expected("goose")["per_session"]
    for session_id, facts in want.items():
        row = con.execute("SELECT accumulated_input_tokens, accumulated_output_tokens, input_tokens, output_tokens"
                          " FROM sessions WHERE id = ?", (session_id,)).fetchone()
        assert row == (facts["accumulated_input_tokens"], facts["accumulated_output_tokens"],
                       facts["input_tokens"], facts["output_tokens"])
