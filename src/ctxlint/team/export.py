"""`ctxlint export`: audit many transcripts on the worker pool and write tables.

The unit of work is ``ctxlint.team.tables.audit_to_rows`` (``audit_file`` plus the row builders),
mapped over the inputs on the same pool as `check` and `coach` (``core.audit.on_pool``: largest
first, in size-balanced batches). Rows are written as they arrive, in batches, as partitioned
Parquet (or JSONL) parts, ``DIR/<table>/part-<run>-<n>.<ext>``, so memory stays bounded whatever
the size of the input.

Resumable: ``DIR/_manifest.sqlite`` records every exported file (key, size, mtime, ctxlint
version, configuration) and every committed part. A re-run skips unchanged files and appends new
parts only; a changed file's old rows are removed from their part before it is exported again.
Parts are written under temporary names and renamed before the manifest commits them, and parts
the manifest does not know (a crash between the two) are deleted at the next run: every file's
rows are in the tables exactly once.
"""

from __future__ import annotations

import hashlib
import os
import secrets as _random
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from ctxlint import __version__
from ctxlint.config import Config
from ctxlint.core.audit import on_pool
from ctxlint.errors import ExportError
from ctxlint.team.tables import (
    SCHEMA_VERSION,
    SCHEMAS,
    FileRows,
    FileTask,
    Row,
    RowContext,
    TeamMap,
    audit_to_rows,
    instruction_rows,
    to_table,
)

FORMATS = ("parquet", "jsonl")
MANIFEST = "_manifest.sqlite"
SALT_ENV = "CTXLINT_SALT"

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class ExportStats:
    """Counts of a team export run."""

    files: int = 0  # transcripts found
    exported: int = 0  # audited and written in this run
    skipped: int = 0  # unchanged since a previous run
    replaced: int = 0  # changed since a previous run: old rows removed, exported again
    parts: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCHEMAS, 0))
    bytes: int = 0  # size of the audited inputs
    seconds: float = 0.0

    @property
    def mib_per_s(self) -> float:
        return self.bytes / 2**20 / self.seconds if self.seconds > 0 else 0.0


# ---------------------------------------------------------------------------------------------
# Inputs


def discover(paths: Iterable[str], exclude: tuple[str, ...] = ()) -> list[FileTask]:
    """Every transcript under ``paths`` with its path relative to its input root, largest first."""
    from ctxlint.core.inputs import transcript_inputs

    tasks = []
    for found in transcript_inputs(paths, exclude):
        rel = os.path.relpath(os.path.abspath(found.path), os.path.abspath(found.root)).replace(os.sep, "/")
        tasks.append(FileTask(os.path.realpath(found.path), PurePosixPath(rel).as_posix(), found.size,
                              found.mtime_ns))
    return sorted(tasks, key=lambda t: (-t.size, t.rel))


def resolve_salt(pseudonymize: bool, salt: str | None) -> str | None:
    if not pseudonymize:
        if salt:
            raise ExportError("--salt only makes sense with --pseudonymize")
        return None
    salt = salt or os.environ.get(SALT_ENV) or None
    if not salt:
        raise ExportError(f"--pseudonymize needs a secret salt: pass --salt or set {SALT_ENV} "
                          "(an unsalted hash of a folder name is easy to reverse)")
    return salt


# ---------------------------------------------------------------------------------------------
# Manifest


SETTING_NAMES = {"schema_version": "table schema version", "format": "--format",
                 "pseudonymize": "--pseudonymize setting or salt", "group_by": "--group-by mapping"}


class Manifest:
    """SQLite bookkeeping of what is already in the output directory."""

    def __init__(self, out: Path) -> None:
        self.path = out / MANIFEST
        self.conn = sqlite3.connect(self.path)
        self.conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
            CREATE TABLE IF NOT EXISTS parts (name TEXT PRIMARY KEY, committed_at TEXT);
            CREATE TABLE IF NOT EXISTS files (file_id TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,
                                              version TEXT, config TEXT, part TEXT);
            CREATE TABLE IF NOT EXISTS projects (project TEXT PRIMARY KEY, part TEXT);
            """
        )
        self.conn.commit()

    def check_settings(self, settings: dict[str, str]) -> None:
        stored = dict(self.conn.execute("SELECT k, v FROM meta").fetchall())
        if stored:
            for key, value in settings.items():
                if stored.get(key) != value:
                    raise ExportError(
                        f"{self.path.parent} was exported with a different {SETTING_NAMES.get(key, key)}; "
                        "use a new --output directory (or the same options as before)"
                    )
        else:
            self.conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(settings.items()))
            self.conn.commit()

    def parts(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM parts")}

    def files(self) -> dict[str, tuple[int, int, str, str, str]]:
        rows = self.conn.execute("SELECT file_id, size, mtime_ns, version, config, part FROM files")
        return {r[0]: (int(r[1]), int(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in rows}

    def projects(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT project FROM projects")}

    def forget(self, file_ids: Iterable[str]) -> None:
        self.conn.executemany("DELETE FROM files WHERE file_id = ?", [(f,) for f in file_ids])
        self.conn.commit()

    def commit(self, part: str, files: list[tuple[str, int, int, str]], projects: list[str]) -> None:
        with self.conn:
            self.conn.execute("INSERT INTO parts VALUES (?, ?)", (part, datetime.now(UTC).isoformat()))
            self.conn.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                [(fid, size, mtime, __version__, cfg, part) for fid, size, mtime, cfg in files],
            )
            self.conn.executemany("INSERT OR IGNORE INTO projects VALUES (?, ?)", [(p, part) for p in projects])

    def close(self) -> None:
        self.conn.close()


# ---------------------------------------------------------------------------------------------
# Parts


class PartStore:
    """Writes, lists and rewrites the parts of the three tables in one format."""

    def __init__(self, out: Path, fmt: str) -> None:
        self.out = out
        self.fmt = fmt
        self.ext = "parquet" if fmt == "parquet" else "jsonl"
        for name in SCHEMAS:
            (out / name).mkdir(parents=True, exist_ok=True)

    def file(self, table: str, part: str) -> Path:
        return self.out / table / f"{part}.{self.ext}"

    def existing(self) -> set[str]:
        names: set[str] = set()
        for table in SCHEMAS:
            for p in (self.out / table).glob(f"part-*.{self.ext}"):
                names.add(p.name[: -len(self.ext) - 1])
        return names

    def clean(self, committed: set[str]) -> int:
        """Delete temporary files and parts no manifest commit names (left by an interrupted run)."""
        removed = 0
        for table in SCHEMAS:
            for p in (self.out / table).iterdir():
                stem = p.name[: -len(self.ext) - 1] if p.name.endswith("." + self.ext) else None
                if p.name.startswith(".tmp-") or (stem and stem.startswith("part-") and stem not in committed):
                    p.unlink(missing_ok=True)
                    removed += 1
        return removed

    def write(self, part: str, tables: dict[str, list[Row]]) -> None:
        """Write every table's part under a temporary name, then rename them all."""
        staged: list[tuple[Path, Path]] = []
        for table, rows in tables.items():
            final = self.file(table, part)
            tmp = final.with_name(f".tmp-{final.name}")
            self._write_rows(tmp, table, rows)
            staged.append((tmp, final))
        for tmp, final in staged:
            os.replace(tmp, final)

    def _write_rows(self, path: Path, table: str, rows: list[Row]) -> None:
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(to_table(table, rows), path, compression="zstd")
        else:
            import orjson

            with open(path, "wb") as fh:
                for row in rows:
                    fh.write(orjson.dumps(_jsonable(row), option=orjson.OPT_UTC_Z) + b"\n")

    def drop_files(self, part: str, file_ids: set[str]) -> None:
        """Rewrite one part of the sessions and findings tables without the rows of ``file_ids``."""
        for table in ("sessions", "findings"):
            path = self.file(table, part)
            if not path.exists():
                continue
            tmp = path.with_name(f".tmp-{path.name}")
            if self.fmt == "parquet":
                import pyarrow.compute as pc
                import pyarrow.parquet as pq

                data = pq.read_table(path, schema=SCHEMAS[table])
                kept = data.filter(pc.invert(pc.is_in(data["file_id"], value_set=_pa_strings(file_ids))))
                pq.write_table(kept, tmp, compression="zstd")
            else:
                import orjson

                with open(path, "rb") as src, open(tmp, "wb") as dst:
                    for line in src:
                        if line.strip() and orjson.loads(line).get("file_id") not in file_ids:
                            dst.write(line)
            os.replace(tmp, path)


def _pa_strings(values: set[str]) -> Any:
    import pyarrow as pa

    return pa.array(sorted(values), type=pa.string())


def _jsonable(row: Row) -> Row:
    out: Row = {}
    for key, value in row.items():
        if key in ("tool_calls", "load_tokens", "project_startup_tokens") and isinstance(value, list):
            out[key] = dict(value)
        elif key == "source_mtime" and isinstance(value, int):
            out[key] = datetime.fromtimestamp(value / 1e6, UTC).isoformat()
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------------------------
# The export


def export(
    paths: list[str],
    output: str,
    *,
    fmt: str = "parquet",
    group_by: str | None = None,
    pseudonymize: bool = False,
    salt: str | None = None,
    jobs: int | None = None,
    config: Config | None = None,
    batch_files: int = 200,
    batch_rows: int = 50_000,
    progress: Progress | None = None,
    project_roots: tuple[str, ...] = (),
) -> ExportStats:
    """Audit every transcript under ``paths`` and write the sessions/findings/instructions tables."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (expected {' or '.join(FORMATS)})")
    config = config or Config()
    used_salt = resolve_salt(pseudonymize, salt)
    teams = TeamMap.load(group_by) if group_by else TeamMap()
    ctx = RowContext(config=config, teams=teams, salt=used_salt, project_roots=project_roots)

    started = time.perf_counter()
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    store = PartStore(out, fmt)
    manifest = Manifest(out)
    stats = ExportStats()
    try:
        manifest.check_settings({
            "schema_version": str(SCHEMA_VERSION),
            "format": fmt,
            "pseudonymize": _digest(used_salt) if used_salt else "no",
            "group_by": _digest(repr(teams.rules)),
        })
        store.clean(manifest.parts())
        cfg = config.result_key()
        tasks = discover(paths, config.exclude)
        stats.files = len(tasks)
        known = manifest.files()
        todo: list[FileTask] = []
        stale: dict[str, set[str]] = {}  # part -> file ids whose rows must go
        from ctxlint.team.tables import file_id

        for task in tasks:
            fid = file_id(task.real, used_salt)
            previous = known.get(fid)
            if previous is not None and previous[:4] == (task.size, task.mtime_ns, __version__, cfg):
                stats.skipped += 1
                continue
            if previous is not None:
                stale.setdefault(previous[4], set()).add(fid)
                stats.replaced += 1
            todo.append(task)
        for part, ids in sorted(stale.items()):
            store.drop_files(part, ids)
            manifest.forget(ids)

        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + _random.token_hex(3)
        seq = 0
        done_projects = manifest.projects()
        checked: set[str] = set()
        buffer: list[FileRows] = []
        buffered_rows = 0

        def flush() -> None:
            nonlocal seq, buffered_rows
            if not buffer:
                return
            seq += 1
            part = f"part-{run_id}-{seq:05d}"
            new_projects: list[str] = []
            instr: list[Row] = []
            for fr in buffer:
                p = fr.project_real
                key = file_id(p, used_salt) if p else None  # the manifest holds no path
                if p and key and key not in done_projects and key not in checked:
                    checked.add(key)
                    if os.path.isdir(p):
                        instr.extend(instruction_rows(p, ctx))
                        new_projects.append(key)
                        done_projects.add(key)
            tables = {
                "sessions": [fr.session for fr in buffer],
                "findings": [row for fr in buffer for row in fr.findings],
                "instructions": instr,
            }
            store.write(part, tables)
            manifest.commit(part, [(fr.file_id, fr.size, fr.mtime_ns, cfg)
                                   for fr in buffer], new_projects)
            for name, rows in tables.items():
                stats.rows[name] += len(rows)
            stats.parts += 1
            buffer.clear()
            buffered_rows = 0

        runner = on_pool(partial(audit_to_rows, ctx=ctx), todo, [t.size for t in todo], config, jobs=jobs)
        for i, (_, fr) in enumerate(runner, 1):
            buffer.append(fr)
            buffered_rows += 1 + len(fr.findings)
            stats.exported += 1
            stats.bytes += int(fr.session["source_size"])
            if len(buffer) >= batch_files or buffered_rows >= batch_rows:
                flush()
            if progress:
                progress(i, len(todo))
        flush()
        _ensure_every_table(store, manifest, run_id)
    finally:
        manifest.close()
    stats.seconds = time.perf_counter() - started
    return stats


def _ensure_every_table(store: PartStore, manifest: Manifest, run_id: str) -> None:
    """An empty part per table, if needed, so ``read_parquet('DIR/<table>/*.parquet')`` always works."""
    if all(any((store.out / t).glob(f"part-*.{store.ext}")) for t in SCHEMAS):
        return
    part = f"part-{run_id}-00000"
    store.write(part, {t: [] for t in SCHEMAS})
    manifest.commit(part, [], [])


def _digest(text: str) -> str:
    return hashlib.sha256(f"ctxlint-export\0{text}".encode()).hexdigest()[:16]
