"""--fix: atomic, idempotent, keeps line endings and permissions, refuses symlinks out of the repo."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from ctxlint.cli.main import main
from tests.test_cli import run as invoke

DUP = "# Rules\r\n- Run `make test` before every commit.\r\n- Run `make test` before every commit.\r\n"


def run(args: list[str], cwd: Path) -> int:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, catch_exceptions=False).exit_code
    finally:
        os.chdir(old)


def test_fix_keeps_crlf_and_mode_and_is_idempotent(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    f = tmp_path / "CLAUDE.md"
    f.write_bytes(DUP.encode())
    f.chmod(0o640)
    run([".", "--select", "CTX104", "--fix"], tmp_path)
    assert f.read_bytes() == b"# Rules\r\n- Run `make test` before every commit.\r\n"
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    before = f.read_bytes()
    assert run([".", "--select", "CTX104", "--fix"], tmp_path) == 0
    assert f.read_bytes() == before


def test_alwaysapply_fix(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    rule = tmp_path / ".cursor" / "rules" / "a.mdc"
    rule.parent.mkdir(parents=True)
    rule.write_text("---\ndescription: x\nalwaysApply: \"yes\"\n---\nUse zod.\n")
    run([".", "--select", "CTX117", "--fix"], tmp_path)
    assert "alwaysApply: true\n" in rule.read_text()


def test_diff_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    f = tmp_path / "CLAUDE.md"
    f.write_bytes(DUP.encode())
    r = CliRunner()
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        out = r.invoke(main, [".", "--select", "CTX104", "--fix", "--diff"]).output
    finally:
        os.chdir(old)
    assert "-- Run `make test` before every commit." in out
    assert f.read_bytes() == DUP.encode()


def test_dead_import_removed_only_with_unsafe_fixes(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    f = tmp_path / "CLAUDE.md"
    f.write_text("# Root\n@docs/gone.md\nRun `make`.\n")
    run([".", "--select", "CTX106", "--fix"], tmp_path)
    assert "@docs/gone.md" in f.read_text()
    run([".", "--select", "CTX106", "--unsafe-fixes"], tmp_path)  # without --fix: shows, never writes (ruff)
    assert "@docs/gone.md" in f.read_text()
    run([".", "--select", "CTX106", "--fix", "--unsafe-fixes"], tmp_path)
    assert "@docs/gone.md" not in f.read_text()


def test_symlink_outside_the_repository_is_not_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_bytes(DUP.encode())
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "CLAUDE.md").symlink_to(outside)
    run([".", "--select", "CTX104", "--fix"], repo)
    assert outside.read_bytes() == DUP.encode()


def test_crash_mid_write_leaves_the_original(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    f = tmp_path / "CLAUDE.md"
    f.write_bytes(DUP.encode())
    script = (
        "import os, sys\n"
        "import ctxlint._runtime.fsutil as fs\n"
        "os.replace = lambda *a, **k: os._exit(9)\n"
        "from ctxlint.cli.main import main\n"
        "sys.argv = ['ctxlint', '.', '--select', 'CTX104', '--fix']\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path)
    assert proc.returncode == 9
    assert f.read_bytes() == DUP.encode()


def test_fix_says_what_it_applied_and_what_is_left(tmp_path: Path) -> None:
    """`--fix --diff` with nothing safe to fix used to print nothing and exit 0."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Root\n- @docs/gone.md\n- Write clean code.\n- Follow best practices.\n")
    dry = invoke([".", "--fix", "--diff"], tmp_path)
    assert dry.exit_code == 0 and dry.stdout == ""
    assert dry.stderr == ("ctxlint: 0 fixes would be applied; 1 fixable with --unsafe-fixes (CTX106 ×1); "
                          "1 needs manual edits (CTX108 ×1)\n")
    unsafe = invoke([".", "--fix", "--diff", "--unsafe-fixes"], tmp_path)
    assert unsafe.exit_code == 1  # as ruff: --diff fails when it would change something
    assert "-- @docs/gone.md" in unsafe.stdout
    assert unsafe.stderr.startswith("ctxlint: 1 fix would be applied to 1 file; 1 needs manual edits")
    applied = invoke([".", "--fix", "--unsafe-fixes"], tmp_path)
    assert applied.stderr.startswith("ctxlint: 1 fix applied to 1 file; 1 needs manual edits (CTX108 ×1)\n")
    assert "@docs/gone.md" not in (tmp_path / "CLAUDE.md").read_text()


def test_diff_without_fix_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_bytes(DUP.encode())
    result = invoke([".", "--diff"], tmp_path)
    assert result.exit_code == 2 and "--diff" in result.stderr and "--fix" in result.stderr
    assert (tmp_path / "CLAUDE.md").read_bytes() == DUP.encode()


def test_the_summary_line_says_how_many_are_fixable(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_bytes(DUP.encode())
    assert "1 finding (1 warning) · 1 fixable with --fix" in invoke([".", "--select", "CTX104"], tmp_path).stdout
