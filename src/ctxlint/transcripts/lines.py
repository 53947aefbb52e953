"""Bounded-memory line iteration over a binary file.

Lines come from ``readline(limit)``, which finds the newline with memchr in the file's buffer: open
transcripts with a large buffer (``READ_BUFFER``). Splitting 1 MiB blocks with ``bytes.split`` was
tried and takes ~4x more instructions (its byte-by-byte loop was an eighth of a Claude Code audit).
A line of ``limit`` bytes or more is drained piece by piece and reported by its length, so the
caller can count it; a 700 MB ``file-history-snapshot`` line never lands in RAM.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

if TYPE_CHECKING:
    from ctxlint.transcripts.events import Transcript

DEFAULT_LIMIT = 16 * 1024 * 1024
READ_BUFFER = 1024 * 1024  # buffer size to open transcripts with: readline then scans it with memchr
BOM = b"\xef\xbb\xbf"
# What a ``parse`` function returns for a record it recognised, from its bytes, as one to skip:
# one call per line decides both (a separate ``skip`` call repeats the reader's byte searches).
SKIP_RECORD: Any = object()
MIN_LIMIT = 4  # kept for callers that pass tiny limits (tests): a line needs room for one byte and "\n"


def raw_lines(fh: BinaryIO, limit: int = DEFAULT_LIMIT) -> Iterator[bytes | int]:
    """Each line with its ``\n`` (a ``\r`` stays; the last line may have none), or, for a line of
    ``limit`` bytes or more without its newline, its length in bytes as an int: such a line is
    drained piece by piece and never held whole. A UTF-8 BOM at the start of the file is dropped
    and not counted."""
    limit = max(limit, MIN_LIMIT)
    for line in _lines(fh, limit):
        if len(line) >= limit and not _ends_within(line, limit):
            yield _drain(fh, line, limit)
        else:
            yield line


def _lines(fh: BinaryIO, limit: int, at_start: bool = True) -> Iterator[bytes]:
    """``readline(limit)`` until the end, as a C-level iterator (no generator frame per line); the
    first line of a file (``at_start``) has room for a BOM, which is dropped."""
    first = fh.readline(limit + len(BOM)) if at_start else fh.readline(limit)
    if at_start and first.startswith(BOM):
        first = first[len(BOM) :]
    if not first:
        return iter(())
    return itertools.chain((first,), iter(functools.partial(fh.readline, limit), b""))


def _ends_within(line: bytes, limit: int) -> bool:
    """Whether a line that filled the read limit still ends there (its newline is the last byte)."""
    return len(line) - (line[-1:] == b"\n") < limit


def _drain(fh: BinaryIO, line: bytes, limit: int) -> int:
    """Read the rest of an oversize line piece by piece; its whole length in bytes."""
    size = len(line)
    while not line.endswith(b"\n"):
        line = fh.readline(limit)
        if not line:
            break
        size += len(line)
    return size


def iter_lines(fh: BinaryIO, limit: int = DEFAULT_LIMIT) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, line bytes or None when longer than limit, length in bytes)``.

    Line endings stay on the line (``\n`` or ``\r\n``); a UTF-8 BOM at the start of the file is
    dropped (and not counted); a last line without a newline is yielded as it is.
    """
    for number, item in enumerate(raw_lines(fh, limit), start=1):
        if isinstance(item, int):
            yield number, None, item
        else:
            yield number, item, len(item)


def json_records(
    fh: BinaryIO,
    t: Transcript,
    skip: Callable[[bytes], bool] | None = None,
    parse: Callable[[bytes], Any] = orjson.loads,
    limit: int = DEFAULT_LIMIT,
    struct: type | None = None,
    first_line: int = 0,
) -> Iterator[tuple[int, Any]]:
    """``(line number, record)`` for every JSON-object line, counting lines and bytes on ``t``.

    Oversize lines and lines ``skip`` recognises from their bytes are counted as skipped without
    parsing (``parse`` may also recognise them: it then returns ``SKIP_RECORD``). ``skip`` and
    ``parse`` get the record with its line ending (``\n``) or, for any other line, stripped of
    surrounding whitespace. Lines that are not JSON objects become CTX002 diagnostics on ``t``.
    ``parse`` only gets whole-looking records (ending in ``}``): it may leave out parts of a record
    the reader does not need, and must raise ``orjson.JSONDecodeError`` for a line that is not JSON.
    This loop runs once per line of every transcript: it keeps its counters in locals and does the
    least work first.

    A ``parse`` that decodes records into a ``struct`` class (not dicts) names it: those records are
    objects too. Lines are split as ``raw_lines`` splits them (open the file with ``READ_BUFFER``).

    ``first_line``: the lines already read before the file's position (a live session read on from
    where it was left, ``ctxlint.live``); numbering goes on from there and no BOM is looked for.
    """
    number = first_line
    skipped = 0
    consumed = 0
    limit = max(limit, MIN_LIMIT)
    try:
        # raw_lines, inlined: this loop runs for every line of every transcript
        for line in _lines(fh, limit, first_line == 0):
            number += 1
            size = len(line)
            if size >= limit and not _ends_within(line, limit):
                consumed += _drain(fh, line, limit)
                skipped += 1  # an oversize record (snapshots can be 100s of MB): never needed
                continue
            consumed += size
            if line.endswith(b"}\n"):
                # The common case, without a copy of the line: JSON allows the trailing newline.
                record, whole = line, True
            else:
                record = line.strip()
                if not record:
                    continue
                whole = record.endswith(b"}")
            # Only whole-looking records are skipped: a truncated one must still be reported as malformed.
            if whole and skip is not None and skip(record):
                skipped += 1
                continue
            try:
                # A line cut short is never skipped nor given to ``parse``: orjson reports it.
                rec = parse(record) if whole else orjson.loads(record)
            except orjson.JSONDecodeError:
                rec = repair_utf8(record)
                if rec is None:
                    t.add_malformed(number, "not JSON" if whole else "truncated or not JSON")
                    continue
                # Valid JSON apart from bytes that are not UTF-8: report it, but keep the record (its
                # usage still counts) with the bad bytes replaced by U+FFFD.
                t.add_malformed(number, "invalid UTF-8")
            if rec.__class__ is not dict and rec.__class__ is not struct:
                if rec is SKIP_RECORD and whole:
                    skipped += 1
                    continue
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
