"""The user-controlled strings of a report, as the text formats print them.

A finding's message and fix are made printable when the finding is made (``core.findings.shown``).
What is left comes straight from the file system or a transcript: paths (a file name may hold a
newline, ESC or ``::warning``), and the session facts a transcript states (models, agent, project,
times). The text, ``github`` and ``markdown`` reporters and the coach's text and HTML reports render
a copy in which each of those is one printable line (``_runtime.safeout.one_line``); JSON and SARIF
keep the exact values (their encoders escape what they must).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from ctxlint._runtime.safeout import one_line
from ctxlint.model import Report

T = TypeVar("T")


def printable_value(value: T) -> T:
    """``value`` with every string in it (dict keys and values, list items) made one printable line."""
    if isinstance(value, str):
        return one_line(value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {printable_value(k): printable_value(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [printable_value(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(printable_value(v) for v in value)  # type: ignore[return-value]
    return value


def printable(report: Report) -> Report:
    """A copy of ``report`` whose paths and transcript facts are printable, one line each."""
    findings = [f if one_line(f.path) == f.path else replace(f, path=one_line(f.path)) for f in report.findings]
    files = [replace(f, path=one_line(f.path), agent=printable_value(f.agent), session=printable_value(f.session))
             for f in report.files]
    return replace(report, findings=findings, files=files)
