"""``ctxlint install`` / ``uninstall`` on real-shaped settings files (tests/fixtures/hooks/settings/):
every fixture round-trips, a user's statusLine and notifier survive, nothing is written unasked."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from ctxlint.live import install
from tests.conftest import REPO, cli_in

SETTINGS = REPO / "tests" / "fixtures" / "hooks" / "settings"
CLAUDE = ["claude-user-with-statusline.json", "claude-project-with-hooks.json", "claude-local-empty.json",
          "claude-user-installed.json", None]  # None: no settings file at all


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)
    return home


def place(fixture: str | None, target: Path) -> bytes | None:
    if fixture is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    data = (SETTINGS / fixture).read_bytes()
    target.write_bytes(data)
    return data


def run(cwd: Path, *args: str) -> tuple[int, str]:
    out = cli_in(cwd, list(args))
    return out.exit_code, out.output


def target_of(agent: str, scope: str, home: Path, project: Path) -> Path:
    return install.settings_path(agent, scope, project)


CASES = [("claude-code", scope, f, flags) for scope in ("user", "project", "local") for f in CLAUDE
         for flags in ((), ("--chain",), ("--force",))] + \
        [("codex", "user", f, x) for f in ("codex-config-plain.toml", "codex-config-with-notify.toml", None)
         for x in ((), ("--force",))] + \
        [("gemini", scope, f, ()) for scope in ("user", "project") for f in ("gemini-settings-with-hooks.json", None)]


@pytest.mark.parametrize(("agent", "scope", "fixture", "flags"), CASES,
                         ids=[f"{a}-{s}-{f}-{''.join(x)}" for a, s, f, x in CASES])
def test_install_then_uninstall_restores_the_file(agent: str, scope: str, fixture: str | None, flags: tuple[str, ...],
                                                   home: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    target = target_of(agent, scope, home, project)
    original = place(fixture, target)
    code, output = run(project, "install", "--agent", agent, "--scope", scope, "--yes", *flags)
    assert code == 0, output
    installed = target.read_text(encoding="utf-8")
    assert "statusline" in installed or agent != "claude-code" or (fixture and "statusLine" in installed)
    assert "hook" in installed
    # installing again changes nothing
    code, output = run(project, "install", "--agent", agent, "--scope", scope, "--yes", *flags)
    assert code == 0 and "nothing to do" in output and target.read_text(encoding="utf-8") == installed
    code, output = run(project, "uninstall", "--agent", agent, "--scope", scope, "--yes")
    assert code == 0, output
    if original is not None and installed.encode() != original:
        assert target.read_bytes() == original
    else:  # no file before, or one that held nothing but ctxlint's entries: as if never installed
        assert not target.exists()
    assert not Path(str(target) + install.BACKUP).exists()


def test_a_users_statusline_is_kept_unless_forced(home: Path, tmp_path: Path) -> None:
    target = home / ".claude" / "settings.json"
    place("claude-user-with-statusline.json", target)
    code, output = run(tmp_path, "install", "--agent", "claude-code", "--yes")
    assert code == 0 and "you already have a statusLine" in output
    data = json.loads(target.read_text())
    assert data["statusLine"]["command"] == "~/.claude/statusline.sh"
    assert [g["hooks"][0]["command"].split()[-1] for g in data["hooks"]["Stop"]] == ["hook"]
    code, _ = run(tmp_path, "install", "--agent", "claude-code", "--yes", "--chain")
    command = json.loads(target.read_text())["statusLine"]["command"]
    assert install.is_ours(command, "statusline") and install.chained_command(command) == "~/.claude/statusline.sh"
    # the keys around it, their order and the user's settings are untouched
    assert list(json.loads(target.read_text())) == ["$schema", "model", "statusLine", "permissions", "env",
                                                     "cleanupPeriodDays", "hooks"]


def test_existing_hooks_are_kept_beside_ctxlints(home: Path, tmp_path: Path) -> None:
    project = tmp_path / "p"
    target = project / ".claude" / "settings.json"
    place("claude-project-with-hooks.json", target)
    run(project, "install", "--agent", "claude-code", "--scope", "project", "--yes")
    hooks = json.loads(target.read_text())["hooks"]
    assert [g["hooks"][0]["command"] for g in hooks["Stop"]] == ["$CLAUDE_PROJECT_DIR/.claude/hooks/notify.sh",
                                                                  "ctxlint hook"]
    assert hooks["PostToolUse"][0]["matcher"] == "Edit|Write" and len(hooks["PostToolUse"]) == 1


def test_user_scope_writes_an_absolute_command(home: Path, tmp_path: Path) -> None:
    run(tmp_path, "install", "--agent", "claude-code", "--yes")
    command = json.loads((home / ".claude" / "settings.json").read_text())["statusLine"]["command"]
    assert command.split()[0].startswith("/") and install.is_ours(command, "statusline")


def test_nothing_is_written_unasked(home: Path, tmp_path: Path) -> None:
    target = home / ".claude" / "settings.json"
    original = place("claude-user-with-statusline.json", target)
    code, output = run(tmp_path, "install", "--agent", "claude-code")
    assert code == 2 and "--yes" in output and "+++" in output  # the diff is shown, the file is not written
    assert target.read_bytes() == original
    code, output = run(tmp_path, "install", "--agent", "claude-code", "--dry-run")
    assert code == 0 and target.read_bytes() == original


def test_a_broken_settings_file_is_never_rewritten(home: Path, tmp_path: Path) -> None:
    target = home / ".claude" / "settings.json"
    target.parent.mkdir(parents=True)
    target.write_text('{"model": "sonnet",  // a comment\n}')
    code, output = run(tmp_path, "install", "--agent", "claude-code", "--yes")
    assert code == 2 and "not valid JSON" in output
    assert target.read_text() == '{"model": "sonnet",  // a comment\n}'


def test_the_first_install_keeps_a_backup(home: Path, tmp_path: Path) -> None:
    target = home / ".claude" / "settings.json"
    original = place("claude-user-with-statusline.json", target)
    run(tmp_path, "install", "--agent", "claude-code", "--yes", "--chain")
    assert Path(str(target) + install.BACKUP).read_bytes() == original


def test_uninstall_keeps_what_the_user_changed_since(home: Path, tmp_path: Path) -> None:
    target = home / ".claude" / "settings.json"
    place("claude-user-with-statusline.json", target)
    run(tmp_path, "install", "--agent", "claude-code", "--yes", "--chain")
    data = json.loads(target.read_text())
    data["model"] = "opus"
    target.write_text(json.dumps(data, indent=2) + "\n")
    run(tmp_path, "uninstall", "--agent", "claude-code", "--yes")
    after = json.loads(target.read_text())
    assert after["model"] == "opus" and after["statusLine"]["command"] == "~/.claude/statusline.sh"
    assert "hooks" not in after


def test_codex_notify_is_chained_and_comments_kept(home: Path, tmp_path: Path) -> None:
    target = home / ".codex" / "config.toml"
    place("codex-config-with-notify.toml", target)
    code, output = run(tmp_path, "install", "--agent", "codex", "--yes")
    assert code == 0 and "kept your notify program" in output
    text = target.read_text()
    assert text.startswith("# A user's ~/.codex/config.toml")
    notify = tomllib.loads(text)["notify"]
    assert notify[1:5] == ["hook", "--agent", "codex", "--"] and notify[5:] == ["terminal-notifier-codex", "--sound",
                                                                              "default"]


def test_codex_has_only_user_settings(home: Path, tmp_path: Path) -> None:
    code, output = run(tmp_path, "install", "--agent", "codex", "--scope", "project", "--yes")
    assert code == 2 and "codex has no project settings" in output


def test_the_installed_command_is_one_ctxlint_runs(home: Path, tmp_path: Path) -> None:
    """What is written parses back as `ctxlint statusline` / `ctxlint hook` for the wrapper and the
    uninstaller, whichever way ctxlint was installed."""
    for prefix in (["/opt/ctx/bin/ctxlint"], ["/usr/bin/python3", "-m", "ctxlint"], ["ctxlint"],
                   ["/home/a b/venv/bin/ctxlint"]):
        line = install._line([*prefix, "statusline", "--chain", "~/my line.sh --x"])
        assert install.is_ours(line, "statusline") and not install.is_ours(line, "hook")
        assert install.chained_command(line) == "~/my line.sh --x"
    assert not install.is_ours("~/.claude/statusline.sh", "statusline")
    assert not install.is_ours("notctxlint statusline", "statusline")


def test_the_installed_commands_run_as_the_agent_runs_them(home: Path, tmp_path: Path) -> None:
    """Done when a user installs and sees the line in the next session: the agent runs the written
    commands through the shell with its JSON on stdin."""
    import os
    import subprocess

    run(tmp_path, "install", "--agent", "claude-code", "--yes")
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    session = tmp_path / "projects" / "-p" / "s.jsonl"
    session.parent.mkdir(parents=True)
    session.write_bytes((REPO / "examples" / "session.jsonl").read_bytes())
    status = json.loads((REPO / "tests" / "fixtures" / "hooks" / "claude-code" / "statusline.json").read_text())
    status["transcript_path"] = str(session)
    env = {**os.environ, "NO_COLOR": "1"}
    line = subprocess.run(settings["statusLine"]["command"], shell=True, input=json.dumps(status), text=True,
                          capture_output=True, env=env, check=True, timeout=120).stdout
    assert line.startswith("ctx 7% · 154K to compact · $0.18")
    end = {"session_id": "s", "transcript_path": str(session), "cwd": str(tmp_path), "hook_event_name": "SessionEnd",
           "reason": "other"}
    command = settings["hooks"]["SessionEnd"][0]["hooks"][0]["command"]
    answer = subprocess.run(command, shell=True, input=json.dumps(end), text=True, capture_output=True, env=env,
                            check=True, timeout=120).stdout
    assert json.loads(answer)["systemMessage"].startswith("ctxlint: $0.18 spent this session")
