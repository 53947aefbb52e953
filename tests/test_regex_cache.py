"""The compiled-regex cache: a pattern rebuilt from it is the pattern ``re`` compiles, and a cache
this interpreter cannot use is ignored."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctxlint._runtime import regex_cache
from ctxlint._runtime.fsutil import cache_dir

from .conftest import corpus_dir

PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<tool>npm|pnpm)\s+(run\s+)?(?P<script>[\w:-]+)", 0),
    (r"^\s*(?:[-*+]|\d+[.)])\s", re.M),
    (r"\b(that'?s|it'?s) (still )?wrong\b", re.I),
    (r"(?<![0-9&])>>?\s*([^\s|;&]+)", 0),
    (rb'"is(?:Meta|CompactSummary)":', 0),
    (r"[\w./-]+", re.A),
]
TEXTS = ["npm run lint:fix", "  - item\n2) other", "No, IT'S still WRONG.", "ls 2>&1 > out.txt", "x y"]


@pytest.fixture()
def fresh_re(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("CTXLINT_NO_REGEX_CACHE", raising=False)
    monkeypatch.setattr(regex_cache, "_loaded", {})
    re.purge()
    yield tmp_path
    re.purge()


def _compile_all() -> None:
    for pattern, flags in PATTERNS:
        re.compile(pattern, flags)


def test_cached_patterns_are_the_patterns_re_compiles(fresh_re: Path) -> None:
    _compile_all()
    assert regex_cache.save() is True
    assert regex_cache.save() is False, "nothing new: the cache is not rewritten"
    re.purge()
    regex_cache._loaded.clear()
    assert regex_cache.load() >= len(PATTERNS)
    for pattern, flags in PATTERNS:
        cached = re._cache[(type(pattern), pattern, flags)]  # type: ignore[attr-defined]
        fresh = re._compiler.compile(pattern, flags)  # type: ignore[attr-defined]
        assert cached is not fresh
        assert (cached, cached.flags, cached.groups, dict(cached.groupindex)) == (
            fresh,
            fresh.flags,
            fresh.groups,
            dict(fresh.groupindex),
        )  # Pattern == compares the opcodes too
        assert re.compile(pattern, flags) is cached, "re.compile serves the cached object"
        for text in TEXTS:
            subject: str | bytes = text.encode() if isinstance(pattern, bytes) else text
            found, expected = cached.search(subject), fresh.search(subject)  # type: ignore[arg-type]
            assert (found and (found.span(), found.groups())) == (
                expected and (expected.span(), expected.groups())
            )


def test_a_damaged_or_foreign_cache_is_ignored(fresh_re: Path) -> None:
    _compile_all()
    assert regex_cache.save()
    path = Path(cache_dir()) / regex_cache.CACHE_NAME
    blob = path.read_bytes()

    path.write_bytes(b"\x00garbage")
    re.purge()
    assert regex_cache.load() == 0

    # another interpreter build wrote it: its opcodes are not trusted
    import marshal

    data = marshal.loads(blob)
    data["engine"] = "cpython-0.0-0-0"
    path.write_bytes(marshal.dumps(data))
    assert regex_cache.load() == 0
    assert re.compile(str(PATTERNS[0][0])).search("npm run x")  # re still works as usual


def test_a_warm_start_reports_what_a_cold_start_reports(tmp_path: Path) -> None:
    instructions, transcripts = corpus_dir("instructions"), corpus_dir("transcripts")
    repo = tmp_path / "repo"
    (repo / ".cursor" / "rules").mkdir(parents=True)
    for name, corpus_name in [
        ("AGENTS.md", "astral-sh__ruff__AGENTS.md"),
        ("CLAUDE.md", "anthropics__claude-code-action__CLAUDE.md"),
        ("GEMINI.md", "firebase__firebase-tools__GEMINI.md"),
        (".cursor/rules/general.mdc", "ArcadeAI__cli-agent-template__.cursor__rules__general.mdc"),
    ]:
        (repo / name).write_bytes((instructions / corpus_name).read_bytes())
    session = sorted((transcripts / "claude-code").glob("*.jsonl"))[0]
    cache = tmp_path / "cache"

    def run(**extra: str) -> str:
        env = {**os.environ, "CTXLINT_CACHE_DIR": str(cache), **extra}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ctxlint",
                "check",
                str(repo),
                str(session),
                "-j",
                "1",
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    uncached = run(CTXLINT_NO_REGEX_CACHE="1")
    assert not list(cache.glob("regex-*.marshal"))
    first = run()
    assert list(cache.glob("regex-*.marshal")), "the patterns were not cached"
    assert run() == first == uncached
