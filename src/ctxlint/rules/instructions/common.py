"""Helpers shared by the instruction rules: text normalisation and token counts of line ranges."""

from __future__ import annotations

import re
from functools import lru_cache

from ctxlint.instructions.project import InstructionFile
from ctxlint.measure.tokens import count_text

MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
EMPHASIS = re.compile(r"[*_`~]+")
SPACES = re.compile(r"\s+")
PUNCT_END = re.compile(r"[\s.,;:!?]+$")


@lru_cache(maxsize=8192)
def normalise(line: str) -> str:
    """A line as instructions are compared: no list marker, emphasis, case or trailing punctuation
    (several rules ask it of the same lines)."""
    text = MARKER.sub("", line)
    text = EMPHASIS.sub("", text)
    text = SPACES.sub(" ", text).strip().lower()
    return PUNCT_END.sub("", text)


def lines_tokens(file: InstructionFile, start: int, end: int) -> int:
    return count_text("\n".join(file.doc.lines[start - 1 : end]))


def in_code_or_comment(file: InstructionFile, line: int) -> bool:
    return file.doc.line_in_code(line) or file.doc.line_in_comment(line)
