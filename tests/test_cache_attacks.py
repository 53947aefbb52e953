"""Issue 23.1: anyone who can write the cache directory (a shared cache, a restored CI cache) must not
be able to run code, crash ctxlint or change what it reports. Each test plants what an attacker
would and checks that it is ignored."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ctxlint._runtime import cache
from ctxlint.coach.collect import CollectStats, collect
from ctxlint.config import Config
from ctxlint.measure import pricing
from ctxlint.rules import registry
from tests.test_coach import write_session

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FAKE_KEY = "sk-proj-" + "Q7xT2mZ9pL4vR8sK1nB6cW3yH5dF0gJa"  # shaped like an OpenAI key, not one


@pytest.fixture()
def own_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "cache"))
    cache.reset()
    return tmp_path / "cache"


def _ctxlint(args: list[str], cache_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A fresh process, as the next run would be: nothing remembered in memory (a fixed hash seed:
    CTX116 still breaks ties through a set, issue 23.12)."""
    env = {**os.environ, "CTXLINT_CACHE_DIR": str(cache_dir), "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-m", "ctxlint", *args], capture_output=True, text=True, env=env, cwd=cwd)


def _rows(cache_dir: Path, kind: str) -> list[tuple[str, str, bytes]]:
    con = sqlite3.connect(cache_dir / cache.FILE_NAME)
    try:
        return [(k, s, bytes(v)) for k, s, v in con.execute("SELECT key, stamp, value FROM entries WHERE kind = ?",
                                                             (kind,))]
    finally:
        con.close()


def _plant(cache_dir: Path, kind: str, key: str, stamp: str, value: bytes) -> None:
    con = sqlite3.connect(cache_dir / cache.FILE_NAME)
    con.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", (kind, key, stamp, value))
    con.commit()
    con.close()


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_pickle_row_runs_nothing(own_dir: Path, tmp_path: Path) -> None:
    history = tmp_path / "history"
    target = write_session(history / "a.jsonl", [{"prompt": "hi"}, {"requests": 3}], session="a")
    collect([str(history)], Config(), jobs=1)
    cache.reset()
    ((key, stamp, _),) = _rows(own_dir, "results")
    marker = tmp_path / "pwned"
    # even stamped exactly right, a row is decoded as JSON into FileResult: a pickle is never loaded
    _plant(own_dir, "results", key, stamp, pickle.dumps(_Payload(marker)))
    stats = CollectStats()
    results = collect([str(history)], Config(), jobs=1, stats=stats)
    assert not marker.exists()
    assert stats.computed == 1 and results[0].path.endswith(target.name)


def test_mutated_entries_are_recomputed_not_trusted(own_dir: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo)
    cold = _ctxlint(["check", ".", "--format", "json", "--fail-on", "never"], own_dir, repo)
    assert cold.returncode == 0, cold.stderr
    con = sqlite3.connect(own_dir / cache.FILE_NAME)
    kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM entries")}
    assert {"tokens", "markdown", "rules"} <= kinds
    # flip bytes in every structure entry, make every token count absurd, truncate the rule data
    for key, value in con.execute("SELECT key, value FROM entries WHERE kind = 'markdown'").fetchall():
        mutated = bytearray(value)
        for i in range(3, len(mutated), 7):
            mutated[i] ^= 0x5A
        con.execute("UPDATE entries SET value = ? WHERE kind = 'markdown' AND key = ?", (bytes(mutated), key))
    con.execute("UPDATE entries SET value = CAST('0' AS BLOB) WHERE kind = 'tokens'")
    con.execute("UPDATE entries SET value = substr(value, 1, 40) WHERE kind = 'rules'")
    con.commit()
    con.close()
    warm = _ctxlint(["check", ".", "--format", "json", "--fail-on", "never"], own_dir, repo)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout == cold.stdout


def test_a_planted_rules_cache_cannot_empty_the_secret_patterns(own_dir: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    line = f"- Use key {FAKE_KEY} for staging tests.\n"
    (repo / "CLAUDE.md").write_text(f"# Repo\n\n{line}{line}")  # the duplicate's finding quotes the line
    cold = _ctxlint(["check", ".", "--format", "json", "--fail-on", "never"], own_dir, repo)
    assert FAKE_KEY not in cold.stdout and "[masked openai-api-key]" in cold.stdout and "CTX112" in cold.stdout
    # a cache made elsewhere: a copy of the rule files with the same sizes and mtimes, whose secret
    # patterns were emptied, cached and moved here (a restored CI cache, a shared directory)
    secrets = registry.rules_dir() / "secrets.yaml"
    elsewhere = tmp_path / "elsewhere.yaml"
    shutil.copy2(secrets, elsewhere)
    forged = json.dumps({"patterns": [], "placeholders": []}).encode()
    _plant(own_dir, "rules", str(secrets), cache.file_stamp(elsewhere) or "", forged)
    warm = _ctxlint(["check", ".", "--format", "json", "--fail-on", "never"], own_dir, repo)
    assert warm.returncode == 0, warm.stderr
    assert FAKE_KEY not in warm.stdout and warm.stdout == cold.stdout


def test_planted_prices_are_not_trusted(own_dir: Path) -> None:
    model = "claude-sonnet-4-5"
    pricing.save_new_rates({})
    real = pricing.price_usage(model, input_tokens=1000, output_tokens=10)
    pricing.save_new_rates({})
    ((_, stamp, _),) = [r for r in _rows(own_dir, "rates") if r[0] == model]
    for forged in ({"starts": [], "tiers": [[-1.0, 0, 0, 0, 0]]}, {"starts": [], "tiers": [[float("nan")] * 5]},
                   {"starts": [5, 1], "tiers": [[0] * 5] * 3}, {"tiers": "x"}):
        _plant(own_dir, "rates", model, stamp, json.dumps(forged).encode())
        cache.reset()
        assert pricing.price_usage(model, input_tokens=1000, output_tokens=10) == real
    # a well-formed entry made for other price data (another stamp) is not used either
    _plant(own_dir, "rates", model, "genai-prices 0.0.1|0|x", json.dumps({"starts": [], "tiers": [[0] * 5]}).encode())
    cache.reset()
    assert pricing.price_usage(model, input_tokens=1000, output_tokens=10) == real


def test_files_of_the_old_caches_are_never_read(own_dir: Path, tmp_path: Path) -> None:
    own_dir.mkdir(mode=0o700)
    for name in ("regex-cpython-311.marshal", "rules-0.1.0.marshal", "rates-0.2.5-0.1.0.json"):
        (own_dir / name).write_bytes(b"\xe3\x00\xff" * 1000)  # what crashed the regex engine before
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo)
    run = _ctxlint(["check", ".", "--fail-on", "never"], own_dir, repo)
    assert run.returncode == 0, run.stderr


def test_directory_and_file_are_private(own_dir: Path, tmp_path: Path) -> None:
    own_dir.mkdir()
    os.chmod(own_dir, 0o777)  # ours, but open to everyone: tightened before use
    history = tmp_path / "history"
    write_session(history / "a.jsonl", [{"prompt": "hi"}, {"requests": 3}], session="a")
    collect([str(history)], Config(), jobs=1)
    assert stat.S_IMODE(own_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((own_dir / cache.FILE_NAME).stat().st_mode) == 0o600


def test_a_linked_directory_or_file_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history = tmp_path / "history"
    write_session(history / "a.jsonl", [{"prompt": "hi"}, {"requests": 3}], session="a")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "linked").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "linked"))
    cache.reset()
    collect([str(history)], Config(), jobs=1)
    assert list(elsewhere.iterdir()) == []
    own = tmp_path / "own"
    own.mkdir(mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (own / cache.FILE_NAME).symlink_to(victim)
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(own))
    cache.reset()
    collect([str(history)], Config(), jobs=1)
    assert victim.read_text() == "precious\n"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root")
def test_a_cache_another_user_owns_is_not_used(own_dir: Path, tmp_path: Path) -> None:
    history = tmp_path / "history"
    write_session(history / "a.jsonl", [{"prompt": "hi"}, {"requests": 3}], session="a")
    collect([str(history)], Config(), jobs=1)
    cache.reset()
    os.chown(own_dir / cache.FILE_NAME, 65534, 65534)
    stats = CollectStats()
    collect([str(history)], Config(), jobs=1, stats=stats)
    assert stats.computed == 1  # the file of another user is neither read nor written
    os.chown(own_dir / cache.FILE_NAME, 0, 0)
    os.chown(own_dir, 65534, 65534)
    cache.reset()
    stats = CollectStats()
    collect([str(history)], Config(), jobs=1, stats=stats)
    assert stats.computed == 1
