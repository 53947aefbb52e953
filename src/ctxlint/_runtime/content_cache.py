"""Values derived from a text, cached across runs by the text's hash (SQLite in the user cache).

Token counts and the block structure of Markdown files are pure functions of a file's content (and
of the tokenizer or parser version, which is part of the key). A pre-commit hook checks the same
unchanged instruction files on every commit, so a warm run neither loads the tokenizer nor imports
and runs tree-sitter. Nothing but counts and byte offsets is stored: never the text itself.

The cache may make a run faster, never make it fail: a read-only home, a corrupt or locked file
means computing without it. ``CTXLINT_NO_TOKEN_CACHE`` turns it off (benchmarks measure cold work).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_conn: sqlite3.Connection | None = None
_disabled = bool(os.environ.get("CTXLINT_NO_TOKEN_CACHE"))
FILE_NAME = "tokens.sqlite"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def connection() -> sqlite3.Connection | None:
    global _conn, _disabled
    if _disabled:
        return None
    if _conn is not None:
        return _conn
    try:
        from ctxlint._runtime.fsutil import cache_dir

        base = Path(cache_dir())
        base.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(base / FILE_NAME, timeout=2, check_same_thread=False)
        conn.execute("CREATE TABLE IF NOT EXISTS counts (digest TEXT PRIMARY KEY, tokens INTEGER)")
        conn.execute("CREATE TABLE IF NOT EXISTS blobs (digest TEXT PRIMARY KEY, data BLOB)")
        _conn = conn
    except (OSError, sqlite3.Error):
        _disabled = True
        return None
    return _conn


def get_count(key: str) -> int | None:
    value = _read("SELECT tokens FROM counts WHERE digest = ?", key)
    return int(value) if value is not None else None


def put_count(key: str, value: int) -> None:
    _write("INSERT OR REPLACE INTO counts VALUES (?, ?)", (key, value))


def get_blob(key: str) -> bytes | None:
    value = _read("SELECT data FROM blobs WHERE digest = ?", key)
    return bytes(value) if value is not None else None


def put_blob(key: str, value: bytes) -> None:
    _write("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (key, value))


def _read(sql: str, key: str) -> Any:
    conn = connection()
    if conn is None:
        return None
    try:
        row = conn.execute(sql, (key,)).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row is not None else None


def _write(sql: str, args: tuple[object, ...]) -> None:
    conn = connection()
    if conn is None:
        return
    try:
        with _lock:
            conn.execute(sql, args)
            conn.commit()
    except sqlite3.Error:
        pass
