"""`ctxlint check`: parse options, run the check pipeline, pick a reporter, set the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from ctxlint.cli.common import csv_values, fail, guarded, no_cache_option, write_output
from ctxlint.cli.progress import progress_bar

FORMATS = ("auto", "text", "json", "github", "sarif", "markdown")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="Report format; auto = github when GITHUB_ACTIONS=true, else text.")
@click.option("--output", "-o", type=click.Path(), help="Write the report to this file instead of stdout.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None,
              help="Exit 1 when a finding at or above this severity remains. [default: warning]")
@click.option("--select", multiple=True, help="Only these rules (ids, names or prefixes like CTX2; comma lists).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids, names or prefixes).")
@click.option("--config", "config_file", type=click.Path(), help="Use this config file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("--quiet", "-q", is_flag=True, help="Only findings and the summary, no fixes or session blocks.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [default: cores].")
@click.option("--load-graph", is_flag=True, help="Show what each agent loads at start, with tokens.")
@click.option("--fix", is_flag=True, help="Apply safe fixes to instruction files (atomically).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change meaning.")
@click.option("--diff", "show_diff", is_flag=True, help="With --fix: print the diff, change nothing.")
@click.option("--baseline", type=click.Path(), help="Report only findings not recorded in this baseline.")
@click.option("--write-baseline", type=click.Path(), help="Record the current findings as the baseline.")
@click.option("--diff-base", help="Only instruction-file findings on files changed since this git ref.")
@click.option("--history", type=click.Path(), help="Transcript history to measure requests per session.")
@click.option("--color/--no-color", default=None, help="Colour the text report [default: on a TTY].")
@no_cache_option
@guarded
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: str | None,
    no_config: bool,
    quiet: bool,
    jobs: int | None,
    load_graph: bool,
    fix: bool,
    unsafe_fixes: bool,
    show_diff: bool,
    baseline: str | None,
    write_baseline: str | None,
    diff_base: str | None,
    history: str | None,
    color: bool | None,
) -> None:
    """Check instruction files, transcripts or directories (default: the current directory)."""
    from ctxlint.config import parse_fail_on, resolve_config
    from ctxlint.core.filters import keep_only
    from ctxlint.core.run import exit_code, run_check
    from ctxlint.errors import ConfigError

    targets = list(paths) or ["."]
    config = resolve_config(targets, config_file, no_config)
    overrides: dict[str, Any] = {}
    if select:
        overrides["select"] = csv_values(select)
    if ignore:
        overrides["ignore"] = tuple(config.ignore) + csv_values(ignore)
    if fail_on is not None:
        overrides["fail_on"] = parse_fail_on(fail_on, "--fail-on")
    if overrides:
        config = config.with_overrides(**overrides)
        try:
            config.enabled_rules()
        except ConfigError as exc:
            fail(str(exc).replace("select: ", "--select: ").replace("ignore: ", "--ignore: "))
    if history:
        from ctxlint.coach.history import requests_per_session

        measured = requests_per_session(history, config)
        if measured:
            config = config.with_overrides(requests_per_session=measured)

    progress = progress_bar() if sys.stderr.isatty() and fmt != "json" else None
    report = run_check(targets, config, jobs=jobs, with_load_graph=load_graph, progress=progress)

    if diff_base:
        from ctxlint.core.filters import changed_only
        from ctxlint.core.gitdiff import changed_files

        # Paths come back relative to the directory given, like the report's own paths.
        keep_only(report, changed_only(report.findings, changed_files(Path.cwd(), diff_base)))
    if write_baseline:
        from ctxlint.core.baseline import write_baseline as write

        write(report, write_baseline)
    if baseline:
        from ctxlint.core.baseline import apply_baseline

        kept, hidden = apply_baseline(report.findings, baseline)
        keep_only(report, kept)
        report.baseline_suppressed = hidden
    if fix or unsafe_fixes:
        from ctxlint.core.fixes import apply_fixes

        result = apply_fixes(report.findings, unsafe=unsafe_fixes, diff=show_diff, root=Path(report.root))
        if show_diff:
            sys.stdout.write(result.diff)
            sys.exit(0)
        click.echo(result.summary_line(), err=True)
        report = run_check(targets, config, jobs=jobs, with_load_graph=load_graph)

    if fmt == "auto":
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    use_color = color if color is not None else (sys.stdout.isatty() and not output and "NO_COLOR" not in os.environ)
    write_output(render(report, fmt, color=bool(use_color), quiet=quiet), output)
    sys.exit(exit_code(report, config.fail_on))


def render(report: Any, fmt: str, *, color: bool = False, quiet: bool = False) -> str:
    if fmt == "text":
        from ctxlint.reporters.check import text

        return text.render(report, color=color, quiet=quiet)
    if fmt == "json":
        from ctxlint.reporters.check import json as json_reporter

        return json_reporter.render(report)
    import importlib

    module = importlib.import_module(f"ctxlint.reporters.check.{fmt}")
    return str(module.render(report))
