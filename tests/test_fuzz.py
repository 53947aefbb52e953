"""Hostile input: no exception escapes a transcript reader, the transcript rules or the Markdown
parser, the line reader accounts for every byte, and every regex of the rule data is linear-time.

A few hundred examples per property by default; for a longer local run:
    CTXLINT_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ctxlint.core.audit import audit_file
from ctxlint.markdown import parse_markdown
from ctxlint.rules.registry import rules_dir
from ctxlint.transcripts.events import Transcript, Usage
from ctxlint.transcripts.lines import iter_lines, json_records, repair_utf8
from ctxlint.transcripts.reading import detect_format, read_transcript
from ctxlint.transcripts.session_facts import session_facts

EXAMPLES = int(os.environ.get("CTXLINT_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# ---------------------------------------------------------------------------------------------
# Transcript readers (and the transcript rules, through audit_file)

json_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)

CLAUDE_BASE: list[dict[str, Any]] = [
    {"type": "user", "sessionId": "s", "uuid": "1", "timestamp": "2026-01-01T00:00:00Z",
     "message": {"role": "user", "content": "hello"}},
    {"type": "assistant", "sessionId": "s", "uuid": "2", "requestId": "r1", "timestamp": "2026-01-01T00:00:01Z",
     "message": {"id": "m1", "model": "claude-sonnet-4-5", "content": [
         {"type": "tool_use", "id": "t1", "name": "Read", "input": {"file_path": "/a.py", "offset": 1, "limit": 9}}],
                 "usage": {"input_tokens": 3, "cache_creation_input_tokens": 10, "cache_read_input_tokens": 100,
                           "output_tokens": 5, "cache_creation": {"ephemeral_1h_input_tokens": 4}}}},
    {"type": "user", "sessionId": "s", "uuid": "3", "toolUseResult": {"file": {"filePath": "/a.py", "numLines": 9}},
     "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "x = 1"}]}},
    {"type": "system", "subtype": "compact_boundary", "sessionId": "s", "compactMetadata": {"trigger": "auto",
                                                                                            "preTokens": 1000}},
    {"type": "user", "sessionId": "s", "uuid": "4", "isCompactSummary": True,
     "message": {"role": "user", "content": "This session is being continued"}},
    {"type": "progress", "sessionId": "s", "data": {"message": {"type": "assistant"}}},
    {"type": "file-history-snapshot", "messageId": "x", "snapshot": {}},
    {"type": "summary", "summary": "title", "leafUuid": "1"},
]

CODEX_BASE: list[dict[str, Any]] = [
    {"timestamp": "t0", "type": "session_meta", "payload": {"id": "s", "cwd": "/w",
                                                           "source": {"subagent": {"thread_spawn": {}}}}},
    {"timestamp": "t1", "type": "turn_context", "payload": {"model": "gpt-5", "turn_id": "x"}},
    {"timestamp": "t2", "type": "response_item", "payload": {"type": "function_call", "name": "shell", "call_id": "c",
                                                             "arguments": "{\"command\": [\"bash\", \"-lc\", \"ls\"]}"}},
    {"timestamp": "t3", "type": "response_item", "payload": {"type": "function_call_output", "call_id": "c",
                                                             "output": "{\"output\": \"a\"}"}},
    {"timestamp": "t4", "type": "event_msg", "payload": {"type": "token_count", "info": {
        "last_token_usage": {"input_tokens": 10, "cached_input_tokens": 5, "output_tokens": 1, "total_tokens": 11},
        "total_token_usage": {"input_tokens": 10, "cached_input_tokens": 5, "output_tokens": 1, "total_tokens": 11},
        "model_context_window": 1000}}},
    {"timestamp": "t5", "type": "compacted", "payload": {"message": "s"}},
    {"timestamp": "t6", "type": "event_msg", "payload": {"type": "context_compacted"}},
    {"timestamp": "t7", "type": "session_meta", "payload": {"id": "parent"}},
    {"timestamp": "t8", "type": "response_item", "payload": {"type": "custom_tool_call", "name": "apply_patch",
                                                             "input": "*** Begin Patch\n*** Add File: x\n"}},
]

GEMINI_DOC: dict[str, Any] = {
    "sessionId": "g", "projectHash": "h", "startTime": "t", "messages": [
        {"type": "user", "content": "hi"},
        {"type": "gemini", "model": "gemini-2.5-pro", "content": "ok",
         "tokens": {"input": 100, "cached": 10, "output": 5, "thoughts": 2},
         "toolCalls": [{"id": "c", "name": "read_file", "args": {"absolute_path": "/x"},
                        "result": [{"functionResponse": {"response": {"output": "x"}}}]}]}]}

GENERIC_DOC: dict[str, Any] = {"messages": [
    {"role": "user", "content": "fix"},
    {"role": "assistant", "content": "```bash\nls\n```", "usage": {"prompt_tokens": 5, "completion_tokens": 1}},
    {"role": "user", "content": "a.py"},
    {"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "bash", "arguments": "{\"command\": 1}"}}]},
    {"role": "tool", "tool_call_id": "c", "content": [{"type": "text", "text": "x"}]},
]}


def mutate(data: Any, path: list[int], value: Any, drop: bool) -> Any:
    """Replace (or drop) the node addressed by ``path`` (indices into dict keys / list items)."""
    if not path or not isinstance(data, (dict, list)) or not data:
        return value
    index = path[0] % len(data)
    if isinstance(data, dict):
        key = list(data)[index]
        copy = dict(data)
        if drop and len(path) == 1:
            del copy[key]
        else:
            copy[key] = mutate(copy[key], path[1:], value, drop)
        return copy
    lst = list(data)
    lst[index] = mutate(lst[index], path[1:], value, drop)
    return lst


def check(t: Transcript) -> None:
    assert isinstance(t, Transcript)
    assert t.malformed == sum(t.malformed_reasons.values())
    assert len(t.malformed_first_lines) <= 5
    # the safety net in read_transcript must never be what caught a problem: readers guard themselves
    assert not any(reason.startswith("unreadable content") for reason in t.malformed_reasons), t.malformed_reasons
    for e in t.events:
        if isinstance(e, Usage):
            assert min(e.input_tokens, e.cache_creation_input_tokens, e.cache_read_input_tokens, e.output_tokens) >= 0
    facts = session_facts(t)
    # A store that records no request boundaries (Cursor, Goose) says so: unknown, not a count.
    assert facts["requests"] == (len(t.requests) if "requests" not in t.totals else None)


def read_bytes(data: bytes, name: str) -> Transcript:
    """Detect, read and audit (every transcript rule runs) the bytes as a file named ``name``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        detect_format(str(path))
        t = read_transcript(str(path))
        check(t)
        audit_file(str(path))
        return t


def encode(records: list[Any], crlf: bool, bom: bool) -> bytes:
    data = b"".join(json.dumps(r).encode() + (b"\r\n" if crlf else b"\n") for r in records)
    return (b"\xef\xbb\xbf" if bom else b"") + data


mutation = st.tuples(st.lists(st.integers(0, 50), min_size=1, max_size=6), json_values, st.booleans())


@FUZZ
@given(st.lists(mutation, max_size=4), st.integers(0, 10_000), st.booleans(), st.booleans(),
       st.sampled_from([b"", b"\xff\xfe", b"\x00\x00", b"{", b"\xc3"]))
def test_claude_reader_survives_mutations(muts: list[Any], cut: int, crlf: bool, bom: bool, junk: bytes) -> None:
    records: Any = CLAUDE_BASE
    for path, value, drop in muts:
        records = mutate(records, path, value, drop)
    data = encode(records if isinstance(records, list) else [records], crlf, bom)
    read_bytes(data, "s.jsonl")
    read_bytes(data[: cut % (len(data) + 1)] + junk, "s.jsonl")  # truncated + garbage tail


@FUZZ
@given(st.lists(mutation, max_size=4), st.integers(0, 10_000), st.booleans())
def test_codex_reader_survives_mutations(muts: list[Any], cut: int, crlf: bool) -> None:
    records: Any = CODEX_BASE
    for path, value, drop in muts:
        records = mutate(records, path, value, drop)
    data = encode(records if isinstance(records, list) else [records], crlf, False)
    read_bytes(data, "rollout-x.jsonl")
    read_bytes(data[: cut % (len(data) + 1)], "rollout-x.jsonl")


AGENT_FIXTURES = Path(__file__).parent / "fixtures" / "agents"


def _lines_of(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:14]]


# The issue-21 formats, each from its fixture (the first records of a JSONL log, the whole document).
AGENT_LOGS = {
    "events.jsonl": _lines_of(next(AGENT_FIXTURES.glob("copilot-cli/session-state/*/events.jsonl"))),
    "cursor.jsonl": _lines_of(next(AGENT_FIXTURES.glob("cursor/projects/*/agent-transcripts/*/*.jsonl"))),
    "qwen.jsonl": _lines_of(next(AGENT_FIXTURES.glob("qwen-code/projects/*/chats/*.jsonl"))),
}
AGENT_DOCUMENTS = {
    "T-thread.json": json.loads(next(AGENT_FIXTURES.glob("amp/threads/*.json")).read_text(encoding="utf-8")),
    "ui_messages.json": json.loads(next(AGENT_FIXTURES.glob("cline/tasks/*/ui_messages.json")).read_text(
        encoding="utf-8"))[:14],
}


@FUZZ
@given(st.sampled_from(sorted(AGENT_LOGS)), st.lists(mutation, max_size=4), st.integers(0, 10_000))
def test_agent_logs_survive_mutations(name: str, muts: list[Any], cut: int) -> None:
    records: Any = AGENT_LOGS[name]
    for path, value, drop in muts:
        records = mutate(records, path, value, drop)
    data = encode(records if isinstance(records, list) else [records], False, False)
    read_bytes(data, name)
    read_bytes(data[: cut % (len(data) + 1)], name)


@FUZZ
@given(st.sampled_from(sorted(AGENT_DOCUMENTS)), st.lists(mutation, max_size=4))
def test_agent_documents_survive_mutations(name: str, muts: list[Any]) -> None:
    doc: Any = AGENT_DOCUMENTS[name]
    for path, value, drop in muts:
        doc = mutate(doc, path, value, drop)
    read_bytes(json.dumps(doc).encode(), name)


@functools.cache
def _store_bytes(sql: str) -> bytes:
    """The fixture's database, built once (building it per example is most of the test's time)."""
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        con = sqlite3.connect(db)
        con.executescript((AGENT_FIXTURES / sql).read_text(encoding="utf-8"))
        con.commit()
        con.close()
        return db.read_bytes()


@pytest.mark.slow  # seconds on two cores; CI runs the slow tests too
@FUZZ
@given(st.sampled_from(["opencode/opencode.sql", "crush/crush.sql", "goose/sessions.sql"]),
       st.lists(st.tuples(st.integers(0, 200), json_values), max_size=4))
def test_database_stores_survive_hostile_rows(sql: str, rows: list[tuple[int, Any]]) -> None:
    """Any JSON in a data column of any row: a counted diagnostic at worst, never an exception."""
    import sqlite3

    from ctxlint.transcripts import stores

    column = {"opencode/opencode.sql": ("part", "data"), "crush/crush.sql": ("messages", "parts"),
              "goose/sessions.sql": ("messages", "content_json")}[sql]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        db.write_bytes(_store_bytes(sql))
        con = sqlite3.connect(db)
        con.execute("PRAGMA synchronous = OFF")
        ids = [r[0] for r in con.execute(f"SELECT rowid FROM {column[0]} ORDER BY rowid")]
        for index, value in rows:
            con.execute(f"UPDATE {column[0]} SET {column[1]} = ? WHERE rowid = ?",
                        (json.dumps(value), ids[index % len(ids)]))
        con.commit()
        con.close()
        for session in stores.sessions(str(db)):
            check(read_transcript(session.address))
            audit_file(session.address)


@pytest.mark.slow  # seconds on two cores; CI runs the slow tests too
@FUZZ
@given(st.lists(mutation, max_size=4), st.booleans(), st.integers(0, 10_000))
def test_gemini_and_generic_documents_survive_mutations(muts: list[Any], jsonl: bool, cut: int) -> None:
    for base in (GEMINI_DOC, GENERIC_DOC):
        doc: Any = base
        for path, value, drop in muts:
            doc = mutate(doc, path, value, drop)
        if jsonl and isinstance(doc, dict):
            header = {k: v for k, v in doc.items() if k != "messages"}
            messages = doc.get("messages") if isinstance(doc.get("messages"), list) else []
            data = encode([header, *messages, {"$set": {"lastUpdated": "x"}}], False, False)
        else:
            data = json.dumps(doc).encode()
        read_bytes(data, "session.json")
        read_bytes(data[: cut % (len(data) + 1)], "session.json")


@FUZZ
@given(st.lists(st.sampled_from([
    "# aider chat started at 2026-01-01 10:00:00", "#### hello", "> Tokens: 1.5k sent, 20 received.",
    "> Tokens: 9.9M sent, 1k cache write, 2k cache hit, 3.3k received.", "> Tokens: .k sent, k received.",
    "> Model: gpt-4o", "> Main model: x with y", "plain reply", "", "####", ">", "\x00", "\udcff",
]) | st.text(max_size=40), max_size=30))
def test_aider_reader_survives_any_lines(lines: list[str]) -> None:
    text = "# aider chat started at 2026-01-01 10:00:00\n" + "\n".join(lines)
    read_bytes(text.encode("utf-8", "surrogateescape"), ".aider.chat.history.md")


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["x.jsonl", "x.json", "x.traj", ".aider.chat.history.md"]))
def test_binary_garbage_never_raises(data: bytes, name: str) -> None:
    read_bytes(data, name)
    read_bytes(b'{"type":"user","sessionId":"s","uuid":"u","message":{"content":"hi"}}\n' + data, name)
    read_bytes(b'{"timestamp":"t","type":"session_meta","payload":{"id":"x"}}\n' + data, name)


@FUZZ
@given(json_values, st.sampled_from(["message", "payload", "content", "usage", "toolUseResult"]))
def test_odd_field_types_never_raise(value: Any, field: str) -> None:
    claude = {"type": "assistant", "sessionId": "s", "uuid": "u", "requestId": "r",
              "message": {"id": "m", "content": value, "usage": value}, field: value}
    codex = {"timestamp": "t", "type": "event_msg", "payload": {"type": "token_count", "info": value}}
    read_bytes(encode([claude, {**claude, "type": "user"}], False, False), "s.jsonl")
    read_bytes(encode([{"timestamp": "t", "type": "session_meta", "payload": {"id": "x"}}, codex,
                       {"timestamp": "t", "type": "response_item", "payload": {"type": "function_call_output",
                                                                               "output": value}}], False, False),
               "r.jsonl")


def test_deeply_nested_and_degenerate_inputs() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    nested_record = b'{"type":"user","sessionId":"s","uuid":"u","message":' + b'{"a":' * 5000 + b"1" + b"}" * 5001
    for data in (b"", b"\n\n\n", b"\xef\xbb\xbf", deep, b'{"messages":' + deep + b"}", nested_record,
                 b'{"type":"user","sessionId":"s","uuid":"u"}\n' + nested_record, b"\x00" * 1000):
        for name in ("x.jsonl", "x.json"):
            read_bytes(data, name)


def test_message_as_string_is_malformed_and_the_rest_is_read() -> None:
    data = (b'{"type":"user","sessionId":"s","uuid":"u","message":"a string"}\n'
            b'{"type":"assistant","sessionId":"s","uuid":"v","requestId":"r","message":{"id":"m","usage":'
            b'{"input_tokens":5,"output_tokens":1}}}\n')
    t = read_bytes(data, "s.jsonl")
    assert t.malformed == 1 and len(t.requests) == 1


def reference_lines(data: bytes, limit: int) -> list[tuple[int, bytes | None, int]]:
    """What iter_lines must yield, computed the obvious way on the whole input."""
    limit = max(limit, 4)  # the reader's floor: a line needs room for one byte and its newline
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    pieces = body.split(b"\n")
    rows: list[tuple[int, bytes | None, int]] = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        if last and not piece:
            break
        line = piece if last else piece + b"\n"
        rows.append((i + 1, None if len(piece) >= limit else line, len(line)))
    return rows


@FUZZ
@given(st.binary(max_size=3000), st.integers(1, 64), st.sampled_from([1, 8192]))
@example(b"\xef\xbb\xbf{}\n\xef\xbb\xbf\n", 8, 1)
@example(b"\xef\xbb\xbf" + b"x" * 7 + b"\n", 8, 1)
@example(b"x" * 9 + b"\r\nyy", 8, 1)
def test_iter_lines_accounts_for_every_byte(data: bytes, limit: int, buffering: int) -> None:
    stream = io.BufferedReader(io.BytesIO(data), buffer_size=buffering)  # tiny buffers split lines too
    rows = list(iter_lines(stream, limit=limit))
    assert rows == reference_lines(data, limit)
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    assert sum(size for _, _, size in rows) == len(data) - bom
    assert all(line is None or len(line) <= max(limit, 4) for _, line, _ in rows)


LINE_PIECES = [b'{"a":1}', b'{"type":"skip"}', b"", b"  ", b"[1]", b'{"a":', b"\xef\xbb\xbf{}", b"x" * 20,
               b'{"k":"' + b"y" * 30 + b'"}', b'{"b":"\xff"}', b"\xef\xbb\xbf"]


@FUZZ
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=12), st.lists(st.sampled_from([b"\n", b"\r\n"]), min_size=12,
       max_size=12), st.booleans(), st.integers(1, 48))
def test_json_records_reads_every_line_as_iter_lines_splits_it(pieces: list[bytes], ends: list[bytes],
                                                                final_newline: bool, limit: int) -> None:
    """json_records agrees with the reference model of the lines on numbering, bytes, skips and records."""
    data = b"".join(piece + end for piece, end in zip(pieces, ends, strict=False))
    if not final_newline and data.endswith(b"\n"):
        data = data[:-1]

    def skip(line: bytes) -> bool:
        return line.startswith(b'{"type":"skip"')

    t = Transcript("s.jsonl", "claude-code")
    got = list(json_records(io.BytesIO(data), t, skip, limit=limit))

    expected: list[tuple[int, Any]] = []
    reference = Transcript("s.jsonl", "claude-code")
    skipped = 0
    rows = reference_lines(data, limit)  # independent of raw_lines, which json_records shares with iter_lines
    for number, line, _ in rows:
        if line is None:
            skipped += 1
            continue
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.endswith(b"}") and skip(stripped):
            skipped += 1
            continue
        try:
            rec = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            rec = repair_utf8(stripped)
            if rec is None:
                reference.add_malformed(number, "not JSON" if stripped.endswith(b"}") else "truncated or not JSON")
                continue
            reference.add_malformed(number, "invalid UTF-8")
        if not isinstance(rec, dict):
            reference.add_malformed(number, "not a JSON object")
            continue
        expected.append((number, rec))
    assert got == expected
    assert (t.lines, t.bytes, t.skipped_records) == (len(rows), sum(size for _, _, size in rows), skipped)
    assert (t.malformed_reasons, t.malformed_first_lines) == (reference.malformed_reasons,
                                                              reference.malformed_first_lines)

# ---------------------------------------------------------------------------------------------
# The Markdown parser and the rules' regular expressions


@FUZZ
@given(text=st.text(max_size=3000))
def test_markdown_parser_never_raises(text: str) -> None:
    doc = parse_markdown(text, "CLAUDE.md")
    assert doc.parse_error is None
    assert all(1 <= b.start_line <= b.end_line for b in doc.code_blocks)


@pytest.mark.parametrize("content", [
    "```\nunclosed fence\n" * 50, "\x00" * 1000, "<!--" * 1000, "@" * 5000, "# " * 5000, "|" * 10000,
    "---\n" + "a: [" * 200 + "\n---\n", "\ufeff# BOM\r\nline\r\n", "`" * 9999,
])
def test_markdown_edge_cases(content: str) -> None:
    parse_markdown(content, "CLAUDE.md")


# Front matter and headings (issue 23.9): YAML with anchors, aliases, flow and block collections,
# tags and broken lines; headings of every level, ATX and setext, in any order.

_words = st.text(alphabet="abcxyz*/.{},[]&!:-_ '\"#|>", min_size=0, max_size=12)
_yaml_line = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(["globs", "paths", "applyTo", "description", "alwaysApply",
                                                        "a", "b"]), _words),
    st.builds(lambda k, n: f"{k}: &{k} [" + ", ".join([f"*{k}"] * n) + "]", st.sampled_from(["a", "b"]),
              st.integers(0, 9)),
    st.builds(lambda k, v: f"{k}: *{v}", st.sampled_from(["globs", "paths", "c"]), st.sampled_from(["a", "b", "z"])),
    st.builds(lambda v: f"  - {v}", _words),
    st.sampled_from(["alwaysApply: yes", "globs: **/*.ts", "? complex", "!!python/object:os.system x", "\t- tab",
                     "key: [unclosed", "description: |", "  block text", "---x", ""]),
)
_heading = st.one_of(
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), _words),
    st.builds(lambda t, u: t + "\n" + u, st.text(alphabet="abc ", min_size=1, max_size=8), st.sampled_from(["===", "---"])),
    st.sampled_from(["body line", "", "```", "- item", "<!-- c -->", "@docs/x.md"]),
)


@FUZZ
@given(front=st.lists(_yaml_line, max_size=12), body=st.lists(_heading, max_size=40), fenced=st.booleans())
def test_front_matter_and_headings_never_break_the_parser(front: list[str], body: list[str], fenced: bool) -> None:
    text = ("---\n" + "\n".join(front) + "\n---\n" if fenced else "") + "\n".join(body) + "\n"
    doc = parse_markdown(text, ".cursor/rules/x.mdc")
    assert doc.parse_error is None
    assert (doc.front_matter is None) or isinstance(doc.front_matter, dict)
    starts = [s.start_line for s in doc.sections]
    assert starts == sorted(starts) and all(1 <= s.start_line <= s.end_line + 1 for s in doc.sections)
    for line in range(1, len(doc.lines) + 1):  # the innermost section, as a scan of all of them finds it
        best = None
        for s in doc.sections:
            if s.start_line <= line <= s.end_line and (best is None or s.level >= best.level):
                best = s
        assert doc.section_at(line) == best


@settings(max_examples=min(EXAMPLES, 40), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(front=st.lists(_yaml_line, max_size=10), body=st.lists(_heading, max_size=20))
def test_every_instruction_rule_survives_front_matter_and_headings(tmp_path: Path, front: list[str],
                                                                    body: list[str]) -> None:
    """The whole engine on a Cursor rule, a Claude rule and a CLAUDE.md made of them: never an exception."""
    from ctxlint.config import Config
    from ctxlint.core.run import run_check

    text = "---\n" + "\n".join(front) + "\n---\n" + "\n".join(body) + "\n"
    with tempfile.TemporaryDirectory(dir=tmp_path) as d:
        root = Path(d)
        (root / ".git").mkdir()
        for rel in (".cursor/rules/x.mdc", ".claude/rules/y.md", "CLAUDE.md"):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        report = run_check([str(root)], Config(fail_on=None), jobs=1)
    assert all(f.rule_id != "CTX001" for f in report.findings)


REGEX_KEYS = {"regex", "shout", "style", "section_titles", "volatile_lines", "noise", "scoped_heading", "pipe_bound",
              "tool", "unbounded_if", "bounded_by", "match"}
REGEX_LISTS = {"dump_commands", "noise_files", "corrections", "placeholders"}


def _all_patterns() -> list[str]:
    """Every regular expression the rule data holds (regex-valued keys and regex lists)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str) and k in REGEX_KEYS:
                    found.append(v)
                elif isinstance(v, list) and k in REGEX_LISTS:
                    found.extend(x for x in v if isinstance(x, str))
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted(rules_dir().glob("*.yaml")):
        walk(yaml.safe_load(path.read_text()))
    return found


ADVERSARIAL = ["a" * 1_000_000, " " * 1_000_000, "a/" * 500_000, "`" * 1_000_000, "-" * 1_000_000,
               "aaaa " * 200_000, "sk-" * 300_000, "\\" * 1_000_000, "(" * 1_000_000, "1" * 1_000_000]


@pytest.mark.slow
def test_every_rule_pattern_is_linear_time() -> None:
    patterns = _all_patterns()
    assert len(patterns) > 20
    for pattern in patterns:
        compiled = re.compile(pattern)
        for text in ADVERSARIAL:
            start = time.perf_counter()
            compiled.search(text)
            for _ in compiled.finditer(text[:200_000]):
                pass
            assert time.perf_counter() - start < 2.0, f"slow pattern {pattern!r}"


@pytest.mark.slow  # seconds on two cores; CI runs the slow tests too
def test_every_rule_over_adversarial_instruction_lines(tmp_path: Path) -> None:
    """Each rule over 1 MB lines (via the whole engine) within a time budget."""
    from ctxlint.config import Config
    from ctxlint.core.run import run_check

    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Title\n" + "a/b `c` @d.md [x](y) " * 50_000 + "\n" + "-" * 1_000_000 + "\n")
    start = time.perf_counter()
    run_check([str(tmp_path)], Config(fail_on=None), jobs=1)
    assert time.perf_counter() - start < 60
