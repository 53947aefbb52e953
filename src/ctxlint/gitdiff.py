"""Files changed since a git ref, for `--diff-base REF` pull-request checks."""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitDiffError(Exception):
    pass


def _git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitDiffError(f"git is not available ({exc.__class__.__name__})") from None
    if proc.returncode != 0:
        raise GitDiffError(f"git {' '.join(args[:2])} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else 'error'}")
    return proc.stdout


def changed_files(root: Path, base_ref: str) -> set[str]:
    """Paths (relative to the current directory, posix) changed since the merge base with ``base_ref``,
    plus staged, unstaged and untracked files."""
    try:
        base = _git(root, "merge-base", base_ref, "HEAD").strip()
    except GitDiffError:
        raise GitDiffError(f"--diff-base: unknown git ref {base_ref!r}") from None
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    names = set(_git(root, "diff", "--name-only", base).splitlines())
    names |= set(_git(root, "ls-files", "--others", "--exclude-standard").splitlines())
    out: set[str] = set()
    for n in names:
        if not n:
            continue
        full = top / n
        try:
            out.add(full.resolve().relative_to(Path.cwd().resolve()).as_posix())
        except ValueError:
            out.add(full.as_posix())
    return out
