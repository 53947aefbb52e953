"""The real pre-commit framework runs the hook from this repository against a temporary git repo."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BLOATED = "# Project\n" + "".join(f"- Step {i}: run `make step{i}` and read its output.\n" for i in range(260))
CLEAN = "# Project\n\nBuild with `make build`; test with `make test` (needs Docker).\n"


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.mark.slow
def test_pre_commit_try_repo_fails_on_bloat_and_passes_when_clean(tmp_path: Path) -> None:
    import sys

    pre_commit = shutil.which("pre-commit") or shutil.which("pre-commit", path=os.path.dirname(sys.executable))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed")
    work = tmp_path / "target"
    work.mkdir()
    _git(work, "init", "-q")
    (work / "Makefile").write_text("build:\n\ttrue\ntest:\n\ttrue\n")
    (work / "CLAUDE.md").write_text(BLOATED)
    (work / "README.md").write_text("# Not an instruction file\n" * 400)
    _git(work, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("CTXLINT_CACHE_DIR", None)

    def run_hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(REPO), "ctxlint", "--all-files"],
            cwd=work, capture_output=True, text=True, env=env, timeout=900,
        )

    bloated = run_hook()
    assert bloated.returncode == 1, bloated.stdout + bloated.stderr
    assert "CTX101" in bloated.stdout
    assert "README.md" not in bloated.stdout.split("ctxlint (agent instruction files)", 1)[-1]

    (work / "CLAUDE.md").write_text(CLEAN)
    _git(work, "add", "-A")
    clean = run_hook()
    assert clean.returncode == 0, clean.stdout + clean.stderr
