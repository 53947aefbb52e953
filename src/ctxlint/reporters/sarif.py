"""SARIF 2.1.0 for code scanning: deterministic bytes, rules from the metadata, relative URIs.

Locations are relative to ``%SRCROOT%`` and no ``originalUriBaseIds`` is written, so the same input
gives the same bytes on any machine (GitHub resolves ``%SRCROOT%`` to the checkout). Regions are
1-based. Fixable instruction-file findings carry their edits as ``fixes[].artifactChanges``.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from ctxlint import __version__
from ctxlint.model import Finding, Report, Severity
from ctxlint.registry import RuleMeta, registry

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFORMATION_URI = "https://github.com/ctxlint/ctxlint"


def uri(path: str) -> str:
    return quote(PurePosixPath(path).as_posix(), safe="/")


def rule_entry(meta: RuleMeta) -> dict[str, Any]:
    sources = "\n".join(f"- {s}" for s in meta.sources)
    markdown = f"**Why it matters.** {meta.why}\n\n**Fix.** {meta.fix}" + (f"\n\n**Sources**\n{sources}" if sources else "")
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": meta.description},
        "help": {"text": f"{meta.why}\n\nFix: {meta.fix}", "markdown": markdown},
        "helpUri": meta.help_uri,
        "defaultConfiguration": {"level": LEVEL[meta.severity]},
        "properties": {"kind": meta.kind, "fixable": meta.fixable, "tags": ["ctxlint", meta.kind]},
    }


def result_entry(f: Finding, index: int) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": f.line, "endLine": f.end_line}
    if f.column is not None and f.end_line == f.line:
        region["startColumn"] = f.column
    text = f.message + (f" Fix: {f.fix}" if f.fix else "")
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri(f.path), "uriBaseId": "%SRCROOT%"}, "region": region}}],
        "partialFingerprints": {"ctxlint/v1": f.fingerprint},
        "properties": {"tokensWasted": f.tokens_wasted},
    }
    if f.cost_wasted_usd is not None:
        result["properties"]["costWastedUsd"] = round(f.cost_wasted_usd, 6)
    if f.edits:
        replacements = []
        for e in f.edits:
            replacements.append({
                "deletedRegion": {"startLine": e.start_line, "startColumn": 1, "endLine": e.end_line + 1,
                                  "endColumn": 1},
                "insertedContent": {"text": e.replacement},
            })
        result["fixes"] = [{"description": {"text": f.fix or "ctxlint fix"},
                            "artifactChanges": [{"artifactLocation": {"uri": uri(f.path), "uriBaseId": "%SRCROOT%"},
                                                 "replacements": replacements}]}]
    return result


def to_sarif(report: Report) -> dict[str, Any]:
    reg = registry()
    used = sorted({f.rule_id for f in report.findings})
    rules = [rule_entry(reg[r].meta) for r in used if r in reg]
    index = {r: i for i, r in enumerate(used)}
    results = [result_entry(f, index[f.rule_id]) for f in sorted(report.findings, key=Finding.sort_key)]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ctxlint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFORMATION_URI, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
