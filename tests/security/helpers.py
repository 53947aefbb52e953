"""What the attack tests share: running ctxlint as the CI step would (a fresh process, its own cache),
and reading its output the way a terminal and the GitHub Actions runner read it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# Characters a terminal acts on (C0 but tab and newline, DEL, C1) and the bidi controls.
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
OWN_COMMAND = re.compile(r"^::(?:(?:error|warning|notice) file=[^\n]*,title=ctxlint CTX\d{3} [^\n]*|group::.*|endgroup::)$")


def run(args: list[str], cwd: Path, *, env: dict[str, str] | None = None, stdin: str | None = None,
        python: bool = False) -> subprocess.CompletedProcess[str]:
    """``python -m ctxlint ARGS`` in ``cwd``: a fresh process, as CI runs it (``python=True``:
    ``python ARGS``, for a script that changes something first)."""
    full = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    full.update({"NO_COLOR": "1", **(env or {})})
    command = [sys.executable, *args] if python else [sys.executable, "-m", "ctxlint", *args]
    return subprocess.run(command, cwd=cwd, env=full, capture_output=True,
                          text=True, errors="surrogateescape", input=stdin, timeout=120)


def runner_commands(output: str) -> list[str]:
    """The lines of ``output`` the GitHub Actions runner takes for workflow commands: ``::`` after
    leading white space (``TryParseV2``), or ``##[`` anywhere (``TryParse``); the runner splits lines
    at CR, LF and CRLF."""
    return [line for line in re.split(r"\r\n|\r|\n", output)
            if line.lstrip().startswith("::") or "##[" in line]


def assert_inert(output: str, *, own_commands: bool = False) -> None:
    """Nothing in ``output`` acts on a terminal, and no workflow command is in it but ctxlint's own
    annotations and groups (``own_commands``, the github format)."""
    found = TERMINAL_CONTROLS.search(output)
    assert found is None, f"control character {found.group(0)!r} in {output[max(0, found.start() - 60):found.end() + 20]!r}"
    forged = [c for c in runner_commands(output) if not (own_commands and OWN_COMMAND.match(c))]
    assert forged == [], forged
