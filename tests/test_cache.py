"""The per-file result cache: hits, invalidation, and never failing a run (corrupt, old, locked)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctxlint._runtime.results_cache import FILE_NAME, ResultCache, cache_dir
from ctxlint.cli.main import main
from ctxlint.coach.collect import CollectStats, collect
from ctxlint.config import Config
from ctxlint.model import FileResult
from tests.test_coach import write_session


@pytest.fixture()
def history(tmp_path: Path) -> Path:
    root = tmp_path / "history"
    write_session(root / "a.jsonl", [{"prompt": "hi"}, {"read": "src/a.py", "tokens": 3000}, {"requests": 4}], session="a")
    write_session(root / "b.jsonl", [{"prompt": "yo"}, {"requests": 3}], session="b")
    return root


def test_cache_dir_respects_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"


def test_hits_and_invalidation(history: Path) -> None:
    config = Config()
    first, second = CollectStats(), CollectStats()
    cold = collect([str(history)], config, jobs=1, stats=first)
    warm = collect([str(history)], config, jobs=1, stats=second)
    assert (first.computed, second.cached, second.computed) == (2, 2, 0)
    assert [r.session for r in warm] == [r.session for r in cold]
    assert [[f.fingerprint for f in r.findings] for r in warm] == [[f.fingerprint for f in r.findings] for r in cold]

    # a touched file is recomputed, the other one is not
    victim = history / "a.jsonl"
    st = victim.stat()
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    third = CollectStats()
    collect([str(history)], config, jobs=1, stats=third)
    assert (third.cached, third.computed) == (1, 1)

    # a different configuration is a different key; --no-cache recomputes everything
    other = Config(ignore=("CTX201",))
    assert other.result_key() != config.result_key()
    fourth = CollectStats()
    collect([str(history)], other, jobs=1, stats=fourth)
    assert fourth.computed == 2
    fifth = CollectStats()
    collect([str(history)], config, jobs=1, use_cache=False, stats=fifth)
    assert fifth.computed == 2


def test_garbage_cache_file_is_rebuilt(history: Path) -> None:
    path = cache_dir() / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database\x00" * 200)
    res = CliRunner().invoke(main, ["coach", str(history), "--format", "json", "--no-config"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["totals"]["sessions"] == 2
    cache = ResultCache(Config().result_key())
    assert cache.conn is not None and cache.get(str(history / "a.jsonl")) is not None
    cache.close()


def test_old_schema_and_foreign_tables_are_rebuilt(history: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE results (path TEXT, data BLOB)")
    con.execute("INSERT INTO results VALUES ('x', x'00')")
    con.commit()
    con.close()
    cache = ResultCache(Config().result_key(), path=path)
    assert cache.conn is not None
    r = FileResult(path="a", kind="transcript", agent="claude-code", session={"requests": 1})
    cache.put_many([(str(history / "a.jsonl"), r)])
    assert cache.get(str(history / "a.jsonl")) == r
    cache.close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET v = '0' WHERE k = 'schema'")
    con.commit()
    con.close()
    again = ResultCache(Config().result_key(), path=path)
    assert again.conn is not None and again.get(str(history / "a.jsonl")) is None  # rebuilt empty
    again.close()


def test_locked_cache_is_skipped_not_fatal(history: Path) -> None:
    path = cache_dir() / FILE_NAME
    ResultCache(Config().result_key()).close()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        cache = ResultCache(Config().result_key(), timeout=0.05)
        assert cache.get(str(history / "a.jsonl")) is None
        cache.put_many([(str(history / "a.jsonl"), FileResult(path="a", kind="transcript", agent=None))])
        cache.close()
        res = CliRunner().invoke(main, ["coach", str(history), "--format", "json", "--no-config"])
        assert res.exit_code == 0, res.output
    finally:
        holder.rollback()
        holder.close()
    assert path.exists()  # a lock never deletes someone else's cache


def test_unpicklable_row_is_a_miss(history: Path) -> None:
    cache = ResultCache(Config().result_key())
    assert cache.conn is not None
    target = history / "b.jsonl"
    st = target.stat()
    cache.conn.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                       (str(target.resolve()), st.st_size, st.st_mtime_ns, cache.key, b"garbage"))
    cache.conn.commit()
    assert cache.get(str(target)) is None
    cache.close()


@pytest.mark.parametrize("xdg", [None, "/tmp/xdg-cache-test", "  "])
def test_cache_dir_is_platformdirs_location(monkeypatch: pytest.MonkeyPatch, xdg: str | None) -> None:
    from platformdirs import user_cache_dir

    from ctxlint._runtime.fsutil import cache_dir

    monkeypatch.delenv("CTXLINT_CACHE_DIR", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache_dir() == str(user_cache_dir("ctxlint"))
