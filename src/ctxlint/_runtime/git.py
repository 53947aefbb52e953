"""The one way ctxlint runs git: in a repository it does not trust, nothing git would run on its
behalf may start.

A repository's own configuration (``.git/config``, which whoever hands over the directory writes)
can name programs for git to start: ``core.fsmonitor`` (asked by every command that reads the
index), hooks, a pager, external diff and textconv drivers. Every call here switches them off on
the command line, which outranks any configuration file; it asks no terminal for credentials and
takes no optional lock (a read-only run never writes the index). Clean/smudge filter drivers cannot
be switched off wholesale: the commands ctxlint runs (``ls-files``, ``check-ignore --no-index``,
``rev-parse``, ``merge-base``, ``diff --name-only``) compare names and recorded hashes, and ``diff``
is told to use no external program.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SAFE = (
    "--no-pager",
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.pager=cat",
    "-c", "diff.external=",
    "-c", "core.quotepath=off",
    "-c", "core.untrackedCache=false",
)
_ENV_DROP = ("GIT_EXTERNAL_DIFF", "GIT_PAGER", "PAGER", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_ASKPASS",
             "SSH_ASKPASS")


def git_command(*args: str) -> list[str]:
    """``git`` with the switches above, then ``args`` (``diff`` also gets ``--no-ext-diff --no-textconv``)."""
    extra = ("--no-ext-diff", "--no-textconv") if args[:1] == ("diff",) else ()
    return ["git", *SAFE, *args[:1], *extra, *args[1:]]


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat", "PAGER": "cat"})
    return env


def run_git(cwd: str | Path, *args: str, timeout: float = 60, stdin: bytes | None = None,
            ) -> subprocess.CompletedProcess[bytes]:
    """``git args`` in ``cwd``, output captured as bytes; raises ``OSError`` (no git) and
    ``subprocess.TimeoutExpired`` like ``subprocess.run``."""
    return subprocess.run(git_command(*args), cwd=cwd, capture_output=True, timeout=timeout, input=stdin,
                          env=git_env(), check=False, stdin=None if stdin is not None else subprocess.DEVNULL)
