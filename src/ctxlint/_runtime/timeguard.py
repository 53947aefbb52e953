"""A time limit on one piece of work (one file), so a pathological input becomes a finding instead of
a hang: the check, the coach and the export go on with the next file."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class FileTimeout(BaseException):
    """The work under ``time_limit`` ran out of time. Not an ``Exception``: the ``except Exception`` a
    parser or a rule keeps as its last line of defence must not swallow it and go on."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``FileTimeout`` after ``seconds`` (in the main thread of a process; elsewhere, and where
    there is no SIGALRM, no limit). Limits nest: an inner one never outlives or cancels an outer one."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()

    def on_alarm(signum: int, frame: object) -> None:
        raise FileTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_left) if outer_left > 0 else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left > 0:  # give the outer limit what it has left (at least a moment, so it still fires)
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 0.001))
