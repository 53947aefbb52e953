"""Issue 23.1, checked against the cache front (``_runtime.cache``). The attacks themselves — a planted
pickle row, mutated entries, a planted rules cache emptying the secret patterns, an open or linked
directory, a cache another user owns (as root) — are in ``tests/test_cache_attacks.py``; here the
last one runs for any user, and nothing in the cache directory is anything but plain data."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from ctxlint._runtime import cache
from ctxlint.coach.collect import CollectStats, collect
from ctxlint.config import Config
from tests.transcript_builder import build


def _history(tmp_path: Path) -> Path:
    history = tmp_path / "history"
    history.mkdir()
    for name, text in build({"agent": "claude-code", "steps": [{"prompt": "hi"}, {"requests": 3}]}).items():
        (history / name).write_text(text)
    return history


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners")
def test_a_cache_another_user_owns_is_neither_read_nor_written(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "cache"))
    cache.reset()
    history = _history(tmp_path)
    collect([str(history)], Config(), jobs=1)
    cache.reset()
    written = (tmp_path / "cache" / cache.FILE_NAME).read_bytes()
    me = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: me + 1)  # now the directory and the file belong to "someone else"
    stats = CollectStats()
    collect([str(history)], Config(), jobs=1, stats=stats)
    cache.reset()
    assert stats.computed == 1 and stats.cached == 0
    assert (tmp_path / "cache" / cache.FILE_NAME).read_bytes() == written


def test_the_cache_holds_plain_data_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "cache"))
    cache.reset()
    collect([str(_history(tmp_path))], Config(), jobs=1)
    cache.reset()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [cache.FILE_NAME]
    con = sqlite3.connect(tmp_path / "cache" / cache.FILE_NAME)
    values = [bytes(v) for (v,) in con.execute("SELECT value FROM entries")]
    con.close()
    assert values
    for value in values:  # a decimal count or JSON: never a pickle or marshalled code
        assert value.isdigit() or json.loads(value) is not None, value[:40]
