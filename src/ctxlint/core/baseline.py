"""Baselines: record today's findings once, then report (and fail on) only new ones.

A baseline is a JSON file meant to be committed::

    {"ctxlint_version": "0.1.0", "entries": [{"fingerprint": …, "message": …, "path": …,
     "rule_id": …}, …], "version": 1}

Entries are sorted and there is no timestamp, so rewriting the baseline for the same findings gives
the same bytes and a clean diff. Findings are matched by ``Finding.fingerprint`` (rule, path and the
finding's own content, never its line number), so lines inserted above a finding do not make it new.
Matching counts: a fingerprint recorded twice hides two findings, and a third one is new. Only the
fingerprints matter when applying; rule id, path and message are there for the humans reviewing it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from ctxlint._runtime.fsutil import atomic_write_text
from ctxlint.errors import BaselineError
from ctxlint.model import Finding, Report

FORMAT_VERSION = 1
StrPath = str | os.PathLike[str]


def baseline_text(report: Report) -> str:
    entries = sorted(
        (
            {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.path, "message": f.message}
            for f in report.findings
        ),
        key=lambda e: (e["path"], e["rule_id"], e["fingerprint"], e["message"]),
    )
    data = {"version": FORMAT_VERSION, "ctxlint_version": report.ctxlint_version, "entries": entries}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_baseline(report: Report, path: StrPath) -> None:
    """Record every finding of ``report`` (atomically: a crash leaves the old baseline intact)."""
    try:
        atomic_write_text(os.fspath(path), baseline_text(report))
    except OSError as exc:
        raise BaselineError(f"{os.fspath(path)}: cannot write the baseline ({exc.strerror or exc})") from None


def load_baseline(path: StrPath) -> Counter[str]:
    """How many times each fingerprint is recorded."""
    name = os.fspath(path)
    try:
        text = Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{name}: baseline file not found (create it with --write-baseline)") from None
    except IsADirectoryError:
        raise BaselineError(f"{name}: is a directory, not a baseline file") from None
    except UnicodeDecodeError:
        raise BaselineError(f"{name}: not a ctxlint baseline (not UTF-8 text)") from None
    except OSError as exc:
        raise BaselineError(f"{name}: cannot read the baseline ({exc.strerror or exc})") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{name}: not a ctxlint baseline (invalid JSON at line {exc.lineno} "
            f"column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict) or "entries" not in data:
        raise BaselineError(
            f"{name}: not a ctxlint baseline (expected an object with 'version' and 'entries')"
        )
    if data.get("version") != FORMAT_VERSION:
        raise BaselineError(
            f"{name}: unsupported baseline version {data.get('version')!r} "
            f"(this ctxlint reads version {FORMAT_VERSION}; rewrite it with --write-baseline)"
        )
    entries = data["entries"]
    if not isinstance(entries, list):
        raise BaselineError(f"{name}: not a ctxlint baseline ('entries' must be a list)")
    counts: Counter[str] = Counter()
    for i, entry in enumerate(entries):
        fp = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fp, str) or not fp:
            raise BaselineError(f"{name}: entry {i + 1} has no fingerprint")
        counts[fp] += 1
    return counts


def apply_baseline(findings: list[Finding], path: StrPath) -> tuple[list[Finding], int]:
    """Keep the findings the baseline does not cover; return them and how many were hidden.

    Which duplicate counts as new is decided in report order (path, line), so the later copy is kept.
    """
    known = load_baseline(path)
    hidden: set[int] = set()
    for i, f in sorted(enumerate(findings), key=lambda p: (p[1].path, p[1].line, p[1].rule_id, p[0])):
        if known[f.fingerprint] > 0:
            known[f.fingerprint] -= 1
            hidden.add(i)
    kept = [f for i, f in enumerate(findings) if i not in hidden]
    return kept, len(hidden)
