"""emphasis-inflation: too many shouting lines."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import in_code_or_comment
from ctxlint.rules.registry import RuleContext, detector

DIRECTIVE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S|^\s*[A-Z][^|#]{10,}[.!:]\s*$")


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    shout = re.compile(ctx.data["shout"])
    bold = re.compile(ctx.data["bold_imperative"])
    directives: list[int] = []
    loud: list[int] = []
    for number, raw in enumerate(file.doc.lines, start=1):
        if in_code_or_comment(file, number) or raw.lstrip().startswith(("#", "|", ">")):
            continue
        if not DIRECTIVE.search(raw):
            continue
        directives.append(number)
        if shout.search(raw) or bold.search(raw):
            loud.append(number)
    if len(directives) < ctx["min-directives"] or len(loud) < ctx["min-emphasised"]:
        return
    ratio = len(loud) / len(directives)
    if ratio <= ctx["max-ratio"]:
        return
    yield RawFinding(
        line=loud[0],
        message=(f"{len(loud)} of {len(directives)} directive lines ({ratio:.0%}) shout (IMPORTANT/MUST/NEVER in capitals, **bold** imperatives, !!!) "
                 f"(lines {', '.join(map(str, loud[:8]))}{'…' if len(loud) > 8 else ''}); none of them stands out"),
        fix=fix("plain"),
        content_key="emphasis",
    )
