"""The ``ctxlint`` group: `ctxlint PATH...` means `ctxlint check PATH...`; the small commands
(``rules``, ``explain``); the console entry point. Each larger command lives in its own module.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ctxlint import __version__
from ctxlint.cli.cache import cache
from ctxlint.cli.check import check
from ctxlint.cli.coach import coach
from ctxlint.cli.common import fail, guarded
from ctxlint.cli.export import export


class DefaultGroup(click.Group):
    """`ctxlint PATH...` means `ctxlint check PATH...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ctxlint")
def main() -> None:
    """Context-hygiene linter and coach for AI coding agents.

    Lints instruction files (CLAUDE.md, AGENTS.md, GEMINI.md, Cursor and Copilot rules) and audits
    agent transcripts (Claude Code, Codex, Gemini CLI, Aider) for wasted tokens and dollars.
    `ctxlint PATH...` is short for `ctxlint check PATH...`.
    """


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guarded
def rules_cmd(fmt: str) -> None:
    """List every implemented rule: id, name, kind, severity, fixable."""
    from ctxlint.rules.registry import registry

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
    from ctxlint.rules.registry import lookup

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


for command in (check, coach, export, cache):
    main.add_command(command)


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
