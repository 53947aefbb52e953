"""Which findings a report keeps: rule selection, per-file ignores, files changed since a git ref,
the baseline. Every filter after the run goes through ``keep_only``, the one place a report's
summary is rebuilt."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from ctxlint.config import Config
from ctxlint.core.findings import summarise
from ctxlint.model import Finding, Report


def selected(findings: list[Finding], config: Config, enabled: set[str]) -> list[Finding]:
    """The findings of enabled rules that no ``per-file-ignores`` entry silences."""
    out: list[Finding] = []
    for f in findings:
        if f.rule_id not in enabled:
            continue
        if config.per_file_ignores and _per_file_ignored(f, config):
            continue
        out.append(f)
    return out


def _per_file_ignored(f: Finding, config: Config) -> bool:
    base = config.root or os.getcwd()
    try:
        rel = Path(os.path.relpath(os.path.abspath(f.path), base)).as_posix()
    except ValueError:
        rel = f.path
    for glob, rules in config.per_file_ignores:
        if f.rule_id in rules and (fnmatch.fnmatch(rel, glob) or fnmatch.fnmatch(f.path, glob)):
            return True
    return False


def changed_only(findings: list[Finding], changed: set[str]) -> list[Finding]:
    """Instruction-file findings on the ``changed`` paths, and every other finding."""
    return [f for f in findings
            if f.kind != "instructions" or f.path in changed or os.path.normpath(f.path) in changed]


def keep_only(report: Report, kept: list[Finding]) -> None:
    """Narrow ``report`` to ``kept`` (a subset of its findings) and total them again; what the run
    measured (start-up tokens, input tokens, spend) stays."""
    report.findings = kept
    report.summary = summarise(kept, report.summary.files, like=report.summary, load_graph=report.load_graph)
