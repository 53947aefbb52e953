"""The set of instruction files being checked together, and what each agent loads from it.

Built by ``ctxlint.instructions.build_project`` (discovery -> parse once -> load graph); handed to
every instruction rule. Rules read it; they never re-read files or re-parse Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ctxlint.markdown import Document
from ctxlint.model import Source


@dataclass(frozen=True, slots=True)
class Loading:
    """How one agent reaches a file: ``mode`` is one of ``instructions.agents`` START, LAZY, CHAIN,
    WORKSPACE, SCOPED, REQUESTED, MANUAL, MODE, NEVER; ``detail`` the globs, the mode or the reason."""

    mode: str
    detail: str = ""


@dataclass(slots=True)
class InstructionFile:
    """One instruction file, parsed once, with its tokens and the agents that load it."""

    source: Source  # display path + resolved real path
    doc: Document
    tokens: int  # tokens of the file as written (cl100k, offline)
    agents: tuple[str, ...]  # agents that read this file at all (now or lazily)
    always_loaded_by: tuple[str, ...]  # agents that load it at session start
    # claude-root | claude-nested | claude-local | claude-rule | claude-import | agents | agents-override
    # | agents-local | gemini | gemini-import | cursor-rule | cursor-legacy | copilot | copilot-path | memory
    # | windsurf-rule | windsurf-legacy | kiro-steering | cline-rule | cline-legacy | roo-rule | roo-legacy
    role: str
    git_tracked: bool | None = None  # None when not in a git repository
    git_ignored: bool | None = None
    outside_root: bool = False  # outside the checked folder (an ancestor's file, read as context)
    digest: str | None = None  # SHA-256 of the bytes read (None for an editor's unsaved buffer)
    # --fix may edit it: not reached only through an import naming an absolute, home or parent path
    # (`@/x`, `@~/x`, `@../x`). Nothing outside the repository is ever read (instructions.build).
    editable: bool = True
    loading: dict[str, Loading] = field(default_factory=dict)  # agent -> how it reaches the file
    # Above the working directory (an ancestor's CLAUDE.md or AGENTS.md): part of the loads, never reported.
    context_only: bool = False
    case_variant_of: str | None = None  # `Claude.md` stands for "CLAUDE.md" (read only where case is ignored)
    unloaded_reason: str | None = None  # why no agent loads it (files in InstructionProject.unloaded)

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

    root: str  # the working directory checked (the agents' start-up folder); files above it up to the git top-level
    # are read as context (``InstructionFile.context_only``)
    files: list[InstructionFile] = field(default_factory=list)
    loads: dict[str, AgentLoad] = field(default_factory=dict)  # agent -> start-up load
    # Requests per session used to turn "tokens per request" into "tokens per session".
    # Default from rules/defaults; replaced by measured data with `check --history`.
    requests_per_session: int = 150
    # Files named like instruction files that no agent loads (a copy in `docs/_static/`, a plain `.md` in
    # .cursor/rules): reported once as such, never linted as instructions.
    unloaded: list[InstructionFile] = field(default_factory=list)
    # Skills (`.claude/skills/<name>/SKILL.md`): their name and description are listed at start, the body
    # loads on demand; only their front matter is checked.
    skills: list[InstructionFile] = field(default_factory=list)
    # agent -> the files a budget-sharing agent (Codex) reads when started in each directory, root first:
    # {"": [root chain], "pkg": [root chain + pkg/AGENTS.md]}.
    chains: dict[str, dict[str, list[InstructionFile]]] = field(default_factory=dict)
    # agent -> the user's own files (~/.claude/CLAUDE.md): shown apart, never linted as the repository's.
    user_loads: dict[str, list[LoadEntry]] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)  # real path -> why it could not be read

    def by_path(self, path: str) -> InstructionFile | None:
        for f in (*self.files, *self.skills, *self.unloaded):
            if f.path == path or f.source.real == path:
                return f
        return None

    def configured(self, agent: str) -> bool:
        """Whether the repository has files of ``agent``'s own (a CLAUDE.md for Claude Code, a .cursor/rules
        file for Cursor), as opposed to only files it shares with other agents (AGENTS.md)."""
        return any(f.source.agent == agent and agent in f.loading for f in self.files)


def describe_loading(file: InstructionFile) -> str:
    """How the agents reach ``file``, for messages: "loaded on every request by claude-code, codex",
    "loaded by cursor when files matching `src/**` are in context", ..."""
    from ctxlint.instructions import agents as a

    start = [agent for agent, how in file.loading.items() if how.mode == a.START]
    parts: list[str] = []
    if start:
        text = "loaded on every request by " + ", ".join(start)
        if file.case_variant_of:
            text += f" on file systems that ignore case (macOS, Windows), never on Linux (the name is `{file.case_variant_of}`)"
        parts.append(text)
    by_mode: dict[tuple[str, str], list[str]] = {}
    for agent, how in file.loading.items():
        if how.mode != a.START:
            by_mode.setdefault((how.mode, how.detail), []).append(agent)
    folder = file.path.rsplit("/", 1)[0] + "/" if "/" in file.path else "./"
    for (mode, detail), who in by_mode.items():
        names = ", ".join(who)
        if mode == a.LAZY:
            parts.append(f"loaded by {names} when it works in {folder}")
        elif mode in (a.CHAIN, a.WORKSPACE):
            parts.append(f"loaded on every request by {names} when started in {folder}")
        elif mode == a.SCOPED:
            parts.append(f"loaded by {names} when files matching `{detail}` are in context")
        elif mode == a.REQUESTED:
            parts.append(f"loaded by {names} when it judges the description relevant")
        elif mode == a.MANUAL:
            parts.append(f"loaded by {names} only when mentioned")
        elif mode == a.MODE:
            parts.append(f"loaded on every request by {names} in its `{detail}` mode")
    return "; ".join(parts) or "not loaded by any agent"
