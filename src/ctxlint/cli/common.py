"""What every command shares: the one-line error and exit code 2, notes on stderr, writing a report,
the error guard.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error, bad
config, or no input could be checked (one line on stderr, never a traceback).

Everything printed goes through ``_runtime.safeout``: a message on stderr is one line whatever the
paths, keys or globs it names hold, and a report cannot carry terminal escapes or workflow commands
it did not write itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

MAX_NOTE = 1000  # characters of one message on stderr


def fail(message: str) -> NoReturn:
    note(f"error: {message}")
    sys.exit(2)


def note(message: str) -> None:
    """``ctxlint: message`` on stderr, as one printable line (it may name the user's paths)."""
    from ctxlint._runtime.safeout import one_line, plain_line

    line = one_line(message)
    if len(line) > MAX_NOTE:  # a 5,000-character path is named, not printed whole
        line = line[: MAX_NOTE - 1] + "…"
    with contextlib.suppress(OSError, ValueError, AttributeError):  # stderr closed or gone: nothing to tell
        click.echo(plain_line("ctxlint: " + line), err=True)


def csv_values(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for raw in values for v in raw.split(",") if v.strip())


def write_output(text: str, output: str | None, *, fmt: str, what: str = "report", quiet: bool = False,
                 colour: bool = False) -> None:
    """``text`` in format ``fmt`` to stdout, or to the file ``output`` (atomically), saying on stderr
    where it went. JSON formats keep their values, other text is made safe for a terminal and a CI
    log (see ``_runtime.safeout``); ``github`` keeps the workflow commands its reporter wrote."""
    from ctxlint._runtime.safeout import json_text, terminal_text

    if fmt in ("json", "sarif"):
        text = json_text(text)
    else:
        text = terminal_text(text, colour=colour, commands=fmt == "github")
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
        note(f"wrote the {what} to {output}")


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
        except OSError as exc:  # the machine, not ctxlint: a full disk, a read-only folder, a name too long
            if os.environ.get("CTXLINT_DEBUG"):
                raise
            where = f"{os.fsdecode(exc.filename)}: " if exc.filename is not None else ""
            fail(f"{where}{exc.strerror}" if exc.strerror else str(exc))
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
