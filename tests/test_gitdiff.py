"""`--diff-base`: which files changed since a ref, in a real temporary git repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ctxlint.core.gitdiff import changed_files
from ctxlint.errors import GitDiffError
from tests.conftest import cli_in

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@t",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@t",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": os.devnull,
}
BODY = "# Rules\n- Run `make test` before every commit.\n- Use pnpm for installs always.\n- Run `make test` before every commit.\n"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, text=True
    ).stdout


def write(repo: Path, name: str, text: str = "x\n") -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in (
        "GIT_CONFIG_NOSYSTEM",
        "HOME",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.setenv(key, ENV[key])
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for name in ("CLAUDE.md", "same.md", "gone.md", "sub/AGENTS.md", "sub/keep.md"):
        write(repo, name)
    write(repo, ".gitignore", "ignored.md\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "feature")
    return repo


def test_committed_staged_unstaged_and_untracked(repo: Path) -> None:
    write(repo, "CLAUDE.md", "committed\n")
    write(repo, "my file, v2: ü.md")  # spaces, comma, colon, non-ASCII
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "change")
    write(repo, "sub/AGENTS.md", "staged\n")
    git(repo, "add", "sub/AGENTS.md")
    write(repo, "sub/keep.md", "unstaged\n")
    write(repo, "new dir/untracked.md")
    write(repo, "ignored.md")
    (repo / "gone.md").unlink()
    assert changed_files(repo, "main") == {
        "CLAUDE.md",
        "my file, v2: ü.md",
        "sub/AGENTS.md",
        "sub/keep.md",
        "new dir/untracked.md",
    }


def test_uses_the_merge_base_not_the_tip_of_the_base(repo: Path) -> None:
    write(repo, "CLAUDE.md", "feature\n")
    git(repo, "commit", "-qam", "feature change")
    git(repo, "checkout", "-q", "main")
    write(repo, "same.md", "changed on main after the branch point\n")
    git(repo, "commit", "-qam", "main moves on")
    git(repo, "checkout", "-q", "feature")
    assert changed_files(repo, "main") == {"CLAUDE.md"}


def test_paths_are_relative_to_root_and_limited_to_it(repo: Path) -> None:
    write(repo, "CLAUDE.md", "top\n")
    write(repo, "sub/AGENTS.md", "nested\n")
    write(repo, "sub/new.md")
    assert changed_files(repo / "sub", "main") == {"AGENTS.md", "new.md"}


def test_nothing_changed(repo: Path) -> None:
    assert changed_files(repo, "main") == set()
    assert changed_files(repo, "HEAD") == set()


def test_unknown_ref(repo: Path) -> None:
    with pytest.raises(GitDiffError, match="unknown git ref 'origin/nope'") as err:
        changed_files(repo, "origin/nope")
    assert "\n" not in str(err.value)


def test_option_like_ref_is_not_passed_to_git(repo: Path) -> None:
    with pytest.raises(GitDiffError, match="unknown git ref"):
        changed_files(repo, "--output=/tmp/x")


def test_no_common_history(repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "island")
    git(repo, "commit", "-qm", "unrelated")
    with pytest.raises(GitDiffError, match=r"no common history.*fetch-depth: 0"):
        changed_files(repo, "main")


def test_not_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(GitDiffError, match="not inside a git work tree"):
        changed_files(tmp_path, "main")
    with pytest.raises(GitDiffError, match="not a directory"):
        changed_files(tmp_path / "missing", "main")


def test_git_missing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(GitDiffError, match="git is not installed"):
        changed_files(repo, "main")


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    r = cli_in(cwd, args)
    return r.exit_code, r.output


def test_diff_base_limits_instruction_findings(repo: Path) -> None:
    write(repo, "CLAUDE.md", BODY)
    write(repo, "sub/AGENTS.md", BODY)
    git(repo, "commit", "-qam", "both bloated")
    write(repo, "sub/AGENTS.md", BODY + "\n")
    code, out = run([".", "--select", "CTX104", "--diff-base", "HEAD", "--format", "json"], repo)
    assert {f["path"] for f in json.loads(out)["findings"]} == {"sub/AGENTS.md"}
    code, _ = run([".", "--diff-base", "no-such-ref"], repo)
    assert code == 2
