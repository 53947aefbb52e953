"""Read and parse every instruction file once, and compute what each agent loads at start.

The load graph models the agents as documented (see rules/CTX102.yaml and the README):
* Claude Code: root `CLAUDE.md` / `.claude/CLAUDE.md`, `CLAUDE.local.md`, `.claude/rules/**/*.md`
  without `paths:` front matter; `@imports` expanded relative to the importing file up to 4 hops;
  block HTML comments stripped. With no CLAUDE.md at all, Claude Code (>= 2.1.277) reads AGENTS.md.
  CLAUDE.md files in subdirectories load lazily and are not part of the start-up cost.
* Codex: root `AGENTS.override.md`, else `AGENTS.md`; everything past `project_doc_max_bytes`
  (32 KiB) of the combined chain is silently dropped.
* Gemini CLI: root `GEMINI.md` plus `@imports` up to 5 levels.
* Cursor: `.cursor/rules/*.mdc` with `alwaysApply: true` (a boolean), plus legacy `.cursorrules`.
* Copilot: `.github/copilot-instructions.md` plus `.instructions.md` files with `applyTo: "**"`.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ctxlint.instructions.project import AgentLoad, InstructionFile, InstructionProject, LoadEntry
from ctxlint.markdown import Document, parse_markdown
from ctxlint.measure.tokens import count_text
from ctxlint.model import Source, SourceKind

CLAUDE_IMPORT_DEPTH = 4
GEMINI_IMPORT_DEPTH = 5
CODEX_MAX_BYTES = 32 * 1024
CLAUDE_MAX_FILE_BYTES = 4 * 1024 * 1024
READ_LIMIT = 16 * 1024 * 1024
DIRECTIVE_COMMENT = re.compile(r"<!--\s*ctxlint-[^>]{0,500}?-->[ \t]*\n?")
TRUE_RE = re.compile(r"^\s*alwaysApply\s*:\s*true\s*(#.*)?$", re.M)
APPLY_ALL_RE = re.compile(r"^\s*applyTo\s*:\s*[\"']?\*\*(/\*)?[\"']?\s*$", re.M)


def visible_text(doc: Document, strip_block_comments: bool) -> str:
    """What the agent receives: directive comments never count; Claude also drops block comments."""
    if not strip_block_comments:
        return DIRECTIVE_COMMENT.sub("", doc.text)
    drop: set[int] = set()
    for c in doc.html_comments:
        if c.block:
            drop.update(range(c.start_line, c.end_line + 1))
    kept = [line for n, line in enumerate(doc.lines, start=1) if n not in drop]
    return DIRECTIVE_COMMENT.sub("", "\n".join(kept))


@dataclass(frozen=True, slots=True)
class CodexCut:
    """Where Codex's `project_doc_max_bytes` cap cuts a file."""

    line: int  # the line the cut falls on
    heading: str  # the section holding that line ("" before any heading)
    byte: int  # the cap: bytes kept
    total_bytes: int
    kept: str  # the text that reaches the model

    @property
    def note(self) -> str:
        where = f" in section '{self.heading}'" if self.heading else ""
        return (f"cut at byte {self.byte:,} (line {self.line}{where}); "
                f"{self.total_bytes - self.byte:,} bytes never reach the model")


def codex_cut(doc: Document, max_bytes: int = CODEX_MAX_BYTES) -> CodexCut | None:
    """Where the Codex cap truncates ``doc`` (None when it fits; a cap of 0 disables the file)."""
    data = doc.text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return None
    kept = data[:max_bytes].decode("utf-8", "ignore")
    line = kept.count("\n") + 1
    section = doc.section_at(line)
    return CodexCut(line, section.heading if section else "", max_bytes, len(data), kept)


def role_of(rel: str, agent: str | None) -> str:
    parts = rel.split("/")
    name = parts[-1]
    nested = len(parts) > 1 and parts[0] != ".claude"
    if name == "CLAUDE.local.md":
        return "claude-local"
    if name == "CLAUDE.md":
        return "claude-nested" if nested else "claude-root"
    if name == "MEMORY.md":
        return "memory"
    if ".claude" in parts and "rules" in parts:
        return "claude-rule"
    if name == "AGENTS.override.md":
        return "agents-override"
    if name == "AGENTS.md":
        return "agents-nested" if len(parts) > 1 else "agents"
    if name == "GEMINI.md":
        return "gemini-nested" if len(parts) > 1 else "gemini"
    if name == ".cursorrules":
        return "cursor-legacy"
    if ".cursor" in parts:
        return "cursor-rule"
    if name == "copilot-instructions.md":
        return "copilot"
    if name.endswith(".instructions.md"):
        return "copilot-path"
    return "import"


def _git_status(root: Path, files: list[InstructionFile]) -> None:
    from ctxlint.instructions.files import repo_root

    root = repo_root(root)
    if not (root / ".git").exists() or not files:
        return
    rels = []
    for f in files:
        try:
            rels.append(Path(f.source.real).relative_to(root.resolve()).as_posix())
        except ValueError:
            rels.append("")
    try:
        tracked = set(
            subprocess.run(["git", "ls-files", "-z", "--", *[r for r in rels if r]], cwd=root,
                           capture_output=True, timeout=20, check=True).stdout.decode(errors="replace").split("\0")
        )
        ignored_out = subprocess.run(
            ["git", "check-ignore", "-z", "--no-index", "--stdin"], cwd=root, capture_output=True, timeout=20,
            input="\0".join(r for r in rels if r).encode() + b"\0",
        ).stdout.decode(errors="replace")
    except (OSError, subprocess.SubprocessError):
        return
    ignored = set(ignored_out.split("\0"))
    for f, rel in zip(files, rels, strict=True):
        if rel:
            f.git_tracked = rel in tracked
            f.git_ignored = rel in ignored


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(READ_LIMIT)
    except OSError:
        return None
    return data.decode("utf-8", "replace")


class _Builder:
    def __init__(self, root: Path, requests_per_session: int) -> None:
        self.root = root.resolve()
        self.project = InstructionProject(root=str(root), requests_per_session=requests_per_session)
        self.by_real: dict[str, InstructionFile] = {}
        self.claude_tokens: dict[str, int] = {}
        self.plain_tokens: dict[str, int] = {}

    def rel(self, real: str) -> str | None:
        try:
            return Path(real).relative_to(self.root).as_posix()
        except ValueError:
            return None

    def add(self, source: Source, role: str | None = None) -> InstructionFile | None:
        if source.real in self.by_real:
            return self.by_real[source.real]
        text = _read(source.real)
        if text is None:
            return None
        doc = parse_markdown(text, source.path)
        rel = self.rel(source.real) or source.path
        file = InstructionFile(
            source=source,
            doc=doc,
            tokens=0,
            agents=(source.agent,) if source.agent else (),
            always_loaded_by=(),
            role=role or role_of(rel, source.agent),
            outside_root=self.rel(source.real) is None,
        )
        claude_side = source.agent == "claude-code" or file.role in ("claude-import",)
        file.tokens = self.tokens(file, strip=claude_side)
        self.by_real[source.real] = file
        self.project.files.append(file)
        return file

    def tokens(self, file: InstructionFile, strip: bool) -> int:
        cache = self.claude_tokens if strip else self.plain_tokens
        if file.source.real not in cache:
            cache[file.source.real] = count_text(visible_text(file.doc, strip))
        return cache[file.source.real]

    def resolve_import(self, importer: InstructionFile, target: str) -> Path:
        if target.startswith("~/"):
            return Path(os.path.expanduser(target))
        if target.startswith("/"):
            return Path(target)
        return Path(importer.source.real).parent / target

    def expand(self, load: AgentLoad, file: InstructionFile, depth: int, limit: int, role: str,
               seen: set[str], strip: bool) -> None:
        """Add ``file``'s imports (depth-first, in order) to ``load``."""
        for imp in file.doc.imports:
            if imp.in_code:
                continue
            target = self.resolve_import(file, imp.target)
            if not target.is_file():
                continue  # dead imports are CTX106's business
            real = os.path.realpath(target)
            if real in seen:
                continue  # a cycle, or a file already loaded: loaded once
            seen.add(real)
            rel = self.rel(real)
            shown = rel if rel is not None else str(target)
            child = self.by_real.get(real) or self.add(
                Source(shown, real, SourceKind.INSTRUCTIONS, load.agent, target.stat().st_size), role=role
            )
            if child is None:
                continue
            self.mark(child, load.agent)
            if depth > limit:
                load.entries.append(LoadEntry(child.path, 0, depth, file.path, child.source.size, dropped=True,
                                              note=f"import depth {depth} > {limit}: not loaded"))
                continue
            if load.agent == "claude-code" and child.source.size > CLAUDE_MAX_FILE_BYTES:
                load.entries.append(LoadEntry(child.path, 0, depth, file.path, child.source.size, dropped=True,
                                              note="over 4 MiB: Claude Code skips the whole file"))
                continue
            load.entries.append(LoadEntry(child.path, self.tokens(child, strip), depth, file.path, child.source.size))
            self.expand(load, child, depth + 1, limit, role, seen, strip)

    def mark(self, file: InstructionFile, agent: str) -> None:
        if agent not in file.always_loaded_by:
            file.always_loaded_by = (*file.always_loaded_by, agent)
        if agent not in file.agents:
            file.agents = (*file.agents, agent)


def build_project(
    sources: list[Source], root: Path, requests_per_session: int = 150, *, git_status: bool = True
) -> InstructionProject:
    """``git_status=False`` skips the two git calls (tracked/ignored), which only CTX119 needs."""
    b = _Builder(Path(root), requests_per_session)
    for src in sources:
        b.add(src)
    root_real = b.root
    discovered = list(b.project.files)

    def real_at(rel: str) -> InstructionFile | None:
        candidate = root_real / rel
        if not os.path.lexists(candidate):
            return None
        return b.by_real.get(os.path.realpath(candidate))

    # --- Claude Code -------------------------------------------------------------------------
    claude = AgentLoad("claude-code")
    seen: set[str] = set()
    starters: list[InstructionFile] = []
    for rel in ("CLAUDE.md", ".claude/CLAUDE.md", "CLAUDE.local.md"):
        f = real_at(rel)
        if f is not None:
            starters.append(f)
    for f in discovered:
        if f.role == "claude-rule" and not (f.doc.front_matter or {}).get("paths"):
            starters.append(f)
    # Claude Code >= 2.1.277 (default `instructionFiles: claude-md-or-agents-md`) reads AGENTS.md when no
    # CLAUDE.md, .claude/CLAUDE.md or CLAUDE.local.md exists from the root down to the working directory.
    fallback: str | None = None
    if not any(real_at(rel) for rel in ("CLAUDE.md", ".claude/CLAUDE.md", "CLAUDE.local.md")):
        agents_md = real_at("AGENTS.md")
        if agents_md is not None:
            starters.insert(0, agents_md)
            fallback = agents_md.source.real
    for f in starters:
        if f.source.real in seen:
            continue
        seen.add(f.source.real)
        b.mark(f, "claude-code")
        size = f.source.size
        if size > CLAUDE_MAX_FILE_BYTES:
            claude.entries.append(LoadEntry(f.path, 0, 0, None, size, dropped=True,
                                            note="over 4 MiB: Claude Code skips the whole file"))
            continue
        note = ("read in place of CLAUDE.md: there is no CLAUDE.md (Claude Code >= 2.1.277)"
                if f.source.real == fallback else None)
        claude.entries.append(LoadEntry(f.path, b.tokens(f, True), 0, None, size, note=note))
        b.expand(claude, f, 1, CLAUDE_IMPORT_DEPTH, "claude-import", seen, True)
    b.project.loads["claude-code"] = claude

    # --- Codex --------------------------------------------------------------------------------
    codex = AgentLoad("codex")
    # One file per directory: AGENTS.override.md, else AGENTS.md; empty files are skipped.
    chosen = next((f for f in (real_at("AGENTS.override.md"), real_at("AGENTS.md"))
                   if f is not None and f.doc.text.strip()), None)
    if chosen is not None:
        b.mark(chosen, "codex")
        cut = codex_cut(chosen.doc, CODEX_MAX_BYTES)
        if cut is not None:
            codex.entries.append(LoadEntry(chosen.path, count_text(cut.kept), 0, None, cut.total_bytes,
                                           truncated=True, note=cut.note))
        else:
            codex.entries.append(LoadEntry(chosen.path, b.tokens(chosen, False), 0, None, chosen.source.size))
    b.project.loads["codex"] = codex

    # --- Gemini CLI ---------------------------------------------------------------------------
    gemini = AgentLoad("gemini")
    g = real_at("GEMINI.md")
    if g is not None:
        b.mark(g, "gemini")
        gemini.entries.append(LoadEntry(g.path, b.tokens(g, False), 0, None, g.source.size))
        b.expand(gemini, g, 1, GEMINI_IMPORT_DEPTH, "gemini-import", {g.source.real}, False)
    b.project.loads["gemini"] = gemini

    # --- Cursor -------------------------------------------------------------------------------
    cursor = AgentLoad("cursor")
    for f in discovered:
        always = f.role == "cursor-legacy" or (
            f.role == "cursor-rule" and f.path.endswith(".mdc") and TRUE_RE.search(f.doc.front_matter_raw or "")
        )
        if always:
            b.mark(f, "cursor")
            cursor.entries.append(LoadEntry(f.path, b.tokens(f, False), 0, None, f.source.size))
    b.project.loads["cursor"] = cursor

    # --- Copilot ------------------------------------------------------------------------------
    copilot = AgentLoad("copilot")
    for f in discovered:
        always = (f.role == "copilot" and _is_top_github(f, root_real)) or (
            f.role == "copilot-path" and APPLY_ALL_RE.search(f.doc.front_matter_raw or "")
        )
        if always:
            b.mark(f, "copilot")
            copilot.entries.append(LoadEntry(f.path, b.tokens(f, False), 0, None, f.source.size))
    b.project.loads["copilot"] = copilot

    if git_status:
        _git_status(root_real, b.project.files)
    return b.project


def _is_top_github(f: InstructionFile, root: Path) -> bool:
    try:
        return Path(f.source.real).relative_to(root).as_posix() == ".github/copilot-instructions.md"
    except ValueError:
        return f.path.endswith(".github/copilot-instructions.md")
