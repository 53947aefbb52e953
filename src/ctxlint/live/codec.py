"""A transcript read so far, as plain data: what a live session keeps between two processes.

The cache front stores plain data only (never pickle), so a ``Transcript`` and its events are written
as JSON: each event as ``[type index, field values...]`` in the order of its dataclass fields, which
is compact and is read back by calling the class with those values. The set of event types comes
from ``events.Event``; an event type added there is kept without a change here. The state is stamped
with ctxlint's version by its owner (``live.session``): a build whose events differ never reads it.
"""

from __future__ import annotations

import dataclasses
import typing
from functools import lru_cache
from typing import Any

from ctxlint.transcripts.events import Event, Transcript, Usage

# The Transcript fields kept as they are (JSON values); events, records and aggregate usage are encoded.
PLAIN_FIELDS = ("path", "agent", "session_id", "cwd", "started_at", "ended_at", "models", "context_window",
                "is_subagent_file", "parent_session_id", "lines", "bytes", "skipped_records", "malformed",
                "malformed_first_lines", "malformed_reasons", "extra", "totals")


@lru_cache(maxsize=1)
def _types() -> tuple[tuple[type[Any], tuple[str, ...], tuple[str, ...]], ...]:
    """(class, field names, names of the tuple fields) of every event type, in ``Event``'s order."""
    out = []
    for cls in typing.get_args(Event):
        fields = dataclasses.fields(cls)
        names = tuple(f.name for f in fields)
        tuples = tuple(f.name for f in fields if str(f.type).startswith("tuple"))
        out.append((cls, names, tuples))
    return tuple(out)


@lru_cache(maxsize=1)
def _index_of_type() -> dict[type[Any], int]:
    return {cls: i for i, (cls, _, _) in enumerate(_types())}


def encode_events(events: list[Event] | list[Usage]) -> list[list[Any]]:
    types, index = _types(), _index_of_type()
    out = []
    for e in events:
        i = index[type(e)]
        out.append([i, *(getattr(e, name) for name in types[i][1])])
    return out


def decode_events(rows: list[list[Any]]) -> list[Any]:
    types = _types()
    out: list[Any] = []
    for row in rows:
        cls, _, tuples = types[row[0]]
        event = cls(*row[1:])
        for name in tuples:
            setattr(event, name, tuple(getattr(event, name)))
        out.append(event)
    return out


def encode_transcript(t: Transcript) -> dict[str, Any]:
    data = {name: getattr(t, name) for name in PLAIN_FIELDS}
    data["events"] = encode_events(t.events)
    data["records"] = sorted(t.records) if t.records is not None else None
    data["aggregate_usage"] = encode_events(t.aggregate_usage)
    return data


def decode_transcript(data: dict[str, Any]) -> Transcript:
    t = Transcript(path=data["path"], agent=data["agent"])
    for name in PLAIN_FIELDS:
        setattr(t, name, data[name])
    t.events = decode_events(data["events"])
    t.records = frozenset(data["records"]) if data["records"] is not None else None
    t.aggregate_usage = decode_events(data["aggregate_usage"])
    return t


def index_of(t: Transcript) -> dict[int, int]:
    """``id(event)`` -> its index in ``t.events``: how a reader's state names the events it holds."""
    return {id(e): i for i, e in enumerate(t.events)}
