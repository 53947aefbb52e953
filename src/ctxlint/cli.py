"""Command line (click only): parse options, call the engine, pick a reporter, set the exit code.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error, bad
config, or no input could be checked (one line on stderr, never a traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from ctxlint import __version__

FORMATS = ("auto", "text", "json", "github", "sarif", "markdown")


class DefaultGroup(click.Group):
    """`ctxlint PATH...` means `ctxlint check PATH...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def fail(message: str) -> NoReturn:
    click.echo(f"ctxlint: error: {message}", err=True)
    sys.exit(2)


def _csv(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for raw in values for v in raw.split(",") if v.strip())


def write_output(text: str, output: str | None) -> None:
    if not output or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ctxlint.fsutil import atomic_write_text

    try:
        atomic_write_text(output, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected errors into one line + exit 2; never print a traceback to a user."""

    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ctxlint import regex_cache

        regex_cache.load()  # before the first ctxlint module compiles its patterns
        from ctxlint.config import ConfigError

        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            fail(str(exc))
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            sys.exit(1)
        except Exception as exc:  # the last line of defence: one line, no traceback
            if os.environ.get("CTXLINT_DEBUG"):
                raise
            name = exc.__class__.__name__
            known = {"NothingToCheck", "BaselineError", "GitDiffError", "InputError"}
            if name in known:
                fail(str(exc))
            fail(f"internal error ({name}: {exc}); set CTXLINT_DEBUG=1 for a traceback")
        finally:
            regex_cache.save()  # only writes when this run compiled a pattern the cache did not have

    return wrapper


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ctxlint")
def main() -> None:
    """Context-hygiene linter and coach for AI coding agents.

    Lints instruction files (CLAUDE.md, AGENTS.md, GEMINI.md, Cursor and Copilot rules) and audits
    agent transcripts (Claude Code, Codex, Gemini CLI, Aider) for wasted tokens and dollars.
    `ctxlint PATH...` is short for `ctxlint check PATH...`.
    """


@main.command()
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
    from ctxlint.config import ConfigError, parse_fail_on, resolve_config
    from ctxlint.engine import exit_code, run_check

    targets = list(paths) or ["."]
    config = resolve_config(targets, config_file, no_config)
    overrides: dict[str, Any] = {}
    if select:
        overrides["select"] = _csv(select)
    if ignore:
        overrides["ignore"] = tuple(config.ignore) + _csv(ignore)
    if fail_on is not None:
        overrides["fail_on"] = parse_fail_on(fail_on, "--fail-on")
    if overrides:
        config = config.with_overrides(**overrides)
        try:
            config.enabled_rules()
        except ConfigError as exc:
            fail(str(exc).replace("select: ", "--select: ").replace("ignore: ", "--ignore: "))
    if history:
        from ctxlint.history import requests_per_session

        measured = requests_per_session(history, config)
        if measured:
            config = config.with_overrides(requests_per_session=measured)

    progress = _progress_bar() if sys.stderr.isatty() and fmt != "json" else None
    report = run_check(targets, config, jobs=jobs, with_load_graph=load_graph, progress=progress)

    if diff_base:
        from ctxlint.gitdiff import changed_files

        # Paths come back relative to the directory given, like the report's own paths.
        report = _limit_to_changed(report, changed_files(Path.cwd(), diff_base))
    if write_baseline:
        from ctxlint.baseline import write_baseline as write

        write(report, write_baseline)
    if baseline:
        from ctxlint.baseline import apply_baseline
        from ctxlint.engine import summarise

        kept, hidden = apply_baseline(report.findings, baseline)
        startup, spent, cost = report.summary.startup_tokens, report.summary.input_tokens, report.summary.cost_usd
        report.findings = kept
        report.summary = summarise(kept, report.summary.files)
        report.summary.startup_tokens, report.summary.input_tokens, report.summary.cost_usd = startup, spent, cost
        report.baseline_suppressed = hidden
    if fix or unsafe_fixes:
        from ctxlint.fixes import apply_fixes

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
        from ctxlint.reporters import text

        return text.render(report, color=color, quiet=quiet)
    if fmt == "json":
        from ctxlint.reporters import json as json_reporter

        return json_reporter.render(report)
    import importlib

    module = importlib.import_module(f"ctxlint.reporters.{fmt}")
    return str(module.render(report))


def _limit_to_changed(report: Any, changed: set[str]) -> Any:
    from ctxlint.engine import summarise

    def keep(f: Any) -> bool:
        return f.kind != "instructions" or f.path in changed or os.path.normpath(f.path) in changed

    startup = report.summary.startup_tokens
    report.findings = [f for f in report.findings if keep(f)]
    report.summary = summarise(report.findings, report.summary.files)
    report.summary.startup_tokens = startup
    return report


def _progress_bar() -> Callable[[int, int], None]:
    """A rich progress bar on stderr, shown only when scanning takes more than a second."""
    import time

    state: dict[str, Any] = {"start": time.monotonic(), "bar": None, "task": None}

    def update(done: int, total: int) -> None:
        if state["bar"] is None:
            if time.monotonic() - state["start"] < 1.0 or done >= total:
                return
            from rich.console import Console
            from rich.progress import Progress

            bar = Progress(console=Console(stderr=True), transient=True)
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task("scanning transcripts", total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    return update


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded
def rules_cmd(fmt: str) -> None:
    """List every implemented rule: id, name, kind, severity, fixable."""
    from ctxlint.registry import registry

    reg = registry()
    if fmt == "json":
        import orjson

        rows = [
            {"id": r.meta.id, "name": r.meta.name, "kind": r.meta.kind, "severity": r.meta.severity.label,
             "fixable": r.meta.fixable, "summary": r.meta.summary}
            for r in reg.values()
        ]
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    header = ("ID", "NAME", "KIND", "SEVERITY", "FIXABLE")
    rows_t = [
        (r.meta.id, r.meta.name, r.meta.kind, r.meta.severity.label, "yes" if r.meta.fixable else "")
        for r in reg.values()
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows_t, strict=False)]
    for row in (header, *rows_t):
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


@main.command()
@click.argument("rule")
@guarded
def explain(rule: str) -> None:
    """Explain a rule (by id or name): what it checks, why, an example, the fix, its options."""
    from ctxlint.registry import lookup

    entry = lookup(rule)
    if entry is None:
        fail(f"unknown rule {rule!r} (see `ctxlint rules`)")
    click.echo(explain_text(entry.meta))


def explain_text(meta: Any) -> str:
    out = [f"{meta.id} {meta.name} ({meta.kind}, default severity {meta.severity.label}"
           f"{', fixable' if meta.fixable else ''})", "", meta.summary, "", "What it checks:", meta.description,
           "", "Why it matters:", meta.why]
    if meta.sources:
        out += ["", "Sources:", *[f"  - {s}" for s in meta.sources]]
    if meta.example_fires:
        out += ["", "Example that fires:", *[f"    {line}" for line in meta.example_fires.splitlines()]]
    if meta.example_passes:
        out += ["", "Example that passes:", *[f"    {line}" for line in meta.example_passes.splitlines()]]
    out += ["", "Fix:", meta.fix]
    if meta.options:
        out += ["", "Options (set in [tool.ctxlint.rules." + meta.id + "] or .ctxlint.yaml):"]
        out += [f"  {o.name} ({o.type}, default {o.default!r}): {o.description}" for o in meta.options]
    else:
        out += ["", "Options: none"]
    return "\n".join(out)


def _register_optional_commands() -> None:
    """Commands that live in their own modules (coach, export) register themselves if present."""
    import importlib

    for name in ("coach_cli", "export_cli"):
        try:
            module = importlib.import_module(f"ctxlint.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"ctxlint.{name}":
                raise
            continue
        module.register(main)


_register_optional_commands()


def run() -> None:
    """The console entry point (``ctxlint``, ``python -m ctxlint``): ``main``, then a fast exit.

    Tearing the interpreter down, module by module and object by object, took ~20 ms after a
    transcript audit, a twentieth of the run. By the time ``main`` returns, the report is written and
    the caches are committed, so the process flushes its streams and ends with ``os._exit``.
    In-process callers (tests, ``CliRunner``) call ``main`` and keep the normal exit.
    """
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        sys.stderr.write(f"{code}\n")  # what sys.exit("message") prints
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # the reader went away (broken pipe), or the stream is closed
        code = code or 1
    os._exit(code)
