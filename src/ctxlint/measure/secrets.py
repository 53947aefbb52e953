"""Find and mask secrets, so no report ever echoes one (patterns in rules/secrets.yaml).

``mask`` keeps at most four leading characters and names the kind: ``sk-a…[masked openai-api-key]``.
Placeholders (`xxxx`, `<your-key>`, `${VAR}`, `sk-test-key`) are neither reported nor masked.

A text is masked *before* it is cut: a key cut in half no longer matches its pattern, and its
first half would be printed. ``clip`` is how a rule quotes a piece of a file or a transcript.
Patterns whose shape has an end (a private key's END line, a JWT's third part, a quoted value) also
match a secret that a reader already cut at the end of the text it kept.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ctxlint.rules.registry import shared_data


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """Where a secret sits in a text, and its kind."""

    start: int
    end: int
    kind: str


@dataclass(slots=True)
class _Pattern:
    """A secret pattern with the literals one of which every match contains. It is compiled the first
    time a text holds one of them: most texts hold none, and compiling every pattern on every run
    cost more than the searches."""

    kind: str
    source: str
    group: int
    report: bool  # False: masked in every output, but not a CTX112 finding (see rules/secrets.yaml)
    hints: tuple[str, ...]  # empty: always run
    folded: bool  # a (?i) pattern: its hints are tested against the lower-cased text
    _regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.source)
        return self._regex


LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


@lru_cache(maxsize=1)
def _patterns() -> tuple[list[_Pattern], list[str], tuple[frozenset[str], list[str]]]:
    data = shared_data("secrets")
    patterns = []
    for p in data["patterns"]:
        flags = LEADING_FLAGS.match(p["regex"])  # where Python allows global flags: at the start
        patterns.append(_Pattern(p["kind"], p["regex"], int(p.get("group", 0)), bool(p.get("report", True)),
                                 tuple(p.get("hints") or ()), flags is not None and "i" in flags.group(1)))
    generic = data.get("generic") or {}
    plain = (frozenset(generic.get("kinds", ())), [str(p) for p in generic.get("not_secret", ())])
    return patterns, [str(p) for p in data.get("placeholders", [])], plain


def _is_placeholder(value: str, placeholders: list[str]) -> bool:
    if len(set(value)) <= 2:
        return True
    return any(re.search(p, value) for p in placeholders)  # re's own cache compiles each once


def _is_plain(kind: str, value: str, plain: tuple[frozenset[str], list[str]]) -> bool:
    """A field-name match (`password: "optional"`) whose value is words, not a credential."""
    kinds, shapes = plain
    return kind in kinds and any(re.match(p, value) for p in shapes)


def _fold(text: str) -> str:
    # (?i) also matches U+017F (long s) for "s" (and U+0130/U+0131 for "i", in no hint); lower()
    # leaves it as it is.
    return text.lower().replace("\u017f", "s")


def find_secrets(text: str, use_hints: bool = True, *, reported: bool = False) -> list[SecretMatch]:
    """The secrets in ``text``, in order. ``use_hints=False`` runs every pattern (for tests);
    ``reported=True`` only the patterns a CTX112 finding is made of."""
    if not text:
        return []
    patterns, placeholders, plain = _patterns()
    found: list[SecretMatch] = []
    starts: list[int] = []  # sorted starts of ``found`` (kept in step) for O(log n) overlap checks
    lowered: str | None = None
    for pattern in patterns:
        if reported and not pattern.report:
            continue
        if use_hints and pattern.hints:
            if pattern.folded:
                lowered = _fold(text) if lowered is None else lowered
                if not any(h in lowered for h in pattern.hints):
                    continue
            elif not any(h in text for h in pattern.hints):
                continue
        group = pattern.group
        for m in pattern.regex.finditer(text):
            value = m.group(group)
            if value is None or _is_placeholder(value, placeholders) or _is_plain(pattern.kind, value, plain):
                continue
            start, end = m.span(group)
            i = bisect.bisect_right(starts, start)
            if (i and found[i - 1].end > start) or (i < len(found) and found[i].start < end):
                continue  # already covered by a more specific pattern
            starts.insert(i, start)
            found.insert(i, SecretMatch(start, end, pattern.kind))
    return found


def mask(text: str) -> str:
    """``text`` with every secret replaced by its first four characters (none for short ones and
    private keys) and its kind."""
    matches = find_secrets(text)
    if not matches:
        return text
    out: list[str] = []
    last = 0
    for m in matches:
        value = text[m.start : m.end]
        keep = 4 if len(value) >= 16 and not value.startswith("-----") else 0
        out.append(text[last : m.start])
        out.append(f"{value[:keep]}…[masked {m.kind}]")
        last = m.end
    out.append(text[last:])
    return "".join(out)


_MASKED = re.compile(r"…\[masked [a-z0-9-]{1,40}\]")


def clip(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text`` as a report may quote them: masked first, then cut
    (never inside a mask, which is kept whole)."""
    masked = mask(text)
    if len(masked) <= limit:
        return masked
    cut = limit
    for m in _MASKED.finditer(masked, max(0, limit - 60), limit + 60):
        if m.start() < limit < m.end():
            cut = m.end()
    return masked[:cut]
