"""Per-file results for the coach: cached ones read in the parent process, the misses audited on the
worker pool and written back.

A result is cached as JSON under the transcript's path, stamped with the file's identity (device,
inode, size, mtime, ctime: see ``_runtime.cache``), the ctxlint version and the configuration's
``result_key``: an edited or replaced transcript, a new ctxlint or a changed rule option computes
the file again. Read back, it is decoded into ``FileResult``'s exact shape or not used at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from ctxlint.config import Config
from ctxlint.model import FileResult

# Bumped when a FileResult gains facts (titles, outcomes, the usable window): results cached by an
# earlier build of the same version are computed again rather than shown without them.
RESULT_SHAPE = 2


@dataclass(slots=True)
class CollectStats:
    """How many session summaries came from the cache and how many were computed."""

    files: int = 0
    cached: int = 0
    computed: int = 0


def collect(paths: list[str], config: Config, *, jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None,
            stats: CollectStats | None = None) -> list[FileResult]:
    """Per-file results for every transcript under ``paths``, in the order found."""
    from ctxlint.core.inputs import transcript_inputs

    found = transcript_inputs(paths, config.exclude)
    return cached_results([t.path for t in found], config, jobs=jobs, progress=progress, stats=stats,
                          sizes=[t.size for t in found])


def run_key(config: Config) -> str:
    """What a cached result was computed with besides its file: ctxlint's version and the configuration."""
    from ctxlint import __version__

    return f"{__version__}:{RESULT_SHAPE}:{config.result_key()}"


def cached_results(files: list[str], config: Config, *, jobs: int | None = None,
                   progress: Callable[[int, int], None] | None = None, stats: CollectStats | None = None,
                   sizes: list[int] | None = None) -> list[FileResult]:
    """The result of each transcript file: from the cache when its file is unchanged, else audited (on
    the worker pool) and cached."""
    import msgspec

    from ctxlint._runtime import cache
    from ctxlint.core.audit import audit_paths
    from ctxlint.transcripts.stores import stamps as stamps_of

    size_of = dict(zip(files, sizes, strict=True)) if sizes is not None else None
    key = run_key(config)
    # Stamped before the audit and checked again after: a live session that grows meanwhile is not
    # cached under the size it had when it was read.
    # A session in a database is stamped by its own rows, not the file: another session's write to the
    # same store does not invalidate it.
    stamps = stamps_of(files)
    results: dict[str, FileResult] = {}
    misses: list[str] = []
    for f in files:
        stamp = stamps[f]
        blob = cache.get("results", os.path.abspath(f), f"{stamp}|{key}") if stamp else None
        hit: FileResult | None = None
        if blob is not None:
            try:
                hit = msgspec.json.decode(blob, type=FileResult)
            except (msgspec.DecodeError, msgspec.ValidationError):
                hit = None  # damaged: computed again
        if hit is not None:
            results[f] = hit
        else:
            misses.append(f)
    fresh = audit_paths(misses, config, jobs, progress,
                        sizes=[size_of[f] for f in misses] if size_of is not None else None)
    store_results(list(zip(misses, fresh, strict=True)), config, {f: stamps[f] for f in misses})
    results.update(zip(misses, fresh, strict=True))
    if stats is not None:
        stats.files, stats.cached, stats.computed = len(files), len(files) - len(misses), len(misses)
    return [results[f] for f in files]


def store_results(results: list[tuple[str, FileResult]], config: Config, stamps: dict[str, str | None]) -> None:
    """Cache each file's result under the stamp its file had when it was read (``stamps``), unless the file
    has changed since: the next ``coach`` takes them as they are (``ctxlint hook`` at a session's end)."""
    import msgspec

    from ctxlint._runtime import cache
    from ctxlint.transcripts.stores import stamps as stamps_of

    key = run_key(config)
    after = stamps_of([f for f, _ in results])
    cache.put_many("results", [(os.path.abspath(f), msgspec.json.encode(r), f"{stamps[f]}|{key}")
                               for f, r in results if stamps[f] is not None and after[f] == stamps[f]])
