"""Hostile input: no exception escapes a reader or the Markdown parser; every regex is linear-time.

CI runs a few hundred examples per target; for a longer local run:
    CTXLINT_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctxlint.core.audit import audit_file
from ctxlint.markdown import parse_markdown
from ctxlint.rules.registry import rules_dir
from ctxlint.transcripts.reading import read_transcript

EXAMPLES = int(os.environ.get("CTXLINT_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

CLAUDE_LINE = {"type": "assistant", "sessionId": "s", "uuid": "u", "requestId": "r1", "message": {
    "id": "m1", "model": "claude-sonnet-4-6", "role": "assistant",
    "content": [{"type": "tool_use", "id": "t1", "name": "Read", "input": {"file_path": "/a.py"}}],
    "usage": {"input_tokens": 3, "cache_creation_input_tokens": 10, "cache_read_input_tokens": 100, "output_tokens": 5}}}
USER_LINE = {"type": "user", "sessionId": "s", "uuid": "u2", "message": {"role": "user", "content": [
    {"type": "tool_result", "tool_use_id": "t1", "content": "x" * 50}]}, "toolUseResult": {"file": {"filePath": "/a.py"}}}
CODEX_LINES = [
    {"timestamp": "2026-01-01T00:00:00Z", "type": "session_meta", "payload": {"id": "x", "cwd": "/w"}},
    {"timestamp": "2026-01-01T00:00:01Z", "type": "turn_context", "payload": {"model": "gpt-5-codex"}},
    {"timestamp": "2026-01-01T00:00:02Z", "type": "response_item", "payload": {"type": "function_call", "name": "shell",
     "arguments": "{\"command\": [\"bash\", \"-lc\", \"cat a.py\"]}", "call_id": "c1"}},
    {"timestamp": "2026-01-01T00:00:03Z", "type": "event_msg", "payload": {"type": "token_count", "info": {
        "total_token_usage": {"input_tokens": 100, "cached_input_tokens": 50, "output_tokens": 5, "total_tokens": 105},
        "last_token_usage": {"input_tokens": 100, "cached_input_tokens": 50, "output_tokens": 5, "total_tokens": 105},
        "model_context_window": 258400}}},
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


def mutate(record: dict[str, object], key: str, value: object) -> dict[str, object]:
    out = json.loads(json.dumps(record))
    target = out
    if "." in key:
        first, rest = key.split(".", 1)
        if isinstance(out.get(first), dict):
            target = out[first]  # type: ignore[assignment]
            key = rest
    target[key] = value  # type: ignore[index]
    return out


def write(tmp: Path, lines: list[bytes]) -> str:
    path = tmp / "session.jsonl"
    path.write_bytes(b"\n".join(lines))
    return str(path)


@FUZZ
@given(key=st.sampled_from(["type", "message", "message.content", "message.usage", "message.id", "requestId",
                            "isSidechain", "toolUseResult", "timestamp", "isCompactSummary", "subtype"]),
       value=json_values, cut=st.integers(0, 400))
def test_claude_reader_survives_mutations(tmp_path: Path, key: str, value: object, cut: int) -> None:
    good = [json.dumps(CLAUDE_LINE).encode(), json.dumps(USER_LINE).encode()]
    bad = json.dumps(mutate(CLAUDE_LINE, key, value)).encode()
    path = write(tmp_path, [*good, bad, bad[:cut], *good])
    t = read_transcript(path)
    assert t.agent == "claude-code"
    audit_file(path)


@FUZZ
@given(index=st.integers(0, 3), key=st.sampled_from(["type", "payload", "payload.type", "payload.info",
                                                     "payload.arguments", "payload.model", "timestamp"]),
       value=json_values)
def test_codex_reader_survives_mutations(tmp_path: Path, index: int, key: str, value: object) -> None:
    lines = [json.dumps(r).encode() for r in CODEX_LINES]
    lines[index] = json.dumps(mutate(CODEX_LINES[index], key, value)).encode()
    path = write(tmp_path, lines)
    read_transcript(path)
    audit_file(path)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_raise(tmp_path: Path, data: bytes) -> None:
    for name in ("session.jsonl", "chat.json", ".aider.chat.history.md"):
        path = tmp_path / name
        path.write_bytes(data)
        with contextlib.suppress(OSError):
            read_transcript(str(path))
        audit_file(str(path))


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


def test_deeply_nested_json_line(tmp_path: Path) -> None:
    deep = b'{"type":"user","message":' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}"
    path = write(tmp_path, [deep, json.dumps(CLAUDE_LINE).encode()])
    t = read_transcript(path)
    assert t.malformed >= 1 or t.events


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


def test_every_rule_over_adversarial_instruction_lines(tmp_path: Path) -> None:
    """Each rule over 1 MB lines (via the whole engine) within a time budget."""
    from ctxlint.config import Config
    from ctxlint.core.run import run_check

    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Title\n" + "a/b `c` @d.md [x](y) " * 50_000 + "\n" + "-" * 1_000_000 + "\n")
    start = time.perf_counter()
    run_check([str(tmp_path)], Config(fail_on=None), jobs=1)
    assert time.perf_counter() - start < 60
