"""The one cache front: every value ctxlint keeps from one run to the next goes through here.

Where: one directory, ``CTXLINT_CACHE_DIR`` when set, else the user cache directory
(``$XDG_CACHE_HOME/ctxlint`` or ``~/.cache/ctxlint`` on Linux, platformdirs' choice elsewhere).
One switch: ``CTXLINT_NO_CACHE=1`` (or ``--no-cache``) and nothing is read or written.
``ctxlint cache dir`` prints the directory, ``ctxlint cache clear`` empties it.

What is stored: plain data only, in one SQLite file: each entry is a kind, a key, a stamp and a
value (a number or JSON, as bytes) that its owner decodes into a fixed shape. Never pickle,
marshal or compiled code.

What is trusted (the directory may be shared, planted, or restored from a CI cache):

* the directory is created 0700 and the file 0600; a directory or file that another user owns,
  that others may write, or that is a symlink, is not used;
* every value is validated by its owner as it is read (shape, types, ranges): a damaged or planted
  entry is ignored, never trusted, and the value is computed again;
* entries derived from a file are stamped with that file's identity: device, inode, size, mtime
  and ctime to the nanosecond (``file_stamp``). No one can set a ctime, so an entry copied in from
  elsewhere — another machine, a restored CI cache — never matches; the rule data that says what
  is a secret is cached only this way.

The cache may make a run faster, never make it fail or change its output: a locked, read-only,
corrupt or foreign cache means computing without it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

FILE_NAME = "cache.sqlite"
SCHEMA = "1"
SWITCH = "CTXLINT_NO_CACHE"
# Files earlier versions wrote into the directory: `ctxlint cache clear` removes them too.
LEGACY = ("tokens.sqlite", "results.sqlite", "rates-*.json", "rules-*.marshal", "regex-*.marshal")

_lock = threading.Lock()
_conn: sqlite3.Connection | None = None
_opened_by: int | None = None  # the process that opened it: a forked worker never uses it
_off = False  # turned off for this process (--no-cache, or a cache that cannot be used)
_memos: list[Callable[[], None]] = []  # what owners keep in memory of cached values (see ``on_reset``)


def directory() -> Path:
    """The cache directory (whether or not it exists yet)."""
    env = os.environ.get("CTXLINT_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "linux":
        # platformdirs' Linux rule, without its import on every start-up
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return Path(xdg if xdg else os.path.expanduser("~/.cache")) / "ctxlint"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("ctxlint"))


def enabled() -> bool:
    return not _off and os.environ.get(SWITCH, "").strip().lower() in ("", "0", "false", "no")


def disable() -> None:
    """No cache for the rest of this process (``--no-cache``)."""
    global _off
    _off = True
    _close()


def reset() -> None:
    """Forget this process's cache state and what the owners keep in memory of cached values: the
    next use opens the directory the environment names now, as a fresh process would. For tests."""
    global _off
    _off = False
    _close()
    for forget in _memos:
        forget()


def on_reset(forget: Callable[[], None]) -> None:
    """Have ``reset`` call ``forget``: an owner that keeps cached values in memory registers how to drop them."""
    _memos.append(forget)


def clear() -> list[str]:
    """Delete the cache files (this version's and earlier ones') from the directory; the names removed.
    Only regular files this user owns are removed; nothing else in the directory is touched."""
    _close()
    base = directory()
    removed: list[str] = []
    names = [FILE_NAME, *(FILE_NAME + suffix for suffix in ("-journal", "-wal", "-shm"))]
    candidates = [base / n for n in names] + [p for pattern in LEGACY for p in sorted(base.glob(pattern))]
    for path in candidates:
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and _owned(st):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path.name)
    return removed


def file_stamp(path: str | Path) -> str | None:
    """The identity of a file as it is now (device, inode, size, mtime, ctime); None if it cannot be
    stat'ed. An entry stamped with it is valid only for this very file, unchanged."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def get(kind: str, key: str, stamp: str = "") -> bytes | None:
    """The value stored under (kind, key) when its stamp is ``stamp``; None otherwise. The caller
    validates what it decodes from it."""
    conn = _connection()
    if conn is None:
        return None
    try:
        row = conn.execute("SELECT stamp, value FROM entries WHERE kind = ? AND key = ?", (kind, key)).fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[0] != stamp or not isinstance(row[1], bytes):
        return None
    return row[1]


def get_object(kind: str, key: str, stamp: str = "") -> dict[str, Any] | None:
    """The JSON object stored under (kind, key) with ``stamp``; None when absent, not JSON or not an
    object. The caller still validates its keys."""
    import json

    blob = get(kind, key, stamp)
    if blob is None:
        return None
    try:
        data = json.loads(blob)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def entries(kind: str, stamp: str = "") -> dict[str, bytes]:
    """Every value of ``kind`` stored with ``stamp``, by key (the caller validates each)."""
    conn = _connection()
    if conn is None:
        return {}
    try:
        rows = conn.execute("SELECT key, value FROM entries WHERE kind = ? AND stamp = ?", (kind, stamp)).fetchall()
    except sqlite3.Error:
        return {}
    return {key: value for key, value in rows if isinstance(value, bytes)}


def put(kind: str, key: str, value: bytes, stamp: str = "") -> None:
    put_many(kind, [(key, value, stamp)])


def put_many(kind: str, items: Iterable[tuple[str, bytes, str]]) -> None:
    """Store (key, value, stamp) entries of one kind in one transaction; a key's older entry goes."""
    rows = [(kind, key, stamp, value) for key, value, stamp in items]
    conn = _connection()
    if conn is None or not rows:
        return
    try:
        with _lock, conn:
            conn.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
    except sqlite3.Error:
        pass


def delete(kind: str, keys: Iterable[str]) -> None:
    """Forget the entries of ``kind`` under ``keys`` (an owner's value that will not be asked for again)."""
    rows = [(kind, key) for key in keys]
    conn = _connection()
    if conn is None or not rows:
        return
    try:
        with _lock, conn:
            conn.executemany("DELETE FROM entries WHERE kind = ? AND key = ?", rows)
    except sqlite3.Error:
        pass


# ---------------------------------------------------------------------------------------------


def _owned(st: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def _private_directory(base: Path) -> bool:
    """Create ``base`` 0700 if needed; True when it is a real directory of this user only. At most the
    last two levels are created (``.cache/ctxlint``): under a home directory that does not exist (a
    service account, a sandbox) nothing is made up."""
    if not base.parent.parent.is_dir():
        return False
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return False
    return _only_ours(base, stat.S_ISDIR, 0o700)


def _private_file(path: Path) -> bool:
    """Create ``path`` 0600 if needed; True when it is a regular file of this user only."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError:
        return False
    return _only_ours(path, stat.S_ISREG, 0o600)


def _only_ours(path: Path, kind: Callable[[int], bool], mode: int) -> bool:
    """True when ``path`` itself (not a link) is of ``kind`` and this user's; one of ours that others
    may read or write is narrowed to ``mode``."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not kind(st.st_mode) or not _owned(st):
        return False
    if hasattr(os, "getuid") and st.st_mode & 0o077:
        try:
            os.chmod(path, mode)
        except OSError:
            return False
    return True


def _connection() -> sqlite3.Connection | None:
    global _conn, _opened_by, _off
    if _conn is not None:
        return _conn if _opened_by == os.getpid() else None
    if not enabled():
        return None
    base = directory()
    path = base / FILE_NAME
    try:
        conn = _open(base, path)
    except _Damaged:
        conn = None
        with contextlib.suppress(OSError):  # damaged, or another layout: start again, once
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            with contextlib.suppress(_Damaged):
                conn = _open(base, path)
    if conn is None:
        _off = True
        return None
    _conn, _opened_by = conn, os.getpid()
    return conn


class _Damaged(Exception):
    """The cache file is ours but not a cache this version can read."""


def _open(base: Path, path: Path) -> sqlite3.Connection | None:
    """A connection to the cache; None when it cannot be used now (foreign, locked, read-only)."""
    if not _private_directory(base) or not _private_file(path):
        return None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, timeout=2, check_same_thread=False)
        # A cache needs no durability: a file a crash damages is found out and rebuilt (_Damaged). Without
        # a sync per transaction, a file of 20,000 distinct lines no longer waits a minute on fsync.
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
        row = conn.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()
        columns = [r[1] for r in conn.execute("PRAGMA table_info(entries)")]
        if (row is not None and row[0] != SCHEMA) or (columns and columns != ["kind", "key", "stamp", "value"]):
            raise sqlite3.DatabaseError("another cache layout")
        conn.execute("CREATE TABLE IF NOT EXISTS entries (kind TEXT NOT NULL, key TEXT NOT NULL, "
                     "stamp TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (kind, key))")
        if row is None:
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA,))
        conn.commit()
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        busy = isinstance(exc, sqlite3.OperationalError) and any(
            word in str(exc).lower() for word in ("locked", "busy", "readonly", "read-only", "unable to open"))
        if busy:
            return None  # another run holds it, or it cannot be written: go on without a cache
        raise _Damaged from None
    return conn


def _close() -> None:
    global _conn, _opened_by
    if _conn is not None and _opened_by == os.getpid():
        with contextlib.suppress(sqlite3.Error):
            _conn.close()
    _conn, _opened_by = None, None
