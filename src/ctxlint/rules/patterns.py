"""Lists of patterns (from the rules' YAML) tested against every command or prompt of a transcript,
each pattern searched only when the text holds one of its literal heads.

One regex alternation tries every alternative at every position of the text; a substring test of
each pattern's heads rules out nearly all of them for a fraction of that, and the pattern itself is
searched only when a head is present (benchmarks/pattern_lists.py measures it).

The heads come from ``literal_heads``, a small reader of the regular-expression syntax the YAML data
uses (literals and escapes, groups, alternations, character classes, repeats, anchors and
lookarounds). Anything it does not know — back-references, verbose patterns, scoped flags — means
"no heads": that pattern is always searched. A wrong head could only hide a match, so
tests/test_pattern_lists.py checks, on generated texts, that a gated list matches exactly what the
plain alternation matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class AnyOf:
    """A YAML list of patterns, each searched only when the text holds one of its literal heads."""

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
    ignores case; None when there is no such set, or the pattern uses syntax this reader does not know.

    A run of literals, or a group, an alternation or a repeat (at least once) whose every branch has
    heads, gives heads; zero-width items (``\\b``, ``^``, lookarounds) and optional ones are passed
    over, and of the items a match must cross, the one with the longest shortest head is kept."""
    try:
        reader = _Reader(pattern, bool(flags & re.IGNORECASE))
        heads = reader.alternation()
        if reader.i != len(pattern):
            return None  # an unbalanced ")"
    except _Unknown:
        return None
    if not heads or "" in heads:
        return None
    if reader.ignore_case:
        if not all(h.isascii() for h in heads):
            return None
        heads = {h.lower() for h in heads}
    return tuple(sorted(heads))


class _Unknown(Exception):
    """Syntax the reader does not handle: the pattern gets no heads."""


Heads = set[str] | None
ZERO_WIDTH_ESCAPES = "bBAZ"
CLASS_ESCAPES = "dDsSwW"
CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}


class _Reader:
    """A recursive-descent reader of one pattern that computes heads as it goes."""

    def __init__(self, pattern: str, ignore_case: bool) -> None:
        self.p = pattern
        self.i = 0
        self.ignore_case = ignore_case
        if pattern.startswith("(?"):
            end = pattern.find(")")
            letters = pattern[2:end] if end > 2 else ""
            if letters and all(c in "aiLmsux" for c in letters):  # global flags at the start
                if "x" in letters or "L" in letters:
                    raise _Unknown
                self.ignore_case = self.ignore_case or "i" in letters
                self.i = end + 1

    def peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def alternation(self) -> Heads:
        """Branches up to the end or an unmatched ")": the union of their heads (None if one has none)."""
        union: Heads = set()
        while True:
            heads = self.sequence()
            union = None if union is None or heads is None else union | heads
            if self.peek() != "|":
                return union
            self.i += 1

    def sequence(self) -> Heads:
        best: Heads = None
        run: list[str] = []  # consecutive single literals, each exactly once

        def close_run() -> None:
            nonlocal best
            if run:
                best = _best(best, {"".join(run)})
                run.clear()

        while self.peek() not in ("", "|", ")"):
            literal, heads = self.atom()
            low, high = self.repeat()
            if literal is not None and (low, high) == (1, 1):
                run.append(literal)
                continue
            close_run()
            if literal is not None:
                heads = {literal}
            if low >= 1:
                best = _best(best, heads)
        close_run()
        return best

    def atom(self) -> tuple[str | None, Heads]:
        """(the literal character, None) or (None, the heads of a group or of nothing)."""
        c = self.peek()
        self.i += 1
        if c == "(":
            return None, self.group()
        if c == "[":
            self.char_class()
            return None, None
        if c == "\\":
            return self.escape()
        if c in ".^$":
            return None, None
        if c in "*+?{":
            raise _Unknown  # a repeat of nothing
        if self.ignore_case and not c.isascii():
            raise _Unknown
        return c, None

    def group(self) -> Heads:
        zero_width = False
        if self.p.startswith("?", self.i):
            if self.p.startswith("?:", self.i):
                self.i += 2
            elif self.p.startswith("?P<", self.i):
                end = self.p.find(">", self.i)
                if end < 0:
                    raise _Unknown
                self.i = end + 1
            elif self.p.startswith(("?=", "?!"), self.i):
                self.i += 2
                zero_width = True
            elif self.p.startswith(("?<=", "?<!"), self.i):
                self.i += 3
                zero_width = True
            else:
                raise _Unknown  # scoped flags, conditionals, comments, atomic groups
        heads = self.alternation()
        if self.peek() != ")":
            raise _Unknown
        self.i += 1
        return None if zero_width else heads

    def escape(self) -> tuple[str | None, Heads]:
        c = self.peek()
        self.i += 1
        if not c or c.isdigit() or c in "xuUNgkpP":
            raise _Unknown  # back-references, code points, named characters
        if c in ZERO_WIDTH_ESCAPES or c in CLASS_ESCAPES:
            return None, None
        if c in CONTROL_ESCAPES:
            return CONTROL_ESCAPES[c], None
        if c.isalnum():
            raise _Unknown
        return c, None  # an escaped punctuation character stands for itself

    def char_class(self) -> None:
        if self.peek() == "^":
            self.i += 1
        if self.peek() == "]":
            self.i += 1  # a "]" first is a member
        while self.peek() not in ("", "]"):
            self.i += 2 if self.peek() == "\\" else 1
        if self.peek() != "]":
            raise _Unknown
        self.i += 1

    def repeat(self) -> tuple[int, int | None]:
        """(least, most) times the item just read must occur: (1, 1) without a repeat."""
        c = self.peek()
        if c in ("?", "*", "+"):
            self.i += 1
            bounds: tuple[int, int | None] = {"?": (0, 1), "*": (0, None), "+": (1, None)}[c]
        elif c == "{":
            end = self.p.find("}", self.i)
            body = self.p[self.i + 1 : end] if end > 0 else ""
            low, comma, high = body.partition(",")
            if not (low.isdigit() or (comma and not low)) or (high and not high.isdigit()):
                return 1, 1  # not a repeat: the "{" is read next as an atom, which gives up
            self.i = end + 1
            bounds = (int(low or 0), int(high) if high else (None if comma else int(low)))
        else:
            return 1, 1
        if self.peek() in ("?", "+"):
            self.i += 1  # lazy or possessive: the same bounds
        return bounds


def _best(a: Heads, b: Heads) -> Heads:
    """Of two candidate head sets, the one with the longer shortest head (fewer texts hold it), then
    the one with fewer heads."""
    if not b:
        return a
    if not a:
        return b
    return b if (min(map(len, b)), -len(b)) > (min(map(len, a)), -len(a)) else a
