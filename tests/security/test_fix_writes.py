"""Issue 23.4: ``--fix`` writes only inside the repository of the checked path, never through a link
out of it, keeps owner and mode, never rewrites a file that changed since it was checked or that is
read-only, and keeps each line's own ending; issue 23.5: nothing outside the repository is read for
findings; issue 23.12: a failed write is a one-line message, and temp files a killed run left behind
are removed by the next run."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from tests.security.helpers import run

DUP = "# Rules\n- Run `make test` before every commit.\n- Run `make test` before every commit.\n"
FIXED = "# Rules\n- Run `make test` before every commit.\n"
# Lines only the files outside the repository hold: no output may quote them.
OUTSIDE = "# Private notes\n- Rotate the vault token every Tuesday at noon.\n- Rotate the vault token every Tuesday at noon.\n"


def _layout(tmp_path: Path) -> tuple[Path, Path]:
    """``parent/repo`` (a git repository) and ``parent/victim`` beside it, holding files to protect."""
    repo = tmp_path / "parent" / "repo"
    (repo / ".git").mkdir(parents=True)
    victim = tmp_path / "parent" / "victim"
    victim.mkdir()
    return repo, victim


def test_a_link_given_on_the_command_line_is_not_written_through(tmp_path: Path) -> None:
    repo, victim = _layout(tmp_path)
    (victim / "notes.md").write_text(OUTSIDE)
    (repo / "CLAUDE.md").symlink_to("../victim/notes.md")
    # run from the parent: the root is the checked path's repository, not the working directory
    for args in (["repo", "--fix"], ["repo/CLAUDE.md", "--fix"], ["repo/CLAUDE.md", "--fix", "--unsafe-fixes"]):
        result = run([*args, "--format", "json", "--fail-on", "never"], repo.parent)
        assert (victim / "notes.md").read_text() == OUTSIDE, args
        assert "vault token" not in result.stdout + result.stderr  # not quoted either (23.5)


def test_a_linked_directory_on_the_way_is_not_written_through(tmp_path: Path) -> None:
    repo, victim = _layout(tmp_path)
    (victim / ".git").mkdir()  # another repository
    (victim / ".claude" / "rules").mkdir(parents=True)
    (victim / ".claude" / "rules" / "style.md").write_text(OUTSIDE)
    (repo / ".claude").symlink_to("../victim/.claude", target_is_directory=True)  # not the last component
    for given in ("repo", "repo/.claude/rules/style.md"):
        result = run([given, "--fix", "--format", "json", "--fail-on", "never"], repo.parent)
        assert (victim / ".claude" / "rules" / "style.md").read_text() == OUTSIDE, given
        assert "vault token" not in result.stdout + result.stderr


def test_imports_from_outside_are_neither_read_nor_edited(tmp_path: Path) -> None:
    repo, victim = _layout(tmp_path)
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    outside = {victim / "parent.md": "@../../victim/parent.md", victim / "absolute.md": f"@{victim / 'absolute.md'}",
               home / ".claude" / "prefs.md": "@~/.claude/prefs.md"}
    for path in outside:
        path.write_text(OUTSIDE)
    (repo / "docs").mkdir()
    (repo / "docs" / "CLAUDE.md").write_text("# Docs\n\n" + "\n".join(outside.values()) + "\n")
    (repo / "CLAUDE.md").write_text("# Root\n\n@docs/CLAUDE.md\n")
    env = {"HOME": str(home)}
    result = run([".", "--fix", "--unsafe-fixes", "--format", "json", "--fail-on", "never"], repo, env=env)
    assert result.returncode == 0, result.stderr
    for path in outside:
        assert path.read_text() == OUTSIDE, path
    assert "vault token" not in result.stdout + result.stderr
    report = json.loads(run([".", "--format", "json", "--fail-on", "never", "--load-graph"], repo, env=env).stdout)
    outside_imports = [f for f in report["findings"] if f["rule_id"] == "CTX107" and "outside" in f["message"]]
    assert len(outside_imports) == 2  # the absolute and the parent import; a home import is the user's own
    assert all(f["path"].startswith("docs/") or f["path"] == "CLAUDE.md" for f in report["findings"])


def test_an_import_that_climbs_out_and_back_in_is_not_edited(tmp_path: Path) -> None:
    repo, _ = _layout(tmp_path)
    (repo / "notes.md").write_text(DUP)
    (repo / "sub").mkdir()
    (repo / "sub" / "CLAUDE.md").write_text("# Sub\n\n@../notes.md\n")
    run([".", "--fix", "--fail-on", "never"], repo / "sub")
    assert (repo / "notes.md").read_text() == DUP  # reached only through `@../`: never edited
    (repo / "CLAUDE.md").write_text("# Root\n\n@notes.md\n")
    run([".", "--fix", "--fail-on", "never"], repo)
    assert (repo / "notes.md").read_text() == FIXED  # a plain import inside the repository is


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another user needs root")
def test_owner_and_mode_are_kept(tmp_path: Path) -> None:
    repo, _ = _layout(tmp_path)
    target = repo / "CLAUDE.md"
    target.write_text(DUP)
    os.chown(target, 4321, 4321)
    target.chmod(0o664)
    run([".", "--fix"], repo)
    st = target.stat()
    assert target.read_text() == FIXED
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 4321, 0o664)


def test_a_read_only_file_is_left_alone(tmp_path: Path) -> None:
    repo, _ = _layout(tmp_path)
    target = repo / "CLAUDE.md"
    target.write_text(DUP)
    target.chmod(0o444)
    result = run([".", "--fix"], repo)
    assert target.read_text() == DUP and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert "read-only" in result.stderr and "internal error" not in result.stderr


def _racing(repo: Path, edited: str, when: str) -> None:
    """``ctxlint . --fix`` while an editor saves ``edited`` at ``when``: before --fix reads the file, or
    between its read and its rename."""
    script = f"""
import sys
from pathlib import Path
import ctxlint.core.fixes as fixes
from ctxlint.cli.main import main

def save():
    Path("CLAUDE.md").write_text({edited!r})

if {when!r} == "before":
    real = fixes.apply_fixes
    def apply_fixes(*args, **kwargs):
        save()
        return real(*args, **kwargs)
    fixes.apply_fixes = apply_fixes
else:
    real_fsync = fixes.os.fsync
    def fsync(fd):
        real_fsync(fd)
        if not getattr(fsync, "done", False):
            fsync.done = True
            save()
    fixes.os.fsync = fsync
sys.argv = ["ctxlint", ".", "--fix", "--fail-on", "never"]
main()
"""
    result = run(["-c", script], repo, python=True)
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("when", ["before", "during"])
def test_a_file_saved_meanwhile_is_not_overwritten(tmp_path: Path, when: str) -> None:
    repo, _ = _layout(tmp_path)
    target = repo / "CLAUDE.md"
    target.write_text(DUP)
    # the editor inserted 2,000 lines above: line 3 (the duplicate the fix deletes) is another line now
    edited = "# Rules\n" + "".join(f"- keep line {i}\n" for i in range(2000)) + DUP.split("\n", 1)[1]
    _racing(repo, edited, when)
    assert target.read_text() == edited


def test_each_line_keeps_its_own_ending(tmp_path: Path) -> None:
    repo, _ = _layout(tmp_path)
    target = repo / "CLAUDE.md"
    target.write_bytes(b"# Rules\r\n- Run `make test` before every commit.\n- Run `make test` before every commit.\n"
                       b"- Keep commits small.\r\n- Write tests\rfirst.\n")
    run([".", "--fix", "--select", "CTX104"], repo)
    assert target.read_bytes() == (b"# Rules\r\n- Run `make test` before every commit.\n- Keep commits small.\r\n"
                                   b"- Write tests\rfirst.\n")


def test_a_write_that_fails_is_one_line_not_an_internal_error(tmp_path: Path) -> None:
    repo, _ = _layout(tmp_path)
    (repo / "CLAUDE.md").write_text(DUP)
    script = """
import errno, os, sys
from ctxlint.cli.main import main

def replace(*args, **kwargs):
    raise PermissionError(errno.EACCES, "Permission denied")

os.replace = replace  # a read-only directory, a full disk: the rename fails
sys.argv = ["ctxlint", ".", "--fix", "--fail-on", "never"]
main()
"""
    result = run(["-c", script], repo, python=True)
    assert result.returncode == 0, result.stderr
    assert "Permission denied" in result.stderr and "internal error" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert (repo / "CLAUDE.md").read_text() == DUP
    assert [p.name for p in repo.iterdir() if p.name.endswith(".tmp")] == []


def test_temp_files_a_killed_run_left_are_removed_by_the_next_run(tmp_path: Path) -> None:
    repo, _ = _layout(tmp_path)
    (repo / "CLAUDE.md").write_text(FIXED)
    dead = 2**22 + 12345  # above the default pid_max of most systems: no such process
    left = [repo / ".ctxlint-k3j9x2ab.tmp", repo / f".ctxlint-{dead}-0badc0de.tmp"]  # old and new naming
    for path in left:
        path.write_text(DUP)
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    running = repo / f".ctxlint-{os.getpid()}-1234abcd.tmp"  # a run still going: left alone
    running.write_text(DUP)
    result = run([".", "--fail-on", "never"], repo)
    assert result.returncode == 0, result.stderr
    assert [p for p in left if p.exists()] == [] and running.exists()
