"""dead-reference: imports, links and backticked paths to files that do not exist.

Precision first: only tokens that are clearly paths are checked, resolved from the instruction
file's own directory and then from the repository root.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, TextEdit, fix
from ctxlint.rules.registry import RuleContext, detector

URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
SCOPED_NPM = re.compile(r"^@[a-z0-9][\w.-]*/[\w.-]+$", re.I)
PATHISH = re.compile(r"^[\w./~@+-]+$")
GIT_REF = re.compile(r"^(refs|origin|upstream|heads|tags|remotes)/")
PLACEHOLDER_SEGMENT = re.compile(r"(^|[/_.-])(N|NN|NNN|NNNN|X|XX|XXX|YYYY|MM|DD)([/_.-]|$)")
COMPOUND_SUFFIXES = {"test", "spec", "stories", "story", "d", "min", "module", "prompt", "agent", "instructions",
                     "chatmode", "e2e", "config", "generated", "gen", "pb", "mock", "snap", "local", "example"}


def looks_like_path(text: str, data: dict[str, list[str]]) -> bool:
    t = text.strip().strip("'\"")
    if not t or len(t) > 200 or " " in t or not PATHISH.match(t):
        return False
    low = t.lower()
    if URL.match(t) or SCOPED_NPM.match(t) or GIT_REF.match(t) or t.startswith(("-", "--", "$")):
        return False
    if any(w in low for w in data["placeholder_words"]):
        return False
    if low in data["slash_words"] or low.strip("/") in data["slash_words"]:
        return False
    if t.startswith("~/") or t.startswith("/"):
        return False  # user- or machine-level paths cannot be checked from the repository
    if PLACEHOLDER_SEGMENT.search(t) or low.rstrip("/") in data.get("branch_prefixes", ()):
        return False  # `docs/sprint-N/`, `ADR-NNN.md`; `fix/`, `feat/` are branch prefixes
    segments = low.strip("./").split("/")
    if any(seg in data.get("generated_dirs", ()) for seg in segments[:-1] or segments):
        return False  # node_modules/, dist/, target/: installed or built, absent from a clean checkout
    if "/" not in t and t.startswith(".") and t.count(".") >= 2 and t.split(".")[1].lower() in COMPOUND_SUFFIXES:
        return False  # `.test.ts`, `.prompt.md`: a suffix pattern, not a file
    if "/" not in t and low in data.get("system_files", ()):
        return False  # `stdarg.h`: a system header
    name = t.rstrip("/").rsplit("/", 1)[-1]
    has_ext = any(name.lower().endswith(ext) for ext in data["extensions"])
    if "/" not in t:
        return has_ext and "." in name[1:]
    return has_ext or t.endswith("/")


SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", "target", ".tox", ".next"}
CREATES = re.compile(r"(?i)\b(create|creates|created|write|writes|generate|generates|add|adds|new|output|produce|save|"
                     r"rename|named|called|e\.g\.|for example|such as|like|submit|with just an?|with an?)\b")
OTHER_REPO = re.compile(r"(?i)\b(in|from|of) (that|the other|another|their|upstream|the upstream|the [\w./-]+) "
                        r"(repo|repository|project)\b|\b(in|from) [\w.-]+/[\w.-]+\b(?= repo)")


@lru_cache(maxsize=8)
def repo_index(root: str) -> frozenset[str]:
    """Every file and directory path of the repository (relative, posix), for suffix lookups."""
    out: set[str] = set()
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        if prefix:
            out.add(prefix)
        for name in filenames:
            out.add(prefix + name)
        count += len(filenames)
        if count > 200_000:
            break  # a giant tree: what we have is enough to clear most references
    return frozenset(out)


def nothing_to_resolve(project: InstructionProject, root: Path) -> bool:
    """True when the tree holds only the instruction files themselves."""
    return _only_instruction_files(str(root), tuple(f.source.real for f in project.files if not f.outside_root))


@lru_cache(maxsize=8)
def _only_instruction_files(root: str, reals: tuple[str, ...]) -> bool:
    """``nothing_to_resolve`` of one project, answered once (the rule asks it for every file)."""
    own = {Path(real).resolve().relative_to(root).as_posix() for real in reals}
    return all(p.endswith("/") or p in own or p.startswith(".git/") or p in (".gitignore",) for p in repo_index(root))


def exists(file: InstructionFile, root: Path, target: str) -> bool:
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target:
        return True
    base = Path(file.source.real).parent
    if any((start / target).exists() for start in (base, root)):
        return True
    # A name or partial path mentioned without its full location ("`run.ts`", "`models/base.py`")
    # is alive when some file of the repository ends with it.
    suffix = target.strip("/").removeprefix("./")
    want_dir = target.endswith("/")
    for path in repo_index(str(root)):
        candidate = path if want_dir else path.rstrip("/")
        if candidate.rstrip("/") == suffix or candidate.rstrip("/").endswith("/" + suffix):
            return True
        if target.startswith(".") and candidate.endswith(target):
            return True
    return False


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    if file.outside_root:
        return
    root = Path(project.root).resolve()
    data = ctx.data
    seen: set[tuple[int, str]] = set()
    reported: set[str] = set()
    for imp in file.doc.imports:
        if imp.in_code or not imp.pathlike or imp.target.startswith("~") or os.path.isabs(imp.target):
            continue
        if exists(file, root, imp.target) or (imp.line, imp.target) in seen:
            continue
        seen.add((imp.line, imp.target))
        line_text = file.doc.lines[imp.line - 1].strip()
        only_import = line_text.lstrip("-* ").strip() == f"@{imp.target}"
        yield RawFinding(
            line=imp.line,
            column=imp.column,
            message=f"`@{imp.target}` imports a file that does not exist",
            fix=fix("dead-import", "unsafe-deletes", line=imp.line) if only_import else fix("dead-import", line=imp.line),
            edits=(TextEdit(imp.line, imp.line, "", unsafe=True),) if only_import else (),
            content_key=f"import:{imp.target}",
        )
    if nothing_to_resolve(project, root):
        # A lone copy of instruction files (a template, a corpus): every mentioned path would look dead.
        # Imports above are exact (resolved from the importing file), so they are still checked.
        return
    for link in file.doc.links:
        target = link.target.strip()
        if not target or target.startswith("#") or URL.match(target) or target.startswith("/"):
            continue
        clean = target.split("#", 1)[0]
        if not looks_like_path(clean, data) or exists(file, root, clean) or (link.line, clean) in seen:
            continue
        seen.add((link.line, clean))
        yield RawFinding(
            line=link.line,
            message=f"link to `{clean}`, which does not exist",
            fix=fix("dead-link", line=link.line),
            content_key=f"link:{clean}",
        )
    if not ctx["check-backticks"]:
        return
    for code in file.doc.inline_code:
        text = code.text.strip()
        if not looks_like_path(text, data) or text in reported:
            continue
        line_text = file.doc.lines[code.line - 1]
        if CREATES.search(line_text[: max(0, code.column - 1)]) or OTHER_REPO.search(line_text):
            continue  # "create `PLAN.md`", "e.g. `foo.py`", "in that repo": not a file of this repository
        if exists(file, root, text):
            continue
        seen.add((code.line, text))
        reported.add(text)  # one finding per missing path and file, not one per mention
        yield RawFinding(
            line=code.line,
            column=code.column,
            message=f"`{text}` does not exist (resolved from {Path(file.path).parent.as_posix() or '.'} and the repository root)",
            fix=fix("dead-path", line=code.line),
            content_key=f"path:{text}",
        )
