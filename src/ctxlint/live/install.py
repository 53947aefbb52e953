"""``ctxlint install`` / ``ctxlint uninstall``: the statusline and the hooks in an agent's settings.

What is written (docs/agents/hooks.md has the shapes):

* Claude Code (``~/.claude/settings.json``; ``.claude/settings.json`` with ``--scope project``,
  ``.claude/settings.local.json`` with ``--scope local``): ``statusLine`` runs ``ctxlint statusline``,
  and one hook group per event (``Stop``, ``SubagentStop``, ``PreCompact``, ``SessionEnd``) runs
  ``ctxlint hook``, beside the user's own groups. A ``statusLine`` the user already has is never
  replaced without ``--force``; ``--chain`` keeps it and shows ctxlint's line after it
  (``ctxlint statusline --chain '<their command>'``).
* Codex (``$CODEX_HOME/config.toml``): ``notify`` runs ``ctxlint hook --agent codex``. Codex has one
  notifier: one the user has is chained (``… -- <their argv>``), never dropped (``--force`` replaces it).
* Gemini CLI (``~/.gemini/settings.json``, ``.gemini/settings.json``): ``AfterAgent``, ``PreCompress``
  and ``SessionEnd`` hooks run ``ctxlint hook --agent gemini``.

Safely: the change is shown as a diff first and written only when confirmed (``--yes``); the file's
keys, order, indentation and comments (TOML) are kept; the first install keeps the file as it was in
``<file>.ctxlint-backup``; the write is atomic; installing twice changes nothing. ``uninstall`` takes
out exactly what ``install`` put in (a chained command is given back as it was): when nothing else
changed meanwhile the file is restored byte for byte (from the backup), and a file the install
created is removed.

The command written is the absolute path of the ``ctxlint`` that runs the install (the console script
beside this interpreter, else ``<python> -m ctxlint``), so the agent finds it whatever its ``PATH``;
in a project's shared settings (``--scope project``) it is ``ctxlint``, which each teammate has on
their own ``PATH``.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ctxlint.errors import CtxlintError

AGENTS = ("claude-code", "codex", "gemini")
SCOPES = {"claude-code": ("user", "project", "local"), "codex": ("user",), "gemini": ("user", "project")}
CLAUDE_EVENTS = {"Stop": 10, "SubagentStop": 10, "PreCompact": 10, "SessionEnd": 30}  # event -> timeout (s)
GEMINI_EVENTS = {"AfterAgent": 10_000, "PreCompress": 10_000, "SessionEnd": 30_000}  # event -> timeout (ms)
BACKUP = ".ctxlint-backup"


class InstallError(CtxlintError):
    pass


@dataclass(slots=True)
class Plan:
    """One settings file before and after (``after`` None: the file is removed)."""

    agent: str
    path: Path
    before: str | None
    after: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        import difflib

        a = (self.before or "").splitlines(keepends=True)
        b = (self.after or "").splitlines(keepends=True)
        lines = difflib.unified_diff(a, b, str(self.path) if self.before is not None else "/dev/null",
                                     str(self.path) if self.after is not None else "/dev/null")
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def settings_path(agent: str, scope: str, project: Path) -> Path:
    if scope not in SCOPES[agent]:
        raise InstallError(f"{agent} has no {scope} settings to install into (scopes: {', '.join(SCOPES[agent])})")
    home = Path.home()
    if agent == "claude-code":
        if scope == "user":
            return Path(os.environ.get("CLAUDE_CONFIG_DIR") or home / ".claude") / "settings.json"
        return project / ".claude" / ("settings.json" if scope == "project" else "settings.local.json")
    if agent == "codex":
        return Path(os.environ.get("CODEX_HOME") or home / ".codex") / "config.toml"
    return (home if scope == "user" else project) / ".gemini" / "settings.json"


def command_prefix(scope: str) -> list[str]:
    """How the agent starts this ctxlint (see the module docstring)."""
    if scope == "project":
        return ["ctxlint"]
    here = Path(sys.executable).parent
    for name in ("ctxlint", "ctxlint.exe"):
        script = here / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script)]
    return [sys.executable, "-m", "ctxlint"]


def _line(argv: list[str]) -> str:
    return " ".join(shlex.quote(a) for a in argv)


def is_ours(command: Any, sub: str) -> bool:
    """Whether a command line runs ``ctxlint <sub>`` (from any place ctxlint was installed)."""
    if not isinstance(command, str):
        return False
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    for i, word in enumerate(words[:-1]):
        runs = os.path.basename(word) in ("ctxlint", "ctxlint.exe") or (word == "-m" and words[i + 1] == "ctxlint")
        if runs:
            rest = words[i + 1:] if word != "-m" else words[i + 2:]
            return bool(rest) and rest[0] == sub
    return False


def chained_command(command: str) -> str | None:
    """The user's own statusline command inside ``ctxlint statusline --chain '<command>'``."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    return words[words.index("--chain") + 1] if "--chain" in words[:-1] else None


# --- plans --------------------------------------------------------------------------------------


def plan_install(agent: str, scope: str, project: Path, *, force: bool = False, chain: bool = False) -> Plan:
    path = settings_path(agent, scope, project)
    before = _read(path)
    prefix = command_prefix(scope)
    if agent == "codex":
        return _codex_install(path, before, prefix, force)
    data = _json(path, before)
    notes: list[str] = []
    if agent == "claude-code":
        _claude_statusline(data, prefix, force, chain, notes)
        for event, timeout in CLAUDE_EVENTS.items():
            _add_hook(data, event, {"type": "command", "command": _line([*prefix, "hook"]), "timeout": timeout})
    else:
        for event, timeout in GEMINI_EVENTS.items():
            _add_hook(data, event, {"name": "ctxlint", "type": "command",
                                    "command": _line([*prefix, "hook", "--agent", "gemini"]), "timeout": timeout})
    return Plan(agent, path, before, _dump(data, before), notes)


def plan_uninstall(agent: str, scope: str, project: Path) -> Plan:
    path = settings_path(agent, scope, project)
    before = _read(path)
    if before is None:
        return Plan(agent, path, None, None, ["nothing installed"])
    return Plan(agent, path, before, _restored(agent, path, before, without_ours(agent, path, before)))


def without_ours(agent: str, path: Path, text: str) -> str:
    """The settings ``text`` with ctxlint's entries taken out (a chained command given back)."""
    if agent == "codex":
        return _codex_uninstall(path, text)
    data = _json(path, text)
    if agent == "claude-code":
        line = data.get("statusLine")
        if isinstance(line, dict) and is_ours(line.get("command"), "statusline"):
            theirs = chained_command(line["command"])
            if theirs is not None:
                line["command"] = theirs
            else:
                del data["statusLine"]
    hooks = data.get("hooks")
    if isinstance(hooks, dict):
        for event in list(hooks):
            groups = hooks[event]
            if not isinstance(groups, list):
                continue
            kept = [g for g in groups if not _our_group(g)]
            if kept:
                hooks[event] = kept
            else:
                del hooks[event]
        if not hooks:
            del data["hooks"]
    return _dump(data, text)


def _restored(agent: str, path: Path, before: str, after: str) -> str | None:
    """The file as it was before the install (the backup's bytes) when only ctxlint's entries changed it
    since; a file the install created and that holds nothing else is removed."""
    original = _read(Path(str(path) + BACKUP))
    if original is not None:
        after = _give_back(agent, path, after, original)
        if _same(without_ours(agent, path, original), after, path):
            return original
    if original is None and _empty(after, path) and not _empty(before, path):
        return None
    return after


def _give_back(agent: str, path: Path, after: str, original: str) -> str:
    """The user's own statusLine (Claude Code) or notifier (Codex) that ``--force`` replaced, from the
    file as it was before the install."""
    key = {"claude-code": "statusLine", "codex": "notify"}.get(agent)
    if key is None:
        return after
    theirs = _parse(original, path).get(key)
    if theirs is None or key in _parse(after, path):
        return after
    command = theirs.get("command") if isinstance(theirs, dict) else _line([str(x) for x in theirs]) \
        if isinstance(theirs, list) else None
    if is_ours(command, "statusline" if agent == "claude-code" else "hook"):
        return after
    if agent == "codex":
        import tomlkit

        doc = tomlkit.parse(after)
        doc[key] = theirs
        return tomlkit.dumps(doc)
    data = _json(path, after)
    data[key] = theirs
    return _dump(data, after)


def _same(a: str, b: str, path: Path) -> bool:
    try:
        return bool(_parse(a, path) == _parse(b, path))
    except InstallError:
        return False


def _empty(text: str, path: Path) -> bool:
    try:
        return not _parse(text, path)
    except InstallError:
        return False


def _parse(text: str, path: Path) -> Any:
    if path.suffix == ".toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InstallError(f"{path}: not valid TOML ({exc})") from None
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise InstallError(f"{path}: not valid JSON ({exc}); fix or move it, then install again") from None


# --- Claude Code and Gemini CLI (JSON) ----------------------------------------------------------


def _claude_statusline(data: dict[str, Any], prefix: list[str], force: bool, chain: bool, notes: list[str]) -> None:
    ours = {"type": "command", "command": _line([*prefix, "statusline"]), "padding": 0}
    line = data.get("statusLine")
    if line is None or force:
        data["statusLine"] = ours
        if line is not None:
            notes.append("replaced your statusLine (--force); `ctxlint uninstall` gives it back")
        return
    command = line.get("command") if isinstance(line, dict) else None
    if is_ours(command, "statusline"):
        return
    if chain and isinstance(command, str) and isinstance(line, dict):
        line["command"] = _line([*prefix, "statusline", "--chain", command])
        return
    notes.append("you already have a statusLine: left as it is. `--chain` shows ctxlint's line after yours, "
                 "`--force` replaces it")


def _our_group(group: Any) -> bool:
    handlers = group.get("hooks") if isinstance(group, dict) else None
    return isinstance(handlers, list) and bool(handlers) and all(
        isinstance(h, dict) and is_ours(h.get("command"), "hook") for h in handlers)


def _add_hook(data: dict[str, Any], event: str, handler: dict[str, Any]) -> None:
    hooks = data.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise InstallError("the settings' hooks are not a table: fix them first")
    groups = hooks.setdefault(event, [])
    if not isinstance(groups, list):
        raise InstallError(f"the settings' hooks.{event} is not a list: fix it first")
    if not any(_our_group(g) for g in groups):
        groups.append({"hooks": [handler]})


def _json(path: Path, text: str | None) -> dict[str, Any]:
    data = _parse(text or "", path)
    if not isinstance(data, dict):
        raise InstallError(f"{path}: the settings are not a JSON object")
    return data


def _dump(data: dict[str, Any], before: str | None) -> str:
    """JSON as the file had it: its indentation, and a final newline when it had one (two spaces and a
    newline for a new file, as the agents write theirs)."""
    indent: int | str = 2
    if before:
        for raw in before.splitlines()[1:]:
            stripped = raw.lstrip(" \t")
            if stripped and len(stripped) < len(raw):
                lead = raw[: len(raw) - len(stripped)]
                indent = "\t" if lead.startswith("\t") else len(lead)
                break
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return text + ("\n" if before is None or before.endswith("\n") else "")


# --- Codex (TOML) --------------------------------------------------------------------------------


def _codex_install(path: Path, before: str | None, prefix: list[str], force: bool) -> Plan:
    import tomlkit

    _parse(before or "", path)  # a broken file is reported, never rewritten
    doc = tomlkit.parse(before or "")
    ours = [*prefix, "hook", "--agent", "codex"]
    current = doc.get("notify")
    notes: list[str] = []
    argv = [str(x) for x in current] if isinstance(current, list) else None
    if argv is not None and is_ours(_line(argv), "hook"):
        return Plan("codex", path, before, before, notes)
    if argv and not force:
        ours += ["--", *argv]
        notes.append("kept your notify program: ctxlint runs it with the same argument")
    doc["notify"] = ours
    return Plan("codex", path, before, tomlkit.dumps(doc), notes)


def _codex_uninstall(path: Path, before: str) -> str:
    import tomlkit

    _parse(before, path)
    doc = tomlkit.parse(before)
    current = doc.get("notify")
    argv = [str(x) for x in current] if isinstance(current, list) else None
    if argv is None or not is_ours(_line(argv), "hook"):
        return before
    if "--" in argv:
        doc["notify"] = argv[argv.index("--") + 1:]
    else:
        del doc["notify"]
    return tomlkit.dumps(doc)


# --- writing ------------------------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InstallError(f"cannot read {path}: {exc}") from None


def apply(plan: Plan, *, installing: bool) -> None:
    """Write the plan: the first install keeps the file as it was; atomically; a removed file's backup goes too."""
    from ctxlint._runtime.fsutil import atomic_write_bytes

    if not plan.changes:
        return
    backup = Path(str(plan.path) + BACKUP)
    if installing and plan.before is not None and _fresh_backup(plan, backup):
        atomic_write_bytes(str(backup), plan.before.encode("utf-8"), _mode(plan.path))
    if plan.after is None:
        plan.path.unlink(missing_ok=True)
        return
    plan.path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(str(plan.path), plan.after.encode("utf-8"), _mode(plan.path) or 0o600)
    if not installing and plan.before is not None and plan.after == _read(backup):
        backup.unlink(missing_ok=True)


def _fresh_backup(plan: Plan, backup: Path) -> bool:
    """Whether the file as it is now is the one to keep: no backup yet, or one that no longer describes
    it (the file changed since an earlier install)."""
    kept = _read(backup)
    if kept is None or plan.before is None:
        return True
    try:
        return not _same(without_ours(plan.agent, plan.path, kept), without_ours(plan.agent, plan.path, plan.before),
                         plan.path)
    except InstallError:
        return True


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return None
