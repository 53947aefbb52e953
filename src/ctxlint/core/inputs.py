"""Inputs: what the given paths hold — instruction files per repository, transcripts, and paths
that cannot be checked."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ctxlint._runtime.fsutil import display_path
from ctxlint.config import Config
from ctxlint.model import Source, SourceKind


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


def _excluded(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(path, pat) or fnmatch.fnmatch(Path(path).name, pat) for pat in patterns)


def classify(paths: list[str], config: Config) -> Inputs:
    from ctxlint.instructions.discover import discover_instructions, instruction_agent, repo_root
    from ctxlint.transcripts.discover import find_transcripts

    inputs = Inputs()
    seen_real: set[str] = set()
    covered_roots: set[str] = set()

    def add_instruction(source: Source, root: Path) -> None:
        if source.real in seen_real:
            return  # reached twice (symlink, or given twice): parsed, counted, reported once
        seen_real.add(source.real)
        inputs.instruction_groups.setdefault(str(root), []).append(source)

    seen_transcripts: set[tuple[int, int]] = set()

    def add_transcript(path: str) -> None:
        # One stat instead of realpath's lstat per path component: a history folder has thousands of
        # files. The same file given twice, through a symlink or a hard link, is read once.
        try:
            st = os.stat(path)
        except OSError:
            inputs.transcripts.append(path)  # reading it reports the error (CTX001)
            return
        if (st.st_dev, st.st_ino) not in seen_transcripts:
            seen_transcripts.add((st.st_dev, st.st_ino))
            inputs.transcripts.append(path)

    for given in paths:
        p = Path(given)
        if p.is_dir():
            # A directory covers everything in it: no focus for its repository.
            covered_roots.add(str(p.resolve()))
        if not os.path.lexists(p):
            inputs.unreadable.append((display_path(p), "no such file or directory"))
            continue
        if p.is_dir():
            # A directory is checked as a project of its own: the agent is started there.
            root = p.resolve()
            for src in discover_instructions(p, config.exclude):
                shown = display_path(p / src.path)
                also = tuple(display_path(p / a) for a in src.aliases)
                add_instruction(replace(src, path=shown, aliases=also), root)
            for t in find_transcripts(str(p), check_jsonl=False):
                if not _excluded(display_path(t), config.exclude):
                    add_transcript(t)
                    if t.endswith(".jsonl"):
                        inputs.unchecked.add(t)
            continue
        if not p.is_file():
            inputs.unreadable.append((display_path(p), "not a regular file (FIFO, device or broken link)"))
            continue
        root = repo_root(p.parent)
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
        for src in discover_instructions(Path(focused), config.exclude):
            shown = display_path(Path(focused) / src.path)
            if src.real not in seen_real:
                add_instruction(replace(src, path=shown), Path(focused))
    return inputs
