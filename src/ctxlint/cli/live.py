"""The live commands: ``statusline``, ``hook``, ``install`` and ``uninstall`` (docs/live.md)."""

from __future__ import annotations

import sys
from typing import Any

import click

from ctxlint.cli.common import guarded


@click.command()
@click.option("--no-color", is_flag=True, help="No colours (as NO_COLOR=1).")
@click.option("--chain", "chain_command", metavar="COMMAND",
              help="Your own statusline command: its first line is shown, then ctxlint's (ctxlint install --chain).")
@click.option("--refresh", "refresh_path", type=click.Path(), hidden=True,
              help="Audit this session's appended records and keep its summary (started by the statusline).")
@click.option("--cwd", hidden=True)
@click.option("--window", type=int, hidden=True)
@click.option("--lock-fd", type=int, hidden=True)
def statusline(no_color: bool, chain_command: str | None, refresh_path: str | None, cwd: str | None,
               window: int | None, lock_fd: int | None) -> None:
    """Print one line for Claude Code's status bar: context fill, room to auto-compaction, spend,
    avoidable waste and one nudge, from the statusLine JSON on stdin (docs/live.md)."""
    from ctxlint.live import statusline as live

    if refresh_path:
        sys.exit(live.run_refresh(refresh_path, cwd, window, lock_fd))
    sys.exit(live.run((["--no-color"] if no_color else []) + (["--chain", chain_command] if chain_command else [])))


AGENTS = ("claude-code", "codex", "gemini")


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--agent", type=click.Choice(AGENTS), default="claude-code", show_default=True,
              help="The agent that runs the hook.")
@click.option("--inject", is_flag=True,
              help="Put one short line into the model's context where the event allows it (UserPromptSubmit, "
                   "SessionStart, PostToolUse); by default only the user sees what the hook says.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def hook(agent: str, inject: bool, args: tuple[str, ...]) -> None:
    """Answer an agent's hook event: a short summary for the user at a turn's end, before a compaction
    and at the session's end (which also fills the coach's cache). Claude Code and Gemini CLI send the
    event on stdin; Codex's notify sends it as the last argument (docs/live.md)."""
    from ctxlint.live import hooks

    sys.exit(hooks.run(agent, list(args), inject=inject))


def _plan_options(fn: Any) -> Any:
    for decorator in reversed([
        click.option("--agent", type=click.Choice(AGENTS), required=True, help="The agent whose settings to change."),
        click.option("--scope", type=click.Choice(["user", "project", "local"]), default="user", show_default=True,
                     help="User settings (every project), the project's shared settings, or its local ones "
                          "(Claude Code's settings.local.json)."),
        click.option("--project", "project_dir", type=click.Path(file_okay=False), default=".", show_default=True,
                     help="The project whose settings --scope project/local change."),
        click.option("--yes", "-y", is_flag=True, help="Write without asking."),
        click.option("--dry-run", is_flag=True, help="Show the change; write nothing."),
    ]):
        fn = decorator(fn)
    return fn


def _carry_out(plan: Any, *, yes: bool, dry_run: bool, installing: bool) -> None:
    from ctxlint.cli.common import fail
    from ctxlint.live.install import BACKUP, apply

    for note in plan.notes:
        click.echo(f"ctxlint: {note}", err=True)
    if not plan.changes:
        click.echo(f"ctxlint: {plan.path} already {'has ctxlint' if installing else 'has no ctxlint'}: nothing to do",
                   err=True)
        return
    click.echo(plan.diff(), nl=False)
    if dry_run:
        return
    if not yes:
        if not sys.stdin.isatty():
            fail(f"not written: run again with --yes to write {plan.path}")
        if not click.confirm(f"Write {plan.path}?", default=False, err=True):
            fail("not written")
    apply(plan, installing=installing)
    where = "removed" if plan.after is None else "wrote"
    backup = f" (as it was before: {plan.path}{BACKUP})" if installing and plan.before is not None else ""
    click.echo(f"ctxlint: {where} {plan.path}{backup}", err=True)


@click.command()
@_plan_options
@click.option("--force", is_flag=True, help="Replace your own statusLine (Claude Code) or notify program (Codex).")
@click.option("--chain", is_flag=True, help="Keep your own statusLine and show ctxlint's line after it.")
@guarded
def install(agent: str, scope: str, project_dir: str, yes: bool, dry_run: bool, force: bool, chain: bool) -> None:
    """Add ctxlint's statusline and hooks to an agent's settings: shows the change, asks (or --yes),
    keeps a backup, writes atomically; installing twice changes nothing (docs/live.md)."""
    from pathlib import Path

    from ctxlint.live.install import plan_install

    plan = plan_install(agent, scope, Path(project_dir).resolve(), force=force, chain=chain)
    _carry_out(plan, yes=yes, dry_run=dry_run, installing=True)
    if plan.changes and not dry_run:
        click.echo("ctxlint: start a new session to see it", err=True)


@click.command()
@_plan_options
@guarded
def uninstall(agent: str, scope: str, project_dir: str, yes: bool, dry_run: bool) -> None:
    """Take ctxlint's statusline and hooks out of an agent's settings, giving back a statusLine or
    notifier it chained; the file is restored as it was when nothing else changed."""
    from pathlib import Path

    from ctxlint.live.install import plan_uninstall

    _carry_out(plan_uninstall(agent, scope, Path(project_dir).resolve()), yes=yes, dry_run=dry_run,
               installing=False)
