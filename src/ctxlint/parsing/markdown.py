"""Markdown instruction files, parsed once with tree-sitter and shared by every rule.

The ``Document`` holds what rules need: the lines, sections with their heading path, fenced code
blocks, HTML comments (and which are block-level, which Claude Code strips), front matter, links,
inline code spans, ``@imports`` (never inside code spans or fences) and ctxlint directives.
Line numbers are 1-based everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Section:
    heading: str  # heading text without the leading #s ("" for the preamble before any heading)
    level: int  # 1-6, 0 for the preamble
    start_line: int  # the heading line (or 1 for the preamble)
    end_line: int  # last line before the next heading of the same or higher level
    path: tuple[str, ...]  # enclosing headings, outermost first, including this one


@dataclass(frozen=True, slots=True)
class CodeBlock:
    start_line: int  # the opening fence line
    end_line: int  # the closing fence line (or last line if unclosed)
    info: str  # info string after the fence ("bash", "text", "")
    content: str  # the lines between the fences
    fenced: bool = True  # False for indented code blocks


@dataclass(frozen=True, slots=True)
class HtmlComment:
    start_line: int
    end_line: int
    text: str  # the comment body without <!-- -->
    block: bool  # a block-level comment (whole lines), which Claude Code strips before injection


@dataclass(frozen=True, slots=True)
class Link:
    line: int
    text: str
    target: str  # the URL or path as written


@dataclass(frozen=True, slots=True)
class InlineCode:
    line: int
    column: int  # 1-based
    text: str


@dataclass(frozen=True, slots=True)
class Import:
    line: int
    column: int
    target: str  # as written after '@' (e.g. "AGENTS.md", "~/x.md", "docs/a.md")
    in_code: bool = False  # written inside a code span or fence: never expanded by the agent


@dataclass(frozen=True, slots=True)
class ListItem:
    line: int
    end_line: int
    text: str  # first line of the item without the marker
    checkbox: str | None = None  # "x", " " or None


@dataclass(slots=True)
class Document:
    path: str  # display path
    text: str  # full text, newlines normalised to "\n", BOM removed
    lines: list[str]  # text.split("\n") (without trailing "" for a final newline)
    newline: str = "\n"  # the file's original line ending ("\r\n" for CRLF files)
    front_matter: dict[str, Any] | None = None  # parsed YAML (None when absent)
    front_matter_raw: str | None = None
    front_matter_error: str | None = None  # YAML error message, when it does not parse
    front_matter_end_line: int = 0  # last line of the front matter block (0 when absent)
    sections: list[Section] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    html_comments: list[HtmlComment] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    inline_code: list[InlineCode] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    list_items: list[ListItem] = field(default_factory=list)
    parse_error: str | None = None

    def line_in_code(self, line: int) -> bool:
        return any(b.start_line <= line <= b.end_line for b in self.code_blocks)

    def line_in_comment(self, line: int) -> bool:
        return any(c.start_line <= line <= c.end_line for c in self.html_comments)

    def section_at(self, line: int) -> Section | None:
        best: Section | None = None
        for s in self.sections:
            if s.start_line <= line <= s.end_line and (best is None or s.level >= best.level):
                best = s
        return best
