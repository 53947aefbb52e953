"""The ``ctxlint`` group: `ctxlint PATH...` means `ctxlint check PATH...`; the small commands
(``rules``, ``explain``); the console entry point. Each larger command lives in its own module.
"""

from __future__ import annotations

import os
import sys

import click

from ctxlint import __version__
from ctxlint.cli.cache import cache
from ctxlint.cli.check import check
from ctxlint.cli.coach import coach
from ctxlint.cli.common import fail, guarded
from ctxlint.cli.export import export
from ctxlint.cli.init import init
from ctxlint.cli.live import hook, install, statusline, uninstall
from ctxlint.errors import did_you_mean


class DefaultGroup(click.Group):
    """`ctxlint PATH...` means `ctxlint check PATH...`; a mistyped command is not taken for a path."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            if args and not os.path.lexists(args[0]):
                near = did_you_mean(args[0], self.commands)
                if near is not None:
                    fail(f"unknown command {args[0]!r} (did you mean {near!r}?), and no such file or directory")
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command's whole first sentence, wrapped, instead of click's cut at the terminal width."""
        rows = [(name, self.commands[name].get_short_help_str(limit=10_000)) for name in self.list_commands(ctx)
                if not self.commands[name].hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


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
    """List every implemented rule (id, name, kind, severity, fixable), then which transcript rules
    run on which agent's sessions (a rule needing data an agent does not record is skipped for it)."""
    from ctxlint.rules.registry import registry
    from ctxlint.transcripts.agents import applicability_matrix

    reg = registry()
    transcript = [(r.meta.id, r.meta.requires) for r in reg.values() if r.meta.kind == "transcript"]
    matrix = applicability_matrix(transcript)
    if fmt == "json":
        import orjson

        rows = [
            {"id": r.meta.id, "name": r.meta.name, "kind": r.meta.kind, "severity": r.meta.severity.label,
             "fixable": r.meta.fixable, "summary": r.meta.summary}
            | ({"requires": list(r.meta.requires), "agents": {a: cells[r.meta.id] for a, cells in matrix.items()}}
               if r.meta.kind == "transcript" else {})
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
    click.echo("")
    for line in agent_table(matrix, [rule_id for rule_id, _ in transcript]):
        click.echo(line)


MARKS = {"yes": "+", "estimated": "e", "no": "-"}  # anything else is a condition: "c"


def agent_table(matrix: dict[str, dict[str, str]], rule_ids: list[str]) -> list[str]:
    """The agent x transcript-rule table of ``ctxlint rules``, with its legend and conditions."""
    width = max(len(a) for a in matrix)
    lines = ["Transcript rules by agent: + runs · e runs on sizes estimated from the text · - skipped (the",
             "agent does not record what the rule needs) · c runs under a condition",
             " " * (width + 2) + " ".join(r[3:] for r in rule_ids)]
    conditions: list[str] = []
    for agent, cells in matrix.items():
        marks = [MARKS.get(cells[r], "c") for r in rule_ids]
        lines.append(f"{agent.ljust(width)}  " + " ".join(m.center(3) for m in marks).rstrip())
        conditional = sorted({cells[r][3:] for r in rule_ids if cells[r] not in MARKS})
        conditions += [f"{agent}: {c}" for c in conditional]
    if conditions:
        lines.append("c: " + "; ".join(conditions))
    return lines


@main.command()
@click.argument("rule")
@guarded
def explain(rule: str) -> None:
    """Explain a rule (by id or name): what it checks, why, an example, the fix, its options."""
    from ctxlint.rules.registry import lookup

    entry = lookup(rule)
    if entry is None:
        fail(f"unknown rule {rule!r} (see `ctxlint rules`)")
    from ctxlint.reporters.explain import explain_text

    click.echo(explain_text(entry.meta))


@main.command()
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the default, and the only transport).")
@guarded
def lsp(stdio: bool) -> None:
    """Run the language server for editors: the check's findings as you type, fixes, rule docs on hover."""
    try:
        from ctxlint.lsp.server import serve
    except ImportError as exc:
        fail(f"the language server needs pygls ({exc}): pip install 'ctxlint[lsp] @ git+…' (docs/editors.md)")
    serve()


for command in (check, coach, export, cache, init, statusline, hook, install, uninstall):
    main.add_command(command)


def run() -> None:
    """The console entry point (``ctxlint``, ``python -m ctxlint``): ``main``, then a fast exit.

    Tearing the interpreter down, module by module and object by object, took ~20 ms after a
    transcript audit, a twentieth of the run. By the time ``main`` returns, the report is written and
    the caches are committed, so the process flushes its streams and ends with ``os._exit``.
    In-process callers (tests, ``CliRunner``) call ``main`` and keep the normal exit.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # started with the descriptor closed (`ctxlint >&-`)
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives until _exit
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        from ctxlint._runtime.safeout import one_line

        sys.stderr.write(f"{one_line(str(code))}\n")  # what sys.exit("message") prints
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # the reader went away (broken pipe), or the stream is closed
        code = code or 1
    os._exit(code)
