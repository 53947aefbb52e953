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
    import msgspec

    from ctxlint import __version__
    from ctxlint._runtime import cache
    from ctxlint.core.audit import audit_paths
    from ctxlint.core.inputs import transcript_inputs
    from ctxlint.transcripts.stores import stamps as stamps_of

    found = transcript_inputs(paths, config.exclude)
    files = [t.path for t in found]
    size_of = {t.path: t.size for t in found}
    run_key = f"{__version__}:{RESULT_SHAPE}:{config.result_key()}"
    # Stamped before the audit and checked again after: a live session that grows meanwhile is not
    # cached under the size it had when it was read.
    # A session in a database is stamped by its own rows, not the file: another session's write to the
    # same store does not invalidate it.
    stamps = stamps_of(files)
    results: dict[str, FileResult] = {}
    misses: list[str] = []
    for f in files:
        stamp = stamps[f]
        blob = cache.get("results", os.path.abspath(f), f"{stamp}|{run_key}") if stamp else None
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
    fresh = audit_paths(misses, config, jobs, progress, sizes=[size_of[f] for f in misses])
    after = stamps_of(misses)
    cache.put_many("results", [(os.path.abspath(f), msgspec.json.encode(r), f"{stamps[f]}|{run_key}")
                               for f, r in zip(misses, fresh, strict=True)
                               if stamps[f] is not None and after[f] == stamps[f]])
    results.update(zip(misses, fresh, strict=True))
    if stats is not None:
        stats.files, stats.cached, stats.computed = len(files), len(files) - len(misses), len(misses)
    return [results[f] for f in files]
