"""The set of instruction files being checked together, and what each agent loads from it.

Built by ``ctxlint.instructions.build_project`` (discovery -> parse once -> load graph); handed to
every instruction rule. Rules read it; they never re-read files or re-parse Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ctxlint.markdown import Document
from ctxlint.model import Source


@dataclass(slots=True)
class InstructionFile:
    """One instruction file, parsed once, with its tokens and the agents that load it."""

    source: Source  # display path + resolved real path
    doc: Document
    tokens: int  # tokens of the file as written (cl100k, offline)
    agents: tuple[str, ...]  # agents that read this file at all (now or lazily)
    always_loaded_by: tuple[str, ...]  # agents that load it at session start
    # claude-root | claude-nested | claude-local | claude-rule | claude-import | agents | agents-override
    # | gemini | gemini-import | cursor-rule | cursor-legacy | copilot | copilot-path | memory
    role: str
    git_tracked: bool | None = None  # None when not in a git repository
    git_ignored: bool | None = None
    outside_root: bool = False  # reached through a symlink or import that leaves the repository

    @property
    def path(self) -> str:
        return self.source.path


@dataclass(frozen=True, slots=True)
class LoadEntry:
    """One file in an agent's start-up load order."""

    path: str
    tokens: int  # what this file adds to every request (after stripping, truncation)
    depth: int  # 0 for a discovered file, n for an import n hops away
    via: str | None = None  # the importing file, for imports
    bytes: int = 0
    truncated: bool = False  # Codex cap cut this file (partly or wholly)
    dropped: bool = False  # not loaded at all (cap exhausted, import depth exceeded, > 4 MiB)
    note: str | None = None  # why it is truncated/dropped, with the heading where it happens


@dataclass(slots=True)
class AgentLoad:
    """The files one agent loads at start, in order, with their tokens."""

    agent: str
    entries: list[LoadEntry] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        """Tokens every request of this agent pays before the user types anything."""
        return sum(e.tokens for e in self.entries if not e.dropped)


@dataclass(slots=True)
class InstructionProject:
    """The instruction files of one repository and each agent's start-up load."""

    root: str  # repository root (git top-level, else the directory given)
    files: list[InstructionFile] = field(default_factory=list)
    loads: dict[str, AgentLoad] = field(default_factory=dict)  # agent -> start-up load
    # Requests per session used to turn "tokens per request" into "tokens per session".
    # Default from rules/defaults; replaced by measured data with `check --history`.
    requests_per_session: int = 150
    unreadable: dict[str, str] = field(default_factory=dict)  # real path -> why it could not be read

    def by_path(self, path: str) -> InstructionFile | None:
        for f in self.files:
            if f.path == path or f.source.real == path:
                return f
        return None
