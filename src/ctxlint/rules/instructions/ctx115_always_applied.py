"""always-applied-rule: large rules loaded on every request regardless of the files at hand."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, fix
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
    fm = file.doc.front_matter or {}
    raw = file.doc.front_matter_raw or ""
    if file.role == "cursor-rule" and file.path.endswith(".mdc"):
        always = re.search(r"^\s*alwaysApply\s*:\s*true\s*$", raw, re.M) is not None
        if always and file.tokens > ctx["max-tokens"]:
            yield RawFinding(line=1, message=f"an always-applied Cursor rule of {file.tokens:,} tokens is added to every request",
                             fix=fix("cursor-scope", globs=_suggest_globs(file)),
                             tokens_wasted=file.tokens, content_key="cursor-always")
        elif not always and not fm.get("description") and not fm.get("globs") and file.doc.front_matter is not None:
            yield RawFinding(line=1, message="the rule has neither `description` nor `globs`: Cursor applies it only when "
                                             "@-mentioned, which is rarely what the author meant",
                             fix=fix("cursor-describe"), content_key="cursor-manual")
    if file.role == "copilot-path":
        apply_to = str(fm.get("applyTo", "")).strip()
        if apply_to in ("**", "**/*", "*") and file.tokens > ctx["max-tokens"]:
            yield RawFinding(line=1, message=f"`applyTo: \"{apply_to}\"` applies {file.tokens:,} tokens to every request",
                             fix=fix("copilot-narrow", globs=_suggest_globs(file)),
                             tokens_wasted=file.tokens, content_key="copilot-all")
