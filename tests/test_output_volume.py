"""Order and volume of the output (issue 22.1): importance first, repeated findings folded, per-rule
statistics, --quiet, GitHub's annotation cap with the rest in the job summary."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ctxlint.cli.main import main
from ctxlint.core.findings import summarise
from ctxlint.model import Finding, Report, Severity
from ctxlint.reporters.check import github, markdown, text
from ctxlint.reporters.check.order import GROUP_MIN, grouped, ordered
from tests.test_reporters_ci import finding

REPO = Path(__file__).resolve().parents[1]


def run(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False, env=env)


def report_of(findings: list[Finding]) -> Report:
    return Report("0.1.0", [], findings, summarise(findings, 2), ".")


MIXED = [
    finding("a/CLAUDE.md", 5, "small", tokens=10),
    finding("a/CLAUDE.md", 1, "big", tokens=900),
    finding("z/s.jsonl", 40, "the one error", severity=Severity.ERROR, tokens=3, kind="transcript"),
    finding("b/AGENTS.md", 2, "an info", severity=Severity.INFO, tokens=5000),
]


def test_importance_is_severity_then_tokens_and_each_sort_is_total() -> None:
    assert [f.message for f in ordered(MIXED)] == ["the one error", "big", "small", "an info"]
    assert [f.message for f in ordered(MIXED, "tokens")] == ["an info", "big", "small", "the one error"]
    assert [f.message for f in ordered(MIXED, "file")] == ["big", "small", "an info", "the one error"]


def test_the_text_report_starts_with_the_error() -> None:
    out = text.render(report_of(MIXED))
    assert out.splitlines()[0].startswith("z/s.jsonl:40: CTX104 duplicated-instruction [error] the one error")
    by_file = text.render(report_of(MIXED), sort="file")
    assert by_file.splitlines()[0].startswith("a/CLAUDE.md:1:")


def test_repeated_findings_of_one_rule_in_one_file_share_a_line() -> None:
    dupes = [finding("CLAUDE.md", n, f"near-duplicate of line {n - 1}", tokens=100) for n in range(12, 41)]
    report = report_of([*dupes, finding("CLAUDE.md", 3, "other rule", rule="CTX101", name="too-long", tokens=50)])
    out = text.render(report).splitlines()
    assert out[0] == ("CLAUDE.md:12: CTX104 duplicated-instruction [warning] 29 findings on lines 12–40 "
                      "(≈ 2,900 tokens/request, measured)")
    assert out[1] == "  line 12: near-duplicate of line 11"
    assert out[3] == "  … and 28 more like it (--no-group lists each)"
    assert out[4].startswith("CLAUDE.md:3: CTX101 too-long")
    every = text.render(report, group=False)
    assert every.count("CTX104 duplicated-instruction") == 29
    assert len(grouped(dupes[: GROUP_MIN - 1])) == GROUP_MIN - 1  # fewer stay single


def test_statistics_and_quiet_from_the_command_line() -> None:
    stats = run([str(REPO / "examples"), "--statistics"])
    assert stats.exit_code == 1
    rows = stats.stdout.splitlines()
    assert re.match(r"\s*1\s+CTX204\s+repo-dump\s+error\s+≈ 156,000 tokens wasted$", rows[0])
    assert any(re.match(r"\s*3\s+CTX104\s+duplicated-instruction\s+warning\s+≈ [\d,]+ tokens/request$", r)
               for r in rows)
    as_json = json.loads(run([str(REPO / "examples"), "--statistics", "--format", "json"]).stdout)
    assert as_json[0] == {"code": "CTX204", "name": "repo-dump", "count": 1, "severity": "error",
                          "fixable": None, "tokens_wasted": 156000, "tokens": "≈ 156,000 tokens wasted"}
    report = json.loads(run([str(REPO / "examples"), "--format", "json"]).stdout)
    assert sum(r["count"] for r in as_json) == len(report["findings"])
    assert run([str(REPO / "examples"), "--statistics", "--format", "sarif"]).exit_code == 2
    quiet = run([str(REPO / "examples"), "--quiet"]).stdout
    assert "fix:" not in quiet and "files checked" not in quiet and "session:" not in quiet
    assert quiet.splitlines()[0].startswith("examples") and "CTX204 repo-dump [error]" in quiet.splitlines()[0]


def test_the_summary_line_counts_fixable_findings() -> None:
    from ctxlint.model import TextEdit

    fixable = [finding("CLAUDE.md", 3, "dup", edits=(TextEdit(3, 3, ""),)),
               finding("CLAUDE.md", 4, "dead import", rule="CTX106", edits=(TextEdit(4, 4, "", unsafe=True),)),
               finding("CLAUDE.md", 9, "manual")]
    line = text.summary_line(report_of(fixable))
    assert "3 findings (3 warnings) · 1 fixable with --fix · 1 more fixable with --fix --unsafe-fixes" in line


# --- GitHub's cap ----------------------------------------------------------------------------------

MANY = [finding("CLAUDE.md", n, f"warning {n}", tokens=n) for n in range(1, 26)] + [
    finding("s.jsonl", n, f"error {n}", severity=Severity.ERROR, kind="transcript") for n in range(1, 4)]


def test_github_annotates_the_ten_most_important_of_each_level_and_lists_the_rest() -> None:
    out = github.render(report_of(MANY)).splitlines()
    warnings = [line for line in out if line.startswith("::warning ")]
    assert len(warnings) == 10 and len([line for line in out if line.startswith("::error ")]) == 3
    assert {int(re.search(r"line=(\d+),", w).group(1)) for w in warnings} == set(range(16, 26))  # most tokens
    assert "::group::15 more findings (not annotated: GitHub shows at most 10 error, 10 warning and 10 notice " \
           "annotations per step)" in out
    assert "CLAUDE.md:1: CTX104 duplicated-instruction [warning] warning 1" in out
    assert out[-1] == ("ctxlint: annotated the 13 most important of 28 findings (GitHub shows at most 10 error, "
                       "10 warning and 10 notice annotations per step); the other 15 are listed above and in the "
                       "job summary")


def test_github_format_puts_the_findings_past_the_cap_in_the_job_summary(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "docs").mkdir()
    (repo / "docs" / "index.md").write_text("# Docs\n")
    # 14 links to pages that do not exist: 14 warnings, 10 annotated, 4 left for the job summary
    (repo / "CLAUDE.md").write_text("# Docs\n\n" + "".join(f"- See [topic {n}](docs/topic-{n}.md).\n" for n in range(14)))
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    result = run([str(repo), "--select", "CTX106"], env=env)
    assert result.exit_code == 1
    written = summary.read_text()
    assert written.startswith("earlier step\n### ctxlint: 4 of 14 findings not annotated\n")
    assert written.count("\n- 🟠 ") == 4
    small = run([str(REPO / "examples"), "--select", "CTX101"], env={**env, "GITHUB_STEP_SUMMARY": str(tmp_path / "b")})
    assert small.exit_code == 1 and not (tmp_path / "b").exists()  # nothing left out: nothing written


def test_markdown_top_findings_are_by_importance() -> None:
    out = markdown.render(report_of(MIXED))
    rows = [line for line in out.splitlines() if line.startswith("| 🔴") or line.startswith("| 🟠")
            or line.startswith("| 🔵")]
    assert [r.split("|")[3].strip() for r in rows] == ["z/s.jsonl:40", "a/CLAUDE.md:1", "a/CLAUDE.md:5",
                                                         "b/AGENTS.md:2"]


@pytest.mark.parametrize(("env", "flag", "colored"), [
    ({}, None, False),  # not a terminal
    ({"FORCE_COLOR": "1"}, None, True),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, None, False),
    ({"NO_COLOR": "1"}, "--color", True),
    ({"FORCE_COLOR": "1"}, "--no-color", False),
    ({"FORCE_COLOR": "1", "TERM": "dumb"}, None, True),
])
def test_colour_follows_the_flags_then_no_color_force_color_and_term(
        env: dict[str, str], flag: str | None, colored: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    args = [str(REPO / "examples" / "CLAUDE.md"), *([flag] if flag else [])]
    out = run(args, env=env).stdout
    assert ("\x1b[" in out) is colored


def test_term_dumb_turns_colour_off_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from ctxlint.cli.common import use_color

    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert use_color(None)
    monkeypatch.setenv("TERM", "dumb")
    assert not use_color(None)
    assert not use_color(None, output="report.txt") and use_color(True, output="report.txt")
    assert os.environ["TERM"] == "dumb"
