"""volatile-content: status logs, changelogs and checklists in always-loaded files.

A block is a heading's section (cut at a thematic break: a `---` footer is not the section's) or a
bold pseudo-heading ("**Changes in v1.3**", "**Session 21 (…)**") and the lines under it. A block is a
status log when its title says so (a changelog, status, progress, next-steps or timeline title, a
date, "today", a session/sprint/week number, "100% COMPLETE") and its body shows it (dated or
versioned lines, ticked checkboxes, status emoji, "completed/in progress", "this session"), or when
its sub-headings are dated or versioned entries. A section that tells the agent how to write a
changelog is instructions: its lines are directives and carry no dated entries.
Line by line: "Last updated" lines with a date (in a blockquote too), facts pinned to a date ("as of
March 2026"), completion status pinned to a year or version ("2024 and 2025 are complete"), runs of
ticked checkboxes, progress lists marked with status emoji, and test counts that change with every run.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.markdown import Document
from ctxlint.measure.secrets import clip
from ctxlint.measure.tokens import count_text
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import lines_tokens
from ctxlint.rules.registry import RuleContext, detector

EMOJI_NUM = re.compile(r"^[^\w]*(?:\d+[.)]\s*)?")
VERSION = re.compile(r"\bv\d+(?:\.\d+)+\b|\b\d+\.\d+\.\d+\b")
# A heading that is a changelog entry: "Version 3.6.1 (2025-10-25)", "[2.3.0] - 2026-01-10", "v1.4"
ENTRY_TITLE = re.compile(r"(?i)^\W*(?:version|release|v)\s*\d+\.\d+|^\W*\[?\d+\.\d+\.\d+\]?")
CHECKBOX = re.compile(r"^\s*[-*+]\s+\[[ xX]\]")
DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2},? 20\d\d\b"
                  r"|\b(?:January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d\b")
# A metadata field whose whole value is a date ("**Last reviewed**: 2026-02-04", in any language)
DATE_FIELD = re.compile(r"^\s*(?:>\s*)?(?:[-*+]\s+)?\*\*[^*]{1,40}\*\*\s*[:：]?\s*(?:\*\*)?\s*[:：]?\s*"
                        r"(?:20\d\d-\d\d-\d\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2},? 20\d\d)"
                        r"\s*(?:\([^)]{0,30}\))?\s*$")
THEMATIC_BREAK = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
PSEUDO_HEADING = re.compile(r"^\s*\*\*([^*]{3,80}?)\*\*:?\s*$|^\s*\*\*([^*]{3,80}?):\*\*\s*$")
ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# A line that is a directive: a changelog how-to ("Add an entry under Unreleased") is instructions
IMPERATIVE = re.compile(r"(?i)^\s*(?:[-*+]|\d+[.)])?\s*(?:\*\*[^*]+\*\*:?\s*)?(?:add|use|write|keep|update|follow|run|never|"
                        r"always|do|don'?t|put|list|include|describe|mention|group|link|start|end|avoid|prefer|make|"
                        r"record|note|bump|create)\b")


@dataclass(frozen=True, slots=True)
class Block:
    title: str
    start: int  # the heading line
    end: int
    level: int  # heading level; 9 for a bold pseudo-heading


def _blocks(doc: Document) -> list[Block]:
    """Sections (cut at a thematic break) and bold pseudo-headings with the lines under them."""
    heads: list[tuple[int, int, str]] = [(s.start_line, s.level, s.heading) for s in doc.sections if s.level > 0]
    for number, raw in enumerate(doc.lines, start=1):
        m = PSEUDO_HEADING.match(raw)
        if m and not doc.line_in_code(number):
            heads.append((number, 9, m.group(1) or m.group(2)))
    heads.sort()
    breaks = [n for n, raw in enumerate(doc.lines, start=1) if THEMATIC_BREAK.match(raw) and not doc.line_in_code(n)]
    # One pass with a stack of open blocks (linear in the headings: files have 200k of them): a head
    # closes every open block of its level or deeper; a pseudo-heading (level 9) is closed by any head.
    ends = [len(doc.lines)] * len(heads)
    open_blocks: list[int] = []
    for index, (start, level, _) in enumerate(heads):
        while open_blocks and heads[open_blocks[-1]][1] >= level:
            ends[open_blocks.pop()] = start - 1
        open_blocks.append(index)
    blocks: list[Block] = []
    for (start, level, title), end in zip(heads, ends, strict=True):
        cut = bisect.bisect_right(breaks, start)  # the first thematic break below the head ends it too
        if cut < len(breaks) and breaks[cut] <= end:
            end = breaks[cut] - 1
        blocks.append(Block(title, start, end, level))
    return blocks


def _evidence(doc: Document, start: int, end: int, signals: re.Pattern[str]) -> tuple[int, int, int]:
    """(lines that show a log, dated or versioned lines, lines that are directives) in a block's body,
    outside code."""
    log = dated = directives = 0
    for n in range(start + 1, end + 1):
        raw = doc.lines[n - 1]
        if not raw.strip() or doc.line_in_code(n):
            continue
        if IMPERATIVE.match(raw):
            directives += 1
        if DATE.search(raw) or VERSION.search(raw):
            dated += 1
        if DATE.search(raw) or VERSION.search(raw) or re.match(r"^\s*[-*+]\s+\[[xX]\]", raw) \
                or signals.search(raw):
            log += 1
    return log, dated, directives


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    if not file.always_loaded_by:
        return
    doc = file.doc
    titles = re.compile(ctx.data["section_titles"])
    changelog = re.compile(ctx.data["changelog_titles"])
    dated_title = re.compile(ctx.data["dated_title"])
    signals = re.compile(ctx.data["log_signals"])
    volatile = re.compile(ctx.data["volatile_lines"])
    as_of = re.compile(ctx.data["dated_phrase"])
    status = re.compile(ctx.data["status_line"])
    counts = re.compile(ctx.data["test_counts"])
    progress = re.compile(ctx.data["progress_emoji"])
    done = re.compile(ctx.data["done_emoji"])
    against = re.compile(ctx.data["against_emoji"])
    covered: set[int] = set()
    blocks = _blocks(doc)
    starts = [b.start for b in blocks]
    for index, block in enumerate(blocks):
        if block.start in covered or block.end <= block.start:
            continue
        heading = EMOJI_NUM.sub("", block.title).strip(" :*_`")
        log, dated, directives = _evidence(doc, block.start, block.end, signals)
        inner = blocks[index + 1 : bisect.bisect_right(starts, block.end, index + 1)]  # blocks are in line order
        level = min((b.level for b in inner if b.level > block.level), default=0)
        children = [b for b in inner if b.level == level]
        entries = sum(1 for b in children if DATE.search(b.title) or ENTRY_TITLE.search(b.title))
        if entries * 2 < len(children):
            entries = 0  # a few dated sub-sections in a whole guide do not make the guide a changelog
        entries_ok = entries >= 2
        if dated_title.search(block.title):
            volatile_block = log >= 1 or block.level < 9
        elif changelog.search(heading):
            # entries carry dates or versions; a how-to's examples do not. A title that names its own version
            # ("**Changes in v1.3:**") is one entry: its body logs what changed ("Added …", "Updated …")
            volatile_block = dated >= 2 or entries >= 1 or (bool(VERSION.search(heading)) and log > directives)
        elif titles.search(heading):
            volatile_block = (log >= 2 and log > directives) or entries_ok
        else:
            volatile_block = entries_ok
        if not volatile_block:
            continue
        end = block.end
        tokens = lines_tokens(file, block.start, end)
        covered.update(range(block.start, end + 1))
        yield RawFinding(
            line=block.start,
            end_line=end,
            message=f"section \"{block.title.strip()}\" (lines {block.start}-{end}, {tokens:,} tokens) is volatile "
                    "status/changelog content in an always-loaded file",
            fix=fix("move-section", start=block.start, end=end),
            tokens_wasted=tokens,
            content_key=f"section:{block.title}",
        )
    yield from _checklists(file, ctx, covered, progress, done, against)
    for number, raw in enumerate(doc.lines, start=1):
        if number in covered or doc.line_in_code(number):
            continue
        dated = bool((volatile.search(raw) and DATE.search(raw)) or DATE_FIELD.match(raw))
        if dated or status.search(raw) or counts.search(raw):
            yield RawFinding(
                line=number,
                message=f"{'dated ' if dated else ''}status line \"{clip(raw.strip(), 70)}\" in an always-loaded file goes stale",
                fix=fix("delete-status", line=number),
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


def _checklists(file: InstructionFile, ctx: RuleContext, covered: set[int], progress: re.Pattern[str],
                done: re.Pattern[str], against: re.Pattern[str]) -> Iterator[RawFinding]:
    """Runs of ticked checkboxes, and lists marked with status emoji, outside reported sections."""
    doc = file.doc
    marked: dict[int, str] = {}  # line -> "done" | "progress" | "box" | "open" | "against"
    for item in doc.list_items:
        if item.line in covered:
            continue
        if item.checkbox is not None:
            marked[item.line] = "box" if item.checkbox.lower() == "x" else "open"
            continue
        text = ITEM.sub("", doc.lines[item.line - 1]).lstrip()
        if progress.match(text):
            marked[item.line] = "progress"
        elif done.match(text):
            marked[item.line] = "done"
        elif against.match(text):
            marked[item.line] = "against"
    groups: list[list[int]] = []
    for line in sorted(marked):
        if groups and line - groups[-1][-1] <= 2:
            groups[-1].append(line)
        else:
            groups.append([line])
    for g in groups:
        kinds = [marked[line] for line in g]
        boxes = kinds.count("box") + kinds.count("open")
        if boxes:
            # an unchecked checklist is a procedure ("before you submit: …"), not a progress log
            if boxes < ctx["min-checkbox-lines"] or "box" not in kinds:
                continue
            what = f"a {len(g)}-item task checklist"
        else:
            # ✅ alone marks do-lists and benefits, ✅ next to ❌ do/don't examples; 🚧/⏳ marks make a status list
            if len(g) < ctx["min-checkbox-lines"] or "against" in kinds or "progress" not in kinds:
                continue
            what = f"a {len(g)}-item status list (✅/🚧 marks)"
        covered.update(range(g[0], g[-1] + 1))
        yield RawFinding(
            line=g[0],
            end_line=g[-1],
            message=f"{what} (lines {g[0]}-{g[-1]}) in an always-loaded file",
            fix=fix("move-checklist", start=g[0], end=g[-1]),
            tokens_wasted=lines_tokens(file, g[0], g[-1]),
            content_key=f"checklist:{doc.lines[g[0] - 1].strip()}",
        )
