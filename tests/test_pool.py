"""The worker pool the engine audits transcripts with: every task once, errors raised, no hang."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from ctxlint._runtime import pool
from ctxlint._runtime.pool import BATCH_BYTES, MIN_BATCH_BYTES, WorkerDied, balanced_batches, imap_unordered

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork pool runs on Linux only")


def square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three is not allowed")
    return n


def die_on_two(n: int) -> int:
    if n == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def big_result(n: int) -> bytes:
    return bytes([n]) * (3 * 1024 * 1024)  # larger than a pipe's buffer: written and read in pieces


@linux_only
def test_every_task_answered_once_across_worker_processes() -> None:
    got = dict(imap_unordered(square_with_pid, list(range(40)), 3))
    assert {i: value for i, (value, _) in got.items()} == {i: i * i for i in range(40)}
    pids = {pid for _, pid in got.values()}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 3


@linux_only
def test_results_larger_than_a_pipe_buffer_arrive_whole() -> None:
    got = dict(imap_unordered(big_result, [1, 2, 3], 2))
    assert {i: (len(v), v[:1]) for i, v in got.items()} == {i: (3 * 1024 * 1024, bytes([i + 1])) for i in range(3)}


@linux_only
def test_an_exception_in_a_task_is_raised_in_the_parent_and_no_worker_is_left() -> None:
    with pytest.raises(ValueError, match="three is not allowed"):
        list(imap_unordered(fail_on_three, list(range(8)), 2))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every worker was reaped


@linux_only
def test_a_killed_worker_is_reported_not_waited_for() -> None:
    with pytest.raises(WorkerDied):
        list(imap_unordered(die_on_two, list(range(6)), 2))


def test_no_tasks_no_workers() -> None:
    assert list(imap_unordered(square_with_pid, [], 4)) == []


def test_without_fork_the_executor_gives_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "fork_available", lambda: False)
    got = dict(imap_unordered(square_with_pid, list(range(6)), 2))
    assert {i: value for i, (value, _) in got.items()} == {i: i * i for i in range(6)}


def test_batches_keep_every_file_once_largest_first_and_shrink_at_the_end() -> None:
    sizes = [20_000] * 200 + [300_000] * 40 + [3 << 20, 8 << 20]
    batches = balanced_batches(sizes, 2)
    assert sorted(i for b in batches for i in b) == list(range(len(sizes)))
    totals = [sum(sizes[i] for i in b) for b in batches]
    assert batches[0] == [241] and batches[1] == [240]  # the largest first, each a task of its own
    assert all(t < BATCH_BYTES + 300_000 for t in totals[2:])
    assert totals[-2] <= 2 * MIN_BATCH_BYTES < totals[2]  # the last tasks are the smallest


@linux_only
def test_prices_met_in_workers_are_persisted_once_by_the_parent(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers never write the cache (two writers of one table: the last one won); the rates they
    computed come back with their results and the parent stores them in one write."""
    from ctxlint._runtime import cache
    from ctxlint.core.audit import audit_paths
    from tests.transcript_builder import build

    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "cache"))
    cache.reset()
    paths = []
    for n, model in enumerate(("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5")):
        (text,) = build({"agent": "claude-code", "steps": [{"model": model}, {"prompt": "hi"}, {"requests": 3}]}).values()
        paths.append(tmp_path / f"s{n}.jsonl")
        paths[-1].write_text(text, encoding="utf-8")
    writes = tmp_path / "writes"
    real = cache.put_many

    def recording(kind: str, items: Iterable[tuple[str, bytes, str]]) -> None:
        items = list(items)
        with open(writes, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {kind} {len(items)}\n")
        real(kind, items)

    monkeypatch.setattr(cache, "put_many", recording)
    results = audit_paths([str(p) for p in paths], jobs=2)
    assert all(r.session and r.session.get("cost_usd") for r in results)
    lines = [line.split() for line in writes.read_text().splitlines()]
    assert {pid for pid, _, _ in lines} == {str(os.getpid())}
    assert [(kind, int(n)) for _, kind, n in lines if kind == "rates"] == [("rates", 3)]
