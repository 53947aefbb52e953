"""Per-file result cache (SQLite under the user cache directory) for `ctxlint coach`.

Keyed by absolute path, size, mtime, ctxlint version and a hash of the configuration, so an edited
transcript, a new ctxlint or a changed rule option recomputes the file. A corrupt, locked or old
cache is rebuilt silently: the cache may make a run faster, never make it fail.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from pathlib import Path

from ctxlint import __version__
from ctxlint.config import Config
from ctxlint.model import FileResult

SCHEMA = 1


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("CTXLINT_CACHE_DIR") or user_cache_dir("ctxlint"))


def config_key(config: Config) -> str:
    parts = (config.select, config.ignore, sorted((k, sorted(v.items())) for k, v in config.rule_options.items()),
             sorted((k, v.name) for k, v in config.rule_severity.items()), config.timeout_per_file)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


class ResultCache:
    def __init__(self, config: Config, path: Path | None = None) -> None:
        self.path = path or cache_dir() / "results.sqlite"
        self.key = f"{__version__}:{config_key(config)}"
        self.conn: sqlite3.Connection | None = None
        self._open()

    def _open(self, retry: bool = True) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5)
            conn.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
            row = conn.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()
            if row is not None and row[0] != str(SCHEMA):
                conn.close()
                raise sqlite3.DatabaseError("old cache schema")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            conn.execute("CREATE TABLE IF NOT EXISTS results (path TEXT, size INTEGER, mtime INTEGER, key TEXT, "
                         "data BLOB, PRIMARY KEY (path, key))")
            conn.commit()
            self.conn = conn
        except (sqlite3.Error, OSError):
            self.conn = None
            if retry:
                # Corrupt or foreign file: start again from an empty cache.
                try:
                    self.path.unlink(missing_ok=True)
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
            except OSError:
                continue
            rows.append((os.path.abspath(path), st.st_size, st.st_mtime_ns, self.key,
                         pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
        try:
            self.conn.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", rows)
            self.conn.commit()
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
