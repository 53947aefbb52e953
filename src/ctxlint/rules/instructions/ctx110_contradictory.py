"""contradictory-directives: directives that disagree with each other or with the repository.

Between directives of the files one agent loads together (or within one file): different package
managers, different values of one style setting for the same language (indentation, quotes,
semicolons, line length), "Always X" vs "Never X" (an emphasis prefix such as "IMPORTANT:" does not
hide it), and "never run `cmd`" next to a list that gives `cmd` to run. Against the repository: a
style value the configured formatter contradicts (single quotes where Ruff writes double), a linter
or formatter the project does not use while it uses another of the same kind (ESLint where only Biome
is configured), and a Node or Python version other than the one the repository pins.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.measure.secrets import clip
from ctxlint.model import RawFinding, fix
from ctxlint.rules.instructions.common import in_code_or_comment, normalise
from ctxlint.rules.instructions.tooling import formatter_facts, language_of, nearest_dir, setting_for, stated
from ctxlint.rules.registry import RuleContext, detector

NEGATION = re.compile(r"\b(not|never|don'?t|do not|instead of|rather than|no longer|avoid|replaced|migrat|deprecated|"
                      r"instead|over|vs\.?|versus|from)\b", re.I)
# "IMPORTANT: ALWAYS use tabs" is "always use tabs"
EMPHASIS_PREFIX = re.compile(r"^(?:important|critical|note|warning|rule|mandatory|required)\s*[:!\-–—]+\s*")
POLAR = re.compile(r"^(always|never|do not|don'?t)\s+(.+)$")
CLAUSE_END = re.compile(r"\s*(?:[.;:!?(—–]|\s-\s|,\s*(?:but|unless|except|even|when|if)\b).*$")
FORBID = re.compile(r"(?i)\b(?:never|do not|don'?t|avoid)\s+(?:ever\s+)?(?:run|use|call|execute|invoke|type)?\s*`([^`\n]+)`")
SPAN = re.compile(r"`([^`\n]+)`")
SKIP_DIRS = frozenset({"node_modules", "dist", "build", "out", "target", "vendor", "venv", "coverage", "__pycache__"})
SETTING_WORDS = {"quotes": "quotes", "indent": "indentation", "semicolons": "semicolons", "line_length": "line length"}


@dataclass(frozen=True, slots=True)
class Line:
    file: InstructionFile
    number: int
    raw: str


def _lines(group: list[InstructionFile]) -> Iterator[Line]:
    for f in group:
        for n, raw in enumerate(f.doc.lines, start=1):
            if raw.strip() and not in_code_or_comment(f, n):
                yield Line(f, n, raw)


def _where(first: Line, later: Line) -> str:
    return f"line {first.number}" if first.file is later.file else f"{first.file.path}:{first.number}"


def _directive_use(line: str, tool: str) -> bool:
    """True for an explicit directive to use ``tool``: 'use pnpm', '`pnpm install`', 'run npm ci'."""
    t = re.escape(tool)
    if NEGATION.search(line):
        return False
    return bool(re.search(rf"(?i)\b(use|using|run|always use|prefer)\s+`?{t}\b|`{t}\s+(install|add|i|ci|run|sync)\b", line))


def _polar(raw: str) -> tuple[bool, str] | None:
    """(positive?, normalised action) for a directive that is wholly "Always X" / "Never X"."""
    text = EMPHASIS_PREFIX.sub("", normalise(raw))
    m = POLAR.match(text)
    if not m:
        return None
    action = CLAUSE_END.sub("", m.group(2)).strip()
    if len(action.split()) < 2 or re.search(r"\b(unless|except|when|if|without|only)\b", action):
        return None  # a conditional rule and its opposite can both hold
    return m.group(1) == "always", action


def _value(setting: str, value: str) -> str:
    if setting == "indent":
        return "tabs" if value == "tabs" else f"{value} spaces"
    if setting == "quotes":
        return f"{value} quotes"
    if setting == "semicolons":
        return "semicolons" if value == "always" else "no semicolons"
    return f"line length {value}"


def _groups(project: InstructionProject) -> list[list[InstructionFile]]:
    groups: list[list[InstructionFile]] = []
    for load in project.loads.values():
        # imported files first, like CTX104: the finding lands on the importer's own line
        entries = sorted((e for e in load.entries if not e.dropped), key=lambda e: -e.depth)
        members = [project.by_path(e.path) for e in entries]
        group = [m for m in members if m is not None]
        if group:
            groups.append(group)
    loaded = {id(f) for g in groups for f in g}
    # files loaded on demand (nested, path-scoped) are checked on their own
    return groups + [[f] for f in project.files if id(f) not in loaded]


def _managers(group: list[InstructionFile], ctx: RuleContext) -> Iterator[RawFinding]:
    for family, tools in ctx.data["managers"].items():
        uses: dict[str, Line] = {}
        for line in _lines(group):
            raw = line.raw
            # the substring test first: most lines name no package manager at all
            present = [t for t in tools if t in raw and re.search(rf"\b{re.escape(t)}\b", raw)]
            if len(present) > 1:
                continue  # "npm install -g pnpm", "pnpm (not npm)": about both, a directive for neither
            for tool in present:
                if _directive_use(raw, tool) and tool not in uses:
                    uses[tool] = line
        if len(uses) < 2:
            continue
        order = {id(f): i for i, f in enumerate(group)}  # imported files first: the finding lands on the importer
        (t1, first), (t2, later) = sorted(uses.items(), key=lambda kv: (order[id(kv[1].file)], kv[1].number))[:2]
        yield RawFinding(line=later.number, path=later.file.path,
                         message=f"says to use {t2}, but {_where(first, later)} says to use {t1} (\"{clip(first.raw.strip(), 60)}\")",
                         fix=fix("one-manager", family=family),
                         content_key=f"{family}:{t1}:{t2}")


LABEL_LINE = re.compile(r"^\s*(?:\*\*)?[^.!?]{2,40}:(?:\*\*)?\s*$|^\s*\*\*[^*]{2,40}\*\*\s*$")


def _label_above(line: Line) -> str:
    """The pseudo-heading a line sits under ("Python:", "**TypeScript & Svelte**") within its section."""
    section = line.file.doc.section_at(line.number)
    start = section.start_line if section else 1
    for n in range(line.number - 1, start, -1):
        text = line.file.doc.lines[n - 1]
        if LABEL_LINE.match(text):
            return text
    return ""


def _language(line: Line, clause: str) -> str | None:
    section = line.file.doc.section_at(line.number)
    return (language_of(clause) or language_of(line.raw, formats=False) or language_of(_label_above(line))
            or language_of(section.heading if section else ""))


def _styles(group: list[InstructionFile]) -> Iterator[RawFinding]:
    """Two directives giving one setting different values for the same language."""
    first: dict[tuple[str, str | None], tuple[str, Line]] = {}
    for line in _lines(group):
        if line.raw.lstrip().startswith(("#", "|")):
            continue
        for setting, value, clause in stated(line.raw):
            key = (setting, _language(line, clause))
            if key[1] in ("other", "mixed"):
                continue
            earlier = first.setdefault(key, (value, line))
            if earlier[0] != value:
                other = earlier[1]
                yield RawFinding(
                    line=line.number, path=line.file.path,
                    message=(f"{SETTING_WORDS[setting]}: {_value(setting, value)} here, but {_value(setting, earlier[0])} "
                             f"at {_where(other, line)} (\"{clip(other.raw.strip(), 60)}\")"),
                    fix=fix("state-once"),
                    content_key=f"style:{setting}:{earlier[0]}:{value}")
                break


def _against_formatter(group: list[InstructionFile], project: InstructionProject) -> Iterator[RawFinding]:
    for line in _lines(group):
        if line.raw.lstrip().startswith(("#", "|")):
            continue
        statements = stated(line.raw)
        if not statements or re.search(r"`[^`\s]*/[^`\s]*`", line.raw):
            continue  # a rule about another folder (`cli/python/` uses 100) is not this one's
        facts = formatter_facts(project.root, nearest_dir(project.root, line.file.source.real))
        for setting, value, clause in statements:
            enforced = setting_for(facts, setting, _language(line, clause))
            if enforced is None or enforced.value == value:
                continue
            yield RawFinding(
                line=line.number, path=line.file.path,
                message=(f"says {_value(setting, value)}, but {enforced.source} formats with "
                         f"{_value(setting, enforced.value)}: the formatter will undo what the agent writes"),
                fix=fix("formatter-decides", line=line.number),
                content_key=f"formatter:{setting}:{value}:{line.raw.strip()}")
            break


def _polars(group: list[InstructionFile], seen: set[tuple[str, int]]) -> Iterator[RawFinding]:
    polar: dict[tuple[bool, str], Line] = {}
    for line in _lines(group):
        if line.raw.lstrip().startswith(("#", "|", ">")):
            continue
        found = _polar(line.raw)
        if found is None:
            continue
        positive, action = found
        other = polar.get((not positive, action))
        if other is not None and (line.file.path, line.number) not in seen:
            seen.add((line.file.path, line.number))
            yield RawFinding(line=line.number, path=line.file.path,
                             message=f"\"{clip(line.raw.strip(), 60)}\" contradicts {_where(other, line)} (\"{clip(other.raw.strip(), 60)}\")",
                             fix=fix("decide", action=action),
                             content_key=f"polar:{action}")
        polar.setdefault((positive, action), line)


def _under_negative_heading(line: Line, negative: re.Pattern[str]) -> bool:
    """A list item under "### 🚫 Never Do" or "**Don't:**" says what not to do, whatever its own words."""
    section = line.file.doc.section_at(line.number)
    headings = [*(section.path if section else ()), _label_above(line)]
    return any(negative.search(h) for h in headings if h)


def _forbidden_commands(group: list[InstructionFile], ctx: RuleContext) -> Iterator[RawFinding]:
    """"NEVER run `pnpm typecheck`" and, elsewhere, `pnpm typecheck` listed as a command to run. An
    avoidance with a condition ("avoid `make test` between edits") is no "never"."""
    condition = re.compile(ctx.data["condition_words"])
    negative = re.compile(ctx.data["negative_headings"])
    lines = list(_lines(group))
    forbidden: list[tuple[str, Line]] = []
    for line in lines:
        for m in FORBID.finditer(line.raw):
            clause = CLAUSE_END.sub("", line.raw[m.end():])
            if not condition.search(clause):
                forbidden.append((" ".join(m.group(1).split()), line))
    reported: set[tuple[str, int]] = set()
    for command, origin in forbidden:
        for line in lines:
            if (line is origin or NEGATION.search(line.raw) or line.raw.lstrip().startswith("|")
                    or (line.file.path, line.number) in reported or _under_negative_heading(line, negative)):
                continue
            for span in SPAN.findall(line.raw):
                listed = " ".join(span.split())
                if " " not in listed or not (listed == command or listed.startswith(command + " ")):
                    continue
                reported.add((line.file.path, line.number))
                yield RawFinding(
                    line=line.number, path=line.file.path,
                    message=f"lists `{listed}` to run, but {_where(origin, line)} says never to (\"{clip(origin.raw.strip(), 60)}\")",
                    fix=fix("forbidden-listed", listed=listed, line=line.number),
                    content_key=f"forbidden:{command}:{listed}")
                break


def _evidence(directories: list[Path], tool: dict[str, Any]) -> str | None:
    """Where the repository shows it uses ``tool``: a config file, a dependency or script, a tool table."""
    for directory in directories:
        for name in tool.get("configs", []):
            if (directory / name).exists():
                return str(directory / name)
        package = directory / "package.json"
        if tool.get("packages") and package.is_file():
            try:
                data = json.loads(package.read_text(encoding="utf-8", errors="replace"))
            except (OSError, ValueError):
                data = {}
            if isinstance(data, dict):
                deps = {**(data.get("dependencies") or {}), **(data.get("devDependencies") or {})}
                scripts = " ".join(str(v) for v in (data.get("scripts") or {}).values())
                for pkg in tool["packages"]:
                    if pkg in deps or re.search(rf"(?<![\w@/-]){re.escape(pkg)}\b", scripts):
                        return str(package)
        for name, section in tool.get("sections", []):
            path = directory / name
            try:
                if path.is_file() and section in path.read_text(encoding="utf-8", errors="replace"):
                    return str(path)
            except OSError:
                continue
    return None


@lru_cache(maxsize=16)
def _repo_dirs(root: str, depth: int = 4) -> tuple[Path, ...]:
    """The repository's folders a few levels deep (not dependency or build folders): where a tool may be
    configured for one package of a monorepo."""
    found: list[Path] = []
    base = Path(root)
    for directory, dirs, _ in os.walk(root):
        here = Path(directory)
        level = len(here.relative_to(base).parts)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS) if level < depth else []
        found.append(here)
    return tuple(found)


def _chain(project: InstructionProject, f: InstructionFile) -> list[Path]:
    top = Path(project.root).resolve()
    here = Path(nearest_dir(project.root, f.source.real)).resolve()
    chain = [here]
    while here != top and top in here.parents:
        here = here.parent
        chain.append(here)
    return chain


def _unused_tools(group: list[InstructionFile], project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    """A linter/formatter named as the rule while the project configures another of its kind."""
    tools: dict[str, dict[str, Any]] = ctx.data["tools"]
    patterns = {name: re.compile(rf"(?i)(?<![A-Za-z0-9_@/.-]){re.escape(spec['label'])}(?![A-Za-z0-9_-])") for name, spec in tools.items()}
    status = re.compile(ctx.data["status_words"])
    for line in _lines(group):
        raw = SPAN.sub("", line.raw)  # `profile = "black"` is a setting, not the tool
        if line.raw.lstrip().startswith(("#", "|", ">")) or NEGATION.search(raw) or status.search(raw):
            continue
        named = [name for name, pattern in patterns.items() if pattern.search(raw)]
        if len(named) != 1:
            continue
        name = named[0]
        chain = _chain(project, line.file)
        # used anywhere in the repository (one package of a monorepo) is used
        if _evidence(list(_repo_dirs(project.root)), tools[name]) is not None:
            continue
        for other in tools[name]["rivals"]:
            where = _evidence(chain, tools[other])
            if where is None:
                continue
            shown = Path(where).resolve().relative_to(Path(project.root).resolve())
            yield RawFinding(
                line=line.number, path=line.file.path,
                message=(f"names {tools[name]['label']}, but the project uses {tools[other]['label']} ({shown}) and has no "
                         f"{tools[name]['label']} configuration"),
                fix=fix("configured-tool", tool=tools[other]["label"]),
                content_key=f"tool:{name}:{other}")
            break


def _pinned_versions(project: InstructionProject, f: InstructionFile) -> dict[str, tuple[str, str, str]]:
    """{"node": (major, how it is pinned ("exact"|"min"), source)} from .nvmrc, .node-version,
    .python-version, requires-python."""
    pins: dict[str, tuple[str, str, str]] = {}
    for directory in _chain(project, f):
        for name, runtime in ((".nvmrc", "node"), (".node-version", "node"), (".python-version", "python")):
            path = directory / name
            if runtime in pins or not path.is_file():
                continue
            try:
                text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            except OSError:
                continue
            m = re.match(r"^v?(\d+(?:\.\d+)?)", text[0].strip()) if text else None
            if m:
                version = m.group(1) if runtime == "python" else m.group(1).split(".")[0]
                pins[runtime] = (version, "exact", name)
        pyproject = directory / "pyproject.toml"
        if "python" not in pins and pyproject.is_file():
            try:
                content = pyproject.read_text(encoding="utf-8", errors="replace")
            except OSError:
                content = ""
            m = re.search(r"(?m)^requires-python\s*=\s*[\"']\s*>=\s*(3\.\d+)", content)
            if m:
                pins["python"] = (m.group(1), "min", "pyproject.toml requires-python")
    return pins


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _versions(group: list[InstructionFile], project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    mentions = {runtime: re.compile(pattern) for runtime, pattern in ctx.data["versions"].items()}
    for f in group:
        pins = _pinned_versions(project, f)
        if not pins:
            continue
        for n, raw in enumerate(f.doc.lines, start=1):
            if in_code_or_comment(f, n):
                continue
            for runtime, pattern in mentions.items():
                pin = pins.get(runtime)
                m = pattern.search(raw) if pin else None
                if pin is None or m is None or m.group("open"):
                    continue  # "Node 18+" / "Python 3.10 or later" does not name one version
                said = m.group("version")
                version, kind, source = pin
                if runtime == "node":
                    said = said.split(".")[0]
                wrong = (said != version) if kind == "exact" else (_version_key(said) < _version_key(version))
                if wrong:
                    want = version if kind == "exact" else f">= {version}"
                    yield RawFinding(
                        line=n, path=f.path,
                        message=f"says {m.group(0).strip()}, but the repository pins {runtime} {want} ({source})",
                        fix=fix("pinned-version", runtime=runtime, want=want),
                        content_key=f"version:{runtime}:{said}:{version}")


@detector(scope="project")
def check(project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    seen: set[tuple[str, int]] = set()

    def once(findings: Iterator[RawFinding]) -> Iterator[RawFinding]:
        for finding in findings:
            key = (finding.path or "", finding.line)
            if key not in seen:
                seen.add(key)
                yield finding

    for group in _groups(project):
        yield from once(_managers(group, ctx))
        yield from once(_styles(group))
        yield from once(_polars(group, set()))
        yield from once(_forbidden_commands(group, ctx))
    for f in project.files:
        yield from once(_against_formatter([f], project))
        yield from once(_unused_tools([f], project, ctx))
        yield from once(_versions([f], project, ctx))
