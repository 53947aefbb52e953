"""volatile-content: status logs, changelogs and checklists in always-loaded files."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.measure.tokens import count_text
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import lines_tokens
from ctxlint.rules.registry import RuleContext, detector

EMOJI_NUM = re.compile(r"^[^\w]*(?:\d+[.)]\s*)?")
VERSION = re.compile(r"\bv?\d+\.\d+(?:\.\d+)?\b")
CHECKBOX = re.compile(r"^\s*[-*+]\s+\[[ xX]\]", re.M)
DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2},? 20\d\d\b")


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    if not file.always_loaded_by:
        return
    titles = re.compile(ctx.data["section_titles"])
    volatile = re.compile(ctx.data["volatile_lines"])
    as_of = re.compile(ctx.data["dated_phrase"])
    covered: set[int] = set()
    for section in file.doc.sections:
        heading = EMOJI_NUM.sub("", section.heading).strip(" :*_`")
        if section.level == 0 or not titles.search(heading) or section.start_line in covered:
            continue
        end = section.end_line
        body = "\n".join(file.doc.lines[section.start_line : end])
        if not (DATE.search(body) or VERSION.search(body) or CHECKBOX.search(body)):
            continue  # a "Status" section that explains statuses is an instruction, not a log
        tokens = lines_tokens(file, section.start_line, end)
        covered.update(range(section.start_line, end + 1))
        yield RawFinding(
            line=section.start_line,
            end_line=end,
            message=f"section \"{section.heading}\" (lines {section.start_line}-{end}, {tokens:,} tokens) is volatile "
                    "status/changelog content in an always-loaded file",
            fix=fix("move-section", start=section.start_line, end=end),
            tokens_wasted=tokens,
            content_key=f"section:{section.heading}",
        )
    boxes = {i.line: i.checkbox for i in file.doc.list_items if i.checkbox is not None and i.line not in covered}
    run: list[int] = sorted(boxes)
    groups: list[list[int]] = []
    for line in run:
        if groups and line - groups[-1][-1] <= 2:
            groups[-1].append(line)
        else:
            groups.append([line])
    for g in groups:
        if len(g) < ctx["min-checkbox-lines"] or not any(boxes[line] == "x" for line in g):
            continue  # an unchecked checklist is a procedure ("before you submit: …"), not a progress log
        covered.update(range(g[0], g[-1] + 1))
        yield RawFinding(
            line=g[0],
            end_line=g[-1],
            message=f"a {len(g)}-item task checklist (lines {g[0]}-{g[-1]}) in an always-loaded file",
            fix=fix("move-checklist", start=g[0], end=g[-1]),
            tokens_wasted=lines_tokens(file, g[0], g[-1]),
            content_key=f"checklist:{file.doc.lines[g[0] - 1].strip()}",
        )
    for number, raw in enumerate(file.doc.lines, start=1):
        if number in covered or file.doc.line_in_code(number):
            continue
        if volatile.search(raw) and DATE.search(raw):
            yield RawFinding(
                line=number,
                message=f"dated status line \"{raw.strip()[:70]}\" in an always-loaded file",
                fix=fix("delete-dated", line=number),
                tokens_wasted=lines_tokens(file, number, number),
                content_key=f"line:{raw.strip()}",
            )
            continue
        m = as_of.search(raw)
        if m is None:
            continue
        # Only the dated detail is volatile: the rest of the line may be an instruction worth keeping.
        yield RawFinding(
            line=number,
            column=m.start() + 1,
            message=f"dated fact \"{m.group(0)}\" in an always-loaded file goes stale silently",
            fix=fix("drop-date", dated=m.group(0), line=number),
            tokens_wasted=count_text(m.group(0)),
            content_key=f"dated:{raw.strip()}",
        )
