"""Issue 23.3 and 23.6: a pull request's config, a file name or a transcript cannot forge GitHub
workflow commands (``::warning``, ``::add-mask::``, ``::stop-commands::``, legacy ``##[…]``) or send
terminal escapes (clear screen, OSC 52 clipboard writes, window titles) through anything ctxlint
prints, on stdout or stderr, in any format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxlint._runtime.safeout import json_text, one_line, plain_line, terminal_text
from tests.security.helpers import assert_inert, run, runner_commands
from tests.transcript_builder import build

FORGED = "\n::warning file=CLAUDE.md,line=1::forged\n::add-mask::hidden\n::stop-commands::tok\n"
LEGACY = "##[add-mask]hidden"
ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b]0;title\x07\x9b31m\r\u202e"
HOSTILE = FORGED + LEGACY + ESCAPES
INLINE = ESCAPES + LEGACY + FORGED  # on the first line of a command, which reports quote
# A file name cannot hold "/" or NUL; everything else it can.
HOSTILE_NAME = "x" + HOSTILE.replace("/", "_")
CHECK_FORMATS = ("text", "github", "markdown", "json", "sarif")


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    return repo


def test_a_config_key_cannot_forge_commands_or_escapes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "CLAUDE.md").write_text("# Project\n\n- Run `make test` before committing.\n")
    for config in (
        {"rules": {HOSTILE: {"severity": "error"}}},  # an unknown rule, named in the error
        {"select": [HOSTILE]},
        {"per-file-ignores": {HOSTILE: [HOSTILE]}},
        {HOSTILE: 1},  # an unknown key
        {"rules": {"CTX101": {HOSTILE: 1}}},  # an unknown option
    ):
        (repo / ".ctxlint.yaml").write_text(json.dumps(config))  # JSON is YAML: every escape survives
        result = run(["check", ".", "--format", "github"], repo)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr  # one line, whatever the key holds
        assert_inert(result.stdout + result.stderr)


def test_a_file_name_cannot_forge_commands_or_escapes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    hostile_dir = repo / HOSTILE_NAME
    hostile_dir.mkdir()
    (hostile_dir / "CLAUDE.md").write_text("# Notes\n\n- Be careful.\n- Write clean code.\n- Be careful.\n")
    for fmt in CHECK_FORMATS:
        result = run(["check", ".", "--format", fmt, "--fail-on", "never"], repo)
        assert result.returncode == 0, result.stderr
        assert "CLAUDE.md" in result.stdout
        assert_inert(result.stdout + result.stderr, own_commands=fmt == "github")
    loaded = run(["check", ".", "--load-graph", "--fail-on", "never"], repo)  # the load graph names files too
    assert_inert(loaded.stdout + loaded.stderr)
    missing = run(["check", HOSTILE_NAME + "-missing"], repo)  # an error naming a path given
    assert missing.returncode == 2
    assert_inert(missing.stdout + missing.stderr)


def _hostile_session(directory: Path) -> None:
    files = build({"agent": "claude-code", "steps": [
        {"model": "claude" + HOSTILE},
        {"prompt": "Fix it " + HOSTILE + " " + "context " * 40},
        *[{"bash": "make build " + INLINE, "tokens": 12000, "error": True, "output": "error: " + INLINE}] * 3,
        {"requests": 3},
        {"prompt": "Now something unrelated: " + HOSTILE},
        {"paste": 9000},
        {"requests": 2},
    ]})
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)


def test_a_transcript_cannot_forge_commands_or_escapes(tmp_path: Path) -> None:
    history = tmp_path / "history"
    history.mkdir()
    _hostile_session(history)
    outputs = []
    for fmt in CHECK_FORMATS:
        result = run(["check", ".", "--format", fmt, "--fail-on", "never", "--no-group"], history)
        assert result.returncode == 0, result.stderr
        assert_inert(result.stdout + result.stderr, own_commands=fmt == "github")
        outputs.append(result.stdout)
    assert "make build \\x1b]52" in outputs[0]  # the hostile text was quoted, made inert
    for fmt in ("text", "json", "html", "markdown"):
        result = run(["coach", ".", "--format", fmt], history)
        assert result.returncode == 0, result.stderr
        assert_inert(result.stdout + result.stderr)


def test_one_line_makes_every_control_visible() -> None:
    shown = one_line(HOSTILE)
    assert "\n" not in shown and "\x1b" not in shown and "\\x1b]52" in shown and "\\u202e" in shown
    assert runner_commands(shown) == []
    assert one_line("tab\tstays") == "tab\tstays"


def test_the_whole_output_pass_keeps_own_colours_and_commands_only() -> None:
    text = "\x1b[31mred\x1b[0m ::not-a-line-start\n  ::warning::forged\n##[error]x\x1b]52;c;eA==\x07\n"
    coloured = terminal_text(text, colour=True)
    assert coloured.startswith("\x1b[31mred\x1b[0m") and "\\x1b]52" in coloured
    assert runner_commands(coloured) == []
    assert "\x1b" not in terminal_text(text)
    assert terminal_text("::error file=a::own\n", commands=True) == "::error file=a::own\n"
    assert plain_line("\u00a0::x::y") == "\u00a0%3A%3Ax::y"  # the runner trims any white space


@pytest.mark.parametrize("value", [HOSTILE, "plain", "\x7f\x85\u2028"])
def test_json_keeps_its_values(value: str) -> None:
    import orjson

    text = json_text(orjson.dumps({"k": value, "v": [value]}, option=orjson.OPT_INDENT_2).decode())
    assert json.loads(text) == {"k": value, "v": [value]}
    assert_inert(text)
