"""contradictory-directives: explicit directives on the same subject that disagree."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import in_code_or_comment, normalise
from ctxlint.rules.registry import RuleContext, detector

NEGATION = re.compile(r"\b(not|never|don'?t|do not|instead of|rather than|no longer|avoid|replaced|migrat|deprecated|"
                      r"instead|over|vs\.?|versus|from)\b", re.I)
INDENT = re.compile(r"(?i)\b(\d)\s*-?\s*spaces?\b.*\bindent|\bindent\w*\b.*?\b(\d)\s*-?\s*spaces?\b|\b(tabs)\b.*\bindent|\bindent\w*\b.*\b(tabs)\b")


def _directive_use(line: str, tool: str) -> bool:
    """True for an explicit directive to use ``tool``: 'use pnpm', '`pnpm install`', 'run npm ci'."""
    t = re.escape(tool)
    if NEGATION.search(line):
        return False
    return bool(re.search(rf"(?i)\b(use|using|run|always use|prefer)\s+`?{t}\b|`{t}\s+(install|add|i|ci|run|sync)\b", line))


POLAR = re.compile(r"^(always|never|do not|don'?t)\s+(.+)$")
CLAUSE_END = re.compile(r"\s*(?:[.;:!?(—–]|\s-\s|,\s*(?:but|unless|except|even|when|if)\b).*$")


def _polar(raw: str) -> tuple[bool, str] | None:
    """(positive?, normalised action) for a directive that is wholly "Always X" / "Never X"."""
    text = normalise(raw)
    m = POLAR.match(text)
    if not m:
        return None
    action = CLAUSE_END.sub("", m.group(2)).strip()
    if len(action.split()) < 2 or re.search(r"\b(unless|except|when|if|without|only)\b", action):
        return None  # a conditional rule and its opposite can both hold
    return m.group(1) == "always", action


def _width(value: str) -> str:
    return "tabs" if value == "tabs" else f"{value} spaces"


def _files(project: InstructionProject) -> list[list[InstructionFile]]:
    groups: list[list[InstructionFile]] = []
    for load in project.loads.values():
        # imported files first, like CTX104: the finding lands on the importer's own line
        entries = sorted((e for e in load.entries if not e.dropped), key=lambda e: -e.depth)
        members = [project.by_path(e.path) for e in entries]
        group = [m for m in members if m is not None]
        if group:
            groups.append(group)
    return groups or [[f] for f in project.files]


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    seen: set[tuple[str, int]] = set()
    for group in _files(project):
        for family, tools in ctx.data["managers"].items():
            uses: dict[str, tuple[InstructionFile, int, str]] = {}
            for f in group:
                for n, raw in enumerate(f.doc.lines, start=1):
                    if in_code_or_comment(f, n):
                        continue
                    # the substring test first: most lines name no package manager at all
                    present = [t for t in tools if t in raw and re.search(rf"\b{re.escape(t)}\b", raw)]
                    if len(present) > 1:
                        continue  # "npm install -g pnpm", "pnpm (not npm)": about both, a directive for neither
                    for tool in present:
                        if _directive_use(raw, tool) and tool not in uses:
                            uses[tool] = (f, n, raw.strip())
            if len(uses) < 2:
                continue
            items = sorted(uses.items(), key=lambda kv: (kv[1][0].path, kv[1][1]))
            (t1, (f1, l1, r1)), (t2, (f2, l2, _)) = items[0], items[1]
            if (f2.path, l2) in seen:
                continue
            seen.add((f2.path, l2))
            where = f"line {l1}" if f1 is f2 else f"{f1.path}:{l1}"
            yield RawFinding(line=l2, path=f2.path,
                             message=f"says to use {t2}, but {where} says to use {t1} (\"{r1[:60]}\")",
                             fix=fix("one-manager", family=family),
                             content_key=f"{family}:{t1}:{t2}")
        indents: list[tuple[InstructionFile, int, str]] = []
        for f in group:
            for n, raw in enumerate(f.doc.lines, start=1):
                if in_code_or_comment(f, n):
                    continue
                m = INDENT.search(raw)
                if m:
                    value = next(g for g in m.groups() if g)
                    indents.append((f, n, value))
        values = {v for _, _, v in indents}
        if len(values) > 1:
            (f1, l1, v1) = indents[0]
            (f2, l2, v2) = next(i for i in indents if i[2] != v1)
            if (f2.path, l2) not in seen:
                seen.add((f2.path, l2))
                yield RawFinding(line=l2, path=f2.path,
                                 message=f"indentation with {_width(v2)} here, but {_width(v1)} at {f1.path}:{l1}",
                                 fix=fix("one-indent"),
                                 content_key=f"indent:{v1}:{v2}")
        polar: dict[tuple[bool, str], tuple[InstructionFile, int, str]] = {}
        for f in group:
            for n, raw in enumerate(f.doc.lines, start=1):
                if in_code_or_comment(f, n) or raw.lstrip().startswith(("#", "|", ">")):
                    continue
                found = _polar(raw)
                if found is None:
                    continue
                positive, action = found
                other = polar.get((not positive, action))
                if other is not None and (f.path, n) not in seen:
                    seen.add((f.path, n))
                    f1, l1, r1 = other
                    where = f"line {l1}" if f1 is f else f"{f1.path}:{l1}"
                    yield RawFinding(line=n, path=f.path,
                                     message=f"\"{raw.strip()[:60]}\" contradicts {where} (\"{r1[:60]}\")",
                                     fix=fix("decide", action=action),
                                     content_key=f"polar:{action}")
                polar.setdefault((positive, action), (f, n, raw.strip()))
