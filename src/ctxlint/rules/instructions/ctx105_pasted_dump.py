"""pasted-dump: copies of repository files, long trees, schemas, dependency lists and long blocks.

Each fenced block is classified once, most specific first: a copy of a repository file (its
distinctive lines mostly come from one file: the message names it), a directory tree or file listing,
a schema dump, a dependency list, then any other block over the size limits: a warning when it
re-declares what the repository defines (an implementation pasted and edited since), else a note. Trees are recognised by
their entries (file and directory names), not by the box-drawing characters alone: the same
characters draw status mock-ups ("├── ✅ Completed: 3") and dependency graphs.

What is not a dump: a short map the instruction needs (a tree under ``min-tree-lines``), the project's
commands (shell blocks are only checked for copies, trees and dependency lists), a template with
blanks to fill (`{Technology}`, `YOUR_API_KEY`) and an excerpt that elides (`...`). A long example
that neither copies nor re-declares the repository's code (a skeleton of `class MyService`, a test
pattern) is a note (info) below ``warn-tokens``, and so is a short one (under ``warn-lines``) that re-declares
a name or two (a naming-convention example declares `class WorkItemService {}`): a pointer to a real file would do, but the example may
be deliberate, and read by hand such examples were disputed as often as not.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.instructions.repository import repo_commands
from ctxlint.markdown import CodeBlock
from ctxlint.model import Fix, RawFinding, Severity, fix
from ctxlint.rules.instructions.common import lines_tokens
from ctxlint.rules.instructions.copies import Copy, Redeclared, Thresholds, Walk, find_copies
from ctxlint.rules.registry import RuleContext, detector

TREE_BRANCH = re.compile(r"^[\s│|]*(?:├──|└──|\|--|`--|\+--|├─|└─)\s*")
# A file or directory name: `api/`, `users.py`, `.env.example`, `[id].tsx`, `Makefile`, `app/app.go`
ENTRY = re.compile(r"^[\w.@~+\-\[\]()/]+$")
ROOT = re.compile(r"^(?:\./)?[\w.@~+\-/]+/$")
# What may follow an entry on its line: a comment (`# …`, `- …`, `— …`, `← …`, `(…)`) or wide padding
AFTER_ENTRY = re.compile(r"^(?:$|\s{2,}\S|\s*(?:#|//|--?\s|—|–|←|<-|\(|:\s))")
FILEISH = re.compile(r"/$|\.[A-Za-z0-9]{1,8}$")
SHELL_INFOS = {"bash", "sh", "shell", "zsh", "console", "shell-session", "powershell", "ps1", "cmd", "fish"}
# Blanks of a template: {Technology}, {component/library}, {{name}}, <YOUR_TOKEN>, YOUR_API_KEY, [Your name]
PLACEHOLDER = re.compile(r"\{\{\s*\w+\s*\}\}|\{[A-Z][A-Za-z]*\}|\{[a-z]+(?:[ /][a-z]+)+\}|<(?:your|YOUR)[\w-]*>"
                         r"|\bYOUR_[A-Z_]+\b|\[(?:Your|your) [^\]]+\]")
# An excerpt: a line that is only an ellipsis, or a comment that elides ("// ...", "# … rest of the file")
ELISION = re.compile(r"^\s*(?:(?://|#|/\*|<!--)\s*)?(?:\.\.\.|…)(?:\s.*)?$")
DRAWING = re.compile(r"[┌┐└┘├┤┬┴┼─│═║╔╗╚╝▼▲►◄→←↓↑]|-->|==>|\+--+\+")
PACKAGE_LINE = re.compile(r'^\s*"(@?[\w.\-/]+)"\s*:')  # "react": "^18.3.0" names the package `react`
COPIED_SHARE = 0.75  # of a short list's packages declared in package.json: a copy, perhaps drifted since
MIN_BRANCHES = 5  # fewer `├──` lines draw something else than a directory layout
REPLACEMENT_TOKENS = 15  # what the one-line pointer that replaces a dump costs


@dataclass(frozen=True, slots=True)
class Dump:
    """A kind of pasted dump and the fix that replaces it."""

    kind: str  # copy | tree | listing | schema | deps | block
    label: str
    fix: Fix
    severity: Severity | None = None  # None: the rule's default


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


def _is_tree(lines: list[str], min_lines: int) -> bool:
    branch = [line for line in lines if TREE_BRANCH.match(line)]
    if len(branch) < MIN_BRANCHES or sum(1 for line in lines if line.strip()) < min_lines:
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


def _is_diagram(lines: list[str]) -> bool:
    """Box-and-arrow art (a data-flow or architecture sketch): drawn for the reader, not pasted."""
    body = [line for line in lines if line.strip()]
    return bool(body) and sum(1 for line in body if DRAWING.search(line)) >= 0.5 * len(body)


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
    """The tree's replacement line lists its own root (`ls src`), or the repository's (`ls`)."""
    return fix(template, root=root, **args) if root != "." else fix(template + "-at-root", **args)


def _info(block: CodeBlock) -> str:
    return block.info.split()[0].lower() if block.info.split() else ""


def _classify(block: CodeBlock, lines: list[str], tokens: int, ctx: RuleContext, base: str,
              copy: Copy | None, redeclared: Redeclared | None, declared: frozenset[str]) -> Dump | None:
    data = ctx.data
    where = f"lines {block.start_line}-{block.end_line}"
    n = len(lines)
    if copy is not None:
        span = f"line {copy.first_line}" if copy.first_line == copy.last_line else \
            f"lines {copy.first_line}-{copy.last_line}"
        return Dump("copy", f"a copy of `{copy.path}` ({copy.matched} of its {copy.of} distinctive lines come from "
                            f"{span} of that file; {tokens:,} tokens)",
                    fix("copy", where=where, path=copy.path))
    min_tree = ctx["min-tree-lines"]
    if _is_tree(lines, min_tree) or _is_listing(lines, min_tree):
        return Dump("tree", f"a {n}-line directory tree ({tokens:,} tokens)",
                    _tree_fix("tree", _root_of(lines, base), n=n, where=where))
    text = block.content
    info = _info(block)
    # in the project's commands a `CREATE TABLE` is a grep pattern or a `psql -c` argument, not a pasted schema
    tables = 0 if info in SHELL_INFOS else len(re.findall(data["schema_pattern"], text))
    if tables >= ctx["min-schema-tables"] or (tables and n > ctx["max-lines"]):
        return Dump("schema", f"a pasted schema ({tables} CREATE TABLE statement{'s' if tables != 1 else ''}, {n} lines, {tokens:,} tokens)",
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
    # A shorter list is a copy too when most packages in it are ones the repository's package.json declares
    # (a copy drifts: the rest were removed since): its versions go stale with the next upgrade; short, so a note
    named = {m.group(1) for line in dep_lines if (m := PACKAGE_LINE.match(line))}
    body = [line for line in lines if line.strip().strip("{}[](),")]  # not the braces around the list
    still = len(named & declared)
    if (len(dep_lines) >= ctx["min-copied-dependency-lines"] and len(dep_lines) >= 0.7 * len(body)
            and len(named) == len(dep_lines) and still >= COPIED_SHARE * len(named)):
        kept = "all declared there" if still == len(named) else f"{still} of them still declared there"
        return Dump("deps", f"a dependency list copied from package.json ({len(named)} packages with their versions, "
                            f"{kept}; {tokens:,} tokens)",
                    fix("deps", where=where, source="package.json"), Severity.INFO)
    if (info in SHELL_INFOS or len(PLACEHOLDER.findall(text)) >= 3 or any(ELISION.match(line) for line in lines)
            or _is_diagram(lines)):
        return None  # the project's commands, a template to fill, an excerpt, a diagram: written for the reader
    if n > ctx["max-lines"] or tokens > ctx["max-tokens"]:
        label = f"a {n}-line `{info or 'code'}` block ({tokens:,} tokens)"
        if redeclared is not None and n >= ctx["warn-lines"]:
            names = ", ".join(f"`{name}`" for name in redeclared.names[:3])
            return Dump("block", f"{label} re-declaring {names} (defined in `{redeclared.path}`)",
                        fix("copy", where=where, path=redeclared.path))
        severe = tokens >= ctx["warn-tokens"]
        return Dump("block", label, fix("code-block", where=where), None if severe else Severity.INFO)
    return None


def _walk(ctx: RuleContext) -> Walk:
    data = ctx.data["copy_search"]
    return Walk(
        extensions={lang: tuple(exts) for lang, exts in data["extensions"].items()},
        always=tuple(data["always"]),
        names=tuple(data["names"]),
        agent_files=re.compile(data["agent_files"], re.I),
        skip_dirs=frozenset(data["skip_dirs"]),
        max_bytes=int(data["max_megabytes"] * 1024 * 1024),
    )


def _named_paths(project: InstructionProject) -> list[str]:
    """Files the instruction files name (inline code and links): read first when looking for copies."""
    named: list[str] = []
    for f in project.files:
        base = os.path.dirname(f.source.real)
        for target in [c.text for c in f.doc.inline_code] + [link.target for link in f.doc.links]:
            target = target.split("#", 1)[0].strip()
            if "/" not in target or " " in target or "://" in target:
                continue
            for start in (base, project.root):
                named.append(os.path.join(start, target.lstrip("/")))
    return named


def _copies(project: InstructionProject, ctx: RuleContext
            ) -> tuple[dict[tuple[str, int], Copy], dict[tuple[str, int], Redeclared]]:
    blocks: dict[int, tuple[str, list[str], bool]] = {}
    where: dict[int, tuple[str, int]] = {}
    for f in project.files:
        for block in f.doc.code_blocks:
            if block.content.count("\n") + 1 >= ctx["min-copy-lines"]:
                where[len(blocks)] = (f.path, block.start_line)
                # the project's commands written in its docs too are not a pasted page
                blocks[len(blocks)] = (_info(block), block.content.split("\n"), _info(block) not in SHELL_INFOS)
    if not blocks:
        return {}, {}
    exclude = {f.source.real for f in project.files}
    limits = Thresholds(ctx["min-copy-lines"], ctx["min-doc-copy-lines"], ctx["min-doc-copy-block"], ctx["copy-share"],
                        ctx["copy-sure-lines"], ctx["copy-sure-share"], ctx["copy-max-spread"])
    found, redeclared = find_copies(project.root, blocks, _walk(ctx), _named_paths(project), exclude, limits)
    return ({where[block_id]: copy for block_id, copy in found.items()},
            {where[block_id]: names for block_id, names in redeclared.items()})


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    copies, redeclared = _copies(project, ctx)
    declared = repo_commands(project.root).dependency_names()
    for file in project.files:
        yield from _check_file(file, ctx, copies, redeclared, declared)


def _check_file(file: InstructionFile, ctx: RuleContext, copies: dict[tuple[str, int], Copy],
                redeclared: dict[tuple[str, int], Redeclared], declared: frozenset[str]) -> Iterator[RawFinding]:
    doc = file.doc
    base = os.path.dirname(file.source.real)
    covered: set[int] = set()
    for block in doc.code_blocks:
        lines = block.content.split("\n") if block.content else []
        tokens = lines_tokens(file, block.start_line, block.end_line)
        at = (file.path, block.start_line)
        dump = _classify(block, lines, tokens, ctx, base, copies.get(at), redeclared.get(at), declared)
        if dump is None:
            continue
        covered.update(range(block.start_line, block.end_line + 1))
        yield RawFinding(
            line=block.start_line,
            end_line=block.end_line,
            path=file.path,
            severity=dump.severity,
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
                path=file.path,
                message=f"pasted dump: a {n}-line directory tree ({tokens:,} tokens) in lines {start}-{run[-1]}",
                fix=_tree_fix("unfenced-tree", _root_of(doc.lines[start - 1 : run[-1]], base), n=n, start=start,
                              end=run[-1]),
                tokens_wasted=max(0, tokens - REPLACEMENT_TOKENS) if file.always_loaded_by else 0,
                content_key=f"tree:{doc.lines[start - 1]}",
            )
        run = []
