"""The readers of issue 21 against their fixtures: every session fact a fixture's expected.yaml states
(hand-computed, see tests/fixtures/agents/README.md) is what the reader reports, unknown figures are
None (never 0), the agent's own totals agree where it records them, and the findings the shared
session holds (a repeated read, a 50,141-character pytest output) are found where the data allows."""

from __future__ import annotations

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
