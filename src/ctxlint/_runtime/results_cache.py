"""Per-file result cache (SQLite under the user cache directory) for `ctxlint coach`.

Keyed by absolute path, size, mtime (ns), ctxlint version and a hash of the configuration, so an
edited transcript, a new ctxlint or a changed rule option recomputes the file. A corrupt, foreign or
old-schema cache file is deleted and rebuilt silently; a cache locked by another run is skipped for
this run. The cache may make a run faster, never make it fail.

``CTXLINT_CACHE_DIR`` overrides the directory (tests, CI).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
from pathlib import Path

from ctxlint import __version__
from ctxlint._runtime import fsutil
from ctxlint.model import FileResult

SCHEMA = 2
COLUMNS = ["path", "size", "mtime", "key", "data"]
FILE_NAME = "results.sqlite"


def cache_dir() -> Path:
    return Path(fsutil.cache_dir())


def _locked(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower()


class ResultCache:
    """``get(path)`` / ``put_many([(path, result)])``; every method is a no-op when the cache is off."""

    def __init__(self, config_key: str, path: Path | None = None, timeout: float = 2.0) -> None:
        self.path = path or cache_dir() / FILE_NAME
        self.key = f"{__version__}:{config_key}"
        self.timeout = timeout
        self.conn: sqlite3.Connection | None = None
        self._open()

    def _open(self, retry: bool = True) -> None:
        conn: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.timeout)
            conn.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
            row = conn.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()
            if row is not None and row[0] != str(SCHEMA):
                raise sqlite3.DatabaseError("old cache schema")
            columns = [r[1] for r in conn.execute("PRAGMA table_info(results)")]
            if columns and columns != COLUMNS:
                raise sqlite3.DatabaseError("unexpected cache table")
            conn.execute("CREATE TABLE IF NOT EXISTS results (path TEXT NOT NULL, size INTEGER NOT NULL, "
                         "mtime INTEGER NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (path, key))")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            conn.commit()
            self.conn = conn
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            self.conn = None
            if isinstance(exc, sqlite3.Error) and _locked(exc):
                return  # another run holds it: go on without a cache this time
            if retry and isinstance(exc, sqlite3.Error):
                # Corrupt, foreign or old: start again from an empty cache.
                for suffix in ("", "-journal", "-wal", "-shm"):
                    try:
                        Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                    except OSError:
                        return
                self._open(retry=False)

    def get(self, path: str) -> FileResult | None:
        if self.conn is None:
            return None
        try:
            st = os.stat(path)
            row = self.conn.execute("SELECT size, mtime, data FROM results WHERE path = ? AND key = ?",
                                    (os.path.abspath(path), self.key)).fetchone()
        except (OSError, sqlite3.Error):
            return None
        if row is None or row[0] != st.st_size or row[1] != st.st_mtime_ns:
            return None
        try:
            result = pickle.loads(row[2])
        except Exception:
            return None
        return result if isinstance(result, FileResult) else None

    def put_many(self, items: list[tuple[str, FileResult]]) -> None:
        if self.conn is None or not items:
            return
        rows = []
        for path, result in items:
            try:
                st = os.stat(path)
                data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            except (OSError, pickle.PicklingError, TypeError, AttributeError):
                continue
            rows.append((os.path.abspath(path), st.st_size, st.st_mtime_ns, self.key, data))
        try:
            # Drop rows of older versions/configs of the same files, then write the new ones.
            self.conn.executemany("DELETE FROM results WHERE path = ? AND key != ?", [(r[0], r[3]) for r in rows])
            self.conn.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", rows)
            self.conn.commit()
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                self.conn.rollback()

    def clear(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.execute("DELETE FROM results")
            self.conn.commit()
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.close()
            self.conn = None
