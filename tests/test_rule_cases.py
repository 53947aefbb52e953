"""Data-driven rule tests: every ``tests/cases/CTXnnn.yaml`` runs through the real engine.

A case file is the scenario and its expected findings side by side::

    rule: CTX101
    cases:
      - name: what this case shows
        options: {max-lines: 5}          # rule options (optional)
        files: {CLAUDE.md: "..."}        # a tiny repository, checked as a directory
        symlinks: {CLAUDE.md: AGENTS.md} # optional: link -> target
        git: true                        # optional: git init + add every file
        scenario: {agent: codex, steps: [...]}   # transcript cases: built by tests/transcript_builder.py
        expect:                          # exactly these findings of this rule, in any order
          - {path: CLAUDE.md, line: 1, severity: error, message_contains: "6 lines"}
        fixed: {CLAUDE.md: "..."}        # optional: the files after `--fix` of these findings
        unsafe_fixes: true               # optional: with `--unsafe-fixes`

Only findings of the case's rule are compared, so a case does not depend on other rules.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from ctxlint.config import Config
from ctxlint.core.fixes import apply_fixes
from ctxlint.core.run import run_check
from ctxlint.rules.registry import registry

CASES_DIR = Path(__file__).parent / "cases"


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("CTX*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, case in enumerate(data["cases"]):
            params.append(pytest.param(data["rule"], case, id=f"{data['rule']}-{index}-{case['name'][:50]}"))
    return params


def materialise(case: dict[str, Any], root: Path) -> None:
    files: dict[str, str] = dict(case.get("files") or {})
    if "scenario" in case:
        from tests.transcript_builder import build

        files.update(build(case["scenario"]))
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8", newline="")
    for link, target in (case.get("symlinks") or {}).items():
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / link)
    if case.get("git"):
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@t"}
        subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)


def test_every_rule_has_a_case_file() -> None:
    missing = [
        rule_id for rule_id, entry in registry().items()
        if entry.meta.kind != "diagnostic" and not (CASES_DIR / f"{rule_id}.yaml").exists()
    ]
    assert not missing, f"rules without a case file: {missing}"


@pytest.mark.parametrize(("rule_id", "case"), _load_cases())
def test_case(rule_id: str, case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    materialise(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    config = Config(select=(rule_id,), rule_options={rule_id: dict(case.get("options") or {})}, fail_on=None)
    report = run_check(["."], config, jobs=1)
    got = [f for f in report.findings if f.rule_id == rule_id]
    expected: list[dict[str, Any]] = list(case.get("expect") or [])
    described = [f"{f.path}:{f.line} [{f.severity.label}] {f.message}" for f in got]
    assert len(got) == len(expected), f"{case['name']}: expected {len(expected)} finding(s), got {described}"
    unmatched = list(got)
    for exp in expected:
        match = next((f for f in unmatched if _matches(f, exp)), None)
        assert match is not None, f"{case['name']}: no finding matches {exp}; got {described}"
        unmatched.remove(match)
    if "fixed" in case:
        targets = {f.path: f.fix_target for f in report.files if f.fix_target is not None}
        apply_fixes(got, unsafe=bool(case.get("unsafe_fixes")), diff=False, targets=targets)
        for rel, text in case["fixed"].items():
            assert (tmp_path / rel).read_text(encoding="utf-8") == text, f"{case['name']}: {rel} after --fix"
        after = [f for f in run_check(["."], config, jobs=1).findings if f.rule_id == rule_id and f.edits]
        assert not after, f"{case['name']}: fixes left after --fix: {after}"  # one pass fixes everything


def _matches(f: Any, exp: dict[str, Any]) -> bool:
    if "path" in exp and f.path != exp["path"]:
        return False
    if "line" in exp and f.line != exp["line"]:
        return False
    if "severity" in exp and f.severity.label != exp["severity"]:
        return False
    if "message_contains" in exp and exp["message_contains"] not in f.message:
        return False
    if "fix_contains" in exp and (f.fix is None or exp["fix_contains"] not in f.fix):
        return False
    return not ("min_tokens" in exp and f.tokens_wasted < exp["min_tokens"])


def test_every_rule_names_the_basis_of_its_waste() -> None:
    """`basis:` is data in each rule's YAML (measured or modelled); a rule without one, or with another
    value, is refused when the metadata loads."""
    import yaml as _yaml

    from ctxlint.errors import RuleDataError
    from ctxlint.rules.registry import _parse_meta, rules_dir

    for path in sorted(rules_dir().glob("CTX*.yaml")):
        raw = _yaml.safe_load(path.read_text(encoding="utf-8"))
        if raw["kind"] != "diagnostic":
            assert raw.get("basis") in ("measured", "modelled"), path.name
    raw = _yaml.safe_load((rules_dir() / "CTX206.yaml").read_text(encoding="utf-8"))
    assert _parse_meta(raw, "CTX206.yaml").basis == "modelled"
    for bad in ({**raw, "basis": "estimated"}, {k: v for k, v in raw.items() if k != "basis"}):
        with pytest.raises(RuleDataError):
            _parse_meta(bad, "CTX206.yaml")
