"""pasted-dump: long code blocks, directory trees, dependency lists and schemas in instruction files.

Each fenced block is classified once, most specific first: a directory tree or file listing, a
schema dump, a dependency list, then any block over the size limits. Trees are recognised by their
entries (file and directory names), not by the box-drawing characters alone: the same characters draw
status mock-ups ("├── ✅ Completed: 3") and dependency graphs, which are not directory layouts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.markdown import CodeBlock
from ctxlint.model import Fix, RawFinding, fix
from ctxlint.rules.instructions.common import lines_tokens
from ctxlint.rules.registry import RuleContext, detector

TREE_BRANCH = re.compile(r"^[\s│|]*(?:├──|└──|\|--|`--|\+--|├─|└─)\s*")
# A file or directory name: `api/`, `users.py`, `.env.example`, `[id].tsx`, `Makefile`, `app/app.go`
ENTRY = re.compile(r"^[\w.@~+\-\[\]()/]+$")
ROOT = re.compile(r"^(?:\./)?[\w.@~+\-/]+/$")
# What may follow an entry on its line: a comment (`# …`, `- …`, `— …`, `← …`, `(…)`) or wide padding
AFTER_ENTRY = re.compile(r"^(?:$|\s{2,}\S|\s*(?:#|//|--?\s|—|–|←|<-|\(|:\s))")
FILEISH = re.compile(r"/$|\.[A-Za-z0-9]{1,8}$")
SHELL_INFOS = {"bash", "sh", "shell", "zsh", "console", "shell-session", "powershell", "ps1", "cmd", "fish"}
REPLACEMENT_TOKENS = 15  # what the one-line pointer that replaces a dump costs


@dataclass(frozen=True, slots=True)
class Dump:
    """A kind of pasted dump and the fix that replaces it."""

    kind: str  # tree | listing | schema | deps | block
    label: str
    fix: Fix


def _entry(line: str, *, tree: bool) -> str | None:
    """The file/directory name a tree or listing line names, or None."""
    if tree:
        m = TREE_BRANCH.match(line)
        if not m:
            return None
        rest = line[m.end():]
    else:
        rest = line.strip()
    token = rest.split(None, 1)[0] if rest.split() else ""
    token = token.strip("`*")
    if not token or not ENTRY.match(token):
        return None
    tail = rest[rest.find(token) + len(token):].lstrip("`*")
    if not AFTER_ENTRY.match(tail):
        return None
    return token


def _tree_lines(lines: list[str]) -> list[int]:
    """Indexes of lines that are entries of a box-drawn directory tree."""
    return [i for i, line in enumerate(lines) if _entry(line, tree=True)]


def _is_tree(lines: list[str], min_lines: int) -> bool:
    branch = [line for line in lines if TREE_BRANCH.match(line)]
    if len(branch) < min_lines:
        return False
    entries = [e for line in branch if (e := _entry(line, tree=True))]
    # most branches name files, and some of them look like files or directories (not a package graph)
    return len(entries) >= 0.6 * len(branch) and sum(1 for e in entries if FILEISH.search(e)) >= 2


def _is_listing(lines: list[str], min_lines: int) -> bool:
    """An indented file listing without box drawing (`src/`, `  api/`, `    users.py   # handlers`)."""
    body = [line for line in lines if line.strip()]
    if len(body) < min_lines:
        return False
    entries = [e for line in body if (e := _entry(line, tree=False))]
    dirs = sum(1 for e in entries if e.endswith("/"))
    indented = sum(1 for line in body if line.startswith((" ", "\t")))
    return len(entries) >= 0.8 * len(body) and dirs >= 2 and indented >= 2


def _root_of(lines: list[str], base: str) -> str:
    """The directory to list instead: the tree's first line when it names a directory that exists
    next to the instruction file (`src/`, `internal/core/`), else `.` (a tree headed by the
    repository's own name lists the root)."""
    for line in lines:
        first = line.strip().strip("`").split("#", 1)[0].strip()
        if not first:
            continue
        if ROOT.match(first) and first not in ("./", "/") and os.path.isdir(os.path.join(base, first)):
            return first.rstrip("/")
        break
    return "."


def _tree_fix(template: str, root: str, **args: object) -> Fix:
    """Listing ``root`` instead of the tree (plain ``ls`` for the repository's root)."""
    return fix(f"{template}-at-root", **args) if root == "." else fix(template, root=root, **args)


def _classify(block: CodeBlock, lines: list[str], tokens: int, ctx: RuleContext, base: str) -> Dump | None:
    data = ctx.data
    where = f"lines {block.start_line}-{block.end_line}"
    n = len(lines)
    min_tree = ctx["min-tree-lines"]
    if _is_tree(lines, min_tree) or _is_listing(lines, min_tree):
        return Dump("tree", f"a {n}-line directory tree ({tokens:,} tokens)",
                    _tree_fix("tree", _root_of(lines, base), n=n, where=where))
    text = block.content
    info = block.info.split()[0].lower() if block.info.split() else ""
    tables = len(re.findall(data["schema_pattern"], text))
    if tables >= ctx["min-schema-tables"]:
        return Dump("schema", f"a pasted schema ({tables} CREATE TABLE statements, {n} lines, {tokens:,} tokens)",
                    fix("schema", where=where))
    dep_lines = [line for line in lines if re.match(data["dependency_line"], line)]
    if info in SHELL_INFOS:
        dep_lines = []  # `pip install a==1 b==2` is a command, not a copied manifest
    manifest = next((name for key, name in data["manifest_keys"] if re.search(key, text, re.M)), None)
    if len(dep_lines) >= ctx["min-dependency-lines"] and (manifest or len(dep_lines) >= 0.7 * n):
        source = manifest or ("requirements.txt" if any("==" in line or ">=" in line for line in dep_lines)
                              else "the package manifest")
        return Dump("deps", f"a pasted dependency list ({len(dep_lines)} packages, {tokens:,} tokens)",
                    fix("deps", where=where, source=source))
    if n > ctx["max-lines"] or tokens > ctx["max-tokens"]:
        how = fix("shell-block" if info in SHELL_INFOS else "code-block", where=where)
        return Dump("block", f"a {n}-line `{info or 'code'}` block ({tokens:,} tokens)", how)
    return None


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    doc = file.doc
    base = os.path.dirname(file.source.real)
    covered: set[int] = set()
    for block in doc.code_blocks:
        lines = block.content.split("\n") if block.content else []
        tokens = lines_tokens(file, block.start_line, block.end_line)
        dump = _classify(block, lines, tokens, ctx, base)
        if dump is None:
            continue
        covered.update(range(block.start_line, block.end_line + 1))
        yield RawFinding(
            line=block.start_line,
            end_line=block.end_line,
            message=f"pasted dump: {dump.label} in lines {block.start_line}-{block.end_line}",
            fix=dump.fix,
            tokens_wasted=max(0, tokens - REPLACEMENT_TOKENS) if file.always_loaded_by else 0,
            content_key=f"{dump.kind}:{block.content[:200]}",
        )
    # Trees drawn outside fences
    run: list[int] = []
    for number, line in enumerate([*doc.lines, ""], start=1):
        if number not in covered and TREE_BRANCH.match(line):
            run.append(number)
            continue
        start = run[0] if run else 0
        if run and start > 1 and start - 1 not in covered and ENTRY.match(doc.lines[start - 2].strip().strip("`")):
            start -= 1  # the tree's root line (`src/`) above the first branch
        if run and _is_tree(doc.lines[start - 1 : run[-1]], ctx["min-tree-lines"]):
            tokens = lines_tokens(file, start, run[-1])
            n = run[-1] - start + 1
            yield RawFinding(
                line=start,
                end_line=run[-1],
                message=f"pasted dump: a {n}-line directory tree ({tokens:,} tokens) in lines {start}-{run[-1]}",
                fix=_tree_fix("unfenced-tree", _root_of(doc.lines[start - 1 : run[-1]], base), n=n, start=start,
                              end=run[-1]),
                tokens_wasted=max(0, tokens - REPLACEMENT_TOKENS) if file.always_loaded_by else 0,
                content_key=f"tree:{doc.lines[start - 1]}",
            )
        run = []
