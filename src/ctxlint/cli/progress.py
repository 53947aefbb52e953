"""A progress bar on stderr for long scans (rich), shown only once scanning takes more than a second."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def progress_bar() -> Callable[[int, int], None]:
    """A rich progress bar on stderr, shown only when scanning takes more than a second."""
    import time

    state: dict[str, Any] = {"start": time.monotonic(), "bar": None, "task": None}

    def update(done: int, total: int) -> None:
        if state["bar"] is None:
            if time.monotonic() - state["start"] < 1.0 or done >= total:
                return
            from rich.console import Console
            from rich.progress import Progress

            bar = Progress(console=Console(stderr=True), transient=True)
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task("scanning transcripts", total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    return update
