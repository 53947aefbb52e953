"""What the language server says about one editor buffer, in plain data (no pygls here).

The findings are the CLI's: the same pipeline (``run_check``), the same configuration (found from
the file, as the CLI finds it), the same inline suppressions, and the whole project around the file
(cross-file rules need CLAUDE.md and AGENTS.md together), with the buffer's unsaved text in place of
the file's. Code actions are the findings' own edits and a ``ctxlint-disable-next-line`` directive;
hover explains a rule named in the text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ctxlint.model import Finding, TextEdit

RULE_WORD = re.compile(r"CTX\d{3}|[a-z][a-z0-9]*(?:-[a-z0-9]+)+")


@dataclass(frozen=True, slots=True)
class Problem:
    """A configuration or input error to show on the document's first line instead of findings."""

    message: str


def is_instruction_file(path: str) -> bool:
    from ctxlint.instructions.files import instruction_agent, repo_root

    p = Path(path)
    return instruction_agent(p.absolute(), repo_root(p.parent)) is not None


def check_buffer(path: str, text: str) -> list[Finding] | Problem:
    """The findings of the file at ``path`` with ``text`` as its content, as `ctxlint check PATH` reports them."""
    from ctxlint.config import resolve_config
    from ctxlint.core.run import run_check
    from ctxlint.errors import CtxlintError

    real = os.path.realpath(path)
    try:
        config = resolve_config([path], None, False)
        report = run_check([path], config, jobs=1, texts={real: text})
    except CtxlintError as exc:
        return Problem(str(exc))
    return [f for f in report.findings if os.path.realpath(f.path) == real]


@dataclass(frozen=True, slots=True)
class Replacement:
    """An edit in the editor's terms: 0-based ``(line, character)`` positions and the new text."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str


def replacement(edit: TextEdit, lines: list[str]) -> Replacement:
    """``TextEdit`` (whole lines ``start_line..end_line``, 1-based) as a range edit of the buffer,
    whose ``lines`` are ``text.split("\n")`` (so a text ending in a newline ends in an empty line)."""
    last = len(lines)
    new = edit.replacement
    if edit.end_line < last:  # lines followed by a newline: replace up to the next line's start
        return Replacement((edit.start_line - 1, 0), (edit.end_line, 0), new + "\n" if new else "")
    end = (last - 1, len(lines[-1])) if lines else (0, 0)
    if new or edit.start_line <= 1:
        return Replacement((edit.start_line - 1, 0), end, new)
    # deleting the last line: take the newline before it too
    return Replacement((edit.start_line - 2, len(lines[edit.start_line - 2])), end, "")


def front_matter_end(lines: list[str]) -> int:
    """The 1-based line closing a ``---`` front matter block, 0 when there is none."""
    if not lines or lines[0].strip() != "---":
        return 0
    for n, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return n
    return 0


def disable_next_line(finding: Finding, lines: list[str]) -> Replacement | None:
    """Insert ``<!-- ctxlint-disable-next-line RULE -->`` above the finding's line, indented like it;
    None inside front matter, where a comment would break the YAML the agent reads."""
    if finding.line <= front_matter_end(lines) or finding.line < 1:
        return None
    target = lines[finding.line - 1] if finding.line <= len(lines) else ""
    indent = target[: len(target) - len(target.lstrip())]
    directive = f"{indent}<!-- ctxlint-disable-next-line {finding.rule_id} -->\n"
    return Replacement((finding.line - 1, 0), (finding.line - 1, 0), directive)


def rule_at(line: str, character: int) -> str | None:
    """The rule id or name under the cursor, if the word there names exactly one rule."""
    from ctxlint.rules.registry import lookup

    for match in RULE_WORD.finditer(line):
        if match.start() <= character <= match.end():
            entry = lookup(match.group())
            return entry.meta.id if entry is not None else None
    return None


def explanation(rule_id: str) -> str:
    """``ctxlint explain RULE`` as Markdown: its title in bold, the rest as printed."""
    from ctxlint.reporters.explain import explain_text
    from ctxlint.rules.registry import lookup

    entry = lookup(rule_id)
    if entry is None:
        return ""
    title, _, rest = explain_text(entry.meta).partition("\n")
    return f"**{title}**\n{rest}\n\n[{entry.meta.id} documentation]({entry.meta.help_uri})"
