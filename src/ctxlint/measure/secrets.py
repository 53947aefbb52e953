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


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A secret pattern with the literals one of which every match contains."""

    kind: str
    regex: re.Pattern[str]
    group: int
    report: bool  # False: masked in every output, but not a CTX112 finding (see rules/secrets.yaml)
    hints: tuple[str, ...]  # empty: always run
    folded: bool  # a (?i) pattern: its hints are tested against the lower-cased text


@lru_cache(maxsize=1)
def _patterns() -> tuple[list[_Pattern], list[re.Pattern[str]]]:
    data = shared_data("secrets")
    patterns = []
    for p in data["patterns"]:
        regex = re.compile(p["regex"])
        patterns.append(_Pattern(p["kind"], regex, int(p.get("group", 0)), bool(p.get("report", True)),
                                 tuple(p.get("hints") or ()), bool(regex.flags & re.IGNORECASE)))
    placeholders = [re.compile(p) for p in data.get("placeholders", [])]
    return patterns, placeholders


def _is_placeholder(value: str, placeholders: list[re.Pattern[str]]) -> bool:
    if len(set(value)) <= 2:
        return True
    return any(p.search(value) for p in placeholders)


def _fold(text: str) -> str:
    # (?i) also matches U+017F (long s) for "s" (and U+0130/U+0131 for "i", in no hint); lower()
    # leaves it as it is.
    return text.lower().replace("\u017f", "s")


def find_secrets(text: str, use_hints: bool = True, *, reported: bool = False) -> list[SecretMatch]:
    """The secrets in ``text``, in order. ``use_hints=False`` runs every pattern (for tests);
    ``reported=True`` only the patterns a CTX112 finding is made of."""
    if not text:
        return []
    patterns, placeholders = _patterns()
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
            if value is None or _is_placeholder(value, placeholders):
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
