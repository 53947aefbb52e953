"""ctxlint: a context-hygiene linter and coach for AI coding agents.

The public API (imported on first use: ``import ctxlint`` stays cheap, start-up time is a feature):

* ``check(paths, config=None, *, jobs=None) -> Report``: what ``ctxlint check`` computes for instruction
  files, transcripts and directories;
* ``audit_file(path, config=None) -> FileResult``: one transcript's session facts and findings;
* ``audit_transcripts(paths, config=None, jobs=None) -> list[FileResult]``: many transcripts, in order,
  on the worker pool.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["audit_file", "audit_transcripts", "check"]

# Not typing.TYPE_CHECKING: importing typing is a third of the statusline's start-up (mypy reads a
# constant of this name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ctxlint.core.audit import audit_file as audit_file
    from ctxlint.core.audit import audit_paths as audit_transcripts
    from ctxlint.core.run import run_check as check

_PUBLIC = {
    "audit_file": ("ctxlint.core.audit", "audit_file"),
    "audit_transcripts": ("ctxlint.core.audit", "audit_paths"),
    "check": ("ctxlint.core.run", "run_check"),
}


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(name)
    import importlib

    module, attr = _PUBLIC[name]
    return getattr(importlib.import_module(module), attr)
