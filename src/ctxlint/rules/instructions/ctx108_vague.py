"""vague-directive: directives with nothing checkable.

A directive is vague when the whole of it is a listed platitude ("write clean code"), or when it names
nothing the agent could check — no code span, path, number, URL, quoted text or named tool — and what
it asks for is a generic quality ("proper access controls", "a clear and logical structure",
"follow AWS best practices") with at most a couple of specific words around it. Each sentence of a line
is judged (a sentence listing imperatives, clause by clause); consecutive vague directives of one
section are one finding (a section of platitudes).
Asking for a way of reporting ("be concise") is not vague: the agent does not do it unasked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.measure.secrets import clip
from ctxlint.measure.tokens import count_text
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import in_code_or_comment, normalise
from ctxlint.rules.registry import RuleContext, detector

ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
LABEL = re.compile(r"^\s*\*\*[^*]{1,40}\*\*\s*[:\-–—]\s*|^\s*[A-Z][\w /&-]{1,30}:\s+")
EMPHASIS_PREFIX = re.compile(r"(?i)^(?:important|critical|note|always|please)\s*[:!,]?\s+")
# Something the agent can check or look up: code, a path, a number, a link, quoted text
ANCHOR = re.compile(r"`|(?<![A-Za-z])\d+(?![A-Za-z])|https?://|\w/\w|\b\w+\.[a-z]{1,5}\b|\"[^\"]+\"|'[^']+'|“|”|\(")
LEADING_MARK = re.compile(r"^[^\w*`\"'(\[]+")  # ✅, →, emoji before the words
COUNTER_EXAMPLE = re.compile(r"^(?:❌|🚫|⛔|✗|✘|\*\*(?:bad|don'?t|avoid)\b)", re.I)
MODAL = re.compile(r"(?i)\b(?:should|must|shall|needs? to)\b")
SENTENCE = re.compile(r"(?<=[.!?;])\s+")
CLAUSE = re.compile(r",\s+(?:and\s+)?")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _sentences(raw: str) -> list[str]:
    text = ITEM.sub("", raw.strip())
    text = re.sub(r"[*_~]+", "", text)
    return [s for s in SENTENCE.split(text) if s.strip()]


def _clauses(sentence: str, verbs: set[str]) -> list[str]:
    """A sentence that lists imperatives ("Match existing patterns, ensure proper testing, discuss
    abstractions in issues") is judged clause by clause: one vague order among specific ones is still
    vague. Any other sentence is judged whole."""
    parts = CLAUSE.split(sentence)
    if len(parts) < 2:
        return [sentence]
    firsts = [WORD.findall(EMPHASIS_PREFIX.sub("", LABEL.sub("", LEADING_MARK.sub("", part.strip())))) for part in parts]
    if all(words and words[0].lower() in verbs for words in firsts):
        return parts
    return [sentence]


def _vague(sentence: str, verbs: set[str], strong: re.Pattern[str], weak: set[str], generic: set[str]) -> bool:
    text = EMPHASIS_PREFIX.sub("", LABEL.sub("", LEADING_MARK.sub("", sentence.strip())))
    words = WORD.findall(text)
    if not 2 <= len(words) <= 16:
        return False
    if words[0].lower() not in verbs and not MODAL.search(text):
        return False  # a description ("the project has a comprehensive test suite"), not a directive
    lowered = [w.lower() for w in words]
    vague_words = [w for w in lowered if w in weak]
    has_strong = bool(strong.search(text))
    if not vague_words and not has_strong:
        return False
    # named things (a capitalised word past the first) count as specific: "Use Prettier for formatting"
    specific = [w for i, w in enumerate(words)
                if w.lower() not in weak and w.lower() not in generic and len(w) > 2
                and (i > 0 or w.lower() not in generic)]
    named = [w for i, w in enumerate(words) if i > 0 and w[0].isupper() and w.lower() not in weak]
    allowed = 2 + max(0, len(vague_words) - 1) + (2 if has_strong else 0)
    return len(specific) <= allowed and (has_strong or not named)


def _standalone(lines: list[str], number: int) -> bool:
    """A one-line paragraph: blank (or nothing) before and after."""
    before = lines[number - 2].strip() if number > 1 else ""
    after = lines[number].strip() if number < len(lines) else ""
    return not before and not after


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    phrases = {normalise(p) for p in ctx.data["phrases"]}
    strong = re.compile(ctx.data["vague_phrases"])
    weak = set(ctx.data["vague_words"])
    verbs = set(ctx.data["directive_verbs"])
    generic = set(ctx.data["generic_words"])
    hits: list[tuple[int, str]] = []
    doc = file.doc
    for number, raw in enumerate(doc.lines, start=1):
        stripped = raw.strip()
        if (not stripped or stripped.startswith(("#", "|", ">", "<")) or in_code_or_comment(file, number)
                or number <= doc.front_matter_end_line):
            continue
        norm = normalise(raw)
        core = norm.removeprefix("always ").removeprefix("please ").removesuffix(" at all times").strip()
        if core in phrases:
            hits.append((number, stripped))
            continue
        body = ITEM.sub("", raw).lstrip()
        if ANCHOR.search(body) or stripped.endswith(":") or COUNTER_EXAMPLE.match(body):
            continue  # it names something to check, leads in to what follows, or shows what not to do
        if not ITEM.match(raw) and not _standalone(doc.lines, number):
            continue  # a wrapped line of a paragraph is not a directive of its own
        sentences = _sentences(raw)
        clauses = [c for s in sentences for c in _clauses(s, verbs)]
        if clauses and any(_vague(c, verbs, strong, weak, generic) for c in clauses):
            hits.append((number, stripped))
    runs: list[list[tuple[int, str]]] = []
    for number, text in hits:
        same_section = runs and doc.section_at(runs[-1][-1][0]) == doc.section_at(number)
        if runs and same_section and number - runs[-1][-1][0] <= 2:
            runs[-1].append((number, text))
        else:
            runs.append([(number, text)])
    for run in runs:
        first, last = run[0][0], run[-1][0]
        quoted = clip(run[0][1], 60)
        if len(run) == 1:
            message = f"vague directive \"{quoted}\": nothing the agent can check or does not already do"
            how = fix("checkable", line=first)
        else:
            message = (f"{len(run)} vague directives in lines {first}-{last} (\"{quoted}\" …): nothing the agent can "
                       "check or does not already do")
            how = fix("platitudes", first=first, last=last)
        yield RawFinding(
            line=first,
            end_line=last,
            message=message,
            fix=how,
            tokens_wasted=sum(count_text(doc.lines[n - 1]) for n, _ in run) if file.always_loaded_by else 0,
            content_key="vague:" + "|".join(normalise(t) for _, t in run),
        )
