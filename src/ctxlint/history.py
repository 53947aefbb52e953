"""Measured requests per session from a transcript history (for `check --history`)."""

from __future__ import annotations

import statistics

from ctxlint.config import Config


def requests_per_session(path: str, config: Config) -> int | None:
    """Median de-duplicated requests of the main sessions under ``path`` (None when there are none)."""
    from ctxlint.coach import collect

    counts = [int((r.session or {}).get("requests") or 0) for r in collect([path], config)
              if r.session and not r.session.get("is_subagent")]
    counts = [c for c in counts if c > 0]
    return int(statistics.median(counts)) if counts else None
