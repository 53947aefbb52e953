"""restates-tooling: style rules a formatter/linter in the repository already enforces."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.measure.tokens import count_text
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import in_code_or_comment
from ctxlint.rules.registry import RuleContext, detector


@lru_cache(maxsize=32)
def _tool_config(root: str, configs: tuple[str, ...], sections: tuple[str, ...]) -> str | None:
    base = Path(root)
    for name in configs:
        if (base / name).is_file():
            return name
    pyproject = base / "pyproject.toml"
    if pyproject.is_file():
        try:
            text = pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        for section in sections:
            if section in text:
                return f"pyproject.toml {section}]"
    return None


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    config = _tool_config(project.root, tuple(ctx.data["configs"]), tuple(ctx.data["pyproject_sections"]))
    if config is None:
        return
    style = re.compile(ctx.data["style"])
    for n, raw in enumerate(file.doc.lines, start=1):
        if in_code_or_comment(file, n) or raw.lstrip().startswith("#") or not style.search(raw):
            continue
        yield RawFinding(
            line=n,
            message=f"style rule \"{raw.strip()[:70]}\" restates what {config} already enforces",
            fix=fix("let-the-formatter", line=n),
            tokens_wasted=count_text(raw) if file.always_loaded_by else 0,
            content_key=raw.strip(),
        )
