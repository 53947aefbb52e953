"""Transcript readers: detect the format from content, stream the file, produce a Transcript.

``read_transcript`` never raises for content problems: a bad line, an odd record, invalid UTF-8 or a
binary file become counted CTX002 diagnostics on the Transcript, and the rest is analysed. Only an
unreadable file (OSError) reaches the caller, which reports CTX001.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import orjson

from ctxlint.parsing.transcripts.events import Transcript
from ctxlint.parsing.transcripts.lines import iter_lines

if TYPE_CHECKING:
    from types import ModuleType

SNIFF_LINES = 20
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024  # single-document JSON formats are read whole; cap them


def _readers() -> tuple[ModuleType, ModuleType, ModuleType, ModuleType, ModuleType]:
    # Lazy: an instruction-file check walks the tree for transcripts and usually finds none.
    from ctxlint.parsing.transcripts import aider, claude_code, codex, gemini, generic

    return aider, claude_code, codex, gemini, generic


def _first_records(path: str) -> tuple[list[dict[str, object]], bytes]:
    records: list[dict[str, object]] = []
    with open(path, "rb") as fh:
        head = fh.read(4096)
        fh.seek(0)
        for _, line, _ in iter_lines(fh, limit=4 * 1024 * 1024):
            if line is None or not line.strip():
                continue
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError:
                if len(records) + 1 >= SNIFF_LINES:
                    break
                continue
            if isinstance(rec, dict):
                records.append(rec)
            if len(records) >= 3:
                break
    return records, head


def detect_format(path: str) -> str | None:
    """The agent that wrote ``path``, from its content; None when it is not a transcript."""
    aider, claude_code, codex, gemini, generic = _readers()
    records, head = _first_records(path)
    if aider.detect(head):
        return "aider"
    for rec in records:
        if codex.detect(rec):
            return "codex"
        if claude_code.detect(rec):
            return "claude-code"
        if gemini.detect_line(rec):
            return "gemini"
        if generic.detect_line(rec):
            return "generic"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"[") and os.path.getsize(path) <= MAX_DOCUMENT_BYTES:
        try:
            with open(path, "rb") as fh:
                doc = orjson.loads(fh.read())
        except (orjson.JSONDecodeError, OSError):
            return None
        if gemini.detect_document(doc):
            return "gemini"
        if generic.detect_document(doc):
            return "generic"
    return None


def read_transcript(path: str, use_prefilter: bool = True) -> Transcript:
    aider, claude_code, codex, _, _ = _readers()
    fmt = detect_format(path)
    t = Transcript(path=path, agent=fmt or "unknown")
    if fmt is None:
        size = os.path.getsize(path)
        t.bytes = size
        if size:
            t.add_malformed(1, "not a transcript ctxlint can read")
        return t
    with open(path, "rb") as fh:
        if fmt == "claude-code":
            claude_code.read(fh, t, use_prefilter)
        elif fmt == "codex":
            codex.read(fh, t, use_prefilter)
        elif fmt == "aider":
            aider.read(fh, t)
        else:
            _read_json(fh.read(MAX_DOCUMENT_BYTES + 1), t, fmt)
    return t


def _read_json(data: bytes, t: Transcript, fmt: str) -> None:
    _, _, _, gemini, generic = _readers()
    t.bytes = len(data)
    if len(data) > MAX_DOCUMENT_BYTES:
        t.add_malformed(1, "document too large")
        return
    try:
        doc = orjson.loads(data.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        doc = None
    if doc is not None and (gemini.detect_document(doc) or generic.detect_document(doc)):
        t.lines = data.count(b"\n") + 1
        if fmt == "gemini":
            gemini.read_document(doc, t)
        else:
            generic.read_document(doc, t)
        return
    # JSONL variant: one record per line.
    reader = gemini.GeminiReader(t)
    for number, line in enumerate(data.split(b"\n"), start=1):
        t.lines = number
        if not line.strip():
            continue
        try:
            rec = orjson.loads(line)
        except orjson.JSONDecodeError:
            t.add_malformed(number, "not JSON")
            continue
        if not isinstance(rec, dict):
            t.add_malformed(number, "not a JSON object")
            continue
        if fmt == "gemini":
            gemini.read_jsonl_record(reader, rec, number)
        else:
            generic.read_message(t, rec, number)


__all__ = ["Transcript", "detect_format", "read_transcript"]
