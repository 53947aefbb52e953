"""GitHub Actions workflow commands: one annotation per finding, grouped per file.

Each finding becomes ``::error|warning|notice file=…,line=…,endLine=…,title=…::message``. Escaping
is exactly actions/toolkit ``command.ts``: the message (data) escapes ``%``, ``\\r`` and ``\\n``;
property values additionally escape ``:`` and ``,``. ``col`` is sent only for a single-line span
with a known column: GitHub rejects a column pair on a multi-line span (ruff issue #22074), and the
model has no end column, so ``endColumn`` is never sent. Info findings become ``notice``.

GitHub shows only 10 annotations of each level per step (50 per job) and drops the rest silently,
so only the most important findings of each level become annotations; the others are printed as
plain log lines, counted in the last line, and listed by ``step_summary`` for ``$GITHUB_STEP_SUMMARY``.

Every other line is a plain log line that cannot be read as a command (``_runtime.safeout``): the
report's paths are one printable line each, and a line that would start with ``::`` is escaped.

The annotations of one file sit inside ``::group::<path>`` / ``::endgroup::`` (as yamllint and
sqlfluff do), so the log folds per file while the annotations still surface on the pull request. A
plain line carries the summary.
"""

from __future__ import annotations

from itertools import groupby

from ctxlint._runtime.safeout import plain_line
from ctxlint.model import Finding, Report, Severity
from ctxlint.reporters.check.order import CAP_NOTE, annotated, by_file
from ctxlint.reporters.check.text import summary_line

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
MAX_SUMMARY = 500  # lines of the job-summary list (GitHub caps a step summary at 1 MiB)


def escape_data(text: str) -> str:
    """``command.ts: escapeData``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """``command.ts: escapeProperty``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


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
    shown, rest = annotated(report.findings)
    lines: list[str] = []
    for path, group in groupby(sorted(shown, key=by_file), key=lambda f: f.path):
        lines.append(f"::group::{escape_data(path)}")
        lines.extend(command(f) for f in group)
        lines.append("::endgroup::")
    if rest:
        # Workflow commands past the cap are dropped silently by GitHub: these are plain log lines.
        lines.append(f"::group::{len(rest)} more findings (not annotated: {CAP_NOTE})")
        lines.extend(plain_line(f"{f.path}:{f.line}: {f.rule_id} {f.rule_name} [{f.severity.label}] {f.message}")
                     for f in rest)
        lines.append("::endgroup::")
    lines.append("ctxlint: " + summary_line(report).replace("\n", " · "))
    if rest:
        lines.append(f"ctxlint: annotated the {len(shown)} most important of {len(report.findings)} findings "
                     f"({CAP_NOTE}); the other {len(rest)} are listed above and in the job summary")
    return "\n".join(lines) + "\n"


def step_summary(report: Report) -> str | None:
    """Markdown for ``$GITHUB_STEP_SUMMARY`` naming the findings left without an annotation, or None."""
    from ctxlint.reporters.check.markdown import finding_item

    shown, rest = annotated(report.findings)
    if not rest:
        return None
    head = [f"### ctxlint: {len(rest)} of {len(report.findings)} findings not annotated", "",
            f"GitHub shows {CAP_NOTE}; the {len(shown)} most important findings are annotated, these are not:", ""]
    return "\n".join(head + [finding_item(f, with_path=True) for f in rest[:MAX_SUMMARY]]
                     + ([f"- … and {len(rest) - MAX_SUMMARY} more (see the log)"] if len(rest) > MAX_SUMMARY else [])
                     ) + "\n"
