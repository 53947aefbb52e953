"""What each agent reads from a repository, as data (``agents.yaml``), and the few pieces of logic the
data names: how a rule file's front matter decides when it loads, and which agent a file name belongs to.

``instructions.files`` asks ``place`` which files are instruction files; ``instructions.build`` turns the
specs into each agent's start-up load.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ctxlint.markdown import Document

# How a file reaches an agent's context.
START = "start"  # at session start: paid on every request
LAZY = "lazy"  # when the agent works in the file's directory
CHAIN = "chain"  # at start, when the agent is started in the file's directory (with the chain above it)
WORKSPACE = "workspace"  # at start, when the agent is started in the file's folder (a project of its own)
SCOPED = "scoped"  # when files matching its globs are in context
REQUESTED = "requested"  # its description is listed; the agent pulls the body in when relevant
MANUAL = "manual"  # only when the user mentions it
MODE = "mode"  # when the agent runs in the mode its folder names (Roo Code's `.roo/rules-architect/`)
NEVER = "never"

# What decides when a rule file loads, by the front-matter key the agent reads (see agents.yaml).
ACTIVATIONS = ("paths", "cline", "cursor", "applyTo", "trigger", "inclusion", "plain", "mode")
WINDSURF_TRIGGERS = {"always_on": START, "glob": SCOPED, "model_decision": REQUESTED, "agent": REQUESTED,
                     "manual": MANUAL}
KIRO_INCLUSIONS = {"always": START, "fileMatch": SCOPED, "auto": REQUESTED, "manual": MANUAL}
NESTED = (LAZY, CHAIN, "none")
TRUE_RE = re.compile(r"^\s*alwaysApply\s*:\s*true\s*(#.*)?$", re.M)
APPLY_EVERYWHERE = ("**", "**/*", "*")


@dataclass(frozen=True, slots=True)
class RuleDir:
    """A folder of rule files (``.claude/rules``, ``.cursor/rules``) and how their front matter activates them.
    ``dir`` may end in a pattern (``.roo/rules-*``); ``exclude`` names sub-folders that hold no rules."""

    dir: str
    suffix: str
    activation: str
    ignored_suffix: str | None = None
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """One agent's instruction files, as ``agents.yaml`` describes them."""

    name: str
    directory_files: tuple[str, ...] = ()
    first_per_directory: bool = False
    nested: str = "none"
    root_files: tuple[str, ...] = ()  # `A|B`: the first of these names that exists
    fallback_root_files: tuple[str, ...] = ()  # read only when the rule folders hold no rule
    fallback_files: tuple[str, ...] = ()
    rule_dirs: tuple[RuleDir, ...] = ()
    chain_rule_dirs: bool = False  # rule folders of the directories above the working directory load too
    skill_dirs: tuple[str, ...] = ()
    import_depth: int = 0
    strip_block_comments: bool = False
    budget_bytes: int | None = None
    max_file_bytes: int | None = None
    names_setting: tuple[str, tuple[str, ...]] | None = None  # (settings file, keys)
    instructions_setting: tuple[tuple[str, ...], str] | None = None  # (settings files, key listing more files)
    file_chars: int | None = None  # characters of a rule file that reach the model
    total_chars: int | None = None  # characters of all rule files together that reach the model
    user_files: tuple[str, ...] = ()
    first_user_file: bool = False
    case_variants: bool = False
    uses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Activation:
    """When a rule file loads: ``mode`` (START, SCOPED, REQUESTED, MANUAL, NEVER) and what decides it."""

    mode: str
    detail: str = ""  # the globs, or why it never loads


@dataclass(frozen=True, slots=True)
class Place:
    """What a path is for the agents: its owner (the agent whose own file it is) and its kind."""

    owner: str
    kind: str  # directory-file | root-file | rule | skill | memory
    case_variant_of: str | None = None  # `Claude.md` -> "CLAUDE.md"


@dataclass(frozen=True, slots=True)
class AgentData:
    specs: dict[str, AgentSpec]
    asset_dirs: frozenset[str]
    project_markers: tuple[str, ...]


@lru_cache(maxsize=1)
def agent_data() -> AgentData:
    import yaml

    text = resources.files("ctxlint.instructions").joinpath("agents.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    asset_dirs = frozenset(raw.pop("asset_dirs", ()))
    markers = tuple(raw.pop("project_markers", ()))
    return AgentData({name: _spec(name, body) for name, body in raw.items()}, asset_dirs, markers)


def specs() -> dict[str, AgentSpec]:
    return agent_data().specs


def _spec(name: str, body: dict[str, Any]) -> AgentSpec:
    rule_dirs = tuple(RuleDir(r["dir"], r["suffix"], r["activation"], r.get("ignored_suffix"),
                              tuple(r.get("exclude", ())))
                      for r in body.get("rule_dirs", ()))
    if any(r.activation not in ACTIVATIONS for r in rule_dirs):
        raise ValueError(f"agents.yaml: {name}: unknown rule activation")
    nested = body.get("nested", "none")
    if nested not in NESTED:
        raise ValueError(f"agents.yaml: {name}: unknown nested mode {nested!r}")
    setting = body.get("names_setting")
    listing = body.get("instructions_setting")
    limits = body.get("char_limits") or {}
    return AgentSpec(
        name=name,
        directory_files=tuple(body.get("directory_files", ())),
        first_per_directory=bool(body.get("first_per_directory", False)),
        nested=nested,
        root_files=tuple(body.get("root_files", ())),
        fallback_root_files=tuple(body.get("fallback_root_files", ())),
        fallback_files=tuple(body.get("fallback_files", ())),
        rule_dirs=rule_dirs,
        chain_rule_dirs=bool(body.get("chain_rule_dirs", False)),
        skill_dirs=tuple(body.get("skill_dirs", ())),
        import_depth=int(body.get("import_depth", 0)),
        strip_block_comments=bool(body.get("strip_block_comments", False)),
        budget_bytes=body.get("budget_bytes"),
        max_file_bytes=body.get("max_file_bytes"),
        names_setting=(setting["file"], tuple(setting["keys"])) if setting else None,
        instructions_setting=(tuple(listing["files"]), str(listing["key"])) if listing else None,
        file_chars=limits.get("file"),
        total_chars=limits.get("total"),
        user_files=tuple(body.get("user_files", ())),
        first_user_file=bool(body.get("first_user_file", False)),
        case_variants=bool(body.get("case_variants", False)),
        uses=tuple(body.get("uses", ())),
    )


# ---------------------------------------------------------------------------------------------
# Which files are instruction files


def alternatives(listed: str) -> tuple[str, ...]:
    """The names a ``root_files`` entry stands for: `AGENTS.md|AGENT.md` is the first of the two that exists."""
    return tuple(listed.split("|"))


def own_names(spec: AgentSpec) -> list[tuple[str, str]]:
    """Every file name the agent reads by name, with its kind (directory-file, root-file)."""
    out = [(n, "directory-file") for n in spec.directory_files]
    out += [(n, "root-file") for listed in (*spec.root_files, *spec.fallback_root_files) for n in alternatives(listed)]
    return out


def place(parts: tuple[str, ...]) -> Place | None:
    """What the file at ``parts`` (relative to the working directory) is for the agents; None when no
    agent reads a file there. The first agent in ``agents.yaml`` that names a file is its owner."""
    if not parts:
        return None
    name = parts[-1]
    rel = "/".join(parts)
    for spec in specs().values():
        # A file in a rule folder is a rule, whatever its name (`.roo/rules-code/AGENTS.md`).
        for rd in spec.rule_dirs:
            if name.endswith(rd.suffix) and rule_folder_index(parts, rd) is not None:
                return Place(spec.name, "rule")
    for spec in specs().values():
        for listed, kind in own_names(spec):
            if rel == listed or rel.endswith("/" + listed):
                return Place(spec.name, kind)
        for sd in spec.skill_dirs:
            prefix = _dir_index(parts[:-1], sd)
            if prefix is not None and name == "SKILL.md" and len(parts) - 2 - prefix == 1:
                return Place(spec.name, "skill")
    if name == "MEMORY.md" and "memory" in parts[:-1]:
        return Place("claude-code", "memory")
    if len(parts) == 1:
        for spec in specs().values():
            for listed in spec.directory_files:
                if spec.case_variants and "/" not in listed and name != listed and name.lower() == listed.lower():
                    return Place(spec.name, "directory-file", case_variant_of=listed)
    return None


def rule_folder_index(parts: tuple[str, ...], rd: RuleDir) -> int | None:
    """Where the rule folder ``rd`` ends among the parents of the file at ``parts`` (rule files may sit in
    sub-folders of it, except the ``exclude``d ones); None when the file is not in such a folder."""
    index = _dir_index(parts[:-1], rd.dir)
    if index is None or (index + 1 < len(parts) - 1 and parts[index + 1] in rd.exclude):
        return None
    return index


def top_rule_folder(parts: tuple[str, ...], rd: RuleDir) -> str | None:
    """The rule folder (`.roo/rules-architect`) holding the file at ``parts`` when that folder sits at the top
    of the working directory; None otherwise."""
    index = rule_folder_index(parts, rd)
    if index is None or index != len(rd.dir.split("/")) - 1:
        return None
    return "/".join(parts[: index + 1])


def ignored_rule_file(parts: tuple[str, ...]) -> str | None:
    """A file in a rule folder with a suffix the agent skips although authors put rules in it
    (`.cursor/rules/x.md`): the agent that skips it, or None. A README there is for people: never counted."""
    name = parts[-1] if parts else ""
    if name.lower() == "readme.md":
        return None
    for spec in specs().values():
        for rd in spec.rule_dirs:
            if rule_folder_as_file(parts, rd):
                return spec.name
            if (rd.ignored_suffix and name.endswith(rd.ignored_suffix) and not name.endswith(rd.suffix)
                    and rule_folder_index(parts, rd) is not None):
                return spec.name
    return None


def rule_folder_as_file(parts: tuple[str, ...], rd: RuleDir) -> bool:
    """Whether ``parts`` is a file where the agent expects its rule folder (`.windsurf/rules` written as one
    file): the agent reads the files inside such a folder, never a file of that name."""
    if "/" not in rd.dir or "*" in rd.dir:
        return False
    rel = "/".join(parts)
    return rel == rd.dir or rel.endswith("/" + rd.dir)


def _dir_index(parents: tuple[str, ...], folder: str) -> int | None:
    """The index of the last part of ``folder`` (e.g. `.cursor/rules`, `.roo/rules-*`) inside ``parents``, when
    ``parents`` contains it; rule files may sit in sub-folders of it."""
    want = tuple(folder.split("/"))
    for i in range(len(parents) - len(want), -1, -1):
        if all(fnmatch.fnmatchcase(parents[i + j], part) for j, part in enumerate(want)):
            return i + len(want) - 1
    return None


@lru_cache(maxsize=1)
def hidden_folders() -> frozenset[str]:
    """The hidden folders that hold some agent's instruction files (`.claude`, `.roo`, `.clinerules`)."""
    out: set[str] = set()
    for spec in specs().values():
        folders = [rd.dir for rd in spec.rule_dirs] + list(spec.skill_dirs)
        folders += [n.rsplit("/", 1)[0] for n, _ in own_names(spec) if "/" in n]
        out.update(f.split("/")[0] for f in folders if f.startswith("."))
    return frozenset(out)


@lru_cache(maxsize=1)
def plain_names() -> frozenset[str]:
    """Names of instruction files that are not Markdown (`.cursorrules`, `.windsurfrules`), and the last part of
    the rule folders, which authors sometimes write as one file (`.windsurf/rules`)."""
    names = {n for spec in specs().values() for n, _ in own_names(spec) if "/" not in n and not n.endswith(".md")}
    names |= {rd.dir.rsplit("/", 1)[-1] for spec in specs().values() for rd in spec.rule_dirs
              if "/" in rd.dir and "*" not in rd.dir}
    return frozenset(names)


def is_project_folder(names: set[str]) -> bool:
    """Whether a folder holding ``names`` is a project of its own (an agent may be started there)."""
    return any(fnmatch.filter(names, marker) for marker in agent_data().project_markers)


# ---------------------------------------------------------------------------------------------
# When a rule file loads


def activation(kind: str, doc: Document, folder: str = "") -> Activation:
    """When a rule file whose folder activates by ``kind`` loads, from its front matter (``folder``: the rule
    folder holding it, which names the mode for ``mode``)."""
    fm = doc.front_matter or {}
    raw = doc.front_matter_raw or ""
    if kind == "plain":
        return Activation(START)
    if kind == "mode":
        return Activation(MODE, folder.rsplit("/", 1)[-1].removeprefix("rules-"))
    if kind == "paths":
        patterns = _patterns(fm.get("paths"))
        return Activation(SCOPED, ", ".join(patterns)) if patterns else Activation(START)
    if kind == "cline":
        # Cline: no `paths` = always; `paths: []` = never.
        if "paths" not in fm:
            return Activation(START)
        patterns = _patterns(fm.get("paths"))
        return Activation(SCOPED, ", ".join(patterns)) if patterns else Activation(NEVER, "`paths` is empty")
    if kind == "trigger":
        return _windsurf(fm, raw)
    if kind == "inclusion":
        return _kiro(fm, raw)
    if kind == "cursor":
        if TRUE_RE.search(raw):
            return Activation(START)
        globs = _patterns(fm.get("globs")) or _patterns(_loose_value(raw, "globs"))
        if globs:
            return Activation(SCOPED, ", ".join(globs))
        if str(fm.get("description") or _loose_value(raw, "description") or "").strip():
            return Activation(REQUESTED)
        return Activation(MANUAL, "no front matter" if doc.front_matter_raw is None else "neither description nor globs")
    # applyTo (Copilot .instructions.md)
    excluded = {str(a).strip() for a in _patterns(fm.get("excludeAgent"))}
    if "coding-agent" in excluded:
        return Activation(NEVER, "excludeAgent: coding-agent (code review only)")
    patterns = _patterns(fm.get("applyTo"))
    if not patterns:
        return Activation(MANUAL, "no applyTo")
    if any(p in APPLY_EVERYWHERE for p in patterns):
        return Activation(START)
    return Activation(SCOPED, ", ".join(patterns))


def _windsurf(fm: dict[str, Any], raw: str) -> Activation:
    """Windsurf's `trigger`: a rule without one is applied only when @-mentioned (intellectronica/ruler#178)."""
    trigger = str(fm.get("trigger") or _loose_value(raw, "trigger") or "").strip()
    mode = WINDSURF_TRIGGERS.get(trigger)
    if mode == SCOPED:
        globs = _patterns(fm.get("globs")) or _patterns(_loose_value(raw, "globs"))
        return Activation(SCOPED, ", ".join(globs)) if globs else Activation(NEVER, "`trigger: glob` without `globs`")
    if mode is not None:
        return Activation(mode)
    return Activation(MANUAL, f"unknown trigger `{trigger}`" if trigger else "no `trigger`")


def _kiro(fm: dict[str, Any], raw: str) -> Activation:
    """Kiro's `inclusion`: none (or no front matter) is `always`."""
    inclusion = str(fm.get("inclusion") or _loose_value(raw, "inclusion") or "always").strip()
    mode = KIRO_INCLUSIONS.get(inclusion)
    if mode == SCOPED:
        patterns = _patterns(fm.get("fileMatchPattern")) or _patterns(_loose_value(raw, "fileMatchPattern"))
        return (Activation(SCOPED, ", ".join(patterns)) if patterns
                else Activation(NEVER, "`inclusion: fileMatch` without `fileMatchPattern`"))
    if mode is not None:
        return Activation(mode)
    return Activation(MANUAL, f"unknown inclusion `{inclusion}`")


def _patterns(value: object) -> list[str]:
    if isinstance(value, str):
        return [p for p in split_globs(value) if p]
    if isinstance(value, list):
        return [str(p).strip() for p in value if str(p).strip()]
    return []


def split_globs(value: str) -> list[str]:
    """A comma-separated glob list, split at the commas outside ``{…}`` (``src/**/*.{ts,tsx}`` is one glob)."""
    out: list[str] = []
    depth = 0
    current = ""
    for ch in value:
        if ch == "{":
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        if ch == "," and depth == 0:
            out.append(current.strip().strip("'\""))
            current = ""
            continue
        current += ch
    out.append(current.strip().strip("'\""))
    return [p for p in out if p]


LOOSE_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


def lenient_front_matter(raw: str) -> dict[str, object] | None:
    """Front matter read line by line as `key: value`, the way lenient agents read headers that are not
    valid YAML (`globs: *.ts`, a description with an unquoted `: `); None when a line is not of that shape."""
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


def _loose_value(raw: str, key: str) -> str | None:
    """``key: value`` read line by line: Cursor writes `globs: *.ts` unquoted, which is not valid YAML."""
    m = re.search(rf"^[ \t]*{key}[ \t]*:[ \t]*(.*?)[ \t]*$", raw, re.M)
    value = m.group(1).strip().strip("'\"").strip() if m else ""
    return value or None
