"""Reading shell commands the way the transcript rules need: what a command reads, whether a
search is bounded, whether it dumps a repository. Pure functions, no I/O; patterns come from YAML."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

READERS = frozenset(("cat", "bat", "batcat", "less", "more", "nl", "head", "tail", "sed"))
REDIRECT = re.compile(r"(?<![0-9&])>>?\s*([^\s|;&]+)")
SED_RANGE = re.compile(r"^(\d+)(?:,(\d+|\$))?p$")
PIPE_SPLIT = re.compile(r"\s*(?:\|\||&&|;|\|)\s*")


@dataclass(frozen=True, slots=True)
class FileRead:
    """A file range a shell command prints into the context."""

    path: str
    first: int  # 1-based first line, 1 for whole files
    last: int | None  # None = to the end


def segments(command: str) -> list[str]:
    return [s for s in PIPE_SPLIT.split(command.strip()) if s]


@lru_cache(maxsize=4096)
def _words(part: str) -> tuple[str, ...]:
    if not any(c in part for c in "'\"\\"):
        return tuple(part.split())  # nothing to unquote: shlex would give the same, 20× slower
    try:
        return tuple(shlex.split(part, posix=True))
    except ValueError:
        return tuple(part.split())


def words(part: str) -> list[str]:
    return list(_words(part))


def file_reads(command: str) -> list[FileRead]:
    """Files a shell command prints into the context: cat/head/tail/sed -n/nl/bat/less of one file."""
    first_word = command.split(None, 1)[0] if command.strip() else ""
    if not any(c in first_word for c in "|&;'\"\\") and first_word.rsplit("/", 1)[-1] not in READERS:
        return []  # most commands are not a file print: decided without splitting the pipeline
    parts = segments(command)
    if not parts:
        return []
    w = words(parts[0])
    reads: list[FileRead] = []
    if not w:
        return reads
    tool = w[0].rsplit("/", 1)[-1]
    args = [a for a in w[1:] if not a.startswith("-")]
    last_line: int | None = None
    first_line = 1
    if tool in ("cat", "bat", "batcat", "less", "more", "nl"):
        targets = args
    elif tool in ("head", "tail"):
        n = 10
        for i, a in enumerate(w[1:], start=1):
            if a in ("-n", "--lines") and i + 1 < len(w) and w[i + 1].lstrip("+-").isdigit():
                n = int(w[i + 1].lstrip("+-"))
            elif a.startswith("-n") and a[2:].lstrip("+-").isdigit():
                n = int(a[2:].lstrip("+-"))
            elif a.startswith("-") and a[1:].isdigit():
                n = int(a[1:])
        targets = [a for a in args if not a.lstrip("+-").isdigit()]
        if tool == "head":
            last_line = n
        else:
            first_line, last_line = -n, None
    elif tool == "sed" and "-n" in w:
        script = next((a for a in w[1:] if SED_RANGE.match(a.strip("'\""))), None)
        if script is None:
            return reads
        m = SED_RANGE.match(script.strip("'\""))
        assert m is not None
        first_line = int(m.group(1))
        last_line = None if m.group(2) == "$" else int(m.group(2) or m.group(1))
        targets = [a for a in args if a != script and not SED_RANGE.match(a.strip("'\""))]
    else:
        return reads
    # `nl -ba f | sed -n '300,350p'` or `cat f | head -50`: the pipe narrows what is printed.
    if len(parts) > 1 and tool in ("cat", "nl", "bat"):
        narrowed = _pipe_range(parts[1])
        if narrowed is not None:
            first_line, last_line = narrowed
    for t in targets:
        if any(ch in t for ch in "*?$<>") or t in (".", ".."):
            continue
        reads.append(FileRead(t, first_line, last_line))
    if len(reads) > 1:
        return []  # several files at once: a dump, not a read (repo-dump handles it)
    return reads


def _pipe_range(part: str) -> tuple[int, int | None] | None:
    w = words(part)
    if not w:
        return None
    if w[0] == "sed" and "-n" in w:
        for a in w[1:]:
            m = SED_RANGE.match(a.strip("'\""))
            if m:
                return int(m.group(1)), None if m.group(2) == "$" else int(m.group(2) or m.group(1))
    if w[0] == "head":
        for i, a in enumerate(w[1:], start=1):
            if a == "-n" and i + 1 < len(w) and w[i + 1].isdigit():
                return 1, int(w[i + 1])
            if a.startswith("-") and a[1:].isdigit():
                return 1, int(a[1:])
    return None


def is_edit_command(command: str) -> list[str]:
    """Paths a shell command modifies in place (sed -i, perl -pi, redirections, tee, mv/cp onto)."""
    out: list[str] = []
    if not ("sed" in command or "perl" in command or "tee" in command):
        return [m.group(1) for m in REDIRECT.finditer(command)] if ">" in command else out
    for part in segments(command):
        w = words(part)
        if not w:
            continue
        tool = w[0].rsplit("/", 1)[-1]
        if (tool == "sed" and any(a.startswith("-i") for a in w[1:])) or (tool == "perl" and any("i" in a for a in w[1:] if a.startswith("-"))):
            out.extend(a for a in w[1:] if (not a.startswith("-") and "/" in a) or a.endswith((".py", ".ts", ".js", ".md", ".go", ".rs", ".json")))
        elif tool == "tee":
            out.extend(a for a in w[1:] if not a.startswith("-"))
    out.extend(m.group(1) for m in REDIRECT.finditer(command))
    return out


@dataclass(frozen=True, slots=True)
class AnyOf:
    """A YAML list of patterns, each searched only when the text holds one of its literal heads.

    The rules test every command (or prompt) of every transcript against these lists. One regex
    alternation tries every alternative at every position of the text (~5 µs for a 135-character
    command); a substring test of each pattern's heads rules out nearly all of them in a fraction of
    that, and the pattern itself is searched only when a head is present.
    """

    gated: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]  # (heads, pattern)
    always: re.Pattern[str] | None  # the patterns without heads, as one alternation
    fold: bool  # case-insensitive: heads are lower-case, texts are lowered (ASCII texts only)

    def matches(self, text: str) -> bool:
        """Whether any pattern of the list matches somewhere in ``text`` (``re.search``)."""
        if self.always is not None and self.always.search(text):
            return True
        probe = text
        if self.fold:
            if not text.isascii():  # re.IGNORECASE folds "ſ" to "s" and "K" to "k": str.lower() does not
                return any(pattern.search(text) for _, pattern in self.gated)
            probe = text.lower()
        for heads, pattern in self.gated:
            for head in heads:
                if head in probe:
                    if pattern.search(text):
                        return True
                    break
        return False


@lru_cache(maxsize=64)
def any_of(patterns: tuple[str, ...], flags: int = 0) -> AnyOf:
    """The patterns of a YAML list (an empty list never matches), gated by their literal heads."""
    gated: list[tuple[tuple[str, ...], re.Pattern[str]]] = []
    rest: list[str] = []
    for pattern in patterns:
        heads = literal_heads(pattern, flags)
        if heads is None:
            rest.append(pattern)
        else:
            gated.append((heads, re.compile(pattern, flags)))
    always = re.compile("|".join(f"(?:{p})" for p in rest), flags) if rest else None
    return AnyOf(tuple(gated), always, bool(flags & re.IGNORECASE))


def literal_heads(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Strings of which every match of ``pattern`` contains at least one, lower-cased when the pattern
    ignores case; None when the pattern has no such set (or ignores case and a head is not ASCII).

    Read from the parsed pattern: a run of literals, or a group, an alternation or a repeat (at least
    once) whose every branch has heads; zero-width items (``\\b``, ``^``, lookarounds) and optional
    ones are passed over, and of the items a match must cross the one with the longest heads is kept.
    """
    try:
        tree = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
    except (re.error, RecursionError, AttributeError, TypeError):
        return None
    heads = _sequence_heads(list(tree))
    if not heads or "" in heads:
        return None
    if tree.state.flags & re.IGNORECASE:
        if not all(h.isascii() for h in heads):
            return None
        heads = {h.lower() for h in heads}
    return tuple(sorted(heads))


def _sequence_heads(items: list[tuple[Any, Any]]) -> set[str] | None:
    c = re._constants  # type: ignore[attr-defined]
    best: set[str] | None = None
    for i, (op, av) in enumerate(items):
        candidate: set[str] | None = None
        if op is c.LITERAL:
            if i and items[i - 1][0] is c.LITERAL:
                continue  # inside a run already taken whole
            run = []
            for op2, av2 in items[i:]:
                if op2 is not c.LITERAL:
                    break
                run.append(chr(av2))
            candidate = {"".join(run)}
        elif op is c.SUBPATTERN:
            _, add_flags, del_flags, sub = av
            candidate = None if add_flags or del_flags else _sequence_heads(list(sub))
        elif op is c.BRANCH:
            candidate = set()
            for branch in av[1]:
                heads = _sequence_heads(list(branch))
                if heads is None:
                    candidate = None
                    break
                candidate |= heads
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            candidate = _sequence_heads(list(av[2]))
        elif op is c.ATOMIC_GROUP:
            candidate = _sequence_heads(list(av))
        if candidate and (best is None or _better(candidate, best)):
            best = candidate
    return best


def _better(a: set[str], b: set[str]) -> bool:
    """Longer shortest head first (fewer texts hold it), then fewer heads."""
    return (min(map(len, a)), -len(a)) > (min(map(len, b)), -len(b))
