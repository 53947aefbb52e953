"""Transcript readers on the real corpus: exact usage, compactions, subagents, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from ctxlint.core.audit import audit_file
from ctxlint.transcripts.events import Compaction, Usage
from ctxlint.transcripts.reading import detect_format, read_transcript
from ctxlint.transcripts.session_facts import session_facts
from tests.conftest import corpus_dir

FE5E = "d-kimuson__claude-code-viewer__mock-global-claude-dir__projects__sample-project__fe5e1c67-53e7-4862-81ae-d0e013e3270b.jsonl"


def reference_totals(path: Path) -> tuple[int, int, int, int]:
    """An independent keep-largest de-duplication on (message.id, requestId), with plain json."""
    best: dict[tuple[str, str], tuple[int, int, int, int]] = {}
    by_id: dict[str, tuple[str, str]] = {}
    sidechain: dict[tuple[str, str], bool] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(rec, dict) or rec.get("type") != "assistant" or not isinstance(rec.get("message"), dict):
            continue
        msg = rec["message"]
        usage = msg.get("usage")
        if not isinstance(usage, dict) or not msg.get("id") or msg.get("model") == "<synthetic>":
            continue
        values = (usage.get("input_tokens", 0) or 0, usage.get("cache_creation_input_tokens", 0) or 0,
                  usage.get("cache_read_input_tokens", 0) or 0, usage.get("output_tokens", 0) or 0)
        key = (msg["id"], rec.get("requestId") or "")
        first = by_id.get(msg["id"])
        if key not in best and first is not None and (
            not rec.get("requestId") or first[1] == "" or sidechain[first] != (rec.get("isSidechain") is True)
        ):
            key = first  # no requestId to tell them apart, or a /btw sidechain replay of a parent message
        by_id.setdefault(msg["id"], key)
        sidechain.setdefault(key, rec.get("isSidechain") is True)
        old = best.get(key)
        if old is None or (sum(values), values[3]) > (sum(old), old[3]):
            best[key] = values
    return tuple(sum(v[i] for v in best.values()) for i in range(4))  # type: ignore[return-value]


def totals(path: Path) -> tuple[int, int, int, int]:
    t = read_transcript(str(path))
    r = [e for e in t.events if isinstance(e, Usage)]
    return (sum(u.input_tokens for u in r), sum(u.cache_creation_input_tokens for u in r),
            sum(u.cache_read_input_tokens for u in r), sum(u.output_tokens for u in r))


def test_fe5e1c67_exact_totals() -> None:
    path = corpus_dir("transcripts") / "claude-code" / FE5E
    assert totals(path) == (818, 137_976, 3_647_854, 51_933)


def test_every_claude_session_matches_the_reference() -> None:
    folder = corpus_dir("transcripts") / "claude-code"
    files = [p for p in sorted(folder.glob("*.jsonl"))]
    assert files
    for path in files:
        assert totals(path) == reference_totals(path), path.name


def test_prefilter_never_changes_results() -> None:
    for path in sorted(corpus_dir("transcripts").glob("*/*")):
        if detect_format(str(path)) not in ("claude-code", "codex"):
            continue
        fast = read_transcript(str(path))
        slow = read_transcript(str(path), use_prefilter=False)
        assert fast.events == slow.events, path.name  # every field of every event
        assert (fast.malformed, fast.models, fast.session_id, fast.started_at, fast.ended_at, fast.lines,
                fast.bytes, fast.is_subagent_file) == (slow.malformed, slow.models, slow.session_id,
                                                       slow.started_at, slow.ended_at, slow.lines, slow.bytes,
                                                       slow.is_subagent_file), path.name
        assert slow.skipped_records <= fast.skipped_records


def test_formats_are_detected_from_content() -> None:
    seen = {}
    for path in sorted(corpus_dir("transcripts").glob("*/*")):
        seen[path.parent.name] = seen.get(path.parent.name, set()) | {detect_format(str(path))}
    assert seen["claude-code"] >= {"claude-code"}
    assert seen["codex"] == {"codex"}
    assert seen["gemini"] == {"gemini"}
    assert seen["aider"] == {"aider"}
    assert seen["openai-messages"] == {"generic"}


def test_compactions_are_boundaries_not_titles() -> None:
    folder = corpus_dir("transcripts")
    for path in sorted(folder.glob("claude-code/*.jsonl")):
        text = path.read_text(encoding="utf-8", errors="replace")
        boundaries = text.count('"subtype":"compact_boundary"')
        t = read_transcript(str(path))
        assert sum(isinstance(e, Compaction) for e in t.events) == boundaries, path.name
    # sniffly's one-line file holds only a session title ("summary"): no compaction, no request
    title_only = next(folder.glob("claude-code/*ff71dbed*.jsonl"))
    t = read_transcript(str(title_only))
    assert not t.events and t.malformed == 0


def test_codex_compaction_counted_once_and_usage_semantics() -> None:
    path = next(corpus_dir("transcripts").glob("codex/*12-54-34*.jsonl"))
    facts = session_facts(read_transcript(str(path)))
    assert facts["compactions"] == 1
    assert facts["context_window"] == 258_400
    # input_tokens is fresh input: cached tokens are reported separately, never twice
    raw_input = 0
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        p = rec.get("payload") or {}
        if p.get("type") == "token_count" and p.get("info"):
            raw_input = p["info"]["total_token_usage"]["input_tokens"]
    assert facts["input_tokens"] + facts["cache_read_input_tokens"] == raw_input


def test_subagent_files_are_marked() -> None:
    sub = next(corpus_dir("transcripts").glob("claude-code/*__subagents__agent-a881341.jsonl"))
    t = read_transcript(str(sub))
    assert all(e.sidechain for e in t.events)
    assert t.is_subagent_file


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02\xff\xfe" * 100,
        b'{"type":"user","message":"a plain string","sessionId":"s","uuid":"u"}\n',
        b'{"type":"assistant","message":{"id":"m","usage":{"input_tokens":"x"}},"sessionId":"s","uuid":"u"}\n',
        b'{"type":"user","sessionId":"s","uuid":"u","message":{"content":[{"type":"tool_result"}]}}\n{"type":"assi',
        b'\xef\xbb\xbf{"type":"user","sessionId":"s","uuid":"u","message":{"role":"user","content":"hi"}}\r\n',
        b'{"type":"unknown-future-type","sessionId":"s","uuid":"u"}\n{"type":"user","sessionId":"s","uuid":"u","message":{"role":"user","content":"x\xff\xfey"}}\n',
    ],
)
def test_bad_input_never_raises(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "session.jsonl"
    path.write_bytes(content)
    result = audit_file(str(path))
    assert result.path.endswith("session.jsonl")


def test_truncated_last_line_is_a_counted_diagnostic(tmp_path: Path) -> None:
    good = '{"type":"user","sessionId":"s","uuid":"u1","message":{"role":"user","content":"hello there"}}\n'
    path = tmp_path / "s.jsonl"
    path.write_text(good * 3 + '{"type":"assistant","message":{"id":"m1"')
    t = read_transcript(str(path))
    assert t.malformed == 1 and t.malformed_first_lines == [4]
    result = audit_file(str(path))
    assert [d["rule_id"] for d in result.diagnostics] == ["CTX002"]


def test_oversize_line_is_skipped_without_holding_it(tmp_path: Path) -> None:
    from ctxlint.transcripts.lines import iter_lines

    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"a":1}\n')
        fh.write(b'{"type":"file-history-snapshot","x":"' + b"y" * (3 * 1024 * 1024) + b'"}\n')
        fh.write(b'{"b":2}\n')
    with path.open("rb") as fh:
        rows = [(n, line is None, size) for n, line, size in iter_lines(fh, limit=1024 * 1024)]
    assert rows[0] == (1, False, 8) and rows[1][:2] == (2, True) and rows[2][:2] == (3, False)


def test_waste_never_exceeds_input_on_the_corpus() -> None:
    for path in sorted(corpus_dir("transcripts").glob("*/*")):
        result = audit_file(str(path))
        s = result.session or {}
        spent = sum(int(s.get(k) or 0) for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"))
        waste = sum(f.tokens_wasted for f in result.findings)
        assert waste <= spent, (path.name, waste, spent)


# ---------------------------------------------------------------------------------------------------
# Synthetic fixtures (written inline: no corpus file is copied into the tests)
# ---------------------------------------------------------------------------------------------------

import base64  # noqa: E402
import os  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402

from ctxlint.core.inputs import transcript_files  # noqa: E402
from ctxlint.transcripts.events import (  # noqa: E402
    AssistantText,
    Clear,
    Image,
    Prompt,
    SubagentMarker,
    ToolCall,
    ToolResult,
)
from ctxlint.transcripts.files import default_stores  # noqa: E402
from ctxlint.transcripts.lines import iter_lines  # noqa: E402

SONNET = "claude-sonnet-4-5-20250929"


def write_jsonl(path: Path, records: list[object]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def usage(i: int = 3, cw: int = 100, cr: int = 1000, out: int = 50, one_hour: int | None = None) -> dict[str, object]:
    u: dict[str, object] = {"input_tokens": i, "cache_creation_input_tokens": cw, "cache_read_input_tokens": cr,
                            "output_tokens": out}
    if one_hour is not None:
        u["cache_creation"] = {"ephemeral_5m_input_tokens": cw - one_hour, "ephemeral_1h_input_tokens": one_hour}
    return u


def asst(mid: str, rid: str | None, u: dict[str, object] | None, content: list[object] | None = None,
         sidechain: bool = False, model: str = SONNET, ts: str = "2026-01-01T10:00:00.000Z") -> dict[str, object]:
    rec: dict[str, object] = {"type": "assistant", "sessionId": "s1", "uuid": f"u-{mid}-{rid}", "cwd": "/repo",
                              "isSidechain": sidechain, "timestamp": ts,
                              "message": {"id": mid, "model": model, "role": "assistant",
                                          "content": content if content is not None else [{"type": "text", "text": "ok"}]}}
    if u is not None:
        rec["message"]["usage"] = u  # type: ignore[index]
    if rid is not None:
        rec["requestId"] = rid
    return rec


def user(content: object, ts: str = "2026-01-01T09:59:00.000Z", **extra: object) -> dict[str, object]:
    rec: dict[str, object] = {"type": "user", "sessionId": "s1", "uuid": f"u{id(content)}", "cwd": "/repo",
                              "timestamp": ts, "isSidechain": False,
                              "message": {"role": "user", "content": content}}
    rec.update(extra)
    return rec


def png_b64(w: int, h: int) -> str:
    raw = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", w, h) + b"\x08\x06\x00\x00\x00" + b"\x00" * 64
    return base64.b64encode(raw).decode()


def requests_of(t: object) -> list[Usage]:
    return [e for e in t.events if isinstance(e, Usage)]  # type: ignore[attr-defined]


# --- lines -----------------------------------------------------------------------------------------


def test_iter_lines_bom_crlf_and_truncated_last_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a":1}\r\n\r\n{"b":2}\r\n{"c":')
    with path.open("rb") as fh:
        rows = list(iter_lines(fh))
    assert [n for n, _, _ in rows] == [1, 2, 3, 4]
    assert rows[0][1] == b'{"a":1}\r\n' and rows[3][1] == b'{"c":'
    assert sum(size for _, _, size in rows) == path.stat().st_size - 3  # the BOM is not part of line 1


def test_iter_lines_oversize_line_in_the_middle_and_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"a\n" + b"x" * 5000 + b"\nb\n" + b"y" * 5000)
    with path.open("rb") as fh:
        rows = list(iter_lines(fh, limit=1000))
    assert rows == [(1, b"a\n", 2), (2, None, 5001), (3, b"b\n", 2), (4, None, 5000)]


# --- Claude Code -----------------------------------------------------------------------------------


def test_claude_dedup_keeps_largest_usage_once_per_request(tmp_path: Path) -> None:
    records = [
        user("fix the bug"),
        # three content blocks of one response; the first carries a partial output count
        asst("m1", "r1", usage(out=5), [{"type": "thinking", "thinking": "hmm"}]),
        asst("m1", "r1", usage(out=50), [{"type": "text", "text": "Reading"}]),
        asst("m1", "r1", usage(out=50), [{"type": "tool_use", "id": "t1", "name": "Read",
                                          "input": {"file_path": "/repo/a.py", "offset": 10, "limit": 20}}]),
        # a gateway without requestId: message.id alone is the key
        asst("m2", None, usage(i=1, cw=0, cr=2000, out=7)),
        asst("m2", None, usage(i=1, cw=0, cr=2000, out=9)),
        # a /btw side question replays m1 on a sidechain under a new requestId: counted once
        asst("m1", "r-btw", usage(out=50), sidechain=True),
        # synthetic local error messages are not requests
        asst("m3", "r3", usage(), model="<synthetic>"),
    ]
    t = read_transcript(write_jsonl(tmp_path / "s.jsonl", records))
    reqs = requests_of(t)
    assert [(u.request_key, u.line, u.output_tokens, u.sidechain) for u in reqs] == [
        ("m1|r1", 2, 50, False), ("m2|", 5, 9, False)]
    assert reqs[0].context_tokens == 3 + 100 + 1000
    assert t.models == [SONNET]


def test_claude_sidechain_replay_first_then_main_prefers_main(tmp_path: Path) -> None:
    records = [asst("m1", "r-side", usage(out=10), sidechain=True), asst("m1", "r-main", usage(out=12))]
    reqs = requests_of(read_transcript(write_jsonl(tmp_path / "s.jsonl", records)))
    assert len(reqs) == 1 and reqs[0].output_tokens == 12 and not reqs[0].sidechain


def test_claude_cache_creation_one_hour_split(tmp_path: Path) -> None:
    reqs = requests_of(read_transcript(write_jsonl(tmp_path / "s.jsonl", [asst("m", "r", usage(cw=500, one_hour=300))])))
    assert reqs[0].cache_creation_input_tokens == 500 and reqs[0].cache_creation_1h_tokens == 300


def test_claude_compactions_and_titles(tmp_path: Path) -> None:
    boundary = {"type": "system", "subtype": "compact_boundary", "sessionId": "s1", "uuid": "b",
                "timestamp": "2026-01-01T10:05:00Z", "compactMetadata": {"trigger": "auto", "preTokens": 167189}}
    summary_row = user("This session is being continued from a previous conversation...", isCompactSummary=True)
    records = [
        {"type": "summary", "summary": "Fix login", "leafUuid": "x"},  # a title, never a compaction
        user("hello"), asst("m1", "r1", usage()),
        boundary, summary_row,  # one compaction
        asst("m2", "r2", usage()),
        summary_row,  # a summary row with no boundary before it: a compaction of its own
    ]
    t = read_transcript(write_jsonl(tmp_path / "s.jsonl", records))
    comps = [e for e in t.events if isinstance(e, Compaction)]
    assert [(c.line, c.trigger, c.pre_tokens) for c in comps] == [(4, "auto", 167189), (7, None, None)]
    assert not any(isinstance(e, Prompt) and "continued" in e.text for e in t.events)


def test_claude_prompts_commands_clear_and_meta(tmp_path: Path) -> None:
    records = [
        user("<command-name>/clear</command-name>\n<command-message>clear</command-message>\n<command-args></command-args>"),
        user("<local-command-stdout></local-command-stdout>"),
        user("<command-message>model</command-message>\n<command-name>/model</command-name>"),
        user([{"type": "text", "text": "[Request interrupted by user for tool use]"}]),
        user("<system-reminder>\nThe user opened a file\n</system-reminder>"),
        user("Caveat: injected", isMeta=True),
        user([{"type": "text", "text": "Please refactor the parser"}]),
    ]
    t = read_transcript(write_jsonl(tmp_path / "s.jsonl", records))
    assert isinstance(t.events[0], Clear) and t.events[0].line == 1
    prompts = [e for e in t.events if isinstance(e, Prompt)]
    assert [(p.line, p.command, p.is_meta, p.is_interrupt) for p in prompts] == [
        (3, "/model", True, False), (4, None, False, True), (5, None, True, False), (6, None, True, False),
        (7, None, False, False)]
    assert prompts[-1].chars == len("Please refactor the parser") and prompts[-1].tokens_est > 0


def test_claude_tool_results_are_sized_from_the_model_visible_content(tmp_path: Path) -> None:
    body = "     1\tline\n" * 200
    records = [
        asst("m1", "r1", usage(), [
            {"type": "tool_use", "id": "t1", "name": "Read", "input": {"file_path": "/repo/a.py"}},
            {"type": "tool_use", "id": "t2", "name": "Bash", "input": {"command": "ls -la"}},
            {"type": "tool_use", "id": "t3", "name": "Grep", "input": {"pattern": "TODO", "path": "src"}},
            {"type": "tool_use", "id": "t4", "name": "MultiEdit", "input": {"file_path": "/repo/a.py", "edits": []}},
            {"type": "tool_use", "id": "t5", "name": "Task", "input": {"prompt": "explore", "subagent_type": "x"}},
        ]),
        user([{"type": "tool_result", "tool_use_id": "t1", "content": body}],
             toolUseResult={"type": "text", "file": {"filePath": "/repo/a.py", "content": body * 5, "startLine": 1,
                                                    "numLines": 200, "totalLines": 900}}),
        user([{"type": "tool_result", "tool_use_id": "t1",
               "content": "Wasted call — file unchanged since your last Read."}],
             toolUseResult={"type": "file_unchanged", "file": {"filePath": "/repo/a.py"}}),
        user([{"type": "tool_result", "tool_use_id": "t2",
               "content": "<persisted-output>\nOutput too large (80KB). Full output saved to: /x\n</persisted-output>"}]),
        user([{"type": "tool_result", "tool_use_id": "t3", "content": [
            {"type": "text", "text": "found"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png_b64(1000, 500)}}]}]),
        user([{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png_b64(56, 56)}},
              {"type": "text", "text": "what is this?"}]),
    ]
    t = read_transcript(write_jsonl(tmp_path / "s.jsonl", records))
    calls = [e for e in t.events if isinstance(e, ToolCall)]
    assert (calls[0].name, calls[0].path, calls[0].offset, calls[0].limit) == ("Read", "/repo/a.py", None, None)
    assert calls[1].command == "ls -la"
    assert (calls[2].pattern, calls[2].path) == ("TODO", "src")
    assert calls[3].is_edit and calls[3].edit_paths == ("/repo/a.py",)
    assert calls[4].is_subagent
    assert any(isinstance(e, SubagentMarker) and e.agent_id == "t5" for e in t.events)
    results = [e for e in t.events if isinstance(e, ToolResult)]
    read = results[0]
    assert read.chars == len(body)  # not toolUseResult's copy of the file
    assert (read.path, read.start_line, read.num_lines, read.total_lines) == ("/repo/a.py", 1, 200, 900)
    assert results[1].unchanged_stub and not results[0].unchanged_stub
    assert results[2].persisted
    assert results[3].image_tokens == min(1568, 36 * 18) and results[3].chars == len("found")
    image = next(e for e in t.events if isinstance(e, Image))
    assert image.tokens_est == 4 and image.media_type == "image/png"


def test_claude_session_metadata_and_inline_sidechain(tmp_path: Path) -> None:
    records = [
        user("start", ts="2026-01-01T09:00:00Z"),
        asst("m1", "r1", usage(), ts="2026-01-01T09:01:00Z"),
        user("sub prompt", ts="2026-01-01T09:02:00Z", isSidechain=True),
        asst("m2", "r2", usage(), sidechain=True, model="claude-haiku-4-5", ts="2026-01-01T09:03:00Z"),
        asst("m3", "r3", usage(), sidechain=True, model="claude-haiku-4-5", ts="2026-01-01T09:04:00Z"),
        asst("m4", "r4", usage(), ts="2026-01-01T09:05:00Z"),
    ]
    t = read_transcript(write_jsonl(tmp_path / "s.jsonl", records))
    assert (t.session_id, t.cwd, t.started_at, t.ended_at) == ("s1", "/repo", "2026-01-01T09:00:00Z",
                                                               "2026-01-01T09:05:00Z")
    assert t.models == [SONNET, "claude-haiku-4-5"]
    markers = [e for e in t.events if isinstance(e, SubagentMarker)]
    assert len(markers) == 1 and markers[0].line == 4
    assert not t.is_subagent_file
    sub = read_transcript(write_jsonl(tmp_path / "s1" / "subagents" / "agent-abc.jsonl", records[2:5]))
    assert sub.is_subagent_file


def _resumed_claude_session() -> list[dict[str, object]]:
    """A Claude Code 2.0 session resumed the next day (the shape of a real one): the resume copies the
    conversation back with new uuids under one shared timestamp, the assistant copies without their
    requestId; the user's new prompt follows 3 ms later."""
    read_call = [{"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {"file_path": "/repo/sync.ts"}}]
    read_result = [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "export function sync() {}\n" * 40}]
    first_day = [
        user([{"type": "text", "text": "<ide_opened_file>The user opened sync.ts in the IDE.</ide_opened_file>"},
              {"type": "text", "text": "Help me think through the sync endpoint"}], "2026-01-01T10:00:00.000Z", uuid="p1"),
        asst("m1", "r1", usage(out=40), [{"type": "text", "text": "Let me look."}], ts="2026-01-01T10:00:05.000Z"),
        asst("m1", "r1", usage(out=40), read_call, ts="2026-01-01T10:00:06.000Z"),
        user(read_result, "2026-01-01T10:00:06.100Z", uuid="p2"),
        asst("m2", "r2", usage(cw=900, out=300), [{"type": "text", "text": "Here is the plan."}],
             ts="2026-01-01T10:00:30.000Z"),
    ]
    for i, rec in enumerate(first_day):
        rec["uuid"] = f"orig-{i}"
    shared = "2026-01-02T08:00:00.000Z"
    copies = []
    for i, rec in enumerate(first_day):
        copy = json.loads(json.dumps(rec))
        copy.pop("requestId", None)
        copy["uuid"], copy["timestamp"] = f"copy-{i}", shared
        copies.append(copy)
    new_day = [
        user("Now also handle the delta sync", "2026-01-02T08:00:00.003Z", uuid="p3"),
        asst("m3", "r3", usage(cw=5000, cr=0, out=60), [{"type": "text", "text": "Sure."}],
             ts="2026-01-02T08:00:09.000Z"),
    ]
    new_day[1]["uuid"] = "new-1"
    return [*first_day, {"type": "summary", "summary": "Sync", "leafUuid": "orig-4"}, *copies, *new_day]


def test_claude_resume_replay_is_marked_and_usage_unchanged(tmp_path: Path) -> None:
    records = _resumed_claude_session()
    t = read_transcript(write_jsonl(tmp_path / "s.jsonl", records))
    replayed = sorted({e.line for e in t.events if e.replayed})
    assert replayed == list(range(7, 12))  # the five copies, and nothing else
    assert [p.text for p in t.events if isinstance(p, Prompt) and not p.replayed] == [
        "<ide_opened_file>The user opened sync.ts in the IDE.</ide_opened_file>\nHelp me think through the sync endpoint",
        "Now also handle the delta sync"]
    assert [c.line for c in t.events if isinstance(c, ToolCall) and not c.replayed] == [3]
    # usage is what it was without the copies: each response once, at its first line
    without = [r for r in records if not str(r.get("uuid", "")).startswith("copy-")]
    plain = read_transcript(write_jsonl(tmp_path / "plain.jsonl", without))
    assert [(u.request_key, u.context_tokens, u.output_tokens) for u in requests_of(t)] == [
        (u.request_key, u.context_tokens, u.output_tokens) for u in requests_of(plain)]
    facts = session_facts(t)
    assert facts["tool_calls"] == {"Read": 1}  # the copied Read is counted once


def test_claude_replay_identity_without_a_shared_timestamp(tmp_path: Path) -> None:
    """A copy is known by its ids even when the copies do not share one timestamp; a prompt between
    copies with its own timestamp is new work."""
    records = _resumed_claude_session()
    for i, rec in enumerate(r for r in records if str(r.get("uuid", "")).startswith("copy-")):
        rec["timestamp"] = f"2026-01-02T08:00:00.{i:03d}Z"
    t = read_transcript(write_jsonl(tmp_path / "s.jsonl", records))
    assert sorted({e.line for e in t.events if e.replayed}) == [8, 9, 10, 11]  # the first copy (a prompt) has no id
    assert not any(e.replayed for e in t.events if e.line == 12)


def test_codex_resume_history_is_marked_and_still_counted(tmp_path: Path) -> None:
    old, new = "9cd28a74-0000-4000-8000-000000000001", "613a9a68-0000-4000-8000-000000000002"

    def burst(ms: int) -> str:
        return f"2026-02-01T10:00:00.{ms:03d}Z"

    history = [
        env("session_meta", {"id": old, "cwd": "/w", "cli_version": "0.36.0"}, burst(0)),
        env("response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "review"}]},
            burst(1)),
        env("turn_context", {"model": "gpt-5", "cwd": "/w"}, burst(2)),
        env("response_item", {"type": "function_call", "name": "shell", "call_id": "c1",
                              "arguments": json.dumps({"command": ["bash", "-lc", "sed -n '1,200p' a.py"]})}, burst(3)),
        env("response_item", {"type": "function_call_output", "call_id": "c1",
                              "output": json.dumps({"output": "x = 1\n" * 300, "metadata": {"exit_code": 0}})}, burst(4)),
        token_count((8000, 0, 100), (8000, 0, 100), ts=burst(5)),
        token_count((9000, 8000, 100), (17000, 8000, 200), ts=burst(6)),
        env("response_item", {"type": "message", "role": "assistant",
                              "content": [{"type": "output_text", "text": "Reviewed."}]}, burst(7)),
    ]
    new_work = [
        env("response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "fix it"}]},
            "2026-02-01T10:00:25.000Z"),
        env("turn_context", {"model": "gpt-5", "cwd": "/w"}, "2026-02-01T10:00:25.001Z"),
        token_count((9500, 9000, 50), (9500, 9000, 50), ts="2026-02-01T10:00:40.000Z"),
    ]
    own = env("session_meta", {"id": new, "cwd": "/w", "cli_version": "0.36.0"}, "2026-02-01T09:59:58.000Z")
    t = read_transcript(write_jsonl(tmp_path / "r.jsonl", [own, *history, *new_work]))
    assert sorted({e.line for e in t.events if e.replayed}) == [3, 5, 6, 7, 8, 9]
    assert [p.text for p in t.events if isinstance(p, Prompt) and not p.replayed] == ["fix it"]
    assert len(requests_of(t)) == 3  # the copied token counts still count, as before
    # Without the pause before the new prompt, the new session's own token count (below the copied
    # history's total) still shows where the new work began.
    new_work[0]["timestamp"] = burst(8)
    t = read_transcript(write_jsonl(tmp_path / "r2.jsonl", [own, *history, *new_work]))
    assert [p.text for p in t.events if isinstance(p, Prompt) and not p.replayed] == ["fix it"]
    assert sorted({e.line for e in t.events if e.replayed}) == [3, 5, 6, 7, 8, 9]


def test_claude_bad_records_are_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    lines = [
        json.dumps(user("hello")),
        '{"type":"user","sessionId":"s1","uuid":"u2","message":"a string, not an object"}',
        '{"type":"some-future-type","sessionId":"s1","uuid":"u3"}',
        "not json at all",
        json.dumps(asst("m1", "r1", usage())),
        '{"type":"assistant","sessionId":"s1","uuid":"u5","message":{"id":"m2","usage":{"input_tokens":"NaN"}}}',
        '{"type":"assistant","sessionId":"s1","message":{"id":"m9"',
    ]
    path.write_bytes("\n".join(lines).encode() + b"\xff\xfe\x00")
    t = read_transcript(str(path))
    assert t.malformed == 3 and t.malformed_first_lines == [2, 4, 7]
    reqs = requests_of(t)
    assert [u.request_key for u in reqs] == ["m1|r1", "m2|"] and reqs[1].input_tokens == 0


# --- Codex -----------------------------------------------------------------------------------------


def env(kind: str, payload: dict[str, object], ts: str = "2026-02-01T10:00:00.000Z") -> dict[str, object]:
    return {"timestamp": ts, "type": kind, "payload": payload}


def token_count(last: tuple[int, int, int] | None, total: tuple[int, int, int] | None, window: int = 272_000,
                ts: str = "2026-02-01T10:00:00.000Z") -> dict[str, object]:
    def u(v: tuple[int, int, int]) -> dict[str, int]:
        return {"input_tokens": v[0], "cached_input_tokens": v[1], "output_tokens": v[2],
                "reasoning_output_tokens": 0, "total_tokens": v[0] + v[2]}
    info: dict[str, object] = {"model_context_window": window}
    if last is not None:
        info["last_token_usage"] = u(last)
    if total is not None:
        info["total_token_usage"] = u(total)
    return env("event_msg", {"type": "token_count", "info": info, "rate_limits": {}}, ts)


def uuid7(ms: int, tail: str = "000000000001") -> str:
    h = f"{ms:012x}"
    return f"{h[:8]}-{h[8:12]}-7000-8000-{tail}"


def test_codex_usage_semantics(tmp_path: Path) -> None:
    records = [
        env("session_meta", {"id": "sess", "cwd": "/work/x", "cli_version": "0.50.0"}, "2026-02-01T09:00:00Z"),
        env("turn_context", {"model": "gpt-5-codex", "cwd": "/work/x"}),
        env("event_msg", {"type": "token_count", "info": None, "rate_limits": {}}),  # rate limits only
        token_count((1000, 800, 50), (1000, 800, 50)),
        token_count((1000, 800, 50), (1000, 800, 50)),  # the same totals repeated: not a request
        token_count(None, (2500, 1700, 90)),  # totals only: the difference is the request
        token_count((900_000, 0, 10), (3_400_000, 1700, 100), window=272_000),  # impossible sample
        env("turn_context", {"model": "gpt-5.1-codex"}),
        token_count((3000, 2900, 20), (6_403_000, 4600, 120), ts="2026-02-01T11:00:00Z"),
    ]
    t = read_transcript(write_jsonl(tmp_path / "rollout-2026-02-01T09-00-00-x.jsonl", records))
    reqs = requests_of(t)
    assert [(u.input_tokens, u.cache_read_input_tokens, u.output_tokens, u.model) for u in reqs] == [
        (200, 800, 50, "gpt-5-codex"), (600, 900, 40, "gpt-5-codex"), (100, 2900, 20, "gpt-5.1-codex")]
    assert t.malformed_reasons == {"impossible-usage": 1}
    assert t.context_window == 272_000 and reqs[0].context_window == 272_000
    assert reqs[0].context_tokens == 1000  # input includes cached: the context is input_tokens
    assert t.models == ["gpt-5-codex", "gpt-5.1-codex"]
    assert (t.session_id, t.cwd, t.started_at, t.ended_at) == ("sess", "/work/x", "2026-02-01T09:00:00Z",
                                                               "2026-02-01T11:00:00Z")


def test_codex_tools_and_compaction(tmp_path: Path) -> None:
    patch = "*** Begin Patch\n*** Update File: src/a.py\n@@\n-x\n+y\n*** Add File: src/b.py\n+z\n*** Delete File: old.py\n*** End Patch"
    records = [
        env("session_meta", {"id": "sess", "model": "gpt-5"}),  # no turn_context: the model from session_meta
        env("response_item", {"type": "message", "role": "user",
                              "content": [{"type": "input_text", "text": "<environment_context>cwd</environment_context>"}]}),
        env("response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "fix it"}]}),
        env("response_item", {"type": "function_call", "name": "shell", "call_id": "c1",
                              "arguments": json.dumps({"command": ["bash", "-lc", "cat src/a.py"]})}),
        env("response_item", {"type": "function_call_output", "call_id": "c1",
                              "output": json.dumps({"output": "x = 1\n", "metadata": {"exit_code": 0}})}),
        env("response_item", {"type": "function_call", "name": "exec_command", "call_id": "c2",
                              "arguments": json.dumps({"cmd": "sed -n '1,80p' src/a.py"})}),
        env("response_item", {"type": "function_call_output", "call_id": "c2",
                              "output": {"output": "Process exited with code 1\nboom", "content": None}}),
        env("response_item", {"type": "custom_tool_call", "name": "apply_patch", "call_id": "c3", "input": patch}),
        env("response_item", {"type": "custom_tool_call_output", "call_id": "c3", "output": "Success"}),
        token_count((5000, 0, 10), (5000, 0, 10)),
        env("compacted", {"message": "summary", "replacement_history": []}),
        env("event_msg", {"type": "context_compacted"}),
        token_count((1000, 0, 10), (6000, 0, 20)),
        env("event_msg", {"type": "context_compacted"}),  # a second, separate compaction
    ]
    t = read_transcript(write_jsonl(tmp_path / "r.jsonl", records))
    prompts = [e for e in t.events if isinstance(e, Prompt)]
    assert [(p.text, p.is_meta) for p in prompts] == [("<environment_context>cwd</environment_context>", True),
                                                       ("fix it", False)]
    calls = [e for e in t.events if isinstance(e, ToolCall)]
    assert [c.command for c in calls[:2]] == ["cat src/a.py", "sed -n '1,80p' src/a.py"]
    assert calls[0].path is None  # reads through the shell stay commands; rules parse them
    assert calls[2].is_edit and calls[2].edit_paths == ("src/a.py", "src/b.py", "old.py")
    results = [e for e in t.events if isinstance(e, ToolResult)]
    assert [(r.call_id, r.chars, r.is_error) for r in results] == [("c1", 6, False), ("c2", 31, True), ("c3", 7, False)]
    assert sum(isinstance(e, Compaction) for e in t.events) == 2
    assert t.models == ["gpt-5"] and requests_of(t)[0].model == "gpt-5"


def test_codex_subagent_replay_is_not_counted(tmp_path: Path) -> None:
    parent_ms = 1_760_000_000_000
    child_ms = parent_ms + 3_600_000
    parent, child = uuid7(parent_ms), uuid7(child_ms, "000000000002")
    records = [
        env("session_meta", {"id": child, "source": {"subagent": {"thread_spawn": {"parent_thread_id": parent}}}}),
        env("session_meta", {"id": parent}),  # the parent's history follows
        env("turn_context", {"turn_id": uuid7(parent_ms + 10), "model": "gpt-5"}),
        env("response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "parent"}]}),
        token_count((1000, 0, 10), (1000, 0, 10)),
        token_count((2000, 1000, 10), (3000, 1000, 20)),
        env("turn_context", {"turn_id": uuid7(child_ms + 10), "model": "gpt-5-mini"}),
        env("response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "child"}]}),
        token_count((2500, 2000, 30), (5500, 3000, 50)),
        token_count(None, (8500, 5000, 80)),
    ]
    t = read_transcript(write_jsonl(tmp_path / "r.jsonl", records))
    assert t.is_subagent_file and t.parent_session_id == parent and t.session_id == child
    reqs = requests_of(t)
    assert [(u.input_tokens, u.cache_read_input_tokens, u.output_tokens) for u in reqs] == [(500, 2000, 30),
                                                                                           (1000, 2000, 30)]
    assert t.models == ["gpt-5-mini"]
    assert [p.text for p in t.events if isinstance(p, Prompt)] == ["child"]
    assert t.extra["replayed_token_counts"] == 2


# --- Gemini, Aider, generic --------------------------------------------------------------------------


def gemini_msg(i: int, inp: int, cached: int, out: int = 10, thoughts: int = 5) -> dict[str, object]:
    return {"id": f"g{i}", "timestamp": f"2026-03-01T10:0{i}:00Z", "type": "gemini", "content": "done",
            "model": "gemini-2.5-pro", "thoughts": [{"subject": "s", "description": "think"}],
            "tokens": {"input": inp, "output": out, "cached": cached, "thoughts": thoughts, "tool": 0,
                       "total": inp + out + thoughts},
            "toolCalls": [{"id": f"tc{i}", "name": "run_shell_command", "args": {"command": "ls"}, "status": "success",
                           "result": [{"functionResponse": {"id": f"tc{i}", "name": "run_shell_command",
                                                            "response": {"output": "a\nb\n"}}}]}]}


def test_gemini_json_session(tmp_path: Path) -> None:
    doc = {"sessionId": "gs", "projectHash": "h", "startTime": "2026-03-01T10:00:00Z",
           "lastUpdated": "2026-03-01T10:09:00Z",
           "messages": [{"id": "u1", "timestamp": "2026-03-01T10:00:30Z", "type": "user", "content": "hi"},
                        gemini_msg(1, 1000, 0), gemini_msg(2, 90_000, 1000), gemini_msg(3, 20_000, 0)]}
    path = tmp_path / "session-2026-03-01T10-00-abc.json"
    path.write_text(json.dumps(doc, indent=2))
    t = read_transcript(str(path))
    assert t.agent == "gemini" and t.session_id == "gs" and t.models == ["gemini-2.5-pro"]
    reqs = requests_of(t)
    assert [(u.input_tokens, u.cache_read_input_tokens, u.output_tokens) for u in reqs] == [
        (1000, 0, 15), (89_000, 1000, 15), (20_000, 0, 15)]
    comps = [e for e in t.events if isinstance(e, Compaction)]
    assert len(comps) == 1 and comps[0].trigger == "inferred"
    assert next((c.name, c.command) for c in t.events if isinstance(c, ToolCall)) == ("run_shell_command", "ls")
    assert [r.chars for r in t.events if isinstance(r, ToolResult)] == [4, 4, 4]


def test_gemini_jsonl_session_with_patches(tmp_path: Path) -> None:
    records = [{"sessionId": "gs", "projectHash": "h", "startTime": "2026-03-01T10:00:00Z", "kind": "main"},
               {"id": "u1", "timestamp": "2026-03-01T10:00:30Z", "type": "user", "content": [{"text": "hi"}]},
               gemini_msg(1, 500, 100),
               {"$set": {"lastUpdated": "2026-03-01T11:00:00Z"}}]
    t = read_transcript(write_jsonl(tmp_path / "session-x.jsonl", records))
    assert t.agent == "gemini" and t.ended_at == "2026-03-01T11:00:00Z"
    assert [(u.line, u.input_tokens, u.cache_read_input_tokens) for u in requests_of(t)] == [(3, 400, 100)]
    assert [p.line for p in t.events if isinstance(p, Prompt)] == [2]


def test_gemini_checkpoint_and_logs(tmp_path: Path) -> None:
    checkpoint = [{"role": "user", "parts": [{"text": "look at main.py"}]},
                  {"role": "model", "parts": [{"functionCall": {"id": "f1", "name": "read_file",
                                                                "args": {"absolute_path": "/p/main.py"}}}]},
                  {"role": "user", "parts": [{"functionResponse": {"id": "f1", "name": "read_file",
                                                                   "response": {"output": "print(1)\n"}}}]}]
    (tmp_path / "checkpoint-x.json").write_text(json.dumps(checkpoint))
    t = read_transcript(str(tmp_path / "checkpoint-x.json"))
    assert t.agent == "gemini" and not requests_of(t)
    assert [type(e).__name__ for e in t.events] == ["Prompt", "ToolCall", "ToolResult"]
    assert t.events[1].path == "/p/main.py"  # type: ignore[union-attr]
    logs = [{"sessionId": "a", "messageId": 0, "type": "user", "message": "hello", "timestamp": "2026-03-01T10:00:00Z"}]
    (tmp_path / "logs.json").write_text(json.dumps(logs))
    t = read_transcript(str(tmp_path / "logs.json"))
    assert t.agent == "gemini" and [p.text for p in t.events if isinstance(p, Prompt)] == ["hello"]


def test_aider_history(tmp_path: Path) -> None:
    text = ("\n# aider chat started at 2026-04-01 10:00:00\n\n> Aider v0.86.2\n> Main model: anthropic/claude-sonnet-4-5 "
            "with diff edit format\n\n#### add a test  \n#### for the parser\n\nSure, here is the change.\n\n"
            "> Tokens: 2.3k sent, 1.5k cache write, 10k cache hit, 150 received. Cost: $0.01 message, $0.01 session.\n\n"
            "# aider chat started at 2026-04-02 09:00:00\n\n#### /add src/x.py\n\n> Tokens: 1.2M sent, 3k received.\n")
    path = tmp_path / ".aider.chat.history.md"
    path.write_text(text)
    t = read_transcript(str(path))
    assert t.agent == "aider" and t.models == ["anthropic/claude-sonnet-4-5"]
    assert (t.started_at, t.ended_at) == ("2026-04-01T10:00:00", "2026-04-02T09:00:00")
    prompts = [e for e in t.events if isinstance(e, Prompt)]
    assert [(p.text, p.command) for p in prompts] == [("add a test  \nfor the parser", None), ("/add src/x.py", "/add")]
    reqs = requests_of(t)
    # cache parts larger than "sent" are beside it (Anthropic via LiteLLM): context = sent + write + hit
    assert [(u.input_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens, u.output_tokens)
            for u in reqs] == [(2300, 1500, 10_000, 150), (1_200_000, 0, 0, 3000)]
    assert any(isinstance(e, AssistantText) for e in t.events)


def test_aider_cache_hits_inside_sent(tmp_path: Path) -> None:
    path = tmp_path / ".aider.chat.history.md"
    path.write_text("# aider chat started at 2026-04-01 10:00:00\n\n> Model: deepseek/deepseek-chat\n\n#### hi\n\n"
                    "> Tokens: 10k sent, 8k cache hit, 200 received.\n")
    u = requests_of(read_transcript(str(path)))[0]
    assert (u.input_tokens, u.cache_read_input_tokens, u.context_tokens, u.model) == (2000, 8000, 10_000,
                                                                                      "deepseek/deepseek-chat")


def test_generic_chat_completions_responses_and_swe_agent(tmp_path: Path) -> None:
    chat = {"messages": [
        {"role": "system", "content": "You are an agent"},
        {"role": "user", "content": "fix the bug"},
        {"role": "assistant", "content": None, "model": "gpt-4o",
         "tool_calls": [{"id": "c1", "type": "function",
                         "function": {"name": "bash", "arguments": json.dumps({"command": "cat a.py"})}}],
         "usage": {"prompt_tokens": 1200, "completion_tokens": 30, "prompt_tokens_details": {"cached_tokens": 1000}}},
        {"role": "tool", "tool_call_id": "c1", "content": "print(1)\n"},
    ]}
    (tmp_path / "chat.json").write_text(json.dumps(chat))
    t = read_transcript(str(tmp_path / "chat.json"))
    assert t.agent == "generic"
    assert [type(e).__name__ for e in t.events] == ["Prompt", "ToolCall", "Usage", "ToolResult"]
    u = requests_of(t)[0]
    assert (u.input_tokens, u.cache_read_input_tokens, u.output_tokens, u.model) == (200, 1000, 30, "gpt-4o")
    responses = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello"}]},
                 {"type": "function_call", "name": "shell", "call_id": "k1", "arguments": '{"command": "ls"}'},
                 {"type": "function_call_output", "call_id": "k1", "output": "a.py"}]
    write_jsonl(tmp_path / "responses.jsonl", responses)
    t = read_transcript(str(tmp_path / "responses.jsonl"))
    assert t.agent == "generic" and [(type(e).__name__, e.line) for e in t.events] == [
        ("Prompt", 1), ("ToolCall", 2), ("ToolResult", 3)]
    traj = {"history": [{"role": "system", "content": "sys"}, {"role": "user", "content": "Issue: crash"},
                        {"role": "assistant", "content": "look", "action": "open src/x.py"},
                        {"role": "user", "content": "[File: src/x.py (300 lines total)]"}],
            "info": {"model_stats": {"api_calls": 12, "tokens_sent": 90_000, "tokens_received": 900}}}
    (tmp_path / "run.traj").write_text(json.dumps(traj))
    t = read_transcript(str(tmp_path / "run.traj"))
    assert [type(e).__name__ for e in t.events] == ["Prompt", "AssistantText", "ToolCall", "ToolResult", "Usage"]
    assert t.extra["aggregate_requests"] == 12


# --- detection and discovery ---------------------------------------------------------------------------


def test_detection_uses_content_not_names(tmp_path: Path) -> None:
    claude = write_jsonl(tmp_path / "notes.txt", [user("hi"), asst("m", "r", usage())])
    codex = write_jsonl(tmp_path / "session.jsonl", [env("session_meta", {"id": "x"})])
    other = write_jsonl(tmp_path / "rollout-2026.jsonl", [{"name": "not a transcript"}])
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (tmp_path / "binary.jsonl").write_bytes(os.urandom(2048).replace(b"{", b"x"))
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert detect_format(claude) == "claude-code" and detect_format(codex) == "codex"
    assert detect_format(other) is None and detect_format(str(tmp_path / "package.json")) is None
    assert detect_format(str(tmp_path / "binary.jsonl")) is None and detect_format(str(tmp_path / "empty.jsonl")) is None
    t = read_transcript(str(tmp_path / "binary.jsonl"))
    assert t.malformed == 1
    t = read_transcript(str(tmp_path / "empty.jsonl"))
    assert t.malformed == 0 and not t.events


def test_find_transcripts_follows_each_layout(tmp_path: Path) -> None:
    claude = tmp_path / ".claude" / "projects" / "-home-me-app"
    write_jsonl(claude / "s1.jsonl", [user("hi")])
    write_jsonl(claude / "s1" / "subagents" / "agent-a1.jsonl", [user("sub", isSidechain=True)])
    (claude / "s1" / "subagents" / "agent-a1.meta.json").write_text('{"agentType": "Explore"}')
    write_jsonl(claude / "s1" / "tool-results" / "x.jsonl", [user("spilled")])
    codex = tmp_path / ".codex"
    name = "rollout-2026-02-01T10-00-00-abc.jsonl"
    write_jsonl(codex / "sessions" / "2026" / "02" / "01" / name, [env("session_meta", {"id": "a"})])
    write_jsonl(codex / "archived_sessions" / name, [env("session_meta", {"id": "a"})])
    write_jsonl(codex / "archived_sessions" / "rollout-2026-01-01T10-00-00-old.jsonl", [env("session_meta", {"id": "b"})])
    gem = tmp_path / ".gemini" / "tmp" / "abc123" / "chats"
    gem.mkdir(parents=True)
    (gem / "session-2026-03-01T10-00-x.json").write_text(json.dumps(
        {"sessionId": "g", "projectHash": "abc123", "messages": []}))
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / ".aider.chat.history.md").write_text("# aider chat started at 2026-04-01 10:00:00\n")
    (tmp_path / "proj" / "package.json").write_text('{"name": "x"}')
    (tmp_path / "proj" / "run.traj").write_text(json.dumps({"history": [{"role": "user", "content": "x"}]}))
    (tmp_path / "proj" / "loop").symlink_to(tmp_path, target_is_directory=True)  # a symlink loop
    found = [os.path.relpath(p, tmp_path) for p in transcript_files(str(tmp_path))]
    assert sorted(found) == sorted([
        ".claude/projects/-home-me-app/s1.jsonl",
        ".claude/projects/-home-me-app/s1/subagents/agent-a1.jsonl",
        f".codex/sessions/2026/02/01/{name}",
        ".codex/archived_sessions/rollout-2026-01-01T10-00-00-old.jsonl",
        ".gemini/tmp/abc123/chats/session-2026-03-01T10-00-x.json",
        "proj/.aider.chat.history.md",
        "proj/run.traj",
    ])


def test_default_stores_only_existing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / ".claude" / "projects").mkdir(parents=True)
    (home / ".gemini" / "tmp").mkdir(parents=True)
    alt1, alt2 = tmp_path / "cfg1", tmp_path / "cfg2"
    (alt1 / "projects").mkdir(parents=True)
    alt2.mkdir()  # no projects/ inside: not listed
    codex = tmp_path / "codexhome"
    (codex / "sessions").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", f"{alt1},{alt2}")
    monkeypatch.setenv("CODEX_HOME", str(codex))
    stores = default_stores()
    assert stores == [str((alt1 / "projects").resolve()), str((home / ".claude" / "projects").resolve()),
                      str((codex / "sessions").resolve()), str((home / ".gemini" / "tmp").resolve())]


def test_spotter_session_parses_fast() -> None:
    path = next(corpus_dir("transcripts").glob("claude-code/*fa812bfe-b295-4cca-9c2f-fdf01028cb46.jsonl"))
    read_transcript(str(path))
    best = min(_timed(str(path)) for _ in range(5))
    assert best < 0.12, best  # target 40 ms on a developer machine; slack for loaded CI runners


def _timed(path: str) -> float:
    start = time.perf_counter()
    read_transcript(path)
    return time.perf_counter() - start


def test_invalid_utf8_inside_a_record_is_reported_and_the_record_kept(tmp_path: Path) -> None:
    good = json.dumps(asst("m1", "r1", usage(out=77), [{"type": "text", "text": "caf\u00e9 XX"}])).encode()
    bad = good.replace(b"XX", b"\xff\xfe")
    path = tmp_path / "s.jsonl"
    path.write_bytes(bad + b"\n")
    t = read_transcript(str(path))
    assert t.malformed_reasons == {"invalid UTF-8": 1}
    assert [u.output_tokens for u in requests_of(t)] == [77]


def test_claude_detected_when_the_file_starts_with_bookkeeping_records(tmp_path: Path) -> None:
    records = [{"type": "permission-mode", "permissionMode": "default"}, {"type": "custom-title", "customTitle": "x"},
               {"type": "agent-name", "agentName": "y"}, {"type": "last-prompt", "lastPrompt": "z"}, user("hi")]
    path = write_jsonl(tmp_path / "s.jsonl", records)
    assert detect_format(path) == "claude-code"
    assert [type(e).__name__ for e in read_transcript(path).events] == ["Prompt"]


def test_partial_parse_never_loses_a_flag_after_the_tool_answer(tmp_path: Path) -> None:
    """A user record whose isMeta comes after toolUseResult (another key order) is read whole."""
    call = {"type": "assistant", "sessionId": "s", "cwd": "/w", "isSidechain": False, "timestamp": "t1",
            "requestId": "r1", "message": {"id": "m1", "model": "claude-sonnet-4-5", "usage": {"input_tokens": 5,
            "output_tokens": 1}, "content": [{"type": "tool_use", "id": "c1", "name": "Bash",
                                              "input": {"command": "ls"}}]}}
    result = {"type": "user", "sessionId": "s", "cwd": "/w", "isSidechain": False, "timestamp": "t2",
              "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "c1", "content": "a"},
                                                        {"type": "text", "text": "injected reminder"}]},
              "toolUseResult": {"stdout": "a" * 5000}, "isMeta": True}
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in (call, result)))
    fast, slow = read_transcript(str(path)), read_transcript(str(path), use_prefilter=False)
    assert fast.events == slow.events
    prompts = [e for e in fast.events if isinstance(e, Prompt)]
    assert prompts and all(p.is_meta for p in prompts)


def test_decoded_records_read_the_structured_answer_only_for_a_read(tmp_path: Path) -> None:
    """The fast decoder keeps toolUseResult as bytes: a Read's answer still gives the file's path and
    line range, an Edit's is never parsed, and a record it refuses (its message is not an object)
    is read through the dict path and reported, with the same events as the plain parse."""
    def call(cid: str, name: str, inp: dict[str, Any], ts: str) -> dict[str, Any]:
        return {"type": "assistant", "sessionId": "s", "cwd": "/w", "isSidechain": False, "timestamp": ts,
                "requestId": f"r{cid}", "message": {"id": f"m{cid}", "model": "claude-sonnet-4-5",
                "usage": {"input_tokens": 5, "output_tokens": 1}, "content": [{"type": "tool_use", "id": cid,
                                                                             "name": name, "input": inp}]}}

    def answer(cid: str, text: str, structured: Any, ts: str) -> dict[str, Any]:
        return {"type": "user", "sessionId": "s", "cwd": "/w", "isSidechain": False, "timestamp": ts,
                "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": cid, "content": text}]},
                "toolUseResult": structured}

    read_answer = {"type": "text", "file": {"filePath": "/w/src/app.py", "content": "x\n" * 3000, "numLines": 40,
                                            "startLine": 11, "totalLines": 900}}
    records = [
        call("c1", "Read", {"file_path": "/w/src/app.py", "offset": 11, "limit": 40}, "t1"),
        answer("c1", "     11\tx\n" * 40, read_answer, "t2"),
        call("c2", "Edit", {"file_path": "/w/src/app.py", "old_string": "a", "new_string": "b"}, "t3"),
        answer("c2", "The file has been updated.", {"filePath": "/w/src/app.py", "originalFile": "y" * 9000}, "t4"),
        {"type": "user", "sessionId": "s", "message": "not an object", "timestamp": "t5"},
    ]
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    fast, slow = read_transcript(str(path)), read_transcript(str(path), use_prefilter=False)
    assert fast.events == slow.events
    assert (fast.malformed, fast.malformed_reasons) == (slow.malformed, slow.malformed_reasons)
    assert fast.malformed_reasons == {"user message is not an object": 1}
    read_result, edit_result = [e for e in fast.events if isinstance(e, ToolResult)]
    assert (read_result.path, read_result.start_line, read_result.num_lines, read_result.total_lines) == (
        "/w/src/app.py", 11, 40, 900)
    assert edit_result.path == "/w/src/app.py" and fast.ended_at == "t5"


def test_claude_rewind_plan_clear_and_microcompaction(tmp_path: Path) -> None:
    """What leaves the context without a compaction: a prompt re-asked from before the last answer (a
    rewind), a prompt starting a new chain (plan mode's "clear context"), a microcompaction's results."""
    from ctxlint.transcripts.analysis import analyse
    from ctxlint.transcripts.events import ResultsCleared, Rewind
    from tests.transcript_builder import ClaudeBuilder

    b = ClaudeBuilder()
    for step in ({"prompt": "Look at the repo"}, {"requests": 1},
                 {"prompt": "Fix the login bug"}, {"read": "src/app.py", "tokens": 3000}, {"requests": 1},
                 {"rewind": 2}, {"prompt": "Fix the login bug, but only in the API"}, {"requests": 2},
                 {"read": "src/api.py", "tokens": 2000}, {"read": "src/db.py", "tokens": 2000}, {"requests": 1},
                 {"microcompact": 2}, {"requests": 3}, {"new_chain": True}, {"prompt": "Implement the plan"},
                 {"requests": 2}):
        b.step(step)
    t = read_transcript(write_jsonl(tmp_path / "s.jsonl", [json.loads(x) for x in b.lines]))
    rewind = next(e for e in t.events if isinstance(e, Rewind))
    first_read = next(e for e in t.events if isinstance(e, ToolResult))
    assert rewind.back_to < first_read.line < rewind.line  # the first read is off the conversation
    cleared = next(e for e in t.events if isinstance(e, ResultsCleared))
    assert cleared.call_ids == ("toolu_0001", "toolu_0002")
    assert [e.line for e in t.events if isinstance(e, Clear)] == [
        next(p.line for p in t.events if isinstance(p, Prompt) and p.text == "Implement the plan")]
    a = analyse(t)
    assert len(a.segments) == 2  # the new chain is a boundary
    read_items = [i for i in a.result_items if i.call is not None and i.call.name == "Read"]
    assert all(i.dropped_at is not None for i in read_items[:1])  # rewound away
    assert a.carried(read_items[0]) < a.carried(read_items[1])
    assert read_items[1].dropped_at is not None  # microcompacted (toolu_0002)
    assert read_items[2].dropped_at is None and a.carried(read_items[2]) > 0


def test_codex_failed_patch_and_exit_code_are_errors(tmp_path: Path) -> None:
    patch = "*** Begin Patch\n*** Update File: a.py\n@@\n-x\n+y\n*** End Patch"
    records = [
        env("session_meta", {"id": "sess", "model": "gpt-5"}),
        env("response_item", {"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1", "input": patch}),
        env("response_item", {"type": "custom_tool_call_output", "call_id": "p1",
                              "output": "apply_patch verification failed: Failed to find expected lines in a.py"}),
        env("response_item", {"type": "custom_tool_call", "name": "apply_patch", "call_id": "p2", "input": patch}),
        env("response_item", {"type": "custom_tool_call_output", "call_id": "p2", "output": "Success. Updated: M a.py"}),
        env("response_item", {"type": "function_call", "name": "exec_command", "call_id": "c1",
                              "arguments": json.dumps({"cmd": "pytest -q"})}),
        env("response_item", {"type": "function_call_output", "call_id": "c1",
                              "output": "Exit code: 1\nWall time: 2.1 seconds\nOutput:\n1 failed"}),
    ]
    t = read_transcript(write_jsonl(tmp_path / "r.jsonl", records))
    assert [(r.call_id, r.is_error) for r in t.events if isinstance(r, ToolResult)] == [
        ("p1", True), ("p2", False), ("c1", True)]


def test_gemini_chat_messages_carry_their_line(tmp_path: Path) -> None:
    """A Gemini chat is one JSON document: each message's events point at the line where the message
    starts (its id), not at line 1."""
    doc = {"sessionId": "s", "projectHash": "p", "messages": [
        {"id": "m-user-1", "type": "user", "timestamp": "2026-04-19T22:08:46Z", "content": [{"text": "read the workflow"}]},
        {"id": "m-gemini-1", "type": "gemini", "timestamp": "2026-04-19T22:08:50Z", "content": "",
         "tokens": {"input": 9000, "output": 20, "cached": 0},
         "toolCalls": [{"id": "c1", "name": "read_file", "args": {"file_path": "a.yml"},
                        "result": [{"functionResponse": {"response": {"output": "name: A\non: push\n"}}}]}]},
    ]}
    path = tmp_path / "session-2026-04-19T22-08-x.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    t = read_transcript(str(path))
    text = path.read_text(encoding="utf-8").splitlines()
    user_line = next(i for i, line in enumerate(text, 1) if "m-user-1" in line)
    gemini_line = next(i for i, line in enumerate(text, 1) if "m-gemini-1" in line)
    assert [e.line for e in t.events if isinstance(e, Prompt)] == [user_line]
    assert {e.line for e in t.events if isinstance(e, (ToolCall, ToolResult))} == {gemini_line}
    assert next(e for e in t.events if isinstance(e, ToolResult)).lines == 3


def test_claude_spilled_output_size_from_the_saved_file_beside_the_session(tmp_path: Path) -> None:
    """Claude Code spills a large output to <session>/tool-results/ and keeps a reference with a preview:
    the full size is the saved file's when it is there, else the size the reference declares."""
    ref = ("<persisted-output>\nOutput too large (38.8KB). Full output saved to: /Users/x/.claude/projects/p/"
           "s1/tool-results/b7on7tw79.txt\n\nPreview (first 2KB):\n6ba04d3c fix paging\n")
    records = [user("show the log"),
               asst("m1", "r1", usage(), [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "git log"}}]),
               user([{"type": "tool_result", "tool_use_id": "t1", "content": ref}])]
    t = read_transcript(write_jsonl(tmp_path / "s1.jsonl", records))
    result = next(e for e in t.events if isinstance(e, ToolResult))
    assert result.persisted and result.persisted_file == "b7on7tw79.txt"
    assert result.persisted_chars == int(38.8 * 1024)
    saved = tmp_path / "s1" / "tool-results" / "b7on7tw79.txt"
    saved.parent.mkdir(parents=True)
    saved.write_text("x" * 39762)
    t = read_transcript(str(tmp_path / "s1.jsonl"))
    assert next(e for e in t.events if isinstance(e, ToolResult)).persisted_chars == 39762


def test_claude_subagent_report_keeps_the_file_names_it_mentions(tmp_path: Path) -> None:
    report = "Found it: `src/auth/LockViewModel.kt:42` calls LockState.kt; see also docs/FLOW.md and e.g. foo.bar()."
    records = [user("explore"),
               asst("m1", "r1", usage(), [{"type": "tool_use", "id": "t1", "name": "Task",
                                          "input": {"description": "x", "prompt": "x", "subagent_type": "Explore"}}]),
               user([{"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": report}]}])]
    t = read_transcript(write_jsonl(tmp_path / "s.jsonl", records))
    call = next(e for e in t.events if isinstance(e, ToolCall))
    result = next(e for e in t.events if isinstance(e, ToolResult))
    assert call.subagent_type == "Explore"
    assert result.mentions[:3] == ("LockViewModel.kt", "LockState.kt", "FLOW.md")
