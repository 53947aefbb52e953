"""ctxlint: a context-hygiene linter and coach for AI coding agents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ctxlint.core.audit import audit_file as audit_file


def __getattr__(name: str) -> Any:
    # Lazy: `import ctxlint` must stay cheap (the CLI's start-up time is a product feature).
    if name == "audit_file":
        from ctxlint.core.audit import audit_file

        return audit_file
    raise AttributeError(name)
