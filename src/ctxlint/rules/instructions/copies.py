"""Which repository file a pasted code block copies, or which of its definitions it re-declares.

A block pasted from the repository's own source (a component, a config, a docs page, `.env.example`)
is the clearest kind of dump: the file is one `see path` away and the copy goes stale. The blocks are
compared line by line with the repository's files, ignoring indentation, runs of spaces and trailing
comments; a block whose distinctive lines mostly come from one file is a copy of it. A block edited
since it was pasted still declares what the repository declares (the same component, class or
function name, defined in only a few files): it restates the repository's code. An illustrative
skeleton (`class MyService`, a test pattern) declares names the repository does not have.

The walk reads only files of the block's language (and docs, where examples live), skips dependency
and build folders, and stops at a byte budget, reading first the files the instruction files name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

COMMENT_ONLY = re.compile(r"^(?://|#|/\*|\*|<!--|--\s)")
# An interpolation or template blank: `{STATE}` in a pasted prompt is `{$state}` in the source it copies
BLANK = re.compile(r"\{\$?[\w\[\]'\"-]+\}")
MIN_KEY_CHARS = 12
PREFIX_CHARS = 10  # a line's first characters, compared before the whole line is normalised
MAX_KEY_CHARS = 400  # longer lines are minified or generated: nobody pastes them by hand
MAX_FILE_BYTES = 1024 * 1024
# A definition: a function, class, type or method (Go's `func (r *T) Name`), or a PascalCase constant (a
# React component `const Header = (…)`); lower-case locals (`const stream =`) say nothing of origin.
DECLARATION = re.compile(r"\b(?:(function|class|interface|type|enum|struct|trait|def|func|fn)\s+(?:\([^)]*\)\s*)?"
                         r"([A-Za-z_]\w{3,})|(const|let|var)\s+([A-Z]\w{3,})\s*[:=])")
# A name re-declared counts only as the same kind of thing: `class Task` in a block is not the repository's
# React component `const Task = (…)`; a component may be a function or a constant.
TYPE_KEYWORDS = frozenset({"class", "interface", "type", "enum", "struct", "trait"})


def line_key(line: str) -> str | None:
    """The comparable form of a line of code, or None for a line too generic to say where it came from
    (`}`, `return (`, a bare comment)."""
    text = line.strip()
    if not text or len(text) > MAX_KEY_CHARS or COMMENT_ONLY.match(text):
        return None
    text = BLANK.sub("{}", " ".join(text.split()))
    for marker in (" // ", " # "):  # a trailing comment: the pasted copy often drops or rewords it
        cut = text.find(marker)
        if cut >= 0:
            text = text[:cut]
    if len(text) < MIN_KEY_CHARS or sum(1 for c in text if c.isalpha()) < 4:
        return None
    return text


@dataclass(frozen=True, slots=True)
class Copy:
    """A block whose lines come from one repository file."""

    path: str  # relative to the repository root
    matched: int  # distinctive lines of the block found in the file
    of: int  # distinctive lines of the block
    first_line: int  # where the copied lines sit in the file
    last_line: int


@dataclass(frozen=True, slots=True)
class Redeclared:
    """A block that declares names the repository defines in only a few files."""

    names: tuple[str, ...]
    path: str  # the file that defines most of them, relative to the repository root


def declared_names(text: str) -> set[str]:
    """Declared names, each tagged with its kind (`type:Task`, `code:Header`)."""
    return {f"{'type' if (kw or kw2) in TYPE_KEYWORDS else 'code'}:{name or name2}"
            for kw, name, kw2, name2 in DECLARATION.findall(text)}


@dataclass(frozen=True, slots=True)
class Walk:
    """What to read: extensions per language, names always read, folders never entered, the budget."""

    extensions: dict[str, tuple[str, ...]]
    always: tuple[str, ...]  # extensions read for every block (docs pages)
    names: tuple[str, ...]  # file-name prefixes read for every block (`.env.example`)
    agent_files: re.Pattern[str]  # other agents' context files (skills, memories, backups): not sources
    skip_dirs: frozenset[str]
    max_bytes: int


def _wanted_ext(info: str, walk: Walk) -> set[str]:
    exts = set(walk.always)
    found = walk.extensions.get(info)
    if found is None:
        for values in walk.extensions.values():
            exts.update(values)
    else:
        exts.update(found)
    return exts


def _files(root: str, exts: set[str], walk: Walk, first: Iterable[str], exclude: set[str]) -> Iterable[str]:
    """Repository files to compare, the named ones first; each real file once."""
    seen: set[str] = set()
    for path in first:
        real = os.path.realpath(path)
        if real not in seen and real not in exclude and os.path.isfile(real):
            seen.add(real)
            yield real
    for directory, dirs, names in os.walk(root):
        # hidden folders hold tool and agent state (.claude/, .serena/, .ai/), not the project's sources
        dirs[:] = sorted(d for d in dirs if d not in walk.skip_dirs and not d.startswith("."))
        for name in sorted(names):
            ext = os.path.splitext(name)[1].lower()
            if (ext not in exts and not name.startswith(walk.names)) or walk.agent_files.match(name):
                continue
            full = os.path.join(directory, name)
            if os.path.islink(full):
                continue
            real = os.path.realpath(full)
            if real not in seen and real not in exclude:
                seen.add(real)
                yield real


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When shared lines make a copy: of a source file, a few lines already pin values that go stale;
    of a docs page, only a long passage (a short example shared with the docs is deliberate)."""

    min_code_lines: int
    min_doc_lines: int
    min_doc_block_lines: int
    share: float
    sure_lines: int  # this many shared lines make a copy at a lower share (a long block edited since)
    sure_share: float
    max_spread: int  # a line found in more files than this is boilerplate, not a sign of where it came from


def _densest(positions: list[int], window: int) -> tuple[int, int, int]:
    """The most matched lines within ``window`` lines of each other: (count, first, last)."""
    best = (0, 0, 0)
    j = 0
    for i, start in enumerate(positions):
        j = max(j, i)
        while j + 1 < len(positions) and positions[j + 1] - start <= window:
            j += 1
        if j - i + 1 > best[0]:
            best = (j - i + 1, start, positions[j])
    return best


def find_copies(root: str, blocks: dict[int, tuple[str, list[str], bool]], walk: Walk, named: Iterable[str],
                exclude: set[str], limits: Thresholds) -> tuple[dict[int, Copy], dict[int, Redeclared]]:
    """For each block (id -> (language, lines, may copy a docs page)), the repository file it copies; for
    the others, the names it declares that the repository defines (in at most ``max_spread`` files)."""
    keys_of: dict[int, set[str]] = {}
    names_of: dict[int, set[str]] = {}
    for block_id, (_, lines, _) in blocks.items():
        keys = {k for line in lines if (k := line_key(line)) is not None}
        if len(keys) >= min(limits.min_code_lines, limits.min_doc_lines):
            keys_of[block_id] = keys
        names = declared_names("\n".join(lines))
        if names:
            names_of[block_id] = names
    if not keys_of and not names_of:
        return {}, {}
    wanted: set[str] = set().union(*keys_of.values()) if keys_of else set()
    wanted_names: set[str] = set().union(*names_of.values()) if names_of else set()
    prefixes = {k[:PREFIX_CHARS] for k in wanted}
    exts: set[str] = set()
    for block_id in keys_of.keys() | names_of.keys():
        exts |= _wanted_ext(blocks[block_id][0], walk)
    hits: dict[str, dict[str, int]] = {}  # file -> key -> first line where it occurs
    defined: dict[str, set[str]] = {}  # name -> source files (not docs) that declare it
    budget = walk.max_bytes
    for path in _files(root, exts, walk, named, exclude):
        try:
            size = os.path.getsize(path)
            if size > MAX_FILE_BYTES or size > budget:
                continue
            with open(path, encoding="utf-8", errors="strict") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        budget -= size
        found: dict[str, int] = {}
        for number, line in enumerate(text.split("\n"), start=1):
            stripped = line.strip()
            if len(stripped) < MIN_KEY_CHARS or stripped[:PREFIX_CHARS] not in prefixes:
                continue
            key = line_key(stripped)
            if key is not None and key in wanted and key not in found:
                found[key] = number
        if found:
            hits[path] = found
        if wanted_names and os.path.splitext(path)[1].lower() not in walk.always:
            for name in declared_names(text) & wanted_names:
                defined.setdefault(name, set()).add(path)
        if budget <= 0:
            break
    spread: dict[str, int] = {}  # key -> how many files have it: boilerplate says nothing of origin
    for found in hits.values():
        for k in found:
            spread[k] = spread.get(k, 0) + 1
    copies: dict[int, Copy] = {}
    for block_id, all_keys in keys_of.items():
        _, lines, docs_ok = blocks[block_id]
        keys = {k for k in all_keys if spread.get(k, 0) <= limits.max_spread}
        body = sum(1 for line in lines if line.strip())
        window = 4 * body + 20  # a copy keeps its lines together in the file it came from
        best: tuple[int, str, int, int] | None = None
        for path, found in hits.items():
            doc = os.path.splitext(path)[1].lower() in walk.always
            if doc and (not docs_ok or body < limits.min_doc_block_lines):
                continue
            n, first, last = _densest(sorted(found[k] for k in keys if k in found), window)
            if n < (limits.min_doc_lines if doc else limits.min_code_lines) or (
                    n < limits.share * len(keys) and (n < limits.sure_lines or n < limits.sure_share * len(keys))):
                continue
            if best is None or n > best[0]:
                best = (n, path, first, last)
        if best is not None:
            n, path, first, last = best
            copies[block_id] = Copy(os.path.relpath(path, root), n, len(keys), first, last)
    redeclared: dict[int, Redeclared] = {}
    for block_id, names in names_of.items():
        if block_id in copies:
            continue
        # a name many files declare (`Props`, `Config`, `handler`) is a convention, not a sign of origin
        specific = sorted(n for n in names if 0 < len(defined.get(n, ())) <= limits.max_spread)
        if specific:
            files = [f for n in specific for f in defined[n]]
            where = max(set(files), key=lambda f: (files.count(f), f))
            redeclared[block_id] = Redeclared(tuple(n.split(":", 1)[1] for n in specific), os.path.relpath(where, root))
    return copies, redeclared
