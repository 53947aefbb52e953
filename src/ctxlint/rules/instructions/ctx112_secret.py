"""secret-in-instructions: credentials in a committed instruction file (never echoed)."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.measure.secrets import find_secrets
from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    text = file.doc.text
    for match in find_secrets(text):
        line = text.count("\n", 0, match.start) + 1
        yield RawFinding(
            line=line,
            message=f"a {match.kind} is written in the file (value not shown)",
            fix=fix("rotate"),
            content_key=f"{match.kind}:{line}",
        )
