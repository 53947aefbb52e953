"""Session stores that are databases: how a session inside one is addressed, and how it is opened.

OpenCode (and Kilo CLI), Crush and Goose keep every session of a user or a project in one SQLite
file. ctxlint reports on sessions, so a session in a database is addressed as the database's path, a
``#`` and the session's id — ``~/.local/share/opencode/opencode.db#ses_01K2…`` — everywhere a
transcript path appears: findings, the JSON report, the coach, baselines (the address does not change
as the database grows, so a baseline entry stays valid). Discovery lists the root sessions of a
database (a subagent's child session is read with its parent); ``ctxlint check`` accepts a database
(all its sessions) or one address.

A database is opened read-only and never locked or written: a database in WAL mode (the agents' own
choice while they run) is opened ``mode=ro`` — a WAL reader never blocks the agent's writes; a
rollback-journal database is opened ``immutable=1`` (no locks at all) unless a journal shows a write
in progress. Each session is read with indexed queries on its own rows, one row at a time: a store of
thousands of sessions is never held in memory.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType

SEPARATOR = "#"
SQLITE_HEADER = b"SQLite format 3\x00"
WAL_MODE = 2  # file format version bytes (offsets 18, 19) of a database in WAL mode


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A root session of a database store."""

    address: str  # "<database>#<session id>"
    size: int  # bytes of its stored rows, estimated cheaply: what the worker pool balances on
    stamp: str  # changes whenever the session (or one of its child sessions) does
    mtime_ns: int  # when the session (or a child) last changed


def address(database: str, session_id: str) -> str:
    return f"{database}{SEPARATOR}{session_id}"


def split(path: str) -> tuple[str, str | None]:
    """``(database, session id)`` of an address; ``(path, None)`` for anything else. A file whose
    name holds a ``#`` stays a file: the split is at the first ``#`` whose left side is a file."""
    if SEPARATOR not in path or os.path.lexists(path):
        return path, None
    at = path.find(SEPARATOR)
    while at != -1:
        head = path[:at]
        if os.path.isfile(head):
            return head, path[at + 1 :]
        at = path.find(SEPARATOR, at + 1)
    return path, None


def is_address(path: str) -> bool:
    return split(path)[1] is not None


def is_sqlite(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def connect(path: str) -> sqlite3.Connection:
    """``path`` opened read-only without taking locks that could stall the agent (see the module's
    docstring). Raises ``sqlite3.Error`` (or OSError) when it cannot be opened."""
    with open(path, "rb") as fh:
        header = fh.read(20)
    wal = len(header) >= 20 and header[18] == WAL_MODE
    uri = Path(os.path.abspath(path)).as_uri()
    if wal or os.path.exists(path + "-journal"):
        try:
            return _open(uri + "?mode=ro")
        except sqlite3.OperationalError:
            # A WAL database in a folder this user cannot write (no -shm yet): read the file as it is.
            return _open(uri + "?mode=ro&immutable=1")
    return _open(uri + "?mode=ro&immutable=1")


def _open(uri: str) -> sqlite3.Connection:
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        con.execute("PRAGMA query_only = ON")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails now, not mid-read, if unusable
    except sqlite3.Error:
        con.close()
        raise
    return con


def columns(con: sqlite3.Connection) -> dict[str, set[str]]:
    """Every table of the database with its column names."""
    tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: {str(row[1]) for row in con.execute(f'PRAGMA table_info("{t}")')} for t in tables}


@lru_cache(maxsize=1)
def _formats() -> tuple[ModuleType, ...]:
    from ctxlint.transcripts.readers import crush, goose, opencode

    return opencode, crush, goose


def store_format(con: sqlite3.Connection, path: str) -> tuple[ModuleType, str] | None:
    """(reader module, agent) of a database ctxlint reads sessions from; None for any other database.
    Decided by its tables and columns, never by its file name."""
    schema = columns(con)
    for module in _formats():
        detect: Callable[[dict[str, set[str]], str], str | None] = module.detect_store
        agent = detect(schema, path)
        if agent is not None:
            return module, agent
    return None


def detect_store(path: str) -> str | None:
    """The agent whose session store ``path`` is; None when it is not one (or cannot be opened)."""
    if not is_sqlite(path):
        return None
    try:
        con = connect(path)
    except (sqlite3.Error, OSError):
        return None
    try:
        found = store_format(con, path)
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return found[1] if found else None


def not_a_store(path: str) -> str:
    """Why a database is not checked on its own: a usage database read with its agent's logs, or not a
    session store ctxlint knows."""
    try:
        con = connect(path)
        try:
            tables = columns(con)
        finally:
            con.close()
    except (sqlite3.Error, OSError):
        return "a database ctxlint cannot open"
    if "assistant_usage_events" in tables:
        return "Copilot CLI's usage database: it is read with the session logs in session-state/ beside it"
    return "a database, but not a session store ctxlint can read"


def sessions(path: str) -> list[StoredSession]:
    """The root sessions of a database store, oldest first; [] when it is not one or is unreadable."""
    try:
        con = connect(path)
    except (sqlite3.Error, OSError):
        return []
    try:
        found = store_format(con, path)
        if found is None:
            return []
        rows: list[tuple[str, int, str, int]] = found[0].list_sessions(con)
    except sqlite3.Error:
        return []
    finally:
        con.close()
    return [StoredSession(address(path, sid), size, stamp, mtime) for sid, size, stamp, mtime in rows]


def listed(paths: list[str]) -> dict[str, StoredSession | None]:
    """Each address among ``paths`` with its listing (None when the session is gone or is a child
    session); each database is listed once. Plain files are left out."""
    out: dict[str, StoredSession | None] = {}
    by_database: dict[str, list[str]] = {}
    for path in paths:
        database, session_id = split(path)
        if session_id is not None:
            by_database.setdefault(database, []).append(path)
    for database, addresses in by_database.items():
        known = {s.address: s for s in sessions(database)}
        out.update((path, known.get(path)) for path in addresses)
    return out


def stamps(paths: list[str]) -> dict[str, str | None]:
    """What changes when each path's session changes; None when it is gone or unreadable. For an
    address: the database file's identity and the session's own stamp; for a plain file: its
    identity (``_runtime.cache.file_stamp``)."""
    from ctxlint._runtime import cache

    sessions_of = listed(paths)
    out: dict[str, str | None] = {}
    for path in paths:
        if path not in sessions_of:
            out[path] = cache.file_stamp(path)
            continue
        session = sessions_of[path]
        try:
            st = os.stat(split(path)[0])
        except OSError:
            session = None
        out[path] = None if session is None else f"{st.st_dev}:{st.st_ino}:{session.stamp}"
    return out


def sizes(paths: list[str]) -> list[int]:
    """The size of each path's content: a file's bytes, a database session's estimate (0 when unknown)."""
    sessions_of = listed(paths)
    out = []
    for path in paths:
        if path in sessions_of:
            session = sessions_of[path]
            out.append(session.size if session is not None else 0)
            continue
        try:
            out.append(os.stat(path).st_size)
        except OSError:
            out.append(0)
    return out
