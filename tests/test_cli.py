"""The command line end to end: exit codes, formats, config errors, suppressions, no traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from ctxlint.cli.main import main

REPO = Path(__file__).resolve().parents[1]
LONG = "# Project\n" + "".join(f"- Step {i}: run `make step{i}`, then check that the generated report lists every changed module.\n" for i in range(230))


def run(args: list[str], cwd: Path | None = None) -> Result:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, args, catch_exceptions=False)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text(LONG)
    return tmp_path


def test_default_command_is_check_and_fails_on_warning(repo: Path) -> None:
    result = run(["CLAUDE.md", "--no-config"], cwd=repo)
    assert result.exit_code == 1, result.output
    assert "CLAUDE.md:1: CTX101 instruction-file-too-long [warning]" in result.output
    assert "231 lines > 200" in result.output
    assert "  fix: " in result.output


def test_fail_on_error_passes_warnings(repo: Path) -> None:
    assert run(["CLAUDE.md", "--fail-on", "error"], cwd=repo).exit_code == 0
    assert run(["CLAUDE.md", "--fail-on", "never"], cwd=repo).exit_code == 0


def test_directory_and_ignore_by_name(repo: Path) -> None:
    result = run([".", "--ignore", "instruction-file-too-long"], cwd=repo)
    assert result.exit_code == 0, result.output
    assert "CTX101" not in result.output


def test_select_prefix(repo: Path) -> None:
    result = run([".", "--select", "CTX1", "--format", "json"], cwd=repo)
    data = json.loads(result.output)
    assert {f["rule_id"][:4] for f in data["findings"]} <= {"CTX1"}


def test_json_report_validates_against_shipped_schema(repo: Path) -> None:
    result = run([".", "--format", "json"], cwd=repo)
    data = json.loads(result.output)
    schema = json.loads((REPO / "src" / "ctxlint" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert data["schema_version"] == 2
    finding = next(f for f in data["findings"] if f["rule_id"] == "CTX101")
    assert finding["rule_name"] == "instruction-file-too-long"
    assert finding["line"] == 1 and finding["tokens_wasted"] > 0
    assert data["summary"]["findings"] == len(data["findings"])


def test_output_file(repo: Path) -> None:
    result = run(["CLAUDE.md", "--format", "json", "--output", "out.json"], cwd=repo)
    assert result.stdout == ""
    assert result.stderr == "ctxlint: wrote the json report to out.json\n"
    assert json.loads((repo / "out.json").read_text())["findings"]
    quiet = run(["CLAUDE.md", "--format", "json", "--output", "out.json", "--quiet"], cwd=repo)
    assert quiet.stdout == quiet.stderr == ""


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ("[tool.ctxlint]\nselct = ['CTX101']\n", "unknown key 'selct'"),
        ("[tool.ctxlint]\nselect = ['CTX999']\n", "unknown rule 'CTX999'"),
        ("[tool.ctxlint.rules.CTX101]\nmax-lines = 'many'\n", "rules.CTX101.max-lines: expected int"),
        ("[tool.ctxlint.rules.CTX101]\nmax-line = 3\n", "rules.CTX101.max-line: unknown option"),
        ("[tool.ctxlint]\nfail-on = 'sometimes'\n", "fail-on"),
    ],
)
def test_bad_config_is_exit_2_naming_file_and_key(repo: Path, config: str, fragment: str) -> None:
    (repo / "pyproject.toml").write_text(config)
    result = run(["CLAUDE.md"], cwd=repo)
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr and fragment in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_rule_options_from_yaml_config(repo: Path) -> None:
    (repo / ".ctxlint.yaml").write_text("rules:\n  instruction-file-too-long:\n    max-lines: 1000\n    max-tokens: 100000\n")
    assert run(["CLAUDE.md"], cwd=repo).exit_code == 0


def test_per_rule_severity_and_per_file_ignores(repo: Path) -> None:
    (repo / ".ctxlint.yaml").write_text("rules:\n  CTX101:\n    severity: info\n")
    result = run(["CLAUDE.md"], cwd=repo)
    assert result.exit_code == 0 and "[info]" in result.output
    (repo / ".ctxlint.yaml").write_text("per-file-ignores:\n  'CLAUDE.md': [CTX101]\n")
    assert "CTX101" not in run(["CLAUDE.md"], cwd=repo).output


def test_missing_path_is_exit_2(tmp_path: Path) -> None:
    result = run(["does-not-exist.md"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "does-not-exist.md" in result.stderr and "Traceback" not in result.stderr


def test_not_an_instruction_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Readme\n")
    result = run(["README.md"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "neither an agent instruction file nor a transcript" in result.stderr


def test_a_directory_with_nothing_to_check_is_exit_0_with_an_empty_report(tmp_path: Path) -> None:
    """As ruff: nothing to check is not an error, so the Action passes on a repository without
    instruction files; the machine formats still print a valid (empty) report."""
    (tmp_path / "README.md").write_text("# Readme\n")
    result = run(["."], cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "ctxlint: nothing to check (no instruction files or transcripts in .)\n"
    data = json.loads(run([".", "--format", "json"], cwd=tmp_path).stdout)
    assert data["findings"] == [] and data["files"] == [] and data["summary"]["files"] == 0
    sarif = json.loads(run([".", "--format", "sarif"], cwd=tmp_path).stdout)
    assert sarif["runs"][0]["results"] == []
    assert run([".", "--quiet"], cwd=tmp_path).output == ""


def test_a_missing_path_beside_an_empty_directory_is_still_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run(["empty", "missing.md"], cwd=tmp_path)
    assert result.exit_code == 2 and "missing.md: no such file or directory" in result.stderr


def test_unreadable_beside_readable_is_a_ctx001_finding(repo: Path) -> None:
    result = run(["CLAUDE.md", "missing.jsonl", "--format", "json"], cwd=repo)
    data = json.loads(result.output)
    assert any(f["rule_id"] == "CTX001" and f["path"] == "missing.jsonl" for f in data["findings"])


def test_inline_suppressions(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("<!-- ctxlint-disable-file CTX101 -->\n" + LONG)
    result = run(["CLAUDE.md", "--format", "json"], cwd=tmp_path)
    ids = [f["rule_id"] for f in json.loads(result.output)["findings"]]
    assert "CTX101" not in ids and "CTX003" not in ids


def test_unused_and_unknown_suppressions(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text(
        "# Short\n<!-- ctxlint-disable-next-line CTX101 -->\nRun `make test`.\n<!-- ctxlint-disable CTX999 -->\n"
    )
    data = json.loads(run(["CLAUDE.md", "--format", "json"], cwd=tmp_path).output)
    found = {(f["rule_id"], f["line"]) for f in data["findings"]}
    assert ("CTX003", 2) in found
    assert ("CTX004", 4) in found


def test_suppression_inside_code_fence_is_not_a_directive(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Example\n```md\n<!-- ctxlint-disable CTX999 -->\n```\n")
    data = json.loads(run(["CLAUDE.md", "--format", "json"], cwd=tmp_path).output)
    assert not [f for f in data["findings"] if f["rule_id"] in ("CTX003", "CTX004")]


def test_directive_comments_do_not_count_as_tokens(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    body = "# Title\nRun `make test` before pushing.\n"
    (tmp_path / "CLAUDE.md").write_text(body)
    plain = json.loads(run(["CLAUDE.md", "--format", "json", "--load-graph"], cwd=tmp_path).output)
    (tmp_path / "CLAUDE.md").write_text("<!-- ctxlint-disable CTX108 vague-directive -->\n" + body)
    commented = json.loads(run(["CLAUDE.md", "--format", "json", "--load-graph"], cwd=tmp_path).output)
    assert plain["summary"]["startup_tokens"]["claude-code"] == commented["summary"]["startup_tokens"]["claude-code"]


def test_rules_and_explain() -> None:
    listing = run(["rules"]).output
    assert "CTX101" in listing and "instruction-file-too-long" in listing
    # Which transcript rules run on which agent's sessions: Cursor records no usage, so no CTX206.
    cursor = next(line for line in listing.splitlines() if line.startswith("cursor "))
    header = next(line for line in listing.splitlines() if line.strip().startswith("201 202"))
    assert cursor[header.index("206") + 1] == "-" and cursor[header.index("201") + 1] == "e"
    rows = json.loads(run(["rules", "--format", "json"]).output)
    ctx206 = next(r for r in rows if r["id"] == "CTX206")
    assert ctx206["requires"] == ["request-usage", "context-window"] and ctx206["agents"]["opencode"] == "yes"
    by_id = run(["explain", "CTX101"])
    by_name = run(["explain", "instruction-file-too-long"])
    assert by_id.exit_code == 0 and by_id.output == by_name.output
    for section in ("What it checks:", "Why it matters:", "Fix:", "max-lines"):
        assert section in by_id.output
    bad = run(["explain", "CTX999"])
    assert bad.exit_code == 2 and "unknown rule" in bad.stderr


def test_version() -> None:
    assert "ctxlint, version" in run(["--version"]).output


def test_examples_folder_runs() -> None:
    result = run([str(REPO / "examples"), "--format", "json"])
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert any(f["rule_id"] == "CTX101" for f in data["findings"])


def test_a_transcript_reached_several_ways_is_read_once(tmp_path: Path) -> None:
    """Given directly, through a symlink, through a hard link and inside a folder: one file, counted once."""
    history = tmp_path / "history"
    history.mkdir()
    session = history / "s.jsonl"
    session.write_bytes((REPO / "examples" / "session.jsonl").read_bytes())
    os.symlink(session, tmp_path / "via-symlink.jsonl")
    os.link(session, tmp_path / "via-hardlink.jsonl")
    once = json.loads(run([str(session), "--format", "json", "--fail-on", "never", "-j", "1"]).output)
    many = json.loads(run([str(session), str(tmp_path / "via-symlink.jsonl"), str(tmp_path / "via-hardlink.jsonl"),
                           str(history), "--format", "json", "--fail-on", "never", "-j", "1"]).output)
    assert many["summary"]["files"] == once["summary"]["files"] == 1
    assert many["summary"]["input_tokens"] == once["summary"]["input_tokens"] > 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and devices")
def test_a_report_written_to_a_device_or_fifo_leaves_it_in_place(tmp_path: Path) -> None:
    """`-o /dev/null` once replaced the device with a regular file (an atomic rename onto it)."""
    import stat
    import threading

    from ctxlint._runtime.fsutil import atomic_write_text

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    atomic_write_text(str(fifo), '{"findings": []}\n')
    reader.join(5)
    assert got == ['{"findings": []}\n']
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    atomic_write_text(os.devnull, "nothing\n")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_jsonl_files_in_a_directory_that_are_not_transcripts_are_never_reported(tmp_path: Path) -> None:
    """The workers detect a walked .jsonl file's format as they read it; one that is no transcript
    (data, a binary, an empty file) is dropped, as when the walk opened every file itself."""
    session = (REPO / "examples" / "session.jsonl").read_bytes()
    (tmp_path / "sessions").mkdir()
    (tmp_path / "sessions" / "a.jsonl").write_bytes(session)
    (tmp_path / "data.jsonl").write_text('{"id": 1, "label": "cat"}\n{"id": 2, "label": "dog"}\n')
    (tmp_path / "binary.jsonl").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "rollout-2026-01-01T00-00-00-abc.jsonl").write_text('{"name": "not a transcript"}\n')
    result = run(["check", "--format", "json", "--fail-on", "never", str(tmp_path)])
    report = json.loads(result.output)
    assert [Path(f["path"]).name for f in report["files"]] == ["a.jsonl"]
    assert not [f for f in report["findings"] if Path(f["path"]).name != "a.jsonl"]
    alone = run(["check", "--format", "json", "--fail-on", "never", str(tmp_path / "data.jsonl")])
    assert alone.exit_code == 2 and "neither an agent instruction file nor a transcript" in alone.output


def test_the_console_entry_flushes_the_whole_report_and_keeps_exit_codes(tmp_path: Path) -> None:
    """`ctxlint` ends with os._exit after main (no interpreter teardown): nothing may be lost."""
    import subprocess
    import sys

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ctxlint", *args], capture_output=True, text=True, cwd=tmp_path,
                              env={**os.environ, "CTXLINT_CACHE_DIR": str(tmp_path / "cache")}, timeout=120)

    full = cli("check", "--format", "json", "--fail-on", "info", str(REPO / "examples"))
    report = json.loads(full.stdout)  # the whole report arrived: it parses
    assert full.returncode == 1 and report["findings"]
    assert cli("check", str(tmp_path / "missing")).returncode == 2
    assert cli("--no-such-option").returncode == 2
    version = cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("ctxlint, version")


@pytest.mark.parametrize("path,base", [("/a/b/c.py", "/a/b"), ("/a/b", "/a/b"), ("/a/bc/x", "/a/b"), ("/x/y", "/"),
                                       ("/a", "/a/b"), ("/a/b/c/d", "/a")])
def test_inside_is_relpath_for_paths_under_the_base(path: str, base: str) -> None:
    from ctxlint._runtime.fsutil import inside

    rel = os.path.relpath(path, base)
    assert inside(path, base) == (None if rel.startswith("..") else rel)


def test_a_mistyped_command_says_did_you_mean(tmp_path: Path) -> None:
    result = run(["explian", "CTX101"], cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "ctxlint: error: unknown command 'explian' (did you mean 'explain'?), and no such file " \
                            "or directory\n"
    (tmp_path / "chek").mkdir()  # a real path of that name is checked, not corrected
    assert "did you mean" not in run(["chek"], cwd=tmp_path).stderr


def test_a_mistyped_config_key_says_did_you_mean(repo: Path) -> None:
    (repo / ".ctxlint.yaml").write_text("selct: [CTX101]\nrules:\n  CTX101:\n    max-line: 3\n")
    result = run(["CLAUDE.md"], cwd=repo)
    assert result.exit_code == 2 and "unknown key 'selct'; did you mean 'select'?" in result.stderr
    (repo / ".ctxlint.yaml").write_text("rules:\n  CTX101:\n    max-line: 3\n")
    assert "rules.CTX101.max-line: unknown option (did you mean 'max-lines'? known: " in run(["CLAUDE.md"], cwd=repo).stderr


def test_the_group_help_shows_whole_command_descriptions() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=60)
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands
    assert "directories (default: the current directory)." in " ".join(result.output.split())


def test_coach_text_is_coloured_on_request_and_says_last_week() -> None:
    plain = run(["coach", str(REPO / "examples")]).stdout
    assert "\x1b[" not in plain and "Weekly trend (last week with sessions):" in plain
    assert "\x1b[1mHabits that cost the most" in run(["coach", str(REPO / "examples"), "--color"]).stdout


def test_a_secret_message_uses_the_right_article(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Keys\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLQ\n")
    out = run(["CLAUDE.md", "--select", "CTX112"], cwd=tmp_path).stdout
    assert "an aws-access-key-id is written in the file" in out
