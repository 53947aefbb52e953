"""Compiled regular expressions carried from one run to the next.

A pre-commit hook starts a fresh interpreter on every commit, and compiling the ~120 patterns an
instruction check uses (the rules' own and their YAML data) costs ~30 ms of its ~0.25 s. Python
cannot pickle a compiled pattern, but what ``re``'s compiler produces for it is plain data: the
opcode list, the group count and the group names, which ``re`` hands to ``_sre.compile`` as its
last step. This module keeps that data in the user cache directory and, at start-up, rebuilds the
pattern objects from it and places them in ``re``'s own cache, so every later ``re.compile``,
``re.search``... of the same pattern and flags finds them there.

The opcodes depend on the exact interpreter, so the cache is keyed by the Python build and the
``_sre`` engine version; any mismatch, a damaged file or an interpreter without these internals
(another implementation, a future CPython) means the cache is ignored and ``re`` compiles as usual.
A cached pattern is the very object ``re.compile`` would build (tested: equal pattern, flags, code
and groups). The cache can make a run faster, never make it fail or behave differently.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
from typing import Any

MAX_PATTERNS = 512  # the size of re's own cache: never more than it would hold anyway
_loaded: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # re's cache key -> the entry read or written


def _engine_key() -> str | None:
    try:
        import _sre  # type: ignore[import-not-found]

        return f"{sys.implementation.name}-{sys.version}-{_sre.MAGIC}-{_sre.CODESIZE}"
    except (ImportError, AttributeError):
        return None


CACHE_NAME = f"regex-{sys.implementation.cache_tag}.marshal"  # in the user cache directory


def enabled() -> bool:
    return not os.environ.get("CTXLINT_NO_REGEX_CACHE") and isinstance(getattr(re, "_cache", None), dict)


def load() -> int:
    """Put the cached patterns into ``re``'s cache; the number placed (0 when there is no usable cache)."""
    if not enabled():
        return 0
    try:
        import _sre

        from ctxlint._runtime.fsutil import read_cache

        data = marshal.loads(read_cache(CACHE_NAME) or b"N")  # b"N" is marshal's None: no cache yet
        if not isinstance(data, dict) or data.get("engine") != _engine_key():
            return 0
        cache: dict[Any, Any] = re._cache  # type: ignore[attr-defined]
        placed = 0
        for entry in data["patterns"]:
            pattern, flags, final_flags, code, groups, groupindex, indexgroup = entry
            key = (type(pattern), pattern, flags)
            if key not in cache:
                cache[key] = _sre.compile(pattern, final_flags, code, groups, groupindex, indexgroup)
                placed += 1
            _loaded[key] = entry
        return placed
    except Exception:  # no cache yet, or one this interpreter cannot use: compile as usual
        return 0


def save() -> bool:
    """Write the patterns this run compiled, when some were not in the cache; True when written."""
    if not enabled():
        return False
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        engine = _engine_key()
        cache: dict[Any, Any] = re._cache  # type: ignore[attr-defined]
        keys = [k for k in list(cache) if k[0] in (str, bytes) and not k[2] & re.DEBUG]
        if engine is None or not keys or all(k in _loaded for k in keys):
            return False
        entries = []
        for key in keys[-MAX_PATTERNS:]:
            known = _loaded.get(key)
            if known is not None:
                entries.append(known)
                continue
            _, pattern, flags = key
            parsed = _parser.parse(pattern, flags)
            code = [int(op) for op in _compiler._code(parsed, flags)]  # opcodes are int subclasses
            groupindex = dict(parsed.state.groupdict)
            indexgroup: list[str | None] = [None] * parsed.state.groups
            for name, index in groupindex.items():
                indexgroup[index] = name
            entry = (pattern, int(flags), int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex,
                     tuple(indexgroup))
            entries.append(entry)
            _loaded[key] = entry
        from ctxlint._runtime.fsutil import write_cache

        return write_cache(CACHE_NAME, marshal.dumps({"engine": engine, "patterns": entries}))
    except Exception:  # a pattern this interpreter's compiler internals cannot describe only costs speed
        return False
