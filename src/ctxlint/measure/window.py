"""The one window model: how large a session's context window is, and where its agent compacts.

``check``'s CTX206/CTX207, the session facts, the coach's text, JSON and HTML charts and the exported
tables all take their window from here, so "above 80%" means the same thing in every report: above
80% (CTX206's default ``fill-ratio``) of the *usable* window, the size at which the agent compacts
on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ctxlint.measure.pricing import context_window_for

NEAR_LIMIT = 0.8  # CTX206's default fill-ratio: a request above this share of the usable window is near the limit
CLAUDE_CODE_BUFFER = 20_000 + 13_000  # Claude Code compacts at window − min(max output, 20k) − 13k (167k of 200k)
CODEX_USABLE = 0.95  # Codex keeps 5% of the model's window free (272,000 -> 258,400)
CODEX_EFFECTIVE = 258_400  # a declared window at or below this is already Codex's effective one


@dataclass(frozen=True, slots=True)
class Window:
    """A session's context window (``size``) and the part its agent lets fill before it compacts."""

    size: int | None
    usable: int | None

    def near_limit(self, context: int) -> bool:
        return bool(self.usable) and context > NEAR_LIMIT * (self.usable or 0)


def session_window(agent: str, model: str | None, declared: int | None, peak: int = 0) -> Window:
    """The window of a session of ``agent`` whose last model is ``model``.

    ``declared`` is what the transcript records (Codex's ``model_context_window``); otherwise the
    model's window (``pricing.context_window_for``). Claude Code records the model without its
    ``[1m]`` suffix: a main-thread request above 200K (``peak``) proves the session ran with the 1M window.
    """
    size = declared or context_window_for(model, agent)
    if size and agent == "claude-code" and not declared and peak > size:
        size = 1_000_000
    return Window(size, usable_window(agent, size, declared))


def usable_window(agent: str, size: int | None, declared: int | None = None) -> int | None:
    if not size:
        return None
    if agent == "claude-code":
        return size - CLAUDE_CODE_BUFFER
    if agent == "codex":
        if declared:
            return int(declared * CODEX_USABLE) if declared > CODEX_EFFECTIVE else declared
        return int(size * CODEX_USABLE)
    return size
