"""Baselines: record today's findings, then report (and fail on) only new ones.

Fingerprints come from rule, path and the finding's own content — never line numbers — so edits
above a finding do not make it "new". Counts matter: a fingerprint recorded twice tolerates two.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ctxlint import __version__
from ctxlint.fsutil import atomic_write_text
from ctxlint.model import Finding, Report

FORMAT_VERSION = 1


class BaselineError(Exception):
    pass


def write_baseline(report: Report, path: str) -> None:
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.path, "message": f.message}
         for f in report.findings),
        key=lambda e: (e["path"], e["rule_id"], e["fingerprint"]),
    )
    data = {"version": FORMAT_VERSION, "ctxlint_version": __version__, "entries": entries}
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def load_baseline(path: str) -> Counter[str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create it with --write-baseline)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a ctxlint baseline ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION or not isinstance(data.get("entries"), list):
        raise BaselineError(f"{path}: not a ctxlint baseline (version {FORMAT_VERSION} expected)")
    return Counter(str(e.get("fingerprint")) for e in data["entries"] if isinstance(e, dict))


def apply_baseline(findings: list[Finding], path: str) -> tuple[list[Finding], int]:
    known = load_baseline(path)
    kept: list[Finding] = []
    hidden = 0
    for f in findings:
        if known[f.fingerprint] > 0:
            known[f.fingerprint] -= 1
            hidden += 1
        else:
            kept.append(f)
    return kept, hidden
