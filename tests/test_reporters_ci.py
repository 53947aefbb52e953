"""CI formats: GitHub annotations escaped like actions/toolkit, SARIF valid and deterministic,
Markdown safe in tables. Built from Report objects directly, with tricky paths and messages."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ctxlint.engine import summarise
from ctxlint.model import Finding, Report, Severity, TextEdit, fingerprint
from ctxlint.reporters import github, markdown, sarif

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())


def finding(path: str, line: int, message: str, *, end: int | None = None, rule: str = "CTX104",
            name: str = "duplicated-instruction", severity: Severity = Severity.WARNING,
            edits: tuple[TextEdit, ...] = ()) -> Finding:
    return Finding(rule, name, severity, path, line, end or line, message, "delete the later copy", 12, None,
                   fingerprint(rule, path, message), "instructions", None, edits)


@pytest.fixture
def report() -> Report:
    findings = [
        finding("docs/my file, v2: notes.md", 3, "100% duplicate\nof line 1", edits=(TextEdit(3, 3, ""),)),
        finding("ü/CLAUDE.md", 1, "too long | 250 lines", end=250, rule="CTX101", name="instruction-file-too-long"),
        finding("session.jsonl", 7, "re-read", rule="CTX201", name="repeated-read", severity=Severity.INFO),
    ]
    return Report("0.1.0", [], findings, summarise(findings, 3), ".")


def test_github_escaping(report: Report) -> None:
    out = github.render(report).splitlines()
    assert out[0] == ("::warning file=docs/my file%2C v2%3A notes.md,line=3,"
                      "title=ctxlint CTX104 (duplicated-instruction)::100%25 duplicate%0Aof line 1%0Afix: delete the later copy")
    multi = next(line for line in out if "CLAUDE.md" in line)
    assert "line=1,endLine=250," in multi and "col=" not in multi
    assert any(line.startswith("::notice file=session.jsonl") for line in out)


def test_github_escape_functions() -> None:
    assert github.escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_sarif_validates_and_is_deterministic(report: Report) -> None:
    first = sarif.render(report)
    assert first == sarif.render(report)
    data = json.loads(first)
    jsonschema.validate(data, SCHEMA)
    run = data["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["CTX101", "CTX104", "CTX201"]
    res = {r["ruleId"]: r for r in run["results"]}
    loc = res["CTX104"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "docs/my%20file%2C%20v2%3A%20notes.md", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 3
    assert res["CTX104"]["partialFingerprints"]["ctxlint/v1"]
    assert res["CTX104"]["properties"]["tokensWasted"] == 12
    assert res["CTX104"]["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"] == 3
    assert res["CTX201"]["level"] == "note"
    assert "ü" in res["CTX101"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] or \
        "%C3%BC" in res["CTX101"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_markdown_is_table_safe(report: Report) -> None:
    out = markdown.render(report)
    assert "too long \\| 250 lines" in out
    assert "<details>" in out and "</details>" in out
    assert "100% duplicate of line 1" in out


def test_sarif_for_the_bundled_examples_validates() -> None:
    from ctxlint.config import Config
    from ctxlint.engine import run_check

    root = Path(__file__).resolve().parents[1] / "examples"
    rep = run_check([str(root)], Config(fail_on=None), jobs=1)
    data = json.loads(sarif.render(rep))
    jsonschema.validate(data, SCHEMA)
    assert data["runs"][0]["results"]
