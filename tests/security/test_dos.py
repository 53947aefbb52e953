"""Issue 23.9: small files must not take ctxlint down. A YAML alias bomb in a rule's front matter, nested
``**`` globs, 200k headings and a rule that never ends each finish within a bound (a finding says
what was given up), where they took minutes and gigabytes before."""

from __future__ import annotations

import itertools
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ctxlint._runtime.timeguard import FileTimeout, time_limit
from ctxlint.config import Config
from ctxlint.core.run import run_check
from ctxlint.markdown import parse_markdown

LEVELS = "abcdefgh"


def _alias_bomb(key: str) -> str:
    """About 350 bytes of YAML that expand to 9**9 (387 million) strings."""
    lines = [f'{LEVELS[0]}: &{LEVELS[0]} ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in itertools.pairwise(LEVELS):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append(f"{key}: [" + ",".join([f"*{LEVELS[-1]}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\ndescription: Schema rules\nalwaysApply: false\n---\nUse zod.\n"


def _bounded(args: list[str], cwd: Path, seconds: float = 60) -> subprocess.CompletedProcess[str]:
    """ctxlint in a process held to 1.5 GB of memory and ``seconds`` of time (a failure, not a hang)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))

    try:
        return subprocess.run([sys.executable, "-m", "ctxlint", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=seconds, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        pytest.fail(f"ctxlint {' '.join(args)} took more than {seconds} s")


def test_a_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = _alias_bomb("globs")
    assert len(bomb.encode()) < 500
    start = time.perf_counter()
    doc = parse_markdown(bomb, ".cursor/rules/schema.mdc")
    assert time.perf_counter() - start < 5
    assert doc.front_matter is None and "aliases" in (doc.front_matter_error or "")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    rules = repo / ".cursor" / "rules"
    rules.mkdir(parents=True)
    for i, key in enumerate(("globs", "description", "paths", "applyTo")):
        (rules / f"bomb{i}.mdc").write_text(_alias_bomb(key))
    result = _bounded([".", "--format", "json", "--fail-on", "never"], repo)
    assert result.returncode == 0, result.stderr[-500:]
    assert '"CTX117"' in result.stdout


def test_front_matter_too_long_or_too_deep_is_an_error_not_a_crash() -> None:
    long = parse_markdown("---\n" + "k: v\n" * 20_000 + "---\nbody\n", "a.mdc")
    assert "too long" in (long.front_matter_error or "")
    deep = parse_markdown("---\nk: " + "[" * 5000 + "]" * 5000 + "\n---\nbody\n", "a.mdc")
    assert deep.front_matter_error and deep.parse_error is None
    looped = parse_markdown("---\nk: &a [*a]\n---\nbody\n", "a.mdc")  # a list holding itself
    assert looped.front_matter is None or looped.front_matter_error


def test_nested_globs_are_matched_in_bounded_time(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    for i in range(12):
        for j in range(12):
            (repo / "src" / f"m{i}" / f"p{j}" / "lib").mkdir(parents=True)
            (repo / "src" / f"m{i}" / f"p{j}" / "lib" / "x.py").write_text("")
    rules = repo / ".cursor" / "rules"
    rules.mkdir(parents=True)
    nested = "/".join(["**"] * 24)
    (rules / "ts.mdc").write_text(f'---\nglobs: "{nested}/*.ts"\nalwaysApply: false\n---\nUse strict mode.\n')
    (rules / "py.mdc").write_text(f'---\nglobs: "{nested}/lib/*.py"\nalwaysApply: false\n---\nUse ruff.\n')
    result = _bounded([".", "--format", "json", "--fail-on", "never", "--select", "CTX117"], repo, seconds=20)
    assert result.returncode == 0, result.stderr[-500:]
    assert "*.ts` matches no file" in result.stdout and "lib/*.py` matches no file" not in result.stdout


def test_many_headings_are_linear(tmp_path: Path) -> None:
    rng = random.Random(23)
    lines = ["# Top"] + [("#" * rng.randint(2, 6)) + f" h{i}" for i in range(35_000)]
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("\n".join(lines) + "\n")
    try:
        with time_limit(15):  # linear: about two seconds; the quadratic builders and rules took 36 s to minutes
            report = run_check([str(tmp_path)], Config(fail_on=None), jobs=1)
    except FileTimeout:
        pytest.fail("35k headings took more than 15 s")
    assert any(f.rule_id == "CTX101" for f in report.findings)


def test_the_time_guard_covers_instruction_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ctxlint.rules.registry import registry

    rule = registry()["CTX108"]
    assert rule.check is not None

    def never_ends(*args: object) -> list[object]:
        started = time.perf_counter()
        while time.perf_counter() - started < 20:  # as good as never, for a test
            time.sleep(0.05)
        return []

    monkeypatch.setattr(rule, "_check", never_ends)
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Be careful.\n")
    start = time.perf_counter()
    report = run_check([str(tmp_path)], Config(fail_on=None, timeout_per_file=0.5), jobs=1)
    assert time.perf_counter() - start < 10
    stopped = [f for f in report.findings if f.rule_id == "CTX001"]
    assert len(stopped) == 1 and "stopped after 0.5 s" in stopped[0].message


@pytest.mark.parametrize("value", [".nan", ".inf", "-1", "0"])
def test_an_impossible_time_guard_is_a_config_error(tmp_path: Path, value: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("# Rules\n")
    (tmp_path / ".ctxlint.yaml").write_text(f"timeout-per-file: {value}\n")
    result = subprocess.run([sys.executable, "-m", "ctxlint", "."], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2 and "timeout-per-file" in result.stderr and "internal error" not in result.stderr
