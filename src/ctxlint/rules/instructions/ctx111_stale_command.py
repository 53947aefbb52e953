"""stale-command: documented scripts/targets that the repository does not define."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from ctxlint.instructions.project import InstructionFile, InstructionProject
from ctxlint.model import RawFinding, fix
from ctxlint.rules.registry import RuleContext, detector

PM_RUN = re.compile(r"(?<![\w-])(npm|pnpm|yarn|bun)\s+(?:run\s+)?([A-Za-z][\w:.-]*)")
PM_EXPLICIT_RUN = re.compile(r"(?<![\w-])(npm|pnpm|yarn|bun)\s+run\s+([A-Za-z][\w:.-]*)")
MAKE = re.compile(r"(?<![\w-])make\s+(?:-[A-Za-z]+\s+)*([A-Za-z][\w.-]*)")
JUST = re.compile(r"(?<![\w-])just\s+([A-Za-z][\w-]*)")
TOX = re.compile(r"(?<![\w-])tox\s+-e\s+([\w,.-]+)")
MAKE_TARGET = re.compile(r"^([A-Za-z0-9_.-][A-Za-z0-9_./ -]*?)\s*::?(?!=)", re.M)
JUST_RECIPE = re.compile(r"^@?([A-Za-z_][\w-]*)[^\n:=]*:(?!=)", re.M)


def _find_up(start: Path, root: Path, name: str) -> Path | None:
    here = start
    while True:
        candidate = here / name
        if candidate.is_file():
            return candidate
        if here == root or here.parent == here:
            return None
        here = here.parent


@lru_cache(maxsize=64)
def _scripts(path: Path) -> frozenset[str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    return frozenset(scripts) if isinstance(scripts, dict) else frozenset()


@lru_cache(maxsize=64)
def _make_targets(path: Path) -> frozenset[str] | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if re.search(r"^\s*-?include\s", text, re.M) or "%:" in text:
        return None  # included makefiles or pattern rules: we cannot know every target
    targets = {t.strip() for m in MAKE_TARGET.finditer(text) for t in m.group(1).split()}
    for phony in re.findall(r"^\.PHONY\s*:(.*)$", text, re.M):
        targets.update(phony.split())
    return frozenset(targets)


@lru_cache(maxsize=64)
def _just_recipes(path: Path) -> frozenset[str] | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if "import " in text or "mod " in text:
        return None
    return frozenset(m.group(1) for m in JUST_RECIPE.finditer(text))


def _commands(file: InstructionFile) -> Iterator[tuple[int, str]]:
    for code in file.doc.inline_code:
        yield code.line, code.text
    for block in file.doc.code_blocks:
        if block.info and block.info.split()[0].lower() not in ("bash", "sh", "shell", "console", "zsh", "text", ""):
            continue
        for offset, line in enumerate(block.content.split("\n"), start=1):
            yield block.start_line + offset, line


@detector(scope="file")
def check(file: InstructionFile, project: InstructionProject, ctx: RuleContext) -> Iterator[RawFinding]:
    if file.outside_root:
        return
    root = Path(project.root).resolve()
    here = Path(file.source.real).parent
    builtins = {k: set(v) for k, v in ctx.data["builtins"].items()}
    seen: set[tuple[int, str]] = set()
    for line, text in _commands(file):
        found: list[tuple[str, str, frozenset[str] | None, str]] = []
        for m in PM_RUN.finditer(text):
            pm, name = m.group(1), m.group(2)
            explicit = PM_EXPLICIT_RUN.match(text, m.start()) is not None
            if not explicit and name in builtins.get(pm, set()):
                continue
            if not explicit and pm == "npm":
                continue  # `npm foo` without run is a built-in or an error npm itself reports
            pkg = _find_up(here, root, "package.json")
            if pkg is not None:
                found.append((f"{pm} {'run ' if explicit else ''}{name}", name, _scripts(pkg), "package.json scripts"))
        for m in MAKE.finditer(text):
            mk = _find_up(here, root, "Makefile") or _find_up(here, root, "makefile") or _find_up(here, root, "GNUmakefile")
            if mk is not None:
                found.append((f"make {m.group(1)}", m.group(1), _make_targets(mk), f"{mk.name} targets"))
        for m in JUST.finditer(text):
            jf = _find_up(here, root, "justfile") or _find_up(here, root, "Justfile")
            if jf is not None:
                found.append((f"just {m.group(1)}", m.group(1), _just_recipes(jf), "justfile recipes"))
        for m in TOX.finditer(text):
            tox = _find_up(here, root, "tox.ini")
            if tox is not None:
                envs = frozenset(re.findall(r"^\[testenv:([^\]]+)\]", tox.read_text(errors="replace"), re.M))
                for env in m.group(1).split(","):
                    if not env.startswith(("py", "{")):
                        found.append((f"tox -e {env}", env, envs, "tox.ini environments"))
        for command, name, defined, where in found:
            if defined is None or name in defined or (line, command) in seen:
                continue
            seen.add((line, command))
            import difflib  # here: most runs find no stale command

            close = difflib.get_close_matches(name, sorted(defined), n=3)
            hint = f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
            yield RawFinding(
                line=line,
                message=f"`{command}`: no `{name}` in {where}{hint}",
                fix=fix("update-command", line=line, name=name,
                        such_as=f" such as {', '.join(f'`{c}`' for c in close)}" if close else ""),
                content_key=command,
            )
