"""duplicated-instruction: the same instruction twice, in one file or across loaded files.

Two checks (see the rule's YAML): ``repeated_instructions`` compares instruction lines (exact match
after normalisation), lines and paragraphs of at least ``min-words-near`` words (near match: Jaccard
of word 3-shingles >= ``similarity``) and whole code blocks of three or more lines, within each file
and within each agent's start-up set (a file reached twice through symlinks is one file);
``claude_md_repeats_agents_md`` gives one summary finding when a CLAUDE.md repeats most of the
AGENTS.md next to it without importing it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.measure.tokens import count_text
from ctxlint.model import RawFinding, Severity, TextEdit, fix
from ctxlint.rules.instructions.common import in_code_or_comment, normalise
from ctxlint.rules.registry import RuleContext, detector

TABLE_OR_RULE = re.compile(r"^\s*(?:\|.*|[-=*_|:\s]+)$")
MAX_POSTINGS = 64  # shingles shared by more units than this say nothing about a pair


@dataclass(frozen=True, slots=True)
class Unit:
    """A line, paragraph or code block compared for repetition."""

    file: InstructionFile
    line: int
    end_line: int
    norm: str  # normalised text (exact-match key)
    raw: str  # the text as written (first line for paragraphs)
    kind: str  # line | paragraph | code
    shingles: frozenset[tuple[str, ...]]


def _shingles(norm: str) -> frozenset[tuple[str, ...]]:
    """Word 3-grams (the whole text when it has fewer than three words)."""
    words = norm.split()
    if len(words) < 3:
        return frozenset((tuple(words),))
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def _instruction_line(f: InstructionFile, number: int, raw: str) -> bool:
    stripped = raw.strip()
    if not stripped or number <= f.doc.front_matter_end_line or in_code_or_comment(f, number):
        return False
    if stripped.startswith(("#", "<!--", ">", "```", "~~~")) or TABLE_OR_RULE.match(stripped):
        return False
    # A lead-in ("**Expected output**: all packages build:") introduces what follows; repeated before
    # two different blocks it is structure, not a repeated instruction.
    return not stripped.endswith(":")


def _units(f: InstructionFile, min_words: int, min_near: int) -> list[Unit]:
    doc = f.doc
    units: list[Unit] = []
    paragraph: list[tuple[int, str]] = []

    def flush() -> None:
        if len(paragraph) > 1:
            norm = " ".join(normalise(r) for _, r in paragraph)
            if len(norm.split()) >= min_near:
                units.append(Unit(f, paragraph[0][0], paragraph[-1][0], norm, paragraph[0][1].strip(),
                                  "paragraph", _shingles(norm)))
        paragraph.clear()

    for number, raw in enumerate(doc.lines, start=1):
        if not _instruction_line(f, number, raw):
            flush()
            continue
        if re.match(r"^\s*(?:[-*+]|\d+[.)])\s", raw):
            flush()  # a list item starts its own unit; its continuation lines join it
        paragraph.append((number, raw))
        norm = normalise(raw)
        n_words = len(norm.split())
        if n_words >= min_words:
            units.append(Unit(f, number, number, norm, raw.strip(), "line",
                              _shingles(norm) if n_words >= min_near else frozenset()))
    flush()
    for block in doc.code_blocks:
        body = [line.strip() for line in block.content.split("\n") if line.strip()]
        if len(body) >= 3:
            units.append(Unit(f, block.start_line, block.end_line, "\n".join(body), body[0], "code", frozenset()))
    # a paragraph before its own lines, so a repeated paragraph is one finding, not one per line
    return sorted(units, key=lambda u: (u.line, u.kind != "paragraph"))


def _same_file(a: InstructionFile, b: InstructionFile) -> bool:
    return a is b or a.source.real == b.source.real


def _where(first: Unit, copy: Unit) -> str:
    if _same_file(first.file, copy.file):
        return f"line {first.line}" if first.line == first.end_line else f"lines {first.line}-{first.end_line}"
    return f"{first.file.path}:{first.line}"


def _groups(project: InstructionProject) -> list[list[InstructionFile]]:
    """Each file alone, then each agent's start-up set (imported files first, so the finding lands on
    the importer's own repetition); one copy of each real file per group."""
    groups: list[list[InstructionFile]] = [[f] for f in project.files]
    seen: set[tuple[str, ...]] = set()
    for load in project.loads.values():
        entries = sorted((e for e in load.entries if not e.dropped), key=lambda e: -e.depth)
        files: list[InstructionFile] = []
        for e in entries:
            m = project.by_path(e.path)
            if m is not None and not any(_same_file(m, x) for x in files):
                files.append(m)
        key = tuple(x.source.real for x in files)
        if len(files) > 1 and key not in seen:
            seen.add(key)
            groups.append(files)
    return groups


def _match(
    units: list[Unit], similarity: float
) -> Iterator[tuple[Unit, Unit, float]]:
    """(first, later copy, similarity) for every unit that repeats an earlier one."""
    exact: dict[tuple[str, str], Unit] = {}
    postings: dict[str, dict[tuple[str, ...], list[int]]] = {}  # kind -> shingle -> units having it
    for index, unit in enumerate(units):
        earlier = exact.get((unit.kind, unit.norm))
        if earlier is not None and not (_same_file(earlier.file, unit.file) and earlier.line == unit.line):
            yield earlier, unit, 1.0
            continue
        exact.setdefault((unit.kind, unit.norm), unit)
        if unit.shingles:
            shared: dict[int, int] = {}  # earlier unit -> shingles in common (a plain dict: Counter.update is slow)
            of_kind = postings.setdefault(unit.kind, {})
            for sh in unit.shingles:
                post = of_kind.setdefault(sh, [])
                if len(post) <= MAX_POSTINGS:
                    for other in post:
                        shared[other] = shared.get(other, 0) + 1
                post.append(index)
            best: tuple[float, int] | None = None
            for other, n in shared.items():
                o = units[other]
                if _same_file(o.file, unit.file) and o.line <= unit.line <= o.end_line:
                    continue
                jaccard = n / (len(o.shingles) + len(unit.shingles) - n)
                # ties go to the earliest unit: set order varies with the hash seed, findings must not
                if jaccard >= similarity and (best is None or (-jaccard, other) < (-best[0], best[1])):
                    best = (jaccard, other)
            if best is not None:
                yield units[best[1]], unit, best[0]


def claude_md_repeats_agents_md(project: InstructionProject, ctx: RuleContext,
                                units_of: Callable[[InstructionFile], list[Unit]]) -> Iterator[RawFinding]:
    """The second check: a CLAUDE.md that repeats most of the AGENTS.md next to it, without importing it."""
    by_dir: dict[str, dict[str, InstructionFile]] = {}
    for f in project.files:
        name = os.path.basename(f.path)
        if name in ("CLAUDE.md", "AGENTS.md"):
            by_dir.setdefault(os.path.dirname(f.path), {})[name] = f
    for pair in by_dir.values():
        claude, agents = pair.get("CLAUDE.md"), pair.get("AGENTS.md")
        if claude is None or agents is None or _same_file(claude, agents):
            continue
        if any(os.path.basename(i.target) == "AGENTS.md" and not i.in_code for i in claude.doc.imports):
            continue  # already `@AGENTS.md`: line-level findings cover what it repeats
        mine = [u for u in units_of(claude) if u.kind == "line"]
        theirs = [u for u in units_of(agents) if u.kind == "line"]
        if len(mine) < 3:
            continue
        repeated = {copy.line for _, copy, _ in _match([*theirs, *mine], ctx["similarity"])
                    if copy.file is claude}
        share = len(repeated) / len(mine)
        if share <= ctx["interop-share"]:
            continue
        own = [u.line for u in mine if u.line not in repeated]
        tokens = sum(count_text(claude.doc.lines[n - 1]) for n in sorted(repeated))
        keep = (f"lines {', '.join(map(str, own[:10]))}{'…' if len(own) > 10 else ''}" if own
                else "nothing else")
        yield RawFinding(
            line=1,
            path=claude.path,
            severity=Severity.INFO,
            message=(f"{claude.path} repeats {len(repeated)} of its {len(mine)} instruction lines ({share:.0%}) "
                     f"from {agents.path}; the two copies will drift apart"),
            fix=fix("claude-imports-agents", claude=claude.path, keep=keep),
            tokens_wasted=tokens if claude.always_loaded_by else 0,
            content_key=f"interop:{agents.path}",
        )


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    cache: dict[int, list[Unit]] = {}

    def units_of(f: InstructionFile) -> list[Unit]:  # each file's units, computed once
        if id(f) not in cache:
            cache[id(f)] = _units(f, ctx["min-words"], ctx["min-words-near"])
        return cache[id(f)]

    yield from repeated_instructions(project, ctx, units_of)
    yield from claude_md_repeats_agents_md(project, ctx, units_of)


def repeated_instructions(project: InstructionProject, ctx: RuleContext,
                          units_of: Callable[[InstructionFile], list[Unit]]) -> Iterator[RawFinding]:
    """The first check: a later copy of an instruction, within a file or an agent's start-up set."""
    reported: set[tuple[str, int]] = set()
    for group in _groups(project):
        units: list[Unit] = []
        for f in group:
            units.extend(units_of(f))
        for first, copy, sim in _match(units, ctx["similarity"]):
            f = copy.file
            if any((f.path, n) in reported for n in range(copy.line, copy.end_line + 1)):
                continue
            reported.update((f.path, n) for n in range(copy.line, copy.end_line + 1))
            where = _where(first, copy)
            same_file = _same_file(first.file, f)
            what = {"line": "", "paragraph": "paragraph ", "code": "code block "}[copy.kind]
            kind = "duplicate" if sim >= 1.0 else f"near-duplicate ({sim:.0%} similar)"
            span = (f"line {copy.line}" if copy.line == copy.end_line else f"lines {copy.line}-{copy.end_line}")
            edits: tuple[TextEdit, ...] = ()
            if (same_file and copy.kind == "line" and sim >= 1.0
                    and first.raw == copy.raw
                    and f.doc.section_at(first.line) == f.doc.section_at(copy.line)):
                edits = (TextEdit(copy.line, copy.line, ""),)
            if same_file:
                two_sections = not edits and f.doc.section_at(first.line) != f.doc.section_at(copy.line)
                how = fix("delete-repeat", "state-once", span=span, where=where) if two_sections else \
                    fix("delete-repeat", span=span, where=where)
            else:
                how = fix("keep-one-copy", span=span, path=f.path, first=first.file.path)
            tokens = count_text("\n".join(f.doc.lines[copy.line - 1 : copy.end_line]))
            yield RawFinding(
                line=copy.line,
                end_line=copy.end_line,
                path=f.path,
                message=f"{what}{kind} of {where}: \"{copy.raw[:80]}\"",
                fix=how,
                tokens_wasted=tokens if f.always_loaded_by else 0,
                edits=edits,
                content_key=f"{copy.kind}:{copy.norm}",
            )
