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
    if args[:1] == ["statusline"] and set(args[1:]) <= {"--no-color"}:
        from ctxlint.live.statusline import run as statusline

        code = statusline(args[1:])
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os._exit(code)
    from ctxlint.cli.main import run as run_main

    run_main()
