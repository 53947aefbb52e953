"""A live session's audit, read on from where the last one stopped.

A statusline runs on every change of a session that may be hundreds of MB, so the transcript is never
read twice: the reader's state and the events read so far are kept in the cache front (plain data,
``live.codec``) with the byte offset they reach, and the next audit reads only the bytes appended
since. A record cut at the end of the file (the agent is still writing it) is left for next time: the
offset always stops after a newline. The result equals a full audit of the file up to that offset
(``tests/test_live_incremental.py`` splits every fixture and corpus session at many offsets).

What is kept, under the transcript's absolute path: its identity (device, inode), the offset, the
bytes just before the offset (a file rewritten or truncated under the same name does not match them:
it is read again from the start), the audit's result at that offset, and the reader's state. The
stamp is ctxlint's version and the configuration's ``result_key``. Claude Code's and Codex's readers
can stop and go on; any other agent's file is audited whole when it changed (its result kept by its
file's stamp). ``CTXLINT_NO_CACHE`` keeps nothing: every audit reads the whole file.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any

from ctxlint.config import Config
from ctxlint.model import FileResult

LIVE = "live"  # the cache kind; each file has two entries, keyed by these prefixes and its absolute path
STATE = "state:"  # the reader's state and the events so far (large)
RESULT = "result:"  # the audit at that offset (small): read alone when nothing was appended
TAIL = 64  # bytes before the offset that must still be there
BLOCK = 64 * 1024
RESUMABLE = ("claude-code", "codex")  # the agents whose reader can stop and go on
CONTENT_ERRORS = (TypeError, AttributeError, ValueError, KeyError, IndexError, RecursionError)


@dataclass(slots=True)
class LiveFile:
    """One transcript's audit as far as it is written (``offset``: the bytes it covers)."""

    path: str
    result: FileResult
    offset: int
    read: int  # bytes read by this audit (0 when nothing was appended)
    last_context: int | None  # the context of the last main-thread request: the fill now
    last_boundary: int = 0  # the line of the last main-thread compaction or /clear (0: none)


class _Limited(io.RawIOBase):
    """The bytes of an open file from its position up to ``end`` (a record cut there is not read)."""

    def __init__(self, fh: io.FileIO, end: int) -> None:
        self._fh = fh
        self._left = end - fh.tell()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer)
        n = self._fh.readinto(view[: min(len(view), self._left)]) or 0
        self._left -= n
        return n


def complete_end(fh: io.FileIO, start: int, size: int) -> int:
    """The offset just after the last newline at or after ``start`` (``start`` when there is none)."""
    end = size
    while end > start:
        begin = max(start, end - BLOCK)
        fh.seek(begin)
        block = fh.read(end - begin)
        at = block.rfind(b"\n")
        if at != -1:
            return begin + at + 1
        end = begin
    return start


def audit(path: str, config: Config, *, to_end: bool = False) -> LiveFile:
    """The audit of ``path`` as far as complete records are written, reading only what was appended
    since the last audit. ``to_end``: a last record without its newline is read too (the session has
    ended): the result is then what ``core.audit.audit_file`` gives for the whole file."""
    from ctxlint import __version__
    from ctxlint._runtime import cache

    key = os.path.abspath(path)
    stamp = f"{__version__}:{config.result_key()}"
    try:
        st = os.stat(path)
    except OSError:
        return _whole(path, config)
    kept = cache.get_object(LIVE, RESULT + key, stamp)
    try:
        fh = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below, handed to the reader meanwhile
    except OSError:
        return _whole(path, config)
    with fh:
        identity = [st.st_dev, st.st_ino]
        offset = 0
        if kept is not None and kept.get("identity") == identity and isinstance(kept.get("offset"), int):
            offset = kept["offset"]
            if offset > st.st_size or not _tail_matches(fh, offset, kept.get("tail")):
                offset, kept = 0, None
        else:
            kept = None
        end = complete_end(fh, offset, st.st_size)
        if kept is not None and end == offset and not (to_end and end < st.st_size):
            result = _result(kept)
            if result is not None:
                return LiveFile(path, result, offset, 0, kept.get("last_context"), kept.get("last_boundary") or 0)
        from ctxlint._runtime.timeguard import FileTimeout, time_limit

        try:
            with time_limit(config.timeout_per_file):  # as every audit: a pathological file never hangs
                try:
                    return _read_on(path, fh, config, key, stamp, identity, offset if kept is not None else 0,
                                    end, st.st_size, to_end)
                except CONTENT_ERRORS:
                    if kept is None:
                        raise
                    # A kept state that does not hold what this build wrote (damaged, planted): never
                    # trusted, the file is read again from its start.
                    return _read_on(path, fh, config, key, stamp, identity, 0, end, st.st_size, to_end)
        except FileTimeout:
            return _whole(path, config)  # which reports it as CTX001


def _read_on(path: str, fh: io.FileIO, config: Config, key: str, stamp: str, identity: list[int], offset: int,
             end: int, size: int, to_end: bool) -> LiveFile:
    import orjson

    from ctxlint._runtime import cache
    from ctxlint._runtime.fsutil import display_path
    from ctxlint.core.audit import audit_transcript
    from ctxlint.live import codec
    from ctxlint.transcripts.lines import READ_BUFFER
    from ctxlint.transcripts.reading import completed, detect_format, reader_module

    t = reader = None
    module: Any = None
    if offset:
        blob = cache.get(LIVE, STATE + key, stamp)
        try:
            data = orjson.loads(blob) if blob is not None else None
            if data is not None and data["offset"] == offset and data["identity"] == identity:
                t = codec.decode_transcript(data["transcript"])
                module = reader_module(t.agent) if t.agent in RESUMABLE else None
                reader = module.Reader.resume(t, data["reader"]) if module is not None else None
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError):
            t = reader = None
    if t is None or reader is None:
        offset = 0
        if end == 0 and not to_end:  # not one whole record yet: what an empty file gives
            from ctxlint.transcripts.events import Transcript

            return LiveFile(path, audit_transcript(Transcript(path=path, agent="unknown"), display_path(path),
                                                   config), 0, 0, None)
        try:
            fmt = detect_format(path)
        except OSError:
            fmt = None
        if fmt not in RESUMABLE:
            return _whole(path, config)
        from ctxlint.transcripts.events import Transcript

        assert fmt is not None
        module = reader_module(fmt)
        t = Transcript(path=path, agent=fmt)
        reader = module.Reader(t, stable=True)
    fh.seek(offset)
    stream = io.BufferedReader(_Limited(fh, end), READ_BUFFER)
    reader.feed(module.records_from(stream, t, t.lines))
    state = {"identity": identity, "offset": end, "transcript": codec.encode_transcript(t),
             "reader": reader.state(codec.index_of(t))}
    state_blob = orjson.dumps(state)  # before ``finish``, which completes the events in place
    if to_end and end < size:
        fh.seek(end)
        reader.feed(module.records_from(io.BufferedReader(_Limited(fh, size), READ_BUFFER), t, t.lines))
    reader.finish()
    completed(t)
    result = audit_transcript(t, display_path(path), config)
    last, boundary = _now(t)
    if not (to_end and end < size):
        import msgspec

        fh.seek(max(0, end - TAIL))
        tail = fh.read(end - max(0, end - TAIL)).hex()
        kept = {"identity": identity, "offset": end, "tail": tail, "last_context": last, "last_boundary": boundary,
                "result": orjson.loads(msgspec.json.encode(result))}
        # One transaction for both (a kept result always has its state beside it).
        cache.put_many(LIVE, [(STATE + key, state_blob, stamp), (RESULT + key, orjson.dumps(kept), stamp)])
    return LiveFile(path, result, end, end - offset, last, boundary)


def _tail_matches(fh: io.FileIO, offset: int, tail: Any) -> bool:
    if not isinstance(tail, str):
        return False
    start = max(0, offset - TAIL)
    fh.seek(start)
    return fh.read(offset - start).hex() == tail


def _result(kept: dict[str, Any]) -> FileResult | None:
    import msgspec

    try:
        return msgspec.convert(kept.get("result"), type=FileResult)
    except (msgspec.ValidationError, TypeError):
        return None


def _now(t: Any) -> tuple[int | None, int]:
    """The context of the session's last main-thread request (its fill now) and the line of its last
    main-thread compaction or /clear (what came before it is no longer in the context)."""
    from ctxlint.transcripts.events import Clear, Compaction, Usage

    main_only = not t.is_subagent_file
    last: int | None = None
    boundary = 0
    for e in reversed(t.events):
        if (main_only and e.sidechain) or e.replayed:
            continue
        if last is None and type(e) is Usage and e.input_known:
            last = int(e.context_tokens)
        elif not boundary and (type(e) is Compaction or type(e) is Clear):
            boundary = e.line
        if last is not None and boundary:
            break
    return last, boundary


def _whole(path: str, config: Config) -> LiveFile:
    """A file no reader can read on from an offset: audited whole (the coach's cache keeps the result
    of an unchanged file)."""
    from ctxlint.coach.collect import cached_results

    result = cached_results([path], config)[0]
    return LiveFile(path, result, result.session.get("bytes", 0) if result.session else 0, 0, None)
