"""The package's imports run one way: no module imports another that (directly or through others)
imports it back, counting imports inside functions too; the parsing and measuring layers never
reach up into the engine, the rules or the commands; and every module imports on its own in a fresh
interpreter."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ctxlint"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """The ctxlint modules ``name`` imports anywhere in its body (functions included)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` imports the submodule when there is one, else the package
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]  # `import ctxlint.x.y` of a name inside a module
            if target and target != name and target != "ctxlint":
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle() -> None:
    assert _cycles() == []


def test_the_import_graph_sees_function_level_imports() -> None:
    # a circle through an import inside a function is still a circle: make sure those are counted
    assert "ctxlint.core.run" in GRAPH["ctxlint.cli.check"]


# Lower layers never import higher ones (prefixes of module names).
LAYERS = [
    ("ctxlint.model", "ctxlint.errors", "ctxlint._runtime"),
    ("ctxlint.measure", "ctxlint.markdown", "ctxlint.transcripts", "ctxlint.instructions"),
    ("ctxlint.rules", "ctxlint.config", "ctxlint.measure.secrets"),
    ("ctxlint.core",),
    ("ctxlint.coach", "ctxlint.team", "ctxlint.reporters", "ctxlint.live"),
    ("ctxlint.cli", "ctxlint.lsp"),
]


def _layer(module: str) -> int | None:
    """The layer of the longest prefix naming ``module`` (``measure.secrets`` sits above ``measure``)."""
    matches = [(len(p), level) for level, prefixes in enumerate(LAYERS) for p in prefixes
               if module == p or module.startswith(p + ".")]
    return max(matches)[1] if matches else None


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if m not in ("ctxlint", "ctxlint.__main__") and _layer(m) is None] == []


def test_imports_never_reach_up_a_layer() -> None:
    upward = [(m, t) for m, targets in GRAPH.items() for t in sorted(targets)
              if (lm := _layer(m)) is not None and (lt := _layer(t)) is not None and lt > lm]
    assert upward == []


def _import_alone(module: str) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(PACKAGE.parent)
    proc = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, env=env)
    return module, proc.stderr.strip().splitlines()[-1] if proc.returncode else ""


@pytest.mark.slow  # seconds on two cores; CI runs the slow tests too
def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    pytest.importorskip("pyarrow")  # the team modules need the team extras
    modules = [m for m in MODULES if m != "ctxlint.__main__"]  # __main__ runs the CLI
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        failures = [f"{m}: {err}" for m, err in pool.map(_import_alone, modules) if err]
    assert failures == []
