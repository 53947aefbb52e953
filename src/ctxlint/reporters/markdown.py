"""A short Markdown report for $GITHUB_STEP_SUMMARY or a pull-request comment."""

from __future__ import annotations

import html
from itertools import groupby

from ctxlint.model import Finding, Report, Severity

ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.INFO: "🔵"}
TOP = 10


def cell(text: str) -> str:
    """Safe inside a table cell: no HTML, no pipes, no line breaks."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def usd(value: float | None) -> str:
    return "" if value is None else (f"${value:,.2f}" if value >= 0.01 else f"${value:.4f}")


def render(report: Report) -> str:
    s = report.summary
    sev = ", ".join(f"{n} {name}" for name, n in s.by_severity.items() if n) or "no findings"
    out = ["## ctxlint", "", f"**{s.files}** file(s) checked · **{s.findings}** finding(s) ({sev})"]
    if s.tokens_wasted:
        cost = usd(s.cost_wasted_usd)
        out.append(f"· **{s.tokens_wasted:,}** tokens wasted{f' ({cost})' if cost else ''}"
                   + (f" of {s.input_tokens:,} input tokens" if s.input_tokens else ""))
    if s.startup_tokens:
        per_agent = ", ".join(f"{cell(a)} {t:,}" for a, t in sorted(s.startup_tokens.items()))
        out += ["", f"Instruction files paid on every request before the first prompt: {per_agent} tokens."]
    if report.baseline_suppressed:
        out += ["", f"{report.baseline_suppressed} finding(s) hidden by the baseline."]
    if not report.findings:
        return "\n".join([*out, "", "No findings. 🎉", ""])
    top = sorted(report.findings, key=lambda f: (-f.tokens_wasted, -int(f.severity), f.path, f.line))[:TOP]
    out += ["", "### Top findings", "", "| | rule | where | what | tokens wasted | fix |", "|---|---|---|---|---:|---|"]
    for f in top:
        out.append(f"| {ICON[f.severity]} | `{f.rule_id}` {cell(f.rule_name)} | `{cell(f.path)}:{f.line}` | "
                   f"{cell(f.message)} | {f.tokens_wasted:,} {usd(f.cost_wasted_usd)} | {cell(f.fix or '')} |")
    out += ["", "<details><summary>All findings by file</summary>", ""]
    for path, group in groupby(sorted(report.findings, key=Finding.sort_key), key=lambda f: f.path):
        out.append(f"**{cell(path)}**")
        out.append("")
        for f in group:
            out.append(f"- {ICON[f.severity]} line {f.line}: `{f.rule_id}` {cell(f.message)}")
        out.append("")
    out += ["</details>", ""]
    return "\n".join(out)
