"""Bounded-memory line iteration over a binary file.

Yields ``(line_number, bytes | None, length)``. A line longer than ``limit`` is skipped without
being held in memory (read in chunks until its newline) and yielded as ``None`` so the caller can
count it; a 700 MB ``file-history-snapshot`` line never lands in RAM.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

DEFAULT_LIMIT = 16 * 1024 * 1024
CHUNK = 1024 * 1024


def iter_lines(fh: BinaryIO, limit: int = DEFAULT_LIMIT) -> Iterator[tuple[int, bytes | None, int]]:
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
