"""Transcript readers: detect the format from content, stream the file, produce a Transcript.

The machinery lives in ``reading`` and is imported on first use (PEP 562): an instruction-file
check walks the tree through ``discover`` and, when it finds no transcript, never pays for the
readers, the event classes or orjson.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ctxlint.transcripts.reading import Transcript, detect_format, read_transcript

__all__ = ["Transcript", "detect_format", "read_transcript"]


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    # import_module, not "from . import reading": that form asks this very __getattr__ for "reading"
    reading = importlib.import_module("ctxlint.transcripts.reading")
    value = getattr(reading, name)
    globals()[name] = value  # later lookups (one per discovered file) no longer come through here
    return value
