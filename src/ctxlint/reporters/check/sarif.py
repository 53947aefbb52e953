"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, built the way ruff builds it.

Deterministic bytes: keys sorted (JSON object order is free), rules sorted by id, results by path and
line, no timestamps, no invocation, no machine paths. The version comes from the report, not from
the running module, so the same report always renders the same bytes.

Decisions where the spec leaves room:

* ``rules`` lists the rules that have results (ruff does the same), sorted by id; ``ruleIndex``
  points into it. A rule id without metadata (a plugin, an old baseline) still gets a minimal entry,
  so every index is valid.
* Locations are relative URIs with ``uriBaseId: "%SRCROOT%"``, and ``originalUriBaseIds`` is *not*
  written: the only honest value is the absolute ``file://`` URI of the run directory, which would
  make the bytes machine-dependent. GitHub (and ``upload-sarif``) resolve ``%SRCROOT%`` to the
  checkout, which is where ctxlint runs in CI. A file outside the run directory (``~/.claude/…``)
  has an absolute path; it gets an absolute ``file://`` URI and no base id.
* URIs are percent-encoded per segment (RFC 3986 unreserved characters and ``/`` kept), so spaces,
  commas, colons and non-ASCII names survive any consumer.
* Regions are 1-based; ``startColumn`` only when the finding has one. A fix edit replaces whole
  lines ``start..end``, so its ``deletedRegion`` runs from column 1 of ``start`` to column 1 of
  ``end + 1`` (the newline goes too) and the inserted text ends with a newline. An edit whose
  ``end`` is a last line without a newline points one line past the end of the file; ``ctxlint
  --fix`` handles that case itself, SARIF consumers only display the change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ctxlint.model import Finding, Report, Severity, TextEdit
from ctxlint.reporters.check.order import ordered
from ctxlint.rules.registry import REPOSITORY_URL, RuleMeta, registry

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SRCROOT = "%SRCROOT%"


def artifact_location(path: str) -> dict[str, str]:
    """A relative path under ``%SRCROOT%``, or an absolute ``file://`` URI for files outside it."""
    posix = path.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 2 and posix[1] == ":" and posix[2] == "/"):
        drive = "" if posix.startswith("/") else "/"
        return {"uri": "file://" + drive + quote(posix, safe="/:")}
    while posix.startswith("./"):
        posix = posix[2:]
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def rule_help(meta: RuleMeta) -> dict[str, str]:
    text = f"{meta.why}\n\nFix: {meta.fix}"
    markdown = f"**Why it matters.** {meta.why}\n\n**Fix.** {meta.fix}"
    if meta.sources:
        text += "\n\nSources:\n" + "\n".join(f"- {s}" for s in meta.sources)
        markdown += "\n\n**Sources**\n\n" + "\n".join(f"- {s}" for s in meta.sources)
    return {"text": text, "markdown": markdown}


def rule_entry(meta: RuleMeta) -> dict[str, Any]:
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": meta.description},
        "help": rule_help(meta),
        "helpUri": meta.help_uri,
        "defaultConfiguration": {"level": LEVEL[meta.severity]},
        "properties": {"kind": meta.kind, "fixable": meta.fixable, "tags": ["ctxlint", meta.kind]},
    }


def unknown_rule_entry(f: Finding) -> dict[str, Any]:
    return {
        "id": f.rule_id,
        "name": f.rule_name,
        "shortDescription": {"text": f.rule_name or f.rule_id},
        "properties": {"kind": f.kind, "fixable": bool(f.edits), "tags": ["ctxlint", f.kind]},
    }


def region(f: Finding) -> dict[str, int]:
    start = max(f.line, 1)
    out = {"startLine": start, "endLine": max(f.end_line, start)}
    if f.column is not None and f.column >= 1:
        out["startColumn"] = f.column
    return out


def replacement(e: TextEdit) -> dict[str, Any]:
    start = max(e.start_line, 1)
    return {
        "deletedRegion": {
            "startLine": start,
            "startColumn": 1,
            "endLine": max(e.end_line + 1, start),
            "endColumn": 1,
        },
        "insertedContent": {"text": e.replacement + "\n" if e.replacement else ""},
    }


def result_entry(f: Finding, index: int) -> dict[str, Any]:
    location = artifact_location(f.path)
    properties: dict[str, Any] = {"tokensWasted": f.tokens_wasted, "basis": f.basis.value}
    if f.cost_wasted_usd is not None:
        properties["costWastedUsd"] = round(f.cost_wasted_usd, 6)
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": f.message + (f"\nFix: {f.fix}" if f.fix else "")},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": region(f)}}],
        "partialFingerprints": {"ctxlint/v1": f.fingerprint},
        "properties": properties,
    }
    if f.edits:
        edits = sorted(f.edits, key=lambda e: (e.start_line, e.end_line, e.replacement))
        result["fixes"] = [
            {
                "description": {"text": f.fix or f"ctxlint {f.rule_id} fix"},
                "artifactChanges": [
                    {"artifactLocation": dict(location), "replacements": [replacement(e) for e in edits]}
                ],
                "properties": {"unsafe": any(e.unsafe for e in edits)},
            }
        ]
    return result


def to_sarif(report: Report, metas: Mapping[str, RuleMeta] | None = None) -> dict[str, Any]:
    """The SARIF log as plain data. ``metas`` defaults to the registry (tests pass fixed metadata)."""
    if metas is None:
        metas = {rule_id: entry.meta for rule_id, entry in registry().items()}
    findings = ordered(report.findings, "file")
    first: dict[str, Finding] = {}
    for f in findings:
        first.setdefault(f.rule_id, f)
    used = sorted(first)
    rules = [rule_entry(metas[r]) if r in metas else unknown_rule_entry(first[r]) for r in used]
    index = {r: i for i, r in enumerate(used)}
    version = report.ctxlint_version
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ctxlint",
                        "version": version,
                        "semanticVersion": version,
                        "informationUri": REPOSITORY_URL,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [result_entry(f, index[f.rule_id]) for f in findings],
            }
        ],
    }


def render(report: Report, metas: Mapping[str, RuleMeta] | None = None) -> str:
    return json.dumps(to_sarif(report, metas), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
