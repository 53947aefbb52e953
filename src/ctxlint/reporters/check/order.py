"""The order findings are shown in, and which of them the text report folds into one line.

Importance is the default: errors first, then by tokens wasted, so the one error of a run is the
first line printed instead of line 118 of 125. ``tokens`` puts the biggest waste first whatever
its severity; ``file`` is the old path-and-line order. Tokens are what each finding reports:
per request for an instruction file, per session for a transcript. Every order ends with path,
line, rule and message, so it is total and the output deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ctxlint.model import Finding

SORTS = ("severity", "tokens", "file")
GROUP_MIN = 3  # this many findings of one rule in one file fold into one line of the text report


def _place(f: Finding) -> tuple[str, int, int, str, str]:
    return (f.path, f.line, f.column or 0, f.rule_id, f.message)


def by_importance(f: Finding) -> tuple[Any, ...]:
    return (-int(f.severity), -f.tokens_wasted, *_place(f))


def by_tokens(f: Finding) -> tuple[Any, ...]:
    return (-f.tokens_wasted, -int(f.severity), *_place(f))


def by_file(f: Finding) -> tuple[Any, ...]:
    return _place(f)


KEYS: dict[str, Callable[[Finding], tuple[Any, ...]]] = {
    "severity": by_importance, "tokens": by_tokens, "file": by_file,
}


def ordered(findings: Iterable[Finding], sort: str = "severity") -> list[Finding]:
    return sorted(findings, key=KEYS[sort])


@dataclass(frozen=True, slots=True)
class Group:
    """Findings of one rule in one file shown together; a group of one is a single finding."""

    findings: tuple[Finding, ...]  # in the order of the report

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def tokens_wasted(self) -> int:
        return sum(f.tokens_wasted for f in self.findings)

    @property
    def lines(self) -> tuple[int, int]:
        return min(f.line for f in self.findings), max(f.end_line for f in self.findings)

    def sort_key(self, sort: str) -> tuple[Any, ...]:
        head = self.first
        if sort == "file":
            return (head.path, self.lines[0], head.rule_id)
        severity = max(int(f.severity) for f in self.findings)
        if sort == "tokens":
            return (-self.tokens_wasted, -severity, head.path, self.lines[0], head.rule_id)
        return (-severity, -self.tokens_wasted, head.path, self.lines[0], head.rule_id)


def grouped(findings: Iterable[Finding], sort: str = "severity", *, group: bool = True) -> list[Group]:
    """The findings as the text report lists them: with ``group``, every ``GROUP_MIN`` or more of one
    rule in one file become one group (placed by its most severe member and its total tokens)."""
    items = ordered(findings, sort)
    if not group:
        return [Group((f,)) for f in items]
    by_key: dict[tuple[str, str], list[Finding]] = {}
    for f in items:
        by_key.setdefault((f.path, f.rule_id), []).append(f)
    groups: list[Group] = []
    for members in by_key.values():
        if len(members) >= GROUP_MIN:
            groups.append(Group(tuple(members)))
        else:
            groups.extend(Group((f,)) for f in members)
    return sorted(groups, key=lambda g: g.sort_key(sort))


# GitHub's documented limits (actions/toolkit docs/problem-matchers.md): 10 error, 10 warning and 10
# notice annotations per step, 50 per job. More are dropped without a word.
PER_LEVEL = 10
CAP_NOTE = "GitHub shows at most 10 error, 10 warning and 10 notice annotations per step"


def annotated(findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
    """The findings GitHub will show as annotations (the ``PER_LEVEL`` most important of each
    severity) and the rest, both by importance."""
    shown: list[Finding] = []
    rest: list[Finding] = []
    per_level: dict[int, int] = {}
    for f in ordered(findings):
        level = int(f.severity)
        if per_level.get(level, 0) < PER_LEVEL:
            per_level[level] = per_level.get(level, 0) + 1
            shown.append(f)
        else:
            rest.append(f)
    return shown, rest
