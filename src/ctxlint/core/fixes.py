"""Apply the mechanical fixes findings carry (``TextEdit``), atomically, to instruction files only.

* Only files that findings of kind ``instructions`` point at are touched; transcripts never are.
* Edits apply bottom-up; overlapping edits keep the first; unsafe edits need ``unsafe=True``.
* The file's line endings (CRLF stays CRLF), BOM, trailing newline and permissions are kept.
* Writes go to a temp file in the same directory, fsync, then rename: a crash leaves the original.
* A symlink that points outside the repository root is never written through.
* ``diff=True`` writes nothing and returns a unified diff.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ctxlint._runtime.fsutil import atomic_write_bytes
from ctxlint.model import Finding, TextEdit


@dataclass(slots=True)
class FixResult:
    """What ``--fix`` changed (or, with ``--diff``, would change)."""

    fixed_files: list[str] = field(default_factory=list)
    applied: int = 0
    skipped: list[str] = field(default_factory=list)
    diff: str = ""

    def summary_line(self) -> str:
        base = f"ctxlint: applied {self.applied} fix(es) to {len(self.fixed_files)} file(s)"
        if self.skipped:
            base += f"; skipped: {'; '.join(self.skipped)}"
        return base


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
        if f.kind != "instructions" or not f.edits:
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
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw[3:].decode("utf-8", "surrogateescape") if bom else raw.decode("utf-8", "surrogateescape")
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
            data = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8", "surrogateescape")
            atomic_write_bytes(real, data, mode)
        result.fixed_files.append(path)
        result.applied += applied
    result.diff = "".join(diffs)
    return result
