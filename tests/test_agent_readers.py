"""The readers of issue 21 against their fixtures: every session fact a fixture's expected.yaml states
(hand-computed, see tests/fixtures/agents/README.md) is what the reader reports, unknown figures are
None (never 0), the agent's own totals agree where it records them, and the findings the shared
session holds (a repeated read, a 50,141-character pytest output) are found where the data allows."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from ctxlint.config import Config
from ctxlint.core.audit import audit_file
from ctxlint.transcripts import stores
from ctxlint.transcripts.reading import detect_format, read_transcript
from ctxlint.transcripts.session_facts import session_facts

AGENTS = Path(__file__).parent / "fixtures" / "agents"
SHARED_KEYS = ("agent", "models", "requests", "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
               "output_tokens", "peak_context_tokens", "compactions", "subagents", "tool_calls", "sidechain_requests",
               "context_window", "input_tokens_including_cache")


def expected(folder: str) -> dict[str, Any]:
    data = yaml.safe_load((AGENTS / folder / "expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def build_db(sql: Path, target: Path, *, wal: bool = False) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(target)
    if wal:
        con.execute("PRAGMA journal_mode = WAL")
    con.executescript(sql.read_text(encoding="utf-8"))
    con.commit()
    con.close()
    return target


def check_facts(facts: dict[str, Any], want: dict[str, Any]) -> None:
    for key in SHARED_KEYS:
        if key in want:
            assert facts[key] == want[key], key
    if "agent_recorded_cost_usd" in want:
        assert facts["agent_cost_usd"] == pytest.approx(want["agent_recorded_cost_usd"])


def rules_found(path: str) -> set[str]:
    return {f.rule_id for f in audit_file(path, Config()).findings}


# ---------------------------------------------------------------------------------------------
# Database stores


@pytest.fixture
def opencode_db(tmp_path: Path) -> Path:
    return build_db(AGENTS / "opencode" / "opencode.sql", tmp_path / "opencode" / "opencode.db")


def test_opencode_counts_step_finish_parts_not_message_tokens(opencode_db: Path) -> None:
    [session] = stores.sessions(str(opencode_db))  # the child session is read with its parent
    assert session.address == f"{opencode_db}#ses_01K2main0shopfixture"
    t = read_transcript(session.address)
    facts = session_facts(t)
    want = expected("opencode")
    check_facts(facts, want)
    assert facts["basis"] == "measured" and facts["malformed_records"] == 0
    naive = want["trap"]["naive_message_token_sums"]
    assert (facts["input_tokens"], facts["output_tokens"]) != (naive["input_tokens"], naive["output_tokens"])
    assert facts["cost_usd"] == pytest.approx(want["agent_recorded_cost_usd"], rel=0.05)  # same Anthropic prices


def test_opencode_findings_and_compaction_boundary(opencode_db: Path) -> None:
    address = f"{opencode_db}#ses_01K2main0shopfixture"
    assert {"CTX201", "CTX202"} <= rules_found(address)
    t = read_transcript(address)
    from ctxlint.transcripts.analysis import analyse

    a = analyse(t)
    # The summarising request (K, 31,780 tokens) belongs to the context it summarised.
    assert [a.contexts[s.first_request] for s in a.segments] == [16050, 12060]


def test_kilo_cli_store_is_read_as_opencode_by_content(tmp_path: Path) -> None:
    db = build_db(AGENTS / "opencode" / "opencode.sql", tmp_path / "kilo" / "kilo.db")
    assert detect_format(str(db)) == "kilo"
    facts = audit_file(stores.sessions(str(db))[0].address).session or {}
    assert facts["agent"] == "kilo" and facts["requests"] == 11 and "CTX206" not in facts["skipped_rules"]


def test_crush_records_no_tokens_so_they_are_unknown(tmp_path: Path) -> None:
    db = build_db(AGENTS / "crush" / "crush.sql", tmp_path / "shop" / ".crush" / "crush.db")
    [session] = stores.sessions(str(db))
    facts = session_facts(read_transcript(session.address))
    want = expected("crush")
    check_facts(facts, want)
    assert facts["basis"] == "estimated" and facts["cost_usd"] is None
    result = audit_file(session.address)
    assert {"CTX201", "CTX202"} <= {f.rule_id for f in result.findings}
    assert all(f.cost_wasted_usd is None and f.basis.value == "estimated" for f in result.findings)  # never priced
    assert (result.session or {})["skipped_rules"] == ["CTX206", "CTX208", "CTX210", "CTX212"]
    assert (result.session or {})["project"] == str(tmp_path / "shop")


def test_goose_accumulated_counts_only(tmp_path: Path) -> None:
    db = build_db(AGENTS / "goose" / "sessions.sql", tmp_path / "goose" / "sessions" / "sessions.db")
    [session] = stores.sessions(str(db))  # the sub-agent session is read with the session that started it
    assert session.address.endswith("#20260806_1")
    facts = session_facts(read_transcript(session.address))
    want = expected("goose")
    check_facts(facts, want)
    assert facts["input_tokens_including_cache"] == want["input_tokens_including_cache"]
    per_session = want["per_session"]
    assert facts["output_tokens"] == sum(s["accumulated_output_tokens"] for s in per_session.values())
    assert facts["basis"] == "estimated" and facts["cost_usd"] is None


def test_store_is_opened_read_only_and_left_untouched(tmp_path: Path) -> None:
    for wal in (False, True):
        db = build_db(AGENTS / "opencode" / "opencode.sql", tmp_path / f"wal{wal}" / "opencode.db", wal=wal)
        before = {p.name: (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes()) for p in db.parent.iterdir()}
        for session in stores.sessions(str(db)):
            audit_file(session.address)
        con = stores.connect(str(db))
        with pytest.raises(sqlite3.OperationalError):
            con.execute("DELETE FROM part")
        con.close()
        after = {p.name: (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes()) for p in db.parent.iterdir()
                 if p.name in before}
        assert after == before
        if not wal:
            assert sorted(p.name for p in db.parent.iterdir()) == ["opencode.db"]  # no journal, no lock files


def test_a_writer_is_not_blocked_while_a_session_is_read(opencode_db: Path) -> None:
    con = stores.connect(str(opencode_db))
    cursor = con.execute("SELECT data FROM part")
    cursor.fetchone()  # a read in progress
    writer = sqlite3.connect(opencode_db, timeout=0)
    writer.execute("UPDATE session SET title = 'renamed'")
    writer.commit()  # immutable=1 takes no lock: the agent's own write goes through at once
    writer.close()
    con.close()


def test_address_split_keeps_files_with_a_hash(tmp_path: Path, opencode_db: Path) -> None:
    assert stores.split("/nowhere/opencode.db#ses_1") == ("/nowhere/opencode.db#ses_1", None)
    odd = tmp_path / "notes#1.jsonl"
    odd.write_text("{}\n")
    assert stores.split(str(odd)) == (str(odd), None)
    assert stores.split(f"{opencode_db}#ses_a#b") == (str(opencode_db), "ses_a#b")
    # A child session's id holds "$$" (Crush) or anything else after the first "#".
    assert stores.address(str(opencode_db), "x$$y") == f"{opencode_db}#x$$y"


def test_unknown_session_and_bad_rows_are_diagnostics(opencode_db: Path) -> None:
    result = audit_file(f"{opencode_db}#ses_missing")
    assert [f.rule_id for f in result.findings] == ["CTX002"]
    con = sqlite3.connect(opencode_db)
    con.execute("UPDATE part SET data = 'not json' WHERE id = 'prt_01K20003shopfixture'")
    con.execute("UPDATE part SET data = '{\"type\": \"hologram\"}' WHERE id = 'prt_01K20026shopfixture'")
    con.commit()
    con.close()
    t = read_transcript(f"{opencode_db}#ses_01K2main0shopfixture")
    assert t.malformed == 2 and set(t.malformed_reasons) == {"not a JSON object", "unknown part type 'hologram'"}
    assert session_facts(t)["requests"] == 11  # the rest is still read


def test_a_database_that_is_no_store(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    assert detect_format(str(db)) is None and stores.sessions(str(db)) == []
    from ctxlint.core.inputs import classify

    assert classify([str(db)], Config()).unreadable == [(str(db), "a database, but not a session store ctxlint can read")]
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    assert detect_format(str(garbage)) is None
    assert [f.rule_id for f in audit_file(str(garbage)).findings] == ["CTX002"]


def test_discovery_lists_each_root_session(tmp_path: Path) -> None:
    build_db(AGENTS / "opencode" / "opencode.sql", tmp_path / "opencode" / "opencode.db")
    build_db(AGENTS / "crush" / "crush.sql", tmp_path / "shop" / ".crush" / "crush.db")
    from ctxlint.core.inputs import classify, transcript_inputs

    found = transcript_inputs([str(tmp_path)])
    assert [Path(f.path).name for f in found] == ["opencode.db#ses_01K2main0shopfixture",
                                                  "crush.db#9b2d7c4e-1f3a-4c5b-8d6e-0a1b2c3d4e5f"]
    assert all(f.size > 0 and f.mtime_ns > 0 for f in found)
    assert classify([str(tmp_path / "opencode" / "opencode.db")], Config()).transcripts == [found[0].path]


def test_session_stamp_changes_with_the_session_only(tmp_path: Path) -> None:
    db = build_db(AGENTS / "opencode" / "opencode.sql", tmp_path / "opencode.db")
    address = f"{db}#ses_01K2main0shopfixture"
    before = stores.stamps([address])[address]
    con = sqlite3.connect(db)
    con.execute("INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated)"
                " VALUES ('ses_other', 'prj_8c1f0e2ab3d4shop', 's', '/x', 't', '1', 1, 1)")
    con.commit()
    assert stores.stamps([address])[address] == before  # another session changed
    con.execute("INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES"
                " ('prt_new', 'msg_01K20013shopfixture', 'ses_01K2main0shopfixture', 2, 2, '{\"type\":\"text\"}')")
    con.commit()
    con.close()
    assert stores.stamps([address])[address] != before


# ---------------------------------------------------------------------------------------------
# JSON and JSONL stores


COPILOT = AGENTS / "copilot-cli"
COPILOT_EVENTS = COPILOT / "session-state" / "4f7c2a10-8e3b-4d51-9c6a-2b1e0f9d8c7a" / "events.jsonl"


def test_copilot_with_its_usage_database(tmp_path: Path) -> None:
    shutil.copytree(COPILOT / "session-state", tmp_path / "session-state")
    build_db(COPILOT / "session-store.sql", tmp_path / "session-store.db")
    events = tmp_path / COPILOT_EVENTS.relative_to(COPILOT)
    result = audit_file(str(events))
    facts = result.session or {}
    want = expected("copilot-cli")
    check_facts(facts, want)
    assert facts["basis"] == "measured" and facts["skipped_rules"] == []
    assert {f.rule_id for f in result.findings} >= {"CTX201", "CTX202"}
    assert transcript_inputs_of(tmp_path) == [str(events)]  # the usage database is no session of its own
    from ctxlint.core.inputs import classify

    [(_, why)] = classify([str(tmp_path / "session-store.db")], Config()).unreadable
    assert why.startswith("Copilot CLI's usage database")


def test_copilot_events_alone_record_output_but_not_input() -> None:
    facts = session_facts(read_transcript(str(COPILOT_EVENTS)))
    want = expected("copilot-cli")["events_only"]
    assert (facts["requests"], facts["output_tokens"]) == (want["requests"], want["output_tokens"])
    # Leg 2's roll-up restarted at the compaction and misses S5 and S6: the input is unknown, not a sum.
    assert facts["input_tokens"] is None and facts["cache_read_input_tokens"] is None and facts["cost_usd"] is None
    assert facts["basis"] == "estimated"
    result = audit_file(str(COPILOT_EVENTS))
    assert (result.session or {})["skipped_rules"] == ["CTX206", "CTX208", "CTX210", "CTX212"]
    assert all(f.basis.value == "estimated" and f.cost_wasted_usd is None for f in result.findings)


def test_copilot_real_log_uses_its_single_shutdown_roll_up() -> None:
    path = COPILOT / "real-1.0.34" / "events.jsonl"
    facts = session_facts(read_transcript(str(path)))
    want = yaml.safe_load((path.parent / "expected.yaml").read_text(encoding="utf-8"))
    check_facts(facts, want)
    assert facts["cost_usd"] is not None  # the roll-up's per-model totals are priced


def test_copilot_resumed_legs_are_never_added_up(tmp_path: Path) -> None:
    """Without a compaction the second leg's roll-up already holds the first leg's calls: the session's
    totals are the last roll-up, not the sum of both."""
    records = [json.loads(line) for line in COPILOT_EVENTS.read_text(encoding="utf-8").splitlines()]
    records = [r for r in records if not r["type"].startswith("session.compaction")]
    shutdowns = [r for r in records if r["type"] == "session.shutdown"]
    shutdowns[1]["data"]["modelMetrics"] = {
        "claude-sonnet-4.6": {"requests": {"count": 8}, "usage": {
            "inputTokens": 179348, "cacheReadTokens": 145320, "cacheWriteTokens": 33870, "outputTokens": 1195}},
        "claude-haiku-4.5": shutdowns[0]["data"]["modelMetrics"]["claude-haiku-4.5"],
    }
    log = tmp_path / "events.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    facts = session_facts(read_transcript(str(log)))
    assert facts["requests"] == 10
    assert (facts["input_tokens"], facts["cache_creation_input_tokens"], facts["cache_read_input_tokens"]) == (
        206, 44570, 155160)
    # One leg short of its roll-up (a crash loses it): unknown, never the sum of what is there.
    records.remove(shutdowns[1])
    log.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert session_facts(read_transcript(str(log)))["input_tokens"] is None


def test_cursor_records_no_usage() -> None:
    folder = next((AGENTS / "cursor" / "projects").glob("*/agent-transcripts/*"))
    main = read_transcript(str(folder / f"{folder.name}.jsonl"))
    [sub_path] = (folder / "subagents").glob("*.jsonl")
    sub = read_transcript(str(sub_path))
    assert sub.is_subagent_file and not main.is_subagent_file
    facts, sub_facts = session_facts(main), session_facts(sub)
    want = expected("cursor")
    tools = dict(facts["tool_calls"])
    for name, count in sub_facts["tool_calls"].items():
        tools[name] = tools.get(name, 0) + count
    assert tools == want["tool_calls"]
    for key in ("models", "requests", "input_tokens", "output_tokens", "peak_context_tokens", "compactions", "subagents",
                "basis"):
        assert facts[key] == want[key], key
    assert sum(1 for e in main.events if type(e).__name__ == "Prompt" and not e.is_meta) == want["prompts"]
    result = audit_file(main.path)
    assert {"CTX201", "CTX202"} <= {f.rule_id for f in result.findings}
    assert all(f.basis.value == "estimated" and f.cost_wasted_usd is None for f in result.findings)


def test_amp_thread() -> None:
    [path] = (AGENTS / "amp" / "threads").glob("T-*.json")
    result = audit_file(str(path))
    check_facts(result.session or {}, expected("amp"))
    assert (result.session or {})["skipped_rules"] == ["CTX207"]  # Amp writes no compaction record
    assert {"CTX201", "CTX202"} <= {f.rule_id for f in result.findings}


def test_qwen_code_chat() -> None:
    [path] = (AGENTS / "qwen-code" / "projects").glob("*/chats/*.jsonl")
    assert detect_format(str(path)) == "qwen-code"  # its records also look like Claude Code's
    result = audit_file(str(path))
    check_facts(result.session or {}, expected("qwen-code"))
    assert (result.session or {})["skipped_rules"] == []
    assert {"CTX201", "CTX202"} <= {f.rule_id for f in result.findings}


def test_cline_task_directory() -> None:
    task = AGENTS / "cline" / "tasks" / "1786003200000"
    result = audit_file(str(task / "ui_messages.json"))
    check_facts(result.session or {}, expected("cline"))
    assert {"CTX201", "CTX202"} <= {f.rule_id for f in result.findings}
    # The task is its ui_messages.json: its conversation history is read with it, never on its own.
    assert transcript_inputs_of(task.parent) == [str(task / "ui_messages.json")]


def test_roo_task_with_its_subtask() -> None:
    tasks = AGENTS / "roo-code" / "tasks"
    [parent] = transcript_inputs_of(tasks)  # the subtask is read with its parent
    facts = audit_file(parent).session or {}
    want = expected("roo-code")
    check_facts(facts, want)
    item = yaml.safe_load((Path(parent).parent / "history_item.json").read_text(encoding="utf-8"))
    child = yaml.safe_load((tasks / item["childIds"][0] / "history_item.json").read_text(encoding="utf-8"))
    # The agent's own totals: the history items equal the sums over the rows (plus the condense call's cost).
    assert facts["cache_read_input_tokens"] == item["cacheReads"] + child["cacheReads"]
    assert facts["cache_creation_input_tokens"] == item["cacheWrites"] + child["cacheWrites"]
    assert facts["agent_cost_usd"] == pytest.approx(item["totalCost"] + child["totalCost"])
    assert "CTX206" in facts["skipped_rules"]  # Roo records no model: no window to measure against


def test_kilo_extension_task_is_told_by_its_storage_folder(tmp_path: Path) -> None:
    tasks = shutil.copytree(AGENTS / "roo-code" / "tasks", tmp_path / "kilocode.kilo-code" / "tasks")
    [parent] = transcript_inputs_of(tasks)
    assert (audit_file(parent).session or {})["agent"] == "kilo"


def test_cline_sdk_session(tmp_path: Path) -> None:
    """Cline >= 4: sessions/<id>/<id>.messages.json with cache-inclusive metrics on the turn's last message."""
    folder = tmp_path / "sessions" / "s1"
    folder.mkdir(parents=True)
    (folder / "s1.json").write_text(json.dumps({"session_id": "s1", "cwd": "/home/user/projects/shop",
                                                "started_at": "2026-08-06T09:00:00Z"}))
    messages = [
        {"id": "u1", "role": "user", "content": [{"type": "text", "text": "Fix the discount test."}], "ts": 1786003200000},
        {"id": "a1", "role": "assistant", "ts": 1786003201000, "modelInfo": {"id": "claude-sonnet-4-5", "provider": "anthropic"},
         "content": [{"type": "tool_use", "id": "t1", "name": "read_file", "input": {"path": "src/shop/discount.py"}}],
         "metrics": {"inputTokens": 16050, "outputTokens": 120, "cacheReadTokens": 0, "cacheWriteTokens": 16000, "cost": 0.06}},
        {"id": "u2", "role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "x" * 400}]},
        {"id": "a2", "role": "assistant", "ts": 1786003202000, "modelInfo": {"id": "claude-sonnet-4-5"},
         "content": [{"type": "text", "text": "Done."}],
         "metrics": {"inputTokens": 16558, "outputTokens": 40, "cacheReadTokens": 16000, "cacheWriteTokens": 500}},
        {"id": "x", "role": "narrator", "content": []},
    ]
    path = folder / "s1.messages.json"
    path.write_text(json.dumps({"version": 1, "agent": "lead", "sessionId": "s1", "messages": messages}))
    t = read_transcript(str(path))
    facts = session_facts(t)
    assert (facts["agent"], facts["requests"], facts["input_tokens"], facts["cache_creation_input_tokens"],
            facts["cache_read_input_tokens"], facts["output_tokens"]) == ("cline", 2, 108, 16500, 16000, 160)
    assert t.cwd == "/home/user/projects/shop" and t.malformed == 1  # the unknown role is counted, not fatal


@pytest.mark.parametrize(("name", "lines"), [
    ("events.jsonl", ['{"type":"session.start","data":{"sessionId":"s"},"id":"1","timestamp":"2026-01-01T00:00:00Z"}',
                      '{"type":"Session Start","data":{}}', '["not", "an", "object"]']),
    ("c.jsonl", ['{"role":"user","message":{"content":[{"type":"text","text":"<user_query>hi</user_query>"}]}}',
                 '{"role":"system","message":{}}', '{"role":"assistant","message":{"content":"ok"}}', 'not json']),
    ("q.jsonl", ['{"uuid":"1","sessionId":"s","type":"user","message":{"role":"user","parts":[{"text":"hi"}]}}',
                 '{"uuid":"2","sessionId":"s","type":"hologram"}', '{truncated']),
])
def test_unknown_records_are_counted_not_fatal(tmp_path: Path, name: str, lines: list[str]) -> None:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = audit_file(str(path))
    assert [f.rule_id for f in result.findings] == ["CTX002"]
    assert (result.session or {})["malformed_records"] == 2


def test_bad_task_rows_are_counted(tmp_path: Path) -> None:
    rows = json.loads((AGENTS / "cline" / "tasks" / "1786003200000" / "ui_messages.json").read_text(encoding="utf-8"))
    rows[3] = "garbage"
    rows[4]["text"] = "{not json"
    path = tmp_path / "ui_messages.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    t = read_transcript(str(path))
    assert t.malformed == 2 and session_facts(t)["requests"] == 8


def transcript_inputs_of(root: Path) -> list[str]:
    from ctxlint.core.inputs import transcript_inputs

    return [f.path for f in transcript_inputs([str(root)])]


def test_agent_specific_fixes_have_a_text_for_every_other_agent() -> None:
    """A fix written for Claude Code (settings.json, /clear) or Codex must not reach an OpenCode or Cursor user."""
    from ctxlint.rules.registry import all_metadata

    for meta in all_metadata().values():
        for name, template in meta.fixes.items():
            if isinstance(template, dict):
                assert "other" in template, f"{meta.id} fixes.{name}"
            else:
                assert "Claude Code" not in template or meta.kind != "transcript", f"{meta.id} fixes.{name}"


# ---------------------------------------------------------------------------------------------
# Where the coach looks by default


def _make(path: Path) -> Path:
    if path.suffix == ".db":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    else:
        path.mkdir(parents=True, exist_ok=True)
    return path


def test_default_stores_on_linux_and_macos(tmp_path: Path) -> None:
    from ctxlint.transcripts.files import default_stores

    home = tmp_path / "home"
    share = home / ".local" / "share"
    crush_project = tmp_path / "work" / "shop" / ".crush"
    wanted = [_make(p) for p in (
        home / ".claude" / "projects", home / ".codex" / "sessions", home / ".gemini" / "tmp",
        home / ".qwen" / "projects", home / ".copilot" / "session-state", home / ".cursor" / "projects",
        share / "amp" / "threads", share / "opencode" / "opencode.db", share / "opencode" / "opencode-dev.db",
        share / "kilo" / "kilo.db", share / "goose" / "sessions" / "sessions.db", crush_project / "crush.db",
        home / ".config" / "Code" / "User" / "globalStorage" / "saoudrizwan.claude-dev" / "tasks",
        home / ".vscode-server" / "data" / "User" / "globalStorage" / "rooveterinaryinc.roo-cline" / "tasks",
        home / ".cline" / "data" / "sessions")]
    (share / "crush").mkdir()
    (share / "crush" / "projects.json").write_text(json.dumps({"projects": [{"path": "/x", "data_dir": str(crush_project)}]}))
    (share / "opencode" / "storage").mkdir()  # OpenCode < 1.2 leftovers: no usage, not a store
    found = default_stores({}, home, "Linux", windows_users=tmp_path / "none")
    assert sorted(found) == sorted(str(p.resolve()) for p in wanted)
    mac = home / "Library" / "Application Support" / "Cursor" / "User" / "globalStorage" / "kilocode.kilo-code" / "tasks"
    _make(mac)
    assert str(mac.resolve()) in default_stores({}, home, "Darwin")
    assert str(mac.resolve()) not in found


def test_default_stores_follow_the_agents_variables(tmp_path: Path) -> None:
    from ctxlint.transcripts.files import default_stores

    env = {"COPILOT_HOME": str(tmp_path / "cop"), "AMP_DATA_DIR": str(tmp_path / "amp"),
           "QWEN_DATA_DIR": str(tmp_path / "qwen"), "KILO_DATA_DIR": str(tmp_path / "kilo"),
           "CLINE_DIR": str(tmp_path / "cline"), "GOOSE_PATH_ROOT": str(tmp_path / "goose"),
           "XDG_DATA_HOME": str(tmp_path / "xdg")}
    wanted = [_make(p) for p in (
        tmp_path / "cop" / "session-state", tmp_path / "amp" / "threads", tmp_path / "qwen" / "projects",
        tmp_path / "kilo" / "kilo.db", tmp_path / "cline" / "data" / "tasks",
        tmp_path / "goose" / "data" / "sessions" / "sessions.db", tmp_path / "xdg" / "opencode" / "opencode.db")]
    _make(tmp_path / "home" / ".copilot" / "session-state")  # moved away by COPILOT_HOME: not read
    assert sorted(default_stores(env, tmp_path / "home", "Linux", windows_users=tmp_path / "none")) == sorted(
        str(p.resolve()) for p in wanted)


def test_default_stores_on_windows_and_from_wsl(tmp_path: Path) -> None:
    from ctxlint.transcripts.files import default_stores

    users = tmp_path / "Users"
    me = users / "ana"
    roaming, local = me / "AppData" / "Roaming", me / "AppData" / "Local"
    wanted = [_make(p) for p in (
        me / ".copilot" / "session-state", me / ".local" / "share" / "opencode" / "opencode.db",
        roaming / "Block" / "goose" / "data" / "sessions" / "sessions.db",
        roaming / "Code" / "User" / "globalStorage" / "saoudrizwan.claude-dev" / "tasks",
        me / ".cursor" / "projects")]
    (local / "crush").mkdir(parents=True)
    _make(tmp_path / "p" / ".crush" / "crush.db")
    (local / "crush" / "projects.json").write_text(json.dumps({"projects": [{"data_dir": str(tmp_path / "p" / ".crush")}]}))
    wanted.append(tmp_path / "p" / ".crush" / "crush.db")
    _make(users / "Public" / ".copilot" / "session-state")  # not an account
    expect = sorted(str(p.resolve()) for p in wanted)
    assert sorted(default_stores({}, me, "Windows")) == expect
    # Inside WSL: the distro's own home and every Windows account's stores.
    linux_home = _make(tmp_path / "linux" / ".claude" / "projects").parent.parent
    found = default_stores({"WSL_DISTRO_NAME": "Ubuntu"}, linux_home, "Linux", windows_users=users)
    assert sorted(found) == sorted([*expect, str((linux_home / ".claude" / "projects").resolve())])


def test_json_report_of_every_agent_validates(tmp_path: Path) -> None:
    """Unknown figures are null in the JSON report, which the shipped schema allows."""
    import jsonschema

    from tests.conftest import cli_in

    build_db(AGENTS / "crush" / "crush.sql", tmp_path / "shop" / ".crush" / "crush.db")
    build_db(AGENTS / "goose" / "sessions.sql", tmp_path / "goose" / "sessions.db")
    for folder in ("amp", "cursor", "qwen-code", "cline", "roo-code", "copilot-cli"):
        shutil.copytree(AGENTS / folder, tmp_path / folder)
    result = cli_in(tmp_path, ["check", ".", "--format", "json"])
    data = json.loads(result.stdout)
    schema = json.loads((Path(__file__).parents[1] / "src" / "ctxlint" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(data, schema)
    agents = {f["agent"] for f in data["files"]}
    assert agents == {"crush", "goose", "amp", "cursor", "qwen-code", "cline", "roo-code", "copilot-cli"}
    crush = next(f["session"] for f in data["files"] if f["agent"] == "crush")
    assert crush["input_tokens"] is None and crush["basis"] == "estimated"


def test_schema_names_every_agent_with_a_reader() -> None:
    from ctxlint.transcripts.agents import AGENTS as READERS

    schema = json.loads((Path(__file__).parents[1] / "src" / "ctxlint" / "schemas" / "report.schema.json").read_text())
    assert set(READERS) <= set(schema["properties"]["files"]["items"]["properties"]["agent"]["enum"])
