"""The cache front: one directory, one switch, `ctxlint cache dir|clear`, the coach's cached results
(hits, invalidation) and never failing a run (corrupt, foreign layout, locked)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctxlint._runtime import cache
from ctxlint.cli.main import main
from ctxlint.coach.collect import CollectStats, collect
from ctxlint.config import Config
from tests.test_coach import write_session


@pytest.fixture()
def history(tmp_path: Path) -> Path:
    root = tmp_path / "history"
    write_session(root / "a.jsonl", [{"prompt": "hi"}, {"read": "src/a.py", "tokens": 3000}, {"requests": 4}], session="a")
    write_session(root / "b.jsonl", [{"prompt": "yo"}, {"requests": 3}], session="b")
    return root


@pytest.fixture()
def own_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache directory of this test's own, not yet created."""
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "cache"))
    cache.reset()
    return tmp_path / "cache"


def test_the_environment_moves_the_directory(own_dir: Path) -> None:
    assert cache.directory() == own_dir
    res = CliRunner().invoke(main, ["cache", "dir"])
    assert res.exit_code == 0 and res.output.strip() == str(own_dir)


@pytest.mark.parametrize("xdg", [None, "/tmp/xdg-cache-test", "  "])
def test_the_default_directory_is_platformdirs_choice(monkeypatch: pytest.MonkeyPatch, xdg: str | None) -> None:
    from platformdirs import user_cache_dir

    monkeypatch.delenv("CTXLINT_CACHE_DIR", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache.directory() == Path(user_cache_dir("ctxlint"))


def test_created_private_and_cleared(own_dir: Path, history: Path) -> None:
    collect([str(history)], Config(), jobs=1)
    assert stat.S_IMODE(own_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((own_dir / cache.FILE_NAME).stat().st_mode) == 0o600
    (own_dir / "tokens.sqlite").write_bytes(b"an older version's file")
    (own_dir / "keep.txt").write_text("not ours")
    res = CliRunner().invoke(main, ["cache", "clear"])
    assert res.exit_code == 0 and "removed 2 cache file(s)" in res.output
    assert sorted(p.name for p in own_dir.iterdir()) == ["keep.txt"]  # nothing else in the directory is touched
    stats = CollectStats()
    collect([str(history)], Config(), jobs=1, stats=stats)
    assert stats.computed == 2


def test_one_switch_reads_and_writes_nothing(own_dir: Path, history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXLINT_NO_CACHE", "1")
    stats = CollectStats()
    collect([str(history)], Config(), jobs=1, stats=stats)
    res = CliRunner().invoke(main, ["check", str(history.parent), "--no-config", "--format", "json", "-j", "1"])
    assert res.exit_code in (0, 1), res.output
    assert not own_dir.exists()
    monkeypatch.delenv("CTXLINT_NO_CACHE")
    cache.reset()
    res = CliRunner().invoke(main, ["coach", str(history), "--no-config", "--format", "json", "--no-cache", "-j", "1"])
    assert res.exit_code == 0, res.output
    assert not own_dir.exists()


def test_hits_and_invalidation(history: Path) -> None:
    config = Config()
    first, second = CollectStats(), CollectStats()
    cold = collect([str(history)], config, jobs=1, stats=first)
    warm = collect([str(history)], config, jobs=1, stats=second)
    assert (first.computed, second.cached, second.computed) == (2, 2, 0)
    assert warm == cold

    # a touched file is recomputed, the other one is not
    victim = history / "a.jsonl"
    st = victim.stat()
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    third = CollectStats()
    collect([str(history)], config, jobs=1, stats=third)
    assert (third.cached, third.computed) == (1, 1)

    # a different configuration is a different key
    other = Config(ignore=("CTX201",))
    assert other.result_key() != config.result_key()
    fourth = CollectStats()
    collect([str(history)], other, jobs=1, stats=fourth)
    assert fourth.computed == 2


def test_a_replaced_file_of_the_same_size_and_mtime_is_recomputed(history: Path) -> None:
    collect([str(history)], Config(), jobs=1)
    victim = history / "b.jsonl"
    st = victim.stat()
    data = victim.read_bytes()
    victim.unlink()
    victim.write_bytes(data)  # a new file (inode, ctime) with the old size and mtime
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    stats = CollectStats()
    collect([str(history)], Config(), jobs=1, stats=stats)
    assert stats.computed == 1


def test_garbage_cache_file_is_rebuilt(own_dir: Path, history: Path) -> None:
    own_dir.mkdir(mode=0o700)
    (own_dir / cache.FILE_NAME).write_bytes(b"this is not a database\x00" * 200)
    os.chmod(own_dir / cache.FILE_NAME, 0o600)
    res = CliRunner().invoke(main, ["coach", str(history), "--format", "json", "--no-config"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["totals"]["sessions"] == 2
    cache.reset()
    stats = CollectStats()
    collect([str(history)], Config(), jobs=1, stats=stats)
    assert stats.cached == 2  # the rebuilt cache holds the results


def test_another_layout_is_rebuilt(own_dir: Path, history: Path) -> None:
    own_dir.mkdir(mode=0o700)
    con = sqlite3.connect(own_dir / cache.FILE_NAME)
    con.execute("CREATE TABLE entries (path TEXT, data BLOB)")
    con.commit()
    con.close()
    stats = CollectStats()
    collect([str(history)], Config(), jobs=1)
    cache.reset()
    collect([str(history)], Config(), jobs=1, stats=stats)
    assert stats.cached == 2


def test_locked_cache_is_skipped_not_fatal(own_dir: Path, history: Path) -> None:
    collect([str(history)], Config(), jobs=1)
    cache.reset()
    holder = sqlite3.connect(own_dir / cache.FILE_NAME)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        res = CliRunner().invoke(main, ["coach", str(history), "--format", "json", "--no-config"])
        assert res.exit_code == 0, res.output
    finally:
        holder.rollback()
        holder.close()
    assert (own_dir / cache.FILE_NAME).exists()  # a lock never deletes someone else's cache
