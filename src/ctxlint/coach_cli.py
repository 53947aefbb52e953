"""`ctxlint coach`: registered on the main click group (see cli._register_optional_commands)."""

from __future__ import annotations

import sys
from typing import Any

import click


def register(main: click.Group) -> None:
    from ctxlint.cli import guarded

    @main.command()
    @click.argument("paths", nargs=-1, type=click.Path())
    @click.option("--since", help="Only sessions started on or after this date (YYYY-MM-DD).")
    @click.option("--until", help="Only sessions started on or before this date (YYYY-MM-DD).")
    @click.option("--project", help="Only projects whose path contains this text.")
    @click.option("--agent", type=click.Choice(["claude-code", "codex", "gemini", "aider", "generic"]))
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
    @click.option("--output", "-o", type=click.Path(), help="Write the report to this file.")
    @click.option("--no-cache", is_flag=True, help="Recompute every file (the cache is still refreshed).")
    @click.option("--jobs", "-j", type=click.IntRange(min=1), default=None)
    @click.option("--from", "from_dir", type=click.Path(), help="Build the report from tables written by `ctxlint export`.")
    @click.option("--config", "config_file", type=click.Path())
    @click.option("--no-config", is_flag=True)
    @guarded
    def coach(paths: tuple[str, ...], since: str | None, until: str | None, project: str | None, agent: str | None,
              fmt: str, output: str | None, no_cache: bool, jobs: int | None, from_dir: str | None,
              config_file: str | None, no_config: bool) -> None:
        """Rank the habits that cost the most across sessions (default: the local agent histories)."""
        from ctxlint.cli import fail, write_output
        from ctxlint.coach import Filters, aggregate, collect, describe_period, instruction_costs, parse_date
        from ctxlint.config import resolve_config

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
            data = coach_from_tables(from_dir, since=filters.since, until=filters.until, project=project, agent=agent)
        else:
            targets = list(paths)
            if not targets:
                from ctxlint.parsing.transcripts.discover import default_stores

                targets = default_stores()
                if not targets:
                    fail("no agent history found (~/.claude/projects, ~/.codex/sessions, ~/.gemini/tmp); pass a path")
            config = resolve_config(targets, config_file, no_config)
            from ctxlint.cli import _progress_bar

            progress = _progress_bar() if sys.stderr.isatty() else None
            results = collect(targets, config, use_cache=not no_cache, jobs=jobs, progress=progress)
            if not results:
                fail("no transcripts found in " + ", ".join(targets))
            kept = [r for r in results if filters.keep(r)]
            data = aggregate(kept, filters)
            data["period"] = describe_period(kept)
            data["instructions"] = instruction_costs(kept, config)
        if fmt == "json":
            import orjson

            for s in data.get("sessions", []):
                s.pop("timeline", None)
            text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n"
        elif fmt == "html":
            from ctxlint.reporters.coach_html import render as render_html

            text = render_html(data)
        else:
            from ctxlint.reporters.coach_text import render as render_text

            text = render_text(data)
        write_output(text, output)
