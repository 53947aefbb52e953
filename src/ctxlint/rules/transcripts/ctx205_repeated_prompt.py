"""repeated-prompt: the user re-asks the same thing, or corrects the same issue again and again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from ctxlint.model import RawFinding, fix
from ctxlint.rules.patterns import any_of
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import Prompt

# Unicode words: an ASCII-only pattern reduced a Russian prompt to its few Latin words, so two
# different questions that both mention `gemini --model` looked identical.
WORD = re.compile(r"[\w./-]+")


def trigrams(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return set(zip(words, words[1:], words[2:], strict=False))  # the word triples, built in C


def _has_words(text: str, count: int) -> bool:
    """At least ``count`` words: the scan stops at the last one needed, not at the end of the text."""
    return sum(1 for _ in islice(WORD.finditer(text), count)) >= count


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)  # |a ∪ b| without building the union


def could_reach(a: int, b: int, similarity: float) -> bool:
    """Whether two sets of sizes a and b can reach ``similarity``: Jaccard is at most min/max of the
    sizes, so most pairs are ruled out without a set intersection."""
    return a >= similarity * b and b >= similarity * a and a + b > 0


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    if not a.requests:
        return  # a prompt log without requests (Gemini logs.json) can span sessions: nothing was re-sent
    corrections = any_of(tuple(ctx.data["corrections"]), re.I)
    ignore = any_of(tuple(ctx.data.get("ignore", [])), re.I)
    prompts: dict[int, list[tuple[Item, set[tuple[str, ...]]]]] = {}
    min_words, max_chars = ctx["min-words"], ctx["max-chars"]
    for item in a.items:
        p = item.event
        if not isinstance(p, Prompt) or p.is_meta or p.command or p.is_interrupt:
            continue
        if p.chars > max_chars or p.text.startswith("[REDACTED") or not _has_words(p.text, min_words):
            continue
        if ignore.matches(p.text[:300]):
            continue  # answers to the agent's own questions ("Add file to the chat? (Y)es/(N)o ...: skip")
        prompts.setdefault(item.segment, []).append((item, trigrams(p.text[:2000])))
    similarity = ctx["similarity"]
    for segment, seq in prompts.items():
        reported: set[int] = set()
        sizes = [len(grams) for _, grams in seq]
        for j, (item, grams) in enumerate(seq):
            size = sizes[j]
            for i in range(j):
                earlier, earlier_grams = seq[i]
                if (i in reported or not could_reach(size, sizes[i], similarity)
                        or jaccard(grams, earlier_grams) < similarity):
                    continue
                reported.add(i)
                reported.add(j)
                yield _finding(a, earlier, item, f"the user asked the same thing again at line {item.line} "
                               f"(first at line {earlier.line})", f"re:{earlier.line}")
                break
        fixes = [it for it, _ in seq if corrections.matches(it.event.text[:300])]  # type: ignore[union-attr]
        if len(fixes) > ctx["max-corrections"]:
            first, last = fixes[0], fixes[-1]
            yield _finding(a, first, last, f"{len(fixes)} corrections in one segment (lines "
                           f"{', '.join(str(f.line) for f in fixes[:6])})", f"corr:{segment}")


def _finding(a: Analysis, first: Item, again: Item, what: str, key: str) -> RawFinding:
    # The failed attempt: everything that entered the context between the first ask and the re-ask,
    # carried by the requests after the re-ask.
    failed = [i for i in a.items if first.line < i.line < again.line and i.segment == again.segment]
    claims = tuple(a.claim(f"item:{i.line}:{getattr(i.event, 'call_id', '')}", i.tokens, again.r0)
                   for i in failed if i.tokens > 0 and again.r0 < len(a.requests))
    tokens = sum(c.tokens for c in claims)
    costs = [c.cost_usd for c in claims]
    return RawFinding(
        line=again.line,
        message=f"{what}; the failed attempt added {sum(i.tokens for i in failed):,} tokens that stay in context",
        fix=fix("restate", again=again.line, first=first.line),
        tokens_wasted=tokens,
        cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
        claims=claims,
        content_key=key,
    )
