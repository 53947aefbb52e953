"""CTX104 duplicated-instruction: the same instruction twice, in one file or across loaded files."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, TextEdit
from ctxlint.registry import RuleContext, detector
from ctxlint.rules.instructions.common import in_code_or_comment, normalise
from ctxlint.tokens import count_text


def _lines(f: InstructionFile, min_words: int) -> Iterator[tuple[int, str, str]]:
    for number, raw in enumerate(f.doc.lines, start=1):
        if number <= f.doc.front_matter_end_line or in_code_or_comment(f, number):
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", "|", "<!--", ">")) or set(stripped) <= set("-=*_|: "):
            continue
        norm = normalise(stripped)
        if len(norm.split()) < min_words:
            continue
        yield number, norm, raw


@detector("CTX104", scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    # Files compared together: each agent's start-up set, and every file with itself.
    groups: list[list[InstructionFile]] = [[f] for f in project.files]
    for load in project.loads.values():
        # Imported (shared) files first: the copy to delete is the importer's own repetition.
        entries = sorted((e for e in load.entries if not e.dropped), key=lambda e: -e.depth)
        members = [project.by_path(e.path) for e in entries]
        files = [m for m in members if m is not None]
        if len(files) > 1:
            groups.append(files)
    reported: set[tuple[str, int]] = set()
    for group in groups:
        first_seen: dict[str, tuple[InstructionFile, int]] = {}
        for f in group:
            for number, norm, raw in _lines(f, ctx["min-words"]):
                earlier = first_seen.get(norm)
                if earlier is None:
                    first_seen[norm] = (f, number)
                    continue
                if (f.path, number) in reported:
                    continue
                other, other_line = earlier
                if other is f and other_line == number:
                    continue
                reported.add((f.path, number))
                same_file = other is f
                where = f"line {other_line}" if same_file else f"{other.path}:{other_line}"
                edits = (TextEdit(number, number, ""),) if same_file and raw.strip() == other.doc.lines[other_line - 1].strip() else ()
                yield RawFinding(
                    line=number,
                    path=f.path,
                    message=f"duplicate of {where}: \"{raw.strip()[:80]}\"",
                    fix=(f"delete line {number}; the instruction is already at {where}" if same_file else
                         f"keep one copy: delete line {number} of {f.path} (it is loaded together with {other.path})"),
                    tokens_wasted=count_text(raw) if f.always_loaded_by else 0,
                    edits=edits,
                    content_key=norm,
                )
