"""vague-directive: whole directives with nothing checkable."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.measure.tokens import count_text
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import in_code_or_comment, normalise
from ctxlint.rules.registry import RuleContext, detector


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    phrases = {normalise(p) for p in ctx.data["phrases"]}
    for number, raw in enumerate(file.doc.lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("#") or in_code_or_comment(file, number):
            continue
        norm = normalise(raw)
        # The whole directive must be the vague phrase (a trailing "always" or "at all times" too).
        core = norm.removeprefix("always ").removeprefix("please ").removesuffix(" at all times").strip()
        if core not in phrases:
            continue
        yield RawFinding(
            line=number,
            message=f"vague directive \"{raw.strip()[:60]}\": nothing the agent can check or does not already do",
            fix=fix("checkable", line=number),
            tokens_wasted=count_text(raw) if file.always_loaded_by else 0,
            content_key=core,
        )
