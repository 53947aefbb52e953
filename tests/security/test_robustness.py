"""Issues 23.10–23.12: a live session growing during the audit is not cached under the wrong size; an
absurd number in a record is a malformed record (CTX002), not an abort or a dollar figure hundreds of
digits long; a parse error is reported; output does not depend on the hash seed; every user error is
one line (never "internal error", never a traceback), also with stdout closed; no cache directory is
made up under a home that does not exist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ctxlint._runtime import cache
from ctxlint.coach.collect import CollectStats, collect
from ctxlint.config import Config
from tests.security.helpers import run
from tests.transcript_builder import build

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _session(path: Path, steps: list[dict[str, object]] | None = None) -> Path:
    for name, text in build({"agent": "claude-code", "steps": steps or [{"prompt": "hi"}, {"requests": 3}]}).items():
        (path.parent / name).parent.mkdir(parents=True, exist_ok=True)
        (path if name == "session.jsonl" else path.parent / name).write_text(text)
    return path


def test_a_session_growing_during_the_audit_is_not_cached_under_its_old_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXLINT_CACHE_DIR", str(tmp_path / "cache"))
    cache.reset()
    live = _session(tmp_path / "history" / "live.jsonl")
    grown = build({"agent": "claude-code", "steps": [{"prompt": "hi"}, {"requests": 9}]})["session.jsonl"]
    import ctxlint.core.audit as audit

    real = audit.audit_paths

    def audit_while_the_agent_writes(paths: list[str], *args: object, **kwargs: object) -> object:
        results = real(paths, *args, **kwargs)  # type: ignore[arg-type]
        live.write_text(grown)  # the agent appended while the file was read
        return results

    monkeypatch.setattr(audit, "audit_paths", audit_while_the_agent_writes)
    collect([str(live.parent)], Config(), jobs=1)
    monkeypatch.setattr(audit, "audit_paths", real)
    stats = CollectStats()
    cached = collect([str(live.parent)], Config(), jobs=1, stats=stats)
    assert stats.computed == 1  # the result read from the shorter file was not kept for the longer one
    cache.disable()
    fresh = collect([str(live.parent)], Config(), jobs=1)
    assert [r.session for r in cached] == [r.session for r in fresh]


@pytest.mark.parametrize("value", ["9" * 400, "1e308", "1e999", "-1e999"])
def test_an_absurd_number_is_a_malformed_record(tmp_path: Path, value: str) -> None:
    path = _session(tmp_path / "history" / "absurd.jsonl")
    lines = path.read_text().splitlines()
    usage = [i for i, line in enumerate(lines) if '"output_tokens":80' in line]
    lines[usage[-1]] = lines[usage[-1]].replace('"output_tokens":80', f'"output_tokens":{value}', 1)
    path.write_text("\n".join(lines) + "\n")
    _session(tmp_path / "history" / "ok" / "session.jsonl")  # a directory run goes on past it
    for args in (["check", "history", "--format", "json", "--fail-on", "never"], ["coach", "history", "--format", "json"]):
        result = run(args, tmp_path)
        assert result.returncode == 0, result.stderr
        assert "internal error" not in result.stderr
    report = json.loads(run(["check", "history", "--format", "json", "--fail-on", "never"], tmp_path).stdout)
    cost = report["summary"]["cost_usd"]
    assert cost is None or cost < 1_000_000
    malformed = [f["message"] for f in report["findings"] if f["rule_id"] == "CTX002"]
    if value in ("9" * 400, "1e308"):
        assert malformed and "out of range" in malformed[0]
    elif value == "1e999":  # the JSON parser itself refuses it
        assert malformed


def test_a_parse_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ctxlint.markdown as markdown
    from ctxlint.core.run import run_check

    def broken(doc: markdown.Document) -> None:
        raise IndexError("a parser bug")

    monkeypatch.setattr(markdown, "_structure", broken)
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Run `make test`.\n")
    report = run_check([str(tmp_path)], Config(fail_on=None), jobs=1)
    [diagnostic] = [f for f in report.findings if f.rule_id == "CTX001"]
    assert "could not be parsed whole" in diagnostic.message and "a parser bug" in diagnostic.message


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    outputs = {run(["check", str(EXAMPLES), "--format", "sarif", "--fail-on", "never", "--no-cache"], tmp_path,
                   env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1 and "CTX116" in next(iter(outputs))


def _user_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-300:])
    assert len(result.stderr.splitlines()) == 1 and len(result.stderr) < 1100, result.stderr[-300:]
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Be careful.\n")
    (tmp_path / "pyproject.toml").write_text("[tool.ctxlint]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    _user_error(run(["."], tmp_path))  # deep TOML nesting
    (tmp_path / "pyproject.toml").unlink()
    _user_error(run(["coach", "--from", str(tmp_path / "missing")], tmp_path))
    _user_error(run(["x" * 5000], tmp_path))  # a path longer than the system allows
    _user_error(run(["/".join(["a"] * 2500)], tmp_path))
    _user_error(run([".", "--history", str(tmp_path / "nonexistent")], tmp_path))


def test_a_full_disk_on_export_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    _session(tmp_path / "history" / "a.jsonl")
    script = """
import errno, sys
import ctxlint.team.export as export

def full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")

export.PartStore.write = full
from ctxlint.cli.main import main
sys.argv = ["ctxlint", "export", "history", "-o", "tables"]
main()
"""
    result = run(["-c", script], tmp_path, python=True)
    _user_error(result)
    assert "No space left on device" in result.stderr


def test_no_traceback_when_stdout_is_closed(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Be careful.\n")
    result = subprocess.run([sys.executable, "-c", "import os, sys; os.close(1); from ctxlint.__main__ import *"],
                            cwd=tmp_path, capture_output=False, stderr=subprocess.PIPE, text=True)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    closed = subprocess.run(f"{sys.executable} -m ctxlint . >&-", shell=True, cwd=tmp_path, stderr=subprocess.PIPE,
                            text=True)
    assert "Traceback" not in closed.stderr and "internal error" not in closed.stderr, closed.stderr
    assert closed.returncode in (0, 1)


def test_no_cache_directory_is_made_up_under_a_missing_home(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Run `make test`.\n")
    home = tmp_path / "gone" / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("CTXLINT_CACHE_DIR", "XDG_CACHE_HOME")}
    env["HOME"] = str(home)
    result = subprocess.run([sys.executable, "-m", "ctxlint", ".", "--fail-on", "never"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "gone").exists()
