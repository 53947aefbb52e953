"""unreachable-instructions: content an agent never loads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ctxlint.instructions.project import InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    by_dir: dict[str, dict[str, object]] = {}
    for f in project.files:
        shown_dir = Path(f.path).parent.as_posix()
        by_dir.setdefault(shown_dir, {})[Path(f.path).name] = f
    for f in project.files:
        name = Path(f.path).name
        # A plain .md inside .cursor/rules: Cursor ignores it.
        if f.role == "cursor-rule" and name.endswith(".md"):
            yield RawFinding(line=1, path=f.path, message="Cursor reads only `.mdc` files in .cursor/rules; this `.md` is ignored",
                             fix=fix("rename-mdc", stem=name[:-3]),
                             tokens_wasted=0, content_key="cursor-md")
        # @imports written inside code: never expanded.
        for imp in f.doc.imports:
            target = Path(f.source.real).parent / imp.target
            # Only a real file counts: `@scope/pkg` in backticks is a package name, not a lost import.
            if imp.in_code and not f.doc.line_in_code(imp.line) and target.is_file():
                yield RawFinding(line=imp.line, path=f.path,
                                 message=f"`@{imp.target}` is inside a code span, so the agent never expands it",
                                 fix=fix("unfence", target=imp.target, line=imp.line),
                                 content_key=f"import-in-code:{imp.target}")
    # AGENTS.md beside a CLAUDE.md that neither imports nor links it, and is not a symlink to it.
    for f in project.files:
        if Path(f.path).name != "AGENTS.md":
            continue
        directory = Path(f.source.real).parent
        claude = directory / "CLAUDE.md"
        if not claude.exists():
            continue
        if os.path.realpath(claude) == f.source.real:
            continue  # the documented symlink pattern
        cf = project.by_path(os.path.realpath(claude))
        if cf is None:
            continue
        imported = any(Path(imp.target).name == "AGENTS.md" and not imp.in_code for imp in cf.doc.imports)
        linked = any(Path(link.target.split("#")[0]).name == "AGENTS.md" for link in cf.doc.links) or "AGENTS.md" in cf.doc.text
        if imported or linked:
            continue
        yield RawFinding(
            line=1, path=f.path,
            message=(f"Claude Code ignores this AGENTS.md ({f.tokens:,} tokens): {cf.path} exists and neither imports nor "
                     "mentions it"),
            fix=fix("import-agents", path=cf.path),
            content_key="agents-ignored",
        )
    # AGENTS.override.md shadows AGENTS.md in the same directory (Codex reads one file per directory).
    for f in project.files:
        if Path(f.path).name != "AGENTS.override.md":
            continue
        sibling = Path(f.source.real).parent / "AGENTS.md"
        other = project.by_path(os.path.realpath(sibling)) if sibling.exists() else None
        if other is not None:
            yield RawFinding(line=1, path=other.path,
                             message=f"Codex reads {f.path} instead of this AGENTS.md (one file per directory)",
                             fix=fix("merge-override"),
                             content_key="shadowed")
