"""emphasis-inflation: too many shouting lines.

Directive lines are list items and sentences outside code, and headings. A line shouts when it has
IMPORTANT/MUST/NEVER in capitals, a bold modal (`**Never**`, `**必须**`), a bold imperative clause
(`- **Use Gateway API only** - …`: a bolded rule, not a `**Label**:`, and not the format of a list
whose every item opens in bold), a capitalised phrase
(`**ABSOLUTE RED LINES**`), or alarm marks (⛔, 🚨, ⭐⭐⭐). A heading that shouts ("### ⛔ CRITICAL:")
counts as a directive that shouts. The RFC 2119 boilerplate ("The key words MUST, MUST NOT … are to be
interpreted as …") defines the words and is not emphasis.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import in_code_or_comment
from ctxlint.rules.registry import RuleContext, detector

DIRECTIVE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S|^\s*[A-Z][^|#]{10,}[.!:]\s*$")
HEADING = re.compile(r"^\s*#{1,6}\s+\S")
RFC2119 = re.compile(r"(?i)\bRFC\s*2119\b|\bkey words?\b.*\bMUST\b.*\binterpreted\b")
# A bold span that opens a list item and is a rule, not a label: it starts with a verb or a negation
BOLD_RULE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\*\*([^*]{12,})\*\*")
ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
BOLD_HEAD = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\*\*")
CAPS_PHRASE = re.compile(r"\b[A-Z]{3,}(?:\s+[A-Z]{2,})+\b")
MIN_CAPS_LETTERS = 10  # "ABSOLUTE RED LINES" shouts; "REST API" names a thing


def _bold_rule(raw: str, verbs: set[str]) -> bool:
    m = BOLD_RULE.match(raw)
    if not m:
        return False
    text = m.group(1).strip()
    after = raw[m.end():].lstrip()
    if text.endswith(":") or after.startswith(":"):
        return False  # `**Testing**: …` labels what follows
    first = re.sub(r"^[^A-Za-z]+", "", text).split(" ", 1)[0].lower()
    return first in verbs and len(text.split()) >= 3


def _uniform_heads(lines: list[str]) -> set[int]:
    """Lines whose bold head is the format of their whole list (every item of it opens in bold):
    formatting, not emphasis. A bold head on some items only makes those items stand out."""
    uniform: set[int] = set()
    items: list[int] = []

    def close() -> None:
        if len(items) >= 2 and all(BOLD_HEAD.match(lines[n - 1]) for n in items):
            uniform.update(items)
        items.clear()

    for number, raw in enumerate(lines, start=1):
        if ITEM.match(raw) and not raw[:1].isspace():
            items.append(number)
        elif raw.strip() and not raw[:1].isspace():
            close()  # a heading or a paragraph ends the list
    close()
    return uniform


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    shout = re.compile(ctx.data["shout"])
    bold = re.compile(ctx.data["bold_imperative"])
    alarm = re.compile(ctx.data["alarm"])
    verbs = set(ctx.data["rule_verbs"])
    directives: list[int] = []
    loud: list[int] = []
    uniform = _uniform_heads(file.doc.lines)
    for number, raw in enumerate(file.doc.lines, start=1):
        if in_code_or_comment(file, number) or raw.lstrip().startswith("|") or RFC2119.search(raw):
            continue
        text = raw.lstrip().lstrip(">").strip()
        heading = bool(HEADING.match(text))
        loud_line = bool(shout.search(raw) or bold.search(raw) or alarm.search(raw) or (number not in uniform and _bold_rule(text, verbs))
                         or any(len(re.sub(r"\W", "", m)) >= MIN_CAPS_LETTERS
                                for m in CAPS_PHRASE.findall(re.sub(r"`[^`]*`", " ", raw))))
        if heading:
            if loud_line:  # "### ⛔ CRITICAL: …" is a rule in a heading's clothes
                directives.append(number)
                loud.append(number)
            continue
        if not DIRECTIVE.search(text) and not (text.startswith("**") and loud_line):
            continue
        directives.append(number)
        if loud_line:
            loud.append(number)
    if len(directives) < ctx["min-directives"] or len(loud) < ctx["min-emphasised"]:
        return
    ratio = len(loud) / len(directives)
    if ratio <= ctx["max-ratio"]:
        return
    yield RawFinding(
        line=loud[0],
        message=(f"{len(loud)} of {len(directives)} directive lines ({ratio:.0%}) shout (IMPORTANT/MUST/NEVER in capitals, "
                 f"bold rules, alarm marks) (lines {', '.join(map(str, loud[:8]))}{'…' if len(loud) > 8 else ''}); "
                 "none of them stands out"),
        fix=fix("plain"),
        content_key="emphasis",
    )
