"""The normalised event stream every transcript reader produces.

Readers (one module per agent) turn their format into these events, in file order. Rules only
ever see these types, never raw records. Payloads are kept small on purpose: a tool result keeps
its size, a short head for evidence and the structured fields rules need (path, line range), not
its body, so a 500 MB transcript becomes a list of compact events.

``line`` is the 1-based line of the record in a line-oriented file (JSONL, Markdown). Where a
store has no useful lines — a single-document JSON file (Amp threads, Cline/Roo task files) or a
database (OpenCode, Crush, Goose) — it is the record's position in the session instead (its message
or part number, counted from 1 in the order the agent wrote them), so events stay in order and a
finding still points at one record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def parse_timestamp(value: str | None) -> datetime | None:
    """An event's ``timestamp`` (ISO 8601, ``Z`` or an offset, as every reader writes it) as a datetime;
    None when absent or unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(slots=True)
class Prompt:
    """Text the user typed or pasted (not tool results, not injected meta rows)."""

    line: int
    timestamp: str | None
    text: str  # capped (see readers.common.PROMPT_TEXT_CAP); chars holds the full size
    chars: int
    tokens_est: int
    sidechain: bool = False
    is_meta: bool = False  # injected rows (isMeta, system reminders, AGENTS.md blocks)
    command: str | None = None  # "/clear", "/compact", ... when the row is a slash command
    is_interrupt: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work
    # The line of the record this prompt answers (Claude Code's parentUuid), when known: a prompt
    # whose parent lies before an earlier prompt was written after a rewind (/rewind, an edited prompt).
    parent_line: int | None = None


@dataclass(slots=True)
class AssistantText:
    """Text the model wrote (its size and a short head)."""

    line: int
    timestamp: str | None
    chars: int
    text_head: str = ""
    sidechain: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class Thinking:
    """A thinking block (its size only)."""

    line: int
    timestamp: str | None
    chars: int
    sidechain: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class ToolCall:
    """A tool call with its inputs normalised across agents."""

    line: int
    timestamp: str | None
    call_id: str
    name: str  # tool name as the agent calls it: Read, Bash, shell, exec_command, read_file, ...
    # Normalised inputs (None when not applicable):
    command: str | None = None  # shell command line for Bash/shell/exec tools
    path: str | None = None  # file path for read/edit/write tools
    offset: int | None = None  # first line requested (1-based) for ranged reads
    limit: int | None = None  # number of lines requested
    pattern: str | None = None  # search pattern for Grep/Glob tools
    is_edit: bool = False  # Edit/Write/MultiEdit/apply_patch/NotebookEdit/write_file/replace
    edit_paths: tuple[str, ...] = ()  # every path an edit touches (apply_patch can touch several)
    is_subagent: bool = False  # Task/Agent tool: delegates to a subagent
    subagent_type: str | None = None  # the kind of subagent asked for (Explore, Plan, a custom agent's name)
    input_chars: int = 0
    input_key: int | None = None  # a hash of the whole input: the same call made again has the same key
    cwd: str | None = None  # the directory a shell call ran in, when it names one (Codex's `workdir`)
    sidechain: bool = False
    # What the tool does whatever the agent calls it (readers.common.tool_kind): "read" (one file,
    # maybe a line range), "search" (grep, glob, listings), or "" for anything else.
    kind: str = ""
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class ToolResult:
    """What a tool returned into the context: its size, a short head and the fields rules need."""

    line: int
    timestamp: str | None
    call_id: str
    chars: int  # size of the model-visible payload (tool_result content), not toolUseResult
    tokens_est: int
    is_error: bool = False
    head: str = ""  # first ~300 chars, for evidence and error matching (secrets masked later)
    tail: str = ""  # a failed result's last ~300 chars: where a traceback's exception or a hook's verdict is
    # The output lines that say whether a commit, push, pull request or test run completed (see
    # transcripts.outcomes; kept only for the calls that can complete a loop).
    evidence: tuple[str, ...] = ()
    path: str | None = None  # Read: file.filePath
    start_line: int | None = None
    num_lines: int | None = None
    total_lines: int | None = None
    unchanged_stub: bool = False  # Claude Code's cheap "file unchanged" answer to a repeat Read
    persisted: bool = False  # output spilled to disk (<persisted-output>), only a preview in context
    # Where a spilled output was saved (its file name) and its full size in characters: the saved file's
    # when it is beside the session, else what the reference says ("Output too large (38.8KB)").
    persisted_file: str | None = None
    persisted_chars: int | None = None
    mentions: tuple[str, ...] = ()  # a subagent's report: the file names it mentions
    image_tokens: int = 0  # images inside the result
    lines: int | None = None  # lines of the model-visible payload, when the reader counted them
    sidechain: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class Image:
    """An image the user pasted (images inside tool results are counted on the ToolResult)."""

    line: int
    timestamp: str | None
    tokens_est: int
    media_type: str | None = None
    width: int | None = None
    height: int | None = None
    sidechain: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class Usage:
    """One de-duplicated API request. Readers merge repeated lines into one Usage in place.

    ``input_tokens`` is fresh (uncached) input for every agent; for Codex the reader subtracts
    the cached part, so the same fields mean the same thing everywhere.
    """

    line: int
    timestamp: str | None
    request_key: str
    model: str | None
    input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_1h_tokens: int = 0
    reasoning_output_tokens: int = 0
    context_window: int | None = None  # declared in the record (Codex model_context_window)
    sidechain: bool = False
    # False when the store does not record this request's input (Copilot CLI without its usage
    # database, Crush, Goose, Cursor): the request happened, but its context size is unknown, so it is
    # never priced and never taken as a measurement of the context.
    input_known: bool = True
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work

    @property
    def context_tokens(self) -> int:
        """What the model saw on this request: every input token, cached or not."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens


@dataclass(slots=True)
class Compaction:
    """A compaction (auto or manual): a segment boundary."""

    line: int
    timestamp: str | None
    trigger: str | None = None  # "auto" | "manual" | None
    pre_tokens: int | None = None
    sidechain: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class Clear:
    """A /clear (or Codex /new) inside one file: a segment boundary."""

    line: int
    timestamp: str | None
    sidechain: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class ModelChange:
    """The model changed between requests."""

    line: int
    timestamp: str | None
    model: str
    sidechain: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class SubagentMarker:
    """A sidechain/subagent run starts (inline sidechain rows or a Task tool delegation)."""

    line: int
    timestamp: str | None
    agent_id: str | None = None
    sidechain: bool = True
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class Rewind:
    """The conversation went back to an earlier point (Claude Code's rewind, or an edited earlier
    prompt): what was recorded after line ``back_to`` and before this line left the context."""

    line: int
    timestamp: str | None
    back_to: int
    sidechain: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class ResultsCleared:
    """Earlier tool results taken out of the context without a compaction (Claude Code's
    microcompaction): the results of ``call_ids`` are no longer sent."""

    line: int
    timestamp: str | None
    call_ids: tuple[str, ...]
    tokens_saved: int | None = None
    sidechain: bool = False
    replayed: bool = False  # a copy of an earlier record (resume replay): history, not new work


@dataclass(slots=True)
class PullRequestLink:
    """The agent recorded a pull request of this session (Claude Code's ``pr-link`` record)."""

    line: int
    timestamp: str | None
    url: str
    sidechain: bool = False
    replayed: bool = False


Event = (
    Prompt | AssistantText | Thinking | ToolCall | ToolResult | Image | Usage | Compaction | Clear | ModelChange
    | SubagentMarker | Rewind | ResultsCleared | PullRequestLink
)


@dataclass(slots=True)
class Transcript:
    """One parsed transcript file: its events in file order plus what the reader learnt."""

    path: str
    agent: str  # an agent of transcripts.agents.AGENTS (claude-code, codex, opencode, ...), or "unknown"
    events: list[Event] = field(default_factory=list)
    session_id: str | None = None
    cwd: str | None = None  # the project directory the session ran in, when recorded
    started_at: str | None = None
    ended_at: str | None = None
    models: list[str] = field(default_factory=list)
    context_window: int | None = None  # declared by the transcript, else None
    is_subagent_file: bool = False  # the whole file is a subagent / sidechain run
    parent_session_id: str | None = None
    lines: int = 0
    bytes: int = 0
    skipped_records: int = 0  # records skipped by the byte pre-filter (progress, snapshots, ...)
    # CTX002: malformed lines, first few line numbers, reason counts
    malformed: int = 0
    malformed_first_lines: list[int] = field(default_factory=list)
    malformed_reasons: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # What this session's store recorded (``transcripts.agents.RECORDS``); None: what the agent's
    # store records as declared in ``transcripts.agents``. Rules needing anything else are skipped.
    records: frozenset[str] | None = None
    # Session facts the store keeps only as session totals (Goose's accumulated counts, Copilot CLI's
    # shutdown roll-ups), or knows to be unrecorded (None): they replace the sums over requests.
    totals: dict[str, Any] = field(default_factory=dict)
    # Per-model usage totals that price the session when its requests carry no input of their own.
    aggregate_usage: list[Usage] = field(default_factory=list)

    def saw_time(self, ts: str) -> None:
        """A record's timestamp, in file order: the first one starts the session, the last ends it."""
        self.started_at = self.started_at or ts
        self.ended_at = ts

    def add_malformed(self, line: int, reason: str) -> None:
        self.malformed += 1
        self.malformed_reasons[reason] = self.malformed_reasons.get(reason, 0) + 1
        if len(self.malformed_first_lines) < 5:
            self.malformed_first_lines.append(line)

    @property
    def requests(self) -> list[Usage]:
        return [e for e in self.events if isinstance(e, Usage)]
