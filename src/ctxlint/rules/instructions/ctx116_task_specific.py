"""task-specific-section: big always-loaded sections that matter for one area only."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import lines_tokens
from ctxlint.rules.registry import RuleContext, detector

PATH = re.compile(r"`(?:\.?/)?((?:[\w.-]+/)+[\w.-]*)`")


GENERIC_ROOTS = {"src", "lib", "app", "apps", "packages", "pkg", "internal", "crates", "cmd", "source", "sources",
                 "modules", "libs", "projects", "services", ".", "..", "~", ".claude", ".github"}


GENERAL_HEADING = re.compile(r"(?i)\b(architecture|overview|structure|layout|commands|development|workflow|setup|"
                             r"getting started|conventions|guidelines|testing|build)\b")


def _area(path: str) -> str | None:
    """The directory a path belongs to, one level below generic roots (src/payments, packages/web)."""
    parts = [p for p in path.strip("/").split("/") if p]
    if not parts:
        return None
    if parts[0] in GENERIC_ROOTS:
        return "/".join(parts[:2]) if len(parts) > 2 or (len(parts) == 2 and path.endswith("/")) else None
    return parts[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "topic"


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    if not file.always_loaded_by or file.role not in ("claude-root", "agents", "gemini", "copilot", "claude-local"):
        return
    found = list(_sections(file, ctx))
    for f in found:
        inner = [g for g in found if g is not f and f.line < g.line <= (f.end_line or f.line)]
        if not inner:  # the innermost section is the precise move; its parent would repeat it
            yield f


def _sections(file: InstructionFile, ctx: RuleContext) -> Iterator[RawFinding]:
    scoped = re.compile(ctx.data["scoped_heading"])
    topics = [(re.compile(pattern), glob) for pattern, glob in ctx.data["scoped_topics"]]
    for s in file.doc.sections:
        if s.level not in (2, 3):
            continue
        tokens = lines_tokens(file, s.start_line, s.end_line)
        topic = next((glob for pattern, glob in topics if pattern.search(s.heading)), None)
        if tokens < (ctx["min-tokens-topic"] if topic else ctx["min-tokens"]):
            continue
        # the section's own text, its sub-headings included (`#### Batter analysis (`lib/x/`)`)
        body = "\n".join(file.doc.lines[s.start_line - 1 : s.end_line])
        dirs = [d for m in PATH.finditer(body) if (d := _area(m.group(1)))]
        top = max(sorted(set(dirs)), key=dirs.count) if dirs else None
        concentrated = top is not None and dirs.count(top) >= 3 and dirs.count(top) / len(dirs) >= 0.9
        if GENERAL_HEADING.search(s.heading) and not topic:
            continue  # overviews describe the whole project, whatever paths they cite
        named = scoped.search(s.heading) is not None and len(s.heading.split()) <= 6 and top is not None
        if not (named or concentrated or topic):
            continue
        if topic and not (named or concentrated):
            how = fix("scope-by-glob", start=s.start_line, end=s.end_line, slug=_slug(s.heading), glob=topic)
        else:
            areas = sorted(set(dirs), key=lambda d: (-dirs.count(d), d))
            areas = [d for d in areas if dirs.count(d) * 5 >= len(dirs)][:3] or ["<dir>"]
            if len(areas) == 1:
                how = fix("scope-it", start=s.start_line, end=s.end_line, slug=_slug(s.heading), dir=areas[0])
            else:  # a subsystem spread over a few folders: one rule for all of them, the nested file at their parent
                parent = os.path.commonpath(areas) or "."
                how = fix("scope-areas", start=s.start_line, end=s.end_line, slug=_slug(s.heading),
                          globs=", ".join(f'"{d}/**"' for d in areas), parent=parent)
        yield RawFinding(
            line=s.start_line,
            end_line=s.end_line,
            message=(f"section \"{s.heading}\" ({tokens:,} tokens, lines {s.start_line}-{s.end_line}) concerns one area "
                     f"but is loaded on every request"),
            fix=how,
            tokens_wasted=tokens,
            content_key=f"section:{s.heading}",
        )
