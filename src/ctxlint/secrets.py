"""Find and mask secrets, so no report ever echoes one (patterns in rules/secrets.yaml).

``mask`` keeps at most four leading characters and names the kind: ``sk-a…[masked openai-api-key]``.
Placeholders (`xxxx`, `<your-key>`, `${VAR}`, `sk-test-key`) are neither reported nor masked.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ctxlint.registry import shared_data


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """Where a secret sits in a text, and its kind."""

    start: int
    end: int
    kind: str


@lru_cache(maxsize=1)
def _patterns() -> tuple[list[tuple[str, re.Pattern[str], int]], list[re.Pattern[str]]]:
    data = shared_data("secrets")
    patterns = [(p["kind"], re.compile(p["regex"]), int(p.get("group", 0))) for p in data["patterns"]]
    placeholders = [re.compile(p) for p in data.get("placeholders", [])]
    return patterns, placeholders


def _is_placeholder(value: str, placeholders: list[re.Pattern[str]]) -> bool:
    if len(set(value)) <= 2:
        return True
    return any(p.search(value) for p in placeholders)


# Cheap pre-check: most text has none of these, and then no regex runs at all.
_HINTS = ("-----BEGIN", "sk-", "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
          "github_pat_", "glpat-", "xox", "hooks.slack", "AIza", "_live_", "eyJ", "://", "ecret", "assw",
          "pwd", "PWD", "key", "KEY", "Key", "oken", "OKEN")


def find_secrets(text: str) -> list[SecretMatch]:
    if not text or not any(h in text for h in _HINTS):
        return []
    patterns, placeholders = _patterns()
    found: list[SecretMatch] = []
    starts: list[int] = []  # sorted starts of ``found`` (kept in step) for O(log n) overlap checks
    for kind, regex, group in patterns:
        for m in regex.finditer(text):
            value = m.group(group)
            if value is None or _is_placeholder(value, placeholders):
                continue
            start, end = m.span(group)
            i = bisect.bisect_right(starts, start)
            if (i and found[i - 1].end > start) or (i < len(found) and found[i].start < end):
                continue  # already covered by a more specific pattern
            starts.insert(i, start)
            found.insert(i, SecretMatch(start, end, kind))
    return found


def mask(text: str) -> str:
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
