"""unreachable-instructions: content an agent never loads."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from ctxlint.instructions.agents import rule_folder_as_file, specs
from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.instructions.common import normalise
from ctxlint.rules.registry import RuleContext, detector


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    yield from _unloaded(project)
    yield from _case_variants(project)
    yield from _imports_in_code(project)
    yield from _linked_not_imported(project, ctx)
    yield from _shadowed(project)


def _unloaded(project: InstructionProject) -> Iterator[RawFinding]:
    """Files named like instruction files that no agent loads: a rule file the agent skips is a mistake
    (warning); a copy in a static-asset folder or an archive is only worth knowing (info)."""
    for f in project.unloaded:
        if f.context_only or f.case_variant_of:
            continue
        name = Path(f.path).name
        if any(rule_folder_as_file(tuple(f.path.split("/")), rd) for spec in specs().values() for rd in spec.rule_dirs):
            yield RawFinding(line=1, path=f.path,
                             message=f"not loaded: {f.unloaded_reason} ({f.tokens:,} tokens no agent loads)",
                             fix=fix("rule-folder", folder=f.path + "/"),
                             content_key="rule-folder-file")
            continue
        if f.path.endswith(".md") and "/.cursor/rules/" in "/" + f.path:
            yield RawFinding(line=1, path=f.path,
                             message=f"Cursor reads only `.mdc` files in .cursor/rules; this `.md` is ignored "
                                     f"({f.tokens:,} tokens no agent loads)",
                             fix=fix("rename-mdc", stem=name[:-3]),
                             content_key="cursor-md")
            continue
        yield RawFinding(line=1, path=f.path, severity=Severity.INFO,
                         message=f"not loaded by any agent: {f.unloaded_reason}; it costs no tokens per request",
                         fix=fix("unloaded"),
                         content_key="unloaded")


def _case_variants(project: InstructionProject) -> Iterator[RawFinding]:
    """`Claude.md` loads on macOS and Windows (case-insensitive by default) and never on Linux: CI,
    containers and cloud agents run without it."""
    for f in (*project.files, *project.unloaded):
        if not f.case_variant_of or f.context_only:
            continue
        name, want = Path(f.path).name, f.case_variant_of
        folder = str(Path(f.path).parent)
        target = want if folder == "." else f"{folder}/{want}"
        if f in project.unloaded:
            message = (f"`{name}` and `{want}` differ only in case: on macOS and Windows only one of them can exist, "
                       f"and elsewhere agents read `{want}` only, so this file is never loaded")
            how = fix("merge-case", target=target, path=f.path)
        else:
            message = (f"`{name}` is read as {want} only where the file system ignores case (macOS and Windows by "
                       f"default); on Linux — CI, containers, cloud agents — its {f.tokens:,} tokens are never loaded")
            how = fix("rename-case", target=target, path=f.path)
        yield RawFinding(line=1, path=f.path, message=message, fix=how, content_key=f"case:{want}")


def _imports_in_code(project: InstructionProject) -> Iterator[RawFinding]:
    """`@path` written inside a code span is never expanded — unless the same file imports it elsewhere.
    A note (info), not a warning: a backticked `@path` is as often a pointer the author wants read on
    demand (a table of which document to read for which task) as an import that lost its effect."""
    loaded_at_start = {Path(g.source.real).resolve() for g in project.files if g.always_loaded_by}
    for f in project.files:
        if f.context_only:
            continue
        imported = {Path(f.source.real).parent.joinpath(i.target).resolve() for i in f.doc.imports if not i.in_code}
        for imp in f.doc.imports:
            target = Path(f.source.real).parent / imp.target
            # Only a real file counts: `@scope/pkg` in backticks is a package name, not a lost import.
            if not imp.in_code or f.doc.line_in_code(imp.line) or not target.is_file():
                continue
            if target.resolve() in imported or target.resolve() in loaded_at_start:
                continue  # imported on another line, or loaded at start anyway (a `.claude/rules` file)
            yield RawFinding(line=imp.line, path=f.path, severity=Severity.INFO,
                             message=f"`@{imp.target}` is inside a code span, so the agent never expands it at start "
                                     "(it may read it on demand)",
                             fix=fix("unfence", target=imp.target, line=imp.line),
                             content_key=f"import-in-code:{imp.target}")


def _linked_not_imported(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    """A CLAUDE.md that points to the AGENTS.md beside it with a link or a "see AGENTS.md" line, without
    importing it: Claude Code loads imports, never links, so the pointed-to rules are missing at start.
    A CLAUDE.md that never mentions AGENTS.md keeps its own rules on purpose, and an AGENTS.md that only
    points back to CLAUDE.md or repeats it loses Claude nothing: neither fires."""
    claude_load = project.loads.get("claude-code")
    if claude_load is None:
        return
    loaded = {e.path for e in claude_load.entries if not e.dropped}
    pointer = re.compile(ctx.data["pointer"], re.I)
    on_purpose = re.compile(ctx.data["on_purpose"], re.I)
    for cf in project.files:
        if (Path(cf.path).name != "CLAUDE.md" and cf.case_variant_of != "CLAUDE.md") or cf.context_only:
            continue
        agents_path = Path(cf.source.real).parent / "AGENTS.md"
        if not agents_path.is_file() or os.path.realpath(agents_path) == cf.source.real:
            continue  # none, or the documented symlink pattern
        af = project.by_path(os.path.realpath(agents_path))
        if af is None or af.path in loaded:
            continue  # imported from somewhere Claude Code reads at start
        line = _pointer_line(cf, pointer)
        if line is None or _points_back(af) or _repeats(cf, af, ctx["copy-share"]):
            continue
        if on_purpose.search(cf.doc.lines[line - 1]):
            continue  # "read it on demand, do not import it": left out of the start-up load on purpose
        yield RawFinding(
            line=line, path=cf.path,
            message=(f"{cf.path} points to {af.path} ({af.tokens:,} tokens) without importing it: Claude Code "
                     f"loads `@imports` at start but never follows links, so those rules are missing"),
            fix=fix("import-linked", target=_relative(cf, af), path=cf.path, line=line),
            content_key=f"linked:{af.path}",
        )


def _pointer_line(file: InstructionFile, pointer: re.Pattern[str]) -> int | None:
    """The first line that links to AGENTS.md or tells the reader to go there, outside code."""
    for link in file.doc.links:
        if Path(link.target.split("#")[0]).name == "AGENTS.md" and not file.doc.line_in_code(link.line):
            return link.line
    for n, raw in enumerate(file.doc.lines, start=1):
        if "AGENTS.md" in raw and pointer.search(raw) and not file.doc.line_in_code(n):
            if any(i.line == n and Path(i.target).name == "AGENTS.md" and not i.in_code for i in file.doc.imports):
                continue
            return n
    return None


def _points_back(agents: InstructionFile) -> bool:
    """An AGENTS.md that imports, links or names CLAUDE.md as where the rules are: a pointer for other agents."""
    text = agents.doc.text
    return "CLAUDE.md" in text and (any(Path(i.target).name == "CLAUDE.md" for i in agents.doc.imports)
                                    or any(Path(lk.target).name == "CLAUDE.md" for lk in agents.doc.links)
                                    or len([ln for ln in agents.doc.lines if ln.strip()]) <= 5)


def _repeats(claude: InstructionFile, agents: InstructionFile, share: float) -> bool:
    """Whether CLAUDE.md already holds most of AGENTS.md's lines (two copies: the duplicate rule's business)."""
    theirs = {normalise(ln) for ln in agents.doc.lines if len(normalise(ln)) > 12}
    if not theirs:
        return True
    mine = {normalise(ln) for ln in claude.doc.lines}
    return len(theirs & mine) / len(theirs) >= share


def _relative(importer: InstructionFile, target: InstructionFile) -> str:
    return os.path.relpath(target.source.real, Path(importer.source.real).parent).replace(os.sep, "/")


def _shadowed(project: InstructionProject) -> Iterator[RawFinding]:
    """AGENTS.override.md shadows AGENTS.md in the same directory (Codex reads one file per directory)."""
    for f in project.files:
        if Path(f.path).name != "AGENTS.override.md" or f.context_only:
            continue
        sibling = Path(f.source.real).parent / "AGENTS.md"
        other = project.by_path(os.path.realpath(sibling)) if sibling.exists() else None
        if other is not None:
            yield RawFinding(line=1, path=other.path,
                             message=f"Codex reads {f.path} instead of this AGENTS.md (one file per directory)",
                             fix=fix("merge-override"),
                             content_key="shadowed")
