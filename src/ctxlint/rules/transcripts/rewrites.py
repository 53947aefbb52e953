"""Which shell commands of a thread may have rewritten a file: what decides whether a later read of
the file repeats an earlier one (repeated-read).

Commands that may rewrite any file (``git checkout``/``reset``/``stash``/``pull``, formatters, code
generators) make every earlier read stale; package managers rewrite only manifests and lock files;
``sed -i``, ``tee`` and redirections the files they name; scripts that write files (a Python heredoc
calling ``write_text``) the file names they mention. Each command is asked lazily and at most
once, only when a read of a file follows earlier reads of it: a history folder has a few hundred
such reads, while asking every command of every session eagerly would search them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ctxlint.rules.patterns import AnyOf
from ctxlint.rules.transcripts.commands import is_edit_command, script_names

SCRIPT_NAME = "\0name:"  # marks a file name (not a path) a script may have written


@dataclass(slots=True)
class Paths:
    """Paths as written in a session, made absolute and normal against its directory (paths repeat)."""

    cwd: str | None
    _seen: dict[str, str] = field(default_factory=dict)

    def norm(self, path: str, base: str | None = None) -> str:
        """``path`` made absolute against ``base`` (the directory a call ran in), else the session's."""
        if base and self.cwd and not os.path.isabs(base):
            base = os.path.join(self.cwd, base)  # `workdir: "."`: relative to the session's directory
        base = base or self.cwd
        key = path if base == self.cwd else f"{base}\0{path}"
        known = self._seen.get(key)
        if known is None:
            joined = os.path.join(base, path) if base and not os.path.isabs(path) else path
            known = self._seen[key] = os.path.normpath(joined)
        return known


@dataclass(slots=True)
class Rewrites:
    """The shell commands of a thread, in order, and what each may have rewritten (asked once)."""

    invalidate: AnyOf  # commands that may rewrite any file
    package_managers: AnyOf  # commands that rewrite manifests and lock files
    paths: Paths
    script_writes: AnyOf | None = None  # scripts (heredocs, `python -c`) that write the files they name
    commands: list[tuple[int, str, bool, str | None]] = field(default_factory=list)  # (line, command, an edit
    # tool's call, the directory it ran in)
    _any: dict[int, bool] = field(default_factory=dict)
    _installs: dict[int, bool] = field(default_factory=dict)
    _writes: dict[int, set[str]] = field(default_factory=dict)

    def add(self, line: int, command: str, edit_call: bool, cwd: str | None = None) -> None:
        self.commands.append((line, command, edit_call, cwd))

    def __len__(self) -> int:
        return len(self.commands)

    def last_rewrite(self, since: int, norm: str, manifest: bool) -> int:
        """Line of the last command from index ``since`` on that may have rewritten the file ``norm``
        (a manifest or lock file when ``manifest``); 0 when none did."""
        cut = 0
        for i in range(since, len(self.commands)):
            line, command, edit_call, cwd = self.commands[i]
            hit = self._any.get(i)
            if hit is None:
                hit = self._any[i] = self.invalidate.matches(command)
            if not hit and manifest:
                hit = self._installs.get(i)
                if hit is None:
                    hit = self._installs[i] = self.package_managers.matches(command)
            if not hit and not edit_call:  # an edit tool's own paths were handled as it ran
                written = self._writes.get(i)
                if written is None:
                    written = self._writes[i] = {self.paths.norm(w, cwd) for w in is_edit_command(command)}
                    if self.script_writes is not None and self.script_writes.matches(command):
                        # a script builds its paths: the file names it mentions are what it may write
                        written.update(SCRIPT_NAME + name for name in script_names(command))
                hit = norm in written or SCRIPT_NAME + os.path.basename(norm) in written
            if hit:
                cut = line
        return cut
