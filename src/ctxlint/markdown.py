"""Markdown instruction files, parsed once with tree-sitter and shared by every rule.

The ``Document`` holds what rules need: the lines, sections with their heading path, fenced code
blocks, HTML comments (and which are block-level, which Claude Code strips), front matter, links,
inline code spans, ``@imports`` (never inside code spans or fences) and ctxlint directives.
Line numbers are 1-based everywhere.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the lines it covers (to the next heading of the same or a higher level)."""

    heading: str  # heading text without the leading #s ("" for the preamble before any heading)
    level: int  # 1-6, 0 for the preamble
    start_line: int  # the heading line (or 1 for the preamble)
    end_line: int  # last line before the next heading of the same or higher level
    path: tuple[str, ...]  # enclosing headings, outermost first, including this one


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced or indented code block."""

    start_line: int  # the opening fence line
    end_line: int  # the closing fence line (or last line if unclosed)
    info: str  # info string after the fence ("bash", "text", "")
    content: str  # the lines between the fences
    fenced: bool = True  # False for indented code blocks


@dataclass(frozen=True, slots=True)
class HtmlComment:
    """An HTML comment (block or inline); Claude Code strips block comments before loading."""

    start_line: int
    end_line: int
    text: str  # the comment body without <!-- -->
    block: bool  # a block-level comment (whole lines), which Claude Code strips before injection
    inline: bool = False  # inside a paragraph (`text <!-- note --> text`): the line has other content
    column: int = 1  # 1-based column of `<!--` on start_line


@dataclass(frozen=True, slots=True)
class Link:
    """A Markdown link and its target."""

    line: int
    text: str
    target: str  # the URL or path as written


@dataclass(frozen=True, slots=True)
class InlineCode:
    """An inline code span."""

    line: int
    column: int  # 1-based
    text: str


@dataclass(frozen=True, slots=True)
class Import:
    """An ``@path`` import, with whether it sits in code (never expanded there)."""

    line: int
    column: int
    target: str  # as written after '@' (e.g. "AGENTS.md", "~/x.md", "docs/a.md")
    in_code: bool = False  # written inside a code span or fence: never expanded by the agent
    # Names a file by its shape (`./x`, `~/x`, `docs/a.md`, `Makefile`); False for `@types/node`,
    # `@pytest.fixture`: the agent still tries to expand those, but a missing one is not a dead import.
    pathlike: bool = True


@dataclass(frozen=True, slots=True)
class ListItem:
    """A list item (with its checkbox, if any)."""

    line: int
    end_line: int
    text: str  # first line of the item without the marker
    checkbox: str | None = None  # "x", " " or None


@dataclass(slots=True)
class Document:
    """One Markdown file parsed once: lines, front matter and the structures every rule shares."""

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
    # Lines inside code blocks and inside HTML comment blocks, gathered on first use (rules ask per line).
    _code_lines: frozenset[int] | None = field(default=None, repr=False, compare=False)
    _comment_lines: frozenset[int] | None = field(default=None, repr=False, compare=False)
    _section_starts: list[int] | None = field(default=None, repr=False, compare=False)

    def line_in_code(self, line: int) -> bool:
        if self._code_lines is None:
            self._code_lines = frozenset(n for b in self.code_blocks for n in range(b.start_line, b.end_line + 1))
        return line in self._code_lines

    def line_in_comment(self, line: int) -> bool:
        """The line is part of an HTML comment block (inline comments inside a paragraph do not count)."""
        if self._comment_lines is None:
            self._comment_lines = frozenset(n for c in self.html_comments if not c.inline
                                            for n in range(c.start_line, c.end_line + 1))
        return line in self._comment_lines

    def section_at(self, line: int) -> Section | None:
        """The innermost section holding ``line``: the one of the last heading at or before it (sections
        are in line order and nest), found by bisection (rules ask per line; files have 200k headings)."""
        if self._section_starts is None:
            self._section_starts = [s.start_line for s in self.sections]
        i = bisect.bisect_right(self._section_starts, line) - 1
        if i < 0:
            return None
        found = self.sections[i]
        return found if found.start_line <= line <= found.end_line else None


# ---------------------------------------------------------------------------------------------
# Parsing

# `@path` imports: at a word boundary (not an e-mail, not `user@host`), a path-like token.
IMPORT_RE = re.compile(r"(?<![\w@./-])@(~?[\w./-][\w./~+-]{0,300})")
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
COMMENT_RE = re.compile(r"<!--(.*?)-->", re.S)
CHECKBOX_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+")
LIST_MARKER_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
CONTAINERS = frozenset({"document", "section", "list", "list_item", "block_quote"})
MAX_PARSE_BYTES = 16 * 1024 * 1024  # tree-sitter is fast, but an instruction file this large is skipped
MAX_FRONT_MATTER_CHARS = 64 * 1024  # rule headers are a few lines; YAML this long is not one
MAX_FRONT_MATTER_VALUES = 10_000  # values once aliases are expanded (see _expanded_size)


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter  # lazy: only instruction checks pay for it
    import tree_sitter_markdown as tsm

    return tree_sitter.Parser(tree_sitter.Language(tsm.language()))


def normalise(text: str) -> tuple[str, str]:
    """(text with LF newlines and no BOM, the original newline)."""
    newline = "\r\n" if "\r\n" in text[:65536] else "\n"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), newline


def strip_trailing_punct(target: str) -> str:
    return target.rstrip(".,;:!?)]}'\"")


def parse_markdown(text: str, path: str) -> Document:
    """Parse an instruction file once. Never raises: problems land in ``parse_error``."""
    text, newline = normalise(text)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    doc = Document(path=path, text=text, lines=lines, newline=newline)
    try:
        _front_matter(doc)
        _structure(doc)
    except Exception as exc:  # a parser bug must not take the run down: report and go on
        doc.parse_error = f"{exc.__class__.__name__}: {exc}"
    return doc


def _front_matter(doc: Document) -> None:
    match = FRONT_MATTER_RE.match(doc.text)
    if not match:
        return
    raw = match.group(1) or ""
    doc.front_matter_raw = raw
    doc.front_matter_end_line = doc.text[: match.end()].rstrip("\n").count("\n") + 1
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        doc.front_matter_error = f"front matter is too long to read ({len(raw):,} characters)"
        return
    import yaml  # here: only files with front matter (Cursor rules, Copilot instructions) need it

    try:
        data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        doc.front_matter_error = f"front matter is not valid YAML{where}"
        return
    except RecursionError:
        doc.front_matter_error = "front matter is nested too deeply to read"
        return
    if data is None:
        data = {}
    if not isinstance(data, dict):
        doc.front_matter_error = "front matter is not a mapping of keys to values"
        return
    if _expanded_size(data, MAX_FRONT_MATTER_VALUES) > MAX_FRONT_MATTER_VALUES:
        doc.front_matter_error = (f"front matter expands to more than {MAX_FRONT_MATTER_VALUES:,} values "
                                  "(YAML aliases): not read")
        return
    doc.front_matter = data


def _expanded_size(value: Any, limit: int) -> int:
    """How many values ``value`` holds once YAML aliases are expanded (each use of an anchored node
    counts again), counted up to just past ``limit``. A 300-byte alias bomb loads as a few shared
    lists but reads as billions of strings: it must be refused before anything reads it. A node that
    contains itself (``&a [*a]``) never ends: past the limit at once."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = list(node.keys()) + list(node.values()) if isinstance(node, dict) else (
            node if isinstance(node, list) else None)
        if children is None:
            continue
        if done:
            on_path.discard(key)
            total = 1
            for child in children:
                total += sizes.get(id(child), 1)
                if total > limit:
                    break
            sizes[key] = min(total, limit + 1)
            continue
        if key in on_path:
            return limit + 1
        if key in sizes:
            continue
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if isinstance(child, (dict, list)))
    return sizes.get(id(value), 1)


# What the tree-sitter walk finds, as plain data (line numbers and byte ranges, never text), so it
# can be cached by content hash: (headings, code blocks, HTML blocks, list items).
Range = tuple[int, int]
HeadingFact = tuple[int, int, Range | None]  # line, level, title node
CodeFact = tuple[int, int, bool, Range | None, list[Range], Range]  # line, end, fenced, info, content, node
HtmlFact = tuple[int, Range]  # line, node
ItemFact = tuple[int, int]  # line, end line
BlockFacts = tuple[list[HeadingFact], list[CodeFact], list[HtmlFact], list[ItemFact]]
FACTS_FORMAT = 1  # bump when _block_facts records something else


def _structure(doc: Document) -> None:
    data = doc.text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_PARSE_BYTES:
        doc.parse_error = f"file too large to parse ({len(data):,} bytes)"
        return
    headings_found, codes, html_blocks, items = _cached_block_facts(data, len(doc.lines))
    n_lines = max(len(doc.lines), 1)
    fm_end = doc.front_matter_end_line

    def text_of(span: Range) -> str:
        return data[span[0] : span[1]].decode("utf-8", "replace")

    headings = [(line, level, text_of(title).strip().strip("#").strip() if title else "")
                for line, level, title in headings_found]
    for line, end, fenced, info, content, node in codes:
        content_parts = [text_of(part) for part in content]
        if not fenced:
            content_parts = [text_of(node)]
            while end > line and end <= len(doc.lines) and not doc.lines[end - 1].strip():
                end -= 1  # tree-sitter keeps the blank lines after an indented block in it
        doc.code_blocks.append(
            CodeBlock(line, end, text_of(info).strip() if info else "", "".join(content_parts).rstrip("\n"), fenced)
        )
    for line, node in html_blocks:
        body = text_of(node)
        for m in COMMENT_RE.finditer(body):
            start = line + body[: m.start()].count("\n")
            end = start + m.group(0).count("\n")
            before = body[: m.start()].rsplit("\n", 1)[-1].strip()
            after = body[m.end() :].split("\n", 1)[0].strip()
            column = len(body[: m.start()].rsplit("\n", 1)[-1]) + 1
            doc.html_comments.append(HtmlComment(start, end, m.group(1), block=not before and not after, column=column))
    for line, end in items:
        first = doc.lines[line - 1] if line <= len(doc.lines) else ""
        box = CHECKBOX_RE.match(first)
        doc.list_items.append(
            ListItem(line, end, LIST_MARKER_RE.sub("", first, count=1).strip(), box.group(1).lower() if box else None)
        )

    _sections(doc, headings, n_lines, fm_end)
    spans = _inline(doc)
    doc.html_comments.sort(key=lambda c: (c.start_line, c.column))
    doc.code_blocks.sort(key=lambda b: b.start_line)
    doc.list_items.sort(key=lambda i: i.line)
    _imports(doc, spans)


def _cached_block_facts(data: bytes, n_lines: int) -> BlockFacts:
    """``_block_facts`` of ``data``, from the cache when this parser version saw it before: a warm
    pre-commit run then neither imports nor runs tree-sitter. A cached entry is read back into the
    facts' exact shape, its lines and byte ranges checked against the text; anything else is
    parsed again."""
    import json

    from ctxlint._runtime import cache
    from ctxlint.measure.tokens import digest

    key, version = digest(data), _facts_version()
    blob = cache.get("markdown", key, version)
    if blob is not None:
        try:
            facts = _as_facts(json.loads(blob), len(data), n_lines)
        except ValueError:
            facts = None
        if facts is not None:
            return facts
    facts = _block_facts(data)
    cache.put("markdown", key, json.dumps(facts, separators=(",", ":")).encode(), version)
    return facts


def _as_facts(raw: Any, size: int, n_lines: int) -> BlockFacts | None:
    """``raw`` (decoded JSON) as block facts when it has their exact shape and every line lies within
    the text's lines and every byte range within its bytes; None otherwise."""

    def line(n: Any) -> bool:
        return type(n) is int and 1 <= n <= n_lines + 1

    def span(r: Any, optional: bool = False) -> Range | bool | None:
        if r is None and optional:
            return None
        if isinstance(r, list) and len(r) == 2 and all(type(x) is int for x in r) and 0 <= r[0] <= r[1] <= size:
            return (r[0], r[1])
        return False

    if not (isinstance(raw, list) and len(raw) == 4 and all(isinstance(part, list) for part in raw)):
        return None
    headings: list[HeadingFact] = []
    codes: list[CodeFact] = []
    html_blocks: list[HtmlFact] = []
    items: list[ItemFact] = []
    for h in raw[0]:
        if not (isinstance(h, list) and len(h) == 3 and line(h[0]) and type(h[1]) is int and 1 <= h[1] <= 6):
            return None
        title = span(h[2], optional=True)
        if title is False:
            return None
        headings.append((h[0], h[1], title if isinstance(title, tuple) else None))
    for c in raw[1]:
        if not (isinstance(c, list) and len(c) == 6 and line(c[0]) and line(c[1]) and type(c[2]) is bool
                and isinstance(c[4], list)):
            return None
        info, node = span(c[3], optional=True), span(c[5])
        content = [span(x) for x in c[4]]
        if info is False or not isinstance(node, tuple) or not all(isinstance(x, tuple) for x in content):
            return None
        codes.append((c[0], c[1], c[2], info if isinstance(info, tuple) else None,
                      [x for x in content if isinstance(x, tuple)], node))
    for b in raw[2]:
        node = span(b[1]) if isinstance(b, list) and len(b) == 2 and line(b[0]) else False
        if not isinstance(node, tuple):
            return None
        html_blocks.append((b[0], node))
    for i in raw[3]:
        if not (isinstance(i, list) and len(i) == 2 and line(i[0]) and line(i[1])):
            return None
        items.append((i[0], i[1]))
    return headings, codes, html_blocks, items


@lru_cache(maxsize=1)
def _facts_version() -> str:
    from ctxlint import __version__
    from ctxlint._runtime.fsutil import distribution_version

    # this module's own size and mtime: an edited parser (a development checkout) never reads old facts
    st = os.stat(__file__)
    grammar = distribution_version("tree_sitter_markdown", "tree-sitter-markdown")
    runtime = distribution_version("tree_sitter", "tree-sitter")
    return f"md{FACTS_FORMAT}-{__version__}-{st.st_size}-{st.st_mtime_ns}-{grammar}-{runtime}"


def _block_facts(data: bytes) -> BlockFacts:
    """Walk tree-sitter's block tree: headings, code blocks, HTML blocks and list items."""
    tree = _parser().parse(data)
    headings: list[HeadingFact] = []
    codes: list[CodeFact] = []
    html_blocks: list[HtmlFact] = []
    items: list[ItemFact] = []

    def end_line_of(node: Any) -> int:
        # tree-sitter ends a block at column 0 of the following line
        row, col = node.end_point
        return int(max(node.start_point[0] + 1, row if col == 0 else row + 1))

    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        kind = node.type
        line = node.start_point[0] + 1
        if kind in ("minus_metadata", "plus_metadata"):
            continue
        if kind == "atx_heading" or kind == "setext_heading":
            level = 1
            title: Range | None = None
            for child in node.children:
                if child.type.startswith("atx_h") and child.type.endswith("_marker"):
                    level = int(child.type[5])
                elif child.type == "setext_h2_underline":
                    level = 2
                elif child.type in ("inline", "paragraph"):
                    title = (child.start_byte, child.end_byte)
            headings.append((line, level, title))
            continue
        if kind in ("fenced_code_block", "indented_code_block"):
            info: Range | None = None
            content: list[Range] = []
            for child in node.children:
                if child.type == "info_string":
                    info = (child.start_byte, child.end_byte)
                elif child.type == "code_fence_content":
                    content.append((child.start_byte, child.end_byte))
            codes.append((line, end_line_of(node), kind == "fenced_code_block", info, content,
                          (node.start_byte, node.end_byte)))
            continue
        if kind == "html_block":
            html_blocks.append((line, (node.start_byte, node.end_byte)))
            continue
        if kind == "list_item":
            items.append((line, end_line_of(node)))
        if kind in CONTAINERS:  # paragraphs, tables, thematic breaks hold nothing block-level
            stack.extend(reversed(node.children))
    return headings, codes, html_blocks, items


def _sections(doc: Document, headings: list[tuple[int, int, str]], n_lines: int, fm_end: int) -> None:
    headings.sort()
    first_heading = headings[0][0] if headings else n_lines + 1
    if first_heading > fm_end + 1:
        doc.sections.append(Section("", 0, fm_end + 1, first_heading - 1, ()))
    # One pass with a stack of the sections still open: a heading closes every open section of its
    # level or deeper (linear in the headings, whatever their levels).
    path: list[tuple[int, str]] = []
    open_sections: list[int] = []  # indexes into `found`, levels increasing
    found: list[list[Any]] = []
    for line, level, title in headings:
        while open_sections and found[open_sections[-1]][1] >= level:
            found[open_sections.pop()][3] = line - 1
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, title))
        open_sections.append(len(found))
        found.append([title, level, line, n_lines, tuple(t for _, t in path)])
    doc.sections.extend(Section(*s) for s in found)


LINK_RE = re.compile(r"!?\[([^\]\n]{0,500})\]\(\s*<?([^)\s>]{1,1000})>?(?:\s+[\"'][^\"'\n]{0,300}[\"'])?\s*\)")
INLINE_COMMENT_RE = re.compile(r"<!--(.{0,2000}?)-->")
AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]{1,1000})>")


BACKTICK_RUN = re.compile(r"`+")


def code_spans(line: str) -> list[tuple[int, int]]:
    """CommonMark code spans on one line: a run of n backticks closed by the next run of exactly n.

    Runs are indexed by length so a line of thousands of unmatched runs stays O(n log n).
    """
    runs = [(m.start(), m.end()) for m in BACKTICK_RUN.finditer(line)]
    by_length: dict[int, list[int]] = {}
    for index, (a, b) in enumerate(runs):
        by_length.setdefault(b - a, []).append(index)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        a, b = runs[i]
        same = by_length[b - a]
        k = bisect.bisect_right(same, i)
        if k < len(same):
            closing = same[k]
            spans.append((a, runs[closing][1]))
            i = closing + 1
        else:
            i += 1
    return spans


def _mask(line: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return line
    parts: list[str] = []
    last = 0
    for a, b in spans:
        parts.append(line[last:a])
        parts.append(" " * (b - a))
        last = b
    parts.append(line[last:])
    return "".join(parts)


def _inline(doc: Document) -> list[list[tuple[int, int]]]:
    """Code spans and links of every line outside code blocks (a linear scan: the tree-sitter
    inline grammar costs ~2 ms per KB, too slow for a sub-0.3 s check of a repository)."""
    in_code = [False] * (len(doc.lines) + 2)
    for block in doc.code_blocks:
        for n in range(block.start_line, min(block.end_line, len(doc.lines)) + 1):
            in_code[n] = True
    block_comment_lines = {n for c in doc.html_comments for n in range(c.start_line, c.end_line + 1)}
    per_line: list[list[tuple[int, int]]] = [[] for _ in range(len(doc.lines) + 1)]
    for number, line in enumerate(doc.lines, start=1):
        if in_code[number] or number <= doc.front_matter_end_line:
            continue
        spans = code_spans(line) if "`" in line else []
        per_line[number] = spans
        for a, b in spans:
            inner = line[a:b].strip("`").strip()
            doc.inline_code.append(InlineCode(number, a + 1, inner))
        if "](" in line or "<" in line:
            masked = _mask(line, spans)
            if "<!--" in masked and number not in block_comment_lines:
                for m in INLINE_COMMENT_RE.finditer(masked):
                    doc.html_comments.append(
                        HtmlComment(number, number, m.group(1), block=False, inline=True, column=m.start() + 1)
                    )
            for m in LINK_RE.finditer(masked):
                doc.links.append(Link(number, m.group(1), m.group(2)))
            for m in AUTOLINK_RE.finditer(masked):
                doc.links.append(Link(number, m.group(1), m.group(1)))
    return per_line


IMPORT_EXTENSIONS = {
    "md", "mdc", "markdown", "txt", "rst", "json", "jsonc", "yaml", "yml", "toml", "ini", "cfg", "py", "ts", "tsx",
    "js", "jsx", "mjs", "cjs", "sh", "bash", "sql", "go", "rs", "java", "kt", "rb", "php", "cs", "c", "h", "cpp",
    "hpp", "swift", "proto", "graphql", "xml", "html", "css", "scss", "env", "lock", "gradle", "ex", "exs",
}


EXTENSIONLESS_FILES = {"Makefile", "Dockerfile", "Justfile", "justfile", "Taskfile", "Procfile", "Gemfile", "Rakefile",
                       "LICENSE", "README", "CODEOWNERS", "Brewfile", "Vagrantfile", "Containerfile"}


def _import_like(target: str) -> bool:
    """`@path` imports name files: a relative/home/absolute path, or a name with a file extension."""
    if not target or target in (".", "..", "/", "~"):
        return False
    if target.startswith(("./", "../", "~/")):
        return True
    last = target.rstrip("/").rsplit("/", 1)[-1]
    if last in EXTENSIONLESS_FILES:
        return True
    if "." not in last[1:]:
        return False
    return last.rsplit(".", 1)[-1].lower() in IMPORT_EXTENSIONS


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """Is ``pos`` inside one of the sorted, disjoint ``spans``? (bisect: lines can hold 10^5 spans)"""
    i = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _imports(doc: Document, spans: list[list[tuple[int, int]]]) -> None:
    """`@path` imports outside code; the ones inside code spans/fences are kept with in_code=True."""
    comment_lines = {n for c in doc.html_comments if not c.inline for n in range(c.start_line, c.end_line + 1)}
    inline_comments: dict[int, list[tuple[int, int]]] = {}
    for c in doc.html_comments:
        if c.inline:
            inline_comments.setdefault(c.start_line, []).append((c.column - 1, c.column + len(c.text) + 6))
    for number, line in enumerate(doc.lines, start=1):
        if "@" not in line or number in comment_lines or number <= doc.front_matter_end_line:
            continue
        in_fence = doc.line_in_code(number)
        for m in IMPORT_RE.finditer(line):
            if any(a <= m.start() < b for a, b in inline_comments.get(number, ())):
                continue  # inside `<!-- … -->`: stripped, never expanded
            target = strip_trailing_punct(m.group(1))
            if not target or ("/" not in target and "." not in target and not target.startswith("~")):
                continue  # @mentions, decorators (@pytest), npm scopes are not paths
            in_span = in_fence or _inside(spans[number], m.start())
            doc.imports.append(
                Import(number, m.start() + 1, target, in_code=in_fence or in_span, pathlike=_import_like(target))
            )
