"""Measured requests per session from a transcript history (for `check --history`)."""

from __future__ import annotations

from ctxlint.config import Config


def requests_per_session(path: str, config: Config) -> int | None:
    """Median de-duplicated API requests per main session under ``path`` (None when there are none).

    A session's subagent files roll into it (their requests load the same instruction files); a
    subagent file is never a session of its own. Results come from the coach's per-file cache.
    """
    from ctxlint.coach.aggregate import median_requests
    from ctxlint.coach.collect import collect

    return median_requests(collect([path], config))
