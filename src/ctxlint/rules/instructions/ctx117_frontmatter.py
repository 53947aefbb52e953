"""invalid-frontmatter: rule headers the agent rejects or misreads."""

from __future__ import annotations

import difflib
import glob
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ctxlint._runtime.git import run_git
from ctxlint.instructions.agents import (
    KIRO_INCLUSIONS,
    WINDSURF_TRIGGERS,
    activation,
    lenient_front_matter,
    split_globs,
)
from ctxlint.instructions.globs import matches_a_file
from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.markdown import Document
from ctxlint.model import RawFinding, Severity, TextEdit, fix
from ctxlint.rules.registry import RuleContext, detector

ALWAYS_RE = re.compile(r"^(\s*alwaysApply\s*:\s*)(.+?)\s*$")
TRUTHY = {"yes", "on", "\"true\"", "'true'", "\"yes\"", "'yes'", "True", "TRUE", "y"}
FALSY = {"no", "off", "\"false\"", "'false'", "\"no\"", "'no'", "False", "FALSE", "n"}
MATCH_ALL = ("**", "**/*", "*")
BRACES = re.compile(r"\{([^{}]*)\}")
ACTIVATION_KIND = {"cursor": "cursor", "copilot": "applyTo", "claude": "paths", "cline": "cline", "windsurf": "trigger",
                   "kiro": "inclusion"}
# Rule files whose agents read unquoted globs (`globs: *.ts`, not valid YAML) with a lenient parser.
LENIENT_KINDS = ("cursor", "windsurf", "kiro")
ROLE_KIND = {"copilot-path": "copilot", "claude-rule": "claude", "skill": "skill", "cline-rule": "cline",
             "windsurf-rule": "windsurf", "kiro-steering": "kiro"}
SKILL_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _kind(file: InstructionFile) -> str | None:
    if file.role == "cursor-rule" and file.path.endswith(".mdc"):
        return "cursor"
    return ROLE_KIND.get(file.role)


def _globs(value: object) -> list[str]:
    if isinstance(value, str):
        return split_globs(value)
    if isinstance(value, list):
        return [str(g).strip() for g in value if str(g).strip()]
    return []


def expand_braces(pattern: str) -> list[str]:
    """`src/**/*.{ts,tsx}` -> `src/**/*.ts`, `src/**/*.tsx` (nested braces expand one level at a time)."""
    m = BRACES.search(pattern)
    if m is None:
        return [pattern]
    out: list[str] = []
    for choice in m.group(1).split(","):
        out += expand_braces(pattern[: m.start()] + choice + pattern[m.end() :])
    return out[:64]


def _matches(root: Path, pattern: str) -> bool:
    """Whether the glob matches a file or folder of the repository, wherever it is rooted (agents
    match `*.ts` against every folder)."""
    pattern = pattern.lstrip("/").removeprefix("./")
    return any(matches_a_file(str(root), p) for p in expand_braces(pattern))  # bounded, whatever the pattern


def _literal_brackets(pattern: str) -> str | None:
    """The pattern with its `[...]` taken literally (`app/[slug]/page.tsx`), when it has any."""
    if "[" not in pattern:
        return None
    return re.sub(r"\[[^\]/]*\]", lambda m: glob.escape(m.group(0)), pattern)


@lru_cache(maxsize=256)
def _ignored(root: str, prefix: str) -> bool:
    """Whether git ignores ``prefix`` (a pattern's literal folders): such folders exist only locally."""
    if not prefix:
        return False
    try:
        done = run_git(root, "check-ignore", "-q", "--no-index", prefix, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _in_ignored_folder(root: str, pattern: str) -> bool:
    """Whether the pattern's literal folders (`.worktrees/` in `**/.worktrees/**`, `tmp/cache/` in
    `tmp/cache/*.json`) are git-ignored: such folders exist on the author's machine, not in a checkout."""
    parts: list[str] = []
    for part in pattern.lstrip("/").removeprefix("./").split("/")[:-1]:
        if part == "**" and not parts:
            continue  # `**/x/`: x anywhere, and at the top too
        if any(ch in part for ch in "*?[{"):
            break
        parts.append(part)
        if _ignored(root, "/".join(parts) + "/"):
            return True
    return False


def _key_line(doc: Document, key: str) -> int:
    return next((n for n, raw in enumerate(doc.lines[: doc.front_matter_end_line], 1)
                 if raw.lstrip().startswith(f"{key}:")), 1)


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    """Rule files and skills (which no other rule reads: only their front matter is the agents')."""
    for file in (*project.files, *project.skills):
        kind = _kind(file)
        if kind is None or file.context_only:
            continue
        for found in _check(file, project, ctx, kind):
            yield replace(found, path=file.path)


def _check(file: InstructionFile, project: InstructionProject, ctx: RuleContext, kind: str) -> Iterator[RawFinding]:
    doc = file.doc
    loose = lenient_front_matter(doc.front_matter_raw or "") if doc.front_matter_error else None
    if loose is not None and kind in LENIENT_KINDS:
        # Cursor (and Windsurf, Kiro) write `globs: *.ts` unquoted (not valid YAML) and read it leniently.
        doc = replace(doc, front_matter=loose, front_matter_error=None)
    if loose is not None and kind == "skill":
        # An unquoted `: ` inside a description: Claude Code reads it leniently; strict readers (Codex's
        # skill loader, the `skills` CLI) drop the whole skill.
        lenient = "/.claude/" in "/" + file.path
        yield RawFinding(line=1, severity=Severity.INFO if lenient else Severity.WARNING,
                         message=(f"{doc.front_matter_error} (an unquoted `: ` inside a value): "
                                  + ("Claude Code reads it, but strict readers of the Agent Skills format drop the "
                                     "skill" if lenient else "strict readers such as Codex drop the skill")),
                         fix=fix("quote"),
                         content_key="yaml")
        doc = replace(doc, front_matter=loose, front_matter_error=None)
    if doc.front_matter_error:
        yield RawFinding(line=1, message=doc.front_matter_error, fix=fix("yaml"),
                         content_key="yaml")
        return
    fm = doc.front_matter
    if fm is None:
        if kind == "copilot":
            yield RawFinding(line=1, message="no front matter: `applyTo` is required in .instructions.md files",
                             fix=fix("header"), content_key="missing")
        elif kind == "skill":
            yield RawFinding(line=1, severity=Severity.WARNING,
                             message="a skill without front matter has no `description`: the agent cannot know when "
                                     "to use it", fix=fix("skill-header"),
                             content_key="skill-missing")
        elif kind == "windsurf":
            yield _no_trigger()
        return
    if kind == "skill":
        yield from _skill(file, doc, ctx)
        return
    yield from _unknown_keys(doc, fm, ctx, kind)
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
    if kind == "windsurf":
        yield from _mode(doc, fm, _WINDSURF)
    if kind == "kiro":
        yield from _mode(doc, fm, _KIRO)
    yield from _dead_globs(doc, fm, project, kind)
    body = "\n".join(doc.lines[doc.front_matter_end_line :]).strip()
    if not body:
        yield RawFinding(line=max(1, doc.front_matter_end_line), severity=Severity.WARNING,
                         message="the rule has front matter but no body",
                         fix=fix("empty"), content_key="empty")


def _unknown_keys(doc: Document, fm: dict[str, object], ctx: RuleContext, kind: str) -> Iterator[RawFinding]:
    """An unknown key is harmless metadata (info) unless the author meant it to decide when the rule loads:
    a misspelt key, another agent's activation key standing in for this one's, or a value that names an
    activation mode (`type: always`)."""
    known = set(ctx.data["keys"][kind])
    own = set(ctx.data["activation_keys"][kind])
    others = {k: agent for agent, keys in ctx.data["activation_keys"].items() if agent != kind for k in keys}
    modes: dict[str, str] = ctx.data["mode_words"]
    actual = activation(ACTIVATION_KIND[kind], doc).mode
    for key in fm:
        if key in known:
            continue
        line = _key_line(doc, key)
        squashed = key.lower().replace("_", "").replace("-", "")
        near = difflib.get_close_matches(squashed, [k.lower() for k in known], n=1, cutoff=0.8)
        value = str(fm[key]).strip().lower()
        if near:
            meant = next(k for k in known if k.lower() == near[0])
            yield RawFinding(line=line, severity=Severity.WARNING,
                             message=f"unknown front-matter key `{key}`: the agent ignores it; did you mean `{meant}`?",
                             fix=fix("rename-key", key=key, meant=meant), content_key=f"key:{key}")
        elif key in others and key not in own and not (own & set(fm)) and not _everywhere(fm[key]):
            yield RawFinding(line=line, severity=Severity.WARNING,
                             message=(f"`{key}` is {others[key]}'s key; this agent reads "
                                      f"{' or '.join(f'`{k}`' for k in sorted(own))}, so the rule is not scoped as "
                                      "written"),
                             fix=fix("own-key", keys=" or ".join(f"`{k}`" for k in sorted(own))),
                             content_key=f"key:{key}")
        elif value in modes and modes[value] != actual:
            yield RawFinding(line=line, severity=Severity.WARNING,
                             message=(f"`{key}: {fm[key]}` is not a key the agent reads; the rule does not load "
                                      f"\"{value}\" as intended"),
                             fix=fix("mode-key", keys=" / ".join(f"`{k}`" for k in sorted(own)), key=key),
                             content_key=f"key:{key}")
        else:
            yield RawFinding(line=line, severity=Severity.INFO,
                             message=f"front-matter key `{key}` is ignored by the agent (harmless metadata"
                                     + (f"; the rule loads \"{value}\" anyway through its other keys)" if value in modes
                                        else ")"),
                             fix=fix("unknown-key", key=key), content_key=f"key:{key}")


def _everywhere(value: object) -> bool:
    """Patterns that match every file (`**/*`): a rule loaded everywhere, as an unscoped rule is anyway."""
    patterns = _globs(value)
    return bool(patterns) and all(p in MATCH_ALL for p in patterns)


def _dead_globs(doc: Document, fm: dict[str, object], project: InstructionProject, kind: str) -> Iterator[RawFinding]:
    """A pattern list of which no pattern matches a file: the rule never loads. One dead pattern among
    live ones is harmless (template globs, a package to come)."""
    root = Path(project.root)
    for key in ("globs", "paths", "applyTo", "fileMatchPattern"):
        patterns = [p for p in _globs(fm.get(key)) if not p.startswith("!")]
        if not patterns or any(p in MATCH_ALL or _matches(root, p) for p in patterns):
            continue
        if any(_in_ignored_folder(str(root), p) for p in patterns):
            continue  # a git-ignored folder (`.worktrees/`): it exists on the author's machine, not in a checkout
        line = next((n for n, raw in enumerate(doc.lines[: doc.front_matter_end_line], 1)
                     if raw.lstrip().startswith(f"{key}:")), 1)
        literal = [p for p in patterns if (lit := _literal_brackets(p)) is not None and _matches(root, lit)]
        if literal:
            message = (f"`{key}` pattern `{literal[0]}` matches no file: `[...]` is a character class in a glob, so "
                       f"it does not match the folder of that name")
            how = fix("escape-brackets", pattern=_literal_brackets(literal[0]))
        else:
            described = kind == "cursor" and key == "globs" and bool(str(fm.get("description") or "").strip())
            outcome = ("it never attaches the rule (only its description can bring it in)" if described
                       else "the rule never loads")
            if len(patterns) == 1:
                message = f"`{key}` pattern `{patterns[0]}` matches no file in the repository: {outcome}"
                how = fix("glob", pattern=patterns[0])
            else:
                message = (f"none of the {len(patterns)} `{key}` patterns "
                           f"({', '.join(f'`{p}`' for p in patterns[:4])}) matches a file in the repository: {outcome}")
                how = fix("globs")
            yield RawFinding(line=line, severity=Severity.INFO if described else Severity.WARNING, message=message,
                             fix=how, content_key=f"glob:{','.join(patterns)}")
            continue
        yield RawFinding(line=line, severity=Severity.WARNING, message=message, fix=how,
                         content_key=f"glob:{','.join(patterns)}")


def _skill(file: InstructionFile, doc: Document, ctx: RuleContext) -> Iterator[RawFinding]:
    """The Agent Skills spec: `name` of lowercase letters, digits and single hyphens, at most 64 characters,
    the skill's folder name; `description` present, at most 1,024 characters."""
    fm = doc.front_matter or {}
    folder = Path(file.path).parent.name
    name = str(fm.get("name") or "").strip()
    if name and (name != folder or len(name) > ctx["skill-name-chars"] or not SKILL_NAME.match(name)):
        why = (f"is {len(name)} characters (at most {ctx['skill-name-chars']})" if len(name) > ctx["skill-name-chars"]
               else f"differs from its folder `{folder}`" if name != folder
               else "has characters other than lowercase letters, digits and single hyphens")
        yield RawFinding(line=_key_line(doc, "name"), severity=Severity.WARNING,
                         message=f"skill name `{name}` {why}; agents that follow the Agent Skills spec reject it",
                         fix=fix("skill-name", folder=folder), content_key="skill-name")
    description = str(fm.get("description") or "").strip()
    if not description:
        yield RawFinding(line=1, severity=Severity.WARNING,
                         message="the skill has no `description`: the agent cannot know when to use it",
                         fix=fix("skill-description"),
                         content_key="skill-description")
    elif len(description) > ctx["skill-description-chars"]:
        # Claude Code lists a longer one (cut at 1,536 characters: CTX103); stricter readers reject it.
        lenient = "/.claude/" in "/" + file.path
        yield RawFinding(line=_key_line(doc, "description"), severity=Severity.INFO if lenient else Severity.WARNING,
                         message=(f"the skill's description is {len(description):,} characters; the Agent Skills spec "
                                  f"allows {ctx['skill-description-chars']:,}"),
                         fix=fix("skill-description-long"),
                         content_key="skill-description-long")


def _no_trigger() -> RawFinding:
    return RawFinding(line=1, severity=Severity.WARNING,
                      message="no `trigger`: Windsurf applies a rule without one only when it is @-mentioned",
                      fix=fix("trigger"), content_key="trigger-missing")


@dataclass(frozen=True)
class _ModeKey:
    """A front-matter key that picks how a rule loads, and what each of its modes needs beside it."""

    key: str
    known: dict[str, str]  # value -> how it loads (instructions.agents)
    agent: str
    required: bool  # absent: the rule loads only when @-mentioned (Windsurf) / it is `always` (Kiro)
    # mode value -> (key it needs, example value, what happens without it, the finding's content key)
    needs: dict[str, tuple[str, str, str, str]]


_WINDSURF = _ModeKey("trigger", WINDSURF_TRIGGERS, "Windsurf", True, {
    "glob": ("globs", "\"src/**/*.ts\"", "the rule never loads", "trigger-globs"),
    "model_decision": ("description", "<when the rule applies>", "Cascade has nothing to decide on",
                       "trigger-description"),
    "agent": ("description", "<when the rule applies>", "Cascade has nothing to decide on", "trigger-description"),
})
_KIRO = _ModeKey("inclusion", KIRO_INCLUSIONS, "Kiro", False, {
    "fileMatch": ("fileMatchPattern", "\"src/**/*.ts\"", "the steering file never loads", "inclusion-pattern"),
    "auto": ("description", "<when the steering applies>", "Kiro has nothing to match requests against",
             "inclusion-description"),
})


def _mode(doc: Document, fm: dict[str, object], mode: _ModeKey) -> Iterator[RawFinding]:
    """The key that picks a rule's mode (Windsurf's `trigger`, Kiro's `inclusion`): a value the agent
    knows, with the key that mode needs."""
    if mode.key not in fm:
        if mode.required:
            yield _no_trigger()
        return
    value = str(fm[mode.key]).strip()
    line = _key_line(doc, mode.key)
    if value not in mode.known:
        yield _unknown_value(mode.key, value, line, mode.known, mode.agent)
        return
    if value not in mode.needs:
        return
    needed, example, without, content_key = mode.needs[value]
    present = _globs(fm.get(needed)) if needed != "description" else str(fm.get(needed) or "").strip()
    if not present:
        yield RawFinding(line=line, severity=Severity.WARNING,
                         message=f"`{mode.key}: {value}` without `{needed}`: {without}",
                         fix=fix("needs-key", key=needed, example=example),
                         content_key=content_key)


def _unknown_value(key: str, value: str, line: int, known: dict[str, str], agent: str) -> RawFinding:
    near = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    listed = ", ".join(f"`{k}`" for k in known)
    return RawFinding(line=line,
                      message=f"`{key}: {value}` is not a value {agent} knows ({listed}): the rule does not load as meant",
                      fix=fix("value", key=key, value=near[0]) if near else fix("values", key=key, values=listed),
                      content_key=f"{key}-value")
