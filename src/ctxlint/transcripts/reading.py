"""Reading a transcript: detect the format from content, stream the file, produce a Transcript.

``read_transcript`` never raises for content problems: a bad line, an odd record, invalid UTF-8 or a
binary file become counted CTX002 diagnostics on the Transcript, and the rest is analysed. Only an
unreadable file (OSError) reaches the caller, which reports CTX001.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, BinaryIO

import orjson

from ctxlint.transcripts.events import Transcript
from ctxlint.transcripts.lines import READ_BUFFER, iter_lines, json_records, repair_utf8
from ctxlint.transcripts.readers.common import OUT_OF_RANGE, OutOfRange

if TYPE_CHECKING:
    from types import ModuleType

SNIFF_LINES = 20
SNIFF_LIMIT = 4 * 1024 * 1024
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024  # single-document JSON formats are read whole; cap them


@lru_cache(maxsize=1)
def _readers() -> dict[str, ModuleType]:
    # Lazy: an instruction-file check walks the tree for transcripts and usually finds none.
    from ctxlint.transcripts.readers import (
        aider,
        amp,
        claude_code,
        cline,
        codex,
        copilot,
        cursor,
        gemini,
        generic,
        qwen,
    )

    return {"aider": aider, "amp": amp, "claude-code": claude_code, "cline": cline, "codex": codex,
            "copilot-cli": copilot, "cursor": cursor, "gemini": gemini, "generic": generic, "qwen-code": qwen}


def reader_module(agent: str) -> ModuleType:
    """The reader of an agent's line format (``claude-code``, ``codex``, ...)."""
    return _readers()[agent]


# The formats of JSONL files, in the order they are tried on each of the first records: the more
# specific first (Qwen Code's records also look like Claude Code's: a type, a uuid, a sessionId).
LINE_FORMATS = ("codex", "copilot-cli", "qwen-code", "claude-code", "cursor")
CLINE_SDK = "cline-sdk"  # Cline >= 4's <id>.messages.json (the agent is Cline)


def _first_records(fh: BinaryIO) -> Iterator[dict[str, object]]:
    """The first few JSON-object lines (at most ``SNIFF_LINES`` non-empty lines are tried, at most 5
    records), parsed one at a time: detection usually stops at the first."""
    tried = found = 0
    for _, line, _ in iter_lines(fh, limit=SNIFF_LIMIT):
        if line is None or not line.strip():
            continue
        tried += 1
        if tried > SNIFF_LINES:
            return
        try:
            rec = orjson.loads(line)
        except orjson.JSONDecodeError:
            rec = repair_utf8(line.strip())
        if isinstance(rec, dict):
            yield rec
            found += 1
            if found >= 5:
                return


CONTENT_ERRORS = (TypeError, AttributeError, ValueError, KeyError, IndexError, RecursionError)


def detect_format(path: str) -> str | None:
    """The agent that wrote ``path``, from its content; None when it is not a transcript. A session
    store that is a database (or an address of one of its sessions, ``db#session``) is detected from
    its tables.

    Raises only OSError; content that confuses a detector means "not a transcript".
    """
    from ctxlint.transcripts import stores

    database, _ = stores.split(path)
    if stores.is_sqlite(database):
        return stores.detect_store(database)
    with open(path, "rb") as fh:
        return _detect_in(fh)


def _detect_in(fh: BinaryIO) -> str | None:
    """``detect_format`` of an open file (read from its start; its position is left anywhere)."""
    try:
        return _detect(fh)
    except CONTENT_ERRORS:
        return None


def _detect(fh: BinaryIO) -> str | None:
    readers = _readers()
    head = fh.read(4096)
    if readers["aider"].detect(head):
        return "aider"
    # Not JSONL when it does not start with an object (a JSON document, Markdown, binary).
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        fh.seek(0)
        for rec in _first_records(fh):
            for fmt in LINE_FORMATS:
                if readers[fmt].detect(rec):
                    return fmt
            if readers["gemini"].detect_line(rec):
                return "gemini"
            if readers["generic"].detect_line(rec):
                return "generic"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"[") and os.fstat(fh.fileno()).st_size <= MAX_DOCUMENT_BYTES:
        fh.seek(0)
        try:
            doc = orjson.loads(fh.read())
        except (orjson.JSONDecodeError, OSError):
            return None
        return _document_format(doc)
    return None


def _document_format(doc: object) -> str | None:
    readers = _readers()
    if readers["amp"].detect_document(doc):
        return "amp"
    if readers["cline"].detect_document(doc):
        return "cline"
    if readers["cline"].detect_sdk_document(doc):
        return CLINE_SDK
    if readers["gemini"].detect_document(doc):
        return "gemini"
    if readers["generic"].detect_document(doc):
        return "generic"
    return None


def read_transcript(path: str, use_prefilter: bool = True) -> Transcript:
    """Parse ``path`` into a Transcript. Raises only OSError (unreadable file).

    The file is opened once: the format is detected from its first records, then it is read from
    its start through the same buffer. A session in a database is read from its rows (``stores``)."""
    from ctxlint.transcripts import stores

    database, session_id = stores.split(path)
    if session_id is not None or stores.is_sqlite(path):
        return _read_store(path, database, session_id)
    with open(path, "rb", buffering=READ_BUFFER) as fh:
        fmt = _detect_in(fh)
        t = Transcript(path=path, agent="cline" if fmt == CLINE_SDK else fmt or "unknown")
        if fmt is None:
            size = os.fstat(fh.fileno()).st_size
            t.bytes = size
            if size:
                t.add_malformed(1, "not a transcript ctxlint can read")
            return t
        fh.seek(0)
        try:
            _read(fh, t, fmt, use_prefilter)
        except OutOfRange:
            # A reader that reads a whole document at once stops at an absurd number: the rest of the
            # document is one malformed record, the run goes on (readers of lines skip just the line).
            t.add_malformed(max(t.lines, 1), OUT_OF_RANGE)
        except CONTENT_ERRORS as exc:
            # Safety net: the readers guard each record, so this is a shape no guard foresaw. Keep what
            # was read and report the rest as one malformed diagnostic instead of failing the run.
            t.add_malformed(max(t.lines, 1), f"unreadable content ({type(exc).__name__})")
    completed(t)
    return t


def completed(t: Transcript) -> None:
    """What is known of a transcript once all of it is read, whatever read it (a live session read on
    from an offset too): a session a program drove (a memory plugin's observer fed the events of
    another session) records no prompts of a person: the rules about how someone prompts are skipped
    for it, and say so."""
    from ctxlint.transcripts.agents import records_of
    from ctxlint.transcripts.readers.common import program_fed

    if program_fed(t.events):
        t.records = (t.records if t.records is not None else records_of(t.agent)) - {"prompts"}


def _read_store(path: str, database: str, session_id: str | None) -> Transcript:
    """One session of a database store. A database given without a session is read when it holds one
    root session; otherwise it is reported, as its sessions are checked one address at a time."""
    import sqlite3

    from ctxlint.transcripts import stores

    t = Transcript(path=path, agent="unknown")
    t.bytes = os.stat(database).st_size if session_id is None else 0
    try:
        con = stores.connect(database)
    except sqlite3.Error as exc:
        t.add_malformed(1, f"unreadable database ({exc})")
        return t
    try:
        found = stores.store_format(con, database)
        if found is None:
            t.add_malformed(1, "not a session store ctxlint can read")
            return t
        module, t.agent = found
        if session_id is None:
            roots = module.list_sessions(con)
            if len(roots) != 1:
                t.add_malformed(1, f"a store of {len(roots)} sessions: check each as {database}#<session id> "
                                   "(checking the store's directory lists them)")
                return t
            session_id = roots[0][0]
        module.read(con, session_id, t)
    except sqlite3.Error as exc:
        t.add_malformed(max(t.lines, 1), f"unreadable database ({exc})")
    except OutOfRange:
        t.add_malformed(max(t.lines, 1), OUT_OF_RANGE)
    except CONTENT_ERRORS as exc:
        t.add_malformed(max(t.lines, 1), f"unreadable content ({type(exc).__name__})")
    finally:
        con.close()
    return t


def _read(fh: BinaryIO, t: Transcript, fmt: str, use_prefilter: bool) -> None:
    readers = _readers()
    if fmt in ("claude-code", "codex"):
        readers[fmt].read(fh, t, use_prefilter)
    elif fmt == "aider":
        readers["aider"].read(fh, t)
    elif _is_jsonl(fh):
        fh.seek(0)
        _read_jsonl(fh, t, fmt)
    else:
        fh.seek(0)
        _read_document(fh.read(MAX_DOCUMENT_BYTES + 1), t, fmt)


def _is_jsonl(fh: BinaryIO) -> bool:
    """One JSON object per line: the first non-empty line is a whole object and another line follows.

    A pretty-printed document starts with a bare ``{``/``[`` line; a one-line document has no second
    line. Only the first two non-empty lines are read.
    """
    seen = 0
    for _, line, _ in iter_lines(fh, limit=SNIFF_LIMIT):
        if line is None:
            return seen == 1
        if not line.strip():
            continue
        seen += 1
        if seen == 1:
            try:
                if not isinstance(orjson.loads(line), dict):
                    return False
            except orjson.JSONDecodeError:
                return False
        else:
            return True
    return False


def _read_document(data: bytes, t: Transcript, fmt: str) -> None:
    readers = _readers()
    gemini, generic = readers["gemini"], readers["generic"]
    t.bytes = len(data)
    if len(data) > MAX_DOCUMENT_BYTES:
        t.add_malformed(1, "document too large")
        return
    t.lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    try:
        doc = orjson.loads(data.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        t.add_malformed(1, "not JSON")
        return
    document = _document_format(doc)
    if fmt == "amp" and document == fmt:
        readers["amp"].read_document(doc, t, data)
    elif fmt == "cline" and document == fmt:
        readers["cline"].read_document(doc, t)
    elif fmt == CLINE_SDK and document == fmt:
        readers["cline"].read_sdk_document(doc, t)
    elif fmt == "gemini" and gemini.detect_document(doc):
        gemini.read_document(doc, t, data)
    elif generic.detect_document(doc):
        generic.read_document(doc, t)
    elif isinstance(doc, dict):  # a one-record JSONL file
        if fmt == "gemini":
            gemini.read_jsonl_record(gemini.GeminiReader(t), doc, 1)
        else:
            generic.read_message(t, doc, 1)


def _read_jsonl(fh: BinaryIO, t: Transcript, fmt: str) -> None:
    readers = _readers()
    gemini, generic = readers["gemini"], readers["generic"]
    if fmt in ("copilot-cli", "cursor", "qwen-code"):
        reader = readers[fmt].Reader(t)
        for number, rec in json_records(fh, t):
            reader.record(rec, number)
        if fmt == "copilot-cli":
            reader.finish()  # the usage database beside the log, or the shutdown roll-ups
        return
    if fmt == "gemini":
        reader = gemini.GeminiReader(t)
        for number, rec in json_records(fh, t):
            gemini.read_jsonl_record(reader, rec, number)
    else:
        greader = generic.GenericReader(t)
        for number, rec in json_records(fh, t):
            greader.message(rec, number)


__all__ = ["Transcript", "detect_format", "read_transcript"]
