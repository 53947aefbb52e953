"""Issue 23.8: a transcript's ``cwd`` is data anyone can write. The coach and the export look at a
project directory only inside the user's home or an explicit ``--project-root``, never through a
link out of it, never run git there, and walk it within a bound."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ctxlint.core import inputs
from tests.security.helpers import run
from tests.transcript_builder import build

CLAUDE_MD = "# Project\n\n- Run `make test` before committing.\n" + "- Keep the build green.\n" * 40


def _session(history: Path, name: str, cwd: str) -> None:
    scenario = {"agent": "claude-code", "steps": [{"prompt": "fix it"}, {"read": "src/app.py", "tokens": 2000},
                                                   {"requests": 5}]}
    for file, text in build(scenario).items():
        target = history / name / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace('"cwd":"/work/app"', f'"cwd":{json.dumps(cwd)}'))


def _project(path: Path, marker: Path | None = None) -> Path:
    path.mkdir(parents=True)
    (path / "CLAUDE.md").write_text(CLAUDE_MD)
    if marker is not None and shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(path)], check=True)
        evil = path.parent / "evil.sh"
        evil.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
        evil.chmod(0o755)
        subprocess.run(["git", "-C", str(path), "config", "core.fsmonitor", str(evil)], check=True)
    return path


def _projects(result: subprocess.CompletedProcess[str]) -> set[str]:
    assert result.returncode == 0, result.stderr
    return {item["project"] for item in json.loads(result.stdout)["instructions"]}


def test_only_projects_in_home_or_a_project_root_are_looked_at(tmp_path: Path) -> None:
    home, elsewhere, history = tmp_path / "home", tmp_path / "srv", tmp_path / "history"
    marker = tmp_path / "git-ran"
    mine = _project(home / "code" / "app", marker)
    foreign = _project(elsewhere / "app", marker)
    (home / "code" / "linked").symlink_to(foreign, target_is_directory=True)  # a link out of home
    for name, cwd in (("mine", mine), ("foreign", foreign), ("linked", home / "code" / "linked"), ("root", "/"),
                      ("proc", "/proc"), ("relative", "code/app")):
        _session(history, name, str(cwd))
    env = {"HOME": str(home)}
    assert _projects(run(["coach", str(history), "--format", "json"], tmp_path, env=env)) == {str(mine)}
    assert not marker.exists()  # git was not run in any of them
    explicit = run(["coach", str(history), "--format", "json", "--project-root", str(elsewhere)], tmp_path, env=env)
    assert _projects(explicit) == {str(mine), str(foreign), str(home / "code" / "linked")}
    assert not marker.exists()


def test_a_project_too_large_to_walk_is_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path / "home" / "big")
    for i in range(30):
        (project / f"d{i}").mkdir()
        (project / f"d{i}" / "CLAUDE.md").write_text(CLAUDE_MD)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert inputs.project_instruction_sources(project) is not None
    monkeypatch.setattr(inputs, "PROJECT_ENTRIES", 20)
    assert inputs.project_instruction_sources(project) is None
    assert inputs.transcript_project(str(project)) == project.resolve()
    assert inputs.transcript_project("/") is None and inputs.transcript_project(str(tmp_path)) is None
