"""CI formats: GitHub annotations escaped like actions/toolkit, SARIF valid and deterministic,
Markdown safe in tables. Built from Report objects directly (no engine), with tricky paths and
messages; the exact bytes are pinned by golden files in ``tests/golden/``.

Regenerate the golden files after an intended change with ``CTXLINT_UPDATE_GOLDEN=1 pytest``.
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import replace
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from ctxlint.core.findings import waste_by_basis
from ctxlint.model import Basis, Finding, Report, Severity, Summary, TextEdit, fingerprint
from ctxlint.reporters.check import github, markdown, sarif
from ctxlint.rules.registry import RuleMeta

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
SCHEMA = json.loads((HERE / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def meta(rule_id: str, name: str, kind: str, severity: Severity, fixable: bool = False) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        name=name,
        kind=kind,
        severity=severity,
        summary=f"Summary of {name}.",
        description=f"Description of {name}: what it checks.",
        why=f"Why {name} matters.",
        sources=(f"https://example.com/{rule_id.lower()}",),
        fix=f"How to fix {name}.",
        fixable=fixable,
        options=(),
        example_fires="",
        example_passes="",
    )


# Fixed metadata, so the golden SARIF does not change whenever a rule's YAML prose is edited.
METAS = {
    m.id: m
    for m in (
        meta("CTX101", "instruction-file-too-long", "instructions", Severity.WARNING),
        meta("CTX104", "duplicated-instruction", "instructions", Severity.WARNING, fixable=True),
        meta("CTX201", "repeated-read", "transcript", Severity.INFO),
    )
}


def finding(
    path: str,
    line: int,
    message: str,
    *,
    end: int | None = None,
    rule: str = "CTX104",
    name: str = "duplicated-instruction",
    severity: Severity = Severity.WARNING,
    fix: str | None = "delete the later copy",
    tokens: int = 12,
    cost: float | None = None,
    kind: str = "instructions",
    column: int | None = None,
    edits: tuple[TextEdit, ...] = (),
    basis: Basis = Basis.MEASURED,
) -> Finding:
    return Finding(
        rule,
        name,
        severity,
        path,
        line,
        end or line,
        message,
        fix,
        tokens,
        cost,
        fingerprint(rule, path, message),
        kind,
        column,
        edits,
        basis=basis,
    )


def tricky_report() -> Report:
    findings = [
        finding(
            "docs/my file, v2: notes.md",
            3,
            "100% duplicate\r\nof line 1",
            column=5,
            edits=(TextEdit(3, 3, ""),),
        ),
        finding(
            "docs/my file, v2: notes.md",
            9,
            "duplicate of `make | test` | <b>bold</b> & @docs/x.md",
            tokens=40,
            edits=(TextEdit(9, 10, "- one line"),),
        ),
        finding(
            "ü/CLAUDE.md",
            1,
            "too long | 250 lines",
            end=250,
            column=1,
            rule="CTX101",
            name="instruction-file-too-long",
            fix="split it:\nmove *rarely used* parts to @docs",
            tokens=900,
            basis=Basis.MODELLED,
        ),
        finding(
            "a|b/AGENTS.md",
            2,
            "[x](javascript:alert(1)) *em* _u_",
            severity=Severity.ERROR,
            fix=None,
            tokens=0,
        ),
        finding(
            "/home/dev/.claude/projects/p q/session.jsonl",
            7,
            "re-read src/app.py 3 times",
            rule="CTX201",
            name="repeated-read",
            severity=Severity.INFO,
            fix="read it once",
            tokens=4_200,
            cost=0.0126,
            kind="transcript",
        ),
        finding("tools/x.md", 0, "file-level finding", rule="CTX999", name="plugin-rule", fix=None, tokens=0),
    ]
    summary = Summary(
        files=5,
        findings=len(findings),
        by_severity={"error": 1, "warning": 4, "info": 1},
        by_rule={"CTX101": 1, "CTX104": 3, "CTX201": 1, "CTX999": 1},
        tokens_wasted=4_200,
        cost_wasted_usd=0.0126,
        instruction_tokens_per_request={"claude": 952},
        startup_tokens={"claude": 3_100, "codex|cli": 1_450},
        input_tokens=120_000,
        cost_usd=0.36,
    )
    summary.by_basis = waste_by_basis(findings)
    return Report("0.1.0", [], findings, summary, ".", baseline_suppressed=2)


@pytest.fixture
def report() -> Report:
    return tricky_report()


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CTXLINT_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert path.exists(), f"missing golden file {path}; run with CTXLINT_UPDATE_GOLDEN=1"
    assert actual == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


# --- GitHub workflow commands ---------------------------------------------------------------------


def test_github_golden(report: Report) -> None:
    check_golden("github.txt", github.render(report))


def test_github_escape_functions() -> None:
    assert github.escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    # % first, so an escaped sequence is never escaped twice
    assert github.escape_data("%0A") == "%250A"


def _unescape(text: str) -> str:
    """The runner's inverse of command.ts (applied once, %25 last)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    props = dict(p.split("=", 1) for p in match.group(2).split(","))
    return match.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(match.group(3))


def test_github_commands_round_trip(report: Report) -> None:
    lines = github.render(report).splitlines()
    commands = [_parse(line) for line in lines if re.match(r"::(error|warning|notice) ", line)]
    assert len(commands) == len(report.findings)
    by_file = {(props["file"], int(props["line"])): (level, props, msg) for level, props, msg in commands}
    level, props, msg = by_file[("docs/my file, v2: notes.md", 3)]
    assert level == "warning" and msg == "100% duplicate\r\nof line 1\nwasted: 12 tokens/request, measured\nfix: delete the later copy"
    assert props["title"] == "ctxlint CTX104 (duplicated-instruction)"
    assert props["col"] == "5" and props["endLine"] == "3"
    # multi-line span: line and endLine, never a column pair
    _, props, _ = by_file[("ü/CLAUDE.md", 1)]
    assert props["endLine"] == "250" and "col" not in props and "endColumn" not in props
    assert by_file[("/home/dev/.claude/projects/p q/session.jsonl", 7)][0] == "notice"
    assert by_file[("a|b/AGENTS.md", 2)][0] == "error"
    assert ("tools/x.md", 1) in by_file  # line 0 (file-level) is sent as line 1


def test_github_groups_sorted_by_path_then_line(report: Report) -> None:
    lines = github.render(report).splitlines()
    groups = [line.removeprefix("::group::") for line in lines if line.startswith("::group::")]
    assert groups == sorted(groups) and len(groups) == len({f.path for f in report.findings})
    assert lines.count("::endgroup::") == len(groups)
    notes = [i for i, line in enumerate(lines) if "file=docs/my file%2C v2%3A notes.md" in line]
    assert "line=3," in lines[notes[0]] and "line=9," in lines[notes[1]]
    assert lines[-1].startswith("ctxlint: 5 files checked") and not lines[-1].startswith("::")


def test_github_empty_report() -> None:
    empty = Report("0.1.0", [], [], Summary(files=2), ".")
    assert github.render(empty) == "ctxlint: 2 files checked · no findings\n"


# --- SARIF ----------------------------------------------------------------------------------------


def test_sarif_golden(report: Report) -> None:
    check_golden("sarif.json", sarif.render(report, METAS))


def test_sarif_validates_against_the_official_schema(report: Report) -> None:
    data = json.loads(sarif.render(report, METAS))
    jsonschema.validate(data, SCHEMA)
    empty = json.loads(sarif.render(Report("0.1.0", [], [], Summary(), "."), METAS))
    jsonschema.validate(empty, SCHEMA)
    assert empty["runs"][0]["results"] == [] and empty["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_is_deterministic(report: Report) -> None:
    first = sarif.render(report, METAS)
    assert first == sarif.render(report, METAS)
    shuffled = list(report.findings)
    random.Random(7).shuffle(shuffled)
    assert sarif.render(replace(report, findings=shuffled), METAS) == first
    assert "Utc" not in first and "timestamp" not in first.lower() and os.getcwd() not in first


def test_sarif_rules_and_results(report: Report) -> None:
    run = json.loads(sarif.render(report, METAS))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ctxlint" and driver["version"] == "0.1.0" and driver["informationUri"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["CTX101", "CTX104", "CTX201", "CTX999"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    ctx104 = rules[1]
    assert ctx104["defaultConfiguration"] == {"level": "warning"}
    assert ctx104["shortDescription"]["text"] == "Summary of duplicated-instruction."
    assert ctx104["properties"]["fixable"] is True and ctx104["properties"]["kind"] == "instructions"
    assert (
        "How to fix" in ctx104["help"]["text"] and "https://example.com/ctx104" in ctx104["help"]["markdown"]
    )
    assert ctx104["helpUri"].endswith("/docs/rules/CTX104.md")
    assert rules[3] == {
        "id": "CTX999",
        "name": "plugin-rule",
        "shortDescription": {"text": "plugin-rule"},
        "properties": {"fixable": False, "kind": "instructions", "tags": ["ctxlint", "instructions"]},
    }


def _result(run: dict[str, object], path_uri: str, line: int) -> dict[str, object]:
    for res in run["results"]:  # type: ignore[attr-defined]
        loc = res["locations"][0]["physicalLocation"]
        if loc["artifactLocation"]["uri"] == path_uri and loc["region"]["startLine"] == line:
            return res  # type: ignore[no-any-return]
    raise AssertionError(f"no result at {path_uri}:{line}")


def test_sarif_locations_are_relative_and_percent_encoded(report: Report) -> None:
    run = json.loads(sarif.render(report, METAS))["runs"][0]
    assert "originalUriBaseIds" not in run
    res = _result(run, "docs/my%20file%2C%20v2%3A%20notes.md", 3)
    loc = res["locations"][0]["physicalLocation"]  # type: ignore[index]
    assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert loc["region"] == {"startLine": 3, "endLine": 3, "startColumn": 5}
    assert res["partialFingerprints"] == {
        "ctxlint/v1": fingerprint("CTX104", "docs/my file, v2: notes.md", "100% duplicate\r\nof line 1")
    }
    assert res["message"] == {"text": "100% duplicate\r\nof line 1\nFix: delete the later copy"}
    assert res["properties"] == {"tokensWasted": 12, "basis": "measured"}
    assert _result(run, "%C3%BC/CLAUDE.md", 1)["properties"] == {"tokensWasted": 900, "basis": "modelled"}
    multi = _result(run, "%C3%BC/CLAUDE.md", 1)["locations"][0]["physicalLocation"]  # type: ignore[index]
    assert multi["region"] == {"startLine": 1, "endLine": 250, "startColumn": 1}
    assert _result(run, "a%7Cb/AGENTS.md", 2)["level"] == "error"
    outside = _result(run, "file:///home/dev/.claude/projects/p%20q/session.jsonl", 7)
    assert "uriBaseId" not in outside["locations"][0]["physicalLocation"]["artifactLocation"]  # type: ignore[index]
    assert outside["level"] == "note" and outside["properties"] == {
        "tokensWasted": 4200,
        "costWastedUsd": 0.0126,
        "basis": "measured",
    }
    assert _result(run, "tools/x.md", 1)["ruleId"] == "CTX999"  # line 0 clamped to the 1-based minimum


def test_sarif_uri_helper() -> None:
    assert sarif.artifact_location("./a b/ü.md") == {"uri": "a%20b/%C3%BC.md", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("C:/Users/x y/AGENTS.md") == {"uri": "file:///C:/Users/x%20y/AGENTS.md"}
    assert sarif.artifact_location("x#1?.md")["uri"] == "x%231%3F.md"


def test_sarif_fixes_are_artifact_changes(report: Report) -> None:
    run = json.loads(sarif.render(report, METAS))["runs"][0]
    uri = "docs/my%20file%2C%20v2%3A%20notes.md"
    deletion = _result(run, uri, 3)["fixes"][0]  # type: ignore[index]
    assert deletion["description"] == {"text": "delete the later copy"}
    change = deletion["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": uri, "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 4, "endColumn": 1},
            "insertedContent": {"text": ""},
        }
    ]
    rewrite = _result(run, uri, 9)["fixes"][0]["artifactChanges"][0]["replacements"][0]  # type: ignore[index]
    assert rewrite == {
        "deletedRegion": {"startLine": 9, "startColumn": 1, "endLine": 11, "endColumn": 1},
        "insertedContent": {"text": "- one line\n"},
    }
    assert "fixes" not in _result(run, "%C3%BC/CLAUDE.md", 1)


def test_sarif_uses_the_registry_by_default(report: Report) -> None:
    data = json.loads(sarif.render(report))
    jsonschema.validate(data, SCHEMA)
    ids = [r["id"] for r in data["runs"][0]["tool"]["driver"]["rules"]]
    assert ids == ["CTX101", "CTX104", "CTX201", "CTX999"]


def test_sarif_for_the_bundled_examples_validates() -> None:
    from ctxlint.config import Config
    from ctxlint.core.run import run_check

    root = Path(__file__).resolve().parents[1] / "examples"
    rep = run_check([str(root)], Config(fail_on=None), jobs=1)
    data = json.loads(sarif.render(rep))
    jsonschema.validate(data, SCHEMA)
    assert data["runs"][0]["results"]


# --- Markdown -------------------------------------------------------------------------------------


def test_markdown_golden(report: Report) -> None:
    check_golden("markdown.md", markdown.render(report))


def _cells(row: str) -> list[str]:
    """Split a GFM table row on unescaped pipes."""
    return re.split(r"(?<!\\)\|", row.strip().strip("|"))


def test_markdown_table_is_safe(report: Report) -> None:
    out = markdown.render(report)
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    header, body = rows[0], rows[1:]
    assert len(body) == len(report.findings)
    assert all(len(_cells(row)) == len(_cells(header)) == 7 for row in body)
    # by importance: the error first, then the warnings by tokens wasted, the info last
    assert "a\\|b/AGENTS.md" in body[0] and "CLAUDE.md" in body[1] and "session.jsonl" in body[-1]
    assert "too long \\| 250 lines" in out and "a\\|b/AGENTS.md:2" in out
    assert "<b>" not in out and "\\<b\\>bold\\</b\\>" in out
    assert "\\[x\\]\\(javascript:alert\\(1\\)\\)" in out
    assert "@docs" not in out and "@\u200bdocs/x.md" in out
    assert "100% duplicate of line 1" in out  # line breaks become spaces
    # a code span stays a code span; its pipe is escaped in the table only
    assert "| duplicate of `make \\| test` \\| \\<b\\>" in out
    assert ": duplicate of `make | test` \\| \\<b\\>" in out


def test_markdown_headline_and_details(report: Report) -> None:
    out = markdown.render(report)
    assert "**5 files** checked" in out and "**6 findings** (1 error, 4 warnings, 1 info)" in out
    assert "**4,200** tokens wasted (**$0.0126**)" in out
    assert "claude **3,100**" in out and "codex\\|cli **1,450**" in out
    assert "2 known findings hidden by the baseline." in out
    assert out.count("<details>") == out.count("</details>") == 5
    assert "<summary><code>docs/my file, v2: notes.md</code>: 2 findings</summary>" in out


def test_markdown_caps_long_lists(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "MAX_LISTED", 2)
    out = markdown.render(report)
    assert "… and 4 more findings not listed here" in out
    assert out.count("\n- ") == 2


def test_markdown_no_findings() -> None:
    out = markdown.render(Report("0.1.0", [], [], Summary(files=1), "."))
    assert out == "## ctxlint\n\n**1 file** checked · **0 findings**\n\nNo findings.\n"


def test_markdown_renders_as_intended(report: Report) -> None:
    """Render with a CommonMark + GFM-table parser: every row keeps its seven cells, no raw HTML gets through."""
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    html_out = parser.render(markdown.render(report))
    rows = re.findall(r"<tr>(.*?)</tr>", html_out, re.S)
    assert len(rows) == 1 + len(report.findings)
    assert all(len(re.findall(r"<t[dh]", row)) == 7 for row in rows)
    assert "<b>" not in html_out and "<a " not in html_out and "<em>" not in html_out
    assert "<code>make | test</code> | &lt;b&gt;bold&lt;/b&gt;" in html_out
    assert "<td>a|b/AGENTS.md:2</td>" in html_out
