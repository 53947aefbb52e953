"""Glob patterns of rule front matter (`globs`, `paths`, `applyTo`) tested against the repository's
files in bounded time, whatever the pattern.

``pathlib.Path.glob`` walks the tree again for every ``**`` of a pattern: ten nested ``**`` in a
pull request's front matter took minutes. Here the repository is listed once (bounded, links not
followed) and each pattern becomes one regular expression: ``**/`` (any number of folders) and ``*``
both become fnmatch's ``*``, which crosses folders and is matched without backtracking (atomic
groups), so a pattern matches a path in time linear in both. Crossing folders makes ``*`` match a
little more than Cursor's or Copilot's matcher would: a rule that reports patterns matching no file
only loses findings, never gains a false one.
"""

from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache

from ctxlint.instructions.files import SKIP_DIRS

MAX_PATHS = 50_000  # files listed per repository; past them a pattern is taken to match
MAX_PATTERN = 500  # characters: a longer pattern is not judged


@lru_cache(maxsize=8)
def repository_files(root: str) -> tuple[tuple[str, ...], bool]:
    """Relative posix paths of the files under ``root`` (build and dependency folders skipped, links
    not followed), and whether the listing is complete."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out.extend(prefix + name for name in filenames)
        if len(out) > MAX_PATHS:
            return tuple(out), False
    return tuple(out), True


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    collapsed = re.sub(r"\*+", "*", re.sub(r"(?:\*\*/)+", "*", pattern))
    return re.compile(fnmatch.translate(collapsed))


def matches_a_file(root: str, pattern: str) -> bool:
    """Whether ``pattern`` (relative to ``root``, or anywhere below it) matches a file of the
    repository, or a folder holding one. True when it cannot tell: brace expansion or negation, a pattern too long to judge,
    a tree too large to list."""
    pattern = pattern.lstrip("/")
    if "{" in pattern or pattern.startswith("!") or len(pattern) > MAX_PATTERN:
        return True
    files, complete = repository_files(root)
    # the pattern itself, or a folder it names (`src`, `docs/`): here or anywhere below the root
    forms = (pattern, pattern.rstrip("/") + "/*")
    regexes = [_regex(f) for form in forms for f in (form, "*/" + form)]
    return any(r.match(path) for path in files for r in regexes) or not complete
