"""always-applied-rule: large rules loaded on every request regardless of the files at hand."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.agents import MANUAL, START
from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, Severity, fix
from ctxlint.rules.registry import RuleContext, detector

PATH_IN_TEXT = re.compile(r"`((?:[\w.-]+/)+)[\w.*-]*`")


def _suggest_globs(file: InstructionFile) -> str:
    dirs: dict[str, int] = {}
    for m in PATH_IN_TEXT.finditer(file.doc.text):
        top = m.group(1).split("/")[0]
        dirs[top] = dirs.get(top, 0) + 1
    if not dirs:
        return '["src/**"]'
    best = sorted(dirs, key=lambda d: -dirs[d])[:2]
    return "[" + ", ".join(f'"{d}/**"' for d in best) + "]"


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    if file.context_only:
        return
    fm = file.doc.front_matter or {}
    how = file.loading.get("cursor")
    if file.role == "cursor-rule" and file.path.endswith(".mdc") and how is not None:
        if how.mode == START and file.tokens > ctx["max-tokens"]:
            # A rule with a description names its topic: it can be agent-requested as written. One without
            # is meant to be always on (a router, the project's core rules): its size is still worth a note.
            topical = bool(str(fm.get("description") or "").strip())
            yield RawFinding(
                line=1,
                severity=None if topical else Severity.INFO,
                message=(f"an always-applied Cursor rule of {file.tokens:,} tokens is added to every request"
                         + ("; its description says it concerns one topic" if topical else "")),
                fix=fix("cursor-requested" if topical else "cursor-shorten", globs=_suggest_globs(file)),
                tokens_wasted=file.tokens, content_key="cursor-always")
        elif how.mode == MANUAL:
            missing = "no front matter" if file.doc.front_matter_raw is None else "neither `description` nor `globs`"
            yield RawFinding(line=1, message=f"the rule has {missing}: Cursor applies it only when @-mentioned, which "
                                             "is rarely what the author meant",
                             fix=fix("cursor-describe"),
                             content_key="cursor-manual")
    if file.role == "copilot-path":
        apply_to = str(fm.get("applyTo", "")).strip()
        if apply_to in ("**", "**/*", "*") and file.tokens > ctx["max-tokens"]:
            yield RawFinding(line=1, message=f"`applyTo: \"{apply_to}\"` applies {file.tokens:,} tokens to every request",
                             fix=fix("copilot-narrow", globs=_suggest_globs(file)),
                             tokens_wasted=file.tokens, content_key="copilot-all")
