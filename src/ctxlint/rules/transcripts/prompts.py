"""Reading human prompts the way the prompt rules (repeated-prompt, task-mixing) compare them: the
words the user typed (system wrappers from ``rules/prompts.yaml`` taken off), their word triples, and
the numbers that name an item of a series (UC-19, step 3). Pure functions, no I/O beyond the data."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice

# Unicode words: an ASCII-only pattern reduced a Russian prompt to its few Latin words, so two
# different questions that both mention `gemini --model` looked identical.
WORD = re.compile(r"[\w./-]+")
NUMBER = re.compile(r"\d+")
MIN_GRAMS = 8  # containment of a shorter prompt means something only above a few word triples
MAX_OWN_GRAMS = 3  # "fix it" vs "fix it please": the same ask may differ by a word or two


@lru_cache(maxsize=1)
def _wrappers() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]], list[re.Pattern[str]]]:
    """(extract, strip, command templates): command templates extract the typed words too."""
    from ctxlint.rules.registry import shared_data

    data = shared_data("prompts")
    commands = [re.compile(p, re.S | re.I) for p in data.get("command-templates") or ()]
    return ([re.compile(p, re.S | re.I) for p in data.get("extract") or ()] + commands,
            [re.compile(p, re.S | re.I | re.M) for p in data.get("strip") or ()], commands)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words that say nothing about what a prompt is about (``rules/prompts.yaml``)."""
    from ctxlint.rules.registry import shared_data

    return frozenset(str(w).lower() for w in shared_data("prompts").get("stopwords") or ())


def typed_text(text: str) -> str:
    """What the user typed: the words inside a system wrapper (`<user_input>`, "My request for Codex:"),
    without injected notices (IDE, command and caveat rows, image placeholders), on one line."""
    extract, strip, _ = _wrappers()
    for pattern in extract:
        m = pattern.search(text)
        if m:
            text = m.group(1)
            break
    for pattern in strip:
        text = pattern.sub(" ", text)
    return " ".join(text.split())


def command_template(text: str) -> str:
    """The wrapper around what the user typed, when the prompt row is an expanded command (a spec-kit
    `/speckit.specify` body around its "User Input"): the same command run again has the same
    template whatever was typed into it. Empty when no wrapper holds the typed words."""
    for pattern in _wrappers()[2]:
        m = pattern.search(text)
        if m:
            return text[: m.start(1)] + text[m.end(1):]
    return ""


def trigrams(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return set(zip(words, words[1:], words[2:], strict=False))  # the word triples, built in C


def has_words(text: str, count: int) -> bool:
    """At least ``count`` words: the scan stops at the last one needed, not at the end of the text."""
    return sum(1 for _ in islice(WORD.finditer(text), count)) >= count


def numbers(text: str) -> frozenset[str]:
    return frozenset(NUMBER.findall(text))


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)  # |a ∪ b| without building the union


def containment(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    """Share of the smaller prompt's word triples found in the other: "X. It still fails." contains X."""
    small = min(len(a), len(b))
    return len(a & b) / small if small >= MIN_GRAMS else 0.0


def same_ask(a: set[tuple[str, ...]], b: set[tuple[str, ...]], threshold: float) -> bool:
    """One prompt holds the other (the earlier ask again, perhaps with "it still fails" added): the
    smaller one has hardly a word triple of its own. Two fillings of one template (the same long
    prompt with a different request at the end) each have their own, and are two asks."""
    shared = len(a & b)
    small = min(len(a), len(b))
    if not small:
        return False
    return small - shared <= MAX_OWN_GRAMS and (shared / small >= threshold or jaccard(a, b) >= threshold)


def next_item(earlier: frozenset[str], later: frozenset[str]) -> bool:
    """The later prompt names another item of a series: both carry numbers and neither set holds the
    other (UC-20 after UC-19, step 4 after step 3)."""
    return bool(earlier and later) and not (earlier <= later or later <= earlier)
