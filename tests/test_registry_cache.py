"""The parsed rules in the cache: a warm start reads the same rules as a cold one, and never stale ones."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from ctxlint._runtime import cache
from ctxlint.rules import registry as reg


def _fresh(monkeypatch: pytest.MonkeyPatch, rules: Path) -> dict[str, reg.RuleMeta]:
    """The rules as a new process would read them (nothing remembered in memory)."""
    monkeypatch.setattr(reg, "rules_dir", lambda: rules)
    cache.reset()
    reg.all_metadata.cache_clear()
    try:
        return dict(reg.all_metadata())
    finally:
        reg.all_metadata.cache_clear()


def test_cached_rules_equal_parsed_rules_and_an_edit_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    shutil.copytree(reg.rules_dir(), rules)
    cold = _fresh(monkeypatch, rules)
    con = sqlite3.connect(tmp_path / "cache" / cache.FILE_NAME)
    assert con.execute("SELECT count(*) FROM entries WHERE kind = 'rules'").fetchone()[0] == len(cold)
    warm = _fresh(monkeypatch, rules)
    assert warm == cold

    # an edited rule file is parsed again, even with its old size and mtime
    path = rules / "CTX101.yaml"
    st = path.stat()
    text = path.read_text(encoding="utf-8").replace(cold["CTX101"].summary.split()[0], "Edite", 1)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    edited = _fresh(monkeypatch, rules)
    assert edited["CTX101"].summary.startswith("Edite")

    # a damaged entry is ignored
    con.execute("UPDATE entries SET value = CAST('{\"not\": ' AS BLOB) WHERE kind = 'rules'")
    con.commit()
    con.close()
    assert _fresh(monkeypatch, rules) == edited
