"""A short Markdown report for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

A headline (files, findings by severity, tokens and dollars wasted, start-up tokens per agent), a
table of the top findings by importance (severity, then tokens wasted) with their fixes, then one
collapsible ``<details>`` list per file.

Everything that comes from the repository or a transcript (paths, messages, fixes, agent names) is
escaped for where it lands: prose gets every Markdown-active ASCII punctuation mark backslash-escaped
(so ``<``, ``&``, ``*``, ``|`` … render as themselves, raw HTML cannot get through, and a pipe cannot
split a table cell), ``@`` gets a zero-width space so a message quoting ``@docs/x.md`` does not
mention a GitHub user, and text inside ``<summary>`` (an HTML block) is HTML-escaped. Line breaks
become spaces. GitHub caps a step summary at 1 MiB and a comment at 65,536 characters, so the
per-file lists stop after ``MAX_LISTED`` findings.
"""

from __future__ import annotations

import html
import re
from itertools import groupby

from ctxlint.model import Finding, Report, Severity
from ctxlint.reporters.check.order import CAP_NOTE, annotated, ordered
from ctxlint.reporters.check.text import basis_split

ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.INFO: "🔵"}
TOP = 10
MAX_LISTED = 200
_ACTIVE = re.compile(r"([\\`*_\[\]{}()<>#+!|~&])")
_CODE = re.compile(r"`([^`]+)`")


def _prose(text: str) -> str:
    return _ACTIVE.sub(r"\\\1", text).replace("@", "@\u200b")


def escape(text: str, *, table: bool = False) -> str:
    """Markdown-safe inline text on one line; ``table=True`` for a table cell.

    Single-backtick code spans in a message (``run `pytest -q` instead``) stay code spans: their
    content is literal (no HTML, no emphasis, no mentions), and only a pipe needs escaping, in a
    table. Everything else is escaped as prose.
    """
    flat = " ".join(text.split())
    out: list[str] = []
    pos = 0
    for match in _CODE.finditer(flat):
        code = match.group(1)
        out += [_prose(flat[pos : match.start()]), "`" + (code.replace("|", "\\|") if table else code) + "`"]
        pos = match.end()
    out.append(_prose(flat[pos:]))
    return "".join(out)


def escape_html(text: str) -> str:
    """For text inside an HTML block such as ``<summary>``, where Markdown is not parsed."""
    return html.escape(" ".join(text.split())).replace("@", "@&#8203;")


def usd(value: float | None) -> str:
    if value is None:
        return ""
    return f"${value:,.2f}" if value >= 1 or value == 0 else f"${value:.4f}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def headline(report: Report) -> list[str]:
    s = report.summary
    counts = {sev: sum(1 for f in report.findings if f.severity is sev) for sev in Severity}
    by_sev = ", ".join(
        plural(counts[sev], sev.label) if sev is not Severity.INFO else f"{counts[sev]:,} info"
        for sev in sorted(Severity, reverse=True)
        if counts[sev]
    )
    parts = [
        f"**{plural(s.files, 'file')}** checked",
        f"**{plural(len(report.findings), 'finding')}**" + (f" ({by_sev})" if by_sev else ""),
    ]
    if s.tokens_wasted:
        cost = usd(s.cost_wasted_usd)
        split = basis_split(report)
        parts.append(
            f"**{s.tokens_wasted:,}** tokens wasted"
            + (f" (**{cost}**)" if cost else "")
            + (f" ({split})" if split else "")
            + (f" of {s.input_tokens:,} input tokens" if s.input_tokens else "")
        )
    out = ["## ctxlint", "", " · ".join(parts)]
    if s.startup_tokens:
        removable = s.instruction_tokens_per_request
        per_agent = ", ".join(
            f"{escape(agent)} **{tokens:,}**" + (f" ({removable[agent]:,} removable by the fixes)" if removable.get(agent) else "")
            for agent, tokens in sorted(s.startup_tokens.items())
        )
        out += ["", f"Start-up tokens per request (instruction files, before the first prompt): {per_agent}"]
    if report.baseline_suppressed:
        out += ["", f"{plural(report.baseline_suppressed, 'known finding')} hidden by the baseline."]
    left_out = len(annotated(report.findings)[1])
    if left_out:
        out += ["", f"{CAP_NOTE}: with `--format github`, {plural(left_out, 'less important finding')} "
                    "of these are listed here but not annotated."]
    return out


def location(f: Finding) -> str:
    return f"{escape(f.path)}:{f.line}" if f.line > 0 else escape(f.path)


def top_table(findings: list[Finding]) -> list[str]:
    top = ordered(findings)[:TOP]
    title = "Top finding" if len(top) == 1 else f"Top {len(top)} findings"
    out = [
        "",
        f"### {title}",
        "",
        "| | Rule | Where | Finding | Tokens wasted | Basis | Fix |",
        "|---|---|---|---|--:|---|---|",
    ]
    for f in top:
        wasted = f"{f.tokens_wasted:,}" + (
            f" ({usd(f.cost_wasted_usd)})" if f.cost_wasted_usd is not None else ""
        )
        out.append(
            f"| {ICON[f.severity]} | {escape(f.rule_id)} {escape(f.rule_name)} | {location(f)} | "
            f"{escape(f.message, table=True)} | {wasted} | {f.basis if f.tokens_wasted else ''} | {escape(f.fix or '', table=True)} |"
        )
    return out


def finding_item(f: Finding, *, with_path: bool = False) -> str:
    """One list item: icon, where, rule, message, fix."""
    where = location(f) if with_path else f"line {f.line}" if f.line > 0 else "file"
    fix = f" — fix: {escape(f.fix)}" if f.fix else ""
    return f"- {ICON[f.severity]} {where} · {escape(f.rule_id)} {escape(f.rule_name)}: {escape(f.message)}{fix}"


def per_file(findings: list[Finding]) -> list[str]:
    out: list[str] = ["", "### By file"]
    listed = 0
    for path, group in groupby(ordered(findings, "file"), key=lambda f: f.path):
        items = list(group)
        if listed >= MAX_LISTED:
            break
        out += [
            "",
            f"<details><summary><code>{escape_html(path)}</code>: {plural(len(items), 'finding')}</summary>",
            "",
        ]
        for f in items[: MAX_LISTED - listed]:
            out.append(finding_item(f))
            listed += 1
        out += ["", "</details>"]
    if listed < len(findings):
        out += [
            "",
            f"… and {plural(len(findings) - listed, 'more finding')} not listed here "
            "(see the annotations or the SARIF report).",
        ]
    return out


def render(report: Report) -> str:
    out = headline(report)
    if not report.summary.files and not report.findings:
        out += ["", "Nothing to check: no instruction files or transcripts found."]
    elif not report.findings:
        out += ["", "No findings."]
    else:
        out += top_table(report.findings) + per_file(report.findings)
    return "\n".join(out) + "\n"
