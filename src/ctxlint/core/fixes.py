"""Apply the mechanical fixes findings carry (``TextEdit``), atomically, to instruction files only.

* Only files that findings of kind ``instructions`` point at are touched; transcripts never are.
* Edits apply bottom-up; overlapping edits keep the first; unsafe edits need ``unsafe=True``.
* The file's encoding (UTF-8, UTF-16 or UTF-32) and BOM, line endings (CRLF stays CRLF), trailing
  newline and permissions are kept.
* Writes go to a temp file in the same directory, fsync, then rename: a crash leaves the original.
* A symlink that points outside the repository root is never written through.
* ``diff=True`` writes nothing and returns a unified diff.
"""

from __future__ import annotations

import difflib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ctxlint._runtime.fsutil import atomic_write_bytes
from ctxlint._runtime.textio import NotText, decode
from ctxlint.model import Finding, TextEdit


def fixability(f: Finding) -> str | None:
    """``"safe"`` when ``--fix`` fixes the finding, ``"unsafe"`` when only ``--unsafe-fixes`` does."""
    if f.kind != "instructions" or not f.edits:
        return None
    return "safe" if any(not e.unsafe for e in f.edits) else "unsafe"


def per_rule(findings: list[Finding]) -> str:
    """``CTX104 ×9, CTX108 ×2``: the rules of ``findings``, most frequent first."""
    counts = Counter(f.rule_id for f in findings)
    return ", ".join(f"{rule} ×{n}" for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(slots=True)
class FixResult:
    """What ``--fix`` changed (or, with ``--diff``, would change), and what it left for a person."""

    fixed_files: list[str] = field(default_factory=list)
    applied: int = 0
    skipped: list[str] = field(default_factory=list)
    diff: str = ""
    unsafe_pending: list[Finding] = field(default_factory=list)  # fixable, but only with --unsafe-fixes
    manual: list[Finding] = field(default_factory=list)  # no automatic fix

    def summary_line(self, *, dry_run: bool = False) -> str:
        """``0 fixes applied; 3 fixable with --unsafe-fixes (CTX106 ×3); 56 need manual edits (…)``."""
        fixes = f"{self.applied} fix" + ("" if self.applied == 1 else "es")
        verb = "would be applied" if dry_run else "applied"
        files = len(self.fixed_files)
        parts = [f"{fixes} {verb}" + (f" to {files} file" + ("" if files == 1 else "s") if files else "")]
        if self.unsafe_pending:
            parts.append(f"{len(self.unsafe_pending)} fixable with --unsafe-fixes ({per_rule(self.unsafe_pending)})")
        if self.manual:
            parts.append(f"{len(self.manual)} {'needs' if len(self.manual) == 1 else 'need'} manual edits ({per_rule(self.manual)})")
        if self.skipped:
            parts.append(f"skipped: {'; '.join(self.skipped)}")
        return "ctxlint: " + "; ".join(parts)


def _apply(lines: list[str], edits: list[TextEdit]) -> tuple[list[str], int]:
    chosen: list[TextEdit] = []
    for e in sorted(edits, key=lambda e: (e.start_line, e.end_line)):
        if chosen and e.start_line <= chosen[-1].end_line:
            continue  # overlaps an earlier edit: keep the first
        chosen.append(e)
    out = list(lines)
    for e in reversed(chosen):
        replacement = e.replacement.split("\n") if e.replacement else []
        out[e.start_line - 1 : e.end_line] = replacement
    return out, len(chosen)


def apply_fixes(findings: list[Finding], *, unsafe: bool, diff: bool, root: Path) -> FixResult:
    result = FixResult()
    per_file: dict[str, list[TextEdit]] = {}
    for f in findings:
        kind = fixability(f)
        if kind is None:
            result.manual.append(f)
            continue
        if kind == "unsafe" and not unsafe:
            result.unsafe_pending.append(f)
            continue
        for e in f.edits:
            if e.unsafe and not unsafe:
                continue
            per_file.setdefault(f.path, []).append(e)
    root_real = os.path.realpath(root)
    diffs: list[str] = []
    for path, edits in sorted(per_file.items()):
        real = os.path.realpath(path)
        if os.path.islink(path) and not real.startswith(root_real + os.sep):
            result.skipped.append(f"{path} is a symlink outside the repository")
            continue
        try:
            raw = Path(real).read_bytes()
            mode = os.stat(real).st_mode & 0o7777
        except OSError as exc:
            result.skipped.append(f"{path}: {exc.strerror or exc}")
            continue
        try:
            text, encoding = decode(raw, errors="surrogateescape")
        except NotText as exc:
            result.skipped.append(f"{path}: {exc}")
            continue
        newline = "\r\n" if "\r\n" in text else "\n"
        trailing = text.endswith(("\n", "\r\n"))
        lines = text.replace("\r\n", "\n").split("\n")
        if trailing:
            lines.pop()
        new_lines, applied = _apply(lines, edits)
        if new_lines == lines:
            continue
        new_text = newline.join(new_lines) + (newline if trailing else "")
        if diff:
            diffs.append("".join(difflib.unified_diff(
                text.replace("\r\n", "\n").splitlines(keepends=True),
                new_text.replace("\r\n", "\n").splitlines(keepends=True),
                fromfile=f"a/{path}", tofile=f"b/{path}")))
        else:
            atomic_write_bytes(real, encoding.encode(new_text), mode)
        result.fixed_files.append(path)
        result.applied += applied
    result.diff = "".join(diffs)
    return result
