"""dead-reference: imports, links and paths to files that do not exist.

Where a reference resolves:
* an ``@import`` from the importing file's directory only (Claude Code and Gemini CLI resolve it
  there: one that exists only from the repository root is dead for the agent);
* a link, a backticked path, a path in prose or in a directory tree: from the file's directory, then
  the repository root, then (a partial path) any path of the repository that ends with it.

Precision first. Not dead: a path git's ignore rules match (build output, caches, local env files,
downloaded vendor trees: a clean checkout lacks them by design); a path the text says is generated,
created or ignored; a path of another repository; an example, a counter-example, a naming pattern
or a path of past-tense narrative; language objects (``process.env``) and import aliases (``@/``).
A bare file name with no directory is reported at ``info``: in real files it is as often an example
of a convention as a reference.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ctxlint.instructions.agents import specs
from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.instructions.repository import RepoIndex, ignored, ignored_parents, repo_index, script_variants
from ctxlint.markdown import Document, code_spans
from ctxlint.model import RawFinding, Severity, TextEdit, fix
from ctxlint.rules.registry import RuleContext, detector

URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
SCOPED_NPM = re.compile(r"^@[a-z0-9][\w.-]*/[\w.-]+$", re.I)
PATHISH = re.compile(r"^[\w./~@+-]+$")
GIT_REF = re.compile(r"^(refs|origin|upstream|heads|tags|remotes)/")
# `docs/sprint-N/`, `ADR-NNN.md`, `elm-x.tsx`, `FEATURE_NAME.md`, `MyService.ts`, `test_EventNameHere.py`,
# `YYYYMMDDHHMMSS_description.sql`, `my-thing/my-thing.component.ts`, `feature-name/`
PLACEHOLDER_SEGMENT = re.compile(
    r"(^|[/_.-])(N|NN|NNN|NNNN|X|XX|XXX|x|YYYY|MM|DD|NAME)([/_.-]|$)|(^|[/_.-])[Mm]y[A-Z]|[a-z]Here(?=[/_.-]|$)"
    r"|(^|[/_.-])(?:YYYY|YY|MM|DD|HH|mm|SS|ss){2,}([/_.-]|$)|(^|/)my[-_][a-z]"
    r"|(?i:feature|component|module|service|entity|event|page|class|type|store|resource|domain|project|app|package"
    r"|plugin)(?:Name|[-_]name)(?=[A-Z/_.-]|$)")
TEMPLATE_SUFFIX = re.compile(r"(?<=[\w-])\.(?:example|sample|template|dist)(?=\.|$)")
# A file name that starts with a date stamp (`20260206000001_add_feature.up.sql`): one of a series.
DATE_STAMPED = re.compile(r"^(?:19|20)\d{6,12}[_.-]")
COMPOUND_SUFFIXES = {"test", "spec", "stories", "story", "d", "min", "module", "prompt", "agent", "instructions",
                     "chatmode", "e2e", "config", "generated", "gen", "pb", "mock", "snap", "local", "example",
                     "browser", "server", "client", "unit", "integration"}
TREE_ENTRY = re.compile(r"^(?P<lead>[ \t│┃|]*)(?:├|└|┣|┗|\|--|`--|\+--)[─━-]*\s*(?P<name>[^\s]+)(?P<note>.*)$")
PROSE_PATH = re.compile(r"(?<![\w/.@~$:%#=*\\\0-])((?:\.{1,2}/)?[A-Za-z_][\w.-]*(?:/[\w.-]+)+/?)(?![\w/*\\\0])")
CAPITALISED_PAIR = re.compile(r"^[A-Z][\w.-]*/[A-Z][\w.-]*$")  # "React/Next.js", "Node.js/Express": alternatives
LINK_OR_URL = re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)|<?[a-z][a-z0-9+.-]*://[^\s>)]+>?", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)|\s+[—–]\s+|\s\|\s")
HOSTED_REPO_URL = re.compile(r"https?://(?:github\.com|gitlab\.com|bitbucket\.org)/[\w.-]+/[\w.-]+", re.I)


def looks_like_path(text: str, data: dict[str, Any]) -> bool:
    t = text.strip().strip("'\"")
    if not t or len(t) > 200 or " " in t or not PATHISH.match(t):
        return False
    low = t.lower()
    if URL.match(t) or SCOPED_NPM.match(t) or GIT_REF.match(t) or t.startswith(("-", "--", "$", "@")):
        return False  # `@file.js` in code is the import syntax shown, never expanded there
    # `.env.example`, `config.example.json`: the committed template of a local file is a real file, whatever
    # its suffix says; `path/to/example.py` is a placeholder
    if any(w in TEMPLATE_SUFFIX.sub("", low) for w in data["placeholder_words"]):
        return False
    if low in data["slash_words"] or low.strip("/") in data["slash_words"]:
        return False
    if t.startswith("~/") or t.startswith("/"):
        return False  # user- or machine-level paths cannot be checked from the repository
    if not t.strip("./"):
        return False  # `../../../`: a relative chain, not a place
    if t in data["language_objects"] or t.startswith(tuple(data["alias_prefixes"])):
        return False  # `process.env`, `import.meta.env`; `@/components`
    if PLACEHOLDER_SEGMENT.search(t) or low.rstrip("/") in data.get("branch_prefixes", ()):
        return False  # `docs/sprint-N/`, `ADR-NNN.md`; `fix/`, `feat/` are branch prefixes
    segments = low.strip("./").split("/")
    if any(seg in data.get("generated_dirs", ()) for seg in segments[:-1] or segments):
        return False  # node_modules/, dist/, target/: installed or built, absent from a clean checkout
    if "/" not in t and t.startswith(".") and any(part.lower() in COMPOUND_SUFFIXES for part in t.split(".")[1:-1]):
        return False  # `.test.ts`, `.browser.test.ts`, `.prompt.md`: a suffix pattern, not a file
    if "/" not in t and low in data.get("system_files", ()):
        return False  # `stdarg.h`: a system header
    name = t.rstrip("/").rsplit("/", 1)[-1]
    base = TEMPLATE_SUFFIX.sub("", name)  # `config.example.json`, `.env.example`: templates of local files
    if base != name and "." not in base[1:]:
        ext = base  # `.env.example`: `.env` is its extension
    else:
        ext = "." + base.rsplit(".", 1)[-1] if "." in base[1:] else ""
    if ext and ext != ext.lower() and ext != ext.upper():
        return False  # `System.Text.Json`: a namespace, not `.json`
    has_ext = bool(ext) and ext.lower() in data["extensions"]
    if "/" not in t:
        return has_ext
    return has_ext or t.endswith("/")


def nothing_to_resolve(project: InstructionProject, root: str) -> bool:
    """True when the tree holds only the instruction files themselves."""
    return _only_instruction_files(root, tuple(f.source.real for f in project.files))


@lru_cache(maxsize=8)
def _only_instruction_files(root: str, reals: tuple[str, ...]) -> bool:
    """``nothing_to_resolve`` of one project, answered once (the rule asks it for every file)."""
    own = {Path(real).resolve().relative_to(root).as_posix() for real in reals} | {".gitignore"}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        if any(prefix + name not in own for name in filenames):
            return False  # the first file that is not an instruction file answers it
    return True


@dataclass(frozen=True, slots=True)
class Reference:
    """A path the file names, where, and how it was written."""

    line: int
    column: int | None
    target: str  # cleaned: no anchor, no query
    kind: str  # link | path | prose | tree | slash
    start: int = 0  # 0-based offsets of the mention on its line (for the words around it)
    end: int = 0


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I) if patterns else None


class Resolver:
    """Resolves the references of one instruction file against its repository."""

    def __init__(self, file: InstructionFile, root: Path, data: dict[str, Any]) -> None:
        self.doc: Document = file.doc
        self.root = root
        self.data = data
        # The file's directory as the agent opens it and, for a linked file, where its text lives.
        self.bases: list[str] = []
        for here in (Path(os.path.abspath(file.source.path)).parent, Path(file.source.real).parent):
            rel = here.relative_to(root).as_posix() if here.is_relative_to(root) else "."
            self.bases.append("" if rel == "." else rel)
        self.base = self.bases[0]
        self.words = {key: _compiled(tuple(data.get(key, ()))) for key in (
            "example_before", "example_after", "counter_before", "counter_markers", "runtime_words", "past_tense", "hypothetical",
            "other_repo", "example_headings", "narrative_headings")}
        self.created: tuple[str, ...] = ()  # runtime paths named anywhere in the project (see _created_paths)

    @property
    def index(self) -> RepoIndex:
        """Every path of the repository: walked only when some reference is not found directly."""
        return repo_index(str(self.root))

    # -- where a target may live ------------------------------------------------------------

    def rels(self, target: str) -> list[str]:
        """The repository-relative paths ``target`` may mean: from the file's directory, then the root."""
        out = []
        for base in dict.fromkeys((*self.bases, "")):
            rel = posixpath.normpath(posixpath.join(base, target.rstrip("/")))
            if rel != "." and not rel.startswith("../") and rel != "..":
                out.append(rel)
        return out

    def ignore_forms(self, target: str) -> list[str]:
        """``rels`` as git's ignore rules are asked: a directory keeps its trailing slash."""
        slash = "/" if target.endswith("/") else ""
        return [rel + slash for rel in self.rels(target)]

    def on_disk(self, rel: str) -> bool:
        return any(os.path.lexists(self.root / variant) for variant in script_variants(rel))

    def exists(self, target: str, extra_bases: tuple[str, ...] = ()) -> bool:
        target = target.split("#", 1)[0].split("?", 1)[0]
        if not target:
            return True
        for rel in self.rels(target):
            if self.on_disk(rel) or self.index.has_folded(rel):
                return True
        for base in extra_bases:
            rel = posixpath.normpath(posixpath.join(base, target))
            if not rel.startswith("..") and self.on_disk(rel):
                return True
        if target.startswith("../"):
            return False
        # A name or partial path mentioned without its full location ("`run.ts`", "`models/base.py`")
        # is alive when some path of the repository ends with it.
        partial = target.strip("/").removeprefix("./")
        return any(self.index.ends_with(variant) for variant in script_variants(partial))

    def new_in_series(self, target: str) -> bool:
        """A date-stamped file missing from a folder of date-stamped files (a migration folder): the next one
        of the series, shown as an example of a file to add. Series are append-only, so a real one is there."""
        name = posixpath.basename(target.rstrip("/"))
        if not DATE_STAMPED.match(name):
            return False
        for rel in self.rels(target):
            folder = self.root / posixpath.dirname(rel)
            try:
                if any(DATE_STAMPED.match(entry) for entry in os.listdir(folder)):
                    return True
            except OSError:
                continue
        return False

    # -- what the words around a mention say -------------------------------------------------

    def _match(self, key: str, text: str) -> bool:
        pattern = self.words.get(key)
        return bool(pattern is not None and pattern.search(text))

    def sentence(self, line_text: str, start: int, end: int) -> tuple[str, str]:
        """The words of the mention's sentence before and after it."""
        before, after = line_text[:start], line_text[end:]
        cuts = list(SENTENCE_END.finditer(before))
        if cuts:
            before = before[cuts[-1].end():]
        cut = SENTENCE_END.search(after)
        if cut:
            after = after[: cut.start()]
        return before, after

    def runtime_mentions(self) -> list[str]:
        """Paths that some sentence of this file says are generated, created, written, ignored or
        transient (`docs/{a,b}/` and `out/<name>/` name the directory before the placeholder)."""
        found: list[str] = []
        for code in self.doc.inline_code:
            text = re.split(r"[<{*…]|\.\.\.", code.text.strip(), maxsplit=1)[0]
            directory = text[: text.rindex("/") + 1] if "/" in text else ""
            if not looks_like_path(text, self.data) and not (directory and looks_like_path(directory, self.data)):
                continue
            line_text = self.doc.lines[code.line - 1]
            start = code.column - 1
            before, after = self.sentence(line_text, start, start + len(code.text) + 2)
            if self._match("runtime_words", before + " " + after):
                found.append(text.strip("/").removeprefix("./"))
        return found

    def not_a_reference(self, ref: Reference) -> bool:
        """What the words around the mention say makes it something other than a claim that this
        repository holds the path: an example, a pattern, a generated path, another repository's."""
        line_text = self.doc.lines[ref.line - 1]
        before, after = self.sentence(line_text, ref.start, ref.end)
        if not before.strip() and ref.line > 1:
            before = self._wrapped_before(ref.line) + before  # "There is no\n`db.rs`": the sentence began above
        if self._match("counter_markers", line_text) or self._match("counter_before", before):
            return True  # "❌ `docs/AUDIO.md`", "`AUDIO_GUIDE.md` not `AUDIO.md`"
        if self._match("example_before", before) or self._match("hypothetical", before) \
                or self._match("example_after", after):
            return True  # "e.g. `foo.py`", "create `PLAN.md`", "if a README lists `x`"
        if self._match("runtime_words", before + " " + after):
            return True  # "generated in `htmlcov/`", "`x.json` is generated by", "(gitignored)"
        if self._match("past_tense", before):
            return True  # "Renamed `tests/unit/` to ...", "Deleted `x.php`"
        if self._match("other_repo", line_text) or self._other_repo_paragraph(ref.line):
            return True  # "in the `Documentation` repo", "in cloned repositories", a link to another repo
        if self._template_line(ref):
            return True  # "`<slug>-lab.html`, `images/`": the line describes a layout with placeholders
        section = self.doc.section_at(ref.line)
        if section is not None and any(
            self._match("example_headings", h) or self._match("narrative_headings", h) for h in section.path
        ):
            return True  # "## Naming conventions", "## Changelog", "### v1.3"
        clean = ref.target.strip("/").removeprefix("./")
        top = clean.split("/", 1)[0]
        if "/" in clean and f"~/{top}/" in self.doc.text:
            return True  # `~/.claude/settings.json` and `.claude/settings.json`: a tool's config locations
        return any(clean == c or clean.startswith(c + "/") or c.endswith("/" + clean) for c in self.created)

    def _wrapped_before(self, line: int) -> str:
        """The end of the previous line's sentence when a paragraph wraps there (not a list item, table
        row or heading, which stand alone), else nothing."""
        previous = self.doc.lines[line - 2].rstrip()
        if (not previous or previous.lstrip().startswith(("|", "#", ">"))
                or re.match(r"^\s*(?:[-*+]|\d+[.)])\s", previous) or previous.endswith((".", "!", "?", ":", "|"))):
            return ""
        cuts = list(SENTENCE_END.finditer(previous))
        return (previous[cuts[-1].end():] if cuts else previous) + " "

    def _template_line(self, ref: Reference) -> bool:
        for code in self.doc.inline_code:
            if code.line != ref.line or code.column - 1 == ref.start:
                continue
            text = code.text.strip()
            placeholder = (any(ch in text for ch in "<{…") or "..." in text or PLACEHOLDER_SEGMENT.search(text)
                           or text.startswith("*."))  # `*.test.ts` beside it: the line states a naming rule
            if ("/" in text or "." in text) and " " not in text and placeholder:
                return True
        return False

    def _other_repo_paragraph(self, line: int) -> bool:
        """A link to another hosted repository in the mention's sentence, which may start on the line
        before when the paragraph wraps there (not in a list or table, whose rows stand alone)."""
        lines = self.doc.lines
        if HOSTED_REPO_URL.search(lines[line - 1]):
            return True
        if line < 2:
            return False
        previous = lines[line - 2].rstrip()
        wrapped = previous and not previous.lstrip().startswith(("-", "*", "+", "|", "#")) and \
            not re.match(r"^\s*\d+[.)]\s", previous) and not previous.endswith((".", "!", "?", ":", "|"))
        return bool(wrapped and HOSTED_REPO_URL.search(previous))


_CREATED: dict[int, tuple[InstructionProject, tuple[str, ...]]] = {}


def _created_paths(project: InstructionProject, root: Path, data: dict[str, Any]) -> tuple[str, ...]:
    """Paths that any instruction file of the project says are generated, created, written, ignored
    or transient: every mention of them (or of a path below them), in any file, is of a runtime path."""
    cached = _CREATED.get(id(project))
    if cached is not None and cached[0] is project:
        return cached[1]
    found = tuple(dict.fromkeys(p for f in project.files
                                for p in Resolver(f, root, data).runtime_mentions()))
    if len(_CREATED) > 4:
        _CREATED.clear()
    _CREATED[id(project)] = (project, found)
    return found


def _line_bases(doc: Document, line: int, resolver: Resolver) -> tuple[str, ...]:
    """Directories of the other paths on the line (`a/b.md` → `../c.md` names c relative to a/)."""
    bases = []
    for code in doc.inline_code:
        if code.line == line and "/" in code.text:
            for rel in resolver.rels(code.text.strip()):
                if resolver.on_disk(rel):
                    bases.append(posixpath.dirname(rel))
    return tuple(bases)


def _references(file: InstructionFile, resolver: Resolver, data: dict[str, Any], backticks: bool) -> Iterator[Reference]:
    doc = file.doc
    for link in doc.links:
        target = link.target.strip()
        if not target or target.startswith("#") or URL.match(target) or target.startswith("/"):
            continue
        clean = target.split("#", 1)[0].split("?", 1)[0]
        if looks_like_path(clean, data):
            start = doc.lines[link.line - 1].find(target)
            yield Reference(link.line, None, clean, "link", max(start, 0), max(start, 0) + len(target))
    if not backticks:
        return
    for code in doc.inline_code:
        text = code.text.strip()
        if looks_like_path(text, data):
            start = code.column - 1
            yield Reference(code.line, code.column, text, "path", start, start + len(code.text) + 2)
    yield from _prose_paths(doc, data)
    yield from _root_slash_paths(doc, resolver, data)


SLASH_SPAN = re.compile(r"^/[\w.-][\w./-]*$")


def _root_slash_paths(doc: Document, resolver: Resolver, data: dict[str, Any]) -> Iterator[Reference]:
    """`/docs`, `/lib/db` written from the repository root. A leading slash also starts routes
    (`/api/users`), slash commands (`/check`) and machine paths, so a paragraph or list counts as
    written from the root only when most of its slash paths (at least three) exist there."""
    blocks: list[list[Any]] = []
    last_line = -2
    for code in doc.inline_code:
        text = code.text.strip()
        if not SLASH_SPAN.match(text) or "//" in text or any(w in text.lower() for w in data["placeholder_words"]):
            continue
        gap = range(last_line + 1, code.line)
        if not blocks or (code.line - last_line > 1 and not all(doc.lines[n - 1].strip() for n in gap)):
            blocks.append([])  # a new paragraph or list
        blocks[-1].append(code)
        last_line = code.line
    for block in blocks:
        alive = [c for c in block if resolver.on_disk(c.text.strip().strip("/") or ".")]
        if len(alive) < 3 or len(alive) * 2 < len(block):
            continue
        for code in block:
            rel = code.text.strip().strip("/")
            parent = posixpath.dirname(rel)
            if code in alive or (parent and not resolver.on_disk(parent)):
                continue  # alive, or below a missing directory (that one is reported if named)
            start = code.column - 1
            yield Reference(code.line, code.column, rel + ("/" if code.text.strip().endswith("/") else ""), "slash",
                            start, start + len(code.text) + 2)


def _prose_paths(doc: Document, data: dict[str, Any]) -> Iterator[Reference]:
    """Paths written in plain prose (`see src/utils/x.ts`): at least one directory and a file
    extension, or two directories and a trailing slash."""
    skip = {n for b in doc.code_blocks for n in range(b.start_line, b.end_line + 1)}
    skip.update(n for c in doc.html_comments if not c.inline for n in range(c.start_line, c.end_line + 1))
    for number, line in enumerate(doc.lines, start=1):
        if number in skip or number <= doc.front_matter_end_line or "/" not in line:
            continue
        masked = line
        for a, b in code_spans(line):
            masked = masked[:a] + "\0" * (b - a) + masked[b:]  # a path touching a code span is not one
        masked = LINK_OR_URL.sub(lambda m: "\0" * len(m.group(0)), masked)
        for m in PROSE_PATH.finditer(masked):
            text = m.group(1).rstrip(".")
            name = text.rstrip("/").rsplit("/", 1)[-1]
            if text.endswith("/") and text.count("/") < 2:
                continue
            if (not text.endswith("/") and "." not in name[1:]) or CAPITALISED_PAIR.match(text):
                continue
            if looks_like_path(text, data):
                yield Reference(number, m.start(1) + 1, text, "prose", m.start(1), m.start(1) + len(text))


def _tree_entries(content: str, first_line: int, data: dict[str, Any]) -> list[tuple[int, str, str]] | None:
    """(line, path below its root, root) of each entry of a directory tree; None for a template
    (a placeholder root such as `skills/<name>/`)."""
    entries: list[tuple[int, str, str]] = []
    stack: list[tuple[int, str]] = []  # (column, name) of the enclosing directories
    root = ""
    for offset, raw in enumerate(content.split("\n"), start=1):
        m = TREE_ENTRY.match(raw)
        if m is None:
            head = raw.strip().split("  ", 1)[0].split("#", 1)[0].strip()
            if head.endswith("/") and " " not in head:  # `mem0/`, `.github/`: a (new) root of the tree
                if any(ch in head for ch in "<>{}*…[]$") or PLACEHOLDER_SEGMENT.search(head):
                    return None
                root, stack = ("" if head in ("./", "/") else head.strip("/")), []
            continue
        column, name = len(m.group("lead")), m.group("name")
        while stack and stack[-1][0] >= column:
            stack.pop()
        parents = [n for _, n in stack]
        placeholder = (any(ch in name for ch in "<>{}*…[]$()") or "..." in name or PLACEHOLDER_SEGMENT.search(name)
                       or any(w in name.lower() for w in data["placeholder_words"] if len(w) > 2)
                       or not re.match(r"^[\w.@+-][\w./@+-]*$", name))
        if placeholder or "\0" in parents:
            stack.append((column, "\0"))  # nothing below a placeholder entry is checked
            continue
        entries.append((first_line + offset, "/".join([*parents, name.rstrip("/")]) + ("/" if name.endswith("/") else ""), root))
        if name.endswith("/"):
            stack.append((column, name.rstrip("/")))
    return entries


def _tree_findings(file: InstructionFile, resolver: Resolver) -> Iterator[tuple[int, list[str]]]:
    """Directory trees (``├── configs/``) in code blocks that map this repository: the entries that
    do not exist, once the tree is anchored (most of its entries do)."""
    for block in file.doc.code_blocks:
        if "──" not in block.content and "|--" not in block.content and "`--" not in block.content:
            continue
        entries = _tree_entries(block.content, block.start_line, resolver.data)
        if not entries or len(entries) < 4:
            continue

        def alive(path: str) -> bool:
            return any(resolver.on_disk(r) for r in resolver.rels(path))

        # Written from its root (`mem0/` → `mem0/graphs/`), or the root is the repository itself.
        best = max((sum(1 for _, p, r in entries if alive(posixpath.join(r, p) if with_root else p)), with_root)
                   for with_root in (True, False))
        hits, with_root = best
        if hits < 3 or hits * 2 < len(entries):
            continue  # a template or another project's layout, not a map of this repository
        missing: list[tuple[int, str, str]] = []  # (line, as shown, as resolved)
        for line, path, root in entries:
            full = posixpath.join(root, path) if with_root else path
            if any(full.startswith(m.rstrip("/") + "/") for _, _, m in missing):
                continue  # below a missing directory: that one is reported
            if not alive(full) and not resolver.index.ends_with(full):
                missing.append((line, full, full))
        gone = ignored(str(resolver.root), [r for _, _, full in missing for r in resolver.ignore_forms(full)])
        missing = [(line, shown, full) for line, shown, full in missing
                   if not any(r in gone for r in resolver.ignore_forms(full))
                   and not resolver._match("runtime_words", file.doc.lines[line - 1])]
        if missing:
            yield missing[0][0], [shown for _, shown, _ in missing]


def _tree_finding(line: int, shown: list[str]) -> RawFinding:
    listed = ", ".join(f"`{p}`" for p in shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
    return RawFinding(
        line=line,
        message=f"the directory tree lists {listed}, which {'does' if len(shown) == 1 else 'do'} not exist",
        fix=fix("dead-tree", line=line),
        # Files missing from directories that exist are as often an illustration (each `x.go` has an
        # `x_test.go`) as a stale map; a missing directory is a stale map.
        severity=None if any(p.endswith("/") for p in shown) else Severity.INFO,
        content_key="tree:" + ",".join(sorted(shown)),
    )


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    root = Path(project.root).resolve()
    data = ctx.data
    resolver = Resolver(file, root, data)
    here = Path(file.source.real).parent
    seen: set[tuple[int, str]] = set()
    # `@path` is an import only for the agents that expand imports (Claude Code, Gemini CLI): in a file only
    # others read (a `.clinerules` rule), it is a mention in the text, resolved like any path below.
    expands = not file.agents or any(a in specs() and specs()[a].import_depth > 0 for a in file.agents)
    for imp in file.doc.imports if expands else ():
        if imp.in_code or not imp.pathlike or imp.target.startswith("~") or os.path.isabs(imp.target):
            continue
        if os.path.lexists(here / imp.target) or (imp.line, imp.target) in seen:
            continue
        seen.add((imp.line, imp.target))
        line_text = file.doc.lines[imp.line - 1].strip()
        only_import = line_text.lstrip("-* ").strip() == f"@{imp.target}"
        from_root = not imp.target.startswith(("./", "../")) and (root / imp.target).exists() and here != root
        where = (f"; it exists from the repository root, but imports resolve from {resolver.base}/"
                 if from_root else "")
        yield RawFinding(
            line=imp.line,
            column=imp.column,
            message=f"`@{imp.target}` imports a file that does not exist{where}",
            fix=(fix("import-from-file", base=resolver.base, relative=posixpath.relpath(imp.target, resolver.base))
                 if from_root else fix("dead-import", "unsafe-deletes", line=imp.line) if only_import
                 else fix("dead-import", line=imp.line)),
            edits=(TextEdit(imp.line, imp.line, "", unsafe=True),) if only_import and not from_root else (),
            content_key=f"import:{imp.target}",
        )
    if nothing_to_resolve(project, str(root)):
        # A lone copy of instruction files (a template, a corpus): every mentioned path would look dead.
        # Imports above are exact (resolved from the importing file), so they are still checked.
        return
    resolver.created = _created_paths(project, root, data)
    missing: list[Reference] = []
    escaped = _escaped_blocks(file.doc.lines)
    for ref in _references(file, resolver, data, bool(ctx["check-backticks"])):
        if (ref.line, ref.target) in seen or ref.line in escaped:
            continue
        seen.add((ref.line, ref.target))
        if resolver.exists(ref.target, _line_bases(file.doc, ref.line, resolver) if ref.target.startswith("..") else ()):
            continue
        if resolver.not_a_reference(ref) or resolver.new_in_series(ref.target):
            continue
        missing.append(ref)
    gone = ignored(str(root), [rel for ref in missing for rel in resolver.ignore_forms(ref.target)])
    local = ignored_parents(str(root))  # `.codex/` when .gitignore lists `.codex/config.toml`
    reported: set[str] = set()
    for ref in missing:
        forms = resolver.ignore_forms(ref.target)
        if any(rel in gone or rel.rstrip("/") + "/" in local for rel in forms) or ref.target in reported:
            continue
        reported.add(ref.target)  # one finding per missing path and file, not one per mention
        yield _finding(ref, resolver)
    for line, shown in _tree_findings(file, resolver):
        yield _tree_finding(line, shown)


ESCAPED_FENCE = re.compile(r"^\s*\\`\\`\\`")


def _escaped_blocks(lines: list[str]) -> set[int]:
    """Lines between two escaped fences (a file kept inside a JavaScript template string writes its code
    blocks as \\`\\`\\`): the model reads them as code blocks, so they hold examples, not references."""
    inside: set[int] = set()
    opened: int | None = None
    for number, raw in enumerate(lines, start=1):
        if ESCAPED_FENCE.match(raw):
            if opened is None:
                opened = number
            else:
                inside.update(range(opened, number + 1))
                opened = None
    return inside


def _finding(ref: Reference, resolver: Resolver) -> RawFinding:
    where = resolver.base or "."
    if ref.kind == "link":
        return RawFinding(
            line=ref.line,
            message=f"link to `{ref.target}`, which does not exist",
            fix=fix("dead-link", line=ref.line),
            content_key=f"link:{ref.target}",
        )
    if ref.kind == "slash":
        bare = False
        message = f"`/{ref.target}` does not exist in the repository (the paths around it are written from its root)"
    else:
        bare = "/" not in ref.target  # `types.ts`; a directory (`docs/`) names a place, not an example
        message = (f"`{ref.target}` does not exist anywhere in the repository" if bare else
                   f"`{ref.target}` does not exist (resolved from {where} and the repository root)")
    return RawFinding(
        line=ref.line,
        column=ref.column,
        message=message,
        fix=fix("dead-path", line=ref.line),
        # A bare file name is as often an example of a convention as a reference: worth a look, not a warning.
        severity=Severity.INFO if bare else None,
        content_key=f"path:{ref.target}",
    )
