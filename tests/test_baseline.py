"""Baselines hide known findings, by content fingerprint, not line number."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from click.testing import CliRunner

from ctxlint.cli import main

BODY = "# Rules\n- Run `make test` before every commit.\n- Use pnpm for installs always.\n- Run `make test` before every commit.\n"


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        r = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return r.exit_code, r.output


def test_baseline_survives_lines_inserted_above(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text(BODY)
    code, _ = run([".", "--select", "CTX104", "--write-baseline", "base.json"], tmp_path)
    assert code == 1
    assert json.loads((tmp_path / "base.json").read_text())["entries"]
    (tmp_path / "CLAUDE.md").write_text("# Intro\n\nSome words about the project here.\n\n" + BODY)
    code, out = run([".", "--select", "CTX104", "--baseline", "base.json", "--format", "json"], tmp_path)
    assert code == 0, out
    data = json.loads(out)
    assert data["findings"] == [] and data["summary"]["baseline_suppressed"] == 1
    # a new duplicate is new
    (tmp_path / "CLAUDE.md").write_text(BODY + "- Use pnpm for installs always.\n")
    code, out = run([".", "--select", "CTX104", "--baseline", "base.json", "--format", "json"], tmp_path)
    assert code == 1 and len(json.loads(out)["findings"]) == 1


def test_bad_baseline_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text(BODY)
    (tmp_path / "base.json").write_text("not json")
    code, _ = run([".", "--baseline", "base.json"], tmp_path)
    assert code == 2


def test_diff_base_limits_instruction_findings(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, env=env)
    (tmp_path / "CLAUDE.md").write_text(BODY)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "AGENTS.md").write_text(BODY)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "x"], cwd=tmp_path, check=True, env=env)
    (tmp_path / "pkg" / "AGENTS.md").write_text(BODY + "\n")
    code, out = run([".", "--select", "CTX104", "--diff-base", "HEAD", "--format", "json"], tmp_path)
    paths = {f["path"] for f in json.loads(out)["findings"]}
    assert paths == {"pkg/AGENTS.md"}
    code, _ = run([".", "--diff-base", "no-such-ref"], tmp_path)
    assert code == 2
