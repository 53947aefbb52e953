"""The rules' YAML pattern lists, gated by literal heads, match exactly what one alternation matches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ctxlint.rules.patterns import any_of, literal_heads

RULES = Path(__file__).resolve().parents[1] / "rules"
LISTS = [  # (rule, data key, flags): every list a transcript rule reads through any_of
    ("CTX201", "invalidate", 0),
    ("CTX201", "package_managers", 0),
    ("CTX204", "dump_commands", 0),
    ("CTX204", "noise_files", 0),
    ("CTX205", "corrections", re.I),
    ("CTX205", "ignore", re.I),
]


def patterns(rule: str, key: str) -> tuple[str, ...]:
    return tuple(yaml.safe_load((RULES / f"{rule}.yaml").read_text())["data"][key])


def alternation(pats: tuple[str, ...], flags: int) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in pats) or "(?!)", flags)


# Texts built from the words of the patterns themselves, shell punctuation and case changes, so
# that heads are present without a match as often as with one.
PIECES = sorted({w for rule, key, _ in LISTS for p in patterns(rule, key) for w in re.findall(r"[A-Za-z0-9_.:-]+", p)}
                | {" ", "  ", "/", "-", "--fix", "--write", "-w", "-i", "-p1", "|", "&&", ";", "**", "'", "\n", ",", "!",
                   ".", "ſ", "K", "İ", "src/app.py", "go", "I", "NO", "No,"})


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from(LISTS), st.booleans())
def test_gated_lists_match_what_the_alternation_matches(pieces: list[str], which: tuple[str, str, int],
                                                        upper: bool) -> None:
    rule, key, flags = which
    text = "".join(pieces)
    if upper:
        text = text.upper()
    pats = patterns(rule, key)
    assert any_of(pats, flags).matches(text) == bool(alternation(pats, flags).search(text))


@pytest.mark.parametrize("rule,key,flags", LISTS)
def test_real_commands_agree(rule: str, key: str, flags: int) -> None:
    pats = patterns(rule, key)
    texts = ["git checkout main", "git status", "cd web && npx prettier src --write", "npm install left-pad",
             "pip install -r requirements.txt", "go mod tidy", "cat src/**/*.ts", "find . -name '*.py' -exec cat {} +",
             "ls | xargs -n1 cat", "node_modules/react/index.js", "dist/app.min.js", "no, that's wrong",
             "That's still not what I asked", "it didn't work", "I told you", "try again", "Revert that",
             "yes", "go ahead", "Add file to the chat? (Y)es/(N)o [Yes]:", "make fmt", "patch -p1 < fix.diff", ""]
    gated = any_of(pats, flags)
    for text in texts:
        assert gated.matches(text) == bool(alternation(pats, flags).search(text)), text


def test_heads_are_what_every_match_must_contain() -> None:
    assert literal_heads(r"\bgit\s+(checkout|switch)\b") == ("checkout", "switch")  # longer than "git"
    assert literal_heads(r"\bgit\s+(checkout|am)\b") == ("git",)
    assert literal_heads(r"\b(npm|pnpm|yarn)\s+(run\s+)?(format|fmt)\b") == ("fmt", "format")  # fewer heads
    assert literal_heads(r"\b((?:ghp|gho)_[A-Za-z0-9]{36}|github_pat_\w+)") == ("gho", "ghp", "github_pat_")
    assert literal_heads(r"\b(go\s+generate|protoc)\b") == ("generate", "protoc")  # the longer of each branch
    assert literal_heads(r"(?i)\bStill (FAIL|broken)") == ("still ",)
    assert literal_heads(r"(a|b*)c") == ("c",)  # a branch without heads: the next required item
    assert literal_heads(r"x?y?") is None  # nothing a match must contain
    assert literal_heads(r"[0-9]+") is None
    assert literal_heads(r"(?i:ab)c") is None  # scoped flags: the reader gives up
    assert literal_heads(r"(a)\1") is None  # a back-reference: the reader gives up
    assert literal_heads(r"a{2,}b+c{0,3}[de]\.") == ("a",)
    assert literal_heads(r"(?=x)yz(?<!w)") == ("yz",)  # lookarounds are zero-width
    assert literal_heads(r"a{") is None
    assert literal_heads(r"caf\u00e9", re.I) is None  # ignoring case beyond ASCII: no gate
    assert literal_heads(r"(") is None  # not a pattern: no gate, the compile error surfaces elsewhere


def test_an_empty_list_never_matches() -> None:
    assert not any_of(()).matches("anything at all")
