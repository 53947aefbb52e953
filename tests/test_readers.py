"""Transcript readers on the real corpus: exact usage, compactions, subagents, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxlint.api import audit_file
from ctxlint.parsing.transcripts import detect_format, read_transcript
from ctxlint.parsing.transcripts.events import Compaction, Usage
from ctxlint.session_facts import session_facts
from tests.conftest import corpus_dir

FE5E = "d-kimuson__claude-code-viewer__mock-global-claude-dir__projects__sample-project__fe5e1c67-53e7-4862-81ae-d0e013e3270b.jsonl"


def reference_totals(path: Path) -> tuple[int, int, int, int]:
    """An independent keep-largest de-duplication on (message.id, requestId), with plain json."""
    best: dict[tuple[str, str], tuple[int, int, int, int]] = {}
    by_id: dict[str, tuple[str, str]] = {}
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
        if key not in best and msg["id"] in by_id and (not rec.get("requestId") or by_id[msg["id"]][1] == ""):
            key = by_id[msg["id"]]
        by_id.setdefault(msg["id"], key)
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
        key = lambda t: [(type(e).__name__, e.line, getattr(e, "context_tokens", None)) for e in t.events]  # noqa: E731
        assert key(fast) == key(slow), path.name


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
    from ctxlint.parsing.transcripts.lines import iter_lines

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
