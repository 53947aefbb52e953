"""Read and parse every instruction file once, and compute what each agent loads at start.

What each agent reads is data (``agents.yaml``, see ``instructions.agents``); this module walks it:

* directory files (`CLAUDE.md`, `AGENTS.md`, `GEMINI.md`) in every directory from the repository root down
  to the working directory load at start, in that order; deeper copies load later (when the agent works
  there, or — Codex — when it is started there, together with the chain above);
* root files (`.cursorrules`, `.github/copilot-instructions.md`) load from the working directory;
* rule folders (`.claude/rules`, `.cursor/rules`, `.github/instructions`) load by their front matter;
* `@imports` expand relative to the importing file, up to the agent's depth; Claude Code strips block
  HTML comments and skips files over 4 MiB; Codex drops everything past `project_doc_max_bytes` of the
  whole chain;
* a name in another case (`Claude.md`) loads only where the file system ignores case;
* files no agent loads (a copy under `docs/_static/`, a plain `.md` in `.cursor/rules`) are kept apart.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ctxlint._runtime.fsutil import display_path
from ctxlint._runtime.git import run_git
from ctxlint._runtime.textio import NotText, decode
from ctxlint._runtime.timeguard import FileTimeout, time_limit
from ctxlint.instructions import agents as a
from ctxlint.instructions.agents import AgentSpec, activation, agent_data, is_project_folder, specs
from ctxlint.instructions.files import repo_root
from ctxlint.instructions.project import AgentLoad, InstructionFile, InstructionProject, LoadEntry, Loading
from ctxlint.markdown import Document, parse_markdown
from ctxlint.measure.tokens import count_text
from ctxlint.model import Source, SourceKind

CODEX_MAX_BYTES = 32 * 1024
READ_LIMIT = 16 * 1024 * 1024
DIRECTIVE_COMMENT = re.compile(r"<!--\s*ctxlint-[^>]{0,500}?-->[ \t]*\n?")


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
    """Where a byte budget (Codex's `project_doc_max_bytes`) cuts a file."""

    line: int  # the line the cut falls on
    heading: str  # the section holding that line ("" before any heading)
    byte: int  # bytes of this file kept
    total_bytes: int
    kept: str  # the text that reaches the model

    @property
    def note(self) -> str:
        where = f" in section '{self.heading}'" if self.heading else ""
        return (f"cut at byte {self.byte:,} (line {self.line}{where}); "
                f"{self.total_bytes - self.byte:,} bytes never reach the model")


def codex_cut(doc: Document, max_bytes: int = CODEX_MAX_BYTES) -> CodexCut | None:
    """Where keeping only ``max_bytes`` of ``doc`` cuts it (None when it fits)."""
    data = doc.text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return None
    kept = data[:max_bytes].decode("utf-8", "ignore")
    line = kept.count("\n") + 1
    section = doc.section_at(line)
    return CodexCut(line, section.heading if section else "", max_bytes, len(data), kept)


@dataclass(frozen=True, slots=True)
class ChainCut:
    """Where a shared byte budget runs out on the chain an agent reads when started in ``directory``."""

    directory: str  # relative to the working directory; "" for the working directory itself
    file: InstructionFile  # the file the budget runs out in
    cut: CodexCut | None  # None: the budget was gone before this file: it is dropped whole
    chain_bytes: int  # bytes of the whole chain
    dropped: tuple[InstructionFile, ...]  # later files of the chain dropped whole
    repeated: bool = False  # ``file`` was read earlier in the chain too (a link): the cut loses only a copy


def chain_cuts(project: InstructionProject, agent: str, max_bytes: int) -> list[ChainCut]:
    """For every directory the agent may be started in, where ``max_bytes`` runs out (shorter chains first;
    chains that run out at the same place each have their cut)."""
    out: list[ChainCut] = []
    for directory, chain in sorted(project.chains.get(agent, {}).items(), key=lambda kv: (kv[0].count("/"), kv[0])):
        remaining = max_bytes
        total = sum(len(f.doc.text.encode("utf-8", "surrogatepass")) for f in chain)
        for i, f in enumerate(chain):
            size = len(f.doc.text.encode("utf-8", "surrogatepass"))
            if size <= remaining:
                remaining -= size
                continue
            cut = codex_cut(f.doc, remaining) if remaining > 0 else None
            out.append(ChainCut(directory, f, cut, total, tuple(chain[i + 1 :]), repeated=f in chain[:i]))
            break
    return out


def role_of(rel: str, canonical: str | None = None) -> str:
    parts = rel.split("/")
    name = canonical or parts[-1]
    nested = len(parts) > 1 and parts[0] != ".claude"
    if name == "CLAUDE.local.md":
        return "claude-local"
    if name == "CLAUDE.md":
        return "claude-nested" if nested else "claude-root"
    if name == "MEMORY.md":
        return "memory"
    if name == "SKILL.md" and "skills" in parts:
        return "skill"
    if ".claude" in parts and "rules" in parts:
        return "claude-rule"
    if name == "AGENTS.override.md":
        return "agents-override"
    if name == "AGENTS.local.md":
        return "agents-local"
    if name in ("AGENTS.md", "AGENT.md"):
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
    return _rule_role(parts)


# The roles of the other agents' rule files: (a folder the path runs through, role). CTX117 checks the front
# matter of the rule files by role.
RULE_ROLES = ((".windsurf/rules", "windsurf-rule"), (".kiro/steering", "kiro-steering"), (".clinerules", "cline-rule"),
              (".cline/rules", "cline-rule"), (".roo", "roo-rule"))
LEGACY_ROLES = {".windsurfrules": "windsurf-legacy", ".clinerules": "cline-legacy", ".roorules": "roo-legacy"}


def _rule_role(parts: list[str]) -> str:
    if parts[-1] in LEGACY_ROLES:
        return LEGACY_ROLES[parts[-1]]
    joined = "/" + "/".join(parts[:-1]) + "/"
    return next((role for folder, role in RULE_ROLES if f"/{folder}/" in joined), "import")


def _git_status(root: Path, files: list[InstructionFile]) -> None:
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
        listed = run_git(root, "ls-files", "-z", "--", *[r for r in rels if r], timeout=20)
        if listed.returncode != 0:
            return
        tracked = set(listed.stdout.decode(errors="replace").split("\0"))
        ignored_out = run_git(root, "check-ignore", "-z", "--no-index", "--stdin", timeout=20,
                              stdin="\0".join(r for r in rels if r).encode() + b"\0").stdout.decode(errors="replace")
    except (OSError, subprocess.SubprocessError):
        return
    ignored = set(ignored_out.split("\0"))
    for f, rel in zip(files, rels, strict=True):
        if rel:
            f.git_tracked = rel in tracked
            f.git_ignored = rel in ignored


def _read(path: str) -> tuple[str, str]:
    """The file's text and the SHA-256 of the bytes read; ``NotText`` (with the reason) when it
    cannot be read as text."""
    import hashlib

    try:
        with open(path, "rb") as fh:
            data = fh.read(READ_LIMIT)
    except OSError as exc:
        raise NotText(exc.strerror or exc.__class__.__name__) from None
    return decode(data)[0], hashlib.sha256(data).hexdigest()


def _within(real: str, top: str) -> bool:
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _listdir(directory: Path) -> list[str]:
    try:
        return sorted(os.listdir(directory))
    except OSError:
        return []


class _Builder:
    def __init__(self, root: Path, requests_per_session: int, texts: Mapping[str, str], timeout: float = 0) -> None:
        self.timeout = timeout
        self.root = root.resolve()
        self.top = str(repo_root(self.root).resolve())
        self.texts = texts
        self.project = InstructionProject(root=str(root), requests_per_session=requests_per_session)
        self.by_real: dict[str, InstructionFile] = {}
        self.token_cache: dict[tuple[str, bool], int] = {}
        self.data = agent_data()

    def rel(self, real: str) -> str | None:
        try:
            return Path(real).relative_to(self.root).as_posix()
        except ValueError:
            return None

    def where(self, file: InstructionFile) -> str | None:
        """Where the file sits in the working directory (a link's own place, not its target's), relative."""
        shown = os.path.abspath(file.source.path)
        rel = self.rel(shown)
        if rel is not None and os.path.lexists(shown):
            return rel
        return self.rel(file.source.real)

    def add(self, source: Source, role: str | None = None, *, track: bool = True,
            editable: bool = True) -> InstructionFile | None:
        """Read, parse and count ``source`` once. A file whose real path is outside the repository (a
        link given on the command line) is never read: its lines would be quoted into findings."""
        if source.real in self.by_real:
            return self.by_real[source.real]
        if not _within(source.real, self.top):
            self.project.unreadable[source.real] = "it links outside the repository (not read)"
            return None
        text = self.texts.get(source.real)
        digest: str | None = None
        if text is None:
            try:
                text, digest = _read(source.real)
            except NotText as exc:
                self.project.unreadable[source.real] = str(exc)
                return None
        try:
            with time_limit(self.timeout):
                doc = parse_markdown(text, source.path)
        except FileTimeout:
            self.project.unreadable[source.real] = f"parsing stopped after {self.timeout:g} s (timeout-per-file)"
            return None
        shown = os.path.abspath(source.path)
        rel = (self.rel(shown) if os.path.lexists(shown) else None) or self.rel(source.real) or source.path
        file = InstructionFile(
            source=source,
            doc=doc,
            tokens=0,
            agents=(),
            always_loaded_by=(),
            role=role or role_of(rel),
            outside_root=self.rel(source.real) is None,
            digest=digest,
            editable=editable,
        )
        strip = bool(source.agent and specs().get(source.agent, AgentSpec("")).strip_block_comments)
        file.tokens = self.tokens(file, strip=strip)
        self.by_real[source.real] = file
        if track:
            self.project.files.append(file)
        return file

    def tokens(self, file: InstructionFile, strip: bool) -> int:
        key = (file.source.real, strip)
        if key not in self.token_cache:
            self.token_cache[key] = count_text(visible_text(file.doc, strip))
        return self.token_cache[key]

    def file_at(self, path: Path, agent: str, *, undiscoverable: bool = False) -> InstructionFile | None:
        """The instruction file at ``path`` (a link counts as its target). Inside the working directory only
        discovered files count (a file the user excluded stays out) unless its name cannot be discovered
        (``undiscoverable``: a name from a settings file); above it, up to the repository root, the file is
        read here as context. A link out of the repository is never followed."""
        if not os.path.isfile(path):
            return None
        real = os.path.realpath(path)
        if real in self.by_real:
            return self.by_real[real]
        inside_root = self.rel(os.path.abspath(path)) is not None
        if (inside_root and not undiscoverable) or not _within(real, self.top):
            return None
        shown = self.rel(real) or display_path(path)
        file = self.add(Source(shown, real, SourceKind.INSTRUCTIONS, agent, os.path.getsize(real)))
        if file is not None and not inside_root:
            file.context_only = True
        return file

    def resolve_import(self, importer: InstructionFile, target: str) -> Path:
        if target.startswith("~/"):
            return Path(os.path.expanduser(target))
        if target.startswith("/"):
            return Path(target)
        return Path(importer.source.real).parent / target

    def expand(self, load: AgentLoad, spec: AgentSpec, file: InstructionFile, depth: int, seen: set[str]) -> None:
        """Add ``file``'s imports (depth-first, in order) to ``load``: resolved from the importing file only."""
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
            if not _within(real, self.top):
                # Outside the repository (`@~/…`, `@/etc/…`, `@../../x`): never read, so no finding
                # can quote it; CTX107 reports the import.
                load.entries.append(LoadEntry(imp.target, 0, depth, file.path, 0,
                                              note="outside the repository: not read, its tokens not counted"))
                continue
            rel = self.rel(real)
            shown = rel if rel is not None else str(target)
            role = "claude-import" if spec.strip_block_comments else f"{spec.name}-import"
            # `@/abs`, `@~/x`, `@../x` lead out of the importing file's folder: --fix never edits what
            # only such an import reaches, even when it lands inside the repository
            leaves = imp.target.startswith(("/", "~")) or ".." in Path(imp.target).parts
            child = self.by_real.get(real) or self.add(
                Source(shown, real, SourceKind.INSTRUCTIONS, spec.name, target.stat().st_size), role=role,
                editable=not leaves,
            )
            if child is None:
                continue
            if file.context_only and rel is None:
                child.context_only = True  # an ancestor's import above the working directory: context too
            if depth > spec.import_depth:
                load.entries.append(LoadEntry(child.path, 0, depth, file.path, child.source.size, dropped=True,
                                              note=f"import depth {depth} > {spec.import_depth}: not loaded"))
                continue
            self.mark(child, spec.name, Loading(a.START))
            if spec.max_file_bytes and child.source.size > spec.max_file_bytes:
                load.entries.append(LoadEntry(child.path, 0, depth, file.path, child.source.size, dropped=True,
                                              note="over 4 MiB: Claude Code skips the whole file"))
                continue
            load.entries.append(LoadEntry(child.path, self.tokens(child, spec.strip_block_comments), depth, file.path,
                                          child.source.size))
            self.expand(load, spec, child, depth + 1, seen)

    def mark(self, file: InstructionFile, agent: str, how: Loading) -> None:
        current = file.loading.get(agent)
        if current is not None and current.mode == a.START:
            return
        file.loading[agent] = how
        if how.mode == a.START and agent not in file.always_loaded_by:
            file.always_loaded_by = (*file.always_loaded_by, agent)
        if how.mode != a.NEVER and agent not in file.agents:
            file.agents = (*file.agents, agent)


def build_project(
    sources: list[Source], root: Path, requests_per_session: int = 150, *, git_status: bool = True,
    texts: Mapping[str, str] | None = None, home: Path | None = None, timeout: float = 0,
) -> InstructionProject:
    """``git_status=False`` skips the two git calls (tracked/ignored), which only CTX119 needs.
    ``texts`` maps real paths to the text to use instead of the file's (an editor's unsaved buffer).
    ``home``: where the user's own files (~/.claude/CLAUDE.md) are looked up, to show them apart; None
    skips them. ``timeout``: seconds one file may take to parse (0: no limit); past it the file is
    unreadable."""
    b = _Builder(Path(root), requests_per_session, texts or {}, timeout)
    for src in sources:
        b.add(src)
    discovered = list(b.project.files)
    top = repo_root(b.root)
    chain_dirs = _chain(top, b.root)
    used = [spec for spec in specs().values() if _uses(spec, chain_dirs, discovered)]
    for spec in used:
        load = _start_load(b, spec, chain_dirs, discovered)
        b.project.loads[spec.name] = load
        if spec.budget_bytes:
            _apply_budget(b, load, spec.budget_bytes)
        if spec.file_chars or spec.total_chars:
            _apply_char_limits(b, load, spec)
    _later_loads(b, used, discovered)
    _set_apart(b)
    if home is not None:
        _user_loads(b, home)
    if git_status:
        _git_status(b.root, b.project.files)
    return b.project


def _uses(spec: AgentSpec, chain_dirs: list[Path], discovered: list[InstructionFile]) -> bool:
    """Whether the repository uses the agent: it has a file the agent owns, or one of its ``uses`` paths."""
    owned = [name for name, _ in a.own_names(spec) if _owner(name) == spec.name]
    return any(f.source.agent == spec.name for f in discovered) or any(
        os.path.lexists(d / mark) for d in chain_dirs for mark in (*spec.uses, *owned))


def _owner(name: str) -> str | None:
    found = a.place(tuple(name.split("/")))
    return found.owner if found is not None else None


def _chain(top: Path, root: Path) -> list[Path]:
    """The directories from the repository root down to the working directory."""
    try:
        rel = root.relative_to(top)
    except ValueError:
        return [root]
    out = [top]
    for part in rel.parts:
        out.append(out[-1] / part)
    return out


def _names(b: _Builder, spec: AgentSpec) -> tuple[str, ...]:
    """The agent's directory-file names, renamed by its settings file (Gemini's `context.fileName`)."""
    if spec.names_setting is None:
        return spec.directory_files
    settings_file, keys = spec.names_setting
    try:
        text = _read(str(b.root / settings_file))[0]
    except NotText:
        return spec.directory_files
    try:
        settings = json.loads(text)
    except ValueError:
        return spec.directory_files
    for key in keys:
        value: object = settings
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            return (value.strip(),)
        if isinstance(value, list) and all(isinstance(v, str) for v in value) and value:
            return tuple(v.strip() for v in value if v.strip())
    return spec.directory_files


def _variant(directory: Path, name: str) -> Path | None:
    """A file named ``name`` in another case in ``directory`` (`Claude.md` for CLAUDE.md)."""
    if "/" in name:
        return None
    for entry in _listdir(directory):
        if entry != name and entry.lower() == name.lower():
            return directory / entry
    return None


def _root_files(b: _Builder, spec: AgentSpec, listed: tuple[str, ...]) -> list[tuple[InstructionFile, str | None]]:
    """The files of ``listed`` in the working directory (`A|B`: the first of the names that exists)."""
    out: list[tuple[InstructionFile, str | None]] = []
    for entry in listed:
        for name in a.alternatives(entry):
            f = b.file_at(b.root / name, spec.name)
            if f is not None:
                out.append((f, None))
                break
    return out


MAX_LISTED = 200  # files one settings glob may add: a `**/*.md` is a mistake, not 10,000 instruction files


def _listed_files(b: _Builder, spec: AgentSpec) -> list[tuple[InstructionFile, str | None]]:
    """Files a settings file lists to be read at start (OpenCode's `instructions`): globs relative to the working
    directory. URLs, absolute and `~/` paths are the user's setup, not the repository's: not followed."""
    if spec.instructions_setting is None:
        return []
    names, key = spec.instructions_setting
    found = next(((n, s) for n, s in ((n, _settings(b.root / n)) for n in names) if s is not None), None)
    if found is None:
        return []
    name, settings = found
    value = settings.get(key)
    patterns = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(
        value, list) else []
    out: list[tuple[InstructionFile, str | None]] = []
    for pattern in patterns:
        pattern = pattern.strip().removeprefix("./")
        if not pattern or pattern.startswith(("/", "~", "http://", "https://")) or ".." in pattern.split("/"):
            continue
        try:
            matches = sorted(b.root.glob(pattern))[:MAX_LISTED]
        except (ValueError, OSError, NotImplementedError):
            continue
        for path in matches:
            f = b.file_at(path, spec.name, undiscoverable=True)
            if f is not None:
                out.append((f, f"listed in `{key}` of {name}"))
    return out


def _settings(path: Path) -> dict[str, object] | None:
    """A JSON settings file (comment lines of JSONC allowed); None when absent or unreadable."""
    try:
        text = _read(str(path))[0] if path.is_file() else None
    except NotText:
        return None
    if text is None:
        return None
    for attempt in (text, re.sub(r"(?m)^\s*//.*$", "", text)):
        try:
            data = json.loads(attempt)
        except ValueError:
            continue
        return data if isinstance(data, dict) else None
    return None


def _ancestor_rules(b: _Builder, spec: AgentSpec, rd: a.RuleDir,
                    dirs: list[Path]) -> list[tuple[InstructionFile, str | None]]:
    """The rule files of ``rd`` in the directories above the working directory (read as context), each with
    its path relative to the directory holding the rule folder."""
    out: list[tuple[InstructionFile, str | None]] = []
    for d in dirs:
        for dirpath, dirnames, filenames in os.walk(d / rd.dir):
            dirnames.sort()
            for name in sorted(filenames):
                f = b.file_at(Path(dirpath) / name, spec.name) if name.endswith(rd.suffix) else None
                if f is not None:
                    out.append((f, Path(dirpath, name).relative_to(d).as_posix()))
    return out


def _start_load(b: _Builder, spec: AgentSpec, chain_dirs: list[Path], discovered: list[InstructionFile]) -> AgentLoad:
    load = AgentLoad(spec.name)
    seen: set[str] = set()
    starters: list[tuple[InstructionFile, str | None]] = []  # (file, note)

    names = _names(b, spec)
    renamed = names != spec.directory_files

    def directory_files(names: tuple[str, ...]) -> list[tuple[InstructionFile, str | None]]:
        found: list[tuple[InstructionFile, str | None]] = []
        for d in chain_dirs:
            for name in names:
                f = b.file_at(d / name, spec.name, undiscoverable=renamed)
                note = None
                if f is None and spec.case_variants:
                    variant = _variant(d, name)
                    if variant is not None and not (d / name).exists():
                        f = b.file_at(variant, spec.name)
                        if f is not None:
                            f.case_variant_of = name
                            if f.role == "import":
                                f.role = role_of(b.where(f) or f.path, name)
                            note = (f"read as {name} only where the file system ignores case (macOS, Windows); "
                                    "never on Linux")
                if f is not None:
                    found.append((f, note))
                    if spec.first_per_directory:
                        break
        return found

    starters += directory_files(names)
    if not starters and spec.fallback_files:
        first = spec.directory_files[0]
        starters += [(f, f"read in place of {first}: there is no {first}") for f, _ in
                     directory_files(spec.fallback_files)]
    starters += _root_files(b, spec, spec.root_files)
    has_rules = False
    for rd in spec.rule_dirs:
        candidates = [(f, b.where(f)) for f in discovered]
        if spec.chain_rule_dirs:
            candidates = _ancestor_rules(b, spec, rd, chain_dirs[:-1]) + candidates
        for f, rel in candidates:
            folder = a.top_rule_folder(tuple(rel.split("/")), rd) if rel is not None else None
            if folder is None or not rel or not rel.endswith(rd.suffix):
                continue
            has_rules = has_rules or rd.activation != "mode"
            how = activation(rd.activation, f.doc, folder)
            if how.mode == a.START:
                starters.append((f, None))
            else:
                b.mark(f, spec.name, Loading(how.mode, how.detail))
    if not has_rules:
        folders = " and ".join(rd.dir for rd in spec.rule_dirs if rd.activation != "mode")
        starters += [(f, f"read because {folders} holds no rule")
                     for f, _ in _root_files(b, spec, spec.fallback_root_files)]
    starters += _listed_files(b, spec)
    for f, note in starters:
        if f.source.real in seen:
            continue
        if spec.first_per_directory and not f.doc.text.strip():
            continue  # an empty file adds nothing (and, Codex, still hides the next name in its directory)
        seen.add(f.source.real)
        b.mark(f, spec.name, Loading(a.START))
        size = f.source.size
        if spec.max_file_bytes and size > spec.max_file_bytes:
            load.entries.append(LoadEntry(f.path, 0, 0, None, size, dropped=True,
                                          note="over 4 MiB: Claude Code skips the whole file"))
            continue
        load.entries.append(LoadEntry(f.path, b.tokens(f, spec.strip_block_comments), 0, None, size, note=note))
        if spec.import_depth:
            b.expand(load, spec, f, 1, seen)
    return load


def _apply_budget(b: _Builder, load: AgentLoad, budget: int) -> None:
    """Files read at start share ``budget`` bytes, root first; the rest never reaches the model."""
    remaining = budget
    for i, e in enumerate(load.entries):
        if e.dropped:
            continue
        file = b.project.by_path(e.path)
        if file is None:
            continue
        size = len(file.doc.text.encode("utf-8", "surrogatepass"))
        if size <= remaining:
            remaining -= size
            continue
        if remaining == 0:
            load.entries[i] = LoadEntry(e.path, 0, e.depth, e.via, e.bytes, dropped=True,
                                        note=f"the {budget:,}-byte budget is used up by the files above")
            continue
        cut = codex_cut(file.doc, remaining)
        if cut is not None:
            load.entries[i] = LoadEntry(e.path, count_text(cut.kept), e.depth, e.via, cut.total_bytes,
                                        truncated=True, note=cut.note)
        remaining = 0


def _apply_char_limits(b: _Builder, load: AgentLoad, spec: AgentSpec) -> None:
    """Each rule file keeps its first ``file_chars`` characters, and all of them together ``total_chars``
    (Windsurf); the rest never reaches the model. The agent's directory files (AGENTS.md) are not rule files."""
    remaining = spec.total_chars
    for i, e in enumerate(load.entries):
        if e.dropped or e.depth or any(e.path == n or e.path.endswith("/" + n) for n in spec.directory_files):
            continue
        file = b.project.by_path(e.path)
        if file is None:
            continue
        text = file.doc.text
        keep, why = len(text), ""
        if spec.file_chars and keep > spec.file_chars:
            keep, why = spec.file_chars, f"{spec.name} keeps {spec.file_chars:,} characters of a rule file"
        if remaining is not None:
            if remaining <= 0:
                load.entries[i] = LoadEntry(e.path, 0, e.depth, e.via, e.bytes, dropped=True,
                                            note=f"the {spec.total_chars:,} characters {spec.name} keeps of all rule "
                                                 "files together are used up by the files above")
                continue
            if keep > remaining:
                keep, why = remaining, (f"{spec.name} keeps {spec.total_chars:,} characters of all rule files "
                                        "together")
            remaining -= keep
        if keep < len(text):
            kept = text[:keep]
            line = kept.count("\n") + 1
            section = file.doc.section_at(line)
            where = f" in section '{section.heading}'" if section and section.heading else ""
            load.entries[i] = LoadEntry(e.path, count_text(kept), e.depth, e.via, e.bytes, truncated=True,
                                        note=f"cut at character {keep:,} (line {line}{where}): {why}; "
                                             f"{len(text) - keep:,} characters never reach the model")


def _later_loads(b: _Builder, used: list[AgentSpec], discovered: list[InstructionFile]) -> None:
    """How the agents reach the files that are not in their start-up load: nested directory files, a root
    file's copy in a project of its own, rule folders below the working directory; the chains of a
    budget-sharing agent."""
    for spec in used:
        names = _names(b, spec)
        chain_files: dict[str, list[InstructionFile]] = {}
        if spec.budget_bytes:
            root_chain = [b.project.by_path(e.path) for e in b.project.loads[spec.name].entries if e.depth == 0]
            chain_files[""] = [f for f in root_chain if f is not None]
        for f in discovered:
            rel = b.where(f)
            if rel is None or spec.name in f.loading:
                continue
            parts = rel.split("/")
            own_folder_of_another = parts[-2].startswith(".") if len(parts) > 1 else False
            if own_folder_of_another and f.always_loaded_by:
                continue  # `.claude/CLAUDE.md` is Claude Code's own file, not a nested CLAUDE.md
            placed = a.place(tuple(parts))
            in_rule_folder = placed is not None and placed.kind == "rule"
            if not in_rule_folder and any(rel != n and rel.endswith("/" + n) for n in names):
                if _skill_folder(b.root, parts) is not None:
                    continue  # a skill's reference file: no agent starts or works in a skill's folder
                if spec.nested == a.LAZY:
                    b.mark(f, spec.name, Loading(a.LAZY))
                elif spec.nested == a.CHAIN:
                    b.mark(f, spec.name, Loading(a.CHAIN))
                continue
            for name in (n for listed in spec.root_files for n in a.alternatives(listed)):
                if rel != name and rel.endswith("/" + name):
                    owner_dir = b.root / rel[: -len(name)]
                    if is_project_folder(set(_listdir(owner_dir))):
                        b.mark(f, spec.name, Loading(a.WORKSPACE))
                    else:
                        f.unloaded_reason = (f"{spec.name} reads `{name}` only at the top of the folder it is started "
                                             f"in, and `{rel[: -len(name)] or './'}` is not a project of its own")
            for rd in spec.rule_dirs:
                nested_rule = (a.rule_folder_index(tuple(parts), rd) is not None and rel.endswith(rd.suffix)
                               and a.top_rule_folder(tuple(parts), rd) is None)
                if nested_rule and activation(rd.activation, f.doc).mode not in (a.NEVER, a.MANUAL):
                    b.mark(f, spec.name, Loading(a.LAZY))
        if spec.nested == a.CHAIN:
            # Every folder holding one of the agent's files below the working directory (a file also read
            # at the root through a link counts: started here, the agent reads it twice).
            folders: set[str] = set()
            for f in discovered:
                rel = b.where(f) or f.path
                how = f.loading.get(spec.name)
                if how is not None and how.mode in (a.CHAIN, a.START) and any(rel.endswith("/" + n) for n in names):
                    folders.add(rel.rsplit("/", 1)[0])
            for folder in sorted(folders):
                chain = list(chain_files.get("", []))
                steps = folder.split("/")
                for i in range(1, len(steps) + 1):
                    picked = _picked(b, spec, names, b.root / "/".join(steps[:i]))
                    if picked is not None:
                        chain.append(picked)
                chain_files[folder] = chain
        if chain_files and any(chain_files.values()):
            b.project.chains[spec.name] = chain_files


def _picked(b: _Builder, spec: AgentSpec, names: tuple[str, ...], directory: Path) -> InstructionFile | None:
    """The one file a first-per-directory agent reads in ``directory`` (None when it is empty or absent)."""
    for name in names:
        path = directory / name
        if os.path.isfile(path):
            f = b.by_real.get(os.path.realpath(path))
            return f if f is not None and f.doc.text.strip() else None
    return None


def _set_apart(b: _Builder) -> None:
    """Move files no agent loads to ``unloaded`` and skills to ``skills``: neither is linted as instructions."""
    asset_dirs = b.data.asset_dirs
    kept: list[InstructionFile] = []
    for f in b.project.files:
        rel = b.where(f)
        parts = rel.split("/") if rel is not None else []
        if f.role == "skill":
            b.project.skills.append(f)
            continue
        asset = next((p for p in parts[:-1] if p in asset_dirs), None)
        skill = _skill_folder(b.root, parts) if not f.always_loaded_by else None
        if asset is not None and not f.always_loaded_by:
            where = "/".join(parts[: parts.index(asset) + 1]) + "/"
            f.unloaded_reason = (f"it sits in a static-asset folder (`{where}`), a copy shipped to readers; no agent "
                                 "loads it at start")
            f.loading.clear()
            f.agents = ()
        elif skill is not None:
            f.unloaded_reason = (f"it is a reference file of the skill in `{skill}` (beside its SKILL.md), read on "
                                 "demand when the skill runs; no agent starts or works in a skill's folder")
            f.loading.clear()
            f.agents = ()
        elif rel is not None and f.source.agent and a.ignored_rule_file(tuple(parts)) == f.source.agent:
            f.unloaded_reason = _ignored_reason(f.source.agent, parts)
        elif not f.loading and f.role != "memory" and not f.context_only and f.unloaded_reason is None:
            found = a.place(tuple(parts)) if rel is not None else None
            if found is not None and found.case_variant_of:
                f.case_variant_of = found.case_variant_of
                f.unloaded_reason = f"`{found.case_variant_of}` is read instead, and the two names differ only in case"
            else:
                f.unloaded_reason = _shadowed_by(b, parts) or "no agent reads a file of this name here"
        if f.unloaded_reason is not None and not f.loading:
            b.project.unloaded.append(f)
            continue
        kept.append(f)
    b.project.files = kept


def _skill_folder(root: Path, parts: list[str]) -> str | None:
    """The folder (`x/`) of the skill a directory file sits in: a folder above it, below the working
    directory, that holds a SKILL.md. Skill packs ship an AGENTS.md as the skill's compiled reference."""
    if len(parts) < 2 or parts[-1] == "SKILL.md":
        return None
    for depth in range(len(parts) - 1, 0, -1):
        if os.path.isfile(root.joinpath(*parts[:depth], "SKILL.md")):
            return "/".join(parts[:depth]) + "/"
    return None


def _shadowed_by(b: _Builder, parts: list[str]) -> str | None:
    """Why an agent's file is not read although its name is one the agent reads: an earlier name of the same
    folder is read instead (`AGENT.md` beside `AGENTS.md`, for agents that read one file per folder)."""
    name, folder = parts[-1], b.root.joinpath(*parts[:-1])
    readers: dict[str, list[str]] = {}
    for spec in specs().values():
        groups = [spec.directory_files] if spec.first_per_directory else []
        groups += [a.alternatives(listed) for listed in spec.root_files if "|" in listed]
        for group in groups:
            if name in group:
                earlier = next((n for n in group[: group.index(name)] if (folder / n).is_file()), None)
                if earlier is not None:
                    readers.setdefault(earlier, []).append(spec.name)
    if not readers:
        return None
    return "; ".join(f"{', '.join(who)} read{'s' if len(who) == 1 else ''} `{earlier}` in this folder instead "
                     "(one of these names per folder)" for earlier, who in readers.items())


def _ignored_reason(agent: str, parts: list[str]) -> str:
    for rd in specs()[agent].rule_dirs:
        if a.rule_folder_as_file(tuple(parts), rd):
            return f"{agent} reads the rule files inside a folder `{rd.dir}/`, never a file of that name"
        if rd.ignored_suffix and parts[-1].endswith(rd.ignored_suffix):
            return f"{agent} reads only `*{rd.suffix}` files in {rd.dir}, so it skips this `{rd.ignored_suffix}` file"
    return f"{agent} skips this file"


def _user_loads(b: _Builder, home: Path) -> None:
    for spec in specs().values():
        entries: list[LoadEntry] = []
        for name in spec.user_files:
            path = home / name.removeprefix("~/")
            try:
                text = _read(str(path))[0] if path.is_file() else None
            except NotText:
                text = None
            if text is None:
                continue
            doc = parse_markdown(text, name)
            entries.append(LoadEntry(name, count_text(visible_text(doc, spec.strip_block_comments)), 0, None,
                                     len(text.encode("utf-8", "surrogatepass"))))
            if spec.first_user_file:
                break
        if entries:
            b.project.user_loads[spec.name] = entries
