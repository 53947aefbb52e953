"""The public API: ``ctxlint.check``, ``ctxlint.audit_file``, ``ctxlint.audit_transcripts``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import ctxlint
from ctxlint.model import FileResult, Report
from tests.transcript_builder import build

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _sessions(tmp_path: Path) -> list[str]:
    paths = []
    for n, tokens in enumerate((12_000, 300)):
        files = build({"agent": "claude-code", "steps": [{"prompt": "Fix the login bug"},
                                                          {"bash": "pytest -v", "tokens": tokens}, {"requests": 3}]})
        target = tmp_path / f"s{n}.jsonl"
        target.write_text(files["session.jsonl"], encoding="utf-8")
        paths.append(str(target))
    return paths


def test_check_returns_the_report_the_cli_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES)
    report = ctxlint.check(["."])
    assert isinstance(report, Report)
    assert report.summary.findings == len(report.findings) > 0


def test_audit_transcripts_is_audit_file_of_each_path_in_order(tmp_path: Path) -> None:
    paths = _sessions(tmp_path)
    many = ctxlint.audit_transcripts(paths, jobs=2)
    one_by_one = [ctxlint.audit_file(p) for p in paths]
    assert all(isinstance(r, FileResult) for r in many)
    assert [r.path for r in many] == [r.path for r in one_by_one]
    assert [[f.fingerprint for f in r.findings] for r in many] == [[f.fingerprint for f in r.findings]
                                                                  for r in one_by_one]
    assert any(f.rule_id == "CTX202" for f in many[0].findings)


def test_import_ctxlint_loads_no_pipeline_module() -> None:
    code = "import sys, ctxlint; print(sorted(m for m in sys.modules if m.startswith('ctxlint.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        ctxlint.no_such_function  # noqa: B018
