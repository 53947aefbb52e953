"""What the repository around the instruction files holds, for the rules that check references
against it: its paths (CTX106), the paths git ignores (generated, local or downloaded files that a
clean checkout lacks), and the commands it defines (package.json scripts and dependencies, Makefile
targets, justfile recipes, tox environments: CTX111).

Read lazily, once per repository root and process; the parsers of the instruction files know
nothing of it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ctxlint._runtime.git import run_git

# Installed or built trees: never part of what the instructions can point at, and too big to walk.
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", "target", ".tox",
                       ".next", ".turbo", ".nx", ".cache", ".pnpm-store", ".yarn"})
MAX_FILES = 200_000  # a giant tree: what we have is enough to clear most references
SCRIPT_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs")
TS_SUFFIXES = {".js": (".ts", ".tsx", ".mts"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}


class RepoIndex:
    """Every file and directory of the repository (relative posix paths; directories end in "/").
    The lower-cased and by-name views are built when first asked for."""

    def __init__(self, root: str, paths: frozenset[str]) -> None:
        self.root = root
        self.paths = paths
        self._folded: frozenset[str] | None = None
        self._by_name: dict[str, list[str]] | None = None

    @property
    def folded(self) -> frozenset[str]:
        """The paths lower-cased: a reference that differs only by letter case."""
        if self._folded is None:
            self._folded = frozenset(p.lower() for p in self.paths)
        return self._folded

    @property
    def by_name(self) -> dict[str, list[str]]:
        """Last segment, lower-cased -> paths ("a file of this name somewhere")."""
        if self._by_name is None:
            by_name: dict[str, list[str]] = {}
            for path in self.paths:
                by_name.setdefault(path.rstrip("/").rsplit("/", 1)[-1].lower(), []).append(path)
            self._by_name = by_name
        return self._by_name

    def has(self, rel: str) -> bool:
        rel = rel.strip("/")
        return rel in self.paths or rel + "/" in self.paths

    def has_folded(self, rel: str) -> bool:
        rel = rel.strip("/").lower()
        return rel in self.folded or rel + "/" in self.folded

    def ends_with(self, partial: str) -> bool:
        """Some path of the repository ends with ``partial`` (``models/base.py``, ``run.ts``), letter
        case aside (``icons/`` for ``Source/Icons/``)."""
        partial = partial.strip("/").lower()
        name = partial.rsplit("/", 1)[-1]
        for path in self.by_name.get(name, ()):
            bare = path.rstrip("/").lower()
            if bare == partial or bare.endswith("/" + partial):
                return True
        return False

    def dirs_with(self, name: str) -> list[str]:
        """Directories (relative, "" for the root) that hold a file called ``name``."""
        return sorted(p[: -len(name)].rstrip("/") for p in self.by_name.get(name.lower(), ())
                      if not p.endswith("/") and p.rsplit("/", 1)[-1] == name)


@lru_cache(maxsize=8)
def repo_index(root: str) -> RepoIndex:
    paths: set[str] = set()
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        # every directory listed, also a linked one the walk does not enter (a folder symlink)
        paths.update([prefix + d + "/" for d in dirnames])
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        paths.update([prefix + name for name in filenames])
        count += len(filenames)
        if count > MAX_FILES:
            break
    return RepoIndex(root, frozenset(paths))


def script_variants(rel: str) -> list[str]:
    """``rel`` and, for a JavaScript name, the TypeScript sources it is compiled from (ESM imports
    name ``./x.js`` for ``x.ts``)."""
    for suffix, sources in TS_SUFFIXES.items():
        if rel.endswith(suffix):
            stem = rel[: -len(suffix)]
            return [rel, *(stem + s for s in sources)]
    return [rel]


# ---------------------------------------------------------------------------------------------
# git's ignore rules

_IGNORED: dict[tuple[str, str], bool] = {}


def ignored(root: str, rels: Iterable[str]) -> set[str]:
    """The paths of ``rels`` (relative to ``root``, existing or not) that git's ignore rules match:
    build output, caches, local env files, downloaded vendor trees. A directory is asked with its
    trailing slash (`.wrangler/` patterns match only directories); the answer keeps the slash. Empty
    outside a git repository or without git."""
    wanted = [r for r in dict.fromkeys(rels) if r and not r.startswith("../")]
    todo = [r for r in wanted if (root, r) not in _IGNORED]
    if todo and (Path(root) / ".git").exists():
        try:
            out = run_git(root, "check-ignore", "--no-index", "-v", "-z", "--stdin", timeout=20,
                          stdin="\0".join(todo).encode("utf-8", "surrogateescape") + b"\0",
                          ).stdout.decode("utf-8", "surrogateescape")
        except (OSError, subprocess.SubprocessError):
            out = ""
        fields = out.split("\0")
        # source, line, pattern, path per match; a blank pattern (a stray "\r" line of a CRLF
        # .gitignore) matches every directory and says nothing
        hits = {fields[i + 3] for i in range(0, len(fields) - 3, 4) if fields[i + 2].strip()}
        for r in todo:
            _IGNORED[(root, r)] = r in hits
    return {r for r in wanted if _IGNORED.get((root, r), False)}


def ignored_parents(root: str) -> frozenset[str]:
    """Folders (`.codex/`, with their slash) that the root `.gitignore` names files inside
    (`.codex/config.toml`): a place the tools keep local files, absent from a clean checkout by design."""
    try:
        text = (Path(root) / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    found: set[str] = set()
    for line in text.splitlines():
        pattern = line.strip().lstrip("/")
        if not pattern or pattern.startswith(("#", "!")) or "/" not in pattern.rstrip("/"):
            continue
        steps = pattern.rstrip("/").split("/")[:-1]
        for i in range(1, len(steps) + 1):
            if not any(ch in steps[i - 1] for ch in "*?["):
                found.add("/".join(steps[:i]) + "/")
            else:
                break
    return frozenset(found)


# ---------------------------------------------------------------------------------------------
# what the repository defines as commands


@dataclass(frozen=True, slots=True)
class Package:
    """One package.json: its directory (relative, "" for the root), scripts and dependencies."""

    dir: str
    name: str | None
    scripts: frozenset[str]
    dependencies: frozenset[str]
    workspaces: tuple[str, ...] = ()
    bins: frozenset[str] = frozenset()  # the package's own `bin` commands


@dataclass(slots=True)
class Commands:
    """Every package.json, Makefile, justfile and tox.ini of the repository, by directory."""

    packages: dict[str, Package] = field(default_factory=dict)
    makefiles: dict[str, frozenset[str] | None] = field(default_factory=dict)  # None: cannot know all
    justfiles: dict[str, frozenset[str] | None] = field(default_factory=dict)
    tox: dict[str, frozenset[str]] = field(default_factory=dict)

    workspace_roots: tuple[str, ...] = ()  # directories holding pnpm-workspace.yaml, lerna.json, nx.json …

    def dependency_names(self) -> frozenset[str]:
        return frozenset(d for p in self.packages.values() for d in p.dependencies)

    def own_bins(self) -> frozenset[str]:
        return frozenset(b for p in self.packages.values() for b in p.bins)

    def workspace_of(self, directory: str) -> list[str]:
        """The package directories of the workspace ``directory`` belongs to (empty outside one)."""
        roots = [r for r in self.workspace_roots if r == "" or directory == r or directory.startswith(r + "/")]
        if not roots:
            return []
        top = min(roots, key=len)
        return [d for d in self.packages if top == "" or d == top or d.startswith(top + "/")]


MAKEFILES = ("Makefile", "makefile", "GNUmakefile")
JUSTFILES = ("justfile", "Justfile", ".justfile")
MAKE_TARGET = re.compile(r"^([A-Za-z0-9_.%/-][A-Za-z0-9_.%/ -]*?)\s*::?(?!=)", re.M)
# `name *args='': deps`; not `name := value` (an assignment); `alias f := format` names one too
JUST_RECIPE = re.compile(r"^@?([A-Za-z_][\w-]*)(?![ \t]*:=)(?:[ \t][^\n:]*)?:(?!=)", re.M)
JUST_ALIAS = re.compile(r"^alias[ \t]+([A-Za-z_][\w-]*)[ \t]*:=", re.M)
TOX_ENV = re.compile(r"^\[testenv:([^\]]+)\]", re.M)
TOX_ENVLIST = re.compile(r"^\s*envlist\s*=\s*(.+(?:\n[ \t]+.+)*)", re.M)


WORKSPACE_FILES = ("pnpm-workspace.yaml", "lerna.json", "nx.json", "turbo.json", "rush.json")


@lru_cache(maxsize=8)
def repo_commands(root: str) -> Commands:
    index = repo_index(root)
    commands = Commands()
    workspace_roots: set[str] = set()
    for directory in index.dirs_with("package.json"):
        package = _package(Path(root, directory, "package.json"), directory)
        if package is not None:
            commands.packages[directory] = package
            if package.workspaces:
                workspace_roots.add(directory)
    for name in WORKSPACE_FILES:
        workspace_roots.update(index.dirs_with(name))
    commands.workspace_roots = tuple(sorted(workspace_roots))
    for name in MAKEFILES:
        for directory in index.dirs_with(name):
            commands.makefiles.setdefault(directory, _make_targets(Path(root, directory, name)))
    for name in JUSTFILES:
        for directory in index.dirs_with(name):
            commands.justfiles.setdefault(directory, _just_recipes(Path(root, directory, name)))
    for directory in index.dirs_with("tox.ini"):
        commands.tox[directory] = _tox_envs(Path(root, directory, "tox.ini"))
    return commands


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _package(path: Path, directory: str) -> Package | None:
    text = _read_text(path)
    try:
        data: Any = json.loads(text) if text is not None else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    scripts = data.get("scripts")
    deps: set[str] = set()
    for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        value = data.get(key)
        if isinstance(value, dict):
            deps.update(str(k) for k in value)
    workspaces = data.get("workspaces")
    if isinstance(workspaces, dict):
        workspaces = workspaces.get("packages")
    name = data.get("name")
    bin_field = data.get("bin")
    if isinstance(bin_field, str) and isinstance(name, str):
        bins = {name.rsplit("/", 1)[-1]}
    elif isinstance(bin_field, dict):
        bins = {str(k) for k in bin_field}
    else:
        bins = set()
    return Package(
        dir=directory,
        name=name if isinstance(name, str) else None,
        scripts=frozenset(str(k) for k in scripts) if isinstance(scripts, dict) else frozenset(),
        dependencies=frozenset(deps),
        workspaces=tuple(str(w) for w in workspaces) if isinstance(workspaces, list) else (),
        bins=frozenset(bins),
    )


def _make_targets(path: Path) -> frozenset[str] | None:
    text = _read_text(path)
    if text is None or re.search(r"^\s*-?include\s", text, re.M) or re.search(r"^[^\s#]*%[^:\n]*:", text, re.M):
        return None  # included makefiles or pattern rules: we cannot know every target
    targets = {t.strip() for m in MAKE_TARGET.finditer(text) for t in m.group(1).split()}
    for phony in re.findall(r"^\.PHONY\s*:(.*)$", text, re.M):
        targets.update(phony.split())
    return frozenset(targets)


def _just_recipes(path: Path) -> frozenset[str] | None:
    text = _read_text(path)
    if text is None or re.search(r"^\s*(import|mod)\s", text, re.M):
        return None
    recipes = {m.group(1) for m in JUST_RECIPE.finditer(text)} | set(JUST_ALIAS.findall(text))
    return frozenset(recipes - {"alias", "set", "export", "import", "mod"})


def _tox_envs(path: Path) -> frozenset[str]:
    text = _read_text(path) or ""
    envs = set(TOX_ENV.findall(text))
    for listed in TOX_ENVLIST.findall(text):
        envs.update(e.strip() for e in re.split(r"[,\s]+", listed) if e.strip())
    return frozenset(envs)
