"""The coach report from exported tables (`ctxlint coach --from DIR`), aggregated with DuckDB.

``coach_from_tables`` returns the dict ``ctxlint.coach.aggregate.aggregate`` returns for per-file results
(same keys, same meaning), so the text/HTML/JSON coach reporters render both, plus ``by_team``.
DuckDB streams the Parquet parts (``read_parquet('DIR/sessions/*.parquet')``): nothing is loaded
whole into Python. Dimensions are teams, projects, agents, rules (habits) and weeks — there is no
per-person aggregate, and session paths are shown without their person folder.
"""

from __future__ import annotations

import os
import shlex
import statistics
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ctxlint.coach.aggregate import DRILL_FINDINGS, DRILL_SESSIONS, one_fix, outcome_report, quote
from ctxlint.team.tables import SCHEMAS

SESSION_LIST_LIMIT = 50

_SPENT = "(coalesce(input_tokens, 0) + coalesce(cache_creation_input_tokens, 0) + coalesce(cache_read_input_tokens, 0))"


def _duck_type(arrow_type: Any) -> str:
    import pyarrow as pa

    if pa.types.is_map(arrow_type):
        return f"MAP({_duck_type(arrow_type.key_type)}, {_duck_type(arrow_type.item_type)})"
    if pa.types.is_list(arrow_type):
        return _duck_type(arrow_type.value_type) + "[]"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_floating(arrow_type):
        return "DOUBLE"
    return "VARCHAR"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_sql(directory: str | os.PathLike[str], table: str) -> str:
    """A DuckDB table expression for one exported table (Parquet or JSONL parts)."""
    base = Path(directory) / table
    if any(base.glob("part-*.parquet")):
        return f"read_parquet({_quote(str(base / 'part-*.parquet'))}, union_by_name = true)"
    if any(base.glob("part-*.jsonl")):
        columns = ", ".join(f"{_quote(f.name)}: {_quote(_duck_type(f.type))}" for f in SCHEMAS[table])
        return (f"read_json({_quote(str(base / 'part-*.jsonl'))}, format = 'newline_delimited', "
                f"columns = {{{columns}}})")
    raise FileNotFoundError(f"{directory}: no {table} table (run `ctxlint export ... --output {directory}` first)")


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date()
    return date.fromisoformat(value[:10])


def _without_person(path: str, person: str | None) -> str:
    if person and path.startswith(person + "/"):
        return "…/" + path[len(person) + 1 :]
    return path


def coach_from_tables(
    dir: str | os.PathLike[str],
    *,
    since: date | str | None = None,
    until: date | str | None = None,
    project: str | None = None,
    agent: str | None = None,
    team: str | None = None,
    top: int = 10,
) -> dict[str, Any]:
    """Aggregate the exported tables under ``dir`` into the coach's report dict."""
    import duckdb

    directory = str(dir)
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TEMP VIEW sessions_all AS SELECT * FROM {table_sql(directory, 'sessions')}")
        con.execute(f"CREATE TEMP VIEW findings_all AS SELECT * FROM {table_sql(directory, 'findings')}")
        try:
            con.execute(f"CREATE TEMP VIEW instructions_all AS SELECT * FROM {table_sql(directory, 'instructions')}")
            has_instructions = True
        except FileNotFoundError:
            has_instructions = False

        where = ["kind = 'transcript'", "requests IS NOT NULL"]
        params: list[Any] = []
        if agent:
            where.append("agent = ?")
            params.append(agent)
        if project:
            where.append("contains(coalesce(project, path), ?)")
            params.append(project)
        if team:
            where.append("team = ?")
            params.append(team)
        if (d := _as_date(since)) is not None:
            where.append("started_at IS NOT NULL AND CAST(timezone('UTC', started_at) AS DATE) >= ?")
            params.append(d)
        if (d := _as_date(until)) is not None:
            where.append("started_at IS NOT NULL AND CAST(timezone('UTC', started_at) AS DATE) <= ?")
            params.append(d)
        con.execute(
            "CREATE TEMP TABLE s AS SELECT *, " + _SPENT + " AS spent, "
            "coalesce(project, regexp_extract(path, '([^/]+)/[^/]+$', 1)) AS project_key, "
            "coalesce(week, 'unknown') AS week_key, coalesce(team, 'unassigned') AS team_key "
            "FROM sessions_all WHERE " + " AND ".join(where),
            params,
        )
        con.execute(
            "CREATE TEMP VIEW f AS SELECT f.*, s.project_key, s.week_key, s.team_key FROM findings_all f "
            "JOIN s USING (file_id) WHERE f.kind = 'transcript'"
        )
        return _report(con, top, has_instructions)
    finally:
        con.close()


def _rows(con: Any, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _report(con: Any, top: int, has_instructions: bool) -> dict[str, Any]:
    from ctxlint.rules.registry import registry

    reg = registry()
    t = _rows(con, """
        SELECT count(*) AS files,
               count(*) FILTER (WHERE NOT coalesce(is_subagent, false)) AS sessions,
               coalesce(sum(requests), 0) AS requests,
               coalesce(sum(input_tokens), 0) AS input_tokens,
               coalesce(sum(cache_creation_input_tokens), 0) AS cache_creation_input_tokens,
               coalesce(sum(cache_read_input_tokens), 0) AS cache_read_input_tokens,
               coalesce(sum(output_tokens), 0) AS output_tokens,
               coalesce(sum(spent), 0) AS input_tokens_all,
               sum(cost_usd) AS cost_usd, mode(price_table) AS price_table,
               coalesce(sum(unpriced_requests), 0) AS unpriced_requests,
               strftime(timezone('UTC', min(started_at)), '%Y-%m-%d') AS first,
               strftime(timezone('UTC', max(started_at)), '%Y-%m-%d') AS last
        FROM s""")[0]
    totals = {k: (int(v) if isinstance(v, int) else v) for k, v in t.items() if k not in ("first", "last")}
    totals["cost_usd"] = round(float(totals["cost_usd"]), 4) if totals["cost_usd"] is not None else None
    spent = int(totals["input_tokens_all"])

    w = _rows(con, "SELECT coalesce(sum(tokens_wasted), 0) AS tokens, coalesce(sum(cost_wasted_usd), 0.0) AS cost FROM f")[0]
    waste_tokens, waste_cost = int(w["tokens"]), float(w["cost"])

    habits = _rows(con, """
        SELECT rule_id, any_value(rule_name) AS name, count(*) AS findings, count(DISTINCT coalesce(agent || ':' || session_id, file_id)) AS sessions,
               sum(tokens_wasted) AS tokens_wasted, sum(coalesce(cost_wasted_usd, 0.0)) AS cost_wasted_usd,
               coalesce(sum(tokens_wasted) FILTER (WHERE cost_wasted_usd IS NULL), 0) AS unpriced_tokens
        FROM f GROUP BY rule_id""")
    by_basis: dict[str, dict[str, int]] = {}
    cost_by_basis: dict[str, dict[str, float]] = {}
    for r in _rows(con, "SELECT rule_id, basis, sum(tokens_wasted) AS t, sum(coalesce(cost_wasted_usd, 0.0)) AS c "
                        "FROM f GROUP BY rule_id, basis"):
        by_basis.setdefault(r["rule_id"], {})[str(r["basis"])] = int(r["t"])
        cost_by_basis.setdefault(r["rule_id"], {})[str(r["basis"])] = float(r["c"])
    # The most common fix, shown as one real finding of it (the costliest), with its real line.
    fixes = {r["rule_id"]: r["fix"] for r in _rows(con, r"""
        WITH g AS (SELECT rule_id, fix, coalesce(cost_wasted_usd, 0.0) AS c, tokens_wasted,
                          trim(regexp_replace(fix, '\blines? \d+(?:[–-]\d+)?\b', '', 'g')) AS shape
                   FROM f WHERE fix IS NOT NULL AND fix <> ''),
             top AS (SELECT rule_id, first(shape ORDER BY n DESC, shape) AS shape
                     FROM (SELECT rule_id, shape, count(*) AS n FROM g GROUP BY 1, 2) GROUP BY rule_id)
        SELECT g.rule_id, first(g.fix ORDER BY g.c DESC, g.tokens_wasted DESC, g.fix) AS fix
        FROM g JOIN top USING (rule_id, shape) GROUP BY g.rule_id""")}
    drill = _drill(con)
    for h in habits:
        rule = h["rule_id"]
        meta = reg[rule].meta if rule in reg else None
        h["tokens_wasted"] = int(h["tokens_wasted"])
        h["summary"] = meta.summary if meta else ""
        h["fix"] = one_fix(meta.fix) if meta and meta.fix else fixes.get(rule, "")
        h["share_of_waste"] = h["tokens_wasted"] / waste_tokens if waste_tokens else 0.0
        h["by_basis"] = by_basis.get(rule, {})
        h["cost_by_basis"] = cost_by_basis.get(rule, {})
        h["unpriced_tokens"] = int(h["unpriced_tokens"])
        h["cost_wasted_usd"] = round(float(h["cost_wasted_usd"]), 4)
        h["sessions_list"], h["more_sessions"] = drill.get(rule, ([], 0))
        h["example_fix"] = fixes.get(rule, "") if fixes.get(rule) != h["fix"] else ""
        listed = h["sessions_list"]
        h["example_session"] = next((x for x in listed if any(f["fix"] == quote(h["example_fix"], 400)
                                                             for f in x["findings"])), None)
    rank_by = "cost" if waste_cost > 0 else "tokens"  # as the laptop coach: one ranking everywhere
    ranked = sorted(habits, key=lambda h: ((-h["cost_wasted_usd"], -h["tokens_wasted"], h["rule_id"]) if rank_by == "cost"
                                           else (-h["tokens_wasted"], -h["cost_wasted_usd"], h["rule_id"])))

    def breakdown(key: str, label: str) -> list[dict[str, Any]]:
        return _rows(con, f"""
            WITH a AS (SELECT {key} AS k, count(*) FILTER (WHERE NOT coalesce(is_subagent, false)) AS sessions,
                              coalesce(sum(requests), 0) AS requests, coalesce(sum(spent), 0) AS input_tokens,
                              coalesce(sum(cost_usd), 0.0) AS cost_usd
                       FROM s GROUP BY 1),
                 b AS (SELECT {key} AS k, sum(tokens_wasted) AS tokens_wasted,
                              sum(coalesce(cost_wasted_usd, 0.0)) AS cost_wasted_usd FROM f GROUP BY 1)
            SELECT a.k AS {label}, a.sessions, a.requests::BIGINT AS requests, a.input_tokens::BIGINT AS input_tokens,
                   a.cost_usd, coalesce(b.tokens_wasted, 0)::BIGINT AS tokens_wasted,
                   coalesce(b.cost_wasted_usd, 0.0) AS cost_wasted_usd
            FROM a LEFT JOIN b USING (k) ORDER BY tokens_wasted DESC, {label}""")

    by_project = breakdown("project_key", "project")
    by_team = breakdown("team_key", "team")
    weekly = sorted(breakdown("week_key", "week"), key=lambda r: r["week"])
    for group in (*by_team, *weekly):
        group["waste_share"] = group["tokens_wasted"] / group["input_tokens"] if group["input_tokens"] else 0.0

    sessions = _rows(con, f"""
        SELECT path, person, project, agent,
               strftime(timezone('UTC', started_at), '%Y-%m-%dT%H:%M:%S.%gZ') AS started_at, requests, spent AS input_tokens, cost_usd,
               coalesce(peak_context_tokens, 0) AS peak_context_tokens, context_window,
               CASE WHEN coalesce(usable_window, context_window) > 0
                    THEN round(coalesce(peak_context_tokens, 0) / coalesce(usable_window, context_window), 4) END
                   AS peak_fill,
               usable_window, coalesce(compactions, 0) AS compactions,
               coalesce(requests_above_80pct, 0) AS requests_above_80pct, tokens_wasted, title, outcome AS status,
               coalesce(loops, 0) AS loops
        FROM s WHERE NOT coalesce(is_subagent, false)
        ORDER BY coalesce(peak_fill, 0) DESC, path LIMIT {SESSION_LIST_LIMIT}""")
    for row in sessions:
        row["path"] = _without_person(str(row["path"]), row.pop("person"))
        row["input_tokens"] = int(row["input_tokens"])
        row["timeline"] = None

    first, last = t["first"], t["last"]
    period = f"{first} → {last}" if first and last else "no dated sessions"
    health = _session_rows(con)
    unpriced = [r for r in health if r["cost_usd"] is None or r["unpriced_requests"]]
    largest = max(health, key=lambda r: r["input_tokens"], default=None)
    totals["unpriced_sessions"] = len(unpriced)
    totals["largest_session_unpriced"] = largest is not None and largest in unpriced
    return {
        "totals": totals,
        "waste": {"tokens": waste_tokens, "cost_usd": round(waste_cost, 4),
                  "share_of_input": waste_tokens / spent if spent else 0.0,
                  "by_basis": {b: {"tokens": int(r["t"]), "cost_usd": round(float(r["c"]), 4)} for b, r in (
                      (r["basis"], r) for r in _rows(con, "SELECT basis, sum(tokens_wasted) AS t, "
                                                          "sum(coalesce(cost_wasted_usd, 0.0)) AS c FROM f GROUP BY basis"))}},
        "habits": ranked[:top],
        "habits_ranked_by": rank_by,
        "outcomes": outcome_report(health),
        "by_rule": {h["rule_id"]: {"tokens_wasted": h["tokens_wasted"], "findings": h["findings"]} for h in ranked},
        "by_project": by_project,
        "by_team": by_team,
        "weekly": weekly,
        "sessions": sessions,
        "costliest": [],  # charts need the per-request series, which the tables do not hold
        "costliest_chosen_by": None,
        "period": period,
        "instructions": _instruction_costs(con) if has_instructions else [],
        "source": "tables",
    }


def _instruction_costs(con: Any) -> list[dict[str, Any]]:
    """Start-up instruction load per (project, agent) joined with the measured requests of that project."""
    from ctxlint.measure.pricing import price_per_token

    projects = {r["project"]: r for r in _rows(con, """
        SELECT project, sum(requests)::BIGINT AS requests, list(DISTINCT agent) AS agents,
               flatten(list(coalesce(models, []))) AS models
        FROM s WHERE project IS NOT NULL GROUP BY project""")}
    if not projects:
        return []
    loads = _rows(con, """
        SELECT project, path, load_tokens, project_startup_tokens FROM instructions_all
        WHERE project IN (SELECT project FROM s) ORDER BY project, path""")
    per: dict[tuple[str, str], dict[str, Any]] = {}
    for row in loads:
        info = projects.get(row["project"])
        if info is None:
            continue
        startup = dict(row["project_startup_tokens"] or {})
        for agent_name, tokens in dict(row["load_tokens"] or {}).items():
            if agent_name not in (info["agents"] or []) or not startup.get(agent_name):
                continue
            entry = per.setdefault((row["project"], agent_name), {
                "project": row["project"], "agent": agent_name, "files": [],
                "tokens_per_request": int(startup[agent_name]), "requests": int(info["requests"] or 0),
            })
            if tokens is not None:
                entry["files"].append(row["path"])
    out: list[dict[str, Any]] = []
    for (project, _agent), entry in sorted(per.items()):
        rates = [price_per_token(m) for m in projects[project]["models"] or []]
        reads = [x.cache_read for x in rates if x is not None]
        read = statistics.median(reads) if reads else None
        tokens = entry["tokens_per_request"] * entry["requests"]
        entry["tokens"] = tokens
        entry["cost_usd"] = round(tokens * read, 4) if read is not None else None
        entry["assumption"] = "priced at the project's median cache-read rate"
        out.append(entry)
    return out


_SESSION_KEY = "coalesce(agent || ':' || session_id, file_id)"


def _session_rows(con: Any) -> list[dict[str, Any]]:
    """One row per main session (its subagent files rolled in), with the keys ``outcome_report`` reads."""
    rows = _rows(con, f"""
        SELECT {_SESSION_KEY} AS key,
               any_value(path) FILTER (WHERE NOT coalesce(is_subagent, false)) AS path,
               any_value(person) FILTER (WHERE NOT coalesce(is_subagent, false)) AS person,
               any_value(project_key) FILTER (WHERE NOT coalesce(is_subagent, false)) AS project,
               any_value(title) FILTER (WHERE NOT coalesce(is_subagent, false)) AS title,
               any_value(week_key) FILTER (WHERE NOT coalesce(is_subagent, false)) AS week,
               strftime(timezone('UTC', min(started_at)), '%Y-%m-%dT%H:%M:%SZ') AS started_at,
               coalesce(sum(loops), 0)::BIGINT AS loops, coalesce(sum(commits), 0)::BIGINT AS commits,
               coalesce(sum(pushes), 0)::BIGINT AS pushes, coalesce(sum(pull_requests), 0)::BIGINT AS pull_requests,
               coalesce(sum(test_passes), 0)::BIGINT AS test_passes, coalesce(sum(edits), 0)::BIGINT AS edits,
               sum(spent)::BIGINT AS input_tokens, sum(cost_usd) AS cost_usd,
               coalesce(sum(unpriced_requests), 0)::BIGINT AS unpriced_requests,
               coalesce(sum(tokens_wasted), 0)::BIGINT AS tokens_wasted,
               coalesce(sum(cost_wasted_usd), 0.0) AS cost_wasted_usd
        FROM s GROUP BY 1 HAVING count(*) FILTER (WHERE NOT coalesce(is_subagent, false)) > 0""")
    for r in rows:
        r["path"] = _without_person(str(r["path"]), r.pop("person"))
        r["status"] = "completed" if r["loops"] else "open" if r["edits"] else "no-edits"
        r["tokens_per_loop"] = round(r["input_tokens"] / r["loops"]) if r["loops"] else None
    return rows


def _drill(con: Any) -> dict[str, tuple[list[dict[str, Any]], int]]:
    """Each habit's sessions (costliest first, at most DRILL_SESSIONS) with their findings (at most
    DRILL_FINDINGS each): the same drill-down the laptop coach builds from its results."""
    sessions = _rows(con, f"""
        WITH per AS (
            SELECT rule_id, {_SESSION_KEY} AS key, sum(tokens_wasted)::BIGINT AS tokens,
                   sum(cost_wasted_usd) AS cost_usd, count(*) AS n
            FROM f GROUP BY 1, 2),
        ranked AS (SELECT *, row_number() OVER (PARTITION BY rule_id ORDER BY coalesce(cost_usd, 0) DESC, tokens DESC,
                                                key) AS rank, count(*) OVER (PARTITION BY rule_id) AS total FROM per)
        SELECT ranked.*, m.path, m.person, m.project, m.title,
               strftime(timezone('UTC', m.started_at), '%Y-%m-%dT%H:%M:%SZ') AS started_at
        FROM ranked LEFT JOIN (SELECT {_SESSION_KEY} AS key, path, person, project_key AS project, title, started_at
                               FROM s WHERE NOT coalesce(is_subagent, false)) m USING (key)
        WHERE rank <= {DRILL_SESSIONS} ORDER BY rule_id, rank""")
    findings = _rows(con, f"""
        WITH x AS (SELECT rule_id, {_SESSION_KEY} AS key, path, person, line, message, fix, tokens_wasted,
                          cost_wasted_usd, basis,
                          row_number() OVER (PARTITION BY rule_id, {_SESSION_KEY}
                                             ORDER BY coalesce(cost_wasted_usd, 0) DESC, tokens_wasted DESC, line) AS rank
                   FROM f)
        SELECT * FROM x WHERE rank <= {DRILL_FINDINGS}""")
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in findings:
        path = _without_person(str(r["path"]), r["person"])
        found.setdefault((r["rule_id"], r["key"]), []).append({
            "path": path, "line": int(r["line"]), "quote": quote(str(r["message"])), "tokens": int(r["tokens_wasted"]),
            "cost_usd": r["cost_wasted_usd"], "basis": r["basis"], "fix": quote(str(r["fix"] or ""), 400),
            "command": f"ctxlint check {shlex.quote(path)} --select {r['rule_id']}"})
    out: dict[str, tuple[list[dict[str, Any]], int]] = {}
    for r in sessions:
        listed, _ = out.setdefault(r["rule_id"], ([], max(0, int(r["total"]) - DRILL_SESSIONS)))
        listed.append({"key": r["key"], "project": r["project"], "title": r["title"], "started_at": r["started_at"],
                       "path": _without_person(str(r["path"] or ""), r["person"]), "tokens": int(r["tokens"]),
                       "cost_usd": None if r["cost_usd"] is None else round(float(r["cost_usd"]), 4),
                       "findings": found.get((r["rule_id"], r["key"]), []),
                       "more_findings": max(0, int(r["n"]) - DRILL_FINDINGS)})
    return out
