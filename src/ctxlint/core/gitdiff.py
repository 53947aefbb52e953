"""Files changed since a git ref, for ``--diff-base REF`` pull-request checks.

"Changed" is what a pull request would show plus what is not committed yet: every file that differs
between the merge base of ``REF`` and ``HEAD`` and the working tree (committed, staged or unstaged
changes, deletions excluded), and untracked files that are not ignored. Paths are relative to
``root`` (``git diff --relative`` run inside it), posix, and limited to files under ``root``.
NUL-separated output (``-z``) keeps unusual names (spaces, quotes, non-ASCII) intact. git runs
through ``_runtime.git``: nothing a repository's configuration names (fsmonitor, hooks, pager,
external diff) is started.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ctxlint._runtime.git import run_git
from ctxlint.errors import GitDiffError

TIMEOUT = 60


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        done = run_git(root, *args, timeout=TIMEOUT)
    except FileNotFoundError:
        raise GitDiffError("--diff-base needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitDiffError(f"--diff-base: git {args[0]} took longer than {TIMEOUT}s") from None
    except OSError as exc:
        raise GitDiffError(f"--diff-base: cannot run git in {root} ({exc.strerror or exc})") from None
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8", "surrogateescape"),
                                       done.stderr.decode("utf-8", "replace"))


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


def _names(root: Path, *args: str) -> set[str]:
    proc = _git(root, *args)
    if proc.returncode != 0:
        raise GitDiffError(f"--diff-base: git {args[0]} failed: {_last_line(proc.stderr)}")
    return {name for name in proc.stdout.split("\0") if name}


def changed_files(root: Path, base_ref: str) -> set[str]:
    """Paths under ``root`` (relative to it, posix) changed since the merge base with ``base_ref``."""
    if not Path(root).is_dir():
        raise GitDiffError(f"--diff-base: {root} is not a directory")
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise GitDiffError(f"--diff-base: {root} is not inside a git work tree")
    if (
        base_ref.startswith("-")
        or _git(root, "rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}").returncode
    ):
        raise GitDiffError(
            f"--diff-base: unknown git ref {base_ref!r} (fetch it first, e.g. git fetch origin main)"
        )
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode:
        raise GitDiffError("--diff-base: HEAD has no commit yet")
    merge_base = _git(root, "merge-base", base_ref, "HEAD")
    if merge_base.returncode != 0 or not merge_base.stdout.strip():
        raise GitDiffError(
            f"--diff-base: {base_ref!r} and HEAD have no common history "
            "(in a shallow CI checkout, fetch more history: actions/checkout fetch-depth: 0)"
        )
    base = merge_base.stdout.strip()
    changed = _names(
        root, "diff", "--name-only", "--relative", "--no-renames", "--diff-filter=d", "-z", base, "--"
    )
    changed |= _names(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    return {Path(name).as_posix() for name in changed}
