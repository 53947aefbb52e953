"""`ctxlint cache dir|clear`: where the cache is, and emptying it."""

from __future__ import annotations

import click

from ctxlint.cli.common import guarded


@click.group("cache")
def cache() -> None:
    """The cache: one directory (CTXLINT_CACHE_DIR moves it; CTXLINT_NO_CACHE=1 or --no-cache turns it off)."""


@cache.command("dir")
@guarded
def cache_dir() -> None:
    """Print the cache directory."""
    from ctxlint._runtime import cache as front

    click.echo(str(front.directory()))


@cache.command("clear")
@guarded
def cache_clear() -> None:
    """Delete what ctxlint cached (token counts, parsed files, rule data, prices, coach results)."""
    from ctxlint._runtime import cache as front

    removed = front.clear()
    click.echo(f"removed {len(removed)} cache file(s) from {front.directory()}")
