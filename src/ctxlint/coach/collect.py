"""Per-file results for the coach: cached ones read in the parent process, the misses audited on the
worker pool and written back."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ctxlint.config import Config
from ctxlint.model import FileResult


def find_files(paths: Iterable[str]) -> list[str]:
    """Every transcript under ``paths`` (directories are searched, files taken as given), once."""
    from ctxlint.transcripts.discover import find_transcripts

    out: list[str] = []
    seen: set[str] = set()
    for p in paths:
        found = find_transcripts(p) if os.path.isdir(p) else [p] if os.path.isfile(p) else []
        for f in found:
            real = os.path.realpath(f)
            if real not in seen:
                seen.add(real)
                out.append(f)
    return out


@dataclass(slots=True)
class CollectStats:
    """How many session summaries came from the cache and how many were computed."""

    files: int = 0
    cached: int = 0
    computed: int = 0


def collect(paths: list[str], config: Config, *, use_cache: bool = True, jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None,
            stats: CollectStats | None = None) -> list[FileResult]:
    """Per-file results for every transcript under ``paths``.

    Cached results are read here, in the parent process; only the misses are computed, in the
    engine's size-balanced process pool, and written back. ``use_cache=False`` recomputes every
    file (and refreshes the cache with the new results).
    """
    from ctxlint._runtime.results_cache import ResultCache
    from ctxlint.core.audit import audit_paths

    files = find_files(paths)
    cache = ResultCache(config.result_key())
    try:
        results: dict[str, FileResult] = {}
        misses: list[str] = []
        for f in files:
            hit = cache.get(f) if use_cache else None
            if hit is not None:
                results[f] = hit
            else:
                misses.append(f)
        fresh = audit_paths(misses, config, jobs, progress)
        cache.put_many(list(zip(misses, fresh, strict=True)))
    finally:
        cache.close()
    for f, r in zip(misses, fresh, strict=True):
        results[f] = r
    if stats is not None:
        stats.files, stats.cached, stats.computed = len(files), len(files) - len(misses), len(misses)
    return [results[f] for f in files]
