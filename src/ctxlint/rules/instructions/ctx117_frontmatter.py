"""invalid-frontmatter: rule headers the agent rejects or misreads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, TextEdit, fix
from ctxlint.rules.registry import RuleContext, detector

ALWAYS_RE = re.compile(r"^(\s*alwaysApply\s*:\s*)(.+?)\s*$")
TRUTHY = {"yes", "on", "\"true\"", "'true'", "\"yes\"", "'yes'", "True", "TRUE", "y"}
FALSY = {"no", "off", "\"false\"", "'false'", "\"no\"", "'no'", "False", "FALSE", "n"}


def _kind(file: InstructionFile) -> str | None:
    if file.role == "cursor-rule" and file.path.endswith(".mdc"):
        return "cursor"
    if file.role == "copilot-path":
        return "copilot"
    if file.role == "claude-rule":
        return "claude"
    return None


def _globs(value: object) -> list[str]:
    if isinstance(value, str):
        return [g.strip() for g in value.split(",") if g.strip()]
    if isinstance(value, list):
        return [str(g).strip() for g in value if str(g).strip()]
    return []


def _matches_any(root: Path, pattern: str) -> bool:
    pattern = pattern.lstrip("/")
    if "{" in pattern or pattern.startswith("!"):
        return True  # brace expansion / negation: do not guess
    try:
        return next(iter(root.glob(pattern)), None) is not None or next(iter(root.glob(f"**/{pattern}")), None) is not None
    except (ValueError, OSError, NotImplementedError):
        return True


LOOSE_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


def _loose(raw: str) -> dict[str, object] | None:
    out: dict[str, object] = {}
    for line in raw.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = LOOSE_LINE.match(line.strip())
        if m is None:
            return None
        value = m.group(2).strip()
        out[m.group(1)] = True if value == "true" else False if value == "false" else value
    return out


def _with_front_matter(doc: Any, fm: dict[str, object] | None) -> Any:
    from dataclasses import replace

    return replace(doc, front_matter=fm, front_matter_error=None)


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    kind = _kind(file)
    if kind is None:
        return
    doc = file.doc
    if doc.front_matter_error and kind == "cursor" and _loose(doc.front_matter_raw or "") is not None:
        # Cursor writes `globs: *.ts` unquoted (not valid YAML) and reads it with a lenient parser.
        fm_loose = _loose(doc.front_matter_raw or "")
        doc = _with_front_matter(doc, fm_loose)
    if doc.front_matter_error:
        yield RawFinding(line=1, message=doc.front_matter_error, fix=fix("yaml"),
                         content_key="yaml")
        return
    fm = doc.front_matter
    if fm is None:
        if kind == "copilot":
            yield RawFinding(line=1, message="no front matter: `applyTo` is required in .instructions.md files",
                             fix=fix("header"), content_key="missing")
        return
    known = set(ctx.data["keys"][kind])
    for key in fm:
        if key not in known:
            line = next((n for n, raw in enumerate(doc.lines[: doc.front_matter_end_line], 1)
                         if raw.lstrip().startswith(f"{key}:")), 1)
            yield RawFinding(line=line, message=f"unknown front-matter key `{key}` (known: {', '.join(sorted(known))})",
                             fix=fix("unknown-key", key=key), content_key=f"key:{key}")
    if kind == "cursor":
        for n, raw in enumerate(doc.lines[: doc.front_matter_end_line], 1):
            m = ALWAYS_RE.match(raw)
            if not m:
                continue
            value = m.group(2).split("#")[0].strip()
            if value in ("true", "false"):
                continue
            fixed = "true" if value in TRUTHY else "false" if value in FALSY else None
            yield RawFinding(
                line=n,
                message=f"`alwaysApply: {value}` is not a boolean; Cursor does not treat it as {fixed or 'true/false'}",
                fix=fix("boolean", value=fixed) if fixed else fix("either-boolean"),
                edits=(TextEdit(n, n, f"{m.group(1)}{fixed}"),) if fixed else (),
                content_key="alwaysApply",
            )
    if kind == "copilot" and "applyTo" not in fm:
        yield RawFinding(line=1, message="`applyTo` is missing: Copilot does not know which files this applies to",
                         fix=fix("apply-to"), content_key="applyTo")
    root = Path(project.root)
    for key in ("globs", "paths", "applyTo"):
        for pattern in _globs(fm.get(key)):
            if pattern in ("**", "**/*", "*") or _matches_any(root, pattern):
                continue
            line = next((n for n, raw in enumerate(doc.lines[: doc.front_matter_end_line], 1) if pattern in raw), 1)
            yield RawFinding(line=line, message=f"`{key}` pattern `{pattern}` matches no file in the repository",
                             fix=fix("glob", pattern=pattern), content_key=f"glob:{pattern}")
    body = "\n".join(doc.lines[doc.front_matter_end_line :]).strip()
    if not body:
        yield RawFinding(line=max(1, doc.front_matter_end_line), message="the rule has front matter but no body",
                         fix=fix("empty"), content_key="empty")
