"""repeated-prompt: the user re-asks the same thing, or reports the same issue again and again.

The human prompts of a segment are read as they were typed: system-injected wrappers (IDE notices,
command and caveat rows, a CLI's steering template) are stripped or the user's words taken out of
them. Prompts then form *issues*: a prompt joins the issue of the prompt just before it (a few
prompts apart at most) when it asks the same thing again (near-identical, or containing the earlier
ask), re-reports the same failure, or corrects the same issue ("still failing", "that's wrong", with
words in common). A re-ask written after a rewind is not one (its parent lies before the first ask:
the abandoned attempt left the context), nor is a re-send after a reply that reached no model (an
API or connection error, a usage limit). An ask about the next numbered item (UC-20 after UC-19) is
a new ask.

The waste is measured: what the attempts that had to be repeated cost, every request of their turns.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.patterns import AnyOf, any_of
from ctxlint.rules.registry import RuleContext, detector
from ctxlint.rules.transcripts.prompts import (
    containment,
    has_words,
    next_item,
    numbers,
    same_ask,
    stopwords,
    trigrams,
    typed_text,
)
from ctxlint.transcripts.analysis import Analysis, Item
from ctxlint.transcripts.events import Prompt, ToolResult, parse_timestamp

CONTENT_WORD = re.compile(r"[^\W\d_][\w-]+")
# A prompt delivered this soon after the agent's last output was typed while the agent worked (queued):
# nobody reads an answer and writes a sentence in two seconds, so it cannot react to the attempt.
QUEUED_SECONDS = 2.0


@dataclass(slots=True)
class _Ask:
    item: Item
    index: int  # position among the segment's substantive prompts
    turn: int  # position among all the human prompts (short answers included)
    text: str
    grams: set[tuple[str, ...]]
    words: set[str]
    numbers: frozenset[str]

    @property
    def prompt(self) -> Prompt:
        assert isinstance(self.item.event, Prompt)
        return self.item.event


@dataclass(slots=True)
class _Issue:
    asks: list[_Ask]
    repeated: bool = False  # some ask in it is the same ask again (not only a correction)
    words: set[str] = field(default_factory=set)


@lru_cache(maxsize=8)
def _any(patterns: tuple[str, ...]) -> AnyOf:
    return any_of(patterns, re.I)


def _words(text: str, stop: frozenset[str]) -> set[str]:
    out = set()
    # The answer is a set: each distinct word is stemmed once (a long prompt repeats its words).
    for w in set(CONTENT_WORD.findall(text.lower())) - stop:
        if w[-1] in "gds":  # how every suffix below ends: most words need no look at them
            for suffix in ("ing", "ed", "es", "s"):  # fail, fails, failed, failing: one word
                if len(w) > len(suffix) + 2 and w.endswith(suffix):
                    w = w[: -len(suffix)]
                    break
        out.add(w)
    return out


@detector(scope="transcript")
def check(a: Analysis, ctx: RuleContext) -> Iterator[RawFinding]:
    if not a.requests:
        return  # a prompt log without requests (Gemini logs.json) can span sessions: nothing was re-sent
    data = ctx.data
    ignore = _any(tuple(data.get("ignore", ())))
    stop = stopwords()
    prompts = [i for i in a.items if isinstance(i.event, Prompt) and not i.event.is_meta and not i.event.command
               and not i.event.is_interrupt]
    # Where each human turn's requests end: the next prompt's first request (confirmations included,
    # a "yes" continues the attempt it answers).
    asks: list[_Ask] = []
    for turn, item in enumerate(prompts):
        p = item.event
        assert isinstance(p, Prompt)
        if p.text.startswith("[REDACTED"):
            continue
        text = typed_text(p.text)
        if not has_words(text, ctx["min-words"]) or ignore.matches(text[:300]):
            continue  # a confirmation, or an answer to the agent's own question
        asks.append(_Ask(item, len(asks), turn, text, trigrams(text), _words(text, stop), numbers(text)))
    issues = _issues(a, asks, ctx)
    ends = _turn_ends(a, asks)
    for issue in issues:
        if len(issue.asks) - 1 > ctx["max-corrections"] or (issue.repeated and len(issue.asks) >= 2):
            yield _finding(a, issue, ends)


def _issues(a: Analysis, asks: list[_Ask], ctx: RuleContext) -> list[_Issue]:
    corrections = _any(tuple(ctx.data.get("corrections", ())))
    declines = _any(tuple(ctx.data.get("not-corrections", ())))
    failures = _any(tuple(ctx.data.get("failure-words", ())))
    similarity, reported, short = ctx["similarity"], ctx["report-containment"], ctx["max-report-chars"]
    queued = _queued_prompts(a, asks)
    issues: list[_Issue] = []
    for ask in asks:
        # The open issues (their last ask a few prompts back), newest first: the ask joins the first
        # one it belongs to, or opens its own.
        for last in reversed(issues[-(ctx["max-prompts-between"] + 1):]):
            if not _joins(a, last, ask, ctx):
                continue
            prev = last.asks[-1]
            # Right after the attempt: at most one short answer ("yes, go ahead") between; answers that
            # steered further work ("2", "do them all", "3") make the later ask another question.
            adjacent = ask.index == prev.index + 1 and ask.turn - prev.turn <= 2
            # The same ask again, right after the attempt or with words of its own saying that it failed
            # (a line repeated after other talk — a scripted scene, a status notice, a template pasted
            # twice by mistake — is not a re-ask).
            same = any(same_ask(ask.grams, m.grams, similarity) and (adjacent or _says_failed(ask, m, failures, corrections))
                       for m in last.asks) and ask.item.line not in queued
            if same and not _attempted(a, prev.item, ask.item):
                last.asks[-1] = ask  # a re-send: the first one reached no model, or was stopped at once
                break
            # The same failure reported again: a short report that shares most of an earlier one.
            again = (len(ask.text) <= short and len(prev.text) <= short and failures.matches(ask.text)
                     and max(containment(ask.grams, m.grams) for m in last.asks) >= reported)
            correction = (corrections.matches(ask.text[:300]) and not declines.matches(ask.text[:300])
                          and (adjacent or len(ask.words & last.words) >= ctx["min-shared-words"]))
            if same or again or correction:
                last.asks.append(ask)
                last.repeated = last.repeated or same
                last.words |= ask.words
                break
        else:
            issues.append(_Issue([ask], words=set(ask.words)))
    return issues


def _queued_prompts(a: Analysis, asks: list[_Ask]) -> set[int]:
    """Lines of the asks delivered within ``QUEUED_SECONDS`` of the agent's last output before them:
    typed while the agent worked (a queued message), so written before the attempt's outcome was seen."""
    stamps = [(e.line, e.timestamp) for e in a.thread if e.timestamp and type(e) is not Prompt]
    lines = [line for line, _ in stamps]
    out: set[int] = set()
    for ask in asks:
        at = bisect_left(lines, ask.item.line) - 1
        if at < 0 or not ask.prompt.timestamp:
            continue
        before, now = parse_timestamp(stamps[at][1]), parse_timestamp(ask.prompt.timestamp)
        if before is not None and now is not None and 0 <= (now - before).total_seconds() < QUEUED_SECONDS:
            out.add(ask.item.line)
    return out


def _says_failed(ask: _Ask, earlier: _Ask, failures: AnyOf, corrections: AnyOf) -> bool:
    """Whether the words ``ask`` adds to ``earlier`` say the attempt failed ("it still fails", a traceback)."""
    own = " ".join(dict.fromkeys(w for gram in ask.grams - earlier.grams for w in gram))
    return bool(own) and (failures.matches(own) or corrections.matches(own))


def _joins(a: Analysis, issue: _Issue, ask: _Ask, ctx: RuleContext) -> bool:
    """Whether ``ask`` may continue ``issue``: close after its last ask, in the same segment, not the
    next numbered item, and not written after rewinding past the issue's asks."""
    prev = issue.asks[-1]
    if ask.index - prev.index - 1 > ctx["max-prompts-between"] or ask.item.segment != prev.item.segment:
        return False
    if next_item(prev.numbers, ask.numbers):
        return False  # UC-20 after UC-19, step 4 after step 3: the next item of a series
    parent = ask.prompt.parent_line
    first = issue.asks[0].item.line
    return parent is None or parent >= first  # a rewind: the abandoned attempt left the context


def _attempted(a: Analysis, first: Item, again: Item) -> bool:
    """Whether the first ask got an attempt: a request a model answered (an "API Error: Connection
    error" or usage-limit reply is written with no usage), not stopped by the user before any tool ran."""
    if not any(u.context_tokens or u.output_tokens for u in a.requests[first.r0 : again.r0]):
        return False
    between = [e for e in a.thread if first.line < e.line < again.line]
    stopped = any(type(e) is Prompt and e.is_interrupt for e in between)
    return not (stopped and not any(type(e) is ToolResult for e in between))


def _turn_ends(a: Analysis, asks: list[_Ask]) -> dict[int, int]:
    """Request index where each ask's attempt ends: the first request of the next substantive ask."""
    ends: dict[int, int] = {}
    for here, after in pairwise(asks):
        ends[here.item.line] = after.item.r0
    if asks:
        last = asks[-1].item
        ends[last.line] = a.segments[last.segment].end_request
    return ends


def _finding(a: Analysis, issue: _Issue, ends: dict[int, int]) -> RawFinding:
    first, last = issue.asks[0], issue.asks[-1]
    # The attempts that had to be made again: every request of the earlier asks' turns, measured.
    requests = [r for ask in issue.asks[:-1] for r in range(ask.item.r0, min(ends[ask.item.line], last.item.r0))]
    claims = tuple(a.claim(f"turn:{r}", a.requests[r].context_tokens, r, r + 1) for r in requests
                   if a.requests[r].context_tokens)
    tokens = sum(c.tokens for c in claims)
    costs = [c.cost_usd for c in claims]
    lines = ", ".join(str(x.item.line) for x in issue.asks[:6]) + (", …" if len(issue.asks) > 6 else "")
    if len(issue.asks) == 2 and issue.repeated:
        what = f"the user asked the same thing again at line {last.item.line} (first at line {first.item.line})"
    else:
        what = f"the same issue came back {len(issue.asks)}× close together (lines {lines})"
    return RawFinding(
        line=last.item.line,
        message=(f"{what}; the attempt(s) before it cost {tokens:,} tokens over {len(claims)} request(s)"),
        fix=fix("restate", again=last.item.line, first=first.item.line),
        tokens_wasted=tokens,
        cost_wasted_usd=None if any(c is None for c in costs) else sum(c or 0.0 for c in costs),
        claims=claims,
        # nothing was spent on the earlier attempts: a habit worth knowing, not waste
        severity=None if tokens else Severity.INFO,
        content_key=f"issue:{first.item.line}",
    )
