"""task-specific-section: big always-loaded sections that matter for one area only."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import lines_tokens
from ctxlint.rules.registry import RuleContext, detector

PATH = re.compile(r"`((?:[\w.-]+/)+[\w.-]*)`")


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
    scoped = re.compile(ctx.data["scoped_heading"])
    for s in file.doc.sections:
        if s.level not in (2, 3):
            continue
        tokens = lines_tokens(file, s.start_line, s.end_line)
        if tokens < ctx["min-tokens"]:
            continue
        body = "\n".join(file.doc.lines[s.start_line - 1 : s.end_line])
        dirs = [_area(m.group(1)) for m in PATH.finditer(body)]
        dirs = [d for d in dirs if d]
        top = max(set(dirs), key=dirs.count) if dirs else None
        concentrated = top is not None and dirs.count(top) >= 5 and dirs.count(top) / len(dirs) >= 0.9
        if GENERAL_HEADING.search(s.heading):
            continue  # overviews describe the whole project, whatever paths they cite
        named = scoped.search(s.heading) is not None and len(s.heading.split()) <= 6 and top is not None
        if not (named or concentrated):
            continue
        target_dir = top or "<dir>"
        yield RawFinding(
            line=s.start_line,
            end_line=s.end_line,
            message=(f"section \"{s.heading}\" ({tokens:,} tokens, lines {s.start_line}-{s.end_line}) concerns one area "
                     f"but is loaded on every request"),
            fix=fix("scope-it", start=s.start_line, end=s.end_line, slug=_slug(s.heading), dir=target_dir),
            tokens_wasted=tokens,
            content_key=f"section:{s.heading}",
        )
