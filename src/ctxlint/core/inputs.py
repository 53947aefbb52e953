"""Inputs: ONE discovery for `check`, `coach` and `export` — what the given paths hold.

One walker (``walk``) with one policy for links:

* a path given on the command line is used whatever it links to;
* below it, the walk stays inside its *boundary*: the repository holding the given directory (its
  git top-level), else the directory itself. A symlink — to a directory or to a file — whose
  target lies outside the boundary is not followed: a CLAUDE.md linking to ``~/.ssh/config`` is
  never read, a link to ``$HOME`` or ``/`` never walked. Links inside the boundary are followed;
* a directory reached twice (a loop, a second link) is walked once;
* every file counts once, by its real identity (device and inode): a file reached through
  symlinks or hard links, or given twice, is one input.

``exclude`` patterns (config) match a path relative to the given directory, or a file name.
What counts as an instruction file or a transcript is the business of ``instructions.files`` and
``transcripts.files`` (names and layouts) and ``transcripts.reading`` (content).
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ctxlint._runtime.fsutil import display_path, inside
from ctxlint.config import Config
from ctxlint.errors import InputError
from ctxlint.instructions import files as instruction_names
from ctxlint.instructions.files import instruction_agent, repo_root
from ctxlint.model import Source, SourceKind
from ctxlint.transcripts import files as transcript_names

Identity = tuple[int, int]  # (st_dev, st_ino): what makes two paths the same file


@dataclass(frozen=True, slots=True)
class Entry:
    """A file met by ``walk``."""

    path: str  # the given directory joined with ``rel``
    rel: str  # relative to the given directory, with ``/``
    st: os.stat_result | None  # of the file itself (links followed); None when it cannot be reached
    is_link: bool


class WalkLimit(Exception):
    """A bounded walk (``Budget``) met its limit."""


@dataclass(slots=True)
class Budget:
    """How much a walk may look at: directory entries and seconds (a transcript's project directory
    is whatever the transcript says; it may be a home directory with a million files)."""

    entries: int
    seconds: float
    _deadline: float | None = None

    def spend(self, n: int) -> None:
        import time

        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + self.seconds
        self.entries -= n
        if self.entries < 0 or now > self._deadline:
            raise WalkLimit


def walk(root: str | Path, *, skip_dir: Callable[[str], bool], wanted: Callable[[str], bool],
         budget: Budget | None = None) -> Iterator[Entry]:
    """Every file under ``root`` whose name is ``wanted``, in sorted order, following the link policy
    above; directories whose name ``skip_dir`` says are never entered. With a ``budget``, ``WalkLimit``
    when it is spent."""
    top = str(root)
    boundary = os.path.realpath(repo_root(Path(top)))
    seen_dirs: set[Identity] = set()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        if budget is not None:
            budget.spend(1 + len(dirnames) + len(filenames))
        if dirpath != top and os.path.islink(dirpath) and not _within(os.path.realpath(dirpath), boundary):
            dirnames[:] = []
            continue
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:  # a loop, or a directory reached twice
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(d for d in dirnames if not skip_dir(d))
        prefix = os.path.relpath(dirpath, top).replace(os.sep, "/") + "/" if dirpath != top else ""
        for name in sorted(filenames):
            if not wanted(name):
                continue
            full = os.path.join(dirpath, name)
            is_link = os.path.islink(full)
            if is_link and not _within(os.path.realpath(full), boundary):
                continue
            try:
                fst: os.stat_result | None = os.stat(full)
            except OSError:
                fst = None  # a dangling link or an unreadable entry
            yield Entry(full, prefix + name, fst, is_link)


def _within(real: str, boundary: str) -> bool:
    return inside(real, boundary) is not None if os.sep == "/" else \
        real == boundary or real.startswith(boundary.rstrip(os.sep) + os.sep)


def _identity_of(path: str) -> Identity | str:
    """The file's identity; its path when it cannot be stat'ed (then it is reported, not read)."""
    try:
        st = os.stat(path)
    except OSError:
        return path
    return (st.st_dev, st.st_ino)


def excluded(rel: str, patterns: Iterable[str]) -> bool:
    """Whether a config ``exclude`` pattern matches ``rel`` (relative to the given directory) or its name."""
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


# ---------------------------------------------------------------------------------------------
# Instruction files


def instruction_sources(root: Path, exclude: tuple[str, ...] = (), *, budget: Budget | None = None) -> list[Source]:
    """Every instruction file under ``root``, one Source per real file, display paths relative to
    ``root``. A file reached twice (CLAUDE.md -> AGENTS.md) is one Source, parsed, counted and
    reported once, under its own path when it is in the tree and under the link's otherwise; the
    other paths are its ``aliases``."""
    root = Path(root)
    found: dict[Identity | str, Source] = {}
    linked: dict[Identity | str, bool] = {}  # whether the Source's path is a link
    aliases: dict[Identity | str, list[str]] = {}
    for e in walk(root, skip_dir=instruction_names.skip_dir, wanted=instruction_names.may_be_instructions,
                  budget=budget):
        agent = instruction_agent(Path(e.rel), root)
        if agent is None or excluded(e.rel, exclude):
            continue
        if e.st is None:  # kept so the engine reports it as unreadable (CTX001)
            found.setdefault(e.path, Source(e.rel, e.path, SourceKind.INSTRUCTIONS, agent, 0))
            continue
        if not stat.S_ISREG(e.st.st_mode):
            continue  # FIFOs, devices, sockets are never read
        key = (e.st.st_dev, e.st.st_ino)
        previous = found.get(key)
        if previous is None or (not e.is_link and linked[key]):
            if previous is not None:
                aliases.setdefault(key, []).append(previous.path)  # the file's own path wins over a link's
            found[key] = Source(e.rel, os.path.realpath(e.path), SourceKind.INSTRUCTIONS, agent, e.st.st_size)
            linked[key] = e.is_link
            if previous is not None:
                continue
        if previous is not None or e.is_link:
            aliases.setdefault(key, []).append(e.rel)
    return sorted(
        (replace(s, aliases=tuple(sorted(set(aliases.get(key, ())) - {s.path}))) for key, s in found.items()),
        key=lambda s: s.path,
    )


# ---------------------------------------------------------------------------------------------
# The project a transcript ran in

PROJECT_ENTRIES = 50_000  # directory entries the walk of one transcript's project may look at
PROJECT_SECONDS = 10.0


def transcript_project(cwd: str, roots: Iterable[str] = ()) -> Path | None:
    """The directory a transcript says it ran in (its ``cwd``), as a real path, when ctxlint may look
    at it: inside the user's home directory or inside one of ``roots`` (``--project-root``). A
    transcript is data anyone can write: ``cwd: "/"`` must not walk the machine, ``/proc`` or another
    user's files, and a link in the home directory must not lead out of it."""
    if not cwd or not os.path.isabs(cwd):
        return None
    real = os.path.realpath(cwd)
    allowed = [os.path.realpath(r) for r in roots]
    home = os.path.realpath(os.path.expanduser("~"))
    if home != os.path.realpath(os.sep) and os.path.isabs(home):
        allowed.append(home)
    if not any(_within(real, base) for base in allowed) or not os.path.isdir(real):
        return None
    return Path(real)


def project_instruction_sources(project: Path, exclude: tuple[str, ...] = ()) -> list[Source] | None:
    """``instruction_sources`` of a transcript's project (see ``transcript_project``), the walk bounded
    in entries and time; None when it had to stop (too large to walk: not looked at)."""
    try:
        return instruction_sources(project, exclude, budget=Budget(PROJECT_ENTRIES, PROJECT_SECONDS))
    except WalkLimit:
        return None


# ---------------------------------------------------------------------------------------------
# Transcripts

UNCHECKED = "?"  # the format of a .jsonl file not opened (see transcript_files)


def transcript_files(root: str, exclude: tuple[str, ...] = (), *, open_jsonl: bool = True) -> list[str]:
    """Every transcript under ``root`` (content-checked), sorted; Codex ``sessions/`` wins over an
    ``archived_sessions/`` copy of the same rollout. A database store counts as its root sessions,
    each by its address (``<database>#<session id>``, see ``transcripts.stores``).

    With ``open_jsonl=False`` a ``.jsonl`` file is listed without being opened: for a caller that
    reads every file anyway and drops those that turn out not to be transcripts (the check's workers
    detect each format as they read; opening every file twice cost a tenth of the start-up)."""
    found: list[str] = []
    seen: set[Identity] = set()
    codex_names: dict[str, str] = {}
    for e in walk(root, skip_dir=transcript_names.skip_dir, wanted=transcript_names.may_be_transcript):
        st = e.st
        if st is None or not stat.S_ISREG(st.st_mode) or st.st_size == 0 or (st.st_dev, st.st_ino) in seen:
            continue  # not a file, empty, or a second link to a file already found
        seen.add((st.st_dev, st.st_ino))
        if exclude and excluded(e.rel, exclude):
            continue
        name = e.rel.rsplit("/", 1)[-1]
        if transcript_names.read_with_another(e.path):
            continue
        if name.endswith(".db"):
            from ctxlint.transcripts import stores

            found.extend(s.address for s in stores.sessions(e.path))
            continue
        if not open_jsonl and name.endswith(".jsonl"):
            fmt: str | None = UNCHECKED
        else:
            # imported at the first candidate: a tree without one never loads the readers
            from ctxlint.transcripts.reading import detect_format

            try:
                fmt = detect_format(e.path)
            except OSError:
                continue
        if fmt is None:
            continue
        if fmt in ("codex", UNCHECKED) and transcript_names.CODEX_ROLLOUT.search(name):
            previous = codex_names.get(name)
            archived = "archived_sessions" in Path(e.path).parts
            if previous is not None:
                if archived:
                    continue
                found.remove(previous)
            codex_names[name] = e.path
        found.append(e.path)
    return sorted(found)


@dataclass(frozen=True, slots=True)
class TranscriptInput:
    """A transcript for the coach or the export: where it was found and its size and age."""

    path: str  # under the given directory, or as given
    root: str  # the given directory; for a file given directly, its own directory
    size: int
    mtime_ns: int


def transcript_inputs(paths: Iterable[str], exclude: tuple[str, ...] = ()) -> list[TranscriptInput]:
    """Every transcript under ``paths`` (directories are searched, files taken as given, a database
    store as its sessions), once each, in the order found. A path that does not exist is an
    ``InputError``. A session in a database has its own size and last change (``stores``)."""
    from ctxlint.transcripts import stores

    out: list[TranscriptInput] = []
    seen: set[tuple[int, int, str | None]] = set()
    for given in paths:
        if os.path.isdir(given):
            root, found = given, transcript_files(given, exclude)
        elif os.path.isfile(given):
            root = os.path.dirname(given) or "."
            found = [s.address for s in stores.sessions(given)] if stores.is_sqlite(given) else [given]
        elif stores.is_address(given):
            root, found = os.path.dirname(stores.split(given)[0]) or ".", [given]
        else:
            raise InputError(f"{given}: no such file or directory")
        listed = {s.address: s for database in {stores.split(p)[0] for p in found if stores.is_address(p)}
                  for s in stores.sessions(database)}
        for path in found:
            database, session_id = stores.split(path)
            try:
                st = os.stat(database)
            except OSError:
                continue
            key = (st.st_dev, st.st_ino, session_id)
            if key in seen:
                continue
            seen.add(key)
            session = listed.get(path)
            if session_id is None:
                out.append(TranscriptInput(path, root, st.st_size, st.st_mtime_ns))
            elif session is not None:
                out.append(TranscriptInput(path, root, session.size, session.mtime_ns))
            else:  # a child session given by its address: read alone
                out.append(TranscriptInput(path, root, 0, st.st_mtime_ns))
    return out


# ---------------------------------------------------------------------------------------------
# What `ctxlint check` reads


@dataclass(slots=True)
class Inputs:
    """What the given paths hold: instruction files per repository, transcripts, unreadable paths."""

    instruction_groups: dict[str, list[Source]] = field(default_factory=dict)  # repo root -> sources
    # repo root -> real paths given explicitly. The whole project is still built (cross-file rules
    # such as duplicates need CLAUDE.md *and* AGENTS.md), but only these files are reported.
    focus: dict[str, set[str]] = field(default_factory=dict)
    transcripts: list[str] = field(default_factory=list)
    # Found in a directory without opening them (.jsonl): dropped when reading shows they are not transcripts.
    unchecked: set[str] = field(default_factory=set)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def classify(paths: list[str], config: Config) -> Inputs:
    """What `ctxlint check` reads: the instruction files of each repository (whole projects, since
    cross-file rules need every file an agent loads; a file given alone is the only one reported),
    the transcripts, and the paths it cannot check. A file given explicitly is classified by its
    name (instruction file) or its content (transcript)."""
    inputs = Inputs()
    seen_instructions: set[Identity | str] = set()
    covered_roots: set[str] = set()

    def add_instruction(source: Source, root: Path) -> None:
        key = _identity_of(source.real)
        if key in seen_instructions:
            return  # reached twice (symlink, hard link, or given twice): parsed, counted, reported once
        seen_instructions.add(key)
        inputs.instruction_groups.setdefault(str(root), []).append(source)

    seen_transcripts: set[Identity | str] = set()

    def add_transcript(path: str) -> None:
        key = _identity_of(path)  # unreadable: kept, reading it reports the error (CTX001)
        if key not in seen_transcripts:
            seen_transcripts.add(key)
            inputs.transcripts.append(path)

    from ctxlint.transcripts import stores

    for given in paths:
        p = Path(given)
        if p.is_dir():
            # A directory covers everything in it: no focus for its repository.
            covered_roots.add(str(p.resolve()))
        if stores.is_address(given):
            add_transcript(given)  # one session of a database store
            continue
        if not os.path.lexists(p):
            inputs.unreadable.append((display_path(p), "no such file or directory"))
            continue
        if p.is_dir():
            # A directory is checked as a project of its own: the agent is started there.
            root = p.resolve()
            for src in instruction_sources(p, config.exclude):
                shown = display_path(p / src.path)
                also = tuple(display_path(p / a) for a in src.aliases)
                add_instruction(replace(src, path=shown, aliases=also), root)
            # Walking a whole repository (its top folder given), its sessions are the ones in an agent's store
            # (`.claude/projects`, …): a `.jsonl` test fixture of its code is not its user's session. A folder
            # given inside it, or outside any repository (a folder of logs), is searched for every transcript.
            top = repo_root(p)
            in_repo = (top / ".git").exists() and top.resolve() == p.resolve()
            for t in transcript_files(str(p), config.exclude, open_jsonl=False):
                if in_repo and not transcript_names.in_session_store(os.path.relpath(t, top).replace(os.sep, "/")):
                    continue
                add_transcript(t)
                if t.endswith(".jsonl"):
                    inputs.unchecked.add(t)
            continue
        if not p.is_file():
            inputs.unreadable.append((display_path(p), "not a regular file (FIFO, device or broken link)"))
            continue
        if stores.is_sqlite(given):
            sessions = stores.sessions(given)
            if not sessions and stores.detect_store(given) is None:
                inputs.unreadable.append((display_path(p), stores.not_a_store(given)))
            for session in sessions:
                add_transcript(session.address)
            continue
        root = repo_root(p.parent, lexical=True)
        agent = instruction_agent(p.absolute(), root)
        if agent is not None:
            try:
                size = p.stat().st_size
            except OSError:
                size = 0
            add_instruction(
                Source(display_path(p), os.path.realpath(p), SourceKind.INSTRUCTIONS, agent, size), root
            )
            inputs.focus.setdefault(str(root), set()).add(os.path.realpath(p))
            continue
        from ctxlint.transcripts.reading import detect_format  # here: a lone instruction file never needs it

        try:
            fmt = detect_format(str(p))
        except OSError as exc:
            inputs.unreadable.append((display_path(p), exc.strerror or exc.__class__.__name__))
            continue
        if fmt is None:
            inputs.unreadable.append(
                (display_path(p), "neither an agent instruction file nor a transcript ctxlint can read")
            )
            continue
        add_transcript(str(p))
    for covered in covered_roots:
        inputs.focus.pop(covered, None)
    for focused in list(inputs.focus):
        for src in instruction_sources(Path(focused), config.exclude):
            add_instruction(replace(src, path=display_path(Path(focused) / src.path)), Path(focused))
    return inputs
