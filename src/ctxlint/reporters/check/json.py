"""The JSON report: a public, versioned interface (see schemas/report.schema.json and the README).

``schema_version`` changes only when a key is removed or changes meaning; new keys may be added.
"""

from __future__ import annotations

from typing import Any

import orjson

from ctxlint.model import Finding, Report

SCHEMA_VERSION = 2  # 2: summary.instruction_tokens_per_request is per agent


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "severity": f.severity.label,
        "kind": f.kind,
        "path": f.path,
        "line": f.line,
        "end_line": f.end_line,
        "message": f.message,
        "tokens_wasted": f.tokens_wasted,
        "cost_wasted_usd": None if f.cost_wasted_usd is None else round(f.cost_wasted_usd, 6),
        "basis": f.basis.value,
        "fix": f.fix,
        "fingerprint": f.fingerprint,
    }
    if f.column is not None:
        out["column"] = f.column
    if f.edits:
        out["edits"] = [
            {"start_line": e.start_line, "end_line": e.end_line, "replacement": e.replacement, "unsafe": e.unsafe}
            for e in f.edits
        ]
    return out


def report_dict(report: Report) -> dict[str, Any]:
    s = report.summary
    return {
        "ctxlint_version": report.ctxlint_version,
        "schema_version": SCHEMA_VERSION,
        "token_counter": report.token_counter,
        "price_table": report.price_table,
        "files": [
            {
                "path": f.path,
                "kind": f.kind,
                "agent": f.agent,
                "tokens": f.tokens,
                "session": f.session,
                "diagnostics": f.diagnostics,
                **({"timeline": f.timeline} if f.timeline else {}),
            }
            for f in report.files
        ],
        "findings": [finding_dict(f) for f in report.findings],
        "load_graph": report.load_graph,
        "summary": {
            "files": s.files,
            "findings": s.findings,
            "by_severity": s.by_severity,
            "by_rule": s.by_rule,
            "tokens_wasted": s.tokens_wasted,
            "cost_wasted_usd": s.cost_wasted_usd,
            "by_basis": s.by_basis,
            "instruction_tokens_per_request": s.instruction_tokens_per_request,
            "startup_tokens": s.startup_tokens,
            "input_tokens": s.input_tokens,
            "cost_usd": None if s.cost_usd is None else round(s.cost_usd, 6),
            "baseline_suppressed": report.baseline_suppressed,
        },
    }


def render(report: Report) -> str:
    return orjson.dumps(report_dict(report), option=orjson.OPT_INDENT_2).decode() + "\n"
