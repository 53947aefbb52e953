"""Bounded-memory line iteration over a binary file.

Yields ``(line_number, bytes | None, length)``. A line longer than ``limit`` is skipped without
being held in memory (read in chunks until its newline) and yielded as ``None`` so the caller can
count it; a 700 MB ``file-history-snapshot`` line never lands in RAM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

if TYPE_CHECKING:
    from ctxlint.parsing.transcripts.events import Transcript

DEFAULT_LIMIT = 16 * 1024 * 1024
CHUNK = 1024 * 1024


MIN_LIMIT = 4  # a UTF-8 BOM (3 bytes) must fit in the first read to be recognised


def iter_lines(fh: BinaryIO, limit: int = DEFAULT_LIMIT) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, line bytes or None when longer than limit, length in bytes)``.

    Line endings stay on the line (``\n`` or ``\r\n``); a UTF-8 BOM at the start of the file is
    dropped (and not counted); a last line without a newline is yielded as it is.
    """
    limit = max(limit, MIN_LIMIT)
    number = 0
    readline = fh.readline
    while True:
        line = readline(limit)
        if not line:
            return
        number += 1
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if line.endswith(b"\n") or len(line) < limit:
            yield number, line, len(line)
            continue
        # Over the limit: drain the rest of this line in chunks, keeping only its length.
        length = len(line)
        del line
        while True:
            chunk = readline(CHUNK)
            if not chunk:
                break
            length += len(chunk)
            if chunk.endswith(b"\n"):
                break
        yield number, None, length


def json_records(
    fh: BinaryIO, t: Transcript, skip: Callable[[bytes], bool] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` for every JSON-object line, counting lines and bytes on ``t``.

    Oversize lines and lines ``skip`` recognises from their bytes are counted as skipped without
    parsing; lines that are not JSON objects become CTX002 diagnostics on ``t``.
    """
    for number, line, length in iter_lines(fh):
        t.lines = number
        t.bytes += length
        if line is None:
            t.skipped_records += 1  # an oversize record (snapshots can be 100s of MB): never needed
            continue
        stripped = line.strip()
        if not stripped:
            continue
        # Only whole-looking records are skipped: a truncated one must still be reported as malformed.
        if skip is not None and stripped.endswith(b"}") and skip(stripped):
            t.skipped_records += 1
            continue
        try:
            rec = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            rec = repair_utf8(stripped)
            if rec is None:
                t.add_malformed(number, "not JSON" if stripped.endswith(b"}") else "truncated or not JSON")
                continue
            # Valid JSON apart from bytes that are not UTF-8: report it, but keep the record (its
            # usage still counts) with the bad bytes replaced by U+FFFD.
            t.add_malformed(number, "invalid UTF-8")
        if not isinstance(rec, dict):
            t.add_malformed(number, "not a JSON object")
            continue
        yield number, rec


def repair_utf8(line: bytes) -> Any:
    try:
        line.decode("utf-8")
        return None  # valid UTF-8: the JSON itself is broken
    except UnicodeDecodeError:
        pass
    try:
        return orjson.loads(line.decode("utf-8", "replace"))
    except orjson.JSONDecodeError:
        return None
