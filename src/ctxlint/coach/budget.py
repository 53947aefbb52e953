"""``ctxlint coach --check-budget``: the configured budgets against the sessions read, for CI.

A session's figures include its subagents' (their transcripts carry the session's id); a project's
week is its sessions started in the seven days up to ``--until`` (else now). What is checked and how
is ``measure.budget``; this module only groups the sessions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from ctxlint.measure.budget import Budget, check, spent_of
from ctxlint.model import FileResult

WEEK = timedelta(days=7)


def overruns(results: list[FileResult], budget: Budget, until: datetime | None = None) -> tuple[list[str], int, int]:
    """(one line per budget exceeded, sessions checked, projects checked)."""
    sessions: dict[tuple[Any, ...], list[FileResult]] = defaultdict(list)
    for r in results:
        if r.kind != "transcript" or r.session is None:
            continue
        facts = r.session
        sessions[(r.agent, facts.get("session_id") or r.path)].append(r)
    lines: list[str] = []
    if budget.session:
        for (_, session_id), group in sessions.items():
            project = next((g.session.get("project") for g in group if g.session and g.session.get("project")), None)
            for o in check(budget.session, spent_of(group), "session"):
                where = f"session {session_id}" + (f" ({project})" if project else "")
                lines.append(f"{where}: {o.message()}")
    projects: dict[str, list[FileResult]] = defaultdict(list)
    end = until or datetime.now(UTC)
    for group in sessions.values():
        times = [t for g in group if g.session and (t := _time(g.session.get("started_at"))) is not None]
        started = min(times, default=None)
        project = next((g.session.get("project") for g in group if g.session and g.session.get("project")), None)
        if started is not None and project and end - WEEK <= started <= end:
            projects[project].extend(group)
    if budget.week:
        for project, group in sorted(projects.items()):
            lines += [f"project {project}: {o.message()}" for o in check(budget.week, spent_of(group), "week")]
    return lines, len(sessions), len(projects)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
