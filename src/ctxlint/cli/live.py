"""The live commands: ``statusline``, ``hook``, ``install`` and ``uninstall`` (docs/live.md)."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--no-color", is_flag=True, help="No colours (as NO_COLOR=1).")
@click.option("--refresh", "refresh_path", type=click.Path(), hidden=True,
              help="Audit this session's appended records and keep its summary (started by the statusline).")
@click.option("--cwd", hidden=True)
@click.option("--window", type=int, hidden=True)
def statusline(no_color: bool, refresh_path: str | None, cwd: str | None, window: int | None) -> None:
    """Print one line for Claude Code's status bar: context fill, room to auto-compaction, spend,
    avoidable waste and one nudge, from the statusLine JSON on stdin (docs/live.md)."""
    from ctxlint.live import statusline as live

    if refresh_path:
        sys.exit(live.run_refresh(refresh_path, cwd, window))
    sys.exit(live.run(["--no-color"] if no_color else []))


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
