"""The parsed-rule cache: a warm start reads the same rules as a cold one, and never stale ones."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ctxlint.rules import registry as reg


def _fresh(monkeypatch: pytest.MonkeyPatch, cache: Path, rules: Path) -> dict[str, reg.RuleMeta]:
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(cache))
    monkeypatch.setattr(reg, "rules_dir", lambda: rules)
    reg._yaml_cache.cache_clear()
    reg.all_metadata.cache_clear()
    try:
        return dict(reg.all_metadata())
    finally:
        reg._yaml_cache.cache_clear()
        reg.all_metadata.cache_clear()


def test_cached_rules_equal_parsed_rules_and_an_edit_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(reg.rules_dir(), rules)
    cache = tmp_path / "cache"
    cold = _fresh(monkeypatch, cache, rules)
    assert list(cache.glob("rules-*.marshal")), "the parsed rules were not cached"
    warm = _fresh(monkeypatch, cache, rules)
    assert warm == cold

    # an edited rule file (new size and mtime) is parsed again, not served from the cache
    path = rules / "CTX101.yaml"
    text = path.read_text(encoding="utf-8").replace(cold["CTX101"].summary.split()[0], "Edited", 1)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(1, 1))
    edited = _fresh(monkeypatch, cache, rules)
    assert edited["CTX101"].summary.startswith("Edited")

    # a damaged cache file is ignored
    for f in cache.glob("rules-*.marshal"):
        f.write_bytes(b"\x00garbage")
    assert _fresh(monkeypatch, cache, rules) == edited
