"""GitHub Actions workflow commands: one annotation per finding, grouped per file.

Each finding becomes ``::error|warning|notice file=…,line=…,endLine=…,title=…::message``. Escaping
is exactly actions/toolkit ``command.ts``: the message (data) escapes ``%``, ``\\r`` and ``\\n``;
property values additionally escape ``:`` and ``,``. ``col`` is sent only for a single-line span
with a known column: GitHub rejects a column pair on a multi-line span (ruff issue #22074), and the
model has no end column, so ``endColumn`` is never sent. Info findings become ``notice``.

The findings of one file sit inside ``::group::<path>`` / ``::endgroup::`` (as yamllint and sqlfluff
do), so the log folds per file while the annotations still surface on the pull request. A last plain
line carries the summary.
"""

from __future__ import annotations

from itertools import groupby

from ctxlint.model import Finding, Report, Severity
from ctxlint.reporters.check.text import summary_line

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """``command.ts: escapeData``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """``command.ts: escapeProperty``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def order(f: Finding) -> tuple[str, int, int, str, str]:
    """Path, then line; the rest only makes the order total, so the output is deterministic."""
    return (f.path, f.line, f.column or 0, f.rule_id, f.message)


def command(f: Finding) -> str:
    line = max(f.line, 1)
    end = max(f.end_line, line)
    props = [f"file={escape_property(f.path)}", f"line={line}", f"endLine={end}"]
    if end == line and f.column is not None and f.column >= 1:
        props.append(f"col={f.column}")
    props.append(f"title={escape_property(f'ctxlint {f.rule_id} ({f.rule_name})')}")
    waste = f"\nwasted: {f.tokens_wasted:,} tokens{'/request' if f.kind == 'instructions' else ''}" + (
        f" (${f.cost_wasted_usd:,.2f})" if f.cost_wasted_usd else "") + f", {f.basis}" if f.tokens_wasted else ""
    message = f.message + waste + (f"\nfix: {f.fix}" if f.fix else "")
    return f"::{LEVEL[f.severity]} {','.join(props)}::{escape_data(message)}"


def render(report: Report) -> str:
    lines: list[str] = []
    for path, group in groupby(sorted(report.findings, key=order), key=lambda f: f.path):
        lines.append(f"::group::{escape_data(path)}")
        lines.extend(command(f) for f in group)
        lines.append("::endgroup::")
    lines.append("ctxlint: " + summary_line(report).replace("\n", " · "))
    return "\n".join(lines) + "\n"
