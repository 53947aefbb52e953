"""import-problem: cycles, imports of noise or large files, imports from outside the repo."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from ctxlint.instructions.files import repo_root
from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.registry import RuleContext, detector


def _resolve(file: InstructionFile, target: str) -> Path:
    if target.startswith("~/"):
        return Path(os.path.expanduser(target))
    if os.path.isabs(target):
        return Path(target)
    return Path(file.source.real).parent / target


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    root = repo_root(Path(project.root))  # started in a sub-folder, the files above it are still the repository's
    noise = re.compile(ctx.data["noise"])
    graph: dict[str, list[str]] = {}
    for f in project.files:
        for imp in f.doc.imports:
            if imp.in_code:
                continue
            target = _resolve(f, imp.target)
            if not target.is_file():
                continue
            real = os.path.realpath(target)
            graph.setdefault(f.source.real, []).append(real)
            inside = real.startswith(str(root) + os.sep)
            other = project.by_path(real)
            if not inside and not imp.target.startswith("~/"):
                yield RawFinding(line=imp.line, path=f.path,
                                 message=f"`@{imp.target}` imports a file outside the repository; Claude Code asks for "
                                         "approval and `claude -p` (CI) never loads it",
                                 fix=fix("outside"),
                                 content_key=f"outside:{imp.target}")
            elif noise.search(imp.target):
                yield RawFinding(line=imp.line, path=f.path,
                                 message=f"`@{imp.target}` imports a lockfile/generated file into every request",
                                 fix=fix("delete-import", line=imp.line),
                                 tokens_wasted=other.tokens if other else 0, content_key=f"noise:{imp.target}",
                                 data={"file": other.path} if other else {})
            elif other is not None and other.tokens > ctx["max-import-tokens"] and Path(real).name not in (
                "AGENTS.md", "CLAUDE.md", "GEMINI.md"):
                # Importing AGENTS.md from CLAUDE.md is the documented interop pattern; its size is
                # CTX101/CTX102's business. A large import is advice (info): what it costs is already
                # CTX101's (the file) and CTX102's (the whole start-up load); authors import on purpose.
                yield RawFinding(line=imp.line, path=f.path, severity=Severity.INFO,
                                 message=(f"`@{imp.target}` loads {other.tokens:,} tokens at launch (> "
                                          f"{ctx['max-import-tokens']:,}); imports do not save context"),
                                 fix=fix("pointer", line=imp.line, target=imp.target),
                                 tokens_wasted=other.tokens if other.always_loaded_by else 0,
                                 content_key=f"large:{imp.target}", data={"file": other.path})
    # cycles
    reported: set[frozenset[str]] = set()
    for start in graph:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, []):
                if nxt == start and len(path) > 0:
                    key = frozenset(path)
                    if key not in reported:
                        reported.add(key)
                        first = project.by_path(start)
                        names = " → ".join(Path(p).name for p in [*path, start])
                        if first is not None:
                            yield RawFinding(line=next((i.line for i in first.doc.imports), 1), path=first.path,
                                             message=f"import cycle: {names}",
                                             fix=fix("cycle"), content_key=f"cycle:{names}")
                elif nxt not in path and len(path) < 10:
                    stack.append((nxt, [*path, nxt]))
