"""`ctxlint coach`: the habits that cost the most across sessions and what the tokens bought (text,
JSON, Markdown or HTML)."""

from __future__ import annotations

import sys
from typing import Any

import click

from ctxlint.cli.common import fail, guarded, no_cache_option, use_color, write_output
from ctxlint.cli.progress import progress_bar
from ctxlint.transcripts.agents import AGENTS

AGENT_NAMES = list(AGENTS)  # every agent with a transcript reader


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--since", help="Only sessions started on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only sessions started on or before this date (YYYY-MM-DD).")
@click.option("--project", help="Only projects whose path contains this text.")
@click.option("--agent", type=click.Choice(AGENT_NAMES), help="Only this agent's sessions.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(), help="Write the report to this file.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Habits to list.")
@no_cache_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None)
@click.option("--from", "from_dir", type=click.Path(), help="Build the report from tables written by `ctxlint export`.")
@click.option("--config", "config_file", type=click.Path())
@click.option("--no-config", is_flag=True)
@click.option("--project-root", "project_roots", multiple=True, type=click.Path(),
              help="Also look at the instruction files of projects under this directory (by default only "
                   "projects inside your home directory are looked at).")
@click.option("--color/--no-color", default=None, help="Colour the text report [default: on a TTY].")
@click.option("--check-budget", is_flag=True,
              help="Check the configured budgets (session, project's week) instead of reporting: exit 1 when "
                   "one is exceeded, saying which and by how much (for CI).")
@guarded
def coach(paths: tuple[str, ...], since: str | None, until: str | None, project: str | None, agent: str | None,
          fmt: str, output: str | None, top: int, jobs: int | None, from_dir: str | None,
          config_file: str | None, no_config: bool, project_roots: tuple[str, ...], color: bool | None,
          check_budget: bool) -> None:
    """Rank the habits that cost the most across sessions, with the one fix for each.

    With no PATH, reads every local agent history it knows (Claude Code, Codex, Gemini CLI, Qwen Code,
    Copilot CLI, Cursor, Amp, OpenCode, Kilo, Goose, Crush, Cline, Roo Code; docs/agents/ lists where
    and the variables that move them). Per-session results are cached, so a re-run over an unchanged
    history is fast (--no-cache recomputes everything). Never uses the network.
    """
    from ctxlint.coach.aggregate import Filters, aggregate, parse_date
    from ctxlint.coach.collect import collect
    from ctxlint.coach.instructions import instruction_costs

    try:
        filters = Filters(parse_date(since), parse_date(until), project, agent)
    except ValueError as exc:
        fail(str(exc))
    data: dict[str, Any]
    if from_dir:
        try:
            from ctxlint.team.report import coach_from_tables
        except ImportError:
            fail("--from needs the team extras: pip install 'ctxlint[team]'")
        data = coach_from_tables(from_dir, since=filters.since, until=filters.until, project=project, agent=agent,
                                 top=top)
    else:
        from ctxlint.config import resolve_config

        targets = list(paths)
        if not targets:
            from ctxlint.transcripts.files import default_stores

            targets = default_stores()
            if not targets:
                fail("no agent history found in the default places (docs/agents/README.md lists them); pass a path")
        config = resolve_config(targets, config_file, no_config)
        progress = progress_bar() if sys.stderr.isatty() else None  # shown once scanning takes > 1 s
        results = collect(targets, config, jobs=jobs, progress=progress)
        if not any(r.kind == "transcript" for r in results):
            fail("no transcripts found in " + ", ".join(targets))
        kept = [r for r in results if filters.keep(r)]
        if check_budget:
            _check_budget(kept, config, filters.until)
        data = aggregate(kept, filters, top=top)
        data["instructions"] = instruction_costs(kept, config, project_roots=project_roots)
    if fmt == "json":
        import orjson

        data = dict(data)
        data["sessions"] = [{k: v for k, v in s.items() if k != "timeline"} for s in data.get("sessions", [])]
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n"
    elif fmt == "markdown":
        from ctxlint.reporters.coach.markdown import render as render_markdown
        from ctxlint.reporters.printable import printable_value

        text = render_markdown(printable_value(data))
    elif fmt == "html":
        from ctxlint.reporters.coach.html import render as render_html
        from ctxlint.reporters.printable import printable_value

        text = render_html(printable_value(data))
    else:
        from ctxlint.reporters.coach.text import render as render_text
        from ctxlint.reporters.printable import printable_value

        colour = use_color(color, output=output)
        text = render_text(printable_value(data), color=colour)
    write_output(text, output, fmt=fmt, what=f"{fmt} report", colour=fmt == "text" and colour)


def _check_budget(results: list[Any], config: Any, until: Any) -> None:
    """``--check-budget``: one line per budget exceeded and exit 1, or one line saying all is within."""
    from datetime import UTC, datetime, time

    from ctxlint.coach.budget import overruns

    if not config.budget:
        fail("no budget in the configuration: add [tool.ctxlint.budget] or budget: (docs/live.md#budgets)")
    end = datetime.combine(until, time.max, UTC) if until is not None else None
    from ctxlint._runtime.safeout import one_line, plain_line

    lines, sessions, projects = overruns(results, config.budget, end)
    for line in lines:  # a session id and a project directory come from the transcripts
        click.echo(plain_line(f"ctxlint: budget exceeded: {one_line(line)}"))
    if lines:
        sys.exit(1)
    click.echo(f"ctxlint: within budget ({sessions} session(s), {projects} project(s) in the last week)")
    sys.exit(0)
