"""GitHub Actions workflow commands: one annotation per finding, grouped per file.

Escaping follows actions/toolkit ``command.ts``: in the message (data) ``%``, ``\\r``, ``\\n``; in
properties also ``:`` and ``,``. Multi-line spans carry ``line``/``endLine`` but no column pair.
"""

from __future__ import annotations

from itertools import groupby

from ctxlint.model import Finding, Report, Severity
from ctxlint.reporters.text import summary_line

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(f: Finding) -> str:
    props = [f"file={escape_property(f.path)}", f"line={f.line}"]
    if f.end_line != f.line:
        props.append(f"endLine={f.end_line}")
    elif f.column is not None:
        props.append(f"col={f.column}")
    props.append(f"title={escape_property(f'ctxlint {f.rule_id} ({f.rule_name})')}")
    message = f.message + (f"\nfix: {f.fix}" if f.fix else "")
    return f"::{LEVEL[f.severity]} {','.join(props)}::{escape_data(message)}"


def render(report: Report) -> str:
    lines: list[str] = []
    for _, group in groupby(sorted(report.findings, key=Finding.sort_key), key=lambda f: f.path):
        lines.extend(command(f) for f in group)
    lines.append(summary_line(report).replace("\n", " · "))
    return "\n".join(lines) + "\n"
