"""The console entry point (``ctxlint``, ``python -m ctxlint``).

``ctxlint statusline`` runs on every change of an agent's session, so it starts without the command
line machinery: this module imports nothing but what that line needs before handing every other
command to ``cli.main``.
"""

from __future__ import annotations

import contextlib
import os
import sys


def run() -> None:
    args = sys.argv[1:]
    if args[:1] == ["statusline"] and _plain_statusline(args[1:]):
        from ctxlint.live.statusline import run as statusline

        code = statusline(args[1:])
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os._exit(code)
    from ctxlint.cli.main import run as run_main

    run_main()


def _plain_statusline(args: list[str]) -> bool:
    """Only the options the agent's settings give it: ``--no-color`` and ``--chain COMMAND``."""
    rest = list(args)
    if "--chain" in rest:
        at = rest.index("--chain")
        if at + 1 >= len(rest):
            return False
        del rest[at : at + 2]
    return set(rest) <= {"--no-color"}
