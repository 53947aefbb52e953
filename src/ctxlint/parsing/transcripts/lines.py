"""Bounded-memory line iteration over a binary file.

Lines are split out of 1 MiB blocks (a ``readline`` call per line costs more than the JSON parse of
a short record). A line longer than ``limit`` is skipped without being held in memory (drained
block by block) and reported by its length so the caller can count it; a 700 MB
``file-history-snapshot`` line never lands in RAM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

if TYPE_CHECKING:
    from ctxlint.parsing.transcripts.events import Transcript

DEFAULT_LIMIT = 16 * 1024 * 1024
BLOCK = 1024 * 1024  # read size; a line is split out of blocks, so per-line cost is one list item
BOM = b"\xef\xbb\xbf"
READ_BUFFER = 1024 * 1024  # buffer size to open transcripts with: readline then scans it with memchr
MIN_LIMIT = 4  # kept for callers that pass tiny limits (tests): a line needs room for one byte and "\n"


def line_batches(
    fh: BinaryIO, limit: int = DEFAULT_LIMIT, block_size: int = BLOCK
) -> Iterator[tuple[list[bytes | int], int, bool]]:
    """Lines in batches, one batch per block read: ``(lines, bytes consumed, last line unterminated)``.

    Each line is its bytes without the ``\n`` (a ``\r`` stays), or, for a line longer than
    ``limit`` bytes with its newline, its length as an int: such a line is drained block by block
    and never held whole. A UTF-8 BOM at the start of the file is dropped and not counted. Only the
    last batch can have an unterminated last line (a file without a final newline). Sniffers that
    want only the first lines pass a small ``block_size``.
    """
    limit = max(limit, MIN_LIMIT)
    read = fh.read
    pending: bytes | bytearray = b""  # the unterminated start of the next line, shorter than limit
    drained = -1  # bytes so far of an over-limit line being skipped, or -1
    block = read(max(block_size, len(BOM)))
    if block.startswith(BOM):
        block = block[3:] or read(block_size)
    while block:
        size = len(block)
        pieces: list[Any] = block.split(b"\n")
        tail = pieces.pop()
        if pieces:
            if drained >= 0:
                pieces[0] = drained + len(pieces[0]) + 1
                drained = -1
            elif pending:
                pieces[0] = bytes(pending) + pieces[0]
                pending = b""
            if limit <= block_size or (pieces[0].__class__ is bytes and len(pieces[0]) >= limit):
                pieces = [p if p.__class__ is int or len(p) < limit else len(p) + 1 for p in pieces]
            pending = tail
        elif drained >= 0:
            drained += len(tail)
            tail = b""
        else:
            if pending.__class__ is bytes:
                pending = bytearray(pending)  # a line across many blocks grows in place, not quadratically
            pending += tail
        if len(pending) >= limit:
            drained, pending = len(pending), b""
        yield pieces, size, False
        block = read(block_size)
    if pending:
        yield [bytes(pending)], 0, True
    elif drained >= 0:
        yield [drained], 0, True


def iter_lines(
    fh: BinaryIO, limit: int = DEFAULT_LIMIT, block_size: int = BLOCK
) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, line bytes or None when longer than limit, length in bytes)``.

    Line endings stay on the line (``\n`` or ``\r\n``); a UTF-8 BOM at the start of the file is
    dropped (and not counted); a last line without a newline is yielded as it is.
    """
    number = 0
    for lines, _size, open_end in line_batches(fh, limit, block_size):
        last = len(lines) - 1
        for i, item in enumerate(lines):
            number += 1
            if isinstance(item, int):
                yield number, None, item
            else:
                line = item if open_end and i == last else item + b"\n"
                yield number, line, len(line)


def json_records(
    fh: BinaryIO,
    t: Transcript,
    skip: Callable[[bytes], bool] | None = None,
    parse: Callable[[bytes], Any] = orjson.loads,
    limit: int = DEFAULT_LIMIT,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` for every JSON-object line, counting lines and bytes on ``t``.

    Oversize lines and lines ``skip`` recognises from their bytes are counted as skipped without
    parsing; lines that are not JSON objects become CTX002 diagnostics on ``t``. ``parse`` may
    leave out parts of a record the reader does not need; it must raise ``orjson.JSONDecodeError``
    for a line that is not JSON. This loop runs once per line of every transcript: it keeps its
    counters in locals and does the least work first.

    Lines come from ``readline(limit)``, which finds the newline with memchr in the file's buffer
    (open the file with a large buffer, see ``READ_BUFFER``): ~4x fewer instructions than splitting
    blocks, whose byte-by-byte loop was an eighth of a Claude Code audit. A line of ``limit`` bytes
    or more is drained piece by piece, never held whole. A UTF-8 BOM at the start is dropped and
    not counted, as in ``line_batches``.
    """
    limit = max(limit, MIN_LIMIT)
    readline = fh.readline
    number = 0
    skipped = 0
    consumed = 0
    try:
        line = readline(limit + len(BOM))  # the first line has room for a BOM
        if line.startswith(BOM):
            line = line[len(BOM):]
        while line:
            number += 1
            size = len(line)
            consumed += size
            if size >= limit and size - (line[-1:] == b"\n") >= limit:
                while not line.endswith(b"\n"):  # an oversize record (snapshots can be 100s of MB)
                    line = readline(limit)
                    if not line:
                        break
                    consumed += len(line)
                skipped += 1
                line = readline(limit)
                continue
            stripped = line.strip()
            line = readline(limit)
            if not stripped:
                continue
            # Only whole-looking records are skipped: a truncated one must still be reported as malformed.
            if skip is not None and stripped.endswith(b"}") and skip(stripped):
                skipped += 1
                continue
            try:
                rec = parse(stripped)
            except orjson.JSONDecodeError:
                rec = repair_utf8(stripped)
                if rec is None:
                    t.add_malformed(number, "not JSON" if stripped.endswith(b"}") else "truncated or not JSON")
                    continue
                # Valid JSON apart from bytes that are not UTF-8: report it, but keep the record (its
                # usage still counts) with the bad bytes replaced by U+FFFD.
                t.add_malformed(number, "invalid UTF-8")
            if rec.__class__ is not dict:
                t.add_malformed(number, "not a JSON object")
                continue
            yield number, rec
    finally:
        t.lines = number
        t.bytes += consumed
        t.skipped_records += skipped


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
