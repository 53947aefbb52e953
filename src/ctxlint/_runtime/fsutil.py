"""Small file-system helpers shared by the CLI and --fix."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path

# ``.ctxlint-<pid>-<random>.tmp``; before the pid was in the name, ``.ctxlint-<random>.tmp``
_TEMP = re.compile(r"\.ctxlint-(?:(\d{1,10})-)?[a-z0-9_]{6,16}\.tmp")
STALE_SECONDS = 24 * 3600  # a temp file older than this is stale even if its pid is alive (pids are reused)
UNNAMED_STALE_SECONDS = 60  # a temp file without a pid in its name (an older ctxlint) is stale after this


def temp_name() -> str:
    """A name for a temporary file beside the one it will replace, naming this process."""
    import secrets

    return f".ctxlint-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # no harmless way to ask: the age alone decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_stale_temps(directory: str | Path) -> None:
    """Delete the temporary files a ctxlint killed between writing and renaming (``kill -9``, a power
    cut) left in ``directory``: this user's regular files named like ``temp_name``, whose process is
    gone (or which are old). A temp file of a run still going is left alone."""
    import time

    try:
        names = [n for n in os.listdir(directory) if n.startswith(".ctxlint-") and n.endswith(".tmp")]
    except OSError:
        return
    now = time.time()
    for name in names:
        found = _TEMP.fullmatch(name)
        if found is None:
            continue
        path = os.path.join(directory, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            continue
        age = now - st.st_mtime
        pid = found.group(1)
        stale = age > STALE_SECONDS or (
            not _alive(int(pid)) if pid is not None and int(pid) != os.getpid() else pid is None and age > UNNAMED_STALE_SECONDS)
        if stale:
            with contextlib.suppress(OSError):
                os.unlink(path)


def atomic_write_bytes(path: str, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory + fsync + rename.

    A crash at any point leaves either the old file or the new one, never a half-written file; the
    temp file a crash leaves is removed by the next write into that directory.
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    remove_stale_temps(directory)
    tmp = os.path.join(directory, temp_name())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str, text: str) -> None:
    """Write a report or a fixed file atomically; a device or FIFO (``-o /dev/null``, ``-o /dev/stdout``,
    a named pipe) is written in place: a rename would replace the device with a regular file."""
    try:
        st: os.stat_result | None = os.stat(path)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    mode = st.st_mode & 0o7777 if st is not None else None
    atomic_write_bytes(path, text.encode("utf-8"), mode if mode is not None else 0o644)


def inside(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` when it lies inside it, ``"."`` for ``base`` itself, else None.

    Both must be absolute, normalised and use ``/``: then this is what ``os.path.relpath`` gives,
    without splitting and joining both paths (it runs once per transcript and per path read)."""
    if path == base:
        return "."
    prefix = base if base.endswith("/") else base + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def display_path(path: str | Path) -> str:
    """Paths as the user sees them: relative to the current directory when inside it, posix."""
    p = os.path.abspath(path)
    if os.sep == "/":  # abspath and getcwd are normalised: inside means a prefix
        rel = inside(p, os.getcwd())
        return p if rel is None else rel
    try:
        rel = os.path.relpath(p)
    except ValueError:  # another drive on Windows
        return Path(p).as_posix()
    return Path(p if rel.startswith("..") else rel).as_posix()


def distribution_version(module: str, distribution: str) -> str:
    """The installed version of ``distribution`` (which provides ``module``), without importing it.

    Read from the dist-info folder name beside the module: importlib.metadata costs ~0.05 s of a
    start-up. Falls back to importlib.metadata for other layouts, and to "unknown".
    """
    import glob
    from importlib.util import find_spec

    spec = find_spec(module)
    if spec is not None and spec.origin:
        site = os.path.dirname(os.path.dirname(spec.origin))
        prefix = module + "-"
        found = sorted(glob.glob(os.path.join(glob.escape(site), f"{prefix}*.dist-info")))
        if len(found) == 1:
            return os.path.basename(found[0])[len(prefix):-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:  # pragma: no cover - an odd install without metadata
        return "unknown"
