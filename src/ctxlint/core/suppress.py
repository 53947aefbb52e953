"""Inline suppressions in Markdown instruction files (markdownlint's vocabulary, ctxlint- prefix).

    <!-- ctxlint-disable CTX108 vague-directive -->  ...  <!-- ctxlint-enable -->
    <!-- ctxlint-disable-next-line CTX105 -->
    <!-- ctxlint-disable-file CTX101 -->

No rule list means every rule. Ids and names are both accepted. A directive that suppresses
nothing is reported as CTX003 and an unknown rule as CTX004, so suppressions stay honest.
Directives inside code blocks are examples, not directives, and are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ctxlint.markdown import Document
from ctxlint.rules.registry import resolve

DIRECTIVE = re.compile(
    r"<!--\s*ctxlint-(disable-next-line|disable-file|disable|enable)\b([^>]{0,500}?)-->"
)


@dataclass(slots=True)
class Directive:
    """One ``ctxlint-disable``/``enable`` comment and the rules it suppressed."""

    line: int
    kind: str  # disable | enable | disable-next-line | disable-file
    rules: tuple[str, ...] | None  # None = all rules
    written: tuple[str, ...]  # tokens as written, for messages
    unknown: tuple[str, ...]
    used: set[str] = field(default_factory=set)  # rule ids it actually suppressed


@dataclass(slots=True)
class Suppressions:
    """The directives of one file and the line ranges they cover."""

    directives: list[Directive]
    # (rule ids or None for all, first line, last line, directive)
    ranges: list[tuple[tuple[str, ...] | None, int, int, Directive]]

    def suppresses(self, rule_id: str, line: int) -> bool:
        hit = False
        for rules, first, last, directive in self.ranges:
            if first <= line <= last and (rules is None or rule_id in rules):
                directive.used.add(rule_id)
                hit = True
        return hit


def parse_directives(doc: Document) -> Suppressions:
    directives: list[Directive] = []
    for index, text in enumerate(doc.lines, start=1):
        if "ctxlint-" not in text or doc.line_in_code(index):
            continue
        for match in DIRECTIVE.finditer(text):
            tokens = tuple(t for t in re.split(r"[\s,]+", match.group(2).strip()) if t)
            ids: list[str] = []
            unknown: list[str] = []
            for token in tokens:
                found = resolve(token)
                if found:
                    ids.extend(i for i in found if i not in ids)
                else:
                    unknown.append(token)
            rules = tuple(ids) if tokens else None
            directives.append(Directive(index, match.group(1), rules, tokens, tuple(unknown)))

    last_line = max(len(doc.lines), 1)
    ranges: list[tuple[tuple[str, ...] | None, int, int, Directive]] = []
    open_blocks: list[Directive] = []
    for d in directives:
        if d.kind == "disable-file":
            ranges.append((d.rules, 1, last_line, d))
        elif d.kind == "disable-next-line":
            ranges.append((d.rules, d.line + 1, d.line + 1, d))
        elif d.kind == "disable":
            open_blocks.append(d)
        else:  # enable: closes matching open blocks (all of them when it names no rule)
            still_open: list[Directive] = []
            for block in open_blocks:
                closes = d.rules is None or block.rules is None or set(block.rules) <= set(d.rules)
                if closes:
                    ranges.append((block.rules, block.line, d.line, block))
                else:
                    still_open.append(block)
            open_blocks = still_open
    for block in open_blocks:
        ranges.append((block.rules, block.line, last_line, block))
    return Suppressions(directives, ranges)


def unused(s: Suppressions) -> list[tuple[int, str]]:
    """(line, message) for every directive, or named rule of one, that suppressed nothing."""
    out: list[tuple[int, str]] = []
    for d in s.directives:
        if d.kind == "enable":
            continue
        if d.rules is None:
            if not d.used:
                out.append((d.line, f"`ctxlint-{d.kind}` suppressed no finding"))
            continue
        for rule_id in d.rules:
            if rule_id not in d.used:
                out.append((d.line, f"`ctxlint-{d.kind} {rule_id}` suppressed no finding"))
    return out
