"""stale-command: documented commands that the repository does not define.

Checked, in code spans and shell code blocks: `npm|pnpm|yarn|bun run X` and `pnpm|yarn|bun X`
against package.json scripts, `make X` against Makefile targets, `just X` against justfile recipes,
`tox -e X` against tox.ini environments; `cd dir` into a directory that does not exist; a script file
run by an interpreter (`python scripts/x.py`, `./scripts/x.sh`) that does not exist.

Where a command runs: after `cd dir` (in the same span or line, or earlier in the code block), in
the directory `-C`/`--dir`/`--prefix`/`--cwd` names, in the packages `--filter`/`--workspace` select;
else from the instruction file's directory up to the nearest manifest. Unless the command is pinned
to a directory, a script is also defined when any package of the same workspace defines it, a package
the rule file is scoped to (`paths`/`globs`/`applyTo`), a package whose directory the file names, or
the root package when the text says to run it from the repository root.

`pnpm X`, `yarn X` and `bun X` run a script, else a binary of a dependency, else a built-in: only a
name that is none of these is reported. Templates (`build:<name>`) are skipped, globs (`watch:*`)
match any script they cover, and alternations (`test:unit|components`) are checked one by one.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.instructions.repository import Commands, RepoIndex, ignored, repo_commands, repo_index
from ctxlint.markdown import CodeBlock
from ctxlint.model import Fix, RawFinding, Severity, fix
from ctxlint.rules.registry import RuleContext, detector

SPAN_COMMAND = re.compile(r"^\s*(?:[A-Za-z_]\w*=\S*\s+)*(?:(?:cd|pushd|npm|pnpm|yarn|bun|make|gmake|just|tox|uv|poetry"
                          r"|pipenv|pdm|hatch|rye|pixi|python[\d.]*|py|node|tsx|ts-node|bash|sh|zsh|ruby|perl|php|deno)"
                          r"(?=\s)|\./)")
SHELL_INFO = ("bash", "sh", "shell", "console", "zsh", "text", "terminal", "shell-session", "powershell", "ps1", "")
SEGMENT_SPLIT = re.compile(r"\s*(?:&&|\|\||;|\s\|\s)\s*")  # `a|b` with no spaces is an alternation, not a pipe
PROMPT = re.compile(r"^\s*(?:\$|>|PS [^>]*>|%)\s+")
ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
PLACEHOLDER_CHARS = re.compile(r"[<>{}\[\]$]|\.\.\.|…")
# The shape of a command, not one to run: a lone capital letter as an argument (`bun run X`) or an elided
# value (`NODE_PATH=... node core.js`). A `<blank>` alone is not (`npm run test:e2e -- <spec>` names a script);
# it marks a form only among a list of commands (below).
FORM = re.compile(r"=(?:\.\.\.|…)(?=\s|$)|\s[A-Z](?=\s|$)")
BLANK = re.compile(r"<[\w .:/-]+>")
NAME_OK = re.compile(r"^[A-Za-z0-9_@][\w:.@/+*|-]*$")
PATH_OK = re.compile(r"^[\w.@+~-][\w./@+~-]*$")
WRAPPERS = {"sudo", "time", "env", "exec", "nohup", "command"}
RUNNERS = {"uv": "run", "poetry": "run", "pipenv": "run", "pdm": "run", "hatch": "run", "rye": "run", "pixi": "run"}
PYTHON = re.compile(r"^(python[\d.]*|py|pypy3?)$")
INTERPRETERS = {"node", "tsx", "ts-node", "bash", "sh", "zsh", "ruby", "perl", "php", "pwsh", "Rscript", "deno", "bun"}
SCRIPT_SUFFIXES = (".py", ".sh", ".bash", ".js", ".mjs", ".cjs", ".ts", ".mts", ".rb", ".pl", ".php", ".ps1", ".R")


@dataclass(slots=True)
class Where:
    """Where a command runs: a directory the text pins it to, or the file's default."""

    pinned: str | None = None  # repository-relative directory ("" = root) a `cd`/`-C` names
    unknown: bool = False  # after `cd` somewhere we cannot follow: check nothing
    hints: list[str] = field(default_factory=list)  # directories the step text names

    def copy(self) -> Where:
        return Where(self.pinned, self.unknown, list(self.hints))


@dataclass(frozen=True, slots=True)
class Problem:
    command: str
    message: str
    fix: Fix
    severity: Severity | None = None


class Checker:
    """The commands of one instruction file, checked against what its repository defines."""

    def __init__(self, file: InstructionFile, project: InstructionProject, data: dict[str, Any]) -> None:
        self.file = file
        self.doc = file.doc
        self.data = data
        self.root = Path(project.root).resolve()
        here = Path(os.path.abspath(file.source.path)).parent  # where the agent opens it (a link's directory)
        self.base = here.relative_to(self.root).as_posix() if here.is_relative_to(self.root) else ""
        self.base = "" if self.base == "." else self.base
        self.words = {key: _compiled(tuple(data.get(key, ()))) for key in ("foreign", "repo_root", "creates_dir", "scaffolds")}
        self._scoped: list[str] | None = None
        self._named: list[str] | None = None
        self._bins: frozenset[str] | None = None
        self._candidates: dict[tuple[Any, ...], list[str]] = {}

    @property
    def commands(self) -> Commands:
        """What the repository defines: read when the file holds a command to check."""
        return repo_commands(str(self.root))

    @property
    def index(self) -> RepoIndex:
        return repo_index(str(self.root))

    # -- directories --------------------------------------------------------------------------

    def is_dir(self, rel: str) -> bool:
        return rel == "" or (self.root / rel).is_dir()

    def join(self, base: str, target: str) -> str | None:
        rel = posixpath.normpath(posixpath.join(base, target)) if base else posixpath.normpath(target)
        if rel == ".":
            return ""
        return None if rel.startswith("..") else rel

    def cd_target(self, where: Where, target: str) -> str | None:
        """The directory `cd target` enters, when it exists (from the pinned directory, else from the
        file's directory or the root)."""
        starts = [where.pinned] if where.pinned is not None else [self.base, ""]
        for start in dict.fromkeys(starts):
            rel = self.join(start, target)
            if rel is not None and self.is_dir(rel):
                return rel
        return None

    def nearest(self, directory: str, found: dict[str, Any]) -> str | None:
        """The closest directory at or above ``directory`` that ``found`` has an entry for."""
        here: str | None = directory
        while here is not None:
            if here in found:
                return here
            here = None if here == "" else posixpath.dirname(here)
        return None

    def scoped_dirs(self) -> list[str]:
        """Directories the rule file applies to (`paths:`, `globs:`, `applyTo:` front matter)."""
        if self._scoped is None:
            fm = self.doc.front_matter or {}
            globs: list[str] = []
            for key in ("paths", "globs", "applyTo"):
                value = fm.get(key)
                if isinstance(value, str):
                    globs.extend(v.strip() for v in value.split(","))
                elif isinstance(value, list):
                    globs.extend(str(v).strip() for v in value)
            dirs: list[str] = []
            for pattern in globs:
                pattern = pattern.strip("'\"").removeprefix("./")
                static = re.split(r"[*?\[{]", pattern, maxsplit=1)[0]
                static = static.rsplit("/", 1)[0] if "/" in static else ""
                if static and self.is_dir(static.strip("/")):
                    dirs.append(static.strip("/"))
                elif not static and pattern not in ("**", "**/*", "*"):
                    dirs.extend(_matched_dirs(str(self.root), pattern))  # `**/*.langium`: where such files are
            self._scoped = list(dict.fromkeys(dirs))
        return self._scoped

    def named_dirs(self) -> list[str]:
        """Directories the file names in code spans (`frontend/`, `docs`), when they exist."""
        if self._named is None:
            found = []
            # the root line of a directory tree (`frontend/src/` above `├── api/`) names one too
            roots = [b.content.split("\n", 1)[0].strip() for b in self.doc.code_blocks if "──" in b.content]
            for text in [*(c.text for c in self.doc.inline_code), *(r for r in roots if r.endswith("/"))]:
                text = text.strip().strip("/").removeprefix("./")
                if text and PATH_OK.match(text) and "." not in text.rsplit("/", 1)[-1][:1]:
                    for start in dict.fromkeys((self.base, "")):
                        rel = self.join(start, text)
                        if rel and self.is_dir(rel):
                            found.append(rel)
                            break
            self._named = list(dict.fromkeys(found))
        return self._named

    def candidates(self, where: Where, found: dict[str, Any]) -> list[str]:
        """The directories of ``found`` (packages, makefiles …) whose definitions the command may mean."""
        key = (id(found), where.pinned, tuple(where.hints))
        if key not in self._candidates:
            self._candidates[key] = self._candidates_of(where, found)
        return self._candidates[key]

    def _candidates_of(self, where: Where, found: dict[str, Any]) -> list[str]:
        if where.pinned is not None:
            near = self.nearest(where.pinned, found)
            return [near] if near is not None else []
        out: list[str] = []
        near = self.nearest(self.base, found)
        if near is not None:
            out.append(near)
        # A file inside a package speaks for that package; a file at the root (or above every
        # manifest) speaks for the packages it names.
        named = self.named_dirs() if near in (None, "") else []
        for directory in [*where.hints, *self.scoped_dirs(), *named]:
            out.extend(d for d in found if d == directory or d.startswith(directory + "/"))
            up = self.nearest(directory, found)
            if up is not None:
                out.append(up)
        if found is self.commands.packages:
            for directory in list(out) or [self.base]:
                out.extend(self.commands.workspace_of(directory))
        return list(dict.fromkeys(out))

    # -- what the text around says ------------------------------------------------------------

    def _match(self, key: str, text: str) -> bool:
        pattern = self.words.get(key)
        return bool(pattern is not None and pattern.search(text))

    def context_of_span(self, line: int, column: int, text: str) -> tuple[Where, bool]:
        """Where a command in a code span runs, and whether it is an instruction at all."""
        line_text = self.doc.lines[line - 1]
        where = Where()
        if self._match("foreign", line_text):
            return where, False
        if self._match("repo_root", line_text):
            where.hints.append("")
        for code in self.doc.inline_code:
            if code.line == line and code.column != column:
                self._hint_dir(where, code.text.strip())
        return where, True

    def context_of_block(self, block: CodeBlock) -> tuple[Where, bool]:
        """Where a code block's commands start, from the step text just above it."""
        where = Where()
        lines = self.doc.lines
        n = block.start_line - 1
        prose: list[str] = []
        while n >= 1 and len(prose) < 2:
            text = lines[n - 1].strip()
            if text.startswith("#"):
                break  # the section's heading: the step text ends here
            if text:
                prose.append(text)
            n -= 1
        step = " ".join(reversed(prose))
        if self._match("foreign", step):
            return where, False
        if self._match("repo_root", step):
            where.hints.append("")
        for m in re.finditer(r"`([^`]+)`", step):
            other = m.group(1).strip()
            self._hint_dir(where, other[3:].strip() if other.startswith("cd ") else other)
        return where, True

    def _hint_dir(self, where: Where, span: str) -> None:
        """A code span beside a command that names a directory of the repository (from the file's folder,
        else the root): the command may run there."""
        other = span.strip("/").removeprefix("./")
        if other and PATH_OK.match(other):
            for start in dict.fromkeys((self.base, "")):
                rel = self.join(start, other)
                if rel and self.is_dir(rel):
                    where.hints.append(rel)
                    return

    # -- one command line ---------------------------------------------------------------------

    def check_line(self, text: str, where: Where, earlier: list[str]) -> Iterator[Problem]:
        """Problems of one command line; ``where`` follows its `cd`s (and carries to the next line of
        a block); ``earlier`` holds the block's lines before it (a `mkdir` or `git clone` there)."""
        text = PROMPT.sub("", text, count=1).strip()
        if not text:
            return
        if text.startswith("#"):  # a comment in a block says where the next commands run
            if self._match("foreign", text):
                where.unknown = True
            elif self._match("repo_root", text) and not where.unknown:
                where.pinned = ""
            return
        if self._match("scaffolds", text):
            where.unknown = True  # `npx create-x my-app`: the commands after it run in the new app
            return
        for segment in SEGMENT_SPLIT.split(text):
            segment = segment.strip().strip("()").strip()
            if not segment or where.unknown:
                continue
            try:
                tokens = shlex.split(segment, comments=True)
            except ValueError:
                tokens = segment.split()
            while tokens and (ENV_ASSIGNMENT.match(tokens[0]) or tokens[0] in WRAPPERS):
                tokens = tokens[1:]
            if not tokens:
                continue
            head = tokens[0]
            if head in ("cd", "pushd"):
                yield from self._cd(tokens, where, earlier)
            elif head in ("npm", "pnpm", "yarn", "bun") and not (head == "bun" and _script_arg(tokens[1:])):
                yield from self._package_manager(tokens, where)
            elif head in ("make", "gmake"):
                yield from self._make(tokens, where)
            elif head == "just":
                yield from self._just(tokens, where)
            elif head == "tox":
                yield from self._tox(tokens, where)
            else:
                yield from self._script(tokens, where, earlier)

    def _cd(self, tokens: list[str], where: Where, earlier: list[str]) -> Iterator[Problem]:
        target = next((t for t in tokens[1:] if not t.startswith("-")), None)
        if target is None or target in ("~", "-") or target.startswith(("~", "/", "$")) or PLACEHOLDER_CHARS.search(target):
            where.unknown = True
            return
        entered = self.cd_target(where, target)
        if entered is not None:
            where.pinned = entered
            return
        where.unknown = True  # nothing below can be checked from a directory we cannot find
        low = target.lower()
        if (not PATH_OK.match(target) or any(w in low for w in self.data["placeholder_words"])
                or self._match("creates_dir", " ".join(earlier)) or target.strip("/") == self.root.name
                or where.pinned is not None):
            return
        rels = [r for r in (self.join(self.base, target), self.join("", target)) if r]
        if rels and ignored(str(self.root), [r + "/" for r in rels]):
            return
        # info: on real files a `cd` into a missing directory is as often into a sibling checkout or a
        # directory the reader makes first as into a renamed one
        yield Problem(f"cd {target}", f"`cd {target}`: no directory `{target}` (from {self.base or 'the repository root'}"
                      f"{'' if not self.base else ' or the repository root'})",
                      fix("update-cd", target=target), Severity.INFO)

    def _package_manager(self, tokens: list[str], where: Where) -> Iterator[Problem]:
        pm = tokens[0]
        value_flags = set(self.data["value_flags"].get(pm, ()))
        explicit = False
        name: str | None = None
        pinned: str | None = None
        selected: list[str] | None = None  # packages a filter/workspace selects
        anywhere = False
        rest = tokens[1:]
        i = 0
        while i < len(rest):
            tok = rest[i]
            if tok.startswith("-"):
                flag, _, inline = tok.partition("=")
                if flag in value_flags:
                    value = inline or (rest[i + 1] if i + 1 < len(rest) else "")
                    i += 1 if inline else 2
                    if flag in self.data["dir_flags"]:
                        pinned = value
                    elif flag in self.data["filter_flags"]:
                        selected = (selected or []) + self._select(value)
                    continue
                if flag in self.data["all_packages_flags"].get(pm, ()):
                    anywhere = True
                if flag in self.data["root_flags"].get(pm, ()):
                    pinned = "/"
                i += 1
                continue
            if tok in ("run", "run-script") and not explicit and name is None:
                explicit = True
                i += 1
                continue
            if pm == "yarn" and tok in ("workspace",) and name is None and i + 1 < len(rest):
                selected = (selected or []) + self._select(rest[i + 1])
                i += 2
                continue
            if pm == "yarn" and tok == "workspaces" and name is None:
                anywhere = True
                i += 1
                while (i < len(rest) and rest[i] in ("foreach",)) or (i < len(rest) and rest[i].startswith("-")):
                    i += 1
                continue
            name = tok
            break
        if name is None or (not explicit and (pm == "npm" or name in self.data["builtins"].get(pm, ()))):
            return  # `npm foo` without `run` is an error npm reports itself
        if PLACEHOLDER_CHARS.search(name) or not NAME_OK.match(name) or _looks_like_file(name):
            return  # `build:<name>`, `bun scripts/x.ts`
        here = where
        if pinned is not None:
            here = where.copy()
            if pinned == "/":
                here.pinned = ""
            else:
                entered = self.cd_target(where, pinned)
                if entered is None:
                    return
                here.pinned = entered
        if anywhere:
            dirs = list(self.commands.packages)
        elif selected is not None:
            dirs = selected
        else:
            dirs = self.candidates(here, self.commands.packages)
        if not dirs:
            return  # no package.json to judge by
        scripts = set().union(*(self.commands.packages[d].scripts for d in dirs))
        runs_binaries = not explicit or pm in ("yarn", "bun")
        binaries = self._binaries() if runs_binaries else frozenset()
        for wanted in _alternatives(name):
            if _defined(wanted, scripts) or wanted in binaries:
                continue
            shown = f"{pm} {'run ' if explicit else ''}{wanted}"
            where_text = _manifests(dirs, "package.json")
            elsewhere = [] if here.pinned is not None or selected is not None or anywhere or scripts else sorted(
                d for d, package in self.commands.packages.items() if d not in dirs and _defined(wanted, package.scripts))
            if elsewhere:
                # The text does not say where to run it, the package it points to has no scripts at all (a root
                # package.json kept for tooling) and another package defines it (the app in web/): which one it
                # means is unsaid, not stale.
                first = elsewhere[0] or "."
                place = (f"{first}/package.json" if elsewhere[0] else "the root package.json") + (
                    f" and {len(elsewhere) - 1} more" if len(elsewhere) > 1 else "")
                yield Problem(shown, f"`{shown}`: no script `{wanted}` in {where_text}, but {place} defines it; say where "
                                     "to run it", fix("say-where", directory=first, line=0), Severity.INFO)
                continue
            close = _close(wanted, sorted(scripts), n=3)
            hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
            more = "" if explicit and not runs_binaries else f" (and no dependency binary or {pm} command of that name)"
            yield Problem(shown, f"`{shown}`: no script `{wanted}` in {where_text}{more}{hint}", _update(wanted, close))

    def _binaries(self) -> frozenset[str]:
        """Commands the repository's dependencies (and its own packages) install."""
        if self._bins is None:
            known: dict[str, list[str]] = self.data["dependency_bins"]
            deps = self.commands.dependency_names()
            names = set(deps) | {d.rsplit("/", 1)[-1] for d in deps} | set(self.commands.own_bins())
            for dep in deps:
                names.update(known.get(dep, ()))
            self._bins = frozenset(names)
        return self._bins

    def _select(self, value: str) -> list[str]:
        """Package directories a pnpm/yarn/npm filter or workspace name selects."""
        value = value.strip("'\"").lstrip("!^").replace("...", "").strip("{}")
        if not value or value.startswith("["):
            return list(self.commands.packages)
        if value.startswith(("./", "../")) or ("/" in value and not value.startswith("@")):
            rel = self.join("", value.removeprefix("./"))
            return [d for d in self.commands.packages if rel is not None and (d == rel or fnmatch.fnmatch(d, rel))]
        return [d for d, p in self.commands.packages.items()
                if (p.name and fnmatch.fnmatch(p.name, value)) or fnmatch.fnmatch(posixpath.basename(d), value)] \
            or list(self.commands.packages)

    def _make(self, tokens: list[str], where: Where) -> Iterator[Problem]:
        here = where
        targets: list[str] = []
        rest = tokens[1:]
        i = 0
        while i < len(rest):
            tok = rest[i]
            if tok in ("-C", "--directory") or tok.startswith("--directory="):
                value = tok.split("=", 1)[1] if "=" in tok else (rest[i + 1] if i + 1 < len(rest) else "")
                entered = self.cd_target(where, value)
                if entered is None:
                    return
                here = where.copy()
                here.pinned = entered
                i += 1 if "=" in tok else 2
                continue
            if tok in ("-f", "--file", "--makefile", "-j", "-l"):
                if tok in ("-f", "--file", "--makefile"):
                    return  # another makefile: not ours to read
                i += 2
                continue
            if tok.startswith("-") or "=" in tok:
                i += 1
                continue
            targets.append(tok)
            i += 1
        if not targets:
            return
        dirs = self.candidates(here, self.commands.makefiles)
        if not dirs or any(self.commands.makefiles[d] is None for d in dirs):
            return
        defined: set[str] = set().union(*(t for d in dirs if (t := self.commands.makefiles[d]) is not None))
        for target in targets:
            if PLACEHOLDER_CHARS.search(target) or not NAME_OK.match(target):
                continue
            for wanted in _alternatives(target):
                if _defined(wanted, defined):
                    continue
                close = _close(wanted, sorted(defined), n=3)
                hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
                where_text = _manifests(dirs, "Makefile")
                yield Problem(f"make {wanted}", f"`make {wanted}`: no target `{wanted}` in {where_text}{hint}",
                              _update(wanted, close))

    def _just(self, tokens: list[str], where: Where) -> Iterator[Problem]:
        recipe = next((t for t in tokens[1:] if not t.startswith("-") and "=" not in t), None)
        if recipe is None or PLACEHOLDER_CHARS.search(recipe) or not NAME_OK.match(recipe):
            return
        dirs = self.candidates(where, self.commands.justfiles)
        if not dirs or any(self.commands.justfiles[d] is None for d in dirs):
            return
        defined: set[str] = set().union(*(t for d in dirs if (t := self.commands.justfiles[d]) is not None))
        if recipe not in defined:
            close = _close(recipe, sorted(defined), n=3)
            hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
            yield Problem(f"just {recipe}", f"`just {recipe}`: no `{recipe}` recipe in the justfile{hint}",
                          _update(recipe, close))

    def _tox(self, tokens: list[str], where: Where) -> Iterator[Problem]:
        envs: list[str] = []
        for i, tok in enumerate(tokens):
            if tok == "-e" and i + 1 < len(tokens):
                envs.extend(tokens[i + 1].split(","))
            elif tok.startswith("-e") and len(tok) > 2 and not tok.startswith("--"):
                envs.extend(tok[2:].split(","))
        dirs = self.candidates(where, self.commands.tox)
        if not envs or not dirs:
            return
        defined: set[str] = set().union(*(self.commands.tox[d] for d in dirs))
        for env in envs:
            if env and not env.startswith(("py", "{")) and not PLACEHOLDER_CHARS.search(env) and env not in defined:
                yield Problem(f"tox -e {env}", f"`tox -e {env}`: no `{env}` environment in tox.ini",
                              _update(env, _close(env, sorted(defined), n=3)))

    def _script(self, tokens: list[str], where: Where, earlier: list[str]) -> Iterator[Problem]:
        """`python scripts/x.py`, `uv run scripts/x.py`, `node tools/y.js`, `./scripts/z.sh`."""
        if tokens[0] in RUNNERS and len(tokens) > 1 and tokens[1] == RUNNERS[tokens[0]]:
            tokens = [t for t in tokens[2:] if not t.startswith("-")] or [""]
            if tokens and not _script_arg(tokens[:1]) and (PYTHON.match(tokens[0]) or tokens[0] in INTERPRETERS):
                pass
            elif tokens and _script_arg(tokens[:1]):
                tokens = ["python", *tokens]
        head = tokens[0]
        script: str | None = None
        if PYTHON.match(head) or head in INTERPRETERS:
            args = tokens[1:]
            if head == "deno" and args[:1] == ["run"]:
                args = args[1:]
            for arg in args:
                if arg in ("-m", "-c", "-e", "--eval", "-p", "--print", "-"):
                    return  # a module, inline code or stdin: no file to check
                if arg.startswith("-"):
                    continue
                script = arg
                break
        elif head.startswith("./") and head.endswith(SCRIPT_SUFFIXES):
            script = head
        if script is None or not _script_arg([script]):
            return
        low = script.lower()
        if PLACEHOLDER_CHARS.search(script) or any(w in low for w in self.data["placeholder_words"]):
            return
        name = script.removeprefix("./")
        if any(name in line or posixpath.basename(name) in line for line in earlier if ">" in line or "touch" in line
               or "curl" in line or "wget" in line):
            return  # written earlier in the block
        starts = [where.pinned] if where.pinned is not None else [self.base, ""]
        for start in dict.fromkeys(starts):
            rel = self.join(start, name)
            if rel is not None and (self.root / rel).exists():
                return
        if where.pinned is None and not name.startswith("../") and self.index.ends_with(name):
            return  # the file exists elsewhere: the command runs from a directory the text leaves implied
        rels = [r for r in (self.join(s, name) for s in dict.fromkeys(starts)) if r]
        if rels and ignored(str(self.root), rels):
            return
        where_text = where.pinned if where.pinned is not None else (self.base or "the repository root")
        yield Problem(f"{head} {script}", f"`{head} {script}`: no file `{script}` (from {where_text or 'the repository root'})",
                      fix("update-script-file", script=script))


def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I) if patterns else None


@lru_cache(maxsize=64)
def _matched_dirs(root: str, pattern: str) -> tuple[str, ...]:
    """The directories of the repository's files that a scope glob matches."""
    return tuple(sorted({posixpath.dirname(p) for p in repo_index(root).paths
                         if not p.endswith("/") and fnmatch.fnmatch(p, pattern)}))


def _close(name: str, names: list[str], n: int) -> list[str]:
    import difflib  # here: most runs find no stale command

    return difflib.get_close_matches(name, names, n=n)


def _update(name: str, close: list[str]) -> Fix:
    return fix("update-command", name=name, such_as=f" such as {', '.join(f'`{c}`' for c in close)}" if close else "")


def _manifests(dirs: list[str], name: str) -> str:
    shown = [f"{d}/{name}" if d else name for d in dirs[:2]]
    if len(dirs) > 2:
        return f"{', '.join(shown)} or {len(dirs) - 2} other workspace {name} files"
    return " or ".join(shown)


def _script_arg(tokens: list[str]) -> bool:
    """The first token names a script file (`scripts/x.py`, `./run.sh`, `app.ts`)."""
    return bool(tokens) and bool(PATH_OK.match(tokens[0])) and tokens[0].endswith(SCRIPT_SUFFIXES)


def _looks_like_file(name: str) -> bool:
    return "/" in name or name.endswith(SCRIPT_SUFFIXES)


def _alternatives(name: str) -> list[str]:
    """`test:unit|components|types` → `test:unit`, `test:components`, `test:types`."""
    if "|" not in name:
        return [name]
    first, *others = name.split("|")
    prefix = first.rsplit(":", 1)[0] + ":" if ":" in first else ""
    return [first, *[o if ":" in o else prefix + o for o in others if o]]


def _defined(name: str, defined: set[str] | frozenset[str]) -> bool:
    if name in defined:
        return True
    if "*" in name:
        return any(fnmatch.fnmatchcase(d, name) for d in defined)  # `watch:*`
    return False


def _form(text: str) -> bool:
    return bool(FORM.search(text))


def _commands(file: InstructionFile) -> Iterator[tuple[int, str, int | None, CodeBlock | None]]:
    """(line, text, column of a code span, the code block) of every command-like text."""
    for code in file.doc.inline_code:
        yield code.line, code.text, code.column, None
    for block in file.doc.code_blocks:
        info = block.info.split()[0].lower() if block.info else ""
        if info not in SHELL_INFO:
            continue
        for offset, line in enumerate(block.content.split("\n"), start=1):
            yield block.start_line + offset, line, None, block


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    checker = Checker(file, project, ctx.data)
    seen: set[tuple[int, str]] = set()
    # A span with a blank or an elision (`bunx <bin>`, `bun run X`, `NODE_PATH=... node x.js`) shows the shape
    # of a command, not one to run; a line listing three commands or more, one of them such a form
    # ("emit `bun run X` / `bunx <bin>` / `bun file.ts`"), lists shapes: its other spans are forms too.
    spans: dict[int, list[str]] = {}
    for code in file.doc.inline_code:
        if SPAN_COMMAND.match(code.text):
            spans.setdefault(code.line, []).append(code.text)
    forms = {n for n, texts in spans.items() if len(texts) >= 3 and any(_form(t) or BLANK.search(t) for t in texts)}
    block_state: dict[int, tuple[Where, bool, list[str]]] = {}
    for line, text, column, block in _commands(file):
        if block is None:
            if not SPAN_COMMAND.match(text):
                continue  # a span that is not a command (`node/hooks/x.ts` is a path)
            if line in forms or _form(text):
                continue
            where, instruction = checker.context_of_span(line, column or 0, text)
            earlier: list[str] = []
        else:
            if block.start_line not in block_state:
                start, instruction = checker.context_of_block(block)
                block_state[block.start_line] = (start, instruction, [])
            where, instruction, earlier = block_state[block.start_line]
        if not instruction:
            continue
        for problem in checker.check_line(text, where, earlier):
            if (line, problem.command) in seen:
                continue
            seen.add((line, problem.command))
            located = Fix(problem.fix.templates, {**problem.fix.args, "line": line})
            yield RawFinding(line=line, message=problem.message, fix=located, content_key=problem.command,
                             severity=problem.severity)
        if block is not None:
            earlier.append(text)

