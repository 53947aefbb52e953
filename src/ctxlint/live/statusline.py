"""``ctxlint statusline``: one short line for Claude Code's status bar, on every change of the session.

Claude Code runs the command with its statusLine JSON on stdin (docs/agents/hooks.md) each time the
conversation changes, and shows the first line printed. So this path is built for start-up time: it
imports no more than the cache front, reads the session's last summary (``live.status``) kept under
the transcript's path, and prints it with the fill the agent reports now. When the transcript changed
since that summary, a detached ``ctxlint statusline --refresh`` audits what was appended and keeps the
new summary for the next line (one refresh per session at a time, under a lock in the cache
directory); the line printed meanwhile says the last summary, at most one change old. Without a cache
(``CTXLINT_NO_CACHE``) or without ``fcntl``, and for the first line of a small session, the audit runs
here, before the line is printed.

A statusline must never break the agent's display: bad input prints an empty line (the agent shows
none), never a traceback, and the exit code is always 0. ``NO_COLOR`` turns the colours off.
"""

from __future__ import annotations

import json
import os
import sys

from ctxlint.live.line import render

TYPE_CHECKING = False  # not typing's: the statusline does not import typing (see ctxlint/__init__.py)
if TYPE_CHECKING:
    from typing import Any

LINE = "live-line"  # the session's last summary, under the transcript's absolute path
MAX_PAYLOAD = 1024 * 1024
REFRESH_ROUNDS = 5  # a refresh reads on while the session keeps growing, at most this many times
# A session this small with no summary yet is audited before the first line (a fraction of a second,
# once), so that line already says something; a larger one gets its summary from a refresh.
INLINE_FIRST_BYTES = 1024 * 1024
CHAIN_SEP = " │ "  # between the user's own statusline and ctxlint's
CHAIN_TIMEOUT = 5.0


def _their_line(command: str, raw: bytes) -> str:
    """The first line the user's own statusline command prints for the same input ("" when it fails)."""
    import subprocess

    try:
        done = subprocess.run(command, shell=True, input=raw, capture_output=True, timeout=CHAIN_TIMEOUT,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    text = done.stdout.decode("utf-8", "replace")
    return text.splitlines()[0] if text.strip() else ""


def run(argv: list[str]) -> int:
    """The command: stdin to one line on stdout; always 0. ``--chain COMMAND``: the user's own
    statusline command runs first, with the same input, and ctxlint's line follows its first line."""
    color = "--no-color" not in argv and not os.environ.get("NO_COLOR")
    theirs = argv[argv.index("--chain") + 1] if "--chain" in argv[:-1] else None
    raw = b""
    try:
        raw = sys.stdin.buffer.read(MAX_PAYLOAD + 1)
        line = line_for(payload_of(raw), color)
    except Exception:  # a statusline never fails the agent's display (CTXLINT_DEBUG shows why)
        if os.environ.get("CTXLINT_DEBUG"):
            raise
        line = ""
    from ctxlint._runtime.safeout import terminal_text

    line = terminal_text(line, colour=color)  # as every output leaves ctxlint (its own colours kept)
    if theirs is not None:  # the user's own statusline's line, as their command printed it
        first = _their_line(theirs, raw)
        line = f"{first}{CHAIN_SEP}{line}" if first and line else first or line
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    return 0


def payload_of(raw: bytes) -> dict[str, Any] | None:
    if len(raw) > MAX_PAYLOAD:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def line_for(payload: dict[str, Any] | None, color: bool) -> str:
    if payload is None:
        return ""
    fill, window = reported_fill(payload)
    transcript = payload.get("transcript_path")
    if not isinstance(transcript, str) or not transcript or not os.path.isfile(transcript):
        return render(None, fill, color)
    from ctxlint._runtime import cache

    key = os.path.abspath(transcript)
    kept = cache.get_object(LINE, key)
    if kept is not None and kept.get("stamp") == cache.file_stamp(transcript):
        return render(kept, fill, color)
    cwd = _cwd(payload)
    small = kept is None and os.path.getsize(transcript) <= INLINE_FIRST_BYTES
    if cache.enabled() and not small and spawn_refresh(key, cwd, window):
        return render(kept, fill, color) or "ctxlint: reading the session…"
    return render(refresh(key, cwd, window), fill, color)


def reported_fill(payload: dict[str, Any]) -> tuple[int | None, int | None]:
    """The context of the agent's last request and its window, as the agent reports them now (fresher
    than the transcript, which is written a little later)."""
    cw = payload.get("context_window")
    if not isinstance(cw, dict):
        return None, None
    usage = cw.get("current_usage")
    fill = None
    if isinstance(usage, dict):
        parts = [usage.get(k) for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")]
        if all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in parts):
            fill = sum(parts)  # type: ignore[arg-type]
    size = cw.get("context_window_size")
    return fill, size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else None


def _cwd(payload: dict[str, Any]) -> str | None:
    workspace = payload.get("workspace")
    for value in ((workspace or {}).get("project_dir") if isinstance(workspace, dict) else None, payload.get("cwd")):
        if isinstance(value, str) and os.path.isdir(value):
            return value
    return None


# --- keeping the summary up to date -----------------------------------------------------------


def refresh(transcript: str, cwd: str | None, window: int | None) -> dict[str, Any]:
    """Audit what was appended to the session and keep its new summary; the summary."""
    from ctxlint._runtime import cache
    from ctxlint.live.status import snapshot

    snap = snapshot(transcript, live_config(cwd), window=window)
    cache.put(LINE, os.path.abspath(transcript), json.dumps(snap.data).encode())
    return snap.data


def live_config(cwd: str | None) -> Any:
    """The project's configuration (its rule options and budgets); the defaults when it has none or
    it cannot be read (a statusline does not fail on a bad config: ``ctxlint check`` says what is wrong)."""
    from ctxlint.config import Config, resolve_config
    from ctxlint.errors import CtxlintError

    try:
        return resolve_config([cwd], None, False) if cwd else Config()
    except (CtxlintError, OSError, ValueError):
        return Config()


def _lock_path(key: str) -> str:
    import hashlib

    from ctxlint._runtime import cache

    return str(cache.directory() / f"live-{hashlib.sha256(key.encode()).hexdigest()[:16]}.lock")


def _try_lock(path: str) -> int | None:
    """An open, exclusively locked descriptor of ``path``; None when another process holds it."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def spawn_refresh(transcript: str, cwd: str | None, window: int | None) -> bool:
    """Start a detached refresh of the session unless one is running; False when this platform cannot
    (no ``fork`` or ``fcntl``): the caller refreshes itself."""
    try:
        import fcntl  # noqa: F401
    except ImportError:
        return False
    if not hasattr(os, "fork"):
        return False
    fd = _try_lock(_lock_path(transcript))
    if fd is None:
        return True  # a refresh is running: its summary is for the next line
    # The child inherits the locked descriptor: the session is locked from now until the refresh ends,
    # with no moment between this process's exit and the child's start when another could begin.
    os.set_inheritable(fd, True)
    argv = [sys.executable, "-m", "ctxlint", "statusline", "--refresh", transcript, "--lock-fd", str(fd)]
    argv += ["--cwd", cwd] if cwd else []
    argv += ["--window", str(window)] if window else []
    try:
        detach(argv)
    finally:
        os.close(fd)
    return True


def detach(argv: list[str]) -> None:
    """Start ``argv`` as a process of its own: a new session, away from the caller's pipes (the agent
    reads this process's output until every copy of its stdout is closed), and not the caller's
    child (a first child starts it and exits at once, and is reaped here)."""
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for std in (0, 1, 2):
                    os.dup2(null, std)
                os.execvp(argv[0], argv)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def run_refresh(transcript: str, cwd: str | None, window: int | None, lock_fd: int | None = None) -> int:
    """``ctxlint statusline --refresh``: under the session's lock (``lock_fd``: taken by the statusline
    that started this process), read on until the summary is the transcript's as it is (or
    ``REFRESH_ROUNDS`` rounds)."""
    from ctxlint._runtime import cache

    key = os.path.abspath(transcript)
    cache.get(LINE, key)  # opens the cache, whose directory holds the lock
    if not cache.enabled():
        return 0  # nowhere to keep a summary
    fd = lock_fd
    if fd is None:
        try:
            fd = _try_lock(_lock_path(key))
        except ImportError:  # no fcntl: the statusline refreshes in its own process and never starts this
            return 0
    if fd is None:
        return 0  # another refresh of this session is running
    try:
        for _ in range(REFRESH_ROUNDS):
            data = refresh(key, cwd, window)
            if data.get("stamp") == cache.file_stamp(key):
                break
    finally:
        os.close(fd)
    return 0
