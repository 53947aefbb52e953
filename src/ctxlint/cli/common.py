"""What every command shares: the one-line error and exit code 2, writing a report, the error guard.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error, bad
config, or no input could be checked (one line on stderr, never a traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click


def fail(message: str) -> NoReturn:
    click.echo(f"ctxlint: error: {message}", err=True)
    sys.exit(2)


def csv_values(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for raw in values for v in raw.split(",") if v.strip())


def write_output(text: str, output: str | None, *, what: str = "report", quiet: bool = False) -> None:
    """``text`` to stdout, or to the file ``output`` (atomically), saying on stderr where it went."""
    if not output or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ctxlint._runtime.fsutil import atomic_write_text

    try:
        atomic_write_text(output, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    if not quiet:
        click.echo(f"ctxlint: wrote the {what} to {output}", err=True)


def use_color(flag: bool | None, *, output: str | None = None) -> bool:
    """Whether to colour text for stdout: ``--color/--no-color`` first; a report written to a file
    only on ``--color``; then the conventions, in the order CPython's own colouring reads them:
    ``NO_COLOR`` (no-color.org) off, ``FORCE_COLOR`` on, ``TERM=dumb`` off; else only on a terminal."""
    if flag is not None:
        return flag
    if output and output != "-":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected errors into one line + exit 2; never print a traceback to a user."""

    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ctxlint.errors import CtxlintError

        try:
            return fn(*args, **kwargs)
        except CtxlintError as exc:
            fail(str(exc))
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            sys.exit(1)
        except Exception as exc:  # the last line of defence: one line, no traceback
            if os.environ.get("CTXLINT_DEBUG"):
                raise
            fail(f"internal error ({exc.__class__.__name__}: {exc}); set CTXLINT_DEBUG=1 for a traceback")

    return wrapper


def no_cache_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--no-cache``: this run reads and writes no cache (as ``CTXLINT_NO_CACHE=1``)."""

    def turn_off(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            from ctxlint._runtime import cache

            cache.disable()

    return click.option("--no-cache", is_flag=True, expose_value=False, callback=turn_off,
                        help="Read and write no cache in this run (as CTXLINT_NO_CACHE=1).")(fn)
