"""A live session's audit read on from an offset equals a full audit of the same bytes.

Every Claude Code session the rule case files build, the example session and (slow, when present) the
shared corpus' sessions are written as an agent writes them — a piece at a time, cut anywhere, a
record often half written — and after each piece the live audit (``ctxlint.live.session``) must give
exactly what ``audit_file`` gives for the file up to its last complete record; at the end, read to
the end, exactly what it gives for the whole file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from ctxlint._runtime import cache
from ctxlint.config import Config
from ctxlint.core.audit import audit_file
from ctxlint.live import session
from ctxlint.model import FileResult
from tests.conftest import CORPUS, REPO
from tests.transcript_builder import build

CONFIG = Config()


def _normalised(result: FileResult) -> FileResult:
    """The result without where its file lies (the two audits read two files of the same bytes)."""
    return dataclasses.replace(result, path="session.jsonl",
                               findings=[dataclasses.replace(f, path="session.jsonl", fingerprint="")
                                         for f in result.findings])


def _full(data: bytes, where: Path) -> FileResult:
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_bytes(data)
    return _normalised(audit_file(str(where), CONFIG))


def _cuts(data: bytes, count: int, seed: int) -> list[int]:
    """Offsets to stop writing at: record ends, cuts inside records, the end."""
    ends = [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
    rng = random.Random(seed)
    picked = set(rng.sample(ends, min(len(ends), count // 2)))
    picked |= {rng.randrange(1, len(data)) for _ in range(count - len(picked))} if len(data) > 1 else set()
    return sorted(picked | {len(data)})


def check_incremental(data: bytes, tmp_path: Path, name: str, count: int, seed: int = 0) -> int:
    """Write ``data`` piece by piece and compare each live audit with a full one; the audits compared."""
    live = tmp_path / "live" / name
    live.parent.mkdir(parents=True, exist_ok=True)
    live.write_bytes(b"")
    compared = 0
    written = 0
    for cut in _cuts(data, count, seed):
        with live.open("ab") as fh:
            fh.write(data[written:cut])
        written = cut
        got = session.audit(str(live), CONFIG)
        complete = data[: data.rfind(b"\n", 0, cut) + 1]
        assert got.offset == len(complete)
        want = _full(complete, tmp_path / "full" / name)
        assert _normalised(got.result) == want, f"{name}: live audit at byte {cut} differs from a full audit"
        compared += 1
    ended = session.audit(str(live), CONFIG, to_end=True)
    assert _normalised(ended.result) == _full(data, tmp_path / "full" / name), f"{name}: read to the end"
    return compared + 1


def _scenarios() -> list[Any]:
    out = []
    for path in sorted((REPO / "tests" / "cases").glob("CTX2*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, case in enumerate(data["cases"]):
            scenario = case.get("scenario")
            if scenario and scenario.get("agent", "claude-code") in session.RESUMABLE:
                out.append(pytest.param(scenario, id=f"{data['rule']}-{index}"))
    return out


@pytest.mark.parametrize("scenario", _scenarios())
def test_every_case_session_read_in_pieces_equals_a_full_audit(scenario: dict[str, Any], tmp_path: Path) -> None:
    files = build(scenario)
    for rel, text in files.items():
        if rel.endswith(".jsonl") and "/subagents/" not in rel:
            check_incremental(text.encode(), tmp_path, Path(rel).name, count=3, seed=len(text))


def test_the_example_session_read_in_pieces_equals_a_full_audit(tmp_path: Path) -> None:
    data = (REPO / "examples" / "session.jsonl").read_bytes()
    assert check_incremental(data, tmp_path, "session.jsonl", count=24) >= 24


def test_nothing_appended_reads_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes((REPO / "examples" / "session.jsonl").read_bytes())
    first = session.audit(str(path), CONFIG)
    again = session.audit(str(path), CONFIG)
    assert first.read == path.stat().st_size and again.read == 0 and again.result == first.result


def test_only_the_appended_bytes_are_read(tmp_path: Path) -> None:
    data = (REPO / "examples" / "session.jsonl").read_bytes()
    half = data.rfind(b"\n", 0, len(data) // 2) + 1
    path = tmp_path / "s.jsonl"
    path.write_bytes(data[:half])
    assert session.audit(str(path), CONFIG).read == half
    path.write_bytes(data)
    assert session.audit(str(path), CONFIG).read == len(data) - half


def test_a_rewritten_file_is_read_again_from_the_start(tmp_path: Path) -> None:
    data = (REPO / "examples" / "session.jsonl").read_bytes()
    path = tmp_path / "s.jsonl"
    path.write_bytes(data)
    session.audit(str(path), CONFIG)
    shorter = data[: data.rfind(b"\n", 0, len(data) // 3) + 1]
    # same inode, other bytes before the old offset: the kept state no longer describes the file
    path.write_bytes(shorter + b'{"type":"summary","summary":"x"}\n' * 400)
    got = session.audit(str(path), CONFIG)
    assert got.read == path.stat().st_size
    assert _normalised(got.result) == _full(path.read_bytes(), tmp_path / "full" / "s.jsonl")


@pytest.mark.parametrize("damage", [
    lambda state: state.update(reader={**state["reader"], "last_answer": "x", "by_key": [["m", "r", 10**9]]}),
    lambda state: state["transcript"]["events"].append([99, 1]),
    lambda state: state["transcript"].update(events=[[0, "x"]]),
    lambda state: state.update(reader=[]),
])
def test_a_damaged_kept_state_is_never_trusted(damage: Any, tmp_path: Path) -> None:
    from ctxlint import __version__

    data = (REPO / "examples" / "session.jsonl").read_bytes()
    half = data.rfind(b"\n", 0, len(data) // 2) + 1
    path = tmp_path / "s.jsonl"
    path.write_bytes(data[:half])
    session.audit(str(path), CONFIG)
    stamp = f"{__version__}:{CONFIG.result_key()}"
    state = json.loads(cache.get(session.LIVE, session.STATE + str(path), stamp) or b"{}")
    damage(state)
    cache.put(session.LIVE, session.STATE + str(path), json.dumps(state).encode(), stamp)
    path.write_bytes(data)
    got = session.audit(str(path), CONFIG)
    assert _normalised(got.result) == _full(data, tmp_path / "full" / "s.jsonl")


def test_without_a_cache_every_audit_reads_the_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXLINT_NO_CACHE", "1")
    cache.reset()
    path = tmp_path / "s.jsonl"
    path.write_bytes((REPO / "examples" / "session.jsonl").read_bytes())
    assert session.audit(str(path), CONFIG).read == session.audit(str(path), CONFIG).read == path.stat().st_size


def test_the_kept_state_is_plain_json(tmp_path: Path) -> None:
    from ctxlint import __version__

    path = tmp_path / "s.jsonl"
    path.write_bytes((REPO / "examples" / "session.jsonl").read_bytes())
    session.audit(str(path), CONFIG)
    for prefix in (session.STATE, session.RESULT):
        blob = cache.get(session.LIVE, prefix + str(path.resolve()), f"{__version__}:{CONFIG.result_key()}")
        assert blob is not None and isinstance(json.loads(blob), dict)


def test_another_agents_session_is_audited_whole(tmp_path: Path) -> None:
    from tests.test_readers import gemini_msg

    records = [{"sessionId": "gs", "projectHash": "h", "startTime": "2026-03-01T10:00:00Z", "kind": "main"},
               {"id": "u1", "timestamp": "2026-03-01T10:00:30Z", "type": "user", "content": [{"text": "hi"}]},
               gemini_msg(1, 500, 100), gemini_msg(2, 900, 100)]
    path = tmp_path / "session-x.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    got = session.audit(str(path), CONFIG)
    assert got.result.agent == "gemini"
    assert _normalised(got.result) == _full(path.read_bytes(), tmp_path / "full" / path.name)


def _corpus_sessions() -> list[Path]:
    folders = [CORPUS / "transcripts" / agent for agent in session.RESUMABLE]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.glob("*.jsonl"))


@pytest.mark.slow
@pytest.mark.parametrize("path", _corpus_sessions(), ids=lambda p: p.name[-60:])
def test_every_corpus_session_read_in_pieces_equals_a_full_audit(path: Path, tmp_path: Path) -> None:
    data = path.read_bytes()
    name = "agent-x.jsonl" if "__subagents__" in path.name else "rollout-x.jsonl" if "codex" in str(path) \
        else "session.jsonl"
    where = tmp_path / ("s/subagents" if name.startswith("agent") else "s")
    check_incremental(data, where, name, count=12, seed=len(data))
    assert os.path.exists(where / "live" / name)
