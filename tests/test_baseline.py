"""Baselines hide known findings, by content fingerprint, not line number; duplicates are counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxlint.core.baseline import apply_baseline, load_baseline, write_baseline
from ctxlint.errors import BaselineError
from ctxlint.model import Finding, Report, Severity, Summary, fingerprint
from tests.conftest import cli_in

BODY = "# Rules\n- Run `make test` before every commit.\n- Use pnpm for installs always.\n- Run `make test` before every commit.\n"


def finding(path: str, line: int, content: str, rule: str = "CTX104") -> Finding:
    return Finding(
        rule,
        "duplicated-instruction",
        Severity.WARNING,
        path,
        line,
        line,
        f"duplicate: {content}",
        None,
        5,
        None,
        fingerprint(rule, path, content),
    )


def report(findings: list[Finding]) -> Report:
    return Report("9.9.9", [], findings, Summary(files=1, findings=len(findings)), ".")


def test_write_is_sorted_stable_and_has_no_timestamp(tmp_path: Path) -> None:
    fs = [finding("b.md", 9, "z"), finding("a.md", 3, "y"), finding("a.md", 1, "x", rule="CTX102")]
    write_baseline(report(fs), tmp_path / "one.json")
    write_baseline(report(list(reversed(fs))), tmp_path / "two.json")
    first = (tmp_path / "one.json").read_bytes()
    assert first == (tmp_path / "two.json").read_bytes()
    data = json.loads(first)
    assert set(data) == {"version", "ctxlint_version", "entries"}
    assert data["version"] == 1 and data["ctxlint_version"] == "9.9.9"
    assert [(e["path"], e["rule_id"]) for e in data["entries"]] == [
        ("a.md", "CTX102"),
        ("a.md", "CTX104"),
        ("b.md", "CTX104"),
    ]
    assert set(data["entries"][0]) == {"fingerprint", "rule_id", "path", "message"}


def test_moved_finding_is_not_new(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    write_baseline(report([finding("CLAUDE.md", 4, "Run make test")]), base)
    moved = finding("CLAUDE.md", 40, "Run make test")  # 36 lines inserted above it
    assert apply_baseline([moved], base) == ([], 1)


def test_duplicates_are_counted(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    write_baseline(report([finding("a.md", 1, "x"), finding("a.md", 5, "x")]), base)
    assert load_baseline(base) == {fingerprint("CTX104", "a.md", "x"): 2}
    run = [
        finding("a.md", 1, "x"),
        finding("a.md", 5, "x"),
        finding("a.md", 9, "x"),
        finding("a.md", 2, "new"),
    ]
    kept, hidden = apply_baseline(run, base)
    assert hidden == 2
    assert [(f.line, f.message) for f in kept] == [(9, "duplicate: x"), (2, "duplicate: new")]


def test_other_path_or_rule_is_new(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    write_baseline(report([finding("a.md", 1, "x")]), base)
    kept, hidden = apply_baseline([finding("b.md", 1, "x"), finding("a.md", 1, "x", rule="CTX105")], base)
    assert hidden == 0 and len(kept) == 2


def test_empty_baseline_keeps_everything(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    write_baseline(report([]), base)
    fs = [finding("a.md", 1, "x")]
    assert apply_baseline(fs, base) == (fs, 0)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline file not found"),
        ("not json", "invalid JSON at line 1 column 1"),
        ("[]", "expected an object with 'version' and 'entries'"),
        ('{"version": 2, "entries": []}', "unsupported baseline version 2"),
        ('{"version": 1, "entries": {}}', "'entries' must be a list"),
        ('{"version": 1, "entries": [{"path": "a.md"}]}', "entry 1 has no fingerprint"),
        ('{"version": 1, "entries": ["abc"]}', "entry 1 has no fingerprint"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_bad_baseline_raises_one_line(tmp_path: Path, content: str | bytes | None, expected: str) -> None:
    base = tmp_path / "base.json"
    if isinstance(content, bytes):
        base.write_bytes(content)
    elif content is not None:
        base.write_text(content)
    with pytest.raises(BaselineError) as err:
        apply_baseline([finding("a.md", 1, "x")], base)
    message = str(err.value)
    assert expected in message and "\n" not in message and str(base) in message


def test_directory_and_unwritable_paths(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="is a directory"):
        load_baseline(tmp_path)
    with pytest.raises(BaselineError, match="cannot write the baseline"):
        write_baseline(report([]), tmp_path / "missing-dir" / "base.json")


# --- through the real pipeline --------------------------------------------------------------------


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    r = cli_in(cwd, args)
    return r.exit_code, r.output


def test_engine_fingerprints_survive_lines_inserted_above(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctxlint.config import Config
    from ctxlint.core.run import run_check

    (tmp_path / ".git").mkdir()
    claude = tmp_path / "CLAUDE.md"
    claude.write_text(BODY)
    monkeypatch.chdir(tmp_path)
    config = Config(fail_on=None, select=("CTX104",))
    before = run_check(["."], config, jobs=1)
    assert before.findings
    write_baseline(before, tmp_path / "base.json")
    claude.write_text("# Intro\n\nSome words about the project here.\n\n" + BODY)
    after = run_check(["."], config, jobs=1)
    assert [f.line for f in after.findings] != [f.line for f in before.findings]  # it really moved
    assert apply_baseline(after.findings, tmp_path / "base.json") == ([], len(before.findings))


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


def test_a_repeated_read_keeps_its_fingerprint_when_an_unrelated_compaction_comes_before_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CTX201's fingerprint is the file, the lines re-read and the text they showed: a compaction (or a
    prompt) added earlier in the session moves the segment number and the lines, not the fingerprint."""
    from ctxlint.config import Config
    from ctxlint.core.run import run_check
    from tests.transcript_builder import build

    reread = [{"prompt": "Fix the payment retry"}, {"read": "app/payments.py", "tokens": 3100}, {"requests": 2},
              {"read": "app/payments.py", "tokens": 3100}, {"requests": 3}]
    earlier = [{"prompt": "Look at the logs"}, {"requests": 3}, {"compact": True, "trigger": "manual"}]
    prints = []
    for steps in (reread, earlier + reread):
        root = tmp_path / str(len(prints))
        root.mkdir()
        for name, text in build({"agent": "claude-code", "steps": steps}).items():
            (root / name).write_text(text, encoding="utf-8")
        monkeypatch.chdir(root)  # the same file path in both runs
        found = [f for f in run_check(["."], Config(select=("CTX201",), fail_on=None), jobs=1).findings]
        assert len(found) == 1
        prints.append((found[0].line, found[0].fingerprint))
    assert prints[0][0] != prints[1][0] and prints[0][1] == prints[1][1]
