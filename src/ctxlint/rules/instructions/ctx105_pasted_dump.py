"""CTX105 pasted-dump: long code blocks, directory trees and dumps in instruction files."""

from __future__ import annotations

from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding
from ctxlint.registry import RuleContext, detector
from ctxlint.rules.instructions.common import lines_tokens


def _is_tree_line(line: str, marks: list[str]) -> bool:
    return any(m in line for m in marks)


@detector("CTX105", scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    marks = ctx.data["tree_chars"]
    doc = file.doc
    covered: set[int] = set()
    for block in doc.code_blocks:
        body = block.content.split("\n") if block.content else []
        tree_lines = sum(1 for line in body if _is_tree_line(line, marks))
        tokens = lines_tokens(file, block.start_line, block.end_line)
        n = len(body)
        if tree_lines >= ctx["min-tree-lines"]:
            kind, fix = (f"a {n}-line directory tree",
                         f"replace lines {block.start_line}-{block.end_line} with: \"See the layout with `ls src` "
                         "(or `tree -L 2`)\"; name only the directories with a non-obvious role")
        elif n > ctx["max-lines"] or tokens > ctx["max-tokens"]:
            kind, fix = (f"a {n}-line `{block.info or 'code'}` block ({tokens:,} tokens)",
                         f"replace lines {block.start_line}-{block.end_line} with a pointer to the file it comes from "
                         "(e.g. \"see `db/schema.sql`\") or a 2-3 line example")
        else:
            continue
        covered.update(range(block.start_line, block.end_line + 1))
        yield RawFinding(
            line=block.start_line,
            end_line=block.end_line,
            message=f"pasted dump: {kind}",
            fix=fix,
            tokens_wasted=max(0, tokens - 15) if file.always_loaded_by else 0,
            content_key=f"block:{block.content[:200]}",
        )
    # Trees drawn outside fences
    run: list[int] = []
    for number, line in enumerate([*doc.lines, ""], start=1):
        if number not in covered and _is_tree_line(line, marks):
            run.append(number)
            continue
        if len(run) >= ctx["min-tree-lines"]:
            tokens = lines_tokens(file, run[0], run[-1])
            yield RawFinding(
                line=run[0],
                end_line=run[-1],
                message=f"pasted dump: a {len(run)}-line directory tree",
                fix=(f"replace lines {run[0]}-{run[-1]} with: \"See the layout with `ls src` (or `tree -L 2`)\""),
                tokens_wasted=tokens if file.always_loaded_by else 0,
                content_key=f"tree:{doc.lines[run[0] - 1]}",
            )
        run = []
