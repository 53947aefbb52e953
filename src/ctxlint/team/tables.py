"""The exported tables: their pyarrow schemas (the one source of truth) and the row builders.

Three tables, documented column by column in ``docs/team.md``:

* ``sessions``: one row per transcript file;
* ``findings``: one row per finding of a transcript;
* ``instructions``: one row per instruction file of every project whose directory exists on disk.

Row builders are pure functions of a ``FileResult`` (what ``ctxlint.core.audit.audit_file`` returns) and
of the export settings, so whichever worker runs them, the rows are the same.
There is a ``person`` column (the first folder under the input root, or its pseudonym) only so a
platform team can group by team; the report built from these tables never ranks people.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa

from ctxlint import __version__
from ctxlint.config import Config
from ctxlint.errors import ExportError
from ctxlint.measure.window import NEAR_LIMIT, usable_window
from ctxlint.model import FileResult

SCHEMA_VERSION = 1

_COUNTS = ("requests", "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens",
           "peak_context_tokens", "compactions", "subagents", "malformed_records", "unpriced_requests")

SESSIONS_SCHEMA = pa.schema(
    [
        pa.field("file_id", pa.string(), nullable=False),
        pa.field("path", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("session_id", pa.string()),
        pa.field("agent", pa.string()),
        pa.field("project", pa.string()),
        pa.field("week", pa.string()),
        pa.field("started_at", pa.timestamp("us", tz="UTC")),
        pa.field("ended_at", pa.timestamp("us", tz="UTC")),
        pa.field("models", pa.list_(pa.string())),
        *(pa.field(name, pa.int64()) for name in _COUNTS[:6]),
        pa.field("context_window", pa.int64()),
        *(pa.field(name, pa.int64()) for name in _COUNTS[6:]),
        pa.field("usable_window", pa.int64()),  # where the agent compacts (measure.window, as check's CTX206)
        pa.field("requests_above_80pct", pa.int64()),  # main-thread requests above 80% of the usable window
        pa.field("tool_calls", pa.map_(pa.string(), pa.int64())),
        pa.field("cost_usd", pa.float64()),
        pa.field("price_table", pa.string()),
        pa.field("is_subagent", pa.bool_()),
        pa.field("title", pa.string()),  # the first typed prompt, masked, then cut
        # what the session's tokens bought (transcripts.outcomes): completed | open | no-edits, the
        # completed loops and what closed them
        pa.field("outcome", pa.string()),
        pa.field("loops", pa.int64()),
        pa.field("commits", pa.int64()),
        pa.field("pushes", pa.int64()),
        pa.field("pull_requests", pa.int64()),
        pa.field("test_passes", pa.int64()),
        pa.field("edits", pa.int64()),
        pa.field("findings", pa.int64(), nullable=False),
        pa.field("tokens_wasted", pa.int64(), nullable=False),
        pa.field("cost_wasted_usd", pa.float64()),
        pa.field("person", pa.string()),
        pa.field("team", pa.string()),
        pa.field("ctxlint_version", pa.string(), nullable=False),
        pa.field("source_size", pa.int64(), nullable=False),
        pa.field("source_mtime", pa.timestamp("us", tz="UTC"), nullable=False),
    ],
    metadata={"ctxlint.table": "sessions", "ctxlint.schema_version": str(SCHEMA_VERSION)},
)

FINDINGS_SCHEMA = pa.schema(
    [
        pa.field("file_id", pa.string(), nullable=False),
        pa.field("rule_id", pa.string(), nullable=False),
        pa.field("rule_name", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("severity", pa.string(), nullable=False),
        pa.field("path", pa.string(), nullable=False),
        pa.field("line", pa.int64(), nullable=False),
        pa.field("end_line", pa.int64(), nullable=False),
        pa.field("tokens_wasted", pa.int64(), nullable=False),
        pa.field("cost_wasted_usd", pa.float64()),
        pa.field("basis", pa.string(), nullable=False),  # measured | modelled | estimated
        pa.field("session_id", pa.string()),
        pa.field("project", pa.string()),
        pa.field("agent", pa.string()),
        pa.field("week", pa.string()),
        pa.field("started_at", pa.timestamp("us", tz="UTC")),
        pa.field("person", pa.string()),
        pa.field("team", pa.string()),
        pa.field("fingerprint", pa.string(), nullable=False),
        pa.field("message", pa.string(), nullable=False),
        pa.field("fix", pa.string()),
    ],
    metadata={"ctxlint.table": "findings", "ctxlint.schema_version": str(SCHEMA_VERSION)},
)

INSTRUCTIONS_SCHEMA = pa.schema(
    [
        pa.field("project", pa.string(), nullable=False),
        pa.field("path", pa.string(), nullable=False),
        pa.field("agent", pa.string()),
        pa.field("role", pa.string()),
        pa.field("tokens", pa.int64(), nullable=False),
        pa.field("always_loaded_by", pa.list_(pa.string()), nullable=False),
        pa.field("load_tokens", pa.map_(pa.string(), pa.int64()), nullable=False),
        pa.field("project_startup_tokens", pa.map_(pa.string(), pa.int64()), nullable=False),
        pa.field("ctxlint_version", pa.string(), nullable=False),
    ],
    metadata={"ctxlint.table": "instructions", "ctxlint.schema_version": str(SCHEMA_VERSION)},
)

SCHEMAS: dict[str, pa.Schema] = {
    "sessions": SESSIONS_SCHEMA,
    "findings": FINDINGS_SCHEMA,
    "instructions": INSTRUCTIONS_SCHEMA,
}

Row = dict[str, Any]


# ---------------------------------------------------------------------------------------------
# Settings shared by every row builder


class GroupingError(ExportError):
    """A bad --group-by file."""


@dataclass(frozen=True, slots=True)
class TeamMap:
    """Ordered (fnmatch pattern, team) pairs; the first pattern matching the relative path wins."""

    rules: tuple[tuple[str, str], ...] = ()

    def team_for(self, rel: str) -> str | None:
        for pattern, team in self.rules:
            if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern.rstrip("/") + "/*"):
                return team
        return None

    @classmethod
    def load(cls, path: str) -> TeamMap:
        """``pattern: team`` pairs, or ``teams: {team: [patterns]}``; patterns are relative to the input root."""
        import yaml

        try:
            with open(path, encoding="utf-8") as fh:
                data = yaml.safe_load(fh)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise GroupingError(f"{path}: cannot read the --group-by file ({exc})") from None
        rules: list[tuple[str, str]] = []
        if isinstance(data, dict) and set(data) == {"teams"} and isinstance(data["teams"], dict):
            for team, patterns in data["teams"].items():
                if isinstance(patterns, str):
                    patterns = [patterns]
                if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                    raise GroupingError(f"{path}: teams.{team} must be a list of folder patterns")
                rules.extend((p, str(team)) for p in patterns)
        elif isinstance(data, dict):
            for pattern, team in data.items():
                if not isinstance(team, (str, int)) or isinstance(team, bool):
                    raise GroupingError(f"{path}: {pattern!r} must map to a team name")
                rules.append((str(pattern), str(team)))
        elif data is not None:
            raise GroupingError(f"{path}: expected a mapping of folder patterns to team names")
        return cls(tuple((p.strip().removeprefix("./"), t) for p, t in rules))


@dataclass(frozen=True, slots=True)
class RowContext:
    """Everything the row builders need besides the FileResult. Frozen and picklable."""

    config: Config = field(default_factory=Config)
    teams: TeamMap = field(default_factory=TeamMap)
    salt: str | None = None  # set = pseudonymize
    project_roots: tuple[str, ...] = ()  # --project-root: where transcripts' projects may be looked at

    @property
    def pseudonymize(self) -> bool:
        return self.salt is not None


def pseudonym(name: str, salt: str) -> str:
    """A salted SHA-256 prefix: stable for one salt, unguessable without it."""
    return "p-" + hashlib.sha256(f"{salt}\0{name}".encode("utf-8", "surrogatepass")).hexdigest()[:12]


_HOME = re.compile(r"(?P<pre>(?:^|[\s`'\"(=:])(?:/Users/|/home/|[A-Za-z]:[\\/]Users[\\/]))(?P<user>[^/\\\s`'\")]+)")


def redact_homes(text: str | None, salt: str | None) -> str | None:
    """Replace the user name in home-directory paths (/Users/x, /home/x, C:\\Users\\x) by its pseudonym."""
    if text is None or salt is None:
        return text
    return _HOME.sub(lambda m: m.group("pre") + pseudonym(m.group("user"), salt), text)


def file_id(real: str, salt: str | None) -> str:
    """Key of one source file (joins findings to sessions; manifest key). Salted when pseudonymizing."""
    return hashlib.sha256(f"{salt or ''}\0{real}".encode("utf-8", "surrogatepass")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class FileTask:
    """One input transcript: where it is, where it sits under its input root, and its signature."""

    real: str  # absolute path on the machine that reads it
    rel: str  # posix path relative to the input root
    size: int
    mtime_ns: int


def person_of(rel: str) -> str | None:
    parts = PurePosixPath(rel).parts
    return parts[0] if len(parts) > 1 else None


def shown_path(rel: str, ctx: RowContext) -> str:
    person = person_of(rel)
    if person is None or ctx.salt is None:
        return rel
    return "/".join((pseudonym(person, ctx.salt), *PurePosixPath(rel).parts[1:]))


def iso_week(value: Any) -> str | None:
    when = parse_time(value)
    if when is None:
        return None
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _mask(text: str | None) -> str | None:
    if not text:
        return text
    try:
        from ctxlint.measure.secrets import mask
    except ImportError:  # pragma: no cover - secrets module is part of ctxlint
        return text
    return mask(text)


# ---------------------------------------------------------------------------------------------
# Row builders


def session_row(result: FileResult, task: FileTask, ctx: RowContext) -> Row:
    s = result.session or {}
    person = person_of(task.rel)
    window = _int(s.get("context_window"))
    timeline = result.timeline or {}
    series = [int(c) for c in timeline.get("context") or []]
    step = int(timeline.get("step") or 1)
    usable = _int(s.get("usable_window")) or usable_window(result.agent or "", window)
    above = _int(s.get("requests_near_limit"))
    if above is None and series:  # a result from before the facts counted it
        above = sum(1 for c in series if usable and c > NEAR_LIMIT * usable) * step
    facts = s.get("outcomes")
    done: dict[str, Any] = facts if isinstance(facts, dict) else {}
    costs = [f.cost_wasted_usd for f in result.findings if f.cost_wasted_usd is not None]
    tool_calls = s.get("tool_calls")
    models = s.get("models")
    cost = s.get("cost_usd")
    row: Row = {
        "file_id": file_id(task.real, ctx.salt),
        "path": shown_path(task.rel, ctx),
        "kind": result.kind,
        "session_id": None if s.get("session_id") is None else str(s["session_id"]),
        "agent": result.agent,
        "project": redact_homes(None if s.get("project") is None else str(s["project"]), ctx.salt),
        "week": iso_week(s.get("started_at")),
        "started_at": parse_time(s.get("started_at")),
        "ended_at": parse_time(s.get("ended_at")),
        "models": [str(m) for m in models] if isinstance(models, list) else None,
        "context_window": window,
        "usable_window": usable,
        "requests_above_80pct": above,
        "title": redact_homes(_mask(s.get("title")), ctx.salt),
        "outcome": done.get("status"),
        **{k: _int(done.get(k)) for k in ("loops", "commits", "pushes", "pull_requests", "test_passes", "edits")},
        "tool_calls": sorted((str(k), int(v)) for k, v in tool_calls.items()) if isinstance(tool_calls, dict) else None,
        "cost_usd": None if cost is None else float(cost),
        "price_table": None if s.get("price_table") is None else str(s["price_table"]),
        "is_subagent": None if s.get("is_subagent") is None else bool(s["is_subagent"]),
        "findings": len(result.findings),
        "tokens_wasted": sum(f.tokens_wasted for f in result.findings),
        "cost_wasted_usd": sum(costs) if costs else None,
        "person": pseudonym(person, ctx.salt) if person is not None and ctx.salt is not None else person,
        "team": ctx.teams.team_for(task.rel),
        "ctxlint_version": __version__,
        "source_size": task.size,
        "source_mtime": task.mtime_ns // 1000,
    }
    for name in _COUNTS:
        row[name] = _int(s.get(name)) if result.session is not None else None
    return row


def finding_rows(result: FileResult, task: FileTask, ctx: RowContext, session: Row) -> list[Row]:
    rows: list[Row] = []
    here = {task.real, os.path.abspath(task.real), result.path}
    if result.path and not os.path.isabs(result.path):
        here.add(os.path.abspath(result.path))
    spellings = sorted((p for p in here if p), key=len, reverse=True)

    def clean(text: str | None) -> str | None:
        # the transcript's own location (it names the person folder) becomes its exported path
        for spelling in spellings:
            if text and spelling in text:
                text = text.replace(spelling, session["path"])
        return redact_homes(_mask(text), ctx.salt)

    for f in result.findings:
        message = clean(f.message) or ""
        fix = clean(f.fix)
        # Stable wherever the file is read from (check's fingerprint depends on the working directory).
        digest = hashlib.sha256(f"{f.rule_id}\0{session['file_id']}\0{message}".encode("utf-8", "surrogatepass"))
        rows.append({
            "file_id": session["file_id"],
            "rule_id": f.rule_id,
            "rule_name": f.rule_name,
            "kind": f.kind,
            "severity": f.severity.label,
            "path": session["path"],
            "line": int(f.line),
            "end_line": int(f.end_line),
            "tokens_wasted": int(f.tokens_wasted),
            "cost_wasted_usd": f.cost_wasted_usd,
            "basis": f.basis.value,
            "session_id": session["session_id"],
            "project": session["project"],
            "agent": session["agent"],
            "week": session["week"],
            "started_at": session["started_at"],
            "person": session["person"],
            "team": session["team"],
            "fingerprint": digest.hexdigest()[:32],
            "message": message,
            "fix": fix,
        })
    return rows


@dataclass(slots=True)
class FileRows:
    """What one input file contributes: its session row and its finding rows (picklable)."""

    file_id: str
    session: Row
    findings: list[Row]
    project_real: str | None  # the project directory as recorded (before redaction), for instructions
    size: int = 0
    mtime_ns: int = 0


def audit_to_rows(task: FileTask, ctx: RowContext) -> FileRows:
    """The unit of work of the export: ``audit_file`` on one file, turned into table rows."""
    from ctxlint.core.audit import audit_file

    try:
        result = audit_file(task.real, ctx.config)
    except Exception as exc:  # one pathological file must not stop a terabyte export
        from ctxlint.core.findings import UNREADABLE, diagnostic

        result = FileResult(path=task.rel, kind="unknown", agent=None)
        result.findings.append(diagnostic(UNREADABLE, task.rel, f"cannot analyse {task.rel}: {exc.__class__.__name__}"))
    session = session_row(result, task, ctx)
    project = (result.session or {}).get("project")
    return FileRows(session["file_id"], session, finding_rows(result, task, ctx, session),
                    project if isinstance(project, str) and project else None, task.size, task.mtime_ns)


def instruction_rows(project: str, ctx: RowContext) -> list[Row]:
    """One row per instruction file of ``project`` (a directory on this machine), with the load graph."""

    from ctxlint.core.inputs import project_instruction_sources, transcript_project
    from ctxlint.instructions.build import build_project

    root = transcript_project(project, ctx.project_roots)  # only inside the home directory or a --project-root
    if root is None:
        return []
    try:
        sources = project_instruction_sources(root, ctx.config.exclude)
        if not sources:
            return []
        built = build_project(sources, root, ctx.config.requests_per_session, git_status=False,
                          timeout=ctx.config.timeout_per_file)
    except (OSError, ValueError, RecursionError):
        return []
    startup = sorted((agent, int(load.tokens)) for agent, load in built.loads.items() if load.entries)
    per_file: dict[str, dict[str, int]] = {}
    for agent, load in built.loads.items():
        for entry in load.entries:
            if not entry.dropped:
                per_file.setdefault(entry.path, {})
                per_file[entry.path][agent] = per_file[entry.path].get(agent, 0) + int(entry.tokens)
    shown_project = redact_homes(project, ctx.salt) or project
    rows: list[Row] = []
    for f in built.files:
        rows.append({
            "project": shown_project,
            "path": _relative_to(f.source.real, f.path, project),
            "agent": f.agents[0] if f.agents else None,
            "role": f.role,
            "tokens": int(f.tokens),
            "always_loaded_by": sorted(f.always_loaded_by),
            "load_tokens": sorted(per_file.get(f.path, {}).items()),
            "project_startup_tokens": startup,
            "ctxlint_version": __version__,
        })
    rows.sort(key=lambda r: r["path"])
    return rows


def _relative_to(real: str, shown: str, project: str) -> str:
    for candidate in (real, os.path.abspath(shown)):
        try:
            rel = os.path.relpath(candidate, os.path.realpath(project))
        except ValueError:
            continue
        if not rel.startswith(".."):
            return PurePosixPath(*PurePosixPath(rel.replace(os.sep, "/")).parts).as_posix()
    return PurePosixPath(shown.replace(os.sep, "/")).as_posix()


def to_table(name: str, rows: list[Row]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMAS[name])
