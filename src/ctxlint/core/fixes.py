"""Apply the mechanical fixes findings carry (``TextEdit``), atomically, to instruction files only.

* Only files that findings of kind ``instructions`` point at are touched; transcripts never are.
* Edits apply bottom-up; overlapping edits keep the first; unsafe edits need ``unsafe=True``.
* The file's encoding (UTF-8, UTF-16 or UTF-32) and BOM, each line's own ending (LF, CRLF or CR,
  mixed as they were), trailing newline, mode and owner are kept.
* Only a file the check may edit is written (``FixTarget``): its real path lies inside the
  repository of the checked path, and it was not reached only through an `@import` naming an
  absolute, home or parent path. The way to it is opened one directory at a time without following
  a link, so a link swapped in after the check leads nowhere; a link is never written through.
* Compare-and-swap: the edits were computed on certain bytes; the file is rewritten only if it holds
  exactly those bytes, checked when it is read and again just before the rename (an editor saving
  meanwhile wins, and the file is reported as changed). A read-only file is left alone.
* Writes go to a temp file in the same directory, fsync, then rename: a crash leaves the original.
* ``diff=True`` writes nothing and returns a unified diff.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import re
import stat
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from ctxlint._runtime.fsutil import inside, remove_stale_temps, temp_name
from ctxlint._runtime.textio import NotText, decode
from ctxlint.model import Finding, FixTarget, TextEdit

NEWLINE = re.compile(r"\r\n|\r|\n")  # what the Markdown parser counts as a line break
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_AT = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd


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


def _with_endings(text: str, edits: list[TextEdit]) -> tuple[str, int]:
    """``text`` with ``edits`` applied, each line keeping its own ending: a file with CRLF and LF
    lines keeps both; a replacement line takes the ending of the line it replaces (else the file's
    most common one)."""
    pieces = NEWLINE.split(text)
    endings = NEWLINE.findall(text)
    trailing = len(pieces) > len(endings) and pieces[-1] == ""
    if trailing:
        pieces.pop()
    else:
        endings.append("")  # the last line has none
    common = Counter(e for e in endings if e).most_common(1)
    default = common[0][0] if common else "\n"
    lines = list(zip(pieces, endings, strict=True))
    chosen: list[TextEdit] = []
    for e in sorted(edits, key=lambda e: (e.start_line, e.end_line)):
        if e.start_line < 1 or e.end_line < e.start_line - 1 or e.start_line > len(lines) + 1:
            continue  # out of range: made on another text
        if chosen and e.start_line <= chosen[-1].end_line:
            continue  # overlaps an earlier edit: keep the first
        chosen.append(e)
    for e in reversed(chosen):
        replaced = lines[e.start_line - 1 : e.end_line]
        ending = replaced[0][1] if replaced and replaced[0][1] else default
        last = replaced[-1][1] if replaced else ending
        new = e.replacement.split("\n") if e.replacement else []
        lines[e.start_line - 1 : e.end_line] = [(line, ending) for line in new[:-1]] + (
            [(new[-1], last)] if new else [])
    if lines and not lines[-1][1] and trailing:
        lines[-1] = (lines[-1][0], default)
    return "".join(a + b for a, b in lines), len(chosen)


class _Refused(Exception):
    """A file --fix leaves alone; the message says why, for the summary line."""


def apply_fixes(findings: list[Finding], *, unsafe: bool, diff: bool,
                targets: Mapping[str, FixTarget]) -> FixResult:
    """Apply the fixes of ``findings`` to the files ``targets`` allows (path as reported -> target)."""
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
    diffs: list[str] = []
    for path, edits in sorted(per_file.items()):
        try:
            applied = _fix_file(path, edits, targets.get(path), diff, diffs)
        except _Refused as exc:
            result.skipped.append(f"{path} {exc}")
            continue
        except OSError as exc:
            result.skipped.append(f"{path}: {exc.strerror or exc.__class__.__name__}")
            continue
        if applied:
            result.fixed_files.append(path)
            result.applied += applied
    result.diff = "".join(diffs)
    return result


def _fix_file(path: str, edits: list[TextEdit], target: FixTarget | None, dry_run: bool, diffs: list[str]) -> int:
    """Apply ``edits`` to the file ``path``; the number applied (0: nothing changed)."""
    if target is None:
        raise _Refused("is not edited: it lies outside the repository or only an import from outside reaches it")
    real = os.path.realpath(path)
    rel = inside(real, target.root) if os.sep == "/" else _inside_nt(real, target.root)
    if rel is None or rel == ".":
        raise _Refused("leads outside the repository (through a link): not edited")
    folder, name = os.path.split(rel)
    with _Folder(target.root, folder) as where:
        raw, st = where.read(name)
        if hashlib.sha256(raw).hexdigest() != target.digest:
            raise _Refused("changed since it was checked: not edited (run ctxlint --fix again)")
        if not st.st_mode & stat.S_IWUSR:
            raise _Refused("is read-only: not edited")
        try:
            text, encoding = decode(raw, errors="surrogateescape")
        except NotText as exc:
            raise _Refused(f": {exc}") from None
        new_text, applied = _with_endings(text, edits)
        if new_text == text:
            return 0
        if dry_run:
            diffs.append("".join(difflib.unified_diff(
                NEWLINE.sub("\n", text).splitlines(keepends=True), NEWLINE.sub("\n", new_text).splitlines(keepends=True),
                fromfile=f"a/{path}", tofile=f"b/{path}")))
        else:
            where.replace(name, encoding.encode(new_text), st, target.digest)
    return applied


def _inside_nt(real: str, root: str) -> str | None:
    try:
        rel = os.path.relpath(real, root)
    except ValueError:
        return None
    return None if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel) else rel


class _Folder:
    """The directory ``folder`` under ``root``, reached one component at a time without following a
    link (where the platform can: ``dir_fd``), so a link swapped in after the check is refused."""

    def __init__(self, root: str, folder: str) -> None:
        self.root, self.folder = root, folder
        self.fd: int | None = None

    def __enter__(self) -> _Folder:
        if _AT:
            fd = os.open(self.root, os.O_RDONLY | _DIRECTORY)
            try:
                for part in [p for p in self.folder.split(os.sep) if p]:
                    nxt = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
                    os.close(fd)
                    fd = nxt
            except OSError:
                os.close(fd)
                raise _Refused("leads outside the repository (through a link): not edited") from None
            self.fd = fd
        remove_stale_temps(os.path.join(self.root, self.folder))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)

    def _open(self, name: str, flags: int, mode: int = 0o777) -> int:
        if self.fd is not None:
            return os.open(name, flags | _NOFOLLOW, mode, dir_fd=self.fd)
        return os.open(os.path.join(self.root, self.folder, name), flags | _NOFOLLOW, mode)

    def read(self, name: str) -> tuple[bytes, os.stat_result]:
        try:
            fd = self._open(name, os.O_RDONLY)
        except OSError as exc:
            if os.path.islink(os.path.join(self.root, self.folder, name)):
                raise _Refused("is a link: not edited") from None
            raise exc
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise _Refused("is not a regular file: not edited")
            return fh.read(), st

    def replace(self, name: str, data: bytes, st: os.stat_result, digest: str) -> None:
        """Put ``data`` in place of ``name`` (temp file, fsync, rename) with its mode and owner, if it
        still holds the bytes whose SHA-256 is ``digest``."""
        tmp = temp_name()
        fd = self._open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                if hasattr(os, "fchown") and hasattr(os, "getuid") and (st.st_uid, st.st_gid) != (
                        os.getuid(), os.getgid()):
                    try:
                        os.fchown(fh.fileno(), st.st_uid, st.st_gid)
                    except PermissionError:
                        raise _Refused("belongs to another user: not edited") from None
                if os.chmod in os.supports_fd:
                    os.chmod(fh.fileno(), stat.S_IMODE(st.st_mode))
                else:
                    os.chmod(os.path.join(self.root, self.folder, tmp), stat.S_IMODE(st.st_mode))
                os.fsync(fh.fileno())
            now, _ = self.read(name)
            if hashlib.sha256(now).hexdigest() != digest:
                raise _Refused("changed while it was being fixed: not edited (run ctxlint --fix again)")
            if self.fd is not None:
                os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
                os.fsync(self.fd)
            else:
                base = os.path.join(self.root, self.folder)
                os.replace(os.path.join(base, tmp), os.path.join(base, name))
        except BaseException:
            with contextlib.suppress(OSError):
                if self.fd is not None:
                    os.unlink(tmp, dir_fd=self.fd)
                else:
                    os.unlink(os.path.join(self.root, self.folder, tmp))
            raise
