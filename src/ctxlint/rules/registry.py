"""Rule metadata (from the top-level ``rules/*.yaml``) and the detectors that implement them.

A rule is data plus one small detector. The YAML says who the rule is (id, name, kind, default
severity), why it exists (with its source), how to fix what it finds, and its typed options; the
detector, registered with ``@detector("CTX101", scope=...)``, only yields ``RawFinding``s. The engine
stamps id, name and severity, so a detector cannot mislabel itself. Only rules that have both
metadata and a detector are registered: ``ctxlint rules`` never lists a placeholder.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ctxlint.errors import RuleDataError
from ctxlint.model import Basis, Fix, Severity

RULE_KINDS = ("diagnostic", "instructions", "transcript", "config")
SCOPES = ("file", "project", "transcript", "none")
OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "str": (str,),
    "list": (list,),
}
# The project's home; the one place to change when the repository moves (pyproject's [project.urls]
# must name the same URL: a test compares them). SARIF viewers link each rule to its generated page.
REPOSITORY_URL = "https://github.com/ctxlint/ctxlint"
HELP_URI = REPOSITORY_URL + "/blob/main/docs/rules/{id}.md"
DOCUMENTED = "documented"  # the fix template that is the rule's documented fix, on one line
FIX_AGENTS = ("claude-code", "codex", "other")


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One option of a rule, as its YAML declares it."""

    name: str
    type: str
    default: Any
    description: str


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """A rule's metadata from its YAML: id, name, severity, documentation, options, data."""

    id: str
    name: str
    kind: str
    severity: Severity
    summary: str
    description: str
    why: str
    sources: tuple[str, ...]
    fix: str
    fixable: bool
    options: tuple[OptionSpec, ...]
    example_fires: str
    example_passes: str
    aliases: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    agents: tuple[str, ...] = ()
    # What a transcript rule needs the session store to record (``transcripts.agents.RECORDS``): on an
    # agent's session that lacks any of it the rule is skipped, never run on guessed data.
    requires: tuple[str, ...] = ()
    basis: Basis = Basis.MEASURED  # how certain the rule's waste is (a sub-check may say otherwise)
    # Concrete fix texts: name -> template, or agent -> template (``claude-code``, ``codex``, ``other``)
    fixes: dict[str, str | dict[str, str]] = field(default_factory=dict)

    @property
    def default_options(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def fix_text(self, fix: Fix, agent: str | None = None) -> str:
        """The text of ``fix``: its templates joined and filled. A template with one text per agent
        gives the one of ``agent``; other agents get ``other``, else Claude Code's. ``documented``
        is the rule's own documented fix on one line."""
        out: list[str] = []
        for name in fix.templates:
            if name == DOCUMENTED:
                out.append(" ".join(self.fix.split()))
                continue
            template = self.fixes.get(name)
            if template is None:
                raise RuleDataError(f"{self.id}: no fix template {name!r} in rules/{self.id}.yaml")
            if isinstance(template, dict):
                template = next(template[key] for key in (agent, "other", "claude-code") if key in template)
            out.append(template.format_map(fix.args))
        return "".join(out)

    @property
    def help_uri(self) -> str:
        return HELP_URI.format(id=self.id)


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a detector gets besides its input: its options (validated) and its YAML data."""

    meta: RuleMeta
    options: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        return self.meta.data

    def __getitem__(self, key: str) -> Any:
        return self.options[key]


Detector = Callable[..., Iterator[Any]]


class Registered:
    """A rule with metadata and a detector. The detector module is imported on first use, so an
    instruction-file check never pays for importing the transcript machinery."""

    __slots__ = ("_check", "_module", "_scope", "meta")

    def __init__(self, meta: RuleMeta, scope: str | None, check: Detector | None, module: str | None = None) -> None:
        self.meta = meta
        self._scope = scope
        self._check = check
        self._module = module

    def _load(self) -> None:
        if self._module is not None and self._scope is None:
            importlib.import_module(self._module)
            self._scope, self._check = _DETECTORS[self._module]

    @property
    def scope(self) -> str:
        self._load()
        return self._scope or "none"

    @property
    def check(self) -> Detector | None:
        self._load()
        return self._check


_DETECTORS: dict[str, tuple[str, Detector]] = {}  # module -> (scope, detector)


def detector(*, scope: str) -> Callable[[Detector], Detector]:
    """Register ``fn`` as the detector of its module's rule: the module's name says which
    (``ctx101_too_long`` implements CTX101, whose id and name are written once, in its YAML).

    scope ``file``: ``fn(doc, project, ctx)`` once per instruction file;
    ``project``: ``fn(project, ctx)`` once per set of instruction files;
    ``transcript``: ``fn(analysis, ctx)`` once per transcript.
    """
    if scope not in SCOPES:
        raise ValueError(f"bad scope {scope!r}")

    def register(fn: Detector) -> Detector:
        if fn.__module__ in _DETECTORS:
            raise RuleDataError(f"{fn.__module__}: a second detector (one rule, one detector)")
        _DETECTORS[fn.__module__] = (scope, fn)
        return fn

    return register


def rules_dir() -> Path:
    """The rule YAML: inside the wheel (``ctxlint/_rules``), else the source tree's ``rules/``."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_rules"
    if packaged.is_dir():
        return packaged
    source = package.parents[1] / "rules"
    if source.is_dir():
        return source
    raise RuleDataError("rule metadata not found (neither ctxlint/_rules nor rules/)")


def _parse_meta(raw: dict[str, Any], origin: str) -> RuleMeta:
    try:
        options = tuple(
            OptionSpec(
                name=name,
                type=str(spec["type"]),
                default=spec["default"],
                description=str(spec.get("description", "")),
            )
            for name, spec in (raw.get("options") or {}).items()
        )
        for opt in options:
            if opt.type not in OPTION_TYPES:
                raise RuleDataError(f"{origin}: option {opt.name} has unknown type {opt.type}")
        examples = raw.get("examples") or {}
        kind = str(raw["kind"])
        if kind not in RULE_KINDS:
            raise RuleDataError(f"{origin}: unknown kind {kind}")
        requires = tuple(str(r) for r in raw.get("requires") or ())
        from ctxlint.transcripts.agents import RECORDS

        unknown = [r for r in requires if r not in RECORDS]
        if unknown:
            raise RuleDataError(f"{origin}: requires {', '.join(unknown)}, which no session store records "
                                f"(known: {', '.join(RECORDS)})")
        # Every rule that reports waste says how certain it is (diagnostics report none). `estimated`
        # is not a rule's choice: it follows from a transcript that records no usage.
        basis = str(raw["basis"]) if kind != "diagnostic" else str(raw.get("basis", Basis.MEASURED))
        if basis not in (Basis.MEASURED, Basis.MODELLED):
            raise RuleDataError(f"{origin}: basis must be measured or modelled, not {basis}")
        return RuleMeta(
            id=str(raw["id"]),
            name=str(raw["name"]),
            kind=kind,
            severity=Severity.parse(str(raw["severity"])),
            summary=str(raw["summary"]).strip(),
            description=str(raw.get("description", raw["summary"])).strip(),
            why=str(raw["why"]).strip(),
            sources=tuple(str(s) for s in raw.get("sources") or ()),
            fix=str(raw["fix"]).strip(),
            fixable=bool(raw.get("fixable", False)),
            options=options,
            example_fires=str(examples.get("fires", "")).rstrip(),
            example_passes=str(examples.get("passes", "")).rstrip(),
            aliases=tuple(str(a) for a in raw.get("aliases") or ()),
            data=dict(raw.get("data") or {}),
            agents=tuple(str(a) for a in raw.get("agents") or ()),
            requires=requires,
            basis=Basis(basis),
            fixes=_fix_templates(raw.get("fixes") or {}, origin),
        )
    except KeyError as exc:
        raise RuleDataError(f"{origin}: missing key {exc}") from None


def _fix_templates(raw: Any, origin: str) -> dict[str, str | dict[str, str]]:
    """The ``fixes`` of a rule file, checked: each a template, or one per agent (Claude Code's at least)."""
    import string

    if not isinstance(raw, dict):
        raise RuleDataError(f"{origin}: fixes must map names to templates")
    out: dict[str, str | dict[str, str]] = {}
    for name, value in raw.items():
        texts = value if isinstance(value, dict) else {"claude-code": value}
        if "claude-code" not in texts or not set(texts) <= set(FIX_AGENTS) or name == DOCUMENTED:
            raise RuleDataError(f"{origin}: fixes.{name}: a template, or one per agent ({', '.join(FIX_AGENTS)})")
        for text in texts.values():
            try:
                list(string.Formatter().parse(str(text)))
            except ValueError as exc:
                raise RuleDataError(f"{origin}: fixes.{name}: {exc}") from None
        out[str(name)] = {k: str(v) for k, v in value.items()} if isinstance(value, dict) else str(value)
    return out


def _load_yaml(paths: list[Path]) -> list[Any]:
    """The data of each rule file. Start-up time is a feature of a pre-commit hook, so a file parsed
    before comes from the cache — only when the entry was stamped with this very file's identity
    (``_runtime.cache.file_stamp``: an entry planted or copied from elsewhere never matches) — and a
    warm run neither imports PyYAML nor parses ~40 files. A file that holds anything but plain JSON
    data (a YAML timestamp) is parsed on every run."""
    import json

    from ctxlint._runtime import cache

    out: list[Any] = []
    fresh: list[tuple[str, bytes, str]] = []
    for path in paths:
        stamp = cache.file_stamp(path)
        blob = cache.get("rules", str(path), stamp) if stamp is not None else None
        if blob is not None:
            try:
                out.append(json.loads(blob))
                continue
            except ValueError:
                pass  # a damaged entry: parse the file
        import yaml

        # libyaml's C SafeLoader reads the rule files ~10x faster than the pure-Python one.
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        out.append(data)
        if stamp is not None and _plain(data):
            fresh.append((str(path), json.dumps(data).encode(), stamp))
    cache.put_many("rules", fresh)
    return out


def _plain(value: Any) -> bool:
    """Whether JSON holds ``value`` exactly (dicts with string keys, lists, strings, numbers, booleans, null)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


@lru_cache(maxsize=1)
def all_metadata() -> dict[str, RuleMeta]:
    paths = sorted(rules_dir().glob("CTX*.yaml"))
    metas: dict[str, RuleMeta] = {}
    for path, raw in zip(paths, _load_yaml(paths), strict=True):
        meta = _parse_meta(raw, path.name)
        metas[meta.id] = meta
    return metas


def shared_data(name: str) -> dict[str, Any]:
    """Data shared by several rules (e.g. ``secrets.yaml``), from the same rules directory."""
    data = _load_yaml([rules_dir() / f"{name}.yaml"])[0]
    return dict(data or {})


def _detector_modules() -> dict[str, str]:
    """Detector modules by rule id, from their names (``ctx101_too_long.py`` implements CTX101),
    found without importing them."""
    import ctxlint.rules as pkg

    # A listing of the package and its subpackages (rules/instructions, rules/transcripts): what
    # pkgutil.walk_packages finds here, without its import and its walk (this runs at every start-up).
    found: dict[str, str] = {}
    for base in pkg.__path__:
        for sub, prefix in [("", "ctxlint.rules.")] + [(d, f"ctxlint.rules.{d}.") for d in sorted(os.listdir(base))
                                                      if os.path.isfile(os.path.join(base, d, "__init__.py"))]:
            for name in sorted(os.listdir(os.path.join(base, sub))):
                if name.startswith("ctx") and name[3:6].isdigit() and name.endswith(".py"):
                    found[f"CTX{name[3:6]}"] = prefix + name[:-3]
    return found


@lru_cache(maxsize=1)
def registry() -> dict[str, Registered]:
    """Every implemented rule, by id, in id order: rules with metadata and a detector module."""
    metas = all_metadata()
    modules = _detector_modules()
    out: dict[str, Registered] = {}
    for rule_id in sorted(metas):
        meta = metas[rule_id]
        if meta.kind == "diagnostic":
            out[rule_id] = Registered(meta, "none", None)
        elif rule_id in modules:
            out[rule_id] = Registered(meta, None, None, modules[rule_id])
    return out


def resolve(token: str) -> list[str]:
    """Rule ids matching an id, a name, an alias, or an id prefix such as ``CTX2``."""
    reg = registry()
    token = token.strip()
    upper = token.upper()
    if upper in reg:
        return [upper]
    for rule_id, entry in reg.items():
        if token == entry.meta.name or token in entry.meta.aliases:
            return [rule_id]
    if upper.startswith("CTX") and upper[3:].isdigit():
        return [rid for rid in reg if rid.startswith(upper)]
    if upper == "ALL":
        return list(reg)
    return []


def lookup(token: str) -> Registered | None:
    ids = resolve(token)
    return registry()[ids[0]] if len(ids) == 1 else None
