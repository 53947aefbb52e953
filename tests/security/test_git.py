"""Issue 23.7: a repository's own git configuration cannot make ctxlint start a program: the
fsmonitor hook, hooks, the pager and external diff drivers are switched off on every git call, and
every program ctxlint starts is git, through that one helper."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.security.helpers import run

SRC = Path(__file__).resolve().parents[2] / "src" / "ctxlint"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _hostile_repository(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.sh"
    evil.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {marker}\nexit 1\n")
    evil.chmod(0o755)
    hooks = repo / ".git-hooks"

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "core.hooksPath=/dev/null", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q", ".")
    git("config", "user.email", "dev@example.com")
    git("config", "user.name", "Dev")
    (repo / "CLAUDE.md").write_text("# Project\n\n- Run `make test` before committing.\n")
    (repo / "CLAUDE.local.md").write_text("# Mine\n\n- Use my sandbox.\n")  # CTX119 asks git about it
    git("add", "CLAUDE.md")
    git("commit", "-qm", "init")
    hooks.mkdir()
    for hook in ("post-checkout", "pre-commit", "post-index-change", "reference-transaction"):
        shutil.copy(evil, hooks / hook)
    # what whoever hands over the directory can write into .git/config
    for key, value in (("core.fsmonitor", str(evil)), ("core.hooksPath", str(hooks)), ("core.pager", str(evil)),
                       ("diff.external", str(evil)), ("pager.diff", str(evil)), ("pager.ls-files", str(evil))):
        git("config", key, value)
    (repo / "CLAUDE.md").write_text("# Project\n\n- Run `make test` before committing.\n- Be careful.\n")
    return repo, marker


def test_git_config_of_a_checked_repository_runs_nothing(tmp_path: Path) -> None:
    repo, marker = _hostile_repository(tmp_path)
    for args in ([".", "--fail-on", "never"], [".", "--diff-base", "HEAD", "--fail-on", "never"],
                 ["CLAUDE.md", "--fail-on", "never"]):
        result = run(args, repo)
        assert result.returncode == 0, result.stderr
        assert not marker.exists(), (args, marker.read_text())
    assert "CTX119" in run([".", "--fail-on", "never", "--select", "CTX119"], repo).stdout  # git was asked


_STARTERS = {("subprocess", name) for name in ("run", "Popen", "call", "check_call", "check_output", "getoutput",
                                                "getstatusoutput")}
_STARTERS |= {("os", name) for name in ("system", "popen", "execv", "execve", "execvp", "execvpe", "execl", "execlp",
                                         "spawnv", "spawnve", "spawnl", "posix_spawn", "posix_spawnp", "startfile")}


def test_every_program_ctxlint_starts_is_git_through_one_helper() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and (node.func.value.id, node.func.attr) in _STARTERS):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    # Besides git, only the live hooks start programs, and only ones the user named in their own agent
    # settings (a chained statusline or notifier, which the agent would run anyway) or ctxlint itself (the
    # detached refresh): never a program named by a checked repository or transcript.
    allowed = ("_runtime/git.py:", "live/hooks.py:", "live/statusline.py:")
    assert [f for f in found if not f.startswith(allowed)] == []
    assert found  # the scan sees calls: the helper's own
