"""`ctxlint check`: parse options, run the check pipeline, pick a reporter, set the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from ctxlint.cli.common import csv_values, fail, guarded, no_cache_option, note, use_color, write_output
from ctxlint.cli.progress import progress_bar

SORTS = ("severity", "tokens", "file")  # ctxlint.reporters.check.order.SORTS, without importing it here
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
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no fixes, sessions, summary or notes.")
@click.option("--sort", type=click.Choice(SORTS), default="severity", show_default=True,
              help="Order of the text report: severity (then tokens wasted), tokens, or file and line.")
@click.option("--no-group", is_flag=True,
              help="List every finding; by default 3 or more of one rule in one file share a line (text only).")
@click.option("--statistics", is_flag=True, help="Count and tokens per rule instead of the findings (text, json).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [default: cores].")
@click.option("--load-graph", is_flag=True, help="Show what each agent loads at start, with tokens.")
@click.option("--fix", is_flag=True, help="Apply safe fixes to instruction files (atomically).")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix: also apply fixes that may change meaning.")
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
    sort: str,
    no_group: bool,
    statistics: bool,
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

    if show_diff and not fix:
        fail("--diff shows what --fix would change: use it with --fix (ctxlint --fix --diff)")
    if statistics and fmt not in ("auto", "text", "json"):
        fail(f"--statistics prints text or json, not {fmt}")
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

    def checked(*, record: bool) -> Any:
        """The run and its filters (changed files, baseline); ``record`` writes the baseline."""
        report = run_check(targets, config, jobs=jobs, with_load_graph=load_graph, progress=progress)
        if diff_base:
            from ctxlint.core.filters import changed_only
            from ctxlint.core.gitdiff import changed_files

            # Paths come back relative to the directory given, like the report's own paths.
            keep_only(report, changed_only(report.findings, changed_files(Path.cwd(), diff_base)))
        if write_baseline and record:
            from ctxlint.core.baseline import write_baseline as write

            write(report, write_baseline)
        if baseline:
            from ctxlint.core.baseline import apply_baseline

            kept, hidden = apply_baseline(report.findings, baseline)
            keep_only(report, kept)
            report.baseline_suppressed = hidden
        return report

    report = checked(record=True)
    if fix:
        from ctxlint.core.fixes import apply_fixes

        editable = {f.path: f.fix_target for f in report.files if f.fix_target is not None}
        result = apply_fixes(report.findings, unsafe=unsafe_fixes, diff=show_diff, targets=editable)
        if not quiet:
            note(result.summary_line(dry_run=show_diff).removeprefix("ctxlint: "))
        if show_diff:
            from ctxlint._runtime.safeout import terminal_text

            sys.stdout.write(terminal_text(result.diff))
            sys.exit(1 if result.diff else 0)  # as ruff: --diff fails when there is something to fix
        if result.applied:
            report = checked(record=False)

    if fmt == "auto":
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if not report.summary.files and not quiet:
        shown = ", ".join(targets)
        note(f"nothing to check (no instruction files or transcripts in {shown})")
    colour = use_color(color, output=output)
    if statistics:
        from ctxlint.reporters.check import text

        if fmt == "json":
            import orjson

            rendered = orjson.dumps(text.statistics_rows(report, sort), option=orjson.OPT_INDENT_2).decode() + "\n"
        else:
            rendered, fmt = text.statistics(report, sort), "text"
    else:
        rendered = render(report, fmt, color=colour, quiet=quiet, sort=sort, group=not no_group)
    write_output(rendered, output, fmt=fmt, what=f"{fmt} report", quiet=quiet, colour=colour and fmt == "text")
    if fmt == "github":
        _github_step_summary(report)
    sys.exit(exit_code(report, config.fail_on))


def _github_step_summary(report: Any) -> None:
    """Findings past GitHub's annotation cap go to the job summary, so none is lost from sight."""
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary_file:
        return
    from ctxlint.reporters.check.github import step_summary
    from ctxlint.reporters.printable import printable

    text = step_summary(printable(report))
    if text is None:
        return
    try:
        with open(summary_file, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        note(f"cannot write the job summary {summary_file}: {exc.strerror or exc}")


def render(report: Any, fmt: str, *, color: bool = False, quiet: bool = False, sort: str = "severity",
           group: bool = True) -> str:
    if fmt in ("text", "github", "markdown"):
        from ctxlint.reporters.printable import printable

        report = printable(report)
    if fmt == "text":
        from ctxlint.reporters.check import text

        return text.render(report, color=color, quiet=quiet, sort=sort, group=group)
    if fmt == "json":
        from ctxlint.reporters.check import json as json_reporter

        return json_reporter.render(report)
    import importlib

    module = importlib.import_module(f"ctxlint.reporters.check.{fmt}")
    return str(module.render(report))
